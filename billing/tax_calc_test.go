package billing_test

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func calcVAT(rate string, inclusive bool) billing.AppliedTax {
	return billing.AppliedTax{Code: "vat", Name: "VAT", Rate: dec(rate), Level: 1, Inclusive: inclusive}
}

// taxLine is a line of amount in currency with taxes.
func calcLine(amount, currency string, taxes ...billing.AppliedTax) billing.TaxableLine {
	return billing.TaxableLine{Amount: billkit.MustParseMoney(amount, currency), Taxes: taxes}
}

// brief writes totals as "net+tax=gross" per line, then the summary and
// the totals, amounts as stored.
func calcBrief(tt billing.TaxTotals) string {
	var b strings.Builder
	for _, l := range tt.Lines {
		fmt.Fprintf(&b, "%s+%s=%s", calcAmount(l.Net), calcAmount(l.Tax), calcAmount(l.Gross))
		for _, t := range l.Taxes {
			fmt.Fprintf(&b, " %s@%s:%s", t.Code, t.Rate, calcAmount(t.Amount))
		}
		b.WriteString("; ")
	}
	for _, s := range tt.Summary {
		fmt.Fprintf(&b, "[%s@%s %s on %s] ", s.Code, s.Rate, calcAmount(s.Amount), calcAmount(s.Base))
	}
	fmt.Fprintf(&b, "= %s+%s=%s", calcAmount(tt.Net), calcAmount(tt.Tax), calcAmount(tt.Gross))
	return b.String()
}

func calcAmount(m billkit.Money) string { return strings.TrimSuffix(m.String(), " "+m.Currency()) }

