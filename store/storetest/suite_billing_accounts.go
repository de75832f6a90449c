package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
)

// billingFixture is a store with the directory rows billing refers to.
type billingFixture struct {
	s   Stores
	b   billing.Store
	pid billkit.ProviderID
}

func newBillingFixture(t *testing.T, newStores func(t testing.TB) Stores) *billingFixture {
	t.Helper()
	ctx := context.Background()
	s := newStores(t)
	if s.Billing == nil || s.Directory == nil {
		t.Fatal("Stores.Billing and Stores.Directory are required")
	}
	_, err := s.Directory.SeedCurrencies(ctx, []directory.Currency{currency("RUB", true, false), currency("USD", true, false)})
	must(t, err)
	_, err = s.Directory.SeedCountries(ctx, []directory.Country{country("RU", false, true, "Russia", "Россия"), country("DE", true, true, "Germany", "Германия")})
	must(t, err)
	_, err = s.Directory.SeedLocales(ctx, []directory.Locale{locale("en", true, true), locale("ru", true, false)})
	must(t, err)
	f := &billingFixture{s: s, b: s.Billing}
	f.pid = f.provider(t, "Main").ID
	return f
}

// newBillingProviderID makes a ProviderID, whose entity type is not exported.
func newBillingProviderID() billkit.ProviderID { return newKernelID[billkit.ProviderID]() }

// newBillingClientID makes a ClientID.
func newBillingClientID() billkit.ClientID { return newKernelID[billkit.ClientID]() }

func newKernelID[T any]() T {
	var id T
	if err := any(&id).(interface{ UnmarshalText([]byte) error }).UnmarshalText([]byte(billkit.NewID[struct{}]().String())); err != nil {
		panic(err)
	}
	return id
}

func (f *billingFixture) provider(t *testing.T, name string) *billing.Provider {
	t.Helper()
	p := &billing.Provider{ID: newBillingProviderID(), Name: name, Currency: "RUB", Locale: "ru", TimeZone: "Europe/Moscow",
		Settings: billing.Settings{"a.b": json.RawMessage(`{"x": [1, 2]}`)}, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.b.InsertProvider(context.Background(), p))
	return p
}

var clientSeq int

func (f *billingFixture) client(t *testing.T, name string) *billing.Client {
	t.Helper()
	clientSeq++
	c := &billing.Client{ID: newBillingClientID(), Number: fmt.Sprintf("C-%06d", clientSeq), ProviderID: f.pid, Status: billing.ClientStatusActive,
		Name: name, Email: name + "@example.com", Currency: "RUB", Locale: "ru", CreditLimit: dec("100.25"),
		Settings: billing.Settings{}, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.b.InsertClient(context.Background(), c))
	return c
}

func (f *billingFixture) payer(t *testing.T, client billkit.ClientID, def bool, taxID string) *billing.Payer {
	t.Helper()
	p := &billing.Payer{ID: billkit.NewID[billing.Payer](), ClientID: client, Kind: billing.PayerCompany, Name: "P", LegalName: "OOO P",
		Country: "RU", Address: billing.Address{Lines: []string{"Street 1"}, City: "Moscow"}, TaxID: taxID, Default: def, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.b.InsertPayer(context.Background(), p))
	return p
}

