package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

// Header names.
const (
	// SignatureHeader carries "t=<unix seconds>,v1=<hex HMAC-SHA256>" on
	// billkit's requests and on callbacks.
	SignatureHeader = "Billkit-Signature"
	// IdempotencyHeader carries the task ID on billkit's requests.
	IdempotencyHeader = "Idempotency-Key"
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock when Verify is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// maxSignatureHeader bounds the header Verify parses: a few signatures fit,
// a flood does not.
const maxSignatureHeader = 4 << 10

// Sign returns the signature header value of body sent at t:
// "t=<unix seconds>,v1=<hex of HMAC-SHA256(secret, "<unix seconds>.<body>")>".
// billkit signs its requests with it, and a remote system signs its
// callbacks with it. Signing the timestamp with the body lets the receiver
// refuse an old message replayed.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	io.WriteString(h, ts)
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks that header (a SignatureHeader value) signs body with
// secret, at a time no further than tolerance (DefaultTolerance when zero
// or negative) from now, before or after. A header may carry several v1
// signatures, so that a secret can be changed without a gap: one match
// suffices. Unknown keys in the header are ignored.
//
// A failure is an unauthenticated *billkit.Error with reason
// "webhook.signature_missing", "webhook.signature_malformed",
// "webhook.signature_invalid" or "webhook.signature_expired"; an empty
// secret is an internal error ("webhook.secret_missing"), since it is the
// receiver's fault.
//
// A message replayed within the tolerance verifies again: a receiver must
// make acting on it twice harmless (a task completed twice is refused by
// its status, not by the signature).
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if len(secret) == 0 {
		return billkit.Errorf(billkit.CodeInternal, "webhook.secret_missing", "no secret to verify the signature with")
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	header = strings.TrimSpace(header)
	if header == "" {
		return billkit.Errorf(billkit.CodeUnauthenticated, "webhook.signature_missing", "the %s header is missing", SignatureHeader)
	}
	if len(header) > maxSignatureHeader {
		return malformed("the header is too long")
	}
	ts := ""
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return malformed("each part must be key=value")
		}
		switch k {
		case "t":
			if ts != "" {
				return malformed("the timestamp is given twice")
			}
			if !digits(v) {
				return malformed("the timestamp must be Unix seconds")
			}
			ts = v
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return malformed("a v1 signature must be 64 hexadecimal digits")
			}
			sigs = append(sigs, sig)
		}
	}
	if ts == "" {
		return malformed("the timestamp t is missing")
	}
	if len(sigs) == 0 {
		return malformed("no v1 signature")
	}
	want := mac(secret, ts, body)
	match := false
	for _, sig := range sigs {
		// Every signature is compared, in constant time, so timing tells
		// nothing of which one matched.
		if hmac.Equal(sig, want) {
			match = true
		}
	}
	if !match {
		return billkit.Errorf(billkit.CodeUnauthenticated, "webhook.signature_invalid", "the signature does not match the body")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return malformed("the timestamp is out of range")
	}
	age := now.Sub(time.Unix(sec, 0))
	if age > tolerance || age < -tolerance {
		return billkit.Errorf(billkit.CodeUnauthenticated, "webhook.signature_expired",
			"the signature's time %s is more than %s from now", time.Unix(sec, 0).UTC().Format(time.RFC3339), tolerance)
	}
	return nil
}

func malformed(msg string) error {
	return billkit.Errorf(billkit.CodeUnauthenticated, "webhook.signature_malformed", "the %s header is malformed: %s", SignatureHeader, msg)
}

