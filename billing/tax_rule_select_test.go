package billing_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/google/go-cmp/cmp"
)

// sel is a rule for SelectTaxRules' table: named by its Code's suffix so
// that the test reads which one won.
func selRule(name, code string, level int, country, region string, rate string, f ...func(*billing.TaxRule)) billing.TaxRule {
	r := billing.TaxRule{
		ID: billkit.NewID[billing.TaxRule](), Code: code, Name: directory.Text{"en": name, "ru": name + " (ru)"},
		Country: country, Region: region, Rate: dec(rate), Level: level,
	}
	for _, fn := range f {
		fn(&r)
	}
	return r
}

func ruleProducts(pts ...string) func(*billing.TaxRule) {
	return func(r *billing.TaxRule) { r.ProductTypes = pts }
}

func ruleValid(from, to billkit.Date) func(*billing.TaxRule) {
	return func(r *billing.TaxRule) { r.ValidFrom, r.ValidTo = from, to }
}

func rulePriority(p int) func(*billing.TaxRule) { return func(r *billing.TaxRule) { r.Priority = p } }

func TestSelectTaxRules(t *testing.T) {
	d := billkit.MustDate
	rules := []billing.TaxRule{
		selRule("DE standard", "vat", 1, "DE", "", "19"),
		selRule("DE ebooks", "vat", 1, "DE", "", "7", ruleProducts("ebook")),
		selRule("Home rate", "vat", 1, "", "", "20"),
		selRule("FR 2023", "vat", 1, "FR", "", "20", ruleValid(d(2023, 1, 1), d(2024, 1, 1))),
		selRule("FR 2024", "vat", 1, "FR", "", "21", ruleValid(d(2024, 1, 1), billkit.Date{})),
		selRule("CA GST", "gst", 1, "CA", "", "5"),
		selRule("QC QST", "qst", 2, "CA", "CA-QC", "9.975", func(r *billing.TaxRule) { r.Compound = true }),
		selRule("ON HST", "hst", 2, "CA", "CA-ON", "8"),
		selRule("Everywhere levy", "levy", 2, "", "", "1", ruleProducts("domain")),
		selRule("ES override", "vat", 1, "", "", "0", rulePriority(10), ruleProducts("charity")),
	}
	names := func(rs []billing.TaxRule) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.Name["en"])
		}
		return out
	}
	for _, tc := range []struct {
		name string
		q    billing.TaxQuery
		want []string
	}{
		{"exact country beats any country", billing.TaxQuery{Country: "DE", ProductType: "vps", Date: d(2024, 5, 1)}, []string{"DE standard"}},
		{"listed product beats all products", billing.TaxQuery{Country: "DE", ProductType: "ebook", Date: d(2024, 5, 1)}, []string{"DE ebooks"}},
		{"no rule for the country: any country", billing.TaxQuery{Country: "US", Region: "US-CA", ProductType: "vps", Date: d(2024, 5, 1)}, []string{"Home rate"}},
		{"no payer: any country only", billing.TaxQuery{ProductType: "vps", Date: d(2024, 5, 1)}, []string{"Home rate"}},
		{"no product: rules for every product", billing.TaxQuery{Country: "DE", Date: d(2024, 5, 1)}, []string{"DE standard"}},
		{"date before a change", billing.TaxQuery{Country: "FR", Date: d(2023, 12, 31)}, []string{"FR 2023"}},
		{"date of a change", billing.TaxQuery{Country: "FR", Date: d(2024, 1, 1)}, []string{"FR 2024"}},
		{"two levels add up, by level", billing.TaxQuery{Country: "CA", Region: "CA-QC", Date: d(2024, 5, 1)}, []string{"CA GST", "Home rate", "QC QST"}},
		{"another region's second level does not apply", billing.TaxQuery{Country: "CA", Region: "CA-BC", Date: d(2024, 5, 1)}, []string{"CA GST", "Home rate"}},
		{"a second level for every country", billing.TaxQuery{Country: "DE", ProductType: "domain", Date: d(2024, 5, 1)}, []string{"DE standard", "Everywhere levy"}},
		{"priority beats specificity", billing.TaxQuery{Country: "DE", ProductType: "charity", Date: d(2024, 5, 1)}, []string{"ES override"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, names(billing.SelectTaxRules(rules, tc.q))); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		})
	}

	// The order among equals does not depend on the input's order.
	a := selRule("A", "vat", 1, "", "", "1", ruleValid(d(2024, 1, 1), billkit.Date{}))
	b := selRule("B", "vat", 1, "", "", "2", ruleValid(d(2024, 2, 1), billkit.Date{}))
	for _, in := range [][]billing.TaxRule{{a, b}, {b, a}} {
		if got := names(billing.SelectTaxRules(in, billing.TaxQuery{Date: d(2024, 3, 1)})); got[0] != "B" {
			t.Fatalf("the rule valid from the later date should win: %v", got)
		}
	}

	taxes := billing.AppliedTaxes(billing.SelectTaxRules(rules, billing.TaxQuery{Country: "CA", Region: "CA-QC", Date: d(2024, 5, 1)}), "ru")
	if len(taxes) != 3 || taxes[2].Name != "QC QST (ru)" || !taxes[2].Compound || taxes[2].Level != 2 || !taxes[2].Rate.Equal(dec("9.975")) {
		t.Fatalf("AppliedTaxes = %+v", taxes)
	}
}

func TestTaxRuleOverlaps(t *testing.T) {
	d := billkit.MustDate
	co := billkit.NewID[billing.Company]()
	r := func(f ...func(*billing.TaxRule)) *billing.TaxRule {
		x := selRule("x", "vat", 1, "DE", "", "19", f...)
		x.CompanyID = co
		return &x
	}
	for _, tc := range []struct {
		name string
		a, b *billing.TaxRule
		want bool
	}{
		{"open windows", r(), r(), true},
		{"adjacent windows", r(ruleValid(d(2024, 1, 1), d(2024, 7, 1))), r(ruleValid(d(2024, 7, 1), billkit.Date{})), false},
		{"nested windows", r(ruleValid(d(2024, 1, 1), d(2025, 1, 1))), r(ruleValid(d(2024, 3, 1), d(2024, 4, 1))), true},
		{"shared product", r(ruleProducts("a", "b")), r(ruleProducts("b")), true},
		{"disjoint products", r(ruleProducts("a")), r(ruleProducts("b")), false},
		{"list and every product", r(ruleProducts("a")), r(), false},
		{"other company", r(), func() *billing.TaxRule { x := r(); x.CompanyID = billkit.NewID[billing.Company](); return x }(), false},
	} {
		if got := tc.a.Overlaps(tc.b); got != tc.want {
			t.Errorf("%s: Overlaps = %v", tc.name, got)
		}
		if got := tc.b.Overlaps(tc.a); got != tc.want {
			t.Errorf("%s (reversed): Overlaps = %v", tc.name, got)
		}
	}
	same := r()
	if same.Overlaps(same) {
		t.Error("a rule overlaps itself")
	}
}
