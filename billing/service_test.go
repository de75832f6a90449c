package billing_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
)

var (
	ctx    = context.Background()
	system = billkit.SystemActor("test")
	// start is 23:30 UTC on March 14th: already the 15th in Moscow.
	start = time.Date(2024, 3, 14, 21, 30, 0, 0, time.UTC)
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func ptr[T any](v T) *T            { return &v }

// perms is a Permissions for tests: the rights listed, on every client
// (staff) or on the clients listed (customers).
type perms struct {
	rights  []billkit.Right
	clients []billkit.ClientID
	all     bool
}

func (p perms) Allows(r billkit.Right, c billkit.ClientID) bool {
	if !p.all && !slices.Contains(p.clients, c) {
		return false
	}
	return slices.Contains(p.rights, r)
}

func (p perms) Clients() ([]billkit.ClientID, bool) { return p.clients, p.all }

// every returns all the rights on billing's functions.
func every() []billkit.Right {
	var rs []billkit.Right
	for _, f := range billing.Functions() {
		for _, op := range billkit.Operations() {
			rs = append(rs, billkit.R(f, op))
		}
	}
	return rs
}

func staff(rights ...billkit.Right) billkit.Actor {
	return billkit.Actor{Kind: billkit.ActorStaff, ID: "alice", Name: "alice@example.com", IP: "192.0.2.1",
		Permissions: perms{rights: rights, all: true}}
}

// customer is a customer user of clients with every right a customer role
// can hold: all but posting to a ledger, which is staff's (access keeps
// billing.ledger off the client functions roles draw from).
func customer(clients ...billkit.ClientID) billkit.Actor {
	var rights []billkit.Right
	for _, r := range every() {
		if r.Function != billing.FunctionLedger {
			rights = append(rights, r)
		}
	}
	return billkit.Actor{Kind: billkit.ActorCustomer, ID: "bob", Name: "bob@example.com",
		Permissions: perms{rights: rights, clients: clients}}
}

type env struct {
	svc   *billing.Service
	st    *bunstore.Store
	dir   *directory.Service
	clock *billkit.FakeClock
	prov  *billing.Provider
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, storetest.NewMemory(t), billing.Config{})
}

// newPostgresEnv is newEnv on a fresh PostgreSQL database; it skips without
// BILLKIT_TEST_POSTGRES_DSN (and fails in CI).
func newPostgresEnv(t *testing.T, cfg billing.Config) *env {
	t.Helper()
	return newEnvOn(t, storetest.NewPostgres(t), cfg)
}

