package billing_test

import (
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
)

func TestTaxRuleCRUD(t *testing.T) {
	e := newEnv(t)
	co := e.taxCompany(t, "HostCo GmbH", "DE")
	r, err := e.svc.CreateTaxRule(ctx, system, billing.TaxRuleParams{
		CompanyID: co.ID, Code: " VAT ", Name: directory.Text{"en": " VAT ", "de": "MwSt"}, Country: "de",
		ProductTypes: []string{"vps", "vps", "hosting"}, Rate: dec("19"), ValidFrom: billkit.MustDate(2024, 1, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Code != "vat" || r.Country != "DE" || r.Level != 1 || r.Name["en"] != "VAT" || len(r.ProductTypes) != 2 {
		t.Fatalf("created %+v", r)
	}
	if n := e.actions(t, "billing.tax_rule.create", r.ID.String()); n != 1 {
		t.Fatalf("%d create actions", n)
	}
	got, err := e.svc.GetTaxRule(ctx, system, r.ID)
	if err != nil || got.Code != "vat" || !got.Rate.Equal(dec("19")) {
		t.Fatalf("GetTaxRule = %+v, %v", got, err)
	}
	page, err := e.svc.ListTaxRules(ctx, system, billing.TaxRuleFilter{CompanyID: co.ID, Code: "VAT"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ListTaxRules = %+v, %v", page, err)
	}

	up, err := e.svc.UpdateTaxRule(ctx, system, r.ID, billing.TaxRuleParams{
		Code: "vat", Name: directory.Text{"en": "VAT"}, Country: "DE", Rate: dec("16"),
		ValidFrom: billkit.MustDate(2024, 1, 1), ValidTo: billkit.MustDate(2025, 1, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !up.Rate.Equal(dec("16")) || up.CompanyID != co.ID || !up.CreatedAt.Equal(r.CreatedAt) || len(up.ProductTypes) != 0 {
		t.Fatalf("updated %+v", up)
	}
	other := e.taxCompany(t, "Other", "FR")
	_, err = e.svc.UpdateTaxRule(ctx, system, r.ID, billing.TaxRuleParams{CompanyID: other.ID, Code: "vat", Name: directory.Text{"en": "VAT"}, Rate: dec("1")})
	wantField(t, err, "company_id", "tax_rule.company_immutable")

	for _, a := range []billkit.Actor{staff(), customer()} {
		_, err = e.svc.CreateTaxRule(ctx, a, billing.TaxRuleParams{CompanyID: co.ID, Code: "x", Name: directory.Text{"en": "X"}, Rate: dec("1")})
		wantCode(t, err, billkit.CodeForbidden, "access.denied")
		_, err = e.svc.GetTaxRule(ctx, a, r.ID)
		wantCode(t, err, billkit.CodeForbidden, "access.denied")
		wantCode(t, e.svc.DeleteTaxRule(ctx, a, r.ID), billkit.CodeForbidden, "access.denied")
	}
	reader := staff(billkit.R(billing.FunctionTax, billkit.OpRead))
	if _, err := e.svc.GetTaxRule(ctx, reader, r.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.UpdateTaxRule(ctx, reader, r.ID, billing.TaxRuleParams{Code: "vat", Name: directory.Text{"en": "VAT"}, Rate: dec("1")})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")

	if err := e.svc.DeleteTaxRule(ctx, system, r.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetTaxRule(ctx, system, r.ID)
	wantCode(t, err, billkit.CodeNotFound, "tax_rule.not_found")
	if n := e.actions(t, "billing.tax_rule.delete", r.ID.String()); n != 1 {
		t.Fatalf("%d delete actions", n)
	}
	_, err = e.svc.CreateTaxRule(ctx, system, billing.TaxRuleParams{CompanyID: billkit.NewID[billing.Company](), Code: "vat", Name: directory.Text{"en": "VAT"}, Rate: dec("1")})
	wantField(t, err, "company_id", "company.not_found")
}

func TestTaxRuleValidation(t *testing.T) {
	e := newEnv(t)
	co := e.taxCompany(t, "HostCo", "US")
	ok := billing.TaxRuleParams{CompanyID: co.ID, Code: "vat", Name: directory.Text{"en": "VAT"}, Rate: dec("20")}
	with := func(f func(p *billing.TaxRuleParams)) billing.TaxRuleParams {
		p := ok
		f(&p)
		return p
	}
	for _, tc := range []struct {
		p             billing.TaxRuleParams
		field, reason string
	}{
		{with(func(p *billing.TaxRuleParams) { p.CompanyID = billing.CompanyID{} }), "company_id", "required"},
		{with(func(p *billing.TaxRuleParams) { p.Code = "" }), "code", "required"},
		{with(func(p *billing.TaxRuleParams) { p.Code = "v a t" }), "code", "tax_rule.code_malformed"},
		{with(func(p *billing.TaxRuleParams) { p.Name = nil }), "name", "required"},
		{with(func(p *billing.TaxRuleParams) { p.Name = directory.Text{"en": " "} }), "name.en", "text.empty"},
		{with(func(p *billing.TaxRuleParams) { p.Rate = dec("-1") }), "rate", "tax_rule.rate_out_of_range"},
		{with(func(p *billing.TaxRuleParams) { p.Rate = dec("100.01") }), "rate", "tax_rule.rate_out_of_range"},
		{with(func(p *billing.TaxRuleParams) { p.Rate = dec("7.12345") }), "rate", "tax_rule.rate_out_of_range"},
		{with(func(p *billing.TaxRuleParams) { p.Level = 3 }), "level", "tax_rule.level_unknown"},
		{with(func(p *billing.TaxRuleParams) { p.Compound = true }), "compound", "tax_rule.compound_level"},
		{with(func(p *billing.TaxRuleParams) { p.Priority = 2000000 }), "priority", "tax_rule.priority_out_of_range"},
		{with(func(p *billing.TaxRuleParams) { p.Country = "XX" }), "country", "country.unknown"},
		{with(func(p *billing.TaxRuleParams) { p.Region = "US-CA" }), "region", "tax_rule.region_without_country"},
		{with(func(p *billing.TaxRuleParams) { p.Country, p.Region = "US", "CA-QC" }), "region", "region.unknown"},
		{with(func(p *billing.TaxRuleParams) { p.ProductTypes = []string{"VPS"} }), "product_types[0]", "tax_rule.product_type_malformed"},
		{with(func(p *billing.TaxRuleParams) { p.ValidFrom = billkit.Date{Year: 2024, Month: 2, Day: 30} }), "valid_from", "date.invalid"},
		{with(func(p *billing.TaxRuleParams) {
			p.ValidFrom, p.ValidTo = billkit.MustDate(2024, 2, 1), billkit.MustDate(2024, 2, 1)
		}), "valid_to", "validity.empty"},
	} {
		_, err := e.svc.CreateTaxRule(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	if n := e.count(t, "billkit_tax_rules", "1 = 1"); n != 0 {
		t.Fatalf("%d rules stored by bad input", n)
	}
	// A zero rate (zero-rated supplies) and a region of the country pass.
	e.taxRule(t, with(func(p *billing.TaxRuleParams) { p.Rate, p.Country, p.Region, p.Level = dec("0"), "US", "US-CA", 2 }))
}

func TestTaxRuleOverlap(t *testing.T) {
	e := newEnv(t)
	co := e.taxCompany(t, "HostCo GmbH", "DE")
	base := billing.TaxRuleParams{CompanyID: co.ID, Code: "vat", Country: "DE", Rate: dec("19"),
		ValidFrom: billkit.MustDate(2024, 1, 1), ValidTo: billkit.MustDate(2025, 1, 1)}
	first := e.taxRule(t, base)
	with := func(f func(p *billing.TaxRuleParams)) billing.TaxRuleParams {
		p := base
		p.Name = directory.Text{"en": "VAT"}
		f(&p)
		return p
	}
	for _, tc := range []struct {
		name    string
		p       billing.TaxRuleParams
		overlap bool
	}{
		{"same window", with(func(*billing.TaxRuleParams) {}), true},
		{"open start", with(func(p *billing.TaxRuleParams) { p.ValidFrom, p.ValidTo = billkit.Date{}, billkit.MustDate(2024, 1, 2) }), true},
		{"open end", with(func(p *billing.TaxRuleParams) {
			p.ValidFrom, p.ValidTo = billkit.MustDate(2024, 12, 31), billkit.Date{}
		}), true},
		{"all products against all products", with(func(p *billing.TaxRuleParams) { p.Rate = dec("7") }), true},
		{"ends when the other starts", with(func(p *billing.TaxRuleParams) {
			p.ValidFrom, p.ValidTo = billkit.MustDate(2023, 1, 1), billkit.MustDate(2024, 1, 1)
		}), false},
		{"starts when the other ends", with(func(p *billing.TaxRuleParams) { p.ValidFrom, p.ValidTo = billkit.MustDate(2025, 1, 1), billkit.Date{} }), false},
		{"other code", with(func(p *billing.TaxRuleParams) { p.Code = "levy" }), false},
		{"other country", with(func(p *billing.TaxRuleParams) { p.Country = "FR" }), false},
		{"any country", with(func(p *billing.TaxRuleParams) { p.Country = "" }), false},
		{"other level", with(func(p *billing.TaxRuleParams) { p.Level = 2 }), false},
		{"listed products against all", with(func(p *billing.TaxRuleParams) { p.ProductTypes = []string{"ebook"} }), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.svc.CreateTaxRule(ctx, system, tc.p)
			if tc.overlap {
				wantCode(t, err, billkit.CodeConflict, billing.ReasonTaxRuleOverlap)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := e.svc.DeleteTaxRule(ctx, system, r.ID); err != nil {
				t.Fatal(err)
			}
		})
	}

	// Product lists overlap when they share a product.
	ebooks := e.taxRule(t, with(func(p *billing.TaxRuleParams) { p.ProductTypes, p.Rate = []string{"ebook", "audio"}, dec("7") }))
	_, err := e.svc.CreateTaxRule(ctx, system, with(func(p *billing.TaxRuleParams) { p.ProductTypes = []string{"audio"} }))
	wantCode(t, err, billkit.CodeConflict, billing.ReasonTaxRuleOverlap)
	e.taxRule(t, with(func(p *billing.TaxRuleParams) { p.ProductTypes = []string{"video"} }))

	// An update is checked too, against every rule but itself.
	later := e.taxRule(t, with(func(p *billing.TaxRuleParams) { p.ValidFrom, p.ValidTo = billkit.MustDate(2025, 1, 1), billkit.Date{} }))
	_, err = e.svc.UpdateTaxRule(ctx, system, later.ID, with(func(p *billing.TaxRuleParams) { p.ValidFrom, p.ValidTo = billkit.MustDate(2024, 6, 1), billkit.Date{} }))
	wantCode(t, err, billkit.CodeConflict, billing.ReasonTaxRuleOverlap)
	if _, err := e.svc.UpdateTaxRule(ctx, system, first.ID, with(func(p *billing.TaxRuleParams) { p.Rate = dec("19.5") })); err != nil {
		t.Fatalf("an update that overlaps only itself: %v", err)
	}
	if _, err := e.svc.UpdateTaxRule(ctx, system, ebooks.ID, with(func(p *billing.TaxRuleParams) { p.ProductTypes = []string{"ebook"} })); err != nil {
		t.Fatal(err)
	}
}

func TestTaxSettings(t *testing.T) {
	e := newEnv(t)
	de, ru := e.taxCompany(t, "HostCo GmbH", "DE"), e.taxCompany(t, "HostCo LLC", "RU")
	for _, tc := range []struct {
		co            *billing.Company
		reverseCharge bool
	}{{de, true}, {ru, false}} {
		st, err := e.svc.GetTaxSettings(ctx, system, tc.co.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Rounding != billing.TaxRoundPerLine || st.ReverseCharge != tc.reverseCharge || !st.UpdatedAt.IsZero() {
			t.Fatalf("defaults of a %s company: %+v", tc.co.Country, st)
		}
	}
	st, err := e.svc.SetTaxSettings(ctx, system, de.ID, billing.SetTaxSettingsParams{Rounding: ptr(billing.TaxRoundPerDocument)})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rounding != billing.TaxRoundPerDocument || !st.ReverseCharge || st.UpdatedAt.IsZero() {
		t.Fatalf("after set: %+v", st)
	}
	st, err = e.svc.SetTaxSettings(ctx, system, de.ID, billing.SetTaxSettingsParams{ReverseCharge: ptr(false)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.GetTaxSettings(ctx, system, de.ID)
	if err != nil || got.Rounding != billing.TaxRoundPerDocument || got.ReverseCharge {
		t.Fatalf("GetTaxSettings = %+v, %v", got, err)
	}
	if n := e.actions(t, "billing.tax_settings.update", de.ID.String()); n != 2 {
		t.Fatalf("%d update actions", n)
	}
	_, err = e.svc.SetTaxSettings(ctx, system, de.ID, billing.SetTaxSettingsParams{Rounding: ptr(billing.TaxRounding("cent"))})
	wantField(t, err, "rounding", "tax.rounding_unknown")
	_, err = e.svc.SetTaxSettings(ctx, staff(billkit.R(billing.FunctionTax, billkit.OpRead)), de.ID, billing.SetTaxSettingsParams{})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.svc.GetTaxSettings(ctx, system, billkit.NewID[billing.Company]())
	wantCode(t, err, billkit.CodeNotFound, "company.not_found")
}

// TestTaxRuleOverlapConcurrentPostgres creates the same rule from 8
// transactions at once on PostgreSQL: the overlap check and the insert are
// atomic, so exactly one succeeds. Run it with -race.
func TestTaxRuleOverlapConcurrentPostgres(t *testing.T) {
	e := newPostgresTaxEnv(t)
	co := e.taxCompany(t, "HostCo GmbH", "DE")
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		ok         int
		unexpected []error
	)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.svc.CreateTaxRule(ctx, system, billing.TaxRuleParams{CompanyID: co.ID, Code: "vat", Name: directory.Text{"en": "VAT"},
				Country: "DE", Rate: dec("19")})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case !billkit.HasReason(err, billing.ReasonTaxRuleOverlap):
				unexpected = append(unexpected, err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || len(unexpected) > 0 || e.count(t, "billkit_tax_rules", "company_id = ?", co.ID) != 1 {
		t.Fatalf("%d rules created, want 1; unexpected errors: %v", ok, unexpected)
	}
}
