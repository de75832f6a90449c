package catalog_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

const starterCatalog = "../examples/catalog/catalog.yaml"

func parseFile(t *testing.T, path string) catalog.Catalog {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := catalog.ParseCatalog(f, catalog.FormatOf(path, catalog.FormatYAML))
	if err != nil {
		t.Fatalf("ParseCatalog(%s): %v", path, err)
	}
	return c
}

func export(t *testing.T, c catalog.Catalog, f catalog.Format) string {
	t.Helper()
	var b bytes.Buffer
	if err := catalog.ExportCatalog(&b, c, f); err != nil {
		t.Fatalf("ExportCatalog(%s): %v", f, err)
	}
	return b.String()
}

func invalid(t *testing.T, err error) *billkit.Error {
	t.Helper()
	var be *billkit.Error
	if !errors.As(err, &be) || be.Code != billkit.CodeInvalid {
		t.Fatalf("got %v, want an invalid *billkit.Error", err)
	}
	return be
}

func TestStarterCatalogIsValid(t *testing.T) {
	c := parseFile(t, starterCatalog)
	if err := catalog.ValidateCatalog(c); err != nil {
		t.Fatalf("the starter catalog does not validate: %v", err)
	}
	kinds := map[catalog.Kind]int{}
	for _, pt := range c.ProductTypes {
		kinds[pt.Kind]++
	}
	byType := map[string]int{}
	billing := map[catalog.BillingType]bool{}
	for _, tr := range c.Tariffs {
		byType[tr.ProductType]++
		for _, a := range tr.Addons {
			billing[a.BillingType] = true
		}
	}
	if byType["shared-hosting"] != 3 || byType["vps"] != 2 || byType["dedicated"] != 1 || byType["domain"] != 4 || byType["ssl"] != 1 {
		t.Errorf("tariffs per type: %v", byType)
	}
	for _, b := range catalog.BillingTypes() {
		if !billing[b] {
			t.Errorf("no addon billed %s in the starter catalog", b)
		}
	}
	if kinds[catalog.KindDomain] != 1 || kinds[catalog.KindSSL] != 1 {
		t.Errorf("kinds: %v", kinds)
	}
	// Amounts keep every digit they were written with.
	p, ok := catalog.FindPrice(c.Tariffs[0].Prices, catalog.PeriodMonth, "USD")
	if !ok || !p.Amount.Equal(decimal.RequireFromString("2.99")) {
		t.Errorf("hosting-lite month USD = %v", p)
	}
}

