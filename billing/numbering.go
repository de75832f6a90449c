package billing

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/billkit/billkit"
)

// ResetPolicy says when a number series starts again from 1.
type ResetPolicy string

// The reset policies.
const (
	// ResetNever numbers on forever.
	ResetNever ResetPolicy = "never"
	// ResetYearly starts again on January 1st; the format must show the year.
	ResetYearly ResetPolicy = "yearly"
	// ResetMonthly starts again on the 1st of each month; the format must
	// show the year and the month.
	ResetMonthly ResetPolicy = "monthly"
)

// Valid reports whether p is a known policy.
func (p ResetPolicy) Valid() bool {
	switch p {
	case ResetNever, ResetYearly, ResetMonthly:
		return true
	}
	return false
}

// Period returns the key of the counter period that the date at falls in:
// "" for ResetNever, "2026" for ResetYearly, "2026-03" for ResetMonthly.
// Numbers of different periods come from different counters.
func (p ResetPolicy) Period(at billkit.Date) string {
	switch p {
	case ResetYearly:
		return fmt.Sprintf("%04d", at.Year)
	case ResetMonthly:
		return fmt.Sprintf("%04d-%02d", at.Year, int(at.Month))
	}
	return ""
}

// Reasons of number format errors.
const (
	ReasonNumberFormatMalformed = "number.format_malformed"
	ReasonNumberFormatNeedsDate = "number.format_needs_date"
)

// maxNumberPadding bounds the count of N in a number token.
const maxNumberPadding = 18

// numberToken is one piece of a parsed format: literal text, a date token
// or the number.
type numberToken struct {
	literal string
	date    string // "YYYY", "YY", "MM", "DD"
	pad     int    // > 0 for the number token
}

// parseNumberFormat splits a format into tokens and checks it: tokens are
// {YYYY} {YY} {MM} {DD} and {N}, {NN}, ... (the count of N is the padding);
// exactly one number token; no other braces.
func parseNumberFormat(format string) ([]numberToken, error) {
	bad := func(msg string) error {
		return billkit.InvalidField("number_format", ReasonNumberFormatMalformed, msg)
	}
	if strings.TrimSpace(format) == "" {
		return nil, billkit.InvalidField("number_format", "required", "is required")
	}
	if len(format) > 100 {
		return nil, bad("must be at most 100 bytes")
	}
	var (
		toks    []numberToken
		numbers int
		lit     strings.Builder
	)
	for i := 0; i < len(format); {
		c := format[i]
		if c == '}' {
			return nil, bad("has a } without {")
		}
		if c != '{' {
			if c < 0x20 || c == 0x7f {
				return nil, bad("must not contain control characters")
			}
			lit.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(format[i:], '}')
		if end < 0 {
			return nil, bad("has a { without }")
		}
		name := format[i+1 : i+end]
		i += end + 1
		if lit.Len() > 0 {
			toks = append(toks, numberToken{literal: lit.String()})
			lit.Reset()
		}
		switch {
		case name == "YYYY" || name == "YY" || name == "MM" || name == "DD":
			toks = append(toks, numberToken{date: name})
		case name != "" && strings.Trim(name, "N") == "":
			if len(name) > maxNumberPadding {
				return nil, bad(fmt.Sprintf("pads the number to at most %d digits", maxNumberPadding))
			}
			numbers++
			toks = append(toks, numberToken{pad: len(name)})
		default:
			return nil, bad(fmt.Sprintf("has an unknown token {%s}; use {YYYY} {YY} {MM} {DD} {N...}", name))
		}
	}
	if lit.Len() > 0 {
		toks = append(toks, numberToken{literal: lit.String()})
	}
	if numbers != 1 {
		return nil, bad("must have exactly one number token {N...}")
	}
	return toks, nil
}

// ValidateNumberFormat checks a format such as "INV-{YYYY}-{NNNNN}" for use
// with the reset policy: a yearly series must show the year ({YYYY} or
// {YY}) and a monthly one the year and the month, or numbers of different
// periods would repeat. Errors name field "number_format".
func ValidateNumberFormat(format string, reset ResetPolicy) error {
	toks, err := parseNumberFormat(format)
	if err != nil {
		return err
	}
	if !reset.Valid() {
		return billkit.InvalidField("reset", "number.reset_unknown", fmt.Sprintf("unknown reset policy %q; use never, yearly or monthly", reset))
	}
	var year, month bool
	for _, t := range toks {
		year = year || t.date == "YYYY" || t.date == "YY"
		month = month || t.date == "MM"
	}
	if reset == ResetYearly && !year || reset == ResetMonthly && !(year && month) {
		return billkit.InvalidField("number_format", ReasonNumberFormatNeedsDate,
			fmt.Sprintf("a series reset %s must show the period ({YYYY} or {YY}%s) so numbers do not repeat", reset, map[bool]string{true: " and {MM}"}[reset == ResetMonthly]))
	}
	return nil
}

// FormatNumber renders number n of a series on the date at: "INV-{YYYY}-{NNNNN}"
// with n=42 on 2026-03-05 is "INV-2026-00042". {YYYY} is the year, {YY} its
// last two digits, {MM} and {DD} the month and day with two digits, and
// {N...} the number left-padded with zeros to the count of N (a longer
// number is printed whole). It is a pure function; a bad format is an
// invalid error naming field "number_format".
func FormatNumber(format string, n int64, at billkit.Date) (string, error) {
	toks, err := parseNumberFormat(format)
	if err != nil {
		return "", err
	}
	if n < 1 {
		return "", billkit.InvalidField("n", "number.out_of_range", "must be at least 1")
	}
	if !at.Valid() {
		return "", billkit.InvalidField("at", "date.out_of_range", "must be a calendar date")
	}
	var b strings.Builder
	for _, t := range toks {
		switch {
		case t.pad > 0:
			s := strconv.FormatInt(n, 10)
			if len(s) < t.pad {
				b.WriteString(strings.Repeat("0", t.pad-len(s)))
			}
			b.WriteString(s)
		case t.date == "YYYY":
			fmt.Fprintf(&b, "%04d", at.Year)
		case t.date == "YY":
			fmt.Fprintf(&b, "%02d", at.Year%100)
		case t.date == "MM":
			fmt.Fprintf(&b, "%02d", int(at.Month))
		case t.date == "DD":
			fmt.Fprintf(&b, "%02d", at.Day)
		default:
			b.WriteString(t.literal)
		}
	}
	return b.String(), nil
}

// NumberSeries is a counter of human-readable numbers (clients, contracts,
// and later invoices and credit notes): a key naming the counter, a format,
// and a reset policy. Numbers are gapless: they are drawn inside the
// transaction that uses them, so a rolled-back transaction gives its number
// back.
type NumberSeries struct {
	// Key names the counter ("billing.client", "contract:<company>:<format>").
	Key    string
	Format string
	Reset  ResetPolicy
}

// Next draws the next number of the series in the period of at, inside tx
// (which must be the transaction of the write that uses the number), and
// formats it.
func (s NumberSeries) Next(ctx context.Context, tx Store, at billkit.Date) (string, error) {
	if err := ValidateNumberFormat(s.Format, s.Reset); err != nil {
		return "", err
	}
	n, err := tx.NextNumber(ctx, s.Key, s.Reset.Period(at))
	if err != nil {
		return "", err
	}
	return FormatNumber(s.Format, n, at)
}
