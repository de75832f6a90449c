package billing

import (
	"fmt"
	"strings"

	"github.com/billkit/billkit"
)

// BankAccount is one bank account of a company, printed on its documents.
type BankAccount struct {
	// BankName is the bank's name ("Deutsche Bank").
	BankName string `json:"bank_name"`
	// Account is the account number in the bank's national form, for
	// countries without IBANs (a Russian 20-digit account, a US routing and
	// account number). Optional when IBAN is set.
	Account string `json:"account,omitempty"`
	// BIC is the SWIFT/BIC code: 8 or 11 characters ("DEUTDEFF", "DEUTDEFF500").
	BIC string `json:"bic,omitempty"`
	// IBAN is the international account number, stored without spaces.
	IBAN string `json:"iban,omitempty"`
}

// Validate checks the account and puts it in canonical form (upper case, no
// spaces in BIC and IBAN). Fields are named "bank_name", "account", "bic"
// and "iban".
func (b *BankAccount) Validate() error {
	var v billkit.FieldErrors
	b.BankName = strings.TrimSpace(b.BankName)
	b.Account = strings.TrimSpace(b.Account)
	v.Require("bank_name", b.BankName)
	v.Check(len(b.BankName) <= 200, "bank_name", "too_long", "must be at most 200 bytes")
	v.Check(len(b.Account) <= 64, "account", "too_long", "must be at most 64 bytes")
	if b.BIC != "" {
		bic, err := NormalizeBIC(b.BIC)
		v.Merge("", err)
		b.BIC = bic
	}
	if b.IBAN != "" {
		iban, err := NormalizeIBAN(b.IBAN)
		v.Merge("", err)
		b.IBAN = iban
	}
	v.Check(b.IBAN != "" || b.Account != "", "account", "required", "is required when there is no IBAN")
	return v.Err()
}

// ibanLengths is the length of the IBANs of each country that issues them.
// An IBAN of a country not listed must be 15 to 34 characters.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// NormalizeIBAN checks an IBAN (ISO 13616) and returns it upper-case without
// spaces: two letters of the country, two check digits, and the national
// account of the country's length. The check digits are verified with ISO
// 7064 MOD 97-10. It is a pure function. Errors name field "iban", with
// reason "iban.invalid_format" or "iban.bad_checksum".
func NormalizeIBAN(s string) (string, error) {
	iban := strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(s)))
	bad := func(msg string) error { return billkit.InvalidField("iban", "iban.invalid_format", msg) }
	if len(iban) < 15 || len(iban) > 34 || !isUpperLetters(iban[:2]) || !allDigits(iban[2:4]) || !isAlnumUpper(iban[4:]) {
		return "", bad("an IBAN is a country code, 2 check digits and up to 30 letters and digits")
	}
	if n, ok := ibanLengths[iban[:2]]; ok && len(iban) != n {
		return "", bad(fmt.Sprintf("an IBAN of %s has %d characters", iban[:2], n))
	}
	if mod97(iban[4:]+iban[:4]) != 1 {
		return "", billkit.InvalidField("iban", "iban.bad_checksum", "the check digits do not match")
	}
	return iban, nil
}

// NormalizeBIC checks a SWIFT/BIC code (ISO 9362): 4 letters of the bank, 2
// of the country, 2 letters or digits of the location and optionally 3 of
// the branch. It returns it upper-case. Errors name field "bic".
func NormalizeBIC(s string) (string, error) {
	bic := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if (len(bic) != 8 && len(bic) != 11) || !isUpperLetters(bic[:6]) || !isAlnumUpper(bic[6:]) {
		return "", billkit.InvalidField("bic", "bic.invalid_format", "a BIC is 8 or 11 letters and digits (AAAABBCCDDD)")
	}
	return bic, nil
}

func isUpperLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
