package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/billkit/billkit"
	"github.com/danielgtaylor/huma/v2"
)

// statusByCode is the one table that maps an error code to an HTTP status.
// Every error the server writes, whatever produced it, goes through it, so a
// client can rely on the status and the code always agreeing.
var statusByCode = map[billkit.Code]int{
	billkit.CodeInvalid:            http.StatusBadRequest,
	billkit.CodeUnauthenticated:    http.StatusUnauthorized,
	billkit.CodeForbidden:          http.StatusForbidden,
	billkit.CodeNotFound:           http.StatusNotFound,
	billkit.CodeConflict:           http.StatusConflict,
	billkit.CodeFailedPrecondition: http.StatusUnprocessableEntity,
	billkit.CodeUnavailable:        http.StatusServiceUnavailable,
	billkit.CodeInternal:           http.StatusInternalServerError,
}

// Status returns the HTTP status of an error code. An unknown code is a bug
// in the caller and is treated as internal.
func Status(code billkit.Code) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// codeForStatus classifies a status chosen by the HTTP framework (request
// validation, body limits, content negotiation) into an error code. Every
// 4xx the framework produces is about the request itself, hence invalid,
// unless a code exists for that exact status.
func codeForStatus(status int) billkit.Code {
	for code, s := range statusByCode {
		if s == status && code != billkit.CodeFailedPrecondition {
			return code
		}
	}
	switch {
	case status >= 400 && status < 500:
		return billkit.CodeInvalid
	default:
		return billkit.CodeInternal
	}
}

// Error is the one shape of every error response of the server:
//
//	{"code":"invalid","reason":"currency.digits_negative","message":"invalid input",
//	 "fields":[{"field":"digits","reason":"currency.digits_negative","message":"must not be negative"}]}
//
// Code is one of billkit's error codes and decides the HTTP status; Reason is
// a stable namespaced key; Fields name the inputs that were wrong and is
// always present, empty when no field is to blame.
type Error struct {
	Code    billkit.Code         `json:"code" doc:"Class of the error; decides the HTTP status." enum:"invalid,unauthenticated,forbidden,not_found,conflict,failed_precondition,unavailable,internal"`
	Reason  string               `json:"reason" doc:"Stable namespaced key, also a translation key." example:"currency.not_found"`
	Message string               `json:"message" doc:"Human-readable English explanation."`
	Fields  []billkit.FieldError `json:"fields" doc:"The inputs that were wrong, by JSON field name."`

	cause error // logged for internal errors, never sent
}

// Error implements error.
func (e *Error) Error() string {
	return (&billkit.Error{Code: e.Code, Reason: e.Reason, Message: e.Message, Fields: e.Fields}).Error()
}

// GetStatus implements huma.StatusError: the status always follows Code.
func (e *Error) GetStatus() int { return Status(e.Code) }

// Unwrap returns the cause, for logging.
func (e *Error) Unwrap() error { return e.cause }

// record notes the cause of a server-side failure on the request's Info, so
// it is logged; failures caused by the request are not.
func (e *Error) record(ctx context.Context) {
	if e.cause == nil || (e.Code != billkit.CodeInternal && e.Code != billkit.CodeUnavailable) {
		return
	}
	if info := InfoFrom(ctx); info != nil {
		info.Err = e.cause
	}
}

const internalMessage = "internal error"

// FromError converts any error into the response shape. A *billkit.Error
// keeps its code, reason, message and fields, except that internal errors
// show a generic message so that no detail of the failure leaks; any other
// error is internal.
func FromError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var be *billkit.Error
	if !errors.As(err, &be) || !be.Code.Valid() || be.Code == billkit.CodeInternal {
		return &Error{Code: billkit.CodeInternal, Reason: "internal", Message: internalMessage, Fields: []billkit.FieldError{}, cause: err}
	}
	fields := append([]billkit.FieldError{}, be.Fields...)
	msg := be.Message
	if msg == "" {
		msg = string(be.Code)
	}
	return &Error{Code: be.Code, Reason: be.Reason, Message: msg, Fields: fields, cause: err}
}