func TestCalculateTaxes(t *testing.T) {
	gst := billing.AppliedTax{Code: "gst", Name: "GST", Rate: dec("5"), Level: 1}
	qst := billing.AppliedTax{Code: "qst", Name: "QST", Rate: dec("9.975"), Level: 2}
	compound := billing.AppliedTax{Code: "pst", Name: "PST", Rate: dec("9.5"), Level: 2, Compound: true}
	incl := func(ts ...billing.AppliedTax) []billing.AppliedTax {
		out := make([]billing.AppliedTax, len(ts))
		for i, t := range ts {
			t.Inclusive = true
			out[i] = t
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		lines    []billing.TaxableLine
		rounding billing.TaxRounding
		digits   int32
		want     string
	}{
		{"vat exclusive", []billing.TaxableLine{calcLine("100.00", "EUR", calcVAT("20", false))}, billing.TaxRoundPerLine, 2,
			"100.00+20.00=120.00 vat@20:20.00; [vat@20 20.00 on 100.00] = 100.00+20.00=120.00"},
		{"vat inclusive", []billing.TaxableLine{calcLine("120.00", "EUR", calcVAT("20", true))}, billing.TaxRoundPerLine, 2,
			"100.00+20.00=120.00 vat@20:20.00; [vat@20 20.00 on 100.00] = 100.00+20.00=120.00"},
		{"inclusive with a remainder", []billing.TaxableLine{calcLine("10.00", "EUR", calcVAT("20", true))}, billing.TaxRoundPerLine, 2,
			"8.33+1.67=10.00 vat@20:1.67; [vat@20 1.67 on 8.33] = 8.33+1.67=10.00"},
		{"exempt", []billing.TaxableLine{calcLine("99.99", "EUR")}, billing.TaxRoundPerDocument, 2,
			"99.99+0.00=99.99; = 99.99+0.00=99.99"},
		{"two levels", []billing.TaxableLine{calcLine("100.00", "CAD", gst, qst)}, billing.TaxRoundPerLine, 2,
			"100.00+14.98=114.98 gst@5:5.00 qst@9.975:9.98; [gst@5 5.00 on 100.00] [qst@9.975 9.98 on 100.00] = 100.00+14.98=114.98"},
		{"compound", []billing.TaxableLine{calcLine("100.00", "CAD", gst, compound)}, billing.TaxRoundPerLine, 2,
			"100.00+14.98=114.98 gst@5:5.00 pst@9.5:9.98; [gst@5 5.00 on 100.00] [pst@9.5 9.98 on 100.00] = 100.00+14.98=114.98"},
		{"compound inclusive", []billing.TaxableLine{{Amount: billkit.MustParseMoney("1149.75", "CAD"), Taxes: incl(gst, compound)}}, billing.TaxRoundPerLine, 2,
			"1000.00+149.75=1149.75 gst@5:50.00 pst@9.5:99.75; [gst@5 50.00 on 1000.00] [pst@9.5 99.75 on 1000.00] = 1000.00+149.75=1149.75"},
		{"third per line", []billing.TaxableLine{calcLine("3.33", "EUR", calcVAT("20", false)), calcLine("3.33", "EUR", calcVAT("20", false)), calcLine("3.34", "EUR", calcVAT("20", false))}, billing.TaxRoundPerLine, 2,
			"3.33+0.67=4.00 vat@20:0.67; 3.33+0.67=4.00 vat@20:0.67; 3.34+0.67=4.01 vat@20:0.67; [vat@20 2.01 on 10.00] = 10.00+2.01=12.01"},
		{"third per document", []billing.TaxableLine{calcLine("3.33", "EUR", calcVAT("20", false)), calcLine("3.33", "EUR", calcVAT("20", false)), calcLine("3.34", "EUR", calcVAT("20", false))}, billing.TaxRoundPerDocument, 2,
			"3.33+0.67=4.00 vat@20:0.67; 3.33+0.66=3.99 vat@20:0.66; 3.34+0.67=4.01 vat@20:0.67; [vat@20 2.00 on 10.00] = 10.00+2.00=12.00"},
		{"inclusive per document", []billing.TaxableLine{calcLine("10.00", "EUR", calcVAT("20", true)), calcLine("10.00", "EUR", calcVAT("20", true)), calcLine("10.00", "EUR", calcVAT("20", true))}, billing.TaxRoundPerDocument, 2,
			"8.33+1.67=10.00 vat@20:1.67; 8.33+1.67=10.00 vat@20:1.67; 8.34+1.66=10.00 vat@20:1.66; [vat@20 5.00 on 25.00] = 25.00+5.00=30.00"},
		{"jpy", []billing.TaxableLine{calcLine("999", "JPY", calcVAT("8", false)), calcLine("1000", "JPY", calcVAT("10", false))}, billing.TaxRoundPerLine, 0,
			"999+80=1079 vat@8:80; 1000+100=1100 vat@10:100; [vat@8 80 on 999] [vat@10 100 on 1000] = 1999+180=2179"},
		{"bhd half up", []billing.TaxableLine{calcLine("10.005", "BHD", calcVAT("10", false))}, billing.TaxRoundPerLine, 3,
			"10.005+1.001=11.006 vat@10:1.001; [vat@10 1.001 on 10.005] = 10.005+1.001=11.006"},
		{"negative mirrors", []billing.TaxableLine{calcLine("-10.00", "EUR", calcVAT("20", true))}, billing.TaxRoundPerLine, 2,
			"-8.33+-1.67=-10.00 vat@20:-1.67; [vat@20 -1.67 on -8.33] = -8.33+-1.67=-10.00"},
		{"mixed rates per document", []billing.TaxableLine{calcLine("0.05", "EUR", calcVAT("20", false)), calcLine("0.05", "EUR", calcVAT("20", false)), calcLine("0.05", "EUR", calcVAT("7", false))}, billing.TaxRoundPerDocument, 2,
			"0.05+0.01=0.06 vat@20:0.01; 0.05+0.01=0.06 vat@20:0.01; 0.05+0.00=0.05 vat@7:0.00; [vat@20 0.02 on 0.10] [vat@7 0.00 on 0.05] = 0.15+0.02=0.17"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := billing.CalculateTaxes(tc.lines, tc.rounding, tc.digits)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, calcBrief(got)); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
			checkCalcInvariants(t, tc.lines, tc.rounding, tc.digits, got)
		})
	}
}

