package billing_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// FuzzValidateTaxID checks that any input gets an answer without a panic,
// that every error is an invalid error naming field "tax_id", and that an
// accepted ID's canonical form is accepted again unchanged. The seed corpus
// is in testdata/fuzz/FuzzValidateTaxID.
func FuzzValidateTaxID(f *testing.F) {
	f.Add("DE", "DE136695976")
	f.Add("RU", "500100732259")
	f.Add("US", "04-2103594")
	f.Add("", "EL094259216")
	f.Fuzz(func(t *testing.T, country, id string) {
		err := billing.ValidateTaxID(country, id)
		norm, scheme, err2 := billing.NormalizeTaxID(country, id)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("ValidateTaxID and NormalizeTaxID disagree: %v, %v", err, err2)
		}
		if err != nil {
			e, ok := err.(*billkit.Error)
			if !ok || e.Code != billkit.CodeInvalid {
				t.Fatalf("error %v is not invalid", err)
			}
			if _, ok := e.Field("tax_id"); !ok {
				t.Fatalf("error %v does not name tax_id", err)
			}
			return
		}
		again, scheme2, err := billing.NormalizeTaxID(country, norm)
		if err != nil || again != norm || scheme2 != scheme {
			t.Fatalf("canonical %q of %q is not a fixed point: %q, %v", norm, id, again, err)
		}
	})
}