// WriteError writes err in the response shape with its status. It records
// err on the request's Info so the request log and the metrics see it.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := FromError(err)
	e.record(r.Context())
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.GetStatus())
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(e) // the client has gone when this fails; nothing to do
}

// requiredRe picks the property name out of the framework's message for a
// missing required property, so the error can name the field.
var requiredRe = regexp.MustCompile(`^expected required property (\S+) to be present`)

// fromFramework builds the response shape for an error the HTTP framework
// produced itself: malformed JSON, a query parameter of the wrong type, a
// body that breaks the schema. Handler errors also arrive here (as errs
// with status 500) and keep their own code.
func fromFramework(status int, msg string, errs ...error) *Error {
	for _, err := range errs {
		var be *billkit.Error
		if err != nil && errors.As(err, &be) {
			return FromError(be)
		}
		var ae *Error
		if err != nil && errors.As(err, &ae) {
			return ae
		}
	}
	code := codeForStatus(status)
	if code == billkit.CodeInternal {
		var cause error
		if len(errs) > 0 {
			cause = errors.Join(errs...)
		}
		if cause == nil {
			cause = errors.New(msg)
		}
		return FromError(cause)
	}
	if code != billkit.CodeInvalid {
		return &Error{Code: code, Reason: "api." + string(code), Message: msg, Fields: []billkit.FieldError{}}
	}
	var v billkit.FieldErrors
	for _, err := range errs {
		if err == nil {
			continue
		}
		var d huma.ErrorDetailer
		if !errors.As(err, &d) {
			v.Add("", "request.invalid", err.Error())
			continue
		}
		det := d.ErrorDetail()
		field := fieldName(det.Location)
		reason := "request.invalid_value"
		if m := requiredRe.FindStringSubmatch(det.Message); m != nil {
			reason = "required"
			if field == "" || field == "body" {
				field = m[1]
			} else {
				field += "." + m[1]
			}
		} else if det.Message == "unexpected property" {
			reason = "request.unknown_field"
		} else if det.Location == "body" {
			reason = "request.malformed_body"
		}
		v.Add(field, reason, det.Message)
	}
	if v.Len() == 0 {
		reason := "request.invalid"
		if status == http.StatusRequestEntityTooLarge {
			reason = "request.too_large"
		}
		return &Error{Code: billkit.CodeInvalid, Reason: reason, Message: msg, Fields: []billkit.FieldError{}}
	}
	var be *billkit.Error
	errors.As(v.Err(), &be)
	return &Error{Code: be.Code, Reason: be.Reason, Message: msg, Fields: be.Fields}
}

// fieldName turns the framework's location of a bad input ("body.rate",
// "query.limit", "path.code") into the name the client used for it.
func fieldName(loc string) string {
	for _, p := range []string{"body.", "query.", "path.", "header.", "cookie."} {
		if strings.HasPrefix(loc, p) {
			return strings.TrimPrefix(loc, p)
		}
	}
	return loc
}

// installErrorModel makes the framework produce errors in the server's
// shape. The framework keeps its error constructor in package variables, so
// this is process-wide; it is idempotent and done before any operation is
// registered, because the OpenAPI error schema is taken from it.
func installErrorModel() {
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return fromFramework(status, msg, errs...)
	}
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		e := fromFramework(status, msg, errs...)
		if ctx != nil {
			e.record(ctx.Context())
		}
		return e
	}
}

// Info is what the API learns about a request that the layers around it
// (request logs, metrics) want to know: the route pattern that matched and
// the cause of an internal error. The server puts one in the request's
// context with WithInfo before calling the API.
type Info struct {
	// Route is the matched route pattern ("GET /api/v1/currencies/{code}"),
	// or "" when no route matched.
	Route string
	// Err is the cause of an internal or unavailable error, never shown to
	// the client.
	Err error
}

type infoKey struct{}

// WithInfo returns r with a new Info in its context, and the Info.
func WithInfo(r *http.Request) (*http.Request, *Info) {
	info := &Info{}
	return r.WithContext(context.WithValue(r.Context(), infoKey{}, info)), info
}

// InfoFrom returns the Info of the context, or nil.
func InfoFrom(ctx context.Context) *Info {
	info, _ := ctx.Value(infoKey{}).(*Info)
	return info
}
