package billing_test

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// A French company sells to German clients: an individual pays German VAT
// (the company's rule for Germany beats its rule for any country); a
// business with a German VAT ID is reverse-charged, and the decision says
// that its VAT ID was only checked for syntax (no VIES checker here).
func ExampleService_DecideTax() {
	ctx := context.Background()
	svc, prov, st := exampleService("example_decide_tax")
	defer st.Close()
	staff := billkit.SystemActor("example") // in a real program: the authenticated actor

	company, err := svc.CreateCompany(ctx, staff, billing.CreateCompanyParams{
		LegalName: "HostCo SAS", Country: "FR", ProviderIDs: []billkit.ProviderID{prov.ID},
	})
	if err != nil {
		panic(err)
	}
	for _, r := range []billing.TaxRuleParams{
		{Code: "vat", Name: directory.Text{"en": "VAT", "fr": "TVA"}, Rate: decimal.RequireFromString("20")},
		{Code: "vat", Name: directory.Text{"en": "VAT", "de": "MwSt."}, Country: "DE", Rate: decimal.RequireFromString("19")},
	} {
		r.CompanyID = company.ID
		if _, err := svc.CreateTaxRule(ctx, staff, r); err != nil {
			panic(err)
		}
	}
	decide := func(kind billing.PayerKind, taxID string) billing.TaxDecision {
		client, err := svc.CreateClient(ctx, staff, billing.CreateClientParams{ProviderID: prov.ID, Name: "Kunde", Locale: "en"})
		if err != nil {
			panic(err)
		}
		_, err = svc.CreatePayer(ctx, staff, billing.CreatePayerParams{
			ClientID: client.ID, Kind: kind, Name: "Kunde", LegalName: "Kunde GmbH", Country: "DE", TaxID: taxID,
		})
		if err != nil {
			panic(err)
		}
		var d billing.TaxDecision
		err = st.Billing().InTx(ctx, func(tx billing.Store) error {
			d, err = svc.DecideTax(ctx, tx, billing.TaxSubject{
				CompanyID: company.ID, ClientID: client.ID, ProductType: "vps", Date: billkit.MustDate(2026, 3, 5),
			})
			return err
		})
		if err != nil {
			panic(err)
		}
		return d
	}

	person := decide(billing.PayerIndividual, "")
	fmt.Printf("individual: %s %s%%\n", person.Taxes[0].Name, person.Taxes[0].Rate)
	business := decide(billing.PayerCompany, "DE 136 695 976")
	fmt.Printf("business: %d taxes, %s (confirmed: %v)\n", len(business.Taxes), business.Note, business.Evidence.Confirmed)
	// Output:
	// individual: VAT 19%
	// business: 0 taxes, Reverse charge: VAT ID DE136695976 (confirmed: false)
}
