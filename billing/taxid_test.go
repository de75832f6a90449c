package billing_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

func TestNormalizeTaxID(t *testing.T) {
	valid := []struct {
		country, in, want string
		scheme            billing.TaxIDScheme
	}{
		{"AT", "ATU13585627", "ATU13585627", billing.TaxIDEUVAT},
		{"AT", "U 1358 5627", "ATU13585627", billing.TaxIDEUVAT},
		{"BE", "BE 0403.019.261", "BE0403019261", billing.TaxIDEUVAT},
		{"BE", "403019261", "BE0403019261", billing.TaxIDEUVAT},
		{"BG", "BG 175 074 752", "BG175074752", billing.TaxIDEUVAT},
		{"CY", "CY-10259033P", "CY10259033P", billing.TaxIDEUVAT},
		{"CZ", "CZ25123891", "CZ25123891", billing.TaxIDEUVAT},
		{"CZ", "7103192745", "CZ7103192745", billing.TaxIDEUVAT},
		{"DE", "DE 136,695 976", "DE136695976", billing.TaxIDEUVAT},
		{"DK", "DK 13 58 56 28", "DK13585628", billing.TaxIDEUVAT},
		{"EE", "EE 100 931 558", "EE100931558", billing.TaxIDEUVAT},
		{"EE", "100594102", "EE100594102", billing.TaxIDEUVAT},
		{"GR", "EL 094259216", "EL094259216", billing.TaxIDEUVAT},
		{"GR", "GR 94259216", "EL094259216", billing.TaxIDEUVAT},
		{"ES", "ES A13 585 625", "ESA13585625", billing.TaxIDEUVAT},
		{"ES", "54362315-K", "ES54362315K", billing.TaxIDEUVAT},
		{"ES", "X-2482300W", "ESX2482300W", billing.TaxIDEUVAT},
		{"ES", "M-1234567-L", "ESM1234567L", billing.TaxIDEUVAT},
		{"FI", "FI 20774740", "FI20774740", billing.TaxIDEUVAT},
		{"FR", "Fr 40 303 265 045", "FR40303265045", billing.TaxIDEUVAT},
		{"FR", "23 334 175 221", "FR23334175221", billing.TaxIDEUVAT},
		{"FR", "K7399859412", "FRK7399859412", billing.TaxIDEUVAT},
		{"HR", "HR 33392005961", "HR33392005961", billing.TaxIDEUVAT},
		{"HU", "HU-12892312", "HU12892312", billing.TaxIDEUVAT},
		{"IE", "IE 6433435F", "IE6433435F", billing.TaxIDEUVAT},
		{"IE", "8D79739I", "IE8D79739I", billing.TaxIDEUVAT},
		{"IT", "IT 00743110157", "IT00743110157", billing.TaxIDEUVAT},
		{"LT", "119511515", "LT119511515", billing.TaxIDEUVAT},
		{"LT", "LT 100001919017", "LT100001919017", billing.TaxIDEUVAT},
		{"LU", "LU 150 274 42", "LU15027442", billing.TaxIDEUVAT},
		{"LV", "LV 4000 3521 600", "LV40003521600", billing.TaxIDEUVAT},
		{"LV", "161175-19997", "LV16117519997", billing.TaxIDEUVAT},
		{"MT", "MT 1167-9112", "MT11679112", billing.TaxIDEUVAT},
		{"NL", "NL4495445B01", "NL004495445B01", billing.TaxIDEUVAT},
		{"NL", "004495445B01", "NL004495445B01", billing.TaxIDEUVAT},
		{"NL", "NL002455799B11", "NL002455799B11", billing.TaxIDEUVAT},
		{"PL", "PL 8567346215", "PL8567346215", billing.TaxIDEUVAT},
		{"PT", "PT 501 964 843", "PT501964843", billing.TaxIDEUVAT},
		{"RO", "RO 185 472 90", "RO18547290", billing.TaxIDEUVAT},
		{"SE", "SE 123456789701", "SE123456789701", billing.TaxIDEUVAT},
		{"SI", "SI 5022 3054", "SI50223054", billing.TaxIDEUVAT},
		{"SK", "SK 202 274 96 19", "SK2022749619", billing.TaxIDEUVAT},
		{"", "DE136695976", "DE136695976", billing.TaxIDEUVAT},
		{"RU", "7707083893", "7707083893", billing.TaxIDRUINN},
		{"ru", " 7830002293 ", "7830002293", billing.TaxIDRUINN},
		{"RU", "500100732259", "500100732259", billing.TaxIDRUINN},
		{"US", "04-2103594", "04-2103594", billing.TaxIDUSEIN},
		{"US", "042103594", "04-2103594", billing.TaxIDUSEIN},
		{"GB", "GB 123 4567 89", "GB 123 4567 89", billing.TaxIDOther},
		{"CH", "CHE-123.456.789 MWST", "CHE-123.456.789 MWST", billing.TaxIDOther},
	}
	for _, tc := range valid {
		got, scheme, err := billing.NormalizeTaxID(tc.country, tc.in)
		if err != nil {
			t.Errorf("NormalizeTaxID(%q, %q) = %v", tc.country, tc.in, err)
			continue
		}
		if got != tc.want || scheme != tc.scheme {
			t.Errorf("NormalizeTaxID(%q, %q) = %q, %s; want %q, %s", tc.country, tc.in, got, scheme, tc.want, tc.scheme)
		}
		// The canonical form is a fixed point.
		again, _, err := billing.NormalizeTaxID(tc.country, got)
		if err != nil || again != got {
			t.Errorf("NormalizeTaxID(%q, %q) again = %q, %v", tc.country, got, again, err)
		}
	}

	invalid := []struct {
		country, in, reason string
	}{
		{"AT", "ATU13585626", billing.ReasonTaxIDBadChecksum},
		{"AT", "AT13585627", billing.ReasonTaxIDInvalidFormat},
		{"BE", "BE0403019262", billing.ReasonTaxIDBadChecksum},
		{"BE", "BE2403019261", billing.ReasonTaxIDInvalidFormat},
		{"BG", "175074751", billing.ReasonTaxIDBadChecksum},
		{"CY", "10259033Q", billing.ReasonTaxIDBadChecksum},
		{"CZ", "25123890", billing.ReasonTaxIDBadChecksum},
		{"CZ", "7103192746", billing.ReasonTaxIDBadChecksum},
		{"DE", "DE136695978", billing.ReasonTaxIDBadChecksum},
		{"DE", "DE13669597", billing.ReasonTaxIDInvalidFormat},
		{"DE", "ATU13585627", billing.ReasonTaxIDInvalidFormat},
		{"DK", "13585629", billing.ReasonTaxIDBadChecksum},
		{"EE", "100931559", billing.ReasonTaxIDBadChecksum},
		{"GR", "094259217", billing.ReasonTaxIDBadChecksum},
		{"ES", "A13585626", billing.ReasonTaxIDBadChecksum},
		{"ES", "54362315Z", billing.ReasonTaxIDBadChecksum},
		{"ES", "X2482300A", billing.ReasonTaxIDBadChecksum},
		{"ES", "I1234567L", billing.ReasonTaxIDInvalidFormat},
		{"FI", "20774741", billing.ReasonTaxIDBadChecksum},
		{"FR", "41303265045", billing.ReasonTaxIDBadChecksum},
		{"FR", "FR4030326504", billing.ReasonTaxIDInvalidFormat},
		{"HR", "33392005962", billing.ReasonTaxIDBadChecksum},
		{"HU", "12892313", billing.ReasonTaxIDBadChecksum},
		{"IE", "6433435E", billing.ReasonTaxIDBadChecksum},
		{"IE", "8?79739J", billing.ReasonTaxIDInvalidFormat},
		{"IT", "00743110158", billing.ReasonTaxIDBadChecksum},
		{"IT", "00743113157", billing.ReasonTaxIDInvalidFormat},
		{"LT", "119511516", billing.ReasonTaxIDBadChecksum},
		{"LU", "15027443", billing.ReasonTaxIDBadChecksum},
		{"LV", "40003521601", billing.ReasonTaxIDBadChecksum},
		{"MT", "11679113", billing.ReasonTaxIDBadChecksum},
		{"NL", "004495446B01", billing.ReasonTaxIDBadChecksum},
		{"NL", "004495445C01", billing.ReasonTaxIDInvalidFormat},
		{"PL", "8567346216", billing.ReasonTaxIDBadChecksum},
		{"PT", "501964842", billing.ReasonTaxIDBadChecksum},
		{"RO", "18547291", billing.ReasonTaxIDBadChecksum},
		{"SE", "123456789101", billing.ReasonTaxIDBadChecksum},
		{"SE", "123456789702", billing.ReasonTaxIDInvalidFormat},
		{"SI", "50223055", billing.ReasonTaxIDBadChecksum},
		{"SK", "2022749618", billing.ReasonTaxIDBadChecksum},
		{"RU", "7707083894", billing.ReasonTaxIDBadChecksum},
		{"RU", "500100732258", billing.ReasonTaxIDBadChecksum},
		{"RU", "77070838", billing.ReasonTaxIDInvalidFormat},
		{"RU", "77070838AB", billing.ReasonTaxIDInvalidFormat},
		{"US", "07-2103594", billing.ReasonTaxIDInvalidFormat},
		{"US", "04-210359", billing.ReasonTaxIDInvalidFormat},
		{"GB", "no digits", billing.ReasonTaxIDInvalidFormat},
		{"GB", "12\x00", billing.ReasonTaxIDInvalidFormat},
		{"DE", "", "required"},
	}
	for _, tc := range invalid {
		_, _, err := billing.NormalizeTaxID(tc.country, tc.in)
		e, ok := err.(*billkit.Error)
		if !ok || e.Code != billkit.CodeInvalid {
			t.Errorf("NormalizeTaxID(%q, %q) = %v, want invalid", tc.country, tc.in, err)
			continue
		}
		f, ok := e.Field("tax_id")
		if !ok || f.Reason != tc.reason {
			t.Errorf("NormalizeTaxID(%q, %q) = %v, want field tax_id reason %s", tc.country, tc.in, err, tc.reason)
		}
	}
}

func TestTaxIDChecksumCountries(t *testing.T) {
	got := billing.TaxIDChecksumCountries()
	if len(got) != 27 {
		t.Fatalf("TaxIDChecksumCountries() has %d countries, want all 27 EU members: %v", len(got), got)
	}
}
