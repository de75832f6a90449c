package billkit

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/shopspring/decimal"
)

// MaxSplitParts is the most parts Split makes. It keeps a wild count from
// allocating without bound; real splits (installments, services on one
// invoice) are far smaller.
const MaxSplitParts = 100000

// Allocate splits m in proportion to ratios, so that the parts sum exactly
// to m: no cent is lost or made up. Each part has the currency's standard
// decimals (see Round), or m's own decimals when m is finer ("0.005 USD" is
// split in thousandths). The units that proportional shares leave over go,
// one each, to the parts whose exact share lost most in the cut (the largest
// remainder method), ties to the earlier part, so the result is
// deterministic: 100.00 by 1:1:1 is 33.34, 33.33, 33.33. A negative m gives
// negative parts, mirroring the positive case. A part whose ratio is zero is
// always zero.
//
// Ratios must be non-negative, at least one must be positive, and each at
// most MaxAmountDigits digits long; otherwise Allocate returns an invalid
// *Error on field "ratios" or "ratios[i]". The zero Money gives reason
// "money.currency_mismatch".
func (m Money) Allocate(ratios ...decimal.Decimal) ([]Money, error) {
	if m.currency == "" {
		return nil, noCurrency()
	}
	if len(ratios) == 0 {
		return nil, InvalidField("ratios", "money.ratios_empty", "at least one ratio is required")
	}
	minExp := int32(0)
	positive := false
	for i, r := range ratios {
		field := fmt.Sprintf("ratios[%d]", i)
		if r.IsNegative() {
			return nil, InvalidField(field, "money.ratio_negative", "must not be negative")
		}
		if n := plainDigits(r); n > MaxAmountDigits {
			return nil, InvalidField(field, "money.ratio_out_of_range",
				fmt.Sprintf("has %d digits, more than the %d allowed", n, MaxAmountDigits))
		}
		if r.IsPositive() {
			positive = true
			minExp = min(minExp, r.Exponent())
		}
	}
	if !positive {
		return nil, InvalidField("ratios", "money.ratios_zero", "at least one ratio must be positive")
	}
	// Ratios as integers on a common scale: 0.5 and 1.25 become 50 and 125.
	weights := make([]*big.Int, len(ratios))
	for i, r := range ratios {
		w := r.Coefficient()
		if r.IsPositive() {
			if s := int64(r.Exponent()) - int64(minExp); s > 0 {
				w.Mul(w, pow10(s))
			}
		} else {
			w.SetInt64(0)
		}
		weights[i] = w
	}
	digits, total := m.units()
	shares := allocateUnits(new(big.Int).Abs(total), weights)
	return m.partsFromUnits(shares, digits, total.Sign() < 0), nil
}

// Split splits m into n parts as equal as possible that sum exactly to m, the
// larger parts first: 100.00 USD in 3 is 33.34, 33.33, 33.33. Decimals are
// as in Allocate. n must be between 1 and MaxSplitParts; otherwise Split
// returns an invalid *Error on field "n", reason
// "money.split_count_out_of_range".
func (m Money) Split(n int) ([]Money, error) {
	if m.currency == "" {
		return nil, noCurrency()
	}
	if n < 1 || n > MaxSplitParts {
		return nil, InvalidField("n", "money.split_count_out_of_range",
			fmt.Sprintf("%d parts: must be between 1 and %d", n, MaxSplitParts))
	}
	digits, total := m.units()
	q, r := new(big.Int).QuoRem(new(big.Int).Abs(total), big.NewInt(int64(n)), new(big.Int))
	extra := r.Int64() // r < n, so it fits
	shares := make([]*big.Int, n)
	q1 := new(big.Int).Add(q, big.NewInt(1))
	for i := range shares {
		if int64(i) < extra {
			shares[i] = q1
		} else {
			shares[i] = q
		}
	}
	return m.partsFromUnits(shares, digits, total.Sign() < 0), nil
}

// units returns the decimals parts are made with, and m as an integer count
// of units of that many decimals.
func (m Money) units() (int32, *big.Int) {
	digits := max(roundingDigits(m.currency), -m.amount.Exponent())
	total := m.amount.Coefficient()
	// digits >= -exponent, so this scaling is exact.
	if s := int64(m.amount.Exponent()) + int64(digits); s > 0 {
		total.Mul(total, pow10(s))
	}
	return digits, total
}

// partsFromUnits turns unit counts back into Money, negated when negative.
// Shares may be shared pointers (Split); they are only read.
func (m Money) partsFromUnits(shares []*big.Int, digits int32, negative bool) []Money {
	parts := make([]Money, len(shares))
	for i, s := range shares {
		v := new(big.Int).Set(s)
		if negative {
			v.Neg(v)
		}
		parts[i] = Money{amount: decimal.NewFromBigInt(v, -digits), currency: m.currency}
	}
	return parts
}

// allocateUnits splits total (>= 0) units by the weights (>= 0, not all zero)
// with the largest remainder method.
func allocateUnits(total *big.Int, weights []*big.Int) []*big.Int {
	sum := new(big.Int)
	for _, w := range weights {
		sum.Add(sum, w)
	}
	shares := make([]*big.Int, len(weights))
	rems := make([]*big.Int, len(weights))
	given := new(big.Int)
	for i, w := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(total, w), sum, new(big.Int))
		shares[i], rems[i] = q, r
		given.Add(given, q)
	}
	// What is left is less than the number of parts with a non-zero
	// remainder, since each remainder is less than one unit.
	left := new(big.Int).Sub(total, given).Int64()
	if left == 0 {
		return shares
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rems[b].Cmp(rems[a]) })
	for _, i := range order[:left] {
		shares[i].Add(shares[i], big.NewInt(1))
	}
	return shares
}
