package billkit_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/billkit/billkit"
)

func TestCodes(t *testing.T) {
	codes := billkit.Codes()
	want := []billkit.Code{"invalid", "not_found", "conflict", "forbidden", "unauthenticated", "failed_precondition", "unavailable", "internal"}
	if fmt.Sprint(codes) != fmt.Sprint(want) {
		t.Errorf("Codes() = %v", codes)
	}
	for _, c := range codes {
		if !c.Valid() {
			t.Errorf("%s is not Valid", c)
		}
	}
	codes[0] = "mutated"
	if billkit.Codes()[0] != billkit.CodeInvalid {
		t.Error("Codes() returns the package's own slice")
	}
	if billkit.Code("teapot").Valid() || billkit.Code("").Valid() {
		t.Error("an unknown code is Valid")
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  *billkit.Error
		want string
	}{
		{&billkit.Error{Code: billkit.CodeInternal}, "internal"},
		{billkit.Errorf(billkit.CodeConflict, "billing.duplicate", "payment %s exists", "p1"), "conflict (billing.duplicate): payment p1 exists"},
		{billkit.InvalidField("currency", "money.currency_malformed", "bad code"), "invalid (money.currency_malformed): invalid input: currency: bad code"},
		{&billkit.Error{Code: billkit.CodeInvalid, Reason: "invalid", Message: "invalid input", Fields: []billkit.FieldError{
			{Field: "a", Message: "x"}, {Field: "b", Message: "y"}}}, "invalid (invalid): invalid input: a: x; b: y"},
		{&billkit.Error{Code: billkit.CodeInvalid, Message: "invalid input", Fields: []billkit.FieldError{{Message: "whole value"}}}, "invalid: invalid input: whole value"},
		{&billkit.Error{Code: billkit.CodeUnavailable, Message: "db down", Err: io.EOF}, "unavailable: db down: EOF"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestErrorIsAndUnwrap(t *testing.T) {
	cause := io.ErrUnexpectedEOF
	err := billkit.WrapError(cause, billkit.CodeUnavailable, "store.unavailable", "reading")
	if !errors.Is(err, cause) {
		t.Error("WrapError loses its cause")
	}
	if billkit.WrapError(nil, billkit.CodeInternal, "x", "y") != nil {
		t.Error("WrapError(nil) is not nil")
	}
	notFound := billkit.NotFound("currency", "XYZ")
	if notFound.Code != billkit.CodeNotFound || notFound.Reason != "currency.not_found" || notFound.Message != "currency XYZ not found" {
		t.Errorf("NotFound = %+v", notFound)
	}
	wrapped := fmt.Errorf("loading: %w", notFound)
	if !errors.Is(wrapped, &billkit.Error{Code: billkit.CodeNotFound}) {
		t.Error("Is with an empty reason must match any reason of the code")
	}
	if !errors.Is(wrapped, &billkit.Error{Code: billkit.CodeNotFound, Reason: "currency.not_found"}) {
		t.Error("Is with the same code and reason")
	}
	if errors.Is(wrapped, &billkit.Error{Code: billkit.CodeNotFound, Reason: "country.not_found"}) {
		t.Error("Is with another reason matched")
	}
	if errors.Is(wrapped, &billkit.Error{Code: billkit.CodeConflict}) {
		t.Error("Is with another code matched")
	}
	if errors.Is(wrapped, io.EOF) {
		t.Error("Is matched an unrelated error")
	}
}

func TestErrorCodeAndReason(t *testing.T) {
	e := billkit.Errorf(billkit.CodeForbidden, "access.denied", "no")
	wrapped := fmt.Errorf("ctx: %w", e)
	tests := []struct {
		err    error
		code   billkit.Code
		reason string
	}{
		{nil, "", ""},
		{io.EOF, billkit.CodeInternal, ""},
		{e, billkit.CodeForbidden, "access.denied"},
		{wrapped, billkit.CodeForbidden, "access.denied"},
	}
	for _, tt := range tests {
		if got := billkit.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := billkit.ErrorReason(tt.err); got != tt.reason {
			t.Errorf("ErrorReason(%v) = %q, want %q", tt.err, got, tt.reason)
		}
	}
	if billkit.IsCode(nil, "") || !billkit.IsCode(wrapped, billkit.CodeForbidden) || billkit.IsCode(wrapped, billkit.CodeInvalid) || !billkit.IsCode(io.EOF, billkit.CodeInternal) {
		t.Error("IsCode is wrong")
	}
}

func TestHasReason(t *testing.T) {
	inner := billkit.Errorf(billkit.CodeUnavailable, "store.timeout", "slow")
	outer := &billkit.Error{Code: billkit.CodeInternal, Reason: "billing.renew_failed", Err: fmt.Errorf("step: %w", inner)}
	for _, r := range []string{"billing.renew_failed", "store.timeout"} {
		if !billkit.HasReason(fmt.Errorf("top: %w", outer), r) {
			t.Errorf("HasReason(%s) = false", r)
		}
	}
	if billkit.HasReason(outer, "other") || billkit.HasReason(nil, "x") || billkit.HasReason(io.EOF, "") {
		t.Error("HasReason matched what it should not")
	}
}

func TestErrorField(t *testing.T) {
	e := billkit.InvalidField("lines[2].amount", "money.amount_malformed", "bad")
	f, ok := e.Field("lines[2].amount")
	if !ok || f.Reason != "money.amount_malformed" || f.Message != "bad" {
		t.Errorf("Field = %+v, %v", f, ok)
	}
	if _, ok := e.Field("other"); ok {
		t.Error("Field found a field that is not there")
	}
}

func TestFieldErrors(t *testing.T) {
	var v billkit.FieldErrors
	if v.Err() != nil || v.Len() != 0 {
		t.Fatal("the zero FieldErrors is not empty")
	}
	if !v.Require("name", "x") || v.Require("code", "  ") {
		t.Error("Require")
	}
	if !v.Check(true, "a", "r", "m") || v.Check(false, "b", "b.bad", "is bad") {
		t.Error("Check")
	}
	v.Add("a", "a.bad", "is bad")
	if v.Len() != 3 {
		t.Fatalf("Len = %d", v.Len())
	}
	err := v.Err()
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid || e.Reason != "invalid" {
		t.Fatalf("Err = %v", err)
	}
	// Sorted by field name.
	got := []string{e.Fields[0].Field, e.Fields[1].Field, e.Fields[2].Field}
	if fmt.Sprint(got) != "[a b code]" || e.Fields[2].Reason != "required" {
		t.Errorf("fields = %+v", e.Fields)
	}

	// One field: the error takes its reason.
	var one billkit.FieldErrors
	one.Add("currency", "money.currency_malformed", "bad")
	if billkit.ErrorReason(one.Err()) != "money.currency_malformed" {
		t.Errorf("one field: %v", one.Err())
	}
}

func TestFieldErrorsMerge(t *testing.T) {
	var v billkit.FieldErrors
	if !v.Merge("x", nil) {
		t.Error("Merge(nil) reported an error")
	}
	inner := billkit.InvalidField("amount", "money.amount_malformed", "bad amount")
	if v.Merge("price", inner) {
		t.Error("Merge of an error returned true")
	}
	v.Merge("", billkit.InvalidField("currency", "money.currency_malformed", "bad code"))
	v.Merge("total", billkit.InvalidField("", "money.malformed", "bad money"))
	v.Merge("owner", billkit.NotFound("client", 7))
	v.Merge("raw", io.EOF)
	var e *billkit.Error
	if !errors.As(v.Err(), &e) {
		t.Fatal("no error")
	}
	want := map[string]string{
		"price.amount": "money.amount_malformed",
		"currency":     "money.currency_malformed",
		"total":        "money.malformed",
		"owner":        "client.not_found",
		"raw":          "invalid",
	}
	if len(e.Fields) != len(want) {
		t.Fatalf("fields = %+v", e.Fields)
	}
	for field, reason := range want {
		f, ok := e.Field(field)
		if !ok || f.Reason != reason {
			t.Errorf("field %s = %+v, %v; want reason %s", field, f, ok, reason)
		}
	}
	if f, _ := e.Field("owner"); f.Message != "client 7 not found" {
		t.Errorf("owner message = %q", f.Message)
	}
	if f, _ := e.Field("raw"); f.Message != "EOF" {
		t.Errorf("raw message = %q", f.Message)
	}
}