func TestExportRoundTrip(t *testing.T) {
	c := parseFile(t, starterCatalog)
	for _, f := range catalog.Formats() {
		t.Run(string(f), func(t *testing.T) {
			first := export(t, c, f)
			back, err := catalog.ParseCatalog(strings.NewReader(first), f)
			if err != nil {
				t.Fatalf("reading the export back: %v", err)
			}
			if err := catalog.ValidateCatalog(back); err != nil {
				t.Fatalf("the export does not validate: %v", err)
			}
			if second := export(t, back, f); second != first {
				t.Fatalf("export → import → export differs:\n%s\n---\n%s", first, second)
			}
		})
	}
	// Either format reads back into the same document.
	fromJSON, err := catalog.ParseCatalog(strings.NewReader(export(t, c, catalog.FormatJSON)), catalog.FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	if export(t, fromJSON, catalog.FormatYAML) != export(t, c, catalog.FormatYAML) {
		t.Fatal("JSON and YAML exports hold different catalogs")
	}
}

func TestExportIsSorted(t *testing.T) {
	c := parseFile(t, starterCatalog)
	// The same catalog in another order exports the same bytes.
	shuffled := c
	shuffled.Tariffs = append([]catalog.TariffDoc(nil), c.Tariffs...)
	for i, j := 0, len(shuffled.Tariffs)-1; i < j; i, j = i+1, j-1 {
		shuffled.Tariffs[i], shuffled.Tariffs[j] = shuffled.Tariffs[j], shuffled.Tariffs[i]
	}
	if export(t, shuffled, catalog.FormatYAML) != export(t, c, catalog.FormatYAML) {
		t.Fatal("export depends on the order of the tariffs")
	}
	sorted := catalog.SortCatalog(c)
	for i := 1; i < len(sorted.Tariffs); i++ {
		if sorted.Tariffs[i-1].Code >= sorted.Tariffs[i].Code {
			t.Fatalf("tariffs not sorted by code: %s before %s", sorted.Tariffs[i-1].Code, sorted.Tariffs[i].Code)
		}
	}
	if c.Tariffs[0].Code != "hosting-lite" {
		t.Fatal("SortCatalog changed its argument")
	}
}

func TestValidateCatalogNamesTheRow(t *testing.T) {
	c := parseFile(t, "testdata/catalog_bad_row.yaml")
	be := invalid(t, catalog.ValidateCatalog(c))
	f, ok := be.Field("tariffs[3].prices.month.USD.amount")
	if !ok || len(be.Fields) != 1 {
		t.Fatalf("fields %+v, want tariffs[3].prices.month.USD.amount only", be.Fields)
	}
	if f.Reason != catalog.ReasonPriceNegative || !strings.Contains(f.Message, "broken") {
		t.Fatalf("field error %+v: want %s naming tariff broken", f, catalog.ReasonPriceNegative)
	}
}

func TestValidateCatalogRejects(t *testing.T) {
	base := func() catalog.Catalog { return parseFile(t, "testdata/catalog_small.json") }
	if err := catalog.ValidateCatalog(base()); err != nil {
		t.Fatalf("the small catalog: %v", err)
	}
	for _, tc := range []struct {
		name   string
		change func(c *catalog.Catalog)
		field  string
		reason string
	}{
		{"unknown product type", func(c *catalog.Catalog) { c.Tariffs[0].ProductType = "nope" }, "tariffs[0].product_type", catalog.ReasonReferenceUnknown},
		{"unknown group", func(c *catalog.Catalog) { c.Tariffs[0].Group = "nope" }, "tariffs[0].group", catalog.ReasonReferenceUnknown},
		{"duplicate tariff", func(c *catalog.Catalog) { c.Tariffs = append(c.Tariffs, c.Tariffs[0]) }, "tariffs[1].code", catalog.ReasonCodeDuplicate},
		{"min above max", func(c *catalog.Catalog) { c.Tariffs[0].Addons[0].Min = decimal.NewFromInt(9) }, "tariffs[0].addons[0].min", catalog.ReasonMinAboveMax},
		{"step not dividing", func(c *catalog.Catalog) { c.Tariffs[0].Addons[0].Step = decimal.NewFromInt(2) }, "tariffs[0].addons[0].step", catalog.ReasonStepNotDividing},
		{"value outside the enumeration", func(c *catalog.Catalog) { c.Tariffs[0].Addons[1].Options[0].Value = "windows" }, "tariffs[0].addons[1].options[0].value", catalog.ReasonValueUnknown},
		{"hourly price the type forbids", func(c *catalog.Catalog) {
			c.Tariffs[0].Prices = append(c.Tariffs[0].Prices, catalog.Price{Period: catalog.PeriodHour, Currency: "USD", Amount: decimal.RequireFromString("0.01")})
		}, "tariffs[0].prices.hour.USD.period", catalog.ReasonPeriodNotAllowed},
		{"bad kind", func(c *catalog.Catalog) { c.ProductTypes[0].Kind = "spaceship" }, "product_types[0].kind", "catalog.kind_unknown"},
		{"empty enumeration", func(c *catalog.Catalog) { c.Enumerations[0].Values = nil }, "enumerations[0].values", catalog.ReasonEnumNoValues},
		{"price version of an unknown tariff", func(c *catalog.Catalog) {
			c.PriceVersions = []catalog.PriceVersionDoc{{Tariff: "nope", EffectiveDate: billkit.MustDate(2026, 1, 1), Policy: catalog.PolicyNow,
				Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: decimal.NewFromInt(6)}}}}
		}, "price_versions[0].tariff", catalog.ReasonReferenceUnknown},
		{"keep policy without periods", func(c *catalog.Catalog) {
			c.PriceVersions = []catalog.PriceVersionDoc{{Tariff: "vps-small", EffectiveDate: billkit.MustDate(2026, 1, 1), Policy: catalog.PolicyKeepForPeriods,
				Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: decimal.NewFromInt(6)}}}}
		}, "price_versions[0].keep_periods", "catalog.keep_periods_missing"},
		{"OS image of an unknown tariff", func(c *catalog.Catalog) {
			c.OSImages = []catalog.OSImageDoc{{Code: "debian-12", Name: "Debian 12", Tariffs: []string{"nope"}}}
		}, "os_images[0].tariffs[0]", catalog.ReasonReferenceUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.change(&c)
			be := invalid(t, catalog.ValidateCatalog(c))
			f, ok := be.Field(tc.field)
			if !ok || f.Reason != tc.reason {
				t.Fatalf("fields %+v, want %s with %s", be.Fields, tc.field, tc.reason)
			}
		})
	}
}

func TestValidateCatalogKnown(t *testing.T) {
	// A document listing only tariffs validates against the stored catalog
	// its references resolve to.
	full := parseFile(t, "testdata/catalog_small.json")
	part := catalog.Catalog{Tariffs: full.Tariffs}
	if err := catalog.ValidateCatalog(part); err == nil {
		t.Fatal("references to nothing accepted")
	}
	if err := catalog.ValidateCatalog(part, catalog.Catalog{ProductTypes: full.ProductTypes, Enumerations: full.Enumerations}); err != nil {
		t.Fatalf("with the known catalog: %v", err)
	}
}

func TestParseCatalogStrict(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		f         catalog.Format
		field     string
	}{
		{"unknown field", "tariffs:\n  - code: a\n    colour: red\n", catalog.FormatYAML, "tariffs[0].colour"},
		{"typo at the top", `{"tarifs":[]}`, catalog.FormatJSON, "tarifs"},
		{"bad amount", "tariffs:\n  - code: a\n    prices: [{period: month, currency: USD, amount: ten}]\n", catalog.FormatYAML, "document"},
		{"two documents", "tariffs: []\n---\ntariffs: []\n", catalog.FormatYAML, "document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := catalog.ParseCatalog(strings.NewReader(tc.src), tc.f)
			be := invalid(t, err)
			if _, ok := be.Field(tc.field); !ok {
				t.Fatalf("fields %+v, want %s", be.Fields, tc.field)
			}
		})
	}
}

func FuzzParseCatalog(f *testing.F) {
	for _, p := range []string{starterCatalog, "testdata/catalog_bad_row.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
	b, _ := os.ReadFile("testdata/catalog_small.json")
	f.Add(b, false)
	f.Fuzz(func(t *testing.T, data []byte, yaml bool) {
		format := catalog.FormatJSON
		if yaml {
			format = catalog.FormatYAML
		}
		c, err := catalog.ParseCatalog(bytes.NewReader(data), format)
		if err != nil {
			var be *billkit.Error
			if !errors.As(err, &be) || be.Code != billkit.CodeInvalid {
				t.Fatalf("a parse error that is not invalid: %v", err)
			}
			return
		}
		_ = catalog.ValidateCatalog(c)
		var out bytes.Buffer
		if err := catalog.ExportCatalog(&out, c, format); err != nil {
			t.Fatalf("export of a parsed catalog: %v", err)
		}
	})
}
