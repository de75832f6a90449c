package script

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/billkit/billkit/provisioning"
)

// The answer statuses.
const (
	statusOK      = "ok"
	statusPending = "pending"
	statusError   = "error"
)

// answer is the JSON object a program writes on stdout.
type answer struct {
	Status        string                `json:"status"`
	Params        map[string]string     `json:"params"`
	ServiceStatus provisioning.Status   `json:"service_status"`
	Usage         map[string]usageValue `json:"usage"`
	LoginURL      string                `json:"login_url"`
	Message       string                `json:"message"`
	Retry         *bool                 `json:"retry"`
}

// usageValue is a measured quantity: a JSON string or number, kept as the
// text it was written in, so no float ever rounds it.
type usageValue string

func (u *usageValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*u = usageValue(s)
		return nil
	}
	var n json.Number
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&n); err != nil {
		return errors.New("a usage value must be a string or a number")
	}
	*u = usageValue(n.String())
	return nil
}

// parseAnswer reads one answer from data: a single JSON object with a known
// status, and nothing after it but white space.
func parseAnswer(data []byte) (answer, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return answer{}, errors.New("no answer: stdout is empty")
	}
	var a answer
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&a); err != nil {
		return answer{}, fmt.Errorf("the answer is not a JSON object of the protocol: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return answer{}, errors.New("the answer has more after its JSON object")
	}
	switch a.Status {
	case statusOK, statusPending, statusError:
	case "":
		return answer{}, errors.New(`the answer has no "status"`)
	default:
		return answer{}, fmt.Errorf(`the answer's status %q is not "ok", "pending" or "error"`, clip([]byte(a.Status), 40))
	}
	switch a.ServiceStatus {
	case "", provisioning.StatusActive, provisioning.StatusSuspended, provisioning.StatusDeleted:
	default:
		return answer{}, fmt.Errorf(`the answer's service_status %q is not "active", "suspended" or "deleted"`, clip([]byte(a.ServiceStatus), 40))
	}
	return a, nil
}

// result is the provisioning.Result an ok or pending answer stands for.
func (a answer) result() provisioning.Result {
	r := provisioning.Result{
		Pending:  a.Status == statusPending,
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

// clip returns at most n bytes of b as valid UTF-8 text with surrounding
// white space removed, marking a cut with an ellipsis.
func clip(b []byte, n int) string {
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
