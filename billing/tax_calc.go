package billing

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// TaxableLine is one line of a document or an order, before tax.
type TaxableLine struct {
	// Amount is the line's net amount, or its gross amount when its taxes
	// are inclusive (the tax is then extracted from it).
	Amount billkit.Money `json:"amount"`
	// Taxes are the taxes that apply to the line (TaxDecision.Taxes for its
	// product type); none for an exempt or reverse-charged line.
	Taxes []AppliedTax `json:"taxes,omitempty"`
}

// LineTax is one tax of one line.
type LineTax struct {
	Code   string        `json:"code"`
	Name   string        `json:"name"`
	Rate   string        `json:"rate"`
	Amount billkit.Money `json:"amount"`
}

// TaxedLine is a line with its taxes: Net + Tax = Gross exactly.
type TaxedLine struct {
	Net   billkit.Money `json:"net"`
	Tax   billkit.Money `json:"tax"`
	Gross billkit.Money `json:"gross"`
	Taxes []LineTax     `json:"taxes,omitempty"`
}

// TaxSummary is one tax over a whole document: its base and amount.
type TaxSummary struct {
	Code   string        `json:"code"`
	Name   string        `json:"name"`
	Rate   string        `json:"rate"`
	Base   billkit.Money `json:"base"`
	Amount billkit.Money `json:"amount"`
}

// TaxTotals are a document's lines with their taxes, and its totals: the
// lines sum exactly to Net, Tax and Gross, whichever the rounding.
type TaxTotals struct {
	Lines   []TaxedLine   `json:"lines"`
	Summary []TaxSummary  `json:"summary,omitempty"`
	Net     billkit.Money `json:"net"`
	Tax     billkit.Money `json:"tax"`
	Gross   billkit.Money `json:"gross"`
}

// Reasons of CalculateTaxes' errors.
const (
	ReasonTaxCurrencyMismatch = "tax.currency_mismatch"
	ReasonTaxTooManyDecimals  = "tax.too_many_decimals"
	ReasonTaxMixedInclusive   = "tax.mixed_inclusive"
)

// maxTaxDigits bounds the digits CalculateTaxes rounds to: no currency has
// more than a few, and the bound keeps a wild argument from building huge
// numbers.
const maxTaxDigits = 18

// maxTaxRate bounds a rate, in percent.
var maxTaxRate = decimal.NewFromInt(1000)

