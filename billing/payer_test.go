package billing_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

func TestPayers(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	first, err := e.svc.CreatePayer(ctx, system, billing.CreatePayerParams{
		ClientID: c.ID, Kind: billing.PayerCompany, Name: "Ivan Petrov", LegalName: "OOO Acme", Country: "ru",
		Address: billing.Address{Lines: []string{"Tverskaya 1"}, City: "Moscow"}, Email: "ivan@acme.example", Phone: "+7 (495) 123-45-67",
		TaxID: "7707 083 893",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !first.Default || first.TaxID != "7707083893" || first.Country != "RU" {
		t.Fatalf("first = %+v", first)
	}
	second := must[*billing.Payer](t)(e.svc.CreatePayer(ctx, system, billing.CreatePayerParams{
		ClientID: c.ID, Kind: billing.PayerIndividual, Name: "John Smith", Country: "US", Region: "us-ca", TaxID: "04-2103594",
	}))
	if second.Default || second.Region != "US-CA" {
		t.Fatalf("second = %+v", second)
	}
	third := must[*billing.Payer](t)(e.svc.CreatePayer(ctx, system, billing.CreatePayerParams{
		ClientID: c.ID, Kind: billing.PayerSoleProprietor, Name: "Anna", LegalName: "IP Anna", Country: "DE", TaxID: "DE136695976", Default: true,
	}))
	if !third.Default {
		t.Fatalf("third = %+v", third)
	}
	defaults := func() []billing.PayerID {
		t.Helper()
		var out []billing.PayerID
		for _, p := range must[billkit.Page[billing.Payer]](t)(e.svc.ListPayers(ctx, system, billing.PayerFilter{ClientID: c.ID})).Items {
			if p.Default {
				out = append(out, p.ID)
			}
		}
		return out
	}
	if d := defaults(); len(d) != 1 || d[0] != third.ID {
		t.Fatalf("defaults = %v, want the third", d)
	}
	must[*billing.Payer](t)(e.svc.SetDefaultPayer(ctx, system, second.ID))
	if d := defaults(); len(d) != 1 || d[0] != second.ID {
		t.Fatalf("defaults = %v, want the second", d)
	}
	must[*billing.Payer](t)(e.svc.SetDefaultPayer(ctx, system, second.ID)) // no change, no action
	if n := e.actions(t, "billing.payer.set_default", second.ID.String()); n != 1 {
		t.Fatalf("%d set_default actions", n)
	}

	for _, tc := range []struct {
		p             billing.CreatePayerParams
		field, reason string
	}{
		{billing.CreatePayerParams{Kind: billing.PayerIndividual, Name: "x", Country: "RU"}, "client_id", "required"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: "robot", Name: "x", Country: "RU"}, "kind", "payer.kind_unknown"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Country: "RU"}, "name", "required"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerCompany, Name: "x", Country: "RU"}, "legal_name", "required"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x"}, "country", "required"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "QQ"}, "country", "country.unknown"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "US"}, "region", "required"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "US", Region: "CA-QC"}, "region", "region.unknown"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "RU", Region: "RU-MOW"}, "region", "region.none"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "RU", Email: "x@"}, "email", "email.malformed"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "RU", Phone: "call me"}, "phone", "phone.malformed"},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "RU", TaxID: "7707083894"}, "tax_id", billing.ReasonTaxIDBadChecksum},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "DE", TaxID: "12"}, "tax_id", billing.ReasonTaxIDInvalidFormat},
		{billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "US", Region: "US-NY", TaxID: "00-1234567"}, "tax_id", billing.ReasonTaxIDInvalidFormat},
	} {
		_, err := e.svc.CreatePayer(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	_, err = e.svc.CreatePayer(ctx, system, billing.CreatePayerParams{ClientID: newID[billkit.ClientID](), Kind: billing.PayerIndividual, Name: "x", Country: "RU"})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.CreatePayer(ctx, staff(billkit.R(billing.FunctionPayer, billkit.OpRead)), billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "RU"})
	wantCode(t, err, billkit.CodeForbidden, "")
	if n := e.count(t, "billkit_payers", "1 = 1"); n != 3 {
		t.Fatalf("%d payers after bad input", n)
	}

	up, err := e.svc.UpdatePayer(ctx, system, first.ID, billing.UpdatePayerParams{Country: ptr("DE"), TaxID: ptr("136695976"), Kind: ptr(billing.PayerIndividual)})
	if err != nil {
		t.Fatal(err)
	}
	if up.Country != "DE" || up.TaxID != "DE136695976" || up.Default || up.LegalName != "OOO Acme" {
		t.Fatalf("updated = %+v", up)
	}
	// A new country re-checks the stored tax ID.
	_, err = e.svc.UpdatePayer(ctx, system, first.ID, billing.UpdatePayerParams{Country: ptr("RU")})
	wantField(t, err, "tax_id", billing.ReasonTaxIDInvalidFormat)
	_, err = e.svc.UpdatePayer(ctx, system, newID[billing.PayerID](), billing.UpdatePayerParams{})
	wantCode(t, err, billkit.CodeNotFound, "payer.not_found")
	got := must[*billing.Payer](t)(e.svc.GetPayer(ctx, system, first.ID))
	if got.TaxID != "DE136695976" || got.Address.City != "Moscow" {
		t.Fatalf("got = %+v", got)
	}
	if n := e.actions(t, "billing.payer.update", first.ID.String()); n != 1 {
		t.Fatalf("%d update actions", n)
	}

	must[*billing.Client](t)(e.svc.DeleteClient(ctx, system, c.ID))
	_, err = e.svc.CreatePayer(ctx, system, billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "RU"})
	wantCode(t, err, billkit.CodeFailedPrecondition, "client.deleted")
}
