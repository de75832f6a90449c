package billkit_test

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/billkit/billkit"
)

// thirtyDigits are amounts of 30 digits and more that must survive every
// encoding byte for byte, trailing zeros included.
var thirtyDigits = []string{
	"123456789012345678901234567890 USD",
	"1234567890123456789012345678.90 USD",
	"-0.000000000000000000000000000010 EUR",
	"999999999999999999999999999999.999999999999999999999999999999 BONUS",
	"1.50 USD",
	"0.00 JPY",
}

func TestJSON(t *testing.T) {
	m := money(t, "1234.50 USD")
	b, err := json.Marshal(m)
	if err != nil || string(b) != `{"amount":"1234.50","currency":"USD"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	for _, s := range thirtyDigits {
		in := money(t, s)
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out billkit.Money
		if err := json.Unmarshal(b, &out); err != nil || !same(in, out) {
			t.Errorf("JSON round trip of %s via %s = %s, %v", s, b, out, err)
		}
	}

	// Numbers are read from their literal text, never through a float.
	var out billkit.Money
	if err := json.Unmarshal([]byte(`{"amount": 12345678901234567890.10, "currency": "USD"}`), &out); err != nil || out.String() != "12345678901234567890.10 USD" {
		t.Errorf("number amount: %s, %v", out, err)
	}
	if err := json.Unmarshal([]byte(`{"currency":"EUR","amount":"2.50","note":"ignored"}`), &out); err != nil || out.String() != "2.50 EUR" {
		t.Errorf("unknown field: %s, %v", out, err)
	}

	// A Money field of a struct: null and absence both give the zero Money.
	var doc struct {
		Price billkit.Money `json:"price"`
	}
	if err := json.Unmarshal([]byte(`{"price":null}`), &doc); err != nil || doc.Price.Currency() != "" {
		t.Errorf("null: %s, %v", doc.Price, err)
	}
	if b, _ := json.Marshal(doc); string(b) != `{"price":null}` {
		t.Errorf("zero Money field = %s", b)
	}

	bad := []struct{ in, field, reason string }{
		{`{"amount":"1e3","currency":"USD"}`, "amount", "money.amount_malformed"},
		{`{"amount":1e3,"currency":"USD"}`, "amount", "money.amount_malformed"},
		{`{"amount":1.5E+2,"currency":"USD"}`, "amount", "money.amount_malformed"},
		{`{"amount":"NaN","currency":"USD"}`, "amount", "money.amount_malformed"},
		{`{"amount":" 1","currency":"USD"}`, "amount", "money.amount_malformed"},
		{`{"amount":true,"currency":"USD"}`, "amount", "money.amount_malformed"},
		{`{"amount":null,"currency":"USD"}`, "amount", "money.amount_malformed"},
		{`{"currency":"USD"}`, "amount", "money.amount_malformed"},
		{`{"amount":"1"}`, "currency", "money.currency_malformed"},
		{`{"amount":"1","currency":"usd"}`, "currency", "money.currency_malformed"},
		{`{"amount":"1","currency":7}`, "", "money.malformed"},
		{`"1.50 USD"`, "", "money.malformed"},
		{`[1]`, "", "money.malformed"},
	}
	for _, tt := range bad {
		var m billkit.Money
		err := json.Unmarshal([]byte(tt.in), &m)
		wantInvalid(t, err, tt.field, tt.reason)
	}
	// Two mistakes are reported together.
	var m2 billkit.Money
	err = json.Unmarshal([]byte(`{"amount":"x","currency":"x"}`), &m2)
	var e *billkit.Error
	if !errors.As(err, &e) || len(e.Fields) != 2 {
		t.Errorf("two mistakes: %v", err)
	}
}

func TestText(t *testing.T) {
	for _, s := range thirtyDigits {
		in := money(t, s)
		b, err := in.MarshalText()
		if err != nil || string(b) != s {
			t.Errorf("MarshalText(%s) = %q, %v", s, b, err)
		}
		var out billkit.Money
		if err := out.UnmarshalText(b); err != nil || !same(in, out) {
			t.Errorf("text round trip of %s = %s, %v", s, out, err)
		}
	}
	var z billkit.Money = money(t, "1 USD")
	if err := z.UnmarshalText(nil); err != nil || z.Currency() != "" {
		t.Errorf("empty text: %s, %v", z, err)
	}
	bad := []struct{ in, field, reason string }{
		{"1.50", "", "money.malformed"},
		{"1.50USD", "", "money.malformed"},
		{"1.50  USD", "", "money.malformed"},
		{"1.50 USD EUR", "", "money.malformed"},
		{" 1.50 USD", "", "money.malformed"},
		{"-x USD", "amount", "money.amount_malformed"},
		{"1,50 USD", "amount", "money.amount_malformed"},
		{"1.50 usd", "currency", "money.currency_malformed"},
	}
	for _, tt := range bad {
		var m billkit.Money
		wantInvalid(t, m.UnmarshalText([]byte(tt.in)), tt.field, tt.reason)
	}
	// A whole-value error takes its name from the field that holds it.
	var v billkit.FieldErrors
	var m billkit.Money
	v.Merge("price", m.UnmarshalText([]byte("oops")))
	wantInvalid(t, v.Err(), "price", "money.malformed")
}

func TestValueScan(t *testing.T) {
	var _ driver.Valuer = billkit.Money{}
	var _ sql.Scanner = (*billkit.Money)(nil)
	for _, s := range thirtyDigits {
		in := money(t, s)
		v, err := in.Value()
		if err != nil || v != s {
			t.Errorf("Value(%s) = %v, %v", s, v, err)
		}
		for _, src := range []any{v, []byte(v.(string))} {
			var out billkit.Money
			if err := out.Scan(src); err != nil || !same(in, out) {
				t.Errorf("Scan(%T %v) = %s, %v", src, src, out, err)
			}
		}
	}
	var out billkit.Money = money(t, "1 USD")
	if err := out.Scan(nil); err != nil || out.Currency() != "" {
		t.Errorf("Scan(nil) = %s, %v", out, err)
	}
	for _, src := range []any{int64(5), 1.5, "1.50"} {
		if err := out.Scan(src); err == nil || !strings.Contains(err.Error(), "money") {
			t.Errorf("Scan(%T): %v", src, err)
		}
	}
}