// CalculateTaxes computes the taxes of lines in one currency with digits
// decimals, rounding per line or per document. It is pure: invoices and
// order prices both use it, so a document and the order it bills agree to
// the cent.
//
// A line's taxes are either all exclusive (added on top of Amount, its
// net) or all inclusive (extracted from Amount, its gross); a line that
// mixes them is refused, since the price would not say what it includes.
// An exclusive tax is net × rate / 100; a compound one (level 2 only) is
// (net + the line's level-1 taxes) × rate / 100. An inclusive line's net is
// the amount the same taxes would turn into its gross: gross / (1 + Σ the
// taxes' shares of the net), with compound shares counted the same way, so
// extracting and adding agree.
//
// Exact values are computed with rational numbers and rounded half away
// from zero to digits:
//
//   - TaxRoundPerLine rounds each tax of each line; the document's taxes
//     are the sums of the rounded ones.
//   - TaxRoundPerDocument sums each tax's exact amounts per (code, rate)
//     over the lines, rounds each sum once, and gives the lines their shares
//     of it by the largest remainder method (the lines whose exact share
//     lost most in the cut get the remaining units; ties go to the earlier
//     line), so the lines still sum exactly to the summary.
//
// Either way, per line and per document Net + Tax = Gross, each line's
// taxes sum to its Tax, the lines sum to the totals, and the summary sums
// to Tax. Negating every amount negates every result (a credit note mirrors
// its invoice to the cent).
//
// Errors are invalid and name the field: "lines" when there is none,
// "lines[i].amount" for a line in another currency than the first
// (tax.currency_mismatch) or with more decimals than digits
// (tax.too_many_decimals), "lines[i].taxes[j].<field>" for a bad tax, and
// "rounding" or "digits".
func CalculateTaxes(lines []TaxableLine, rounding TaxRounding, digits int32) (TaxTotals, error) {
	var v billkit.FieldErrors
	v.Check(rounding == TaxRoundPerLine || rounding == TaxRoundPerDocument, "rounding", "tax.rounding_unknown",
		fmt.Sprintf("must be %q or %q", TaxRoundPerLine, TaxRoundPerDocument))
	v.Check(digits >= 0 && digits <= maxTaxDigits, "digits", "tax.digits_out_of_range", fmt.Sprintf("must be between 0 and %d", maxTaxDigits))
	if !v.Check(len(lines) > 0, "lines", "required", "at least one line is required") {
		return TaxTotals{}, v.Err()
	}
	currency := lines[0].Amount.Currency()
	for i, l := range lines {
		field := fmt.Sprintf("lines[%d]", i)
		switch {
		case l.Amount.Currency() == "":
			v.Add(field+".amount", "required", "is required")
		case l.Amount.Currency() != currency:
			v.Add(field+".amount", ReasonTaxCurrencyMismatch, fmt.Sprintf("must be in %s like the first line", currency))
		case digits >= 0 && digits <= maxTaxDigits && !l.Amount.Amount().Round(digits).Equal(l.Amount.Amount()):
			v.Add(field+".amount", ReasonTaxTooManyDecimals, fmt.Sprintf("must have at most %d decimals", digits))
		}
		inclusive := 0
		for j, t := range l.Taxes {
			tf := fmt.Sprintf("%s.taxes[%d]", field, j)
			v.Check(t.Code != "", tf+".code", "required", "is required")
			v.Check(!t.Rate.IsNegative() && t.Rate.LessThanOrEqual(maxTaxRate), tf+".rate", "tax.rate_out_of_range", "must be between 0 and 1000 percent")
			if v.Check(t.Level == 1 || t.Level == 2, tf+".level", "tax.level_unknown", "must be 1 or 2") {
				v.Check(!t.Compound || t.Level == 2, tf+".compound", "tax.compound_level", "only a level-2 tax can be compound")
			}
			if t.Inclusive {
				inclusive++
			}
		}
		v.Check(inclusive == 0 || inclusive == len(l.Taxes), field+".taxes", ReasonTaxMixedInclusive,
			"a line's taxes must be all inclusive or all exclusive")
	}
	if err := v.Err(); err != nil {
		return TaxTotals{}, err
	}
	c := taxCalc{currency: currency, digits: digits, scale: new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)}
	return c.run(lines, rounding)
}

// taxCalc computes in units of the currency's smallest digit: integers for
// what is rounded, rationals for exact values.
type taxCalc struct {
	currency string
	digits   int32
	scale    *big.Int // 10^digits
}

// taxEntry is one tax of one line while computing.
type taxEntry struct {
	line, tax int
	group     int
	exact     *big.Rat // in units
	rounded   *big.Int // in units
}

// units returns m in units of the smallest digit, exactly (m has at most
// digits decimals).
func (c taxCalc) units(m billkit.Money) *big.Int {
	r := c.rat(m.Amount())
	r.Mul(r, new(big.Rat).SetInt(c.scale))
	return new(big.Int).Set(r.Num()) // the denominator is 1
}

func (c taxCalc) rat(d decimal.Decimal) *big.Rat {
	r := new(big.Rat).SetInt(d.Coefficient())
	e := int64(d.Exponent())
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(abs64(e)), nil)
	if e >= 0 {
		return r.Mul(r, new(big.Rat).SetInt(p))
	}
	return r.Quo(r, new(big.Rat).SetInt(p))
}

