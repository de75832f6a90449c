package directory

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

func TestParseECBRatesSample(t *testing.T) {
	f, err := os.Open("testdata/eurofxref-daily.xml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := ParseECBRates(f)
	if err != nil {
		t.Fatal(err)
	}
	if rs.Base != "EUR" || rs.Date != billkit.MustDate(2022, 2, 25) || len(rs.Rates) != 32 {
		t.Fatalf("got %s %s with %d rates", rs.Base, rs.Date, len(rs.Rates))
	}
	for code, want := range map[string]string{"USD": "1.1216", "JPY": "129.59", "RUB": "93.5", "IDR": "16120.13"} {
		if got := rs.Rates[code]; !got.Equal(decimal.RequireFromString(want)) {
			t.Errorf("%s = %s, want %s", code, got, want)
		}
	}
}

const ecbHead = `<?xml version="1.0" encoding="UTF-8"?><gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><gesmes:subject>Reference rates</gesmes:subject><Cube>`
const ecbTail = `</Cube></gesmes:Envelope>`

func TestParseECBRatesLatestOfSeveralDays(t *testing.T) {
	doc := ecbHead +
		`<Cube time="2024-03-15"><Cube currency="USD" rate="1.0887"/><Cube currency="JPY" rate="162.09"/></Cube>` +
		`<Cube time="2024-03-13"><Cube currency="USD" rate="1.0939"/></Cube>` +
		`<Cube time="2024-03-14"><Cube currency="USD" rate="1.0890"/></Cube>` + ecbTail
	rs, err := ParseECBRates(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if rs.Date != billkit.MustDate(2024, 3, 15) || len(rs.Rates) != 2 || !rs.Rates["USD"].Equal(decimal.RequireFromString("1.0887")) {
		t.Errorf("got %+v", rs)
	}
}

func TestParseECBRatesErrors(t *testing.T) {
	day := func(inner string) string { return ecbHead + `<Cube time="2024-03-15">` + inner + `</Cube>` + ecbTail }
	tests := []struct {
		name, doc, field, reason string
	}{
		{"not xml", "hello", "Envelope", "ecb.malformed"},
		{"truncated", ecbHead + `<Cube time="2024-03-15"><Cube currency="USD"`, "Envelope", "ecb.malformed"},
		{"wrong root", `<html><Cube/></html>`, "Envelope", "ecb.malformed"},
		{"no rates at all", ecbHead + ecbTail, "Cube", "ecb.no_rates"},
		{"empty day", day(""), "Cube[time=2024-03-15]", "ecb.no_rates"},
		{"bad date", ecbHead + `<Cube time="2024-02-30"><Cube currency="USD" rate="1"/></Cube>` + ecbTail, "Cube[time=2024-02-30].time", "ecb.date_invalid"},
		{"no time", ecbHead + `<Cube><Cube currency="USD" rate="1"/></Cube>` + ecbTail, "Cube.time", "ecb.date_missing"},
		{"duplicate day", ecbHead + `<Cube time="2024-03-15"><Cube currency="USD" rate="1"/></Cube><Cube time="2024-03-15"><Cube currency="USD" rate="1"/></Cube>` + ecbTail, "Cube[time=2024-03-15]", "ecb.date_duplicate"},
		{"lower-case code", day(`<Cube currency="usd" rate="1.1"/>`), "Cube[time=2024-03-15].Cube[currency=usd].currency", "ecb.currency_invalid"},
		{"long code", day(`<Cube currency="USDX" rate="1.1"/>`), "Cube[time=2024-03-15].Cube[currency=USDX].currency", "ecb.currency_invalid"},
		{"EUR quoted", day(`<Cube currency="EUR" rate="1"/>`), "Cube[time=2024-03-15].Cube[currency=EUR].currency", "ecb.currency_invalid"},
		{"missing currency", day(`<Cube rate="1"/>`), "Cube[time=2024-03-15].Cube[0].currency", "ecb.currency_missing"},
		{"duplicate currency", day(`<Cube currency="USD" rate="1"/><Cube currency="USD" rate="2"/>`), "Cube[time=2024-03-15].Cube[currency=USD]", "ecb.currency_duplicate"},
		{"missing rate", day(`<Cube currency="USD"/>`), "Cube[time=2024-03-15].Cube[currency=USD].rate", "ecb.rate_missing"},
		{"zero rate", day(`<Cube currency="USD" rate="0.0000"/>`), "Cube[time=2024-03-15].Cube[currency=USD].rate", "ecb.rate_not_positive"},
		{"negative rate", day(`<Cube currency="USD" rate="-1.1"/>`), "Cube[time=2024-03-15].Cube[currency=USD].rate", "ecb.rate_malformed"},
		{"exponent", day(`<Cube currency="USD" rate="1e3"/>`), "Cube[time=2024-03-15].Cube[currency=USD].rate", "ecb.rate_malformed"},
		{"comma", day(`<Cube currency="USD" rate="1,1"/>`), "Cube[time=2024-03-15].Cube[currency=USD].rate", "ecb.rate_malformed"},
		{"text", day(`<Cube currency="USD" rate="n/a"/>`), "Cube[time=2024-03-15].Cube[currency=USD].rate", "ecb.rate_malformed"},
		{"too large", ecbHead + strings.Repeat(" ", MaxECBSize) + ecbTail, "Envelope", "ecb.too_large"},
		{"other charset", `<?xml version="1.0" encoding="ISO-8859-1"?><Envelope/>`, "Envelope", "ecb.malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseECBRates(strings.NewReader(tt.doc))
			e, ok := err.(*billkit.Error)
			if !ok || e.Code != billkit.CodeInvalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			f, ok := e.Field(tt.field)
			if !ok || f.Reason != tt.reason {
				t.Errorf("err = %v; want field %q reason %q", err, tt.field, tt.reason)
			}
		})
	}
	if _, err := ParseECBRates(nil); billkit.ErrorCode(err) != billkit.CodeInvalid {
		t.Errorf("nil reader err = %v", err)
	}
}

func FuzzParseECBRates(f *testing.F) {
	if b, err := os.ReadFile("testdata/eurofxref-daily.xml"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseECBRates(bytes.NewReader(data))
		if err != nil {
			if _, ok := err.(*billkit.Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		if rs.Base != "EUR" || !rs.Date.Valid() || len(rs.Rates) == 0 {
			t.Fatalf("accepted an incomplete set: %+v", rs)
		}
		for code, r := range rs.Rates {
			if !isECBQuoteShape(code) || !r.IsPositive() {
				t.Fatalf("accepted %s=%s", code, r)
			}
		}
	})
}

// isECBQuoteShape is the shape check the parser promises.
func isECBQuoteShape(code string) bool { return isoCurrencyCode.MatchString(code) && code != "EUR" }
