package billing

import (
	"cmp"
	"slices"
	"strings"

	"github.com/billkit/billkit"
)

// TaxQuery is what SelectTaxRules matches rules against: where the payer
// is, what is sold, and when.
type TaxQuery struct {
	// Country and Region are the payer's; both empty when the sale has no
	// payer, and then only rules for any country match.
	Country string `json:"country,omitempty"`
	Region  string `json:"region,omitempty"`
	// ProductType is the catalog product type's code; empty for a sale of
	// no product, which only rules for every product match.
	ProductType string       `json:"product_type,omitempty"`
	Date        billkit.Date `json:"date"`
}

// Matches reports whether the rule applies to the sale q describes: in
// force on its date, for its country (or any), its region (or the whole
// country) and its product type (or every product).
func (r *TaxRule) Matches(q TaxQuery) bool {
	return r.InForce(q.Date) &&
		(r.Country == "" || r.Country == q.Country) &&
		(r.Region == "" || r.Region == q.Region) &&
		(len(r.ProductTypes) == 0 || q.ProductType != "" && slices.Contains(r.ProductTypes, q.ProductType))
}

// specificity ranks how closely a matching rule targets a sale: a rule for
// the payer's country beats one for any country, a rule for the region one
// for the whole country, and a rule naming the product one for every
// product, in that order of weight.
func (r *TaxRule) specificity() int {
	s := 0
	if r.Country != "" {
		s += 4
	}
	if r.Region != "" {
		s += 2
	}
	if len(r.ProductTypes) > 0 {
		s++
	}
	return s
}

// SelectTaxRules returns the rules that apply to the sale q describes, at
// most one per code and level, ordered by level then code. Among the
// matching rules of one code and level the one with the highest Priority
// wins; on equal priorities, the most specific (see specificity: the
// payer's country, then region, then product type); then the one valid
// from the latest date; then the lowest ID. It is a pure function.
func SelectTaxRules(rules []TaxRule, q TaxQuery) []TaxRule {
	type key struct {
		code  string
		level int
	}
	best := map[key]int{}
	for i := range rules {
		r := &rules[i]
		if !r.Matches(q) {
			continue
		}
		k := key{r.Code, r.Level}
		j, seen := best[k]
		if !seen || betterRule(r, &rules[j]) {
			best[k] = i
		}
	}
	out := make([]TaxRule, 0, len(best))
	for _, i := range best {
		out = append(out, rules[i])
	}
	slices.SortFunc(out, func(a, b TaxRule) int {
		if c := cmp.Compare(a.Level, b.Level); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out
}

// betterRule reports whether a wins over b for the same code and level.
func betterRule(a, b *TaxRule) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	if sa, sb := a.specificity(), b.specificity(); sa != sb {
		return sa > sb
	}
	if c := a.ValidFrom.Compare(b.ValidFrom); c != 0 {
		return c > 0
	}
	return a.ID.String() < b.ID.String()
}

// AppliedTaxes turns selected rules into the taxes of a decision, with
// their names in the locale.
func AppliedTaxes(rules []TaxRule, locale string) []AppliedTax {
	out := make([]AppliedTax, 0, len(rules))
	for _, r := range rules {
		out = append(out, AppliedTax{
			RuleID: r.ID, Code: r.Code, Name: r.Name.Get(locale), Rate: r.Rate,
			Level: r.Level, Compound: r.Compound, Inclusive: r.Inclusive,
		})
	}
	return out
}