func TestCalculateTaxesRefuses(t *testing.T) {
	ok := calcLine("1.00", "EUR", calcVAT("20", false))
	for _, tc := range []struct {
		name          string
		lines         []billing.TaxableLine
		rounding      billing.TaxRounding
		digits        int32
		field, reason string
	}{
		{"no lines", nil, billing.TaxRoundPerLine, 2, "lines", "required"},
		{"mixed currencies", []billing.TaxableLine{ok, calcLine("1.00", "USD")}, billing.TaxRoundPerLine, 2, "lines[1].amount", billing.ReasonTaxCurrencyMismatch},
		{"too many decimals", []billing.TaxableLine{ok, calcLine("1.005", "EUR")}, billing.TaxRoundPerLine, 2, "lines[1].amount", billing.ReasonTaxTooManyDecimals},
		{"decimals of jpy", []billing.TaxableLine{calcLine("1.5", "JPY")}, billing.TaxRoundPerLine, 0, "lines[0].amount", billing.ReasonTaxTooManyDecimals},
		{"no amount", []billing.TaxableLine{{}}, billing.TaxRoundPerLine, 2, "lines[0].amount", "required"},
		{"mixed inclusive", []billing.TaxableLine{calcLine("1.00", "EUR", calcVAT("20", false), billing.AppliedTax{Code: "x", Rate: dec("1"), Level: 2, Inclusive: true})}, billing.TaxRoundPerLine, 2, "lines[0].taxes", billing.ReasonTaxMixedInclusive},
		{"negative rate", []billing.TaxableLine{calcLine("1.00", "EUR", calcVAT("-1", false))}, billing.TaxRoundPerLine, 2, "lines[0].taxes[0].rate", "tax.rate_out_of_range"},
		{"level", []billing.TaxableLine{calcLine("1.00", "EUR", billing.AppliedTax{Code: "x", Rate: dec("1"), Level: 3})}, billing.TaxRoundPerLine, 2, "lines[0].taxes[0].level", "tax.level_unknown"},
		{"compound level 1", []billing.TaxableLine{calcLine("1.00", "EUR", billing.AppliedTax{Code: "x", Rate: dec("1"), Level: 1, Compound: true})}, billing.TaxRoundPerLine, 2, "lines[0].taxes[0].compound", "tax.compound_level"},
		{"code", []billing.TaxableLine{calcLine("1.00", "EUR", billing.AppliedTax{Rate: dec("1"), Level: 1})}, billing.TaxRoundPerLine, 2, "lines[0].taxes[0].code", "required"},
		{"rounding", []billing.TaxableLine{ok}, "", 2, "rounding", "tax.rounding_unknown"},
		{"digits", []billing.TaxableLine{ok}, billing.TaxRoundPerLine, -1, "digits", "tax.digits_out_of_range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := billing.CalculateTaxes(tc.lines, tc.rounding, tc.digits)
			wantField(t, err, tc.field, tc.reason)
		})
	}
}