func abs64(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// money turns units back into Money with exactly digits decimals.
func (c taxCalc) money(units *big.Int) (billkit.Money, error) {
	return billkit.NewMoney(decimal.NewFromBigInt(units, -c.digits), c.currency)
}

// roundHalfUp rounds r to an integer, halves away from zero, so that
// rounding a negated value gives the negated result.
func roundHalfUp(r *big.Rat) *big.Int {
	num := new(big.Int).Abs(r.Num())
	den := r.Denom()
	// floor((2|num| + den) / 2den) = floor(|r| + 1/2)
	n := new(big.Int).Lsh(num, 1)
	n.Add(n, den)
	q := n.Quo(n, new(big.Int).Lsh(den, 1))
	if r.Sign() < 0 {
		q.Neg(q)
	}
	return q
}

// floorRat returns the largest integer not above r.
func floorRat(r *big.Rat) *big.Int {
	// DivMod is Euclidean: with a positive denominator, q is the floor.
	q, _ := new(big.Int).DivMod(r.Num(), r.Denom(), new(big.Int))
	return q
}

func (c taxCalc) run(lines []TaxableLine, rounding TaxRounding) (TaxTotals, error) {
	hundred := big.NewRat(100, 1)
	type groupInfo struct {
		code, name, rate string
		entries          []int
	}
	var (
		entries []taxEntry
		groups  []groupInfo
		byKey   = map[string]int{}
		amounts = make([]*big.Int, len(lines))
	)
	for i, l := range lines {
		amounts[i] = c.units(l.Amount)
		if len(l.Taxes) == 0 {
			continue
		}
		// Each tax's share of the net: rate, or rate × (1 + level-1 rates)
		// for a compound tax.
		level1 := new(big.Rat)
		for _, t := range l.Taxes {
			if t.Level == 1 {
				level1.Add(level1, new(big.Rat).Quo(c.rat(t.Rate), hundred))
			}
		}
		shares := make([]*big.Rat, len(l.Taxes))
		sum := new(big.Rat)
		for j, t := range l.Taxes {
			s := new(big.Rat).Quo(c.rat(t.Rate), hundred)
			if t.Compound {
				s.Mul(s, new(big.Rat).Add(big.NewRat(1, 1), level1))
			}
			shares[j] = s
			sum.Add(sum, s)
		}
		net := new(big.Rat).SetInt(amounts[i])
		if l.Taxes[0].Inclusive {
			net.Quo(net, sum.Add(sum, big.NewRat(1, 1)))
		}
		for j, t := range l.Taxes {
			rate := t.Rate.String()
			key := t.Code + "\x00" + rate
			g, ok := byKey[key]
			if !ok {
				g = len(groups)
				byKey[key] = g
				groups = append(groups, groupInfo{code: t.Code, name: t.Name, rate: rate})
			}
			groups[g].entries = append(groups[g].entries, len(entries))
			entries = append(entries, taxEntry{line: i, tax: j, group: g, exact: new(big.Rat).Mul(net, shares[j])})
		}
	}

	switch rounding {
	case TaxRoundPerLine:
		for k := range entries {
			entries[k].rounded = roundHalfUp(entries[k].exact)
		}
	default:
		for _, g := range groups {
			if err := distribute(entries, g.entries); err != nil {
				return TaxTotals{}, err
			}
		}
	}

	// Lines: their taxes, then net and gross.
	lineTax := make([]*big.Int, len(lines))
	for i := range lines {
		lineTax[i] = new(big.Int)
	}
	for _, e := range entries {
		lineTax[e.line].Add(lineTax[e.line], e.rounded)
	}
	out := TaxTotals{Lines: make([]TaxedLine, len(lines))}
	nets := make([]*big.Int, len(lines))
	totNet, totTax, totGross := new(big.Int), new(big.Int), new(big.Int)
	for i, l := range lines {
		net, gross := new(big.Int).Set(amounts[i]), new(big.Int).Set(amounts[i])
		if len(l.Taxes) > 0 && l.Taxes[0].Inclusive {
			net.Sub(net, lineTax[i])
		} else {
			gross.Add(gross, lineTax[i])
		}
		nets[i] = net
		totNet.Add(totNet, net)
		totTax.Add(totTax, lineTax[i])
		totGross.Add(totGross, gross)
		var err error
		tl := &out.Lines[i]
		if tl.Net, err = c.money(net); err != nil {
			return TaxTotals{}, err
		}
		if tl.Tax, err = c.money(lineTax[i]); err != nil {
			return TaxTotals{}, err
		}
		if tl.Gross, err = c.money(gross); err != nil {
			return TaxTotals{}, err
		}
		if len(l.Taxes) > 0 {
			tl.Taxes = make([]LineTax, len(l.Taxes))
		}
	}
	for _, e := range entries {
		t := lines[e.line].Taxes[e.tax]
		amount, err := c.money(e.rounded)
		if err != nil {
			return TaxTotals{}, err
		}
		out.Lines[e.line].Taxes[e.tax] = LineTax{Code: t.Code, Name: t.Name, Rate: groups[e.group].rate, Amount: amount}
	}
	for _, g := range groups {
		base, amount := new(big.Int), new(big.Int)
		counted := map[int]bool{}
		for _, k := range g.entries {
			e := entries[k]
			amount.Add(amount, e.rounded)
			if !counted[e.line] {
				counted[e.line] = true
				base.Add(base, nets[e.line])
			}
		}
		s := TaxSummary{Code: g.code, Name: g.name, Rate: g.rate}
		var err error
		if s.Base, err = c.money(base); err != nil {
			return TaxTotals{}, err
		}
		if s.Amount, err = c.money(amount); err != nil {
			return TaxTotals{}, err
		}
		out.Summary = append(out.Summary, s)
	}
	var err error
	if out.Net, err = c.money(totNet); err != nil {
		return TaxTotals{}, err
	}
	if out.Tax, err = c.money(totTax); err != nil {
		return TaxTotals{}, err
	}
	if out.Gross, err = c.money(totGross); err != nil {
		return TaxTotals{}, err
	}
	return out, nil
}

// distribute rounds the sum of the exact amounts of the entries listed
// once, and gives each entry its share by the largest remainder method. A
// negative sum is distributed as the mirror of the positive one, so that a
// negated document gets exactly the negated shares.
func distribute(entries []taxEntry, list []int) error {
	sum := new(big.Rat)
	for _, k := range list {
		sum.Add(sum, entries[k].exact)
	}
	sign := 1
	if sum.Sign() < 0 {
		sign = -1
		sum.Neg(sum)
	}
	total := roundHalfUp(sum)
	type cut struct {
		k   int
		rem *big.Rat
	}
	cuts := make([]cut, 0, len(list))
	floors := new(big.Int)
	for _, k := range list {
		x := new(big.Rat).Set(entries[k].exact)
		if sign < 0 {
			x.Neg(x)
		}
		f := floorRat(x)
		floors.Add(floors, f)
		entries[k].rounded = f
		cuts = append(cuts, cut{k: k, rem: x.Sub(x, new(big.Rat).SetInt(f))})
	}
	left := new(big.Int).Sub(total, floors)
	if left.Sign() < 0 || left.Cmp(big.NewInt(int64(len(list)))) > 0 {
		// Unreachable: the floors lose less than one unit each, and the
		// rounded sum is within half a unit of the exact one.
		return billkit.Errorf(billkit.CodeInternal, "tax.distribution", "cannot distribute %s units over %d lines", left, len(list))
	}
	slices.SortStableFunc(cuts, func(a, b cut) int { return b.rem.Cmp(a.rem) })
	for i := 0; i < int(left.Int64()); i++ {
		k := cuts[i].k
		entries[k].rounded.Add(entries[k].rounded, big.NewInt(1))
	}
	if sign < 0 {
		for _, k := range list {
			entries[k].rounded.Neg(entries[k].rounded)
		}
	}
	return nil
}
