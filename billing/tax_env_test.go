package billing_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
)

// fakeVAT is a VATChecker that answers from a list of valid numbers
// ("DE136695976"), or fails with err.
type fakeVAT struct {
	mu    sync.Mutex
	valid map[string]bool
	err   error
	calls int
}

func (f *fakeVAT) CheckVAT(_ context.Context, country, number string) (billing.VATCheck, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return billing.VATCheck{}, f.err
	}
	ok := f.valid[country+number]
	c := billing.VATCheck{CountryCode: country, Number: number, Valid: ok}
	if ok {
		c.Name, c.Address, c.Reference = "Kunde GmbH", "Hauptstr. 1, Berlin", "WAPIAAAAW1234567"
	}
	return c, nil
}

// withServices replaces the env's service by one with a catalog on the
// same store (returned) and, when vat is not nil, a VAT checker. The
// auditor registered by newEnv audits the new service.
func (e *env) withServices(t *testing.T, vat billing.VATChecker) *catalog.Service {
	t.Helper()
	cat := catalog.NewService(e.st.Catalog(), e.dir, catalog.Config{Clock: e.clock})
	e.svc = billing.NewService(e.st.Billing(), e.dir, billing.Config{Clock: e.clock, Catalog: cat, VATChecker: vat})
	return cat
}

// company creates a company in country that serves the env's provider.
func (e *env) taxCompany(t *testing.T, name, country string) *billing.Company {
	t.Helper()
	co, err := e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{LegalName: name, Country: country, ProviderIDs: []billkit.ProviderID{e.prov.ID}})
	if err != nil {
		t.Fatal(err)
	}
	return co
}

// payerIn creates a payer of the client: a company (when taxID is set)
// or an individual, in country and region.
func (e *env) payerIn(t *testing.T, client billkit.ClientID, country, region, taxID string) *billing.Payer {
	t.Helper()
	p := billing.CreatePayerParams{ClientID: client, Kind: billing.PayerIndividual, Name: "Buyer", Country: country, Region: region, Default: true}
	if taxID != "" {
		p.Kind, p.LegalName, p.TaxID = billing.PayerCompany, "Buyer Ltd", taxID
	}
	py, err := e.svc.CreatePayer(ctx, system, p)
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// rule creates a tax rule.
func (e *env) taxRule(t *testing.T, p billing.TaxRuleParams) *billing.TaxRule {
	t.Helper()
	if p.Name == nil {
		p.Name = directory.Text{"en": "VAT", "ru": "НДС"}
	}
	r, err := e.svc.CreateTaxRule(ctx, system, p)
	if err != nil {
		t.Fatalf("CreateTaxRule %+v: %v", p, err)
	}
	return r
}

// decide decides the taxes of a sale in its own transaction.
func (e *env) decide(t *testing.T, subj billing.TaxSubject) billing.TaxDecision {
	t.Helper()
	var d billing.TaxDecision
	err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		var err error
		d, err = e.svc.DecideTax(ctx, tx, subj)
		return err
	})
	if err != nil {
		t.Fatalf("DecideTax %+v: %v", subj, err)
	}
	return d
}

// codes returns "code@level rate" of each tax of a decision.
func taxCodes(d billing.TaxDecision) []string {
	out := []string{}
	for _, x := range d.Taxes {
		out = append(out, x.Code+"@"+string(rune('0'+x.Level))+" "+x.Rate.String())
	}
	return out
}

// taxToday is the env's date of supply: the fake clock's day in Moscow.
var taxToday = billkit.MustDate(2024, 3, 15)

var errVIESDown = errors.New("VIES: MS_UNAVAILABLE")

// shop is the env's catalog: a VPS tariff in roubles with a setup fee, a
// fixed addon and a quantity addon; a VPS tariff priced in dollars only;
// a domain tariff.
type shop struct {
	cat              *catalog.Service
	vps, usd, domain *catalog.Tariff
}

func rubPrice(p catalog.Period, amount, setup string) catalog.Price {
	pr := catalog.Price{Period: p, Currency: "RUB", Amount: dec(amount)}
	if setup != "" {
		pr.SetupFee = dec(setup)
	}
	return pr
}

// newShop gives the env a catalog and a VAT checker (when vat is not nil)
// and fills the catalog.
func (e *env) newShop(t *testing.T, vat billing.VATChecker) *shop {
	t.Helper()
	cat := e.withServices(t, vat)
	txt := func(s string) directory.Text { return directory.Text{"en": s} }
	_, err := cat.ApplyCatalog(ctx, system, catalog.Catalog{
		ProviderID: e.prov.ID,
		ProductTypes: []catalog.ProductTypeDoc{
			{Code: "vps", Kind: catalog.KindVPS, Name: txt("VPS")},
			{Code: "domain", Kind: catalog.KindDomain, Name: txt("Domains")},
		},
		Tariffs: []catalog.TariffDoc{
			{Code: "vps-1", Name: txt("VPS 1"), ProductType: "vps", Currency: "RUB",
				Prices: []catalog.Price{rubPrice(catalog.PeriodMonth, "1000.00", "500.00"), rubPrice(catalog.PeriodYear, "10000.00", "")},
				Addons: []catalog.Addon{
					{Code: "ip", Name: txt("IP"), BillingType: catalog.BillingFixed, Default: dec("1"),
						Prices: []catalog.Price{rubPrice(catalog.PeriodMonth, "150.00", ""), rubPrice(catalog.PeriodYear, "1500.00", "")}},
					{Code: "ram", Name: txt("RAM"), BillingType: catalog.BillingQuantity, Unit: "GB",
						Min: dec("1"), Max: dec("16"), Step: dec("1"), Included: dec("1"), Default: dec("1"),
						Prices: []catalog.Price{rubPrice(catalog.PeriodMonth, "100.00", ""), rubPrice(catalog.PeriodYear, "1000.00", "")}},
				}},
			{Code: "vps-usd", Name: txt("VPS USD"), ProductType: "vps", Currency: "USD",
				Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec("10.00")}}},
			{Code: "domain-com", Name: txt(".com"), ProductType: "domain", Currency: "RUB",
				Prices: []catalog.Price{rubPrice(catalog.PeriodYear, "990.00", "")}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &shop{cat: cat}
	for code, dst := range map[string]**catalog.Tariff{"vps-1": &s.vps, "vps-usd": &s.usd, "domain-com": &s.domain} {
		if *dst, err = cat.GetTariffByCode(ctx, system, e.prov.ID, code); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// newPostgresTaxEnv is newEnv on a fresh PostgreSQL database; it skips without
// BILLKIT_TEST_POSTGRES_DSN.
func newPostgresTaxEnv(t *testing.T) *env {
	t.Helper()
	return newPostgresEnv(t, billing.Config{})
}
