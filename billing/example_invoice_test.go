package billing_test

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// A draft invoice is issued (taxed, numbered and frozen), paid from the
// client's balance, and then corrected by a credit note, which gives the
// money back to the balance.
func ExampleService_IssueInvoice() {
	ctx := context.Background()
	svc, prov, st := exampleService("example_invoice_issue")
	defer st.Close()
	staff := billkit.SystemActor("example") // in a real program: the authenticated actor

	company, err := svc.CreateCompany(ctx, staff, billing.CreateCompanyParams{
		LegalName: "HostCo LLC", Country: "RU", TaxIDs: []string{"7707083893"}, ProviderIDs: []billkit.ProviderID{prov.ID},
	})
	if err != nil {
		panic(err)
	}
	if _, err := svc.CreateTaxRule(ctx, staff, billing.TaxRuleParams{
		CompanyID: company.ID, Code: "vat", Name: directory.Text{"en": "VAT", "ru": "НДС"}, Country: "RU", Rate: decimal.RequireFromString("20"),
	}); err != nil {
		panic(err)
	}
	client, err := svc.CreateClient(ctx, staff, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme"})
	if err != nil {
		panic(err)
	}
	if _, err := svc.CreatePayer(ctx, staff, billing.CreatePayerParams{ClientID: client.ID, Kind: billing.PayerIndividual, Name: "Ivan Petrov", Country: "RU"}); err != nil {
		panic(err)
	}

	draft, err := svc.CreateInvoice(ctx, staff, billing.CreateInvoiceParams{
		CompanyID: company.ID, ClientID: client.ID,
		Lines: []billing.InvoiceLineParams{
			{Description: "VDS L, March", Quantity: decimal.RequireFromString("1"), UnitPrice: billkit.MustParseMoney("1500.00", "RUB"), ProductType: "vds"},
			{Description: "Backup, GB", Quantity: decimal.RequireFromString("2.5"), UnitPrice: billkit.MustParseMoney("99.99", "RUB"), ProductType: "vds"},
		},
	})
	if err != nil {
		panic(err)
	}
	inv, err := svc.IssueInvoice(ctx, staff, draft.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println(inv.Number, inv.IssueDate, "due", inv.DueDate)
	fmt.Println("net", inv.Totals.Net, "tax", inv.Totals.Tax, "gross", inv.Totals.Gross)

	if _, err := svc.Post(ctx, staff, billing.PostParams{ClientID: client.ID, Amount: billkit.MustParseMoney("2500.00", "RUB"), Kind: billing.LedgerPayment}); err != nil {
		panic(err)
	}
	paid, err := svc.PayInvoiceFromBalance(ctx, staff, inv.ID)
	if err != nil {
		panic(err)
	}
	balance, _ := svc.Balance(ctx, staff, client.ID)
	fmt.Println(paid.Status, "balance", balance)

	cn, err := svc.CreateCreditNote(ctx, staff, inv.ID, billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 2}}})
	if err != nil {
		panic(err)
	}
	balance, _ = svc.Balance(ctx, staff, client.ID)
	fmt.Println(cn.Number, "credits", cn.CreditsInvoiceNumber, cn.Totals.Gross, "balance", balance)
	// Output:
	// INV-2026-00001 2026-03-05 due 2026-03-19
	// net 1749.98 RUB tax 350.00 RUB gross 2099.98 RUB
	// paid balance 400.02 RUB
	// CN-2026-00001 credits INV-2026-00001 -299.98 RUB balance 700.00 RUB
}

// An order's proforma asks in advance, in the caller's transaction, for
// what the order will charge, VAT included: paying it leaves the money on
// the balance, where the order takes it, so nothing is charged twice.
func ExampleService_IssueProformaTx() {
	ctx := context.Background()
	svc, prov, st := exampleService("example_invoice_proforma")
	defer st.Close()
	staff := billkit.SystemActor("example")

	company, err := svc.CreateCompany(ctx, staff, billing.CreateCompanyParams{
		LegalName: "HostCo LLC", Country: "RU", ProviderIDs: []billkit.ProviderID{prov.ID},
	})
	if err != nil {
		panic(err)
	}
	if _, err := svc.CreateTaxRule(ctx, staff, billing.TaxRuleParams{
		CompanyID: company.ID, Code: "vat", Name: directory.Text{"en": "VAT"}, Country: "RU", Rate: decimal.RequireFromString("20"),
	}); err != nil {
		panic(err)
	}
	client, err := svc.CreateClient(ctx, staff, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme"})
	if err != nil {
		panic(err)
	}
	if _, err := svc.CreatePayer(ctx, staff, billing.CreatePayerParams{ClientID: client.ID, Kind: billing.PayerIndividual, Name: "Ivan Petrov", Country: "RU"}); err != nil {
		panic(err)
	}

	var inv *billing.Invoice
	err = st.Billing().InTx(ctx, func(tx billing.Store) error {
		// ... the order is written in tx too ...
		inv, err = svc.IssueProformaTx(ctx, tx, staff, billing.CreateInvoiceParams{
			ClientID: client.ID, // the provider's one company sells
			Lines: []billing.InvoiceLineParams{{Description: "VDS L, month: vds-1 #1", Quantity: decimal.RequireFromString("1"),
				UnitPrice: billkit.MustParseMoney("1200.00", "RUB"), ProductType: "vds", Advance: true}},
		})
		return err
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(inv.Number, inv.Status, "net", inv.Totals.Net, "tax", inv.Totals.Tax, "gross", inv.Totals.Gross)
	_, err = svc.PayInvoiceFromBalance(ctx, staff, inv.ID)
	fmt.Println(billkit.ErrorReason(err))
	// Output:
	// PRO-2026-00001 issued net 1000.00 RUB tax 200.00 RUB gross 1200.00 RUB
	// invoice.advance
}
