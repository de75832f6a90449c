package billing

import (
	"sort"
	"strings"
)

// vatRule checks the national part of an EU VAT number (without its
// prefix) and returns its canonical form. checksum says whether the rule
// verifies check digits (for every form of the number, unless noted in
// TaxIDChecksumCountries).
type vatRule struct {
	prefix   string
	checksum bool
	check    func(n string) (string, error)
}

// euVAT holds the rule of each EU member state, by ISO 3166-1 country code.
var euVAT = map[string]*vatRule{
	"AT": {"AT", true, vatAT},
	"BE": {"BE", true, vatBE},
	"BG": {"BG", true, vatBG},
	"CY": {"CY", true, vatCY},
	"CZ": {"CZ", true, vatCZ},
	"DE": {"DE", true, vatDE},
	"DK": {"DK", true, vatDK},
	"EE": {"EE", true, vatEE},
	"GR": {"EL", true, vatGR},
	"ES": {"ES", true, vatES},
	"FI": {"FI", true, vatFI},
	"FR": {"FR", true, vatFR},
	"HR": {"HR", true, vatHR},
	"HU": {"HU", true, vatHU},
	"IE": {"IE", true, vatIE},
	"IT": {"IT", true, vatIT},
	"LT": {"LT", true, vatLT},
	"LU": {"LU", true, vatLU},
	"LV": {"LV", true, vatLV},
	"MT": {"MT", true, vatMT},
	"NL": {"NL", true, vatNL},
	"PL": {"PL", true, vatPL},
	"PT": {"PT", true, vatPT},
	"RO": {"RO", true, vatRO},
	"SE": {"SE", true, vatSE},
	"SI": {"SI", true, vatSI},
	"SK": {"SK", true, vatSK},
}

// vatPrefixCountry maps a VAT prefix to its country ("EL" → "GR").
var vatPrefixCountry = func() map[string]string {
	m := map[string]string{}
	for c, r := range euVAT {
		m[r.prefix] = c
	}
	return m
}()

