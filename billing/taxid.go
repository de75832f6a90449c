package billing

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/billkit/billkit"
)

// TaxIDScheme says which rules a tax ID was checked against.
type TaxIDScheme string

// The tax ID schemes.
const (
	// TaxIDEUVAT is a VAT identification number of an EU member state: the
	// country prefix ("DE"; "EL" for Greece) and the national number.
	TaxIDEUVAT TaxIDScheme = "eu_vat"
	// TaxIDRUINN is a Russian INN: 10 digits for organisations, 12 for
	// individuals and sole proprietors.
	TaxIDRUINN TaxIDScheme = "ru_inn"
	// TaxIDUSEIN is a US Employer Identification Number, NN-NNNNNNN.
	TaxIDUSEIN TaxIDScheme = "us_ein"
	// TaxIDOther is any other country's tax ID, checked only for being
	// printable text with at least one digit.
	TaxIDOther TaxIDScheme = "other"
)

// Reasons of tax ID errors. They name the field "tax_id".
const (
	ReasonTaxIDInvalidFormat = "taxid.invalid_format"
	ReasonTaxIDBadChecksum   = "taxid.bad_checksum"
)

// maxTaxIDLen bounds any tax ID, in characters.
const maxTaxIDLen = 64

// ValidateTaxID checks a tax ID of a payer or company in country (ISO 3166-1
// alpha-2). It is NormalizeTaxID without the normalized form.
func ValidateTaxID(country, id string) error {
	_, _, err := NormalizeTaxID(country, id)
	return err
}

// NormalizeTaxID checks a tax ID and returns its canonical form and the
// scheme it was checked against. It is a pure function.
//
//   - In an EU member state the ID is the VAT number. The country prefix is
//     optional on input ("136695976" and "DE 136 695 976" are the same German
//     number) and always present in the canonical form ("DE136695976"); when
//     given it must be the country's own (Greece's is "EL"). Spaces, dots,
//     dashes, commas and slashes are ignored. Every member state's national
//     format is checked, and the check digits where the algorithm is public:
//     see TaxIDChecksumCountries.
//   - In Russia the ID is the INN: 10 digits (organisations) or 12
//     (individuals), with their check digits.
//   - In the United States it is the EIN: 9 digits with a prefix the IRS
//     issues, canonical form "NN-NNNNNNN".
//   - Elsewhere it is kept as given (trimmed) and must be printable text of
//     at most 64 characters with at least one digit.
//
// An empty country is inferred from an EU VAT prefix when there is one.
// A malformed ID is an invalid error naming field "tax_id" with reason
// "taxid.invalid_format"; a well-formed one whose check digits are wrong has
// reason "taxid.bad_checksum".
func NormalizeTaxID(country, id string) (string, TaxIDScheme, error) {
	country = strings.ToUpper(strings.TrimSpace(country))
	raw := strings.TrimSpace(id)
	if raw == "" {
		return "", "", billkit.InvalidField("tax_id", "required", "is required")
	}
	if len(raw) > maxTaxIDLen*4 || utf8.RuneCountInString(raw) > maxTaxIDLen || !utf8.ValidString(raw) {
		return "", "", badFormat("is too long or not text")
	}
	compact := compactTaxID(raw)
	if country == "" {
		if len(compact) >= 2 {
			if c, ok := vatPrefixCountry[compact[:2]]; ok {
				country = c
			}
		}
	}
	switch {
	case euVAT[country] != nil:
		return normalizeEUVAT(country, compact)
	case country == "RU":
		return normalizeINN(compact)
	case country == "US":
		return normalizeEIN(compact)
	}
	for _, r := range raw {
		if !unicode.IsPrint(r) {
			return "", "", badFormat("must be printable text")
		}
	}
	if strings.IndexFunc(raw, unicode.IsDigit) < 0 {
		return "", "", badFormat("must contain a digit")
	}
	return raw, TaxIDOther, nil
}

// compactTaxID upper-cases s and drops the separators people write in tax
// IDs.
func compactTaxID(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '\t', '.', '-', ',', '/', '\u00a0':
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func badFormat(msg string) error {
	return billkit.InvalidField("tax_id", ReasonTaxIDInvalidFormat, msg)
}

func badChecksum() error {
	return billkit.InvalidField("tax_id", ReasonTaxIDBadChecksum, "the check digits do not match")
}

// allDigits reports whether s is non-empty and made of ASCII digits only.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// digit returns the value of the ASCII digit at s[i].
func digit(s string, i int) int { return int(s[i] - '0') }

// weighted returns the sum of the digits of s times weights, position by
// position (s may be longer than weights).
func weighted(s string, weights ...int) int {
	sum := 0
	for i, w := range weights {
		sum += digit(s, i) * w
	}
	return sum
}

// luhn reports whether the digits of s pass the Luhn check.
func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := digit(s, i)
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// mod11_10 reports whether the digits of s pass ISO 7064 MOD 11,10 (German
// and Croatian VAT numbers).
func mod11_10(s string) bool {
	product := 10
	for i := 0; i < len(s)-1; i++ {
		sum := (digit(s, i) + product) % 10
		if sum == 0 {
			sum = 10
		}
		product = 2 * sum % 11
	}
	check := 11 - product
	if check == 10 {
		check = 0
	}
	return check == digit(s, len(s)-1)
}

// mod97 returns the remainder of the number written by s (digits and
// upper-case letters, A=10 ... Z=35) divided by 97, as ISO 7064 MOD 97-10
// computes it for IBANs. It returns -1 for any other character.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		default:
			return -1
		}
	}
	return r
}

// normalizeINN checks a Russian INN.
func normalizeINN(s string) (string, TaxIDScheme, error) {
	if !allDigits(s) || (len(s) != 10 && len(s) != 12) {
		return "", "", badFormat("an INN is 10 digits (organisations) or 12 digits (individuals)")
	}
	check := func(n int, weights ...int) bool {
		return weighted(s, weights...)%11%10 == digit(s, n)
	}
	ok := false
	if len(s) == 10 {
		ok = check(9, 2, 4, 10, 3, 5, 9, 4, 6, 8)
	} else {
		ok = check(10, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8) && check(11, 3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
	}
	if !ok {
		return "", "", badChecksum()
	}
	return s, TaxIDRUINN, nil
}

// einPrefixes are the first two digits the IRS issues EINs with; others
// (00, 07-09, 17-19, 28, 29, 49, 69, 70, 78, 79, 89, 96, 97) are never
// assigned.
var einPrefixes = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range [][2]int{{1, 6}, {10, 16}, {20, 27}, {30, 39}, {40, 48}, {50, 68}, {71, 77}, {80, 88}, {90, 95}, {98, 99}} {
		for n := r[0]; n <= r[1]; n++ {
			m[fmt.Sprintf("%02d", n)] = true
		}
	}
	return m
}()

// normalizeEIN checks a US EIN (its dash already removed by compactTaxID).
func normalizeEIN(s string) (string, TaxIDScheme, error) {
	if !allDigits(s) || len(s) != 9 {
		return "", "", badFormat("an EIN is 9 digits, NN-NNNNNNN")
	}
	if !einPrefixes[s[:2]] {
		return "", "", badFormat(fmt.Sprintf("%s is not a prefix the IRS assigns", s[:2]))
	}
	return s[:2] + "-" + s[2:], TaxIDUSEIN, nil
}
