package billing_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

func TestNormalizeIBAN(t *testing.T) {
	for _, tc := range []struct{ in, want, reason string }{
		{"DE89 3704 0044 0532 0130 00", "DE89370400440532013000", ""},
		{"gb82 west 1234 5698 7654 32", "GB82WEST12345698765432", ""},
		{"FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606", ""},
		{"NL91ABNA0417164300", "NL91ABNA0417164300", ""},
		{"BE68539007547034", "BE68539007547034", ""},
		{"DE88 3704 0044 0532 0130 00", "", "iban.bad_checksum"},
		{"DE89 3704 0044 0532 0130 0", "", "iban.invalid_format"},
		{"D989 3704 0044 0532 0130 00", "", "iban.invalid_format"},
		{"DE89 3704 0044 0532 0130 0!", "", "iban.invalid_format"},
		{"", "", "iban.invalid_format"},
	} {
		got, err := billing.NormalizeIBAN(tc.in)
		if tc.reason == "" {
			if err != nil || got != tc.want {
				t.Errorf("NormalizeIBAN(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			continue
		}
		if e, ok := err.(*billkit.Error); !ok || e.Fields[0].Field != "iban" || e.Reason != tc.reason {
			t.Errorf("NormalizeIBAN(%q) = %v, want reason %s on iban", tc.in, err, tc.reason)
		}
	}
}

func TestNormalizeBIC(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"deutdeff", "DEUTDEFF", true},
		{"DEUTDEFF500", "DEUTDEFF500", true},
		{"SABRRUMM", "SABRRUMM", true},
		{"DEUTDEF", "", false},
		{"1EUTDEFF", "", false},
		{"DEUTDEFF50", "", false},
	} {
		got, err := billing.NormalizeBIC(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("NormalizeBIC(%q) = %q, %v", tc.in, got, err)
		}
	}
}

func TestBankAccountValidate(t *testing.T) {
	b := billing.BankAccount{BankName: " Bank ", IBAN: "de89 3704 0044 0532 0130 00", BIC: "cobadeff"}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	if b.BankName != "Bank" || b.IBAN != "DE89370400440532013000" || b.BIC != "COBADEFF" {
		t.Fatalf("not normalized: %+v", b)
	}
	empty := billing.BankAccount{}
	err := empty.Validate()
	for _, f := range []string{"bank_name", "account"} {
		if e, ok := err.(*billkit.Error); !ok {
			t.Fatalf("err = %v", err)
		} else if _, ok := e.Field(f); !ok {
			t.Errorf("err = %v, want field %s", err, f)
		}
	}
}