// checkTaxInvariants checks what CalculateTaxes promises for any input.
func checkCalcInvariants(t *testing.T, lines []billing.TaxableLine, rounding billing.TaxRounding, digits int32, got billing.TaxTotals) {
	t.Helper()
	cur := lines[0].Amount.Currency()
	sum := func(ms ...billkit.Money) billkit.Money {
		s, err := billkit.Sum(billkit.Zero(cur), ms...)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	exp := func(m billkit.Money, what string) {
		if m.Currency() != cur || m.Amount().Exponent() != -digits {
			t.Fatalf("%s = %s: want %d decimals in %s", what, m, digits, cur)
		}
	}
	if len(got.Lines) != len(lines) {
		t.Fatalf("%d lines out of %d", len(got.Lines), len(lines))
	}
	var nets, taxes, grosses, summary []billkit.Money
	for i, l := range got.Lines {
		exp(l.Net, "net")
		exp(l.Tax, "tax")
		exp(l.Gross, "gross")
		if !sum(l.Net, l.Tax).Equal(l.Gross) {
			t.Fatalf("line %d: %s + %s != %s", i, l.Net, l.Tax, l.Gross)
		}
		var lt []billkit.Money
		for _, x := range l.Taxes {
			exp(x.Amount, "line tax")
			lt = append(lt, x.Amount)
		}
		if !sum(lt...).Equal(l.Tax) {
			t.Fatalf("line %d: taxes %v do not sum to %s", i, lt, l.Tax)
		}
		if len(l.Taxes) != len(lines[i].Taxes) {
			t.Fatalf("line %d has %d taxes, want %d", i, len(l.Taxes), len(lines[i].Taxes))
		}
		incl := len(lines[i].Taxes) > 0 && lines[i].Taxes[0].Inclusive
		if in := lines[i].Amount; incl && !in.Equal(l.Gross) || !incl && !in.Equal(l.Net) {
			t.Fatalf("line %d: amount %s is neither its gross nor its net as it should be (%s, %s)", i, in, l.Net, l.Gross)
		}
		nets, taxes, grosses = append(nets, l.Net), append(taxes, l.Tax), append(grosses, l.Gross)
	}
	if !sum(nets...).Equal(got.Net) || !sum(taxes...).Equal(got.Tax) || !sum(grosses...).Equal(got.Gross) {
		t.Fatalf("lines do not sum to the totals %s %s %s", got.Net, got.Tax, got.Gross)
	}
	if !sum(got.Net, got.Tax).Equal(got.Gross) {
		t.Fatalf("totals: %s + %s != %s", got.Net, got.Tax, got.Gross)
	}
	for _, s := range got.Summary {
		summary = append(summary, s.Amount)
		// Each tax's total is within half a unit per line of its exact
		// value, and per document within half a unit.
		exact := new(big.Rat)
		count := 0
		for i, l := range lines {
			for j, x := range l.Taxes {
				if x.Code == s.Code && x.Rate.String() == s.Rate {
					exact.Add(exact, calcExactTax(l, j))
					count++
					if got.Lines[i].Taxes[j].Code != s.Code {
						t.Fatalf("line %d tax %d is %s", i, j, got.Lines[i].Taxes[j].Code)
					}
				}
			}
		}
		unit := new(big.Rat).SetFrac64(1, 1)
		unit.Quo(unit, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)))
		diff := new(big.Rat).Sub(calcRat(s.Amount.Amount()), exact)
		diff.Abs(diff)
		limit := new(big.Rat).Mul(unit, big.NewRat(1, 2))
		if rounding == billing.TaxRoundPerLine {
			limit.Mul(limit, big.NewRat(int64(count), 1))
		}
		if diff.Cmp(limit) > 0 {
			t.Fatalf("%s@%s = %s, exact %s: off by more than %s", s.Code, s.Rate, s.Amount, exact.FloatString(8), limit.FloatString(8))
		}
	}
	if len(got.Summary) > 0 && !sum(summary...).Equal(got.Tax) {
		t.Fatalf("summary %v does not sum to %s", summary, got.Tax)
	}
	if rounding == billing.TaxRoundPerDocument {
		// Each line's share differs from its exact tax by less than a unit.
		for i, l := range lines {
			for j := range l.Taxes {
				d := new(big.Rat).Sub(calcRat(got.Lines[i].Taxes[j].Amount.Amount()), calcExactTax(l, j))
				d.Abs(d)
				unit := new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil))
				if d.Cmp(unit) >= 0 {
					t.Fatalf("line %d tax %d: share %s is a unit or more from its exact value", i, j, got.Lines[i].Taxes[j].Amount)
				}
			}
		}
	}
}

// exactTax is tax j of line l, computed independently of CalculateTaxes.
func calcExactTax(l billing.TaxableLine, j int) *big.Rat {
	pct := func(d decimal.Decimal) *big.Rat { return new(big.Rat).Quo(calcRat(d), big.NewRat(100, 1)) }
	level1 := new(big.Rat)
	for _, x := range l.Taxes {
		if x.Level == 1 {
			level1.Add(level1, pct(x.Rate))
		}
	}
	share := func(x billing.AppliedTax) *big.Rat {
		s := pct(x.Rate)
		if x.Compound {
			s.Mul(s, new(big.Rat).Add(big.NewRat(1, 1), level1))
		}
		return s
	}
	net := calcRat(l.Amount.Amount())
	if l.Taxes[0].Inclusive {
		m := big.NewRat(1, 1)
		for _, x := range l.Taxes {
			m.Add(m, share(x))
		}
		net.Quo(net, m)
	}
	return net.Mul(net, share(l.Taxes[j]))
}

func calcRat(d decimal.Decimal) *big.Rat {
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		panic(d.String())
	}
	return r
}

