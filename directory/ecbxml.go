package directory

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// MaxECBSize is the most bytes ParseECBRates reads. The ECB's 90-day file is
// about 60 KiB; anything far larger is not that format, and reading it whole
// would let a broken or hostile server exhaust memory.
const MaxECBSize = 1 << 20

// ECBBase is the base currency of the European Central Bank's reference rates.
const ECBBase = "EUR"

// ecbRate matches the plain decimal form the ECB publishes ("1.0921",
// "157.62"): no sign, no exponent, at most 12 digits either side.
var ecbRate = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,12})?$`)

// ecbEnvelope mirrors the ECB's eurofxref XML:
//
//	<gesmes:Envelope ...>
//	  <Cube>
//	    <Cube time="2024-03-15">
//	      <Cube currency="USD" rate="1.0892"/>
type ecbEnvelope struct {
	XMLName xml.Name `xml:"Envelope"`
	Outer   []struct {
		Days []struct {
			Time  *string `xml:"time,attr"`
			Rates []struct {
				Currency *string `xml:"currency,attr"`
				Rate     *string `xml:"rate,attr"`
			} `xml:"Cube"`
		} `xml:"Cube"`
	} `xml:"Cube"`
}

// ParseECBRates reads the European Central Bank's reference-rate XML (the
// daily file, or the 90-day file with one dated Cube per business day) and
// returns the rates of the latest date, with base EUR. It is strict: a
// malformed document, a bad date, a repeated date or currency, a currency
// code that is not three capital letters, a rate that is not a plain positive
// decimal, or a document without rates gives an invalid *billkit.Error whose
// field names the element ("Cube[time=2024-03-15].Cube[currency=USD].rate").
// At most MaxECBSize bytes are read.
func ParseECBRates(r io.Reader) (RateSet, error) {
	if r == nil {
		return RateSet{}, billkit.InvalidField("Envelope", "ecb.empty", "no document")
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxECBSize+1))
	if err != nil {
		return RateSet{}, billkit.WrapError(err, billkit.CodeUnavailable, "ecb.read", "reading the ECB document")
	}
	if len(data) > MaxECBSize {
		return RateSet{}, billkit.InvalidField("Envelope", "ecb.too_large", fmt.Sprintf("the document is larger than %d bytes", MaxECBSize))
	}
	var env ecbEnvelope
	dec := xml.NewDecoder(bytes.NewReader(data))
	// The ECB publishes UTF-8; any other declared charset is rejected rather
	// than guessed.
	dec.CharsetReader = nil
	if err := dec.Decode(&env); err != nil {
		e := billkit.InvalidField("Envelope", "ecb.malformed", "the document is not the ECB's reference-rate XML: "+err.Error())
		e.Err = err
		return RateSet{}, e
	}

	var v billkit.FieldErrors
	var latest RateSet
	seenDays := map[billkit.Date]bool{}
	for _, outer := range env.Outer {
		for _, day := range outer.Days {
			if day.Time == nil {
				v.Add("Cube.time", "ecb.date_missing", "a dated Cube has no time attribute")
				continue
			}
			dayField := fmt.Sprintf("Cube[time=%s]", *day.Time)
			d, err := billkit.ParseDate(*day.Time)
			if err != nil {
				v.Add(dayField+".time", "ecb.date_invalid", fmt.Sprintf("%q is not a date in the form YYYY-MM-DD", *day.Time))
				continue
			}
			if seenDays[d] {
				v.Add(dayField, "ecb.date_duplicate", "the date appears twice")
				continue
			}
			seenDays[d] = true
			rates := make(map[string]decimal.Decimal, len(day.Rates))
			for i, cr := range day.Rates {
				if cr.Currency == nil {
					v.Add(fmt.Sprintf("%s.Cube[%d].currency", dayField, i), "ecb.currency_missing", "a rate has no currency attribute")
					continue
				}
				code := *cr.Currency
				field := fmt.Sprintf("%s.Cube[currency=%s]", dayField, code)
				if !isoCurrencyCode.MatchString(code) || code == ECBBase {
					v.Add(field+".currency", "ecb.currency_invalid", fmt.Sprintf("%q is not a currency code quoted against EUR", code))
					continue
				}
				if _, dup := rates[code]; dup {
					v.Add(field, "ecb.currency_duplicate", "the currency appears twice on one date")
					continue
				}
				if cr.Rate == nil {
					v.Add(field+".rate", "ecb.rate_missing", "the rate attribute is missing")
					continue
				}
				if !ecbRate.MatchString(*cr.Rate) {
					v.Add(field+".rate", "ecb.rate_malformed", fmt.Sprintf("%q is not a plain decimal", *cr.Rate))
					continue
				}
				rate, err := decimal.NewFromString(*cr.Rate)
				if err != nil {
					v.Add(field+".rate", "ecb.rate_malformed", fmt.Sprintf("%q is not a plain decimal", *cr.Rate))
					continue
				}
				if !rate.IsPositive() {
					v.Add(field+".rate", "ecb.rate_not_positive", "must be greater than zero")
					continue
				}
				rates[code] = rate
			}
			if len(day.Rates) == 0 {
				v.Add(dayField, "ecb.no_rates", "the date has no rates")
				continue
			}
			if latest.Date.IsZero() || d.After(latest.Date) {
				latest = RateSet{Base: ECBBase, Date: d, Rates: rates}
			}
		}
	}
	if err := v.Err(); err != nil {
		return RateSet{}, err
	}
	if latest.Date.IsZero() {
		return RateSet{}, billkit.InvalidField("Cube", "ecb.no_rates", "the document has no dated rates")
	}
	return latest, nil
}