// TaxIDChecksumCountries lists the EU member states whose VAT check digits
// NormalizeTaxID verifies: all 27. Some forms are checked by syntax only,
// because their check is not a published standard algorithm:
//
//   - BG: 10-digit numbers of individuals (9-digit numbers are verified);
//   - CZ: 9-digit numbers of individuals (8- and 10-digit ones are verified);
//   - FR: keys that contain letters (numeric keys are verified);
//   - LV: personal codes (numbers of legal entities are verified).
func TaxIDChecksumCountries() []string {
	var out []string
	for c, r := range euVAT {
		if r.checksum {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// normalizeEUVAT checks a compacted VAT number of country.
func normalizeEUVAT(country, s string) (string, TaxIDScheme, error) {
	rule := euVAT[country]
	if len(s) >= 2 {
		if c, ok := vatPrefixCountry[s[:2]]; ok {
			if c != country {
				return "", "", badFormat("the VAT prefix " + s[:2] + " is not that of " + country)
			}
			s = s[2:]
		} else if country == "GR" && strings.HasPrefix(s, "GR") {
			s = s[2:] // ISO code written instead of the VAT prefix EL
		}
	}
	n, err := rule.check(s)
	if err != nil {
		return "", "", err
	}
	return rule.prefix + n, TaxIDEUVAT, nil
}

func digitsOf(n string, lengths ...int) bool {
	if !allDigits(n) {
		return false
	}
	for _, l := range lengths {
		if len(n) == l {
			return true
		}
	}
	return false
}

func checked(n string, ok bool) (string, error) {
	if !ok {
		return "", badChecksum()
	}
	return n, nil
}

// AT: "U" and 8 digits.
func vatAT(n string) (string, error) {
	if len(n) != 9 || n[0] != 'U' || !allDigits(n[1:]) {
		return "", badFormat("an Austrian VAT number is U followed by 8 digits")
	}
	d := n[1:]
	sum := 0
	for i := 0; i < 7; i++ {
		v := digit(d, i)
		if i%2 == 1 {
			v *= 2
			v = v/10 + v%10
		}
		sum += v
	}
	return checked(n, (10-(sum+4)%10)%10 == digit(d, 7))
}

// BE: 10 digits starting with 0 or 1 (old 9-digit numbers get a leading 0).
func vatBE(n string) (string, error) {
	if len(n) == 9 && allDigits(n) {
		n = "0" + n
	}
	if !digitsOf(n, 10) || (n[0] != '0' && n[0] != '1') {
		return "", badFormat("a Belgian VAT number is 10 digits starting with 0 or 1")
	}
	return checked(n, 97-atoi(n[:8])%97 == atoi(n[8:]))
}

// BG: 9 digits (legal entities, verified) or 10 (individuals, syntax).
func vatBG(n string) (string, error) {
	if !digitsOf(n, 9, 10) {
		return "", badFormat("a Bulgarian VAT number is 9 or 10 digits")
	}
	if len(n) == 10 {
		return n, nil
	}
	r := weighted(n, 1, 2, 3, 4, 5, 6, 7, 8) % 11
	if r == 10 {
		r = weighted(n, 3, 4, 5, 6, 7, 8, 9, 10) % 11 % 10
	}
	return checked(n, r == digit(n, 8))
}

// CY: 8 digits and a check letter; never starting with 2 or 12.
func vatCY(n string) (string, error) {
	if len(n) != 9 || !allDigits(n[:8]) || n[8] < 'A' || n[8] > 'Z' || n[0] == '2' || strings.HasPrefix(n, "12") {
		return "", badFormat("a Cypriot VAT number is 8 digits and a letter")
	}
	odd := [10]int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21}
	sum := 0
	for i := 0; i < 8; i++ {
		if i%2 == 0 {
			sum += odd[digit(n, i)]
		} else {
			sum += digit(n, i)
		}
	}
	return checked(n, byte('A'+sum%26) == n[8])
}

// CZ: 8 digits (legal entities), 9 or 10 (individuals).
func vatCZ(n string) (string, error) {
	if !digitsOf(n, 8, 9, 10) {
		return "", badFormat("a Czech VAT number is 8, 9 or 10 digits")
	}
	switch len(n) {
	case 8:
		if n[0] == '9' {
			return "", badFormat("a Czech VAT number of 8 digits does not start with 9")
		}
		c := 11 - weighted(n, 8, 7, 6, 5, 4, 3, 2)%11
		return checked(n, c%10 == digit(n, 7))
	case 10:
		// A birth number: divisible by 11 (before 1954 the remainder 10
		// was written as a final 0).
		ok := atoi(n)%11 == 0 || (atoi(n[:9])%11 == 10 && n[9] == '0')
		return checked(n, ok)
	}
	return n, nil
}

// DE: 9 digits, not starting with 0; ISO 7064 MOD 11,10.
func vatDE(n string) (string, error) {
	if !digitsOf(n, 9) || n[0] == '0' {
		return "", badFormat("a German VAT number is 9 digits")
	}
	return checked(n, mod11_10(n))
}

// DK: 8 digits, not starting with 0; weighted sum divisible by 11.
func vatDK(n string) (string, error) {
	if !digitsOf(n, 8) || n[0] == '0' {
		return "", badFormat("a Danish VAT number is 8 digits")
	}
	return checked(n, weighted(n, 2, 7, 6, 5, 4, 3, 2, 1)%11 == 0)
}

// EE: 9 digits starting with 10.
func vatEE(n string) (string, error) {
	if !digitsOf(n, 9) || !strings.HasPrefix(n, "10") {
		return "", badFormat("an Estonian VAT number is 9 digits starting with 10")
	}
	return checked(n, (10-weighted(n, 3, 7, 1, 3, 7, 1, 3, 7)%10)%10 == digit(n, 8))
}

// GR (prefix EL): 9 digits (old 8-digit numbers get a leading 0).
func vatGR(n string) (string, error) {
	if len(n) == 8 && allDigits(n) {
		n = "0" + n
	}
	if !digitsOf(n, 9) {
		return "", badFormat("a Greek VAT number is 9 digits")
	}
	return checked(n, weighted(n, 256, 128, 64, 32, 16, 8, 4, 2)%11%10 == digit(n, 8))
}

// ES: a NIF of 9 characters: a DNI (8 digits and a letter), an NIE (X, Y or
// Z, 7 digits, a letter), a K/L/M number, or a CIF of a legal entity (a
// letter, 7 digits, a check digit or letter).
func vatES(n string) (string, error) {
	const letters = "TRWAGMYFPDXBNJZSQVHLCKE"
	if len(n) != 9 || !allDigits(n[1:8]) {
		return "", badFormat("a Spanish VAT number is 9 characters")
	}
	first, last := n[0], n[8]
	switch {
	case first >= '0' && first <= '9':
		if last < 'A' || last > 'Z' {
			return "", badFormat("a Spanish DNI ends with a letter")
		}
		return checked(n, letters[atoi(n[:8])%23] == last)
	case first == 'X' || first == 'Y' || first == 'Z' || first == 'K' || first == 'L' || first == 'M':
		if last < 'A' || last > 'Z' {
			return "", badFormat("a Spanish NIE ends with a letter")
		}
		num := n[1:8]
		switch first {
		case 'Y':
			num = "1" + num
		case 'Z':
			num = "2" + num
		}
		return checked(n, letters[atoi(num)%23] == last)
	case strings.IndexByte("ABCDEFGHJNPQRSUVW", first) >= 0:
		sum := 0
		for i := 1; i <= 7; i++ {
			d := digit(n, i)
			if i%2 == 1 {
				d *= 2
				d = d/10 + d%10
			}
			sum += d
		}
		c := (10 - sum%10) % 10
		switch {
		case last >= '0' && last <= '9':
			return checked(n, int(last-'0') == c && strings.IndexByte("NPQRSW", first) < 0)
		case last >= 'A' && last <= 'J':
			return checked(n, "JABCDEFGHI"[c] == last && strings.IndexByte("ABEH", first) < 0)
		}
	}
	return "", badFormat("is not a Spanish NIF")
}

// FI: 8 digits.
func vatFI(n string) (string, error) {
	if !digitsOf(n, 8) {
		return "", badFormat("a Finnish VAT number is 8 digits")
	}
	r := weighted(n, 7, 9, 10, 5, 8, 4, 2) % 11
	c := 0
	if r != 0 {
		c = 11 - r
	}
	return checked(n, r != 1 && c == digit(n, 7))
}

// FR: a key of 2 characters and the 9-digit SIREN.
func vatFR(n string) (string, error) {
	if len(n) != 11 || !allDigits(n[2:]) || !isAlnumUpper(n[:2]) || n[0] == 'I' || n[0] == 'O' || n[1] == 'I' || n[1] == 'O' {
		return "", badFormat("a French VAT number is a 2-character key and 9 digits")
	}
	if !allDigits(n[:2]) {
		return n, nil // keys with letters have no published check
	}
	return checked(n, (12+3*(atoi(n[2:])%97))%97 == atoi(n[:2]))
}

// HR: 11 digits; ISO 7064 MOD 11,10.
func vatHR(n string) (string, error) {
	if !digitsOf(n, 11) {
		return "", badFormat("a Croatian VAT number is 11 digits")
	}
	return checked(n, mod11_10(n))
}

// HU: 8 digits.
func vatHU(n string) (string, error) {
	if !digitsOf(n, 8) {
		return "", badFormat("a Hungarian VAT number is 8 digits")
	}
	return checked(n, (10-weighted(n, 9, 7, 3, 1, 9, 7, 3)%10)%10 == digit(n, 7))
}

// IE: 7 digits, a check letter and an optional second letter; or the old
// form: a digit, a letter or + or *, 5 digits and a check letter.
func vatIE(n string) (string, error) {
	s := n
	if len(n) == 8 && n[0] >= '0' && n[0] <= '9' && strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZ+*", n[1]) >= 0 &&
		allDigits(n[2:7]) && n[7] >= 'A' && n[7] <= 'W' && !(n[1] >= '0' && n[1] <= '9') {
		s = "0" + n[2:7] + n[:1] + n[7:]
	}
	if (len(s) != 8 && len(s) != 9) || !allDigits(s[:7]) || s[7] < 'A' || s[7] > 'W' ||
		(len(s) == 9 && strings.IndexByte("ABCDEFGHIW", s[8]) < 0) {
		return "", badFormat("an Irish VAT number is 7 digits and one or two letters")
	}
	sum := weighted(s, 8, 7, 6, 5, 4, 3, 2)
	if len(s) == 9 && s[8] != 'W' {
		sum += 9 * int(s[8]-'A'+1)
	}
	return checked(n, "WABCDEFGHIJKLMNOPQRSTUV"[sum%23] == s[7])
}

// IT: 11 digits; Luhn, and an office code 001-100, 120, 121, 888 or 999.
func vatIT(n string) (string, error) {
	if !digitsOf(n, 11) {
		return "", badFormat("an Italian VAT number is 11 digits")
	}
	office := atoi(n[7:10])
	if !(office >= 1 && office <= 100 || office == 120 || office == 121 || office == 888 || office == 999) {
		return "", badFormat("an Italian VAT number has an office code 001-100, 120, 121, 888 or 999")
	}
	return checked(n, luhn(n))
}

// LT: 9 digits (legal entities) or 12 (temporary taxpayers).
func vatLT(n string) (string, error) {
	if !digitsOf(n, 9, 12) || n[len(n)-2] != '1' {
		return "", badFormat("a Lithuanian VAT number is 9 or 12 digits, the last but one being 1")
	}
	k := len(n) - 1
	w1 := make([]int, k)
	w2 := make([]int, k)
	for i := range k {
		w1[i] = i%9 + 1
		w2[i] = (i+2)%9 + 1
	}
	r := weighted(n, w1...) % 11
	if r == 10 {
		r = weighted(n, w2...) % 11 % 10
	}
	return checked(n, r == digit(n, k))
}

// LU: 8 digits; the first 6 modulo 89 are the last 2.
func vatLU(n string) (string, error) {
	if !digitsOf(n, 8) {
		return "", badFormat("a Luxembourg VAT number is 8 digits")
	}
	return checked(n, atoi(n[:6])%89 == atoi(n[6:]))
}

// LV: 11 digits; legal entities (first digit above 3) are verified,
// personal codes by syntax.
func vatLV(n string) (string, error) {
	if !digitsOf(n, 11) {
		return "", badFormat("a Latvian VAT number is 11 digits")
	}
	if n[0] <= '3' {
		return n, nil
	}
	return checked(n, weighted(n, 9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1)%11 == 3)
}

// MT: 8 digits, the last 2 a check.
func vatMT(n string) (string, error) {
	if !digitsOf(n, 8) || n[0] == '0' {
		return "", badFormat("a Maltese VAT number is 8 digits")
	}
	return checked(n, int64(37-weighted(n, 3, 4, 6, 7, 8, 9)%37) == atoi(n[6:]))
}

// NL: 9 digits, "B" and 2 digits. The 9 digits pass the old eleven-test,
// or the whole number the MOD 97 check of numbers issued since 2020.
func vatNL(n string) (string, error) {
	if k := len(n) - 3; k > 0 && k < 9 && n[k] == 'B' && allDigits(n[:k]) {
		n = strings.Repeat("0", 9-k) + n // leading zeros may be left out
	}
	if len(n) != 12 || !allDigits(n[:9]) || n[9] != 'B' || !allDigits(n[10:]) {
		return "", badFormat("a Dutch VAT number is 9 digits, B and 2 digits")
	}
	eleven := weighted(n, 9, 8, 7, 6, 5, 4, 3, 2)%11 == digit(n, 8)
	return checked(n, eleven || mod97("NL"+n) == 1)
}

// PL: 10 digits.
func vatPL(n string) (string, error) {
	if !digitsOf(n, 10) {
		return "", badFormat("a Polish VAT number is 10 digits")
	}
	return checked(n, weighted(n, 6, 5, 7, 2, 3, 4, 5, 6, 7)%11 == digit(n, 9))
}

// PT: 9 digits, not starting with 0.
func vatPT(n string) (string, error) {
	if !digitsOf(n, 9) || n[0] == '0' {
		return "", badFormat("a Portuguese VAT number is 9 digits")
	}
	c := 11 - weighted(n, 9, 8, 7, 6, 5, 4, 3, 2)%11
	if c >= 10 {
		c = 0
	}
	return checked(n, c == digit(n, 8))
}

// RO: 2 to 10 digits, not starting with 0.
func vatRO(n string) (string, error) {
	if !allDigits(n) || len(n) < 2 || len(n) > 10 || n[0] == '0' {
		return "", badFormat("a Romanian VAT number is 2 to 10 digits")
	}
	p := strings.Repeat("0", 10-len(n)) + n
	return checked(n, weighted(p, 7, 5, 3, 2, 1, 7, 5, 3, 2)*10%11%10 == digit(p, 9))
}

// SE: 12 digits ending in 01; the first 10 pass Luhn.
func vatSE(n string) (string, error) {
	if !digitsOf(n, 12) || !strings.HasSuffix(n, "01") {
		return "", badFormat("a Swedish VAT number is 12 digits ending in 01")
	}
	return checked(n, luhn(n[:10]))
}

// SI: 8 digits, not starting with 0.
func vatSI(n string) (string, error) {
	if !digitsOf(n, 8) || n[0] == '0' {
		return "", badFormat("a Slovenian VAT number is 8 digits")
	}
	c := 11 - weighted(n, 8, 7, 6, 5, 4, 3, 2)%11
	if c == 10 {
		c = 0
	}
	return checked(n, c != 11 && c == digit(n, 7))
}

// SK: 10 digits, divisible by 11.
func vatSK(n string) (string, error) {
	if !digitsOf(n, 10) || n[0] == '0' || strings.IndexByte("234789", n[2]) < 0 {
		return "", badFormat("a Slovak VAT number is 10 digits")
	}
	return checked(n, atoi(n)%11 == 0)
}

// atoi reads a string of at most 18 ASCII digits.
func atoi(s string) int64 {
	var v int64
	for i := 0; i < len(s); i++ {
		v = v*10 + int64(s[i]-'0')
	}
	return v
}

func isAlnumUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
