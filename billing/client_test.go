package billing_test

import (
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

func TestClients(t *testing.T) {
	e := newEnv(t)
	g := must[*billing.ClientGroup](t)(e.svc.CreateClientGroup(ctx, system, billing.CreateClientGroupParams{ProviderID: e.prov.ID, Name: "VIP"}))
	a, err := e.svc.CreateClient(ctx, system, billing.CreateClientParams{
		ProviderID: e.prov.ID, Name: "Acme Hosting", Email: "Billing@Acme.example", CreditLimit: dec("1500.50"), GroupID: g.ID, Notes: "pays late",
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Number != "C-000001" || a.Status != billing.ClientStatusActive || a.Currency != "RUB" || a.Locale != "ru" || a.GroupID != g.ID {
		t.Fatalf("client = %+v", a)
	}
	b := must[*billing.Client](t)(e.svc.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: e.prov.ID, Name: "Beta", Currency: "usd", Locale: "en"}))
	if b.Number != "C-000002" || b.Currency != "USD" || b.Locale != "en" {
		t.Fatalf("client b = %+v", b)
	}
	got := must[*billing.Client](t)(e.svc.GetClient(ctx, system, a.ID))
	if !got.CreditLimit.Equal(dec("1500.50")) || got.Notes != "pays late" || got.Email != "Billing@Acme.example" {
		t.Fatalf("got = %+v", got)
	}
	if n := e.actions(t, "billing.client.create", a.ID.String()); n != 1 {
		t.Fatalf("%d create actions", n)
	}

	otherProv := must[*billing.Provider](t)(e.svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "EUR"}))
	otherGroup := must[*billing.ClientGroup](t)(e.svc.CreateClientGroup(ctx, system, billing.CreateClientGroupParams{ProviderID: otherProv.ID, Name: "G"}))
	for _, tc := range []struct {
		p             billing.CreateClientParams
		field, reason string
	}{
		{billing.CreateClientParams{ProviderID: e.prov.ID}, "name", "required"},
		{billing.CreateClientParams{Name: "X"}, "provider_id", "required"},
		{billing.CreateClientParams{Name: "X", ProviderID: newID[billkit.ProviderID]()}, "provider_id", "provider.not_found"},
		{billing.CreateClientParams{Name: "X", ProviderID: e.prov.ID, Email: "not an email"}, "email", "email.malformed"},
		{billing.CreateClientParams{Name: "X", ProviderID: e.prov.ID, Email: "Bob <bob@example.com>"}, "email", "email.malformed"},
		{billing.CreateClientParams{Name: "X", ProviderID: e.prov.ID, Currency: "JPY"}, "currency", "currency.disabled"},
		{billing.CreateClientParams{Name: "X", ProviderID: e.prov.ID, Locale: "zz"}, "locale", "locale.unknown"},
		{billing.CreateClientParams{Name: "X", ProviderID: e.prov.ID, CreditLimit: dec("-1")}, "credit_limit", "client.credit_limit_negative"},
		{billing.CreateClientParams{Name: "X", ProviderID: e.prov.ID, GroupID: newID[billing.ClientGroupID]()}, "group_id", "client_group.not_found"},
		{billing.CreateClientParams{Name: "X", ProviderID: e.prov.ID, GroupID: otherGroup.ID}, "group_id", "client_group.other_provider"},
	} {
		_, err := e.svc.CreateClient(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	_, err = e.svc.CreateClient(ctx, staff(billkit.R(billing.FunctionClient, billkit.OpRead)), billing.CreateClientParams{ProviderID: e.prov.ID, Name: "X"})
	wantCode(t, err, billkit.CodeForbidden, "")
	if n := e.count(t, "billkit_clients", "1 = 1"); n != 2 {
		t.Fatalf("%d clients after bad input", n)
	}
	// A failed creation gave its number back: the next one is gapless.
	c := e.client(t, "Gamma")
	if c.Number != "C-000003" {
		t.Fatalf("third number = %s", c.Number)
	}

	e.clock.Advance(time.Minute)
	up, err := e.svc.UpdateClient(ctx, system, a.ID, billing.UpdateClientParams{
		Name: ptr("Acme"), CreditLimit: ptr(dec("0")), GroupID: ptr(billing.ClientGroupID{}), Notes: ptr(""),
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "Acme" || !up.CreditLimit.IsZero() || !up.GroupID.IsZero() || up.Notes != "" || up.Number != "C-000001" {
		t.Fatalf("updated = %+v", up)
	}
	_, err = e.svc.UpdateClient(ctx, system, a.ID, billing.UpdateClientParams{Email: ptr("@")})
	wantField(t, err, "email", "email.malformed")
	_, err = e.svc.UpdateClient(ctx, system, a.ID, billing.UpdateClientParams{GroupID: ptr(otherGroup.ID)})
	wantField(t, err, "group_id", "client_group.other_provider")
	_, err = e.svc.UpdateClient(ctx, system, newID[billkit.ClientID](), billing.UpdateClientParams{Name: ptr("x")})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")

	// Block, unblock, delete.
	blocked := must[*billing.Client](t)(e.svc.BlockClient(ctx, system, b.ID))
	if blocked.Status != billing.ClientStatusBlocked {
		t.Fatalf("status = %s", blocked.Status)
	}
	_, err = e.svc.BlockClient(ctx, system, b.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, "client.status_transition")
	must[*billing.Client](t)(e.svc.UnblockClient(ctx, system, b.ID))
	_, err = e.svc.UnblockClient(ctx, system, b.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, "client.status_transition")
	_, err = e.svc.DeleteClient(ctx, staff(billkit.R(billing.FunctionClient, billkit.OpEdit)), b.ID)
	wantCode(t, err, billkit.CodeForbidden, "")
	deleted := must[*billing.Client](t)(e.svc.DeleteClient(ctx, system, b.ID))
	if deleted.Status != billing.ClientStatusDeleted {
		t.Fatalf("status = %s", deleted.Status)
	}
	_, err = e.svc.DeleteClient(ctx, system, b.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, "client.status_transition")
	_, err = e.svc.UpdateClient(ctx, system, b.ID, billing.UpdateClientParams{Name: ptr("x")})
	wantCode(t, err, billkit.CodeFailedPrecondition, "client.deleted")
	if n := e.count(t, "billkit_clients", "id = ?", b.ID); n != 1 {
		t.Fatal("a deleted client was erased")
	}
	for verb, want := range map[string]int{"block": 1, "unblock": 1, "delete": 1} {
		if n := e.actions(t, "billing.client."+verb, b.ID.String()); n != want {
			t.Fatalf("%d %s actions, want %d", n, verb, want)
		}
	}
}

func TestListClients(t *testing.T) {
	e := newEnv(t)
	g := must[*billing.ClientGroup](t)(e.svc.CreateClientGroup(ctx, system, billing.CreateClientGroupParams{ProviderID: e.prov.ID, Name: "VIP"}))
	var ids []billkit.ClientID
	for i, name := range []string{"Alpha 100%", "Bravo", "Charlie", "Delta", "Echo"} {
		p := billing.CreateClientParams{ProviderID: e.prov.ID, Name: name, Email: "c" + string(rune('a'+i)) + "@example.com"}
		if i%2 == 0 {
			p.GroupID = g.ID
		}
		ids = append(ids, must[*billing.Client](t)(e.svc.CreateClient(ctx, system, p)).ID)
	}
	must[*billing.Client](t)(e.svc.BlockClient(ctx, system, ids[3]))
	must[*billing.Payer](t)(e.svc.CreatePayer(ctx, system, billing.CreatePayerParams{
		ClientID: ids[1], Kind: billing.PayerCompany, Name: "Ivan", LegalName: "OOO Bravo", Country: "RU", TaxID: "7707083893",
	}))
	must[*billing.Payer](t)(e.svc.CreatePayer(ctx, system, billing.CreatePayerParams{
		ClientID: ids[2], Kind: billing.PayerCompany, Name: "Hans", LegalName: "Charlie GmbH", Country: "DE", TaxID: "DE136695976",
	}))
	other := must[*billing.Provider](t)(e.svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "EUR"}))
	must[*billing.Client](t)(e.svc.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: other.ID, Name: "Foxtrot"}))

	list := func(f billing.ClientFilter) []string {
		t.Helper()
		var names []string
		for {
			p, err := e.svc.ListClients(ctx, system, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range p.Items {
				names = append(names, c.Name)
			}
			if p.NextCursor == "" {
				return names
			}
			f.Cursor = p.NextCursor
		}
	}
	for _, tc := range []struct {
		f    billing.ClientFilter
		want []string
	}{
		{billing.ClientFilter{ProviderID: e.prov.ID, PageParams: billkit.PageParams{Limit: 2}}, []string{"Alpha 100%", "Bravo", "Charlie", "Delta", "Echo"}},
		{billing.ClientFilter{PageParams: billkit.PageParams{Limit: 4}}, []string{"Alpha 100%", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"}},
		{billing.ClientFilter{Query: "CHAR"}, []string{"Charlie"}},
		{billing.ClientFilter{Query: "ce@example"}, []string{"Echo"}},
		{billing.ClientFilter{Query: "0%"}, []string{"Alpha 100%"}},
		{billing.ClientFilter{Query: "_"}, nil},
		{billing.ClientFilter{Status: billing.ClientStatusBlocked}, []string{"Delta"}},
		{billing.ClientFilter{GroupID: g.ID}, []string{"Alpha 100%", "Charlie", "Echo"}},
		{billing.ClientFilter{PayerTaxID: "7707083893"}, []string{"Bravo"}},
		{billing.ClientFilter{PayerTaxID: "de 136-695-976"}, []string{"Charlie"}},
		{billing.ClientFilter{PayerTaxID: "1"}, nil},
	} {
		got := list(tc.f)
		if len(got) != len(tc.want) || (len(got) > 0 && !equal(got, tc.want)) {
			t.Errorf("ListClients(%+v) = %v, want %v", tc.f, got, tc.want)
		}
	}
	_, err := e.svc.ListClients(ctx, system, billing.ClientFilter{Status: "gone"})
	wantField(t, err, "status", "client.status_unknown")
	_, err = e.svc.ListClients(ctx, system, billing.ClientFilter{PageParams: billkit.PageParams{Cursor: "garbage"}})
	wantField(t, err, "cursor", "")
	_, err = e.svc.ListClients(ctx, staff(), billing.ClientFilter{})
	wantCode(t, err, billkit.CodeForbidden, "")
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestCustomerIsolation(t *testing.T) {
	e := newEnv(t)
	a, b := e.client(t, "A"), e.client(t, "B")
	must[*billing.Client](t)(e.svc.UpdateClient(ctx, system, a.ID, billing.UpdateClientParams{Notes: ptr("staff only")}))
	pa, pb := e.payer(t, a.ID, "Payer A"), e.payer(t, b.ID, "Payer B")
	co := must[*billing.Company](t)(e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{LegalName: "HostCo", Country: "RU", ProviderIDs: []billkit.ProviderID{e.prov.ID}}))
	tpl := must[*billing.ContractTemplate](t)(e.svc.CreateContractTemplate(ctx, system, billing.CreateContractTemplateParams{
		CompanyID: co.ID, Name: "Offer", Body: map[string]string{"en": "Terms"}, NumberFormat: "{N}",
	}))
	kb := must[*billing.Contract](t)(e.svc.CreateContract(ctx, system, billing.CreateContractParams{TemplateID: tpl.ID, ClientID: b.ID}))

	me := customer(a.ID)
	got, err := e.svc.GetClient(ctx, me, a.ID)
	if err != nil || got.Notes != "" {
		t.Fatalf("own client = %+v, %v", got, err)
	}
	// Another client's objects answer exactly like missing ones.
	_, errOther := e.svc.GetClient(ctx, me, b.ID)
	_, errMissing := e.svc.GetClient(ctx, me, newID[billkit.ClientID]())
	wantCode(t, errOther, billkit.CodeNotFound, "client.not_found")
	wantCode(t, errMissing, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.GetPayer(ctx, me, pb.ID)
	wantCode(t, err, billkit.CodeNotFound, "payer.not_found")
	_, err = e.svc.GetContract(ctx, me, kb.ID)
	wantCode(t, err, billkit.CodeNotFound, "contract.not_found")
	_, err = e.svc.UpdateClient(ctx, me, b.ID, billing.UpdateClientParams{Name: ptr("mine")})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.UpdatePayer(ctx, me, pb.ID, billing.UpdatePayerParams{Name: ptr("mine")})
	wantCode(t, err, billkit.CodeNotFound, "payer.not_found")
	_, err = e.svc.CreatePayer(ctx, me, billing.CreatePayerParams{ClientID: b.ID, Kind: billing.PayerIndividual, Name: "x", Country: "RU"})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.SignContract(ctx, me, kb.ID)
	wantCode(t, err, billkit.CodeNotFound, "contract.not_found")
	_, err = e.svc.MergeClients(ctx, me, b.ID, a.ID)
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")

	// Lists show only the customer's own.
	cl := must[billkit.Page[billing.Client]](t)(e.svc.ListClients(ctx, me, billing.ClientFilter{}))
	if len(cl.Items) != 1 || cl.Items[0].ID != a.ID || cl.Items[0].Notes != "" {
		t.Fatalf("clients = %+v", cl.Items)
	}
	pl := must[billkit.Page[billing.Payer]](t)(e.svc.ListPayers(ctx, me, billing.PayerFilter{}))
	if len(pl.Items) != 1 || pl.Items[0].ID != pa.ID {
		t.Fatalf("payers = %+v", pl.Items)
	}
	kl := must[billkit.Page[billing.Contract]](t)(e.svc.ListContracts(ctx, me, billing.ContractFilter{}))
	if len(kl.Items) != 0 {
		t.Fatalf("contracts = %+v", kl.Items)
	}
	nobody := customer()
	cl = must[billkit.Page[billing.Client]](t)(e.svc.ListClients(ctx, nobody, billing.ClientFilter{}))
	if len(cl.Items) != 0 {
		t.Fatalf("a customer of no client sees %+v", cl.Items)
	}

	// A customer changes its contact data, not staff's fields.
	up, err := e.svc.UpdateClient(ctx, me, a.ID, billing.UpdateClientParams{Name: ptr("A Ltd"), Email: ptr("a@example.com")})
	if err != nil || up.Name != "A Ltd" {
		t.Fatalf("update = %+v, %v", up, err)
	}
	_, err = e.svc.UpdateClient(ctx, me, a.ID, billing.UpdateClientParams{CreditLimit: ptr(dec("1000000"))})
	wantCode(t, err, billkit.CodeForbidden, "billing.staff_only")
	stored := must[*billing.Client](t)(e.svc.GetClient(ctx, system, a.ID))
	if !stored.CreditLimit.IsZero() || stored.Notes != "staff only" {
		t.Fatalf("stored = %+v", stored)
	}
}
