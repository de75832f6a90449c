package billkit

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code is the class of an error. The set is closed: every error billkit returns
// carries one of these codes, and the HTTP layer maps each to one status.
type Code string

// The error codes. Their string values are stable and appear in the API.
const (
	// CodeInvalid: the input is malformed or breaks a rule; Fields say which.
	CodeInvalid Code = "invalid"
	// CodeNotFound: the object does not exist or the actor may not see it.
	CodeNotFound Code = "not_found"
	// CodeConflict: the object already exists or was changed concurrently.
	CodeConflict Code = "conflict"
	// CodeForbidden: the actor is known but lacks the right.
	CodeForbidden Code = "forbidden"
	// CodeUnauthenticated: the actor could not be identified.
	CodeUnauthenticated Code = "unauthenticated"
	// CodeFailedPrecondition: the system is not in a state that allows the call
	// (a referenced object is missing, a status forbids the transition).
	CodeFailedPrecondition Code = "failed_precondition"
	// CodeUnavailable: a transient failure; the same call may succeed later.
	CodeUnavailable Code = "unavailable"
	// CodeInternal: a bug or an unexpected failure. Never caused by input.
	CodeInternal Code = "internal"
)

var allCodes = []Code{
	CodeInvalid, CodeNotFound, CodeConflict, CodeForbidden, CodeUnauthenticated,
	CodeFailedPrecondition, CodeUnavailable, CodeInternal,
}

// Codes returns every error code, in a fixed order.
func Codes() []Code { return append([]Code(nil), allCodes...) }

// Valid reports whether c is one of the defined codes.
func (c Code) Valid() bool {
	for _, k := range allCodes {
		if k == c {
			return true
		}
	}
	return false
}

// FieldError names one field of an input that is wrong, and why.
type FieldError struct {
	// Field is the path of the field as the caller spelled it, in JSON form
	// ("currency", "lines[2].amount").
	Field string `json:"field"`
	// Reason is a stable, namespaced key ("money.malformed") that doubles as a
	// translation key.
	Reason string `json:"reason"`
	// Message is a human-readable English explanation.
	Message string `json:"message"`
}

// Error is the one error type billkit returns. Code classifies it; Reason is a
// stable namespaced key ("billing.insufficient_funds") for programs and
// translations; Message is for people; Fields list bad inputs.
type Error struct {
	Code    Code
	Reason  string
	Message string
	Fields  []FieldError
	// Err is the underlying cause, if any. It is never shown to API clients.
	Err error
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Reason != "" {
		b.WriteString(" (")
		b.WriteString(e.Reason)
		b.WriteString(")")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(":")
		} else {
			b.WriteString(";")
		}
		if f.Field == "" {
			// An error about the value as a whole names no field.
			fmt.Fprintf(&b, " %s", f.Message)
		} else {
			fmt.Fprintf(&b, " %s: %s", f.Field, f.Message)
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is match two *Error values with the same Code and Reason, so
// sentinel errors such as ErrNotFound can be compared against.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Reason == "" || t.Reason == e.Reason)
}

// Field returns the FieldError for the named field, if there is one.
func (e *Error) Field(name string) (FieldError, bool) {
	for _, f := range e.Fields {
		if f.Field == name {
			return f, true
		}
	}
	return FieldError{}, false
}

// Errorf returns an *Error with the code, reason and formatted message.
func Errorf(code Code, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with the code and reason whose cause is err.
// A nil err gives nil.
func WrapError(err error, code Code, reason, message string) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Reason: reason, Message: message, Err: err}
}

// NotFound returns a not_found error for the kind of object named ("currency")
// and its key. Reason is "<kind>.not_found".
func NotFound(kind string, key any) *Error {
	return &Error{Code: CodeNotFound, Reason: kind + ".not_found", Message: fmt.Sprintf("%s %v not found", kind, key)}
}

// InvalidField returns an invalid error for one field.
func InvalidField(field, reason, message string) *Error {
	return &Error{
		Code:    CodeInvalid,
		Reason:  reason,
		Message: "invalid input",
		Fields:  []FieldError{{Field: field, Reason: reason, Message: message}},
	}
}

// ErrorCode returns the Code of err: that of the first *Error in its chain,
// CodeInternal for any other non-nil error, and "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// ErrorReason returns the Reason of the first *Error in err's chain, or "".
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// IsCode reports whether err's Code is code.
func IsCode(err error, code Code) bool { return err != nil && ErrorCode(err) == code }

// HasReason reports whether some *Error in err's chain has the reason.
func HasReason(err error, reason string) bool {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return false
		}
		if e.Reason == reason {
			return true
		}
		err = e.Err
	}
	return false
}

// FieldErrors collects field errors while validating an input, and turns them
// into one invalid *Error. The zero value is ready to use.
//
//	var v billkit.FieldErrors
//	v.Require("code", p.Code)
//	v.Check(p.Digits >= 0, "digits", "currency.digits_negative", "must not be negative")
//	return v.Err()
type FieldErrors struct {
	list []FieldError
}

// Add records a field error.
func (v *FieldErrors) Add(field, reason, message string) {
	v.list = append(v.list, FieldError{Field: field, Reason: reason, Message: message})
}

// Check records a field error when ok is false, and returns ok.
func (v *FieldErrors) Check(ok bool, field, reason, message string) bool {
	if !ok {
		v.Add(field, reason, message)
	}
	return ok
}

// Require records "required" when value is empty after trimming spaces.
func (v *FieldErrors) Require(field, value string) bool {
	return v.Check(strings.TrimSpace(value) != "", field, "required", "is required")
}

// Merge adds the field errors of err, prefixing their fields with prefix and a
// dot (no dot when prefix is empty). An err that is not an invalid *Error is
// recorded against prefix itself. It returns whether err was nil.
func (v *FieldErrors) Merge(prefix string, err error) bool {
	if err == nil {
		return true
	}
	var e *Error
	if errors.As(err, &e) && e.Code == CodeInvalid && len(e.Fields) > 0 {
		for _, f := range e.Fields {
			name := f.Field
			if prefix != "" {
				name = prefix + "." + name
				if f.Field == "" {
					name = prefix
				}
			}
			v.Add(name, f.Reason, f.Message)
		}
		return false
	}
	reason := ErrorReason(err)
	if reason == "" {
		reason = "invalid"
	}
	msg := err.Error()
	if e != nil && e.Message != "" {
		msg = e.Message
	}
	v.Add(prefix, reason, msg)
	return false
}

// Len returns the number of recorded errors.
func (v *FieldErrors) Len() int { return len(v.list) }

// Err returns nil when nothing was recorded, or an invalid *Error listing the
// fields sorted by name. Its Reason is that of the first field when there is
// one field, and "invalid" otherwise.
func (v *FieldErrors) Err() error {
	if len(v.list) == 0 {
		return nil
	}
	fields := append([]FieldError(nil), v.list...)
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
	reason := "invalid"
	if len(fields) == 1 {
		reason = fields[0].Reason
	}
	return &Error{Code: CodeInvalid, Reason: reason, Message: "invalid input", Fields: fields}
}