func runBillingAccounts(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	cmpBilling := cmp.Options{cmpOpts,
		cmp.Comparer(func(a, b json.RawMessage) bool { return string(a) == string(b) }),
		cmp.Comparer(func(a, b billkit.ProviderID) bool { return a == b }),
		cmp.Comparer(func(a, b billkit.ClientID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.CompanyID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.ClientGroupID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.PayerID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.ContractTemplateID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.ContractID) bool { return a == b }),
	}

	t.Run("provider/crud", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		got, err := f.b.GetProvider(ctx, f.pid)
		must(t, err)
		want := &billing.Provider{ID: f.pid, Name: "Main", Currency: "RUB", Locale: "ru", TimeZone: "Europe/Moscow",
			Settings: billing.Settings{"a.b": json.RawMessage(`{"x":[1,2]}`)}, CreatedAt: storedTime(t0), UpdatedAt: storedTime(t0)}
		if diff := cmp.Diff(want, got, cmpBilling); diff != "" {
			t.Fatalf("GetProvider (-want +got):\n%s", diff)
		}
		wantCode(t, f.b.InsertProvider(ctx, got), billkit.CodeConflict, "provider.exists")
		bad := *got
		bad.ID, bad.Currency = newBillingProviderID(), "XXX"
		wantCode(t, f.b.InsertProvider(ctx, &bad), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		got.Name, got.Settings = "Renamed", billing.Settings{}
		must(t, f.b.UpdateProvider(ctx, got))
		again, err := f.b.GetProvider(ctx, f.pid)
		must(t, err)
		if again.Name != "Renamed" || len(again.Settings) != 0 {
			t.Fatalf("after update: %+v", again)
		}
		_, err = f.b.GetProvider(ctx, newBillingProviderID())
		wantCode(t, err, billkit.CodeNotFound, "provider.not_found")
		missing := *got
		missing.ID = newBillingProviderID()
		wantCode(t, f.b.UpdateProvider(ctx, &missing), billkit.CodeNotFound, "provider.not_found")
		f.provider(t, "Second")
		f.provider(t, "Third")
		all := collect(t, 2, func(p billing.Provider) string { return p.ID.String() }, func(pp billkit.PageParams) (billkit.Page[billing.Provider], error) {
			return f.b.ListProviders(ctx, billing.ProviderFilter{PageParams: pp})
		})
		if names := keys(all, func(p billing.Provider) string { return p.Name }); !slices.Equal(names, []string{"Renamed", "Second", "Third"}) {
			t.Fatalf("providers = %v", names)
		}
	})

	t.Run("company/providers", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		p2 := f.provider(t, "Second")
		c := &billing.Company{ID: billkit.NewID[billing.Company](), LegalName: "HostCo GmbH", ShortName: "HostCo", Country: "DE",
			Address: billing.Address{Lines: []string{"Hauptstr. 1"}, City: "Berlin", PostalCode: "10115"}, TaxIDs: []string{"DE136695976"},
			BankAccounts: []billing.BankAccount{{BankName: "Bank", IBAN: "DE89370400440532013000", BIC: "COBADEFF"}},
			ProviderIDs:  []billkit.ProviderID{p2.ID, f.pid}, CreatedAt: t0, UpdatedAt: t0}
		must(t, f.b.InsertCompany(ctx, c))
		got, err := f.b.GetCompany(ctx, c.ID)
		must(t, err)
		want := *c
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpBilling); diff != "" {
			t.Fatalf("GetCompany (-want +got):\n%s", diff)
		}
		// A company whose provider does not exist is not stored at all.
		bad := &billing.Company{ID: billkit.NewID[billing.Company](), LegalName: "X", Country: "DE", ProviderIDs: []billkit.ProviderID{newBillingProviderID()}, CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, f.b.InsertCompany(ctx, bad), billkit.CodeFailedPrecondition, "")
		_, err = f.b.GetCompany(ctx, bad.ID)
		wantCode(t, err, billkit.CodeNotFound, "company.not_found")

		got.ProviderIDs = []billkit.ProviderID{p2.ID}
		must(t, f.b.UpdateCompany(ctx, got))
		other := &billing.Company{ID: billkit.NewID[billing.Company](), LegalName: "Other", Country: "RU", CreatedAt: t0, UpdatedAt: t0}
		must(t, f.b.InsertCompany(ctx, other))
		for _, tc := range []struct {
			p    billkit.ProviderID
			want int
		}{{billkit.ProviderID{}, 2}, {p2.ID, 1}, {f.pid, 0}} {
			page, err := f.b.ListCompanies(ctx, billing.CompanyFilter{ProviderID: tc.p})
			must(t, err)
			if len(page.Items) != tc.want {
				t.Fatalf("ListCompanies(%v) = %d, want %d", tc.p, len(page.Items), tc.want)
			}
		}
		o, err := f.b.GetCompany(ctx, other.ID)
		must(t, err)
		if o.ProviderIDs == nil || len(o.ProviderIDs) != 0 || o.TaxIDs == nil || o.BankAccounts == nil {
			t.Fatalf("empty lists come back as %#v %#v %#v", o.ProviderIDs, o.TaxIDs, o.BankAccounts)
		}
	})

	t.Run("client/crud", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		g := &billing.ClientGroup{ID: billkit.NewID[billing.ClientGroup](), ProviderID: f.pid, Name: "VIP", Settings: billing.Settings{"k": json.RawMessage("1")}, CreatedAt: t0, UpdatedAt: t0}
		must(t, f.b.InsertClientGroup(ctx, g))
		gg, err := f.b.GetClientGroup(ctx, g.ID)
		must(t, err)
		if gg.Name != "VIP" || string(gg.Settings["k"]) != "1" {
			t.Fatalf("group = %+v", gg)
		}
		c := f.client(t, "acme")
		got, err := f.b.GetClient(ctx, c.ID)
		must(t, err)
		want := *c
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpBilling); diff != "" {
			t.Fatalf("GetClient (-want +got):\n%s", diff)
		}
		dup := *c
		dup.ID = newBillingClientID()
		wantCode(t, f.b.InsertClient(ctx, &dup), billkit.CodeConflict, "client.exists")
		got.GroupID, got.Status, got.CreditLimit, got.MergedInto = g.ID, billing.ClientStatusBlocked, dec("0.000001"), c.ID
		must(t, f.b.UpdateClient(ctx, got))
		again, err := f.b.GetClient(ctx, c.ID)
		must(t, err)
		if diff := cmp.Diff(got, again, cmpBilling); diff != "" {
			t.Fatalf("after UpdateClient (-want +got):\n%s", diff)
		}
		_, err = f.b.GetClient(ctx, newBillingClientID())
		wantCode(t, err, billkit.CodeNotFound, "client.not_found")
		got.GroupID = billkit.NewID[billing.ClientGroup]()
		wantCode(t, f.b.UpdateClient(ctx, got), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
	})

	t.Run("client/list", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		a, b, c := f.client(t, "alpha"), f.client(t, "bravo"), f.client(t, "charlie")
		b.Status = billing.ClientStatusBlocked
		must(t, f.b.UpdateClient(ctx, b))
		f.payer(t, c.ID, true, "DE 136-695-976")
		list := func(flt billing.ClientFilter) []string {
			t.Helper()
			items := collect(t, 1, func(c billing.Client) string { return c.ID.String() }, func(pp billkit.PageParams) (billkit.Page[billing.Client], error) {
				flt.PageParams = pp
				return f.b.ListClients(ctx, flt)
			})
			return keys(items, func(c billing.Client) string { return c.Name })
		}
		for _, tc := range []struct {
			f    billing.ClientFilter
			want []string
		}{
			{billing.ClientFilter{}, []string{"alpha", "bravo", "charlie"}},
			{billing.ClientFilter{ProviderID: newBillingProviderID()}, nil},
			{billing.ClientFilter{Status: billing.ClientStatusBlocked}, []string{"bravo"}},
			{billing.ClientFilter{Query: "ALP"}, []string{"alpha"}},
			{billing.ClientFilter{Query: "charlie@example"}, []string{"charlie"}},
			{billing.ClientFilter{PayerTaxID: "de136695976"}, []string{"charlie"}},
			{billing.ClientFilter{IDs: []billkit.ClientID{a.ID, c.ID}}, []string{"alpha", "charlie"}},
			{billing.ClientFilter{IDs: []billkit.ClientID{}}, nil},
		} {
			if got := list(tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("ListClients(%+v) = %v, want %v", tc.f, got, tc.want)
			}
		}
	})

	t.Run("payer/default", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		c := f.client(t, "acme")
		p1 := f.payer(t, c.ID, true, "")
		p2 := f.payer(t, c.ID, false, "7707083893")
		// Two defaults for one client are refused by the store itself.
		p3 := &billing.Payer{ID: billkit.NewID[billing.Payer](), ClientID: c.ID, Kind: billing.PayerIndividual, Name: "x", Country: "RU", Default: true, CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, f.b.InsertPayer(ctx, p3), billkit.CodeConflict, "")
		must(t, f.b.SetDefaultPayer(ctx, c.ID, p2.ID))
		for id, want := range map[billing.PayerID]bool{p1.ID: false, p2.ID: true} {
			p, err := f.b.GetPayer(ctx, id)
			must(t, err)
			if p.Default != want {
				t.Fatalf("payer %s default = %v", id, p.Default)
			}
		}
		other := f.client(t, "other")
		wantCode(t, f.b.SetDefaultPayer(ctx, other.ID, p1.ID), billkit.CodeNotFound, "payer.not_found")
		got, err := f.b.GetPayer(ctx, p2.ID)
		must(t, err)
		got.Region, got.Phone = "", "+7 495 000 00 00"
		must(t, f.b.UpdatePayer(ctx, got))
		page, err := f.b.ListPayers(ctx, billing.PayerFilter{ClientID: c.ID})
		must(t, err)
		if len(page.Items) != 2 || page.Items[1].Phone != "+7 495 000 00 00" {
			t.Fatalf("payers = %+v", page.Items)
		}
		page, err = f.b.ListPayers(ctx, billing.PayerFilter{ClientIDs: []billkit.ClientID{other.ID}})
		must(t, err)
		if len(page.Items) != 0 {
			t.Fatalf("payers of other = %+v", page.Items)
		}
	})

	t.Run("contract/crud", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		co := &billing.Company{ID: billkit.NewID[billing.Company](), LegalName: "HostCo", Country: "RU", CreatedAt: t0, UpdatedAt: t0}
		must(t, f.b.InsertCompany(ctx, co))
		tpl := &billing.ContractTemplate{ID: billkit.NewID[billing.ContractTemplate](), CompanyID: co.ID, Name: "Offer",
			Body: directory.Text{"en": "Terms", "ru": "Условия"}, NumberFormat: "{N}", Reset: billing.ResetNever, CreatedAt: t0, UpdatedAt: t0}
		must(t, f.b.InsertContractTemplate(ctx, tpl))
		gt, err := f.b.GetContractTemplate(ctx, tpl.ID)
		must(t, err)
		if gt.Body["ru"] != "Условия" || gt.Reset != billing.ResetNever {
			t.Fatalf("template = %+v", gt)
		}
		c := f.client(t, "acme")
		p := f.payer(t, c.ID, true, "")
		k := &billing.Contract{ID: billkit.NewID[billing.Contract](), Number: "1", CompanyID: co.ID, ClientID: c.ID, PayerID: p.ID, TemplateID: tpl.ID,
			Status: billing.ContractDraft, Date: billkit.MustDate(2026, time.March, 29), CreatedAt: t0, UpdatedAt: t0}
		must(t, f.b.InsertContract(ctx, k))
		got, err := f.b.GetContract(ctx, k.ID)
		must(t, err)
		want := *k
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpBilling); diff != "" {
			t.Fatalf("GetContract (-want +got):\n%s", diff)
		}
		dup := *k
		dup.ID = billkit.NewID[billing.Contract]()
		wantCode(t, f.b.InsertContract(ctx, &dup), billkit.CodeConflict, "contract.exists")
		got.Status, got.SentAt = billing.ContractSent, t0.Add(time.Hour)
		must(t, f.b.UpdateContract(ctx, got))
		again, err := f.b.GetContract(ctx, k.ID)
		must(t, err)
		if again.Status != billing.ContractSent || !again.SentAt.Equal(storedTime(t0.Add(time.Hour))) || !again.SignedAt.IsZero() {
			t.Fatalf("after update: %+v", again)
		}
		for _, tc := range []struct {
			f    billing.ContractFilter
			want int
		}{
			{billing.ContractFilter{}, 1},
			{billing.ContractFilter{ClientID: c.ID, Status: billing.ContractSent}, 1},
			{billing.ContractFilter{Status: billing.ContractDraft}, 0},
			{billing.ContractFilter{ClientIDs: []billkit.ClientID{}}, 0},
			{billing.ContractFilter{CompanyID: co.ID}, 1},
		} {
			page, err := f.b.ListContracts(ctx, tc.f)
			must(t, err)
			if len(page.Items) != tc.want {
				t.Errorf("ListContracts(%+v) = %d, want %d", tc.f, len(page.Items), tc.want)
			}
		}
	})

	t.Run("counter/sequence", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		next := func(series, period string) int64 {
			t.Helper()
			n, err := f.b.NextNumber(ctx, series, period)
			must(t, err)
			return n
		}
		for want := int64(1); want <= 3; want++ {
			if got := next("invoice", "2026"); got != want {
				t.Fatalf("NextNumber = %d, want %d", got, want)
			}
		}
		if got := next("invoice", "2027"); got != 1 {
			t.Fatalf("a new period starts at %d", got)
		}
		if got := next("contract", ""); got != 1 {
			t.Fatalf("another series starts at %d", got)
		}
		// A rolled-back transaction gives its number back: no gap.
		boom := errors.New("boom")
		err := f.b.InTx(ctx, func(tx billing.Store) error {
			n, err := tx.NextNumber(ctx, "invoice", "2026")
			if err != nil {
				return err
			}
			if n != 4 {
				t.Errorf("in the transaction: %d, want 4", n)
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v", err)
		}
		if got := next("invoice", "2026"); got != 4 {
			t.Fatalf("after the rollback: %d, want 4", got)
		}
		_, err = f.b.NextNumber(ctx, "", "")
		wantCode(t, err, billkit.CodeInvalid, "required")
	})

	t.Run("counter/concurrent", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		const n = 20
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			got  []int64
			errs []error
		)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := f.b.InTx(ctx, func(tx billing.Store) error {
					v, err := tx.NextNumber(ctx, "invoice", "2026")
					if err != nil {
						return err
					}
					mu.Lock()
					got = append(got, v)
					mu.Unlock()
					return nil
				})
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("errors: %v", errs)
		}
		sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
		for i, v := range got {
			if v != int64(i+1) {
				t.Fatalf("numbers = %v, want 1..%d exactly", got, n)
			}
		}
		if len(got) != n {
			t.Fatalf("%d numbers, want %d", len(got), n)
		}
	})

	t.Run("action/rollback", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		boom := errors.New("boom")
		p := &billing.Provider{ID: newBillingProviderID(), Name: "X", Currency: "RUB", Locale: "en", TimeZone: "UTC", CreatedAt: t0, UpdatedAt: t0}
		err := f.b.InTx(ctx, func(tx billing.Store) error {
			must(t, tx.InsertProvider(ctx, p))
			a, err := billkit.NewAction(billkit.SystemActor("test"), t0, "billing.provider.create", billing.FunctionProvider, p.ID.String(), nil, p)
			must(t, err)
			must(t, tx.InsertAction(ctx, a))
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx = %v", err)
		}
		_, err = f.b.GetProvider(ctx, p.ID)
		wantCode(t, err, billkit.CodeNotFound, "provider.not_found")
		if f.s.Bun != nil {
			n, err := f.s.Bun.DB().NewSelect().TableExpr("billkit_actions").Where("object_id = ?", p.ID.String()).Count(ctx)
			must(t, err)
			if n != 0 {
				t.Fatalf("the action of a rolled-back change was kept")
			}
		}
	})

	t.Run("merge/references", func(t *testing.T) { runMergeReferences(t, newStores) })
}