// newEnvOn bootstraps the directory on st, makes a billing service with
// cfg (and the fake clock) and a provider, and runs the auditor when the
// test ends.
func newEnvOn(t *testing.T, st *bunstore.Store, cfg billing.Config) *env {
	t.Helper()
	clock := billkit.NewFakeClock(start)
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, system); err != nil {
		t.Fatal(err)
	}
	cfg.Clock = clock
	svc := billing.NewService(st.Billing(), dir, cfg)
	prov, err := svc.CreateProvider(ctx, system, billing.CreateProviderParams{
		Name: "HostCo", Currency: "RUB", Locale: "ru", TimeZone: "Europe/Moscow",
		Settings: billing.Settings{"invoice.due_days": []byte("10")},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{svc: svc, st: st, dir: dir, clock: clock, prov: prov}
	auditAfter(t, e)
	return e
}

func (e *env) client(t *testing.T, name string) *billing.Client {
	t.Helper()
	c, err := e.svc.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: e.prov.ID, Name: name, Email: "x@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) payer(t *testing.T, client billkit.ClientID, name string) *billing.Payer {
	t.Helper()
	p, err := e.svc.CreatePayer(ctx, system, billing.CreatePayerParams{ClientID: client, Kind: billing.PayerIndividual, Name: name, Country: "RU"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// count returns the rows of a table matching where.
func (e *env) count(t *testing.T, table, where string, args ...any) int {
	t.Helper()
	n, err := e.st.DB().NewSelect().TableExpr(table).Where(where, args...).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// actions returns the number of actions with the name on the object.
func (e *env) actions(t *testing.T, name, objectID string) int {
	t.Helper()
	return e.count(t, "billkit_actions", "name = ? AND object_id = ?", name, objectID)
}

// wantField checks that err is invalid and names field with reason (any
// reason when reason is "").
func wantField(t *testing.T, err error, field, reason string) {
	t.Helper()
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid {
		t.Fatalf("err = %v, want invalid on %s", err, field)
	}
	f, ok := e.Field(field)
	if !ok {
		t.Fatalf("err = %v, want field %q", err, field)
	}
	if reason != "" && f.Reason != reason {
		t.Fatalf("field %s reason = %q, want %q (%v)", field, f.Reason, reason, err)
	}
}

func wantCode(t *testing.T, err error, code billkit.Code, reason string) {
	t.Helper()
	if billkit.ErrorCode(err) != code || (reason != "" && billkit.ErrorReason(err) != reason) {
		t.Fatalf("err = %v, want %s (%s)", err, code, reason)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestProviders(t *testing.T) {
	e := newEnv(t)
	if e.prov.Locale != "ru" || e.prov.Currency != "RUB" || e.prov.TimeZone != "Europe/Moscow" {
		t.Fatalf("provider = %+v", e.prov)
	}
	if n := e.actions(t, "billing.provider.create", e.prov.ID.String()); n != 1 {
		t.Fatalf("%d create actions, want 1", n)
	}
	def, err := e.svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "usd"})
	if err != nil {
		t.Fatal(err)
	}
	if def.Locale != "en" || def.TimeZone != "UTC" || def.Currency != "USD" || def.Settings == nil {
		t.Fatalf("defaults = %+v", def)
	}

	for _, tc := range []struct {
		p             billing.CreateProviderParams
		field, reason string
	}{
		{billing.CreateProviderParams{Currency: "RUB"}, "name", "required"},
		{billing.CreateProviderParams{Name: "X"}, "currency", "required"},
		{billing.CreateProviderParams{Name: "X", Currency: "XXX"}, "currency", "currency.unknown"},
		{billing.CreateProviderParams{Name: "X", Currency: "JPY"}, "currency", "currency.disabled"},
		{billing.CreateProviderParams{Name: "X", Currency: "RUB", Locale: "xx"}, "locale", "locale.unknown"},
		{billing.CreateProviderParams{Name: "X", Currency: "RUB", Locale: "de"}, "locale", "locale.disabled"},
		{billing.CreateProviderParams{Name: "X", Currency: "RUB", TimeZone: "Mars/Olympus"}, "time_zone", "time_zone.unknown"},
		{billing.CreateProviderParams{Name: "X", Currency: "RUB", TimeZone: "Local"}, "time_zone", "time_zone.unknown"},
		{billing.CreateProviderParams{Name: "X", Currency: "RUB", Settings: billing.Settings{"Bad Key": []byte("1")}}, "settings.Bad Key", "settings.key_malformed"},
		{billing.CreateProviderParams{Name: "X", Currency: "RUB", Settings: billing.Settings{"a": []byte("{")}}, "settings.a", "settings.value_malformed"},
	} {
		_, err := e.svc.CreateProvider(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	_, err = e.svc.CreateProvider(ctx, billkit.Actor{}, billing.CreateProviderParams{Name: "X", Currency: "RUB"})
	wantField(t, err, "actor.kind", "")
	_, err = e.svc.CreateProvider(ctx, staff(), billing.CreateProviderParams{Name: "X", Currency: "RUB"})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	// A staff actor with no Permissions at all is denied too.
	_, err = e.svc.CreateProvider(ctx, billkit.Actor{Kind: billkit.ActorStaff, ID: "x"}, billing.CreateProviderParams{Name: "X", Currency: "RUB"})
	wantCode(t, err, billkit.CodeForbidden, "")
	if n := e.count(t, "billkit_providers", "1 = 1"); n != 2 {
		t.Fatalf("%d providers after bad input, want 2", n)
	}

	st := staff(billkit.R(billing.FunctionProvider, billkit.OpEdit), billkit.R(billing.FunctionProvider, billkit.OpRead))
	e.clock.Advance(time.Hour)
	up, err := e.svc.UpdateProvider(ctx, st, e.prov.ID, billing.UpdateProviderParams{Name: ptr("HostCo EU"), Currency: ptr("EUR"), TimeZone: ptr("Europe/Berlin")})
	if err != nil {
		t.Fatal(err)
	}
	if up.Name != "HostCo EU" || up.Currency != "EUR" || up.TimeZone != "Europe/Berlin" || up.Locale != "ru" || !up.UpdatedAt.Equal(billkit.Instant(e.clock.Now())) {
		t.Fatalf("updated = %+v", up)
	}
	got := must[*billing.Provider](t)(e.svc.GetProvider(ctx, st, e.prov.ID))
	if got.Name != "HostCo EU" || string(got.Settings["invoice.due_days"]) != "10" {
		t.Fatalf("got = %+v", got)
	}
	_, err = e.svc.UpdateProvider(ctx, st, e.prov.ID, billing.UpdateProviderParams{Currency: ptr("JPY")})
	wantField(t, err, "currency", "currency.disabled")
	_, err = e.svc.UpdateProvider(ctx, st, billkit.ProviderID{}, billing.UpdateProviderParams{Name: ptr("x")})
	wantCode(t, err, billkit.CodeNotFound, "provider.not_found")
	_, err = e.svc.GetProvider(ctx, staff(), e.prov.ID)
	wantCode(t, err, billkit.CodeForbidden, "")
	page := must[billkit.Page[billing.Provider]](t)(e.svc.ListProviders(ctx, st, billing.ProviderFilter{PageParams: billkit.PageParams{Limit: 1}}))
	if len(page.Items) != 1 || page.Items[0].ID != e.prov.ID || page.NextCursor == "" {
		t.Fatalf("page 1 = %+v", page)
	}
	page = must[billkit.Page[billing.Provider]](t)(e.svc.ListProviders(ctx, st, billing.ProviderFilter{PageParams: billkit.PageParams{Limit: 1, Cursor: page.NextCursor}}))
	if len(page.Items) != 1 || page.Items[0].ID != def.ID || page.NextCursor != "" {
		t.Fatalf("page 2 = %+v", page)
	}
	if n := e.actions(t, "billing.provider.update", e.prov.ID.String()); n != 1 {
		t.Fatalf("%d update actions, want 1", n)
	}
}

func TestCompanies(t *testing.T) {
	e := newEnv(t)
	other := must[*billing.Provider](t)(e.svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "EUR"}))
	c, err := e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{
		LegalName: "HostCo GmbH", Country: "de",
		Address:      billing.Address{Lines: []string{"Hauptstr. 1", " "}, City: "Berlin", PostalCode: "10115"},
		TaxIDs:       []string{"DE 136 695 976"},
		BankAccounts: []billing.BankAccount{{BankName: "Bank", IBAN: "DE89 3704 0044 0532 0130 00", BIC: "cobadeff"}},
		ProviderIDs:  []billkit.ProviderID{e.prov.ID, e.prov.ID},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.ShortName != "HostCo GmbH" || c.Country != "DE" || c.TaxIDs[0] != "DE136695976" || c.BankAccounts[0].IBAN != "DE89370400440532013000" ||
		len(c.ProviderIDs) != 1 || len(c.Address.Lines) != 1 {
		t.Fatalf("company = %+v", c)
	}
	got := must[*billing.Company](t)(e.svc.GetCompany(ctx, system, c.ID))
	if !got.Serves(e.prov.ID) || got.Serves(other.ID) || got.Address.City != "Berlin" {
		t.Fatalf("got = %+v", got)
	}

	for _, tc := range []struct {
		p             billing.CreateCompanyParams
		field, reason string
	}{
		{billing.CreateCompanyParams{Country: "DE"}, "legal_name", "required"},
		{billing.CreateCompanyParams{LegalName: "X", Country: "ZZ"}, "country", "country.unknown"},
		{billing.CreateCompanyParams{LegalName: "X", Country: "DE", TaxIDs: []string{"DE136695978"}}, "tax_ids[0]", billing.ReasonTaxIDBadChecksum},
		{billing.CreateCompanyParams{LegalName: "X", Country: "DE", TaxIDs: []string{"DE136695976", "136695976"}}, "tax_ids[1]", "taxid.duplicate"},
		{billing.CreateCompanyParams{LegalName: "X", Country: "DE", BankAccounts: []billing.BankAccount{{BankName: "B", IBAN: "DE88370400440532013000"}}}, "bank_accounts[0].iban", "iban.bad_checksum"},
		{billing.CreateCompanyParams{LegalName: "X", Country: "DE", BankAccounts: []billing.BankAccount{{BankName: "B", Account: "1", BIC: "X"}}}, "bank_accounts[0].bic", "bic.invalid_format"},
		{billing.CreateCompanyParams{LegalName: "X", Country: "DE", Address: billing.Address{Lines: []string{"1", "2", "3", "4", "5"}}}, "address.lines", "address.too_many_lines"},
		{billing.CreateCompanyParams{LegalName: "X", Country: "DE", ProviderIDs: []billkit.ProviderID{{}}}, "provider_ids[0]", "provider.not_found"},
	} {
		_, err := e.svc.CreateCompany(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	if n := e.count(t, "billkit_companies", "1 = 1"); n != 1 {
		t.Fatalf("%d companies after bad input", n)
	}
	_, err = e.svc.CreateCompany(ctx, staff(billkit.R(billing.FunctionCompany, billkit.OpRead)), billing.CreateCompanyParams{LegalName: "X", Country: "DE"})
	wantCode(t, err, billkit.CodeForbidden, "")

	up, err := e.svc.UpdateCompany(ctx, system, c.ID, billing.UpdateCompanyParams{
		ShortName: ptr("HostCo"), ProviderIDs: []billkit.ProviderID{other.ID, e.prov.ID},
	})
	if err != nil {
		t.Fatal(err)
	}
	if up.ShortName != "HostCo" || len(up.ProviderIDs) != 2 {
		t.Fatalf("updated = %+v", up)
	}
	// A new country re-checks the stored tax IDs.
	_, err = e.svc.UpdateCompany(ctx, system, c.ID, billing.UpdateCompanyParams{Country: ptr("FR")})
	wantField(t, err, "tax_ids[0]", billing.ReasonTaxIDInvalidFormat)
	_, err = e.svc.UpdateCompany(ctx, system, billing.CompanyID{}, billing.UpdateCompanyParams{})
	wantCode(t, err, billkit.CodeNotFound, "company.not_found")

	solo := must[*billing.Company](t)(e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{LegalName: "Solo", Country: "RU", TaxIDs: []string{"7707083893"}}))
	for _, tc := range []struct {
		provider billkit.ProviderID
		want     int
	}{{billkit.ProviderID{}, 2}, {other.ID, 1}} {
		page := must[billkit.Page[billing.Company]](t)(e.svc.ListCompanies(ctx, system, billing.CompanyFilter{ProviderID: tc.provider}))
		if len(page.Items) != tc.want {
			t.Fatalf("ListCompanies(%v) = %d items, want %d", tc.provider, len(page.Items), tc.want)
		}
	}
	got = must[*billing.Company](t)(e.svc.GetCompany(ctx, system, solo.ID))
	if len(got.ProviderIDs) != 0 || got.ProviderIDs == nil {
		t.Fatalf("solo providers = %#v", got.ProviderIDs)
	}
}

func TestClientGroupsAndSettings(t *testing.T) {
	e := newEnv(t)
	g, err := e.svc.CreateClientGroup(ctx, system, billing.CreateClientGroupParams{
		ProviderID: e.prov.ID, Name: "Resellers",
		Settings: billing.Settings{"invoice.due_days": []byte("30"), "reseller": []byte("true")},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateClientGroup(ctx, system, billing.CreateClientGroupParams{Name: "X"})
	wantField(t, err, "provider_id", "required")
	_, err = e.svc.CreateClientGroup(ctx, system, billing.CreateClientGroupParams{ProviderID: newID[billkit.ProviderID](), Name: "X"})
	wantField(t, err, "provider_id", "provider.not_found")
	_, err = e.svc.CreateClientGroup(ctx, system, billing.CreateClientGroupParams{ProviderID: e.prov.ID})
	wantField(t, err, "name", "required")
	_, err = e.svc.CreateClientGroup(ctx, staff(), billing.CreateClientGroupParams{ProviderID: e.prov.ID, Name: "X"})
	wantCode(t, err, billkit.CodeForbidden, "")
	if n := e.count(t, "billkit_client_groups", "1 = 1"); n != 1 {
		t.Fatalf("%d groups after bad input", n)
	}

	c := must[*billing.Client](t)(e.svc.CreateClient(ctx, system, billing.CreateClientParams{
		ProviderID: e.prov.ID, Name: "Reseller", GroupID: g.ID,
		Settings: billing.Settings{"reseller": []byte("null"), "own": []byte(`"yes"`)},
	}))
	eff := must[billing.Settings](t)(e.svc.ClientSettings(ctx, system, c.ID))
	var due int
	if ok, err := eff.Get("invoice.due_days", &due); !ok || err != nil || due != 30 {
		t.Fatalf("due_days = %d, %v, %v", due, ok, err)
	}
	if _, ok := eff["reseller"]; ok || eff.String("own") != "yes" {
		t.Fatalf("effective = %v", eff)
	}

	up := must[*billing.ClientGroup](t)(e.svc.UpdateClientGroup(ctx, system, g.ID, billing.UpdateClientGroupParams{Name: ptr("VIP"), Settings: billing.Settings{}}))
	if up.Name != "VIP" || len(up.Settings) != 0 {
		t.Fatalf("updated = %+v", up)
	}
	eff = must[billing.Settings](t)(e.svc.ClientSettings(ctx, system, c.ID))
	if ok, _ := eff.Get("invoice.due_days", &due); !ok || due != 10 {
		t.Fatalf("due_days after the group's override went = %d", due)
	}
	_, err = e.svc.UpdateClientGroup(ctx, system, g.ID, billing.UpdateClientGroupParams{Name: ptr(" ")})
	wantField(t, err, "name", "required")
	got := must[*billing.ClientGroup](t)(e.svc.GetClientGroup(ctx, system, g.ID))
	if got.Name != "VIP" {
		t.Fatalf("got = %+v", got)
	}
	page := must[billkit.Page[billing.ClientGroup]](t)(e.svc.ListClientGroups(ctx, system, billing.ClientGroupFilter{ProviderID: e.prov.ID}))
	if len(page.Items) != 1 {
		t.Fatalf("groups = %+v", page)
	}
	_, err = e.svc.GetClientGroup(ctx, staff(), g.ID)
	wantCode(t, err, billkit.CodeForbidden, "")
}

// newID returns a new ID of a type whose entity cannot be named here.
func newID[T any]() T {
	var id T
	if err := any(&id).(interface{ UnmarshalText([]byte) error }).UnmarshalText([]byte(billkit.NewID[struct{}]().String())); err != nil {
		panic(err)
	}
	return id
}
