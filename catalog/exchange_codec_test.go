package catalog

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

type codecDoc struct {
	Code   string            `json:"code"`
	Amount decimal.Decimal   `json:"amount"`
	On     bool              `json:"on,omitempty"`
	Tags   []string          `json:"tags,omitempty"`
	Inner  *codecDoc         `json:"inner,omitempty"`
	Text   map[string]string `json:"text,omitempty"`
}

func TestDecodeStrictYAMLKeepsDigits(t *testing.T) {
	var d codecDoc
	src := "code: \"007\"\namount: 0.1000000000000000000000001\non: true\ntags: [a, \"1\"]\ninner: &x {code: b, amount: 2}\n"
	if err := decodeStrict(strings.NewReader(src), FormatYAML, &d); err != nil {
		t.Fatal(err)
	}
	if d.Code != "007" || d.Amount.String() != "0.1000000000000000000000001" || !d.On || d.Tags[1] != "1" || d.Inner.Code != "b" {
		t.Fatalf("decoded %+v", d)
	}
}

func TestDecodeStrictRejects(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		f         Format
		field     string
	}{
		{"unknown yaml field", "code: a\nprice: 1\n", FormatYAML, "price"},
		{"unknown json field", `{"code":"a","price":1}`, FormatJSON, "price"},
		{"duplicate yaml key", "code: a\ncode: b\n", FormatYAML, "code"},
		{"duplicate json key", `{"code":"a","inner":{"code":"b","code":"c"}}`, FormatJSON, "inner.code"},
		{"trailing json", `{"code":"a"} {}`, FormatJSON, "document"},
		{"two yaml documents", "code: a\n---\ncode: b\n", FormatYAML, "document"},
		{"hex number", "amount: 0x10\n", FormatYAML, "document"},
		{"merge key", "inner: &a {code: x}\nother:\n  <<: *a\n", FormatYAML, "document"},
		{"empty", "", FormatYAML, "document"},
		{"bad yaml", "code: [a\n", FormatYAML, "document"},
		{"wrong type", `{"tags":"a"}`, FormatJSON, "tags"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d codecDoc
			err := decodeStrict(strings.NewReader(tc.src), tc.f, &d)
			var be *billkit.Error
			if !errors.As(err, &be) || be.Code != billkit.CodeInvalid {
				t.Fatalf("got %v, want an invalid error", err)
			}
			if len(be.Fields) == 0 || be.Fields[0].Field != tc.field {
				t.Fatalf("fields %+v, want %s", be.Fields, tc.field)
			}
		})
	}
}

func TestEncodeDocumentRoundTrip(t *testing.T) {
	d := codecDoc{Code: "true", Amount: decimal.RequireFromString("12.50"), Tags: []string{"1.5", "null", "a: b"},
		Inner: &codecDoc{Code: "x", Amount: decimal.RequireFromString("3")}, Text: map[string]string{"ru": "Хостинг", "en": "Two\nlines"}}
	for _, f := range Formats() {
		var a bytes.Buffer
		if err := encodeDocument(&a, f, d); err != nil {
			t.Fatal(err)
		}
		var back codecDoc
		if err := decodeStrict(bytes.NewReader(a.Bytes()), f, &back); err != nil {
			t.Fatalf("%s: %v\n%s", f, err, a.String())
		}
		var b bytes.Buffer
		if err := encodeDocument(&b, f, back); err != nil {
			t.Fatal(err)
		}
		if a.String() != b.String() {
			t.Fatalf("%s round trip differs:\n%s\n---\n%s", f, a.String(), b.String())
		}
		if back.Code != "true" || back.Tags[1] != "null" || back.Text["en"] != "Two\nlines" {
			t.Fatalf("%s: %+v", f, back)
		}
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"yaml": FormatYAML, "YML": FormatYAML, "json": FormatJSON} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil {
		t.Error("xml accepted")
	}
	if FormatOf("a/catalog.JSON", FormatYAML) != FormatJSON || FormatOf("catalog", FormatYAML) != FormatYAML {
		t.Error("FormatOf")
	}
}