// clientIDTables discovers every table with a client_id column.
func clientIDTables(t *testing.T, st *bunstore.Store) []string {
	t.Helper()
	ctx := context.Background()
	var tables []string
	var err error
	if st.Dialect() == bunstore.DialectPostgres {
		err = st.DB().NewRaw(`SELECT table_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND column_name = 'client_id' ORDER BY table_name`).Scan(ctx, &tables)
	} else {
		err = st.DB().NewRaw(`SELECT m.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c
			WHERE m.type = 'table' AND c.name = 'client_id' ORDER BY m.name`).Scan(ctx, &tables)
	}
	must(t, err)
	return tables
}

// runMergeReferences checks that MoveClientReferences knows every table that
// refers to a client, and leaves none referring to the merged client.
func runMergeReferences(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	f := newBillingFixture(t, newStores)
	if f.s.Bun == nil {
		t.Skip("the table discovery needs Stores.Bun")
	}
	st := f.s.Bun
	tables := clientIDTables(t, st)
	if len(tables) == 0 {
		t.Fatal("found no table with a client_id column")
	}
	known := map[string]bool{}
	for _, r := range bunstore.ClientReferences() {
		known[r.Table] = true
	}
	for _, table := range tables {
		if mergeKeeps[table] {
			continue // history, never rewritten
		}
		if !known[table] {
			t.Errorf("table %s has a client_id column but is not in bunstore's client references: a merge would leave it behind", table)
		}
	}

	from, to := f.client(t, "from"), f.client(t, "to")
	f.payer(t, from.ID, true, "")
	f.payer(t, from.ID, false, "")
	keep := f.payer(t, to.ID, true, "")
	co := &billing.Company{ID: billkit.NewID[billing.Company](), LegalName: "HostCo", Country: "RU", CreatedAt: t0, UpdatedAt: t0}
	must(t, f.b.InsertCompany(ctx, co))
	tpl := &billing.ContractTemplate{ID: billkit.NewID[billing.ContractTemplate](), CompanyID: co.ID, Name: "T", Body: directory.Text{"en": "x"}, NumberFormat: "{N}", Reset: billing.ResetNever, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.b.InsertContractTemplate(ctx, tpl))
	fromPayers, err := f.b.ListPayers(ctx, billing.PayerFilter{ClientID: from.ID})
	must(t, err)
	k := &billing.Contract{ID: billkit.NewID[billing.Contract](), Number: "1", CompanyID: co.ID, ClientID: from.ID, PayerID: fromPayers.Items[0].ID,
		TemplateID: tpl.ID, Status: billing.ContractDraft, Date: billkit.MustDate(2026, 3, 29), CreatedAt: t0, UpdatedAt: t0}
	must(t, f.b.InsertContract(ctx, k))
	earlier := f.client(t, "earlier")
	earlier.Status, earlier.MergedInto = billing.ClientStatusDeleted, from.ID
	must(t, f.b.UpdateClient(ctx, earlier))
	a, err := billkit.NewAction(billkit.SystemActor("test"), t0, "billing.client.create", billing.FunctionClient, from.ID.String(), nil, from)
	must(t, err)
	a.ClientID = from.ID
	must(t, f.b.InsertAction(ctx, a))

	if acc := f.s.Access; acc != nil {
		both := &access.User{ID: billkit.NewID[access.User](), Kind: access.UserKindCustomer, Email: "both@example.com", Name: "Both", Locale: "en", Status: access.UserStatusActive, CreatedAt: t0, UpdatedAt: t0}
		only := &access.User{ID: billkit.NewID[access.User](), Kind: access.UserKindCustomer, Email: "only@example.com", Name: "Only", Locale: "en", Status: access.UserStatusActive, CreatedAt: t0, UpdatedAt: t0}
		must(t, acc.InsertUser(ctx, both))
		must(t, acc.InsertUser(ctx, only))
		for _, m := range []access.Member{
			{ClientID: from.ID, UserID: both.ID, Role: access.RoleBilling},
			{ClientID: to.ID, UserID: both.ID, Role: access.RoleOwner},
			{ClientID: from.ID, UserID: only.ID, Role: access.RoleTechnical},
		} {
			m.Rights, m.CreatedAt, m.UpdatedAt = []billkit.Right{}, t0, t0
			must(t, acc.InsertMember(ctx, &m))
		}
		inv := &access.Invite{ID: billkit.NewID[access.Invite](), ClientID: from.ID, Email: "new@example.com", Role: access.RoleSupport, Rights: []billkit.Right{},
			TokenHash: "hash", CreatedBy: "test", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		must(t, acc.InsertInvite(ctx, inv))

		must(t, f.b.InTx(ctx, func(tx billing.Store) error { return tx.MoveClientReferences(ctx, from.ID, to.ID) }))

		m, err := acc.GetMember(ctx, to.ID, both.ID)
		must(t, err)
		if m.Role != access.RoleOwner {
			t.Errorf("the target's membership was replaced: role %s", m.Role)
		}
		if _, err := acc.GetMember(ctx, to.ID, only.ID); err != nil {
			t.Errorf("the source's membership did not move: %v", err)
		}
	} else {
		must(t, f.b.InTx(ctx, func(tx billing.Store) error { return tx.MoveClientReferences(ctx, from.ID, to.ID) }))
	}

	for _, table := range tables {
		n, err := st.DB().NewSelect().TableExpr(table).Where("client_id = ?", from.ID).Count(ctx)
		must(t, err)
		switch {
		case table == "billkit_actions" && n != 1:
			t.Errorf("the action log was rewritten: %d actions of the old client", n)
		case !mergeKeeps[table] && n != 0:
			t.Errorf("%d rows of %s still refer to the old client", n, table)
		}
	}
	e, err := f.b.GetClient(ctx, earlier.ID)
	must(t, err)
	if e.MergedInto != to.ID {
		t.Errorf("a client merged earlier into the old one points at %s", e.MergedInto)
	}
	payers, err := f.b.ListPayers(ctx, billing.PayerFilter{ClientID: to.ID})
	must(t, err)
	defaults := 0
	for _, p := range payers.Items {
		if p.Default {
			defaults++
			if p.ID != keep.ID {
				t.Errorf("default payer %s, want the target's", p.ID)
			}
		}
	}
	if len(payers.Items) != 3 || defaults != 1 {
		t.Errorf("target has %d payers, %d defaults", len(payers.Items), defaults)
	}
	kk, err := f.b.GetContract(ctx, k.ID)
	must(t, err)
	if kk.ClientID != to.ID {
		t.Errorf("contract stayed with %s", kk.ClientID)
	}
}

// mergeKeeps are the tables with a client_id that a merge leaves as they
// are, because they are history: the action log, and the ledger with its
// cached balances (the merge moves the money by transfer entries instead).
var mergeKeeps = map[string]bool{
	"billkit_actions":         true,
	"billkit_ledger_entries":  true,
	"billkit_client_balances": true,
	"billkit_payments":        true,

	"billkit_expenses":            true,
	"billkit_expense_allocations": true,
	"billkit_ledger_debts":        true,
	"billkit_recalculations":      true,
}