// FuzzCalculateTaxes checks the invariants on random lines, rates, digits
// and roundings, and that negating every amount negates every result.
func FuzzCalculateTaxes(f *testing.F) {
	f.Add(uint64(1000), uint64(333), uint64(334), uint16(2000), uint16(997), uint8(0), uint8(0))
	f.Add(uint64(1), uint64(1), uint64(1), uint16(700), uint16(0), uint8(1), uint8(7))
	f.Add(uint64(99999), uint64(5), uint64(123456789), uint16(500), uint16(9975), uint8(2), uint8(12))
	f.Fuzz(func(t *testing.T, a, b, c uint64, r1, r2 uint16, digitSel, flags uint8) {
		digits := []int32{0, 2, 3}[int(digitSel)%3]
		rounding := billing.TaxRoundPerLine
		if flags&1 != 0 {
			rounding = billing.TaxRoundPerDocument
		}
		rate := func(r uint16) decimal.Decimal { return decimal.New(int64(r%30000), -3) } // 0 to 29.999 %
		var lines []billing.TaxableLine
		for i, units := range []uint64{a, b, c} {
			amount, err := billkit.NewMoney(decimal.New(int64(units%1e12), -digits), "XTS")
			if err != nil {
				t.Fatal(err)
			}
			l := billing.TaxableLine{Amount: amount}
			incl := flags&(2<<i) != 0
			switch (int(flags>>4) + i) % 4 {
			case 1:
				l.Taxes = []billing.AppliedTax{{Code: "vat", Rate: rate(r1), Level: 1, Inclusive: incl}}
			case 2:
				l.Taxes = []billing.AppliedTax{{Code: "gst", Rate: rate(r1), Level: 1, Inclusive: incl}, {Code: "qst", Rate: rate(r2), Level: 2, Inclusive: incl}}
			case 3:
				l.Taxes = []billing.AppliedTax{{Code: "gst", Rate: rate(r1), Level: 1, Inclusive: incl}, {Code: "pst", Rate: rate(r2), Level: 2, Compound: true, Inclusive: incl}}
			}
			lines = append(lines, l)
		}
		got, err := billing.CalculateTaxes(lines, rounding, digits)
		if err != nil {
			t.Fatal(err)
		}
		checkCalcInvariants(t, lines, rounding, digits, got)

		neg := make([]billing.TaxableLine, len(lines))
		for i, l := range lines {
			neg[i] = billing.TaxableLine{Amount: l.Amount.Neg(), Taxes: l.Taxes}
		}
		mirror, err := billing.CalculateTaxes(neg, rounding, digits)
		if err != nil {
			t.Fatal(err)
		}
		checkCalcInvariants(t, neg, rounding, digits, mirror)
		if !mirror.Gross.Equal(got.Gross.Neg()) || !mirror.Tax.Equal(got.Tax.Neg()) {
			t.Fatalf("negated document: %s %s, want %s %s", mirror.Tax, mirror.Gross, got.Tax.Neg(), got.Gross.Neg())
		}
		for i := range got.Lines {
			for j := range got.Lines[i].Taxes {
				if !mirror.Lines[i].Taxes[j].Amount.Equal(got.Lines[i].Taxes[j].Amount.Neg()) {
					t.Fatalf("line %d tax %d: %s, negated %s", i, j, got.Lines[i].Taxes[j].Amount, mirror.Lines[i].Taxes[j].Amount)
				}
			}
		}
	})
}

// BenchmarkCalculateTaxes computes a document of 100 lines with two taxes
// each, rounded per document:
//
//	go test ./billing -run XXX -bench CalculateTaxes
func BenchmarkCalculateTaxes(b *testing.B) {
	gst := billing.AppliedTax{Code: "gst", Rate: dec("5"), Level: 1}
	qst := billing.AppliedTax{Code: "qst", Rate: dec("9.975"), Level: 2}
	lines := make([]billing.TaxableLine, 100)
	for i := range lines {
		lines[i] = calcLine(fmt.Sprintf("%d.%02d", i+1, i%100), "CAD", gst, qst)
	}
	for b.Loop() {
		if _, err := billing.CalculateTaxes(lines, billing.TaxRoundPerDocument, 2); err != nil {
			b.Fatal(err)
		}
	}
}
