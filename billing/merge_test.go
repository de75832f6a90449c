package billing_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

func TestMergeClients(t *testing.T) {
	e := newEnv(t)
	from, to := e.client(t, "Old account"), e.client(t, "Main account")
	pf1, pf2 := e.payer(t, from.ID, "Old payer"), e.payer(t, from.ID, "Old payer 2")
	pt := e.payer(t, to.ID, "Main payer")
	co := must[*billing.Company](t)(e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{LegalName: "HostCo", Country: "RU", ProviderIDs: []billkit.ProviderID{e.prov.ID}}))
	tpl := must[*billing.ContractTemplate](t)(e.svc.CreateContractTemplate(ctx, system, billing.CreateContractTemplateParams{CompanyID: co.ID, Name: "T", Body: map[string]string{"en": "x"}, NumberFormat: "{N}"}))
	k := must[*billing.Contract](t)(e.svc.CreateContract(ctx, system, billing.CreateContractParams{TemplateID: tpl.ID, ClientID: from.ID}))

	// Refusals change nothing.
	usd := must[*billing.Client](t)(e.svc.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: e.prov.ID, Name: "Dollar", Currency: "USD"}))
	other := must[*billing.Provider](t)(e.svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "RUB"}))
	far := must[*billing.Client](t)(e.svc.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: other.ID, Name: "Far"}))
	gone := e.client(t, "Gone")
	must[*billing.Client](t)(e.svc.DeleteClient(ctx, system, gone.ID))
	for _, tc := range []struct {
		from, to billkit.ClientID
		code     billkit.Code
		reason   string
	}{
		{from.ID, from.ID, billkit.CodeInvalid, "client.merge_same"},
		{billkit.ClientID{}, to.ID, billkit.CodeInvalid, "required"},
		{from.ID, newID[billkit.ClientID](), billkit.CodeNotFound, "client.not_found"},
		{from.ID, usd.ID, billkit.CodeFailedPrecondition, "client.merge_currency"},
		{from.ID, far.ID, billkit.CodeFailedPrecondition, "client.merge_provider"},
		{gone.ID, to.ID, billkit.CodeFailedPrecondition, "client.merge_deleted"},
		{from.ID, gone.ID, billkit.CodeFailedPrecondition, "client.merge_deleted"},
	} {
		_, err := e.svc.MergeClients(ctx, system, tc.from, tc.to)
		wantCode(t, err, tc.code, tc.reason)
	}
	_, err := e.svc.MergeClients(ctx, staff(billkit.R(billing.FunctionClient, billkit.OpEdit)), from.ID, to.ID)
	wantCode(t, err, billkit.CodeForbidden, "")
	if n := e.count(t, "billkit_payers", "client_id = ?", from.ID); n != 2 {
		t.Fatalf("a refused merge moved payers: %d left", n)
	}

	got, err := e.svc.MergeClients(ctx, system, from.ID, to.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != to.ID || got.Status != billing.ClientStatusActive {
		t.Fatalf("merged into = %+v", got)
	}
	old := must[*billing.Client](t)(e.svc.GetClient(ctx, system, from.ID))
	if old.Status != billing.ClientStatusDeleted || old.MergedInto != to.ID {
		t.Fatalf("old = %+v", old)
	}
	payers := must[billkit.Page[billing.Payer]](t)(e.svc.ListPayers(ctx, system, billing.PayerFilter{ClientID: to.ID}))
	defaults := 0
	for _, p := range payers.Items {
		if p.Default {
			defaults++
			if p.ID != pt.ID {
				t.Fatalf("default payer = %s, want the target's own", p.Name)
			}
		}
	}
	if len(payers.Items) != 3 || defaults != 1 {
		t.Fatalf("payers of target = %d, defaults %d", len(payers.Items), defaults)
	}
	for _, id := range []billing.PayerID{pf1.ID, pf2.ID} {
		if p := must[*billing.Payer](t)(e.svc.GetPayer(ctx, system, id)); p.ClientID != to.ID {
			t.Fatalf("payer %s stayed with %s", p.Name, p.ClientID)
		}
	}
	if kk := must[*billing.Contract](t)(e.svc.GetContract(ctx, system, k.ID)); kk.ClientID != to.ID || kk.PayerID != pf1.ID {
		t.Fatalf("contract = %+v", kk)
	}
	for _, table := range []string{"billkit_payers", "billkit_contracts"} {
		if n := e.count(t, table, "client_id = ?", from.ID); n != 0 {
			t.Fatalf("%d rows of %s still refer to the old client", n, table)
		}
	}
	if n := e.actions(t, "billing.client.merge", from.ID.String()); n != 1 {
		t.Fatalf("%d merge actions on the old client", n)
	}
	if n := e.actions(t, "billing.client.merge_into", to.ID.String()); n != 1 {
		t.Fatalf("%d merge_into actions on the target", n)
	}
	// The log keeps the old client's history under its ID.
	if n := e.count(t, "billkit_actions", "client_id = ?", from.ID); n < 4 {
		t.Fatalf("the old client's history has %d actions", n)
	}
	_, err = e.svc.MergeClients(ctx, system, from.ID, to.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, "client.merge_deleted")
}

// A merge moves the money too: the merged client's balance (a debt here)
// goes to the target by a pair of transfer entries, and both ledgers still
// add up.
func TestMergeClientsMovesTheBalance(t *testing.T) {
	e := newLedgerEnv(t)
	from, to := e.limitedClient(t, "Old account", "100"), e.client(t, "Main account")
	e.post(t, from.ID, "30.00", billing.LedgerPayment)
	e.post(t, from.ID, "-50.00", billing.LedgerExpense)
	e.post(t, to.ID, "10.00", billing.LedgerPayment)

	if _, err := e.svc.MergeClients(ctx, system, from.ID, to.ID); err != nil {
		t.Fatal(err)
	}
	e.wantBalance(t, from.ID, "0.00")
	e.wantBalance(t, to.ID, "-10.00")
	page, err := e.svc.ListEntries(ctx, system, billing.LedgerFilter{ClientID: to.ID, Kind: billing.LedgerTransfer})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Amount.String() != "-20.00 RUB" || page.Items[0].BalanceAfter.String() != "-10.00 RUB" {
		t.Fatalf("transfer into the target = %+v", page.Items)
	}
}
