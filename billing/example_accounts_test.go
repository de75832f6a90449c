package billing_test

import (
	"context"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
)

// exampleService returns a billing Service on a fresh in-memory store with
// the directory seeded, and the provider "HostCo" selling in rubles.
// The caller closes the store.
func exampleService(name string) (*billing.Service, *billing.Provider, *bunstore.Store) {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, "file:"+name+"?mode=memory&cache=shared", bunstore.Config{})
	if err != nil {
		panic(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		panic(err)
	}
	clock := billkit.NewFakeClock(time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC))
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, billkit.SystemActor("example")); err != nil {
		panic(err)
	}
	svc := billing.NewService(st.Billing(), dir, billing.Config{Clock: clock})
	prov, err := svc.CreateProvider(ctx, billkit.SystemActor("example"), billing.CreateProviderParams{
		Name: "HostCo", Currency: "RUB", Locale: "ru", TimeZone: "Europe/Moscow",
	})
	if err != nil {
		panic(err)
	}
	return svc, prov, st
}

// A client with its first payer, which becomes the default, and a tax ID
// that is checked and put in canonical form.
func ExampleService_CreatePayer() {
	ctx := context.Background()
	svc, prov, st := exampleService("example_create_payer")
	defer st.Close()
	staff := billkit.SystemActor("example") // in a real program: the authenticated actor

	client, err := svc.CreateClient(ctx, staff, billing.CreateClientParams{
		ProviderID: prov.ID, Name: "Acme Hosting", Email: "billing@acme.example",
	})
	if err != nil {
		panic(err)
	}
	payer, err := svc.CreatePayer(ctx, staff, billing.CreatePayerParams{
		ClientID: client.ID, Kind: billing.PayerCompany, Name: "Ivan Petrov", LegalName: "OOO Acme",
		Country: "RU", TaxID: "7707 083 893",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(client.Number, client.Currency, client.Status)
	fmt.Println(payer.LegalName, payer.TaxID, payer.Default)

	_, err = svc.CreatePayer(ctx, staff, billing.CreatePayerParams{
		ClientID: client.ID, Kind: billing.PayerCompany, Name: "Hans", LegalName: "Acme GmbH",
		Country: "DE", TaxID: "DE136695978",
	})
	fmt.Println(err)
	// Output:
	// C-000001 RUB active
	// OOO Acme 7707083893 true
	// invalid (taxid.bad_checksum): invalid input: tax_id: the check digits do not match
}

// Merging moves everything of one client to another in one transaction and
// closes the merged one.
func ExampleService_MergeClients() {
	ctx := context.Background()
	svc, prov, st := exampleService("example_merge")
	defer st.Close()
	staff := billkit.SystemActor("example")

	old, _ := svc.CreateClient(ctx, staff, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme (old account)"})
	main, _ := svc.CreateClient(ctx, staff, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme"})
	if _, err := svc.CreatePayer(ctx, staff, billing.CreatePayerParams{
		ClientID: old.ID, Kind: billing.PayerIndividual, Name: "Ivan Petrov", Country: "RU",
	}); err != nil {
		panic(err)
	}

	if _, err := svc.MergeClients(ctx, staff, old.ID, main.ID); err != nil {
		panic(err)
	}
	merged, _ := svc.GetClient(ctx, staff, old.ID)
	payers, _ := svc.ListPayers(ctx, staff, billing.PayerFilter{ClientID: main.ID})
	fmt.Println(merged.Number, merged.Status, merged.MergedInto == main.ID)
	fmt.Println(main.Number, "has", len(payers.Items), "payer:", payers.Items[0].Name)
	// Output:
	// C-000001 deleted true
	// C-000002 has 1 payer: Ivan Petrov
}

func ExampleFormatNumber() {
	n, _ := billing.FormatNumber("INV-{YYYY}-{NNNNN}", 42, billkit.MustDate(2026, time.March, 5))
	fmt.Println(n)
	// Output: INV-2026-00042
}

func ExampleNormalizeTaxID() {
	for _, tc := range []struct{ country, id string }{
		{"DE", "136 695 976"},
		{"GR", "094259216"},
		{"US", "042103594"},
		{"IT", "00743110158"},
	} {
		n, scheme, err := billing.NormalizeTaxID(tc.country, tc.id)
		if err != nil {
			fmt.Println(billkit.ErrorReason(err))
			continue
		}
		fmt.Println(n, scheme)
	}
	// Output:
	// DE136695976 eu_vat
	// EL094259216 eu_vat
	// 04-2103594 us_ein
	// taxid.bad_checksum
}
