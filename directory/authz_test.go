package directory_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/uptrace/bun"
)

// rights is a test Permissions: the rights listed, on objects of no client.
type rights []string

func (r rights) Allows(right billkit.Right, client billkit.ClientID) bool {
	for _, s := range r {
		if s == right.String() && client.IsZero() {
			return true
		}
	}
	return false
}

func (r rights) Clients() ([]billkit.ClientID, bool) { return nil, true }

// actions reads the action log straight from the store's table.
func actions(t *testing.T, db bun.IDB) []billkit.Action {
	t.Helper()
	var out []billkit.Action
	if err := db.NewSelect().Model(&out).ModelTableExpr("billkit_actions AS action").OrderExpr("at, id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWritesNeedRights(t *testing.T) {
	st := storetest.NewMemory(t)
	clock := billkit.NewFakeClock(start)
	svc := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	reader := billkit.Actor{Kind: billkit.ActorStaff, ID: "bob", Permissions: rights{"directory:read"}}
	nobody := billkit.Actor{Kind: billkit.ActorStaff, ID: "carol"} // nil Permissions: denied
	creator := billkit.Actor{Kind: billkit.ActorStaff, ID: "dave", Permissions: rights{"directory:create"}}

	for _, a := range []billkit.Actor{reader, nobody} {
		wantCode(t, svc.Bootstrap(ctx, a), billkit.CodeForbidden, "access.denied")
	}
	if n := countAll(t, func(pp billkit.PageParams) (billkit.Page[directory.Currency], error) {
		return svc.ListCurrencies(ctx, directory.CurrencyFilter{PageParams: pp})
	}); n != 0 {
		t.Fatalf("a forbidden Bootstrap stored %d currencies", n)
	}
	if got := actions(t, st.DB()); len(got) != 0 {
		t.Fatalf("a forbidden Bootstrap recorded %d actions", len(got))
	}

	if err := svc.Bootstrap(ctx, creator); err != nil {
		t.Fatal(err)
	}
	log := actions(t, st.DB())
	if len(log) != 1 || log[0].Name != "directory.seed.create" || log[0].ActorID != "dave" {
		t.Fatalf("Bootstrap recorded %+v, want one directory.seed.create by dave", log)
	}
	// A second Bootstrap inserts nothing and records nothing.
	if err := svc.Bootstrap(ctx, creator); err != nil {
		t.Fatal(err)
	}
	if n := len(actions(t, st.DB())); n != 1 {
		t.Fatalf("an idempotent Bootstrap recorded again: %d actions", n)
	}

	unit := directory.CreateUnitParams{Code: "week", Name: directory.Text{"en": "week"}, Dimension: directory.DimensionTime, Factor: dec("168")}
	_, err := svc.CreateUnit(ctx, reader, unit)
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = svc.GetUnit(ctx, "week")
	wantCode(t, err, billkit.CodeNotFound, "unit.not_found")
	// Bad input is reported before the right is checked, and never written.
	_, err = svc.CreateUnit(ctx, nobody, directory.CreateUnitParams{Code: "week"})
	wantCode(t, err, billkit.CodeInvalid, "")

	if _, err := svc.CreateUnit(ctx, creator, unit); err != nil {
		t.Fatal(err)
	}
	// Creating is not editing.
	_, err = svc.UpdateUnit(ctx, creator, "week", directory.UpdateUnitParams{Name: directory.Text{"en": "7 days"}})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = svc.UpdateCurrency(ctx, creator, "USD", directory.UpdateCurrencyParams{Enabled: ptr(false)})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = svc.SetExchangeRate(ctx, creator, directory.SetExchangeRateParams{Base: "EUR", Quote: "USD", Rate: dec("1.1"), Date: billkit.MustDate(2024, 3, 15)})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = svc.RefreshRates(ctx, nobody, fakeSource{name: "bank"})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = svc.UpdateCountry(ctx, reader, "DE", directory.UpdateCountryParams{Enabled: ptr(false)})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = svc.CreateTLD(ctx, reader, directory.CreateTLDParams{Name: "dev"})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = svc.CreateLocale(ctx, reader, directory.CreateLocaleParams{Code: "nl"})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")

	log = actions(t, st.DB())
	if len(log) != 2 || log[1].Name != "directory.unit.create" || log[1].ObjectType != "directory.unit" || log[1].ObjectID != "week" {
		t.Fatalf("action log = %+v, want the seed and the unit's creation", log)
	}
}

func TestWritesAreRecorded(t *testing.T) {
	mem := storetest.NewMemory(t)
	clock := billkit.NewFakeClock(start)
	svc := directory.NewService(mem.Directory(), directory.Config{Clock: clock})
	staff := staff
	staff.IP, staff.UserAgent = "192.0.2.7", "test-agent"
	if err := svc.Bootstrap(ctx, billkit.SystemActor("test")); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateCurrency(ctx, staff, "JPY", directory.UpdateCurrencyParams{Enabled: ptr(true), Symbol: ptr("円")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateLocale(ctx, staff, "ru", directory.UpdateLocaleParams{Default: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	d := billkit.MustDate(2024, 3, 15)
	if _, err := svc.SetExchangeRate(ctx, staff, directory.SetExchangeRateParams{Base: "EUR", Quote: "USD", Rate: dec("1.08"), Date: d}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetExchangeRate(ctx, staff, directory.SetExchangeRateParams{Base: "EUR", Quote: "USD", Rate: dec("1.09"), Date: d}); err != nil {
		t.Fatal(err)
	}
	log := actions(t, mem.DB())
	var names []string
	for _, a := range log {
		names = append(names, a.Name)
	}
	want := []string{"directory.seed.create", "directory.currency.update", "directory.locale.update", "directory.locale.update",
		"directory.exchange_rate.create", "directory.exchange_rate.update"}
	if len(names) != len(want) {
		t.Fatalf("actions = %v, want %v", names, want)
	}
	jpy := log[1]
	if jpy.ObjectType != "directory.currency" || jpy.ObjectID != "JPY" || jpy.ActorID != "alice" || jpy.IP != "192.0.2.7" || jpy.UserAgent != "test-agent" {
		t.Fatalf("currency update recorded as %+v", jpy)
	}
	changed := map[string][2]string{}
	for _, c := range jpy.Changes {
		changed[c.Field] = [2]string{string(c.Before), string(c.After)}
	}
	if changed["enabled"] != [2]string{"false", "true"} || changed["symbol"][1] != `"円"` || len(changed) != 2 {
		t.Fatalf("currency changes = %v, want enabled and symbol (the clock stood still)", changed)
	}
	upd := log[5]
	var rate string
	for _, c := range upd.Changes {
		if c.Field == "rate" {
			if err := json.Unmarshal(c.After, &rate); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rate != "1.09" {
		t.Fatalf("rate update changes = %+v", upd.Changes)
	}
}

// TestActionRollsBackWithChange checks that a change and its action commit
// or roll back together: when something fails after both are written in
// one transaction, neither remains.
func TestActionRollsBackWithChange(t *testing.T) {
	mem := storetest.NewMemory(t)
	if err := directory.NewService(mem.Directory(), directory.Config{}).Bootstrap(ctx, billkit.SystemActor("test")); err != nil {
		t.Fatal(err)
	}
	before := len(actions(t, mem.DB()))
	db := mem.DB().(*bun.DB)
	for _, commit := range []bool{false, true} {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The caller's transaction: billkit's InTx becomes a savepoint in it.
		svc := directory.NewService(bunstore.New(tx).Directory(), directory.Config{Clock: billkit.NewFakeClock(start)})
		code := "ROLLBK"
		if commit {
			code = "COMMIT"
		}
		if _, err := svc.CreateCurrency(ctx, staff, directory.CreateCurrencyParams{Code: code, Name: directory.Text{"en": code}, Digits: 2}); err != nil {
			_ = tx.Rollback()
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		_, err = directory.NewService(mem.Directory(), directory.Config{}).GetCurrency(ctx, code)
		stored := err == nil
		recorded := 0
		for _, a := range actions(t, mem.DB()) {
			if a.ObjectID == code {
				recorded++
			}
		}
		if stored != commit || recorded != map[bool]int{false: 0, true: 1}[commit] {
			t.Fatalf("commit=%v: currency stored %v, actions %d", commit, stored, recorded)
		}
	}

	// A failure inside billkit's own transaction, after the action is
	// written, takes both back.
	boom := errors.New("boom")
	err := mem.Directory().InTx(ctx, func(tx directory.Store) error {
		svc := directory.NewService(tx, directory.Config{})
		if _, err := svc.CreateUnit(ctx, staff, directory.CreateUnitParams{Code: "fortnight", Name: directory.Text{"en": "fortnight"}, Dimension: directory.DimensionTime, Factor: dec("336")}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	if _, err := mem.Directory().GetUnit(ctx, "fortnight"); !billkit.IsCode(err, billkit.CodeNotFound) {
		t.Fatalf("the unit survived the rollback: %v", err)
	}
	if n := len(actions(t, mem.DB())); n != before+1 {
		t.Fatalf("actions = %d, want %d (the committed currency only)", n, before+1)
	}
}
