package billing_test

import (
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

func TestFormatNumber(t *testing.T) {
	at := billkit.MustDate(2026, time.March, 5)
	for _, tc := range []struct {
		format string
		n      int64
		want   string
	}{
		{"INV-{YYYY}-{NNNNN}", 42, "INV-2026-00042"},
		{"{YY}{MM}-{N}", 7, "2603-7"},
		{"{YYYY}/{MM}/{DD}/{NNN}", 1, "2026/03/05/001"},
		{"C-{NNNNNN}", 42, "C-000042"},
		{"C-{NN}", 12345, "C-12345"},
		{"{N}", 1, "1"},
		{"№ {NNNN} от {DD}.{MM}.{YYYY}", 9, "№ 0009 от 05.03.2026"},
	} {
		got, err := billing.FormatNumber(tc.format, tc.n, at)
		if err != nil || got != tc.want {
			t.Errorf("FormatNumber(%q, %d) = %q, %v; want %q", tc.format, tc.n, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		format string
		n      int64
		field  string
	}{
		{"", 1, "number_format"},
		{"INV-{YYYY}", 1, "number_format"},
		{"{N}-{N}", 1, "number_format"},
		{"{N}-{X}", 1, "number_format"},
		{"{N", 1, "number_format"},
		{"N}", 1, "number_format"},
		{"{}{N}", 1, "number_format"},
		{"{yyyy}{N}", 1, "number_format"},
		{"{NNNNNNNNNNNNNNNNNNN}", 1, "number_format"},
		{"A\n{N}", 1, "number_format"},
		{"{N}", 0, "n"},
		{"{N}", -1, "n"},
	} {
		_, err := billing.FormatNumber(tc.format, tc.n, at)
		e, ok := err.(*billkit.Error)
		if !ok || e.Code != billkit.CodeInvalid {
			t.Errorf("FormatNumber(%q, %d) = %v, want invalid", tc.format, tc.n, err)
			continue
		}
		if _, ok := e.Field(tc.field); !ok {
			t.Errorf("FormatNumber(%q, %d) = %v, want field %s", tc.format, tc.n, err, tc.field)
		}
	}
	if _, err := billing.FormatNumber("{N}", 1, billkit.Date{}); err == nil {
		t.Error("FormatNumber accepted the zero date")
	}
}

func TestValidateNumberFormat(t *testing.T) {
	for _, tc := range []struct {
		format string
		reset  billing.ResetPolicy
		reason string
	}{
		{"INV-{N}", billing.ResetNever, ""},
		{"INV-{YYYY}-{N}", billing.ResetYearly, ""},
		{"INV-{YY}-{N}", billing.ResetYearly, ""},
		{"INV-{YY}{MM}-{N}", billing.ResetMonthly, ""},
		{"INV-{N}", billing.ResetYearly, billing.ReasonNumberFormatNeedsDate},
		{"INV-{YYYY}-{N}", billing.ResetMonthly, billing.ReasonNumberFormatNeedsDate},
		{"INV-{MM}-{N}", billing.ResetMonthly, billing.ReasonNumberFormatNeedsDate},
		{"INV-{N}", "weekly", "number.reset_unknown"},
		{"INV", billing.ResetNever, billing.ReasonNumberFormatMalformed},
	} {
		err := billing.ValidateNumberFormat(tc.format, tc.reset)
		if got := billkit.ErrorReason(err); got != tc.reason {
			t.Errorf("ValidateNumberFormat(%q, %s) = %v, want reason %q", tc.format, tc.reset, err, tc.reason)
		}
	}
}

func TestResetPolicyPeriod(t *testing.T) {
	at := billkit.MustDate(2026, time.March, 5)
	for p, want := range map[billing.ResetPolicy]string{
		billing.ResetNever: "", billing.ResetYearly: "2026", billing.ResetMonthly: "2026-03",
	} {
		if got := p.Period(at); got != want {
			t.Errorf("%s.Period = %q, want %q", p, got, want)
		}
	}
}
