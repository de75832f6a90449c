package provisioning

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The statuses of an Answer.
const (
	AnswerOK      = "ok"
	AnswerPending = "pending"
	AnswerError   = "error"
)

// Answer is the JSON object the language-neutral modules answer with: a
// script's stdout, a webhook's response or callback body.
//
//	{"status": "ok" | "pending" | "error", "params": {...},
//	 "service_status": "active", "usage": {"traffic": "12.5"},
//	 "login_url": "...", "message": "...", "retry": true | false}
type Answer struct {
	Status        string                `json:"status"`
	Params        map[string]string     `json:"params"`
	ServiceStatus Status                `json:"service_status"`
	Usage         map[string]UsageValue `json:"usage"`
	LoginURL      string                `json:"login_url"`
	Message       string                `json:"message"`
	Retry         *bool                 `json:"retry"`
}

// UsageValue is a measured quantity: a JSON string or number, kept as the
// text it was written in, so no float ever rounds it.
type UsageValue string

// UnmarshalJSON reads a JSON string or number.
func (u *UsageValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*u = UsageValue(s)
		return nil
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return errors.New("a usage value must be a string or a number")
	}
	*u = UsageValue(n.String())
	return nil
}

// ParseAnswer reads one Answer from data: a single JSON object with a known
// status and service status, and nothing after it but white space. Its
// errors say what is wrong, for the task's error shown to staff.
func ParseAnswer(data []byte) (Answer, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Answer{}, errors.New("no answer: it is empty")
	}
	var a Answer
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&a); err != nil {
		return Answer{}, fmt.Errorf("the answer is not a JSON object of the protocol: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Answer{}, errors.New("the answer has more after its JSON object")
	}
	switch a.Status {
	case AnswerOK, AnswerPending, AnswerError:
	case "":
		return Answer{}, errors.New(`the answer has no "status"`)
	default:
		return Answer{}, fmt.Errorf(`the answer's status %q is not "ok", "pending" or "error"`, Clip([]byte(a.Status), 40))
	}
	switch a.ServiceStatus {
	case "", StatusActive, StatusSuspended, StatusDeleted:
	default:
		return Answer{}, fmt.Errorf(`the answer's service_status %q is not "active", "suspended" or "deleted"`, Clip([]byte(a.ServiceStatus), 40))
	}
	return a, nil
}

// Result is the Result an ok or pending answer stands for.
func (a Answer) Result() Result {
	r := Result{
		Pending:  a.Status == AnswerPending,
		Params:   a.Params,
		Status:   a.ServiceStatus,
		LoginURL: a.LoginURL,
		Message:  a.Message,
	}
	if len(a.Usage) > 0 {
		r.Usage = make(map[string]string, len(a.Usage))
		for k, v := range a.Usage {
			r.Usage[k] = string(v)
		}
	}
	return r
}

// Clip returns at most n bytes of b as valid UTF-8 text with surrounding
// white space removed, marking a cut with an ellipsis: how modules quote
// what a remote system said in an error.
func Clip(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	cut := len(b) > n
	if cut {
		b = b[:n]
		// Do not leave half of a multi-byte character at the end.
		for i := 0; i < utf8.UTFMax-1 && len(b) > 0; i++ {
			if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
				break
			}
			b = b[:len(b)-1]
		}
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if cut {
		s += "…"
	}
	return s
}