func digits(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Callback is a remote system's later answer to a request it accepted with
// 202 (or "pending"): the body of a signed POST to billkit, read by
// VerifyCallback, for the API layer to complete the task with
// (Manager.CompleteTask with provisioning.CompletionOf of Result), which
// makes it worth exactly what the same answer given at once would be. A
// remote system written in Go may build one and marshal it to JSON.
type Callback struct {
	// TaskID is the task answered: the Idempotency-Key of the request.
	TaskID provisioning.TaskID `json:"task_id"`
	// Status is "ok" (done) or "error" (refused or failed; Message says
	// why).
	Status string `json:"status"`
	// Params are values to keep on the service.
	Params map[string]string `json:"params,omitempty"`
	// ServiceStatus, Usage and LoginURL are read as in a synchronous
	// answer. They answer a sync, a usage request and a login link, which
	// billkit asks at once and never waits for; the operations a callback
	// answers (open, suspend, resume, change, renew, delete) leave them
	// unused, as they do in an answer given at once.
	ServiceStatus provisioning.Status `json:"service_status,omitempty"`
	Usage         map[string]string   `json:"usage,omitempty"`
	LoginURL      string              `json:"login_url,omitempty"`
	// Message is a note for staff, or the reason of an error.
	Message string `json:"message,omitempty"`
}

// OK reports whether the work was done.
func (c Callback) OK() bool { return c.Status == provisioning.AnswerOK }

// Result is the Result the callback stands for when it is ok: the same
// Result a synchronous answer with the same fields stands for
// (provisioning.Answer.Result). provisioning.CompletionOf turns it into
// what completes the task.
func (c Callback) Result() provisioning.Result {
	return provisioning.Result{
		Params:   c.Params,
		Status:   c.ServiceStatus,
		Usage:    c.Usage,
		LoginURL: c.LoginURL,
		Message:  c.Message,
	}
}

// Err is nil when the callback is ok, and otherwise a refusal
// (*provisioning.PermanentError) with the callback's message: the remote
// system has finished and failed, so trying again is for staff to decide.
func (c Callback) Err() error {
	if c.OK() {
		return nil
	}
	msg := c.Message
	if msg == "" {
		msg = "no reason given"
	}
	return &provisioning.PermanentError{Message: "the remote system reported an error: " + msg}
}

// VerifyCallback checks a callback's signature (see Verify) and reads its
// body: a JSON object with "task_id" (required), "status" ("ok" or
// "error", required), and optionally "params", "service_status", "usage",
// "login_url" and "message", as in a synchronous answer. A bad signature is
// an unauthenticated error; a body that is not such an object is an invalid
// error naming the field ("body" when it is not JSON at all). The signature
// is checked before the body is read.
func VerifyCallback(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) (Callback, error) {
	if err := Verify(secret, header, body, now, tolerance); err != nil {
		return Callback{}, err
	}
	var raw struct {
		TaskID string `json:"task_id"`
		provisioning.Answer
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		return Callback{}, billkit.InvalidField("body", "webhook.callback_malformed", "must be a JSON object: "+err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return Callback{}, billkit.InvalidField("body", "webhook.callback_malformed", "must hold one JSON object and nothing after it")
	}
	var v billkit.FieldErrors
	var id provisioning.TaskID
	if v.Require("task_id", raw.TaskID) {
		parsed, err := billkit.ParseID[provisioning.Task](raw.TaskID)
		v.Check(err == nil && !parsed.IsZero(), "task_id", "webhook.task_id_malformed", "must be a task ID")
		id = parsed
	}
	if v.Require("status", raw.Status) {
		v.Check(raw.Status == provisioning.AnswerOK || raw.Status == provisioning.AnswerError, "status", "webhook.callback_status", `must be "ok" or "error"`)
	}
	switch raw.ServiceStatus {
	case "", provisioning.StatusActive, provisioning.StatusSuspended, provisioning.StatusDeleted:
	default:
		v.Add("service_status", "webhook.service_status", `must be "active", "suspended" or "deleted"`)
	}
	if err := v.Err(); err != nil {
		return Callback{}, err
	}
	res := raw.Answer.Result()
	return Callback{
		TaskID:        id,
		Status:        raw.Status,
		Params:        res.Params,
		ServiceStatus: res.Status,
		Usage:         res.Usage,
		LoginURL:      res.LoginURL,
		Message:       res.Message,
	}, nil
}
