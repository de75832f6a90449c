package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// ledgerEntry returns an entry of client, not yet inserted.
func ledgerEntry(client billkit.ClientID, amount, after string, kind billing.LedgerKind, at time.Time) *billing.LedgerEntry {
	return &billing.LedgerEntry{
		ID: billkit.NewID[billing.LedgerEntry](), ClientID: client,
		Amount: billkit.MustParseMoney(amount, "RUB"), Kind: kind, CauseType: "payment", CauseID: "p-1", Memo: "memo",
		ActorKind: billkit.ActorStaff, ActorID: "alice", CreatedAt: at, BalanceAfter: billkit.MustParseMoney(after, "RUB"),
	}
}

func runBillingLedger(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	cmpLedger := cmp.Options{cmpOpts,
		cmp.Comparer(func(a, b billkit.ClientID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.LedgerEntryID) bool { return a == b }),
		cmp.Comparer(func(a, b billkit.Money) bool { return a.Equal(b) }),
	}

	t.Run("entry/crud", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		c := f.client(t, "Acme")
		rate := dec("92.123456")
		e := ledgerEntry(c.ID, "1500.50", "1500.50", billing.LedgerConversion, t0)
		e.Rate = &rate
		must(t, f.b.InsertLedgerEntry(ctx, e))
		got, err := f.b.GetLedgerEntry(ctx, e.ID)
		must(t, err)
		want := *e
		want.CreatedAt = storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpLedger); diff != "" {
			t.Fatalf("GetLedgerEntry (-want +got):\n%s", diff)
		}
		wantCode(t, f.b.InsertLedgerEntry(ctx, e), billkit.CodeConflict, "ledger_entry.exists")
		orphan := ledgerEntry(newBillingClientID(), "1", "1", billing.LedgerPayment, t0)
		wantCode(t, f.b.InsertLedgerEntry(ctx, orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		_, err = f.b.GetLedgerEntry(ctx, billkit.NewID[billing.LedgerEntry]())
		wantCode(t, err, billkit.CodeNotFound, "ledger_entry.not_found")
		negative := ledgerEntry(c.ID, "-0.01", "1500.49", billing.LedgerExpense, t0)
		must(t, f.b.InsertLedgerEntry(ctx, negative))
		got, err = f.b.GetLedgerEntry(ctx, negative.ID)
		must(t, err)
		if !got.Amount.Equal(billkit.MustParseMoney("-0.01", "RUB")) || got.Rate != nil {
			t.Fatalf("debit entry = %+v", got)
		}
	})

	t.Run("entry/list", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		a, b := f.client(t, "A"), f.client(t, "B")
		var all []*billing.LedgerEntry
		for i := 0; i < 7; i++ {
			client, kind := a.ID, billing.LedgerPayment
			if i%3 == 2 {
				client, kind = b.ID, billing.LedgerExpense
			}
			// Pairs of entries share an instant: the ID orders them.
			e := ledgerEntry(client, "1", "1", kind, t0.Add(time.Duration(i/2)*time.Second))
			must(t, f.b.InsertLedgerEntry(ctx, e))
			all = append(all, e)
		}
		newestFirst := func(es []*billing.LedgerEntry) []string {
			s := slices.Clone(es)
			slices.SortFunc(s, func(x, y *billing.LedgerEntry) int {
				if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
					return c
				}
				return strings.Compare(y.ID.String(), x.ID.String())
			})
			return keys(s, func(e *billing.LedgerEntry) string { return e.ID.String() })
		}
		id := func(e billing.LedgerEntry) string { return e.ID.String() }
		for _, limit := range []int{1, 2, 3, 100} {
			got := collect(t, limit, id, func(pp billkit.PageParams) (billkit.Page[billing.LedgerEntry], error) {
				return f.b.ListLedgerEntries(ctx, billing.LedgerFilter{PageParams: pp})
			})
			if diff := cmp.Diff(newestFirst(all), keys(got, id)); diff != "" {
				t.Fatalf("limit %d (-want +got):\n%s", limit, diff)
			}
		}
		filtered := func(keep func(*billing.LedgerEntry) bool) []*billing.LedgerEntry {
			var out []*billing.LedgerEntry
			for _, e := range all {
				if keep(e) {
					out = append(out, e)
				}
			}
			return out
		}
		cases := []struct {
			name string
			f    billing.LedgerFilter
			keep func(*billing.LedgerEntry) bool
		}{
			{"client", billing.LedgerFilter{ClientID: b.ID}, func(e *billing.LedgerEntry) bool { return e.ClientID == b.ID }},
			{"clients", billing.LedgerFilter{ClientIDs: []billkit.ClientID{a.ID}}, func(e *billing.LedgerEntry) bool { return e.ClientID == a.ID }},
			{"no clients", billing.LedgerFilter{ClientIDs: []billkit.ClientID{}}, func(*billing.LedgerEntry) bool { return false }},
			{"kind", billing.LedgerFilter{Kind: billing.LedgerExpense}, func(e *billing.LedgerEntry) bool { return e.Kind == billing.LedgerExpense }},
			{"window", billing.LedgerFilter{From: storedTime(t0).Add(time.Second), To: storedTime(t0).Add(3 * time.Second)}, func(e *billing.LedgerEntry) bool {
				return !e.CreatedAt.Before(storedTime(t0).Add(time.Second)) && e.CreatedAt.Before(storedTime(t0).Add(3*time.Second))
			}},
		}
		fx := f
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got := collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[billing.LedgerEntry], error) {
					f := tc.f
					f.PageParams = pp
					return fx.b.ListLedgerEntries(ctx, f)
				})
				if diff := cmp.Diff(newestFirst(filtered(tc.keep)), keys(got, id)); diff != "" {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			})
		}
		_, err := f.b.ListLedgerEntries(ctx, billing.LedgerFilter{PageParams: billkit.PageParams{Cursor: "bad!"}})
		wantCode(t, err, billkit.CodeInvalid, "")
	})

	t.Run("balance/move", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		c := f.client(t, "Acme")
		_, err := f.b.GetClientBalance(ctx, c.ID)
		wantCode(t, err, billkit.CodeNotFound, "client_balance.not_found")
		zero := decimal.Zero
		// A first move that the floor refuses creates nothing.
		_, err = f.b.MoveBalance(ctx, c.ID, "RUB", dec("-0.01"), &zero, t0)
		wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
		_, err = f.b.GetClientBalance(ctx, c.ID)
		wantCode(t, err, billkit.CodeNotFound, "client_balance.not_found")

		bal, err := f.b.MoveBalance(ctx, c.ID, "RUB", dec("10.25"), nil, t0)
		must(t, err)
		if !bal.Equal(dec("10.25")) {
			t.Fatalf("first move = %s", bal)
		}
		// Exactly down to the floor passes; a minor unit more does not.
		floor := dec("-5")
		bal, err = f.b.MoveBalance(ctx, c.ID, "RUB", dec("-15.25"), &floor, t0.Add(time.Second))
		must(t, err)
		if !bal.Equal(dec("-5")) {
			t.Fatalf("move to the floor = %s", bal)
		}
		_, err = f.b.MoveBalance(ctx, c.ID, "RUB", dec("-0.01"), &floor, t0.Add(2*time.Second))
		wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
		bal, err = f.b.MoveBalance(ctx, c.ID, "RUB", dec("-0.01"), nil, t0.Add(3*time.Second))
		must(t, err)
		if !bal.Equal(dec("-5.01")) {
			t.Fatalf("move without floor = %s", bal)
		}
		_, err = f.b.MoveBalance(ctx, c.ID, "USD", dec("1"), nil, t0)
		wantCode(t, err, billkit.CodeFailedPrecondition, "billing.balance_currency_mismatch")
		_, err = f.b.MoveBalance(ctx, newBillingClientID(), "RUB", dec("1"), nil, t0)
		wantCode(t, err, billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)

		got, err := f.b.GetClientBalance(ctx, c.ID)
		must(t, err)
		want := &billing.ClientBalance{ClientID: c.ID, Balance: billkit.MustParseMoney("-5.01", "RUB"), Entries: 3, UpdatedAt: storedTime(t0.Add(3 * time.Second))}
		if diff := cmp.Diff(want, got, cmpLedger); diff != "" {
			t.Fatalf("GetClientBalance (-want +got):\n%s", diff)
		}

		d, e := f.client(t, "D"), f.client(t, "E")
		_, err = f.b.MoveBalance(ctx, e.ID, "RUB", dec("1"), nil, t0)
		must(t, err)
		_, err = f.b.MoveBalance(ctx, d.ID, "RUB", dec("2"), nil, t0)
		must(t, err)
		id := func(b billing.ClientBalance) string { return b.ClientID.String() }
		all := collect(t, 1, id, func(pp billkit.PageParams) (billkit.Page[billing.ClientBalance], error) {
			return f.b.ListClientBalances(ctx, billing.ClientBalanceFilter{PageParams: pp})
		})
		wantIDs := []string{c.ID.String(), d.ID.String(), e.ID.String()}
		slices.Sort(wantIDs)
		if diff := cmp.Diff(wantIDs, keys(all, id)); diff != "" {
			t.Fatalf("ListClientBalances (-want +got):\n%s", diff)
		}
	})

	t.Run("balance/account", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		c := f.client(t, "Acme")
		_, err := f.b.GetLedgerAccount(ctx, newBillingClientID())
		wantCode(t, err, billkit.CodeNotFound, "client.not_found")
		a, err := f.b.GetLedgerAccount(ctx, c.ID)
		must(t, err)
		want := &billing.LedgerAccount{ClientID: c.ID, Currency: "RUB", CreditLimit: dec("100.25")}
		if diff := cmp.Diff(want, a, cmpLedger); diff != "" {
			t.Fatalf("GetLedgerAccount before any entry (-want +got):\n%s", diff)
		}
		zero := decimal.Zero
		_, err = f.b.MoveAccountBalance(ctx, a, dec("-1"), &zero, t0)
		wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
		// Each move reads the account afresh in its transaction, as a
		// posting does.
		for i, step := range []struct{ delta, want string }{{"7.50", "7.50"}, {"-2.25", "5.25"}, {"-105.50", "-100.25"}} {
			err := f.b.InTx(ctx, func(tx billing.Store) error {
				a, err := tx.GetLedgerAccount(ctx, c.ID)
				if err != nil {
					return err
				}
				floor := a.CreditLimit.Neg()
				bal, err := tx.MoveAccountBalance(ctx, a, dec(step.delta), &floor, t0.Add(time.Duration(i)*time.Second))
				if err != nil {
					return err
				}
				if !bal.Equal(dec(step.want)) {
					t.Errorf("move %s = %s, want %s", step.delta, bal, step.want)
				}
				return nil
			})
			must(t, err)
		}
		a, err = f.b.GetLedgerAccount(ctx, c.ID)
		must(t, err)
		want = &billing.LedgerAccount{ClientID: c.ID, Currency: "RUB", CreditLimit: dec("100.25"), HasBalance: true, Balance: dec("-100.25"), BalanceCurrency: "RUB"}
		if diff := cmp.Diff(want, a, cmpLedger); diff != "" {
			t.Fatalf("GetLedgerAccount after moves (-want +got):\n%s", diff)
		}
		floor := a.CreditLimit.Neg()
		_, err = f.b.MoveAccountBalance(ctx, a, dec("-0.01"), &floor, t0)
		wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
		got, err := f.b.GetClientBalance(ctx, c.ID)
		must(t, err)
		if got.Entries != 3 || !got.Balance.Amount().Equal(dec("-100.25")) {
			t.Fatalf("balance after refused move = %+v", got)
		}
		_, err = f.b.MoveAccountBalance(ctx, nil, dec("1"), nil, t0)
		wantCode(t, err, billkit.CodeInvalid, "")
	})

	t.Run("balance/rollback", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		c := f.client(t, "Acme")
		abort := errors.New("abort")
		err := f.b.InTx(ctx, func(tx billing.Store) error {
			if _, err := tx.MoveBalance(ctx, c.ID, "RUB", dec("5"), nil, t0); err != nil {
				return err
			}
			if err := tx.InsertLedgerEntry(ctx, ledgerEntry(c.ID, "5", "5", billing.LedgerPayment, t0)); err != nil {
				return err
			}
			return abort
		})
		if !errors.Is(err, abort) {
			t.Fatalf("InTx = %v", err)
		}
		_, err = f.b.GetClientBalance(ctx, c.ID)
		wantCode(t, err, billkit.CodeNotFound, "client_balance.not_found")
		page, err := f.b.ListLedgerEntries(ctx, billing.LedgerFilter{ClientID: c.ID})
		must(t, err)
		if len(page.Items) != 0 {
			t.Fatalf("entries after rollback: %+v", page.Items)
		}
	})

	t.Run("balance/concurrent", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		c := f.client(t, "Acme")
		_, err := f.b.MoveBalance(ctx, c.ID, "RUB", dec("10"), nil, t0)
		must(t, err)
		zero := decimal.Zero
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			ok       int
			failures []error
		)
		for i := 0; i < 25; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := f.b.InTx(ctx, func(tx billing.Store) error {
					_, err := tx.MoveBalance(ctx, c.ID, "RUB", dec("-1"), &zero, t0)
					return err
				})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else if billkit.ErrorReason(err) != billing.ReasonInsufficientFunds {
					failures = append(failures, err)
				}
			}()
		}
		wg.Wait()
		if len(failures) > 0 || ok != 10 {
			t.Fatalf("%d moves succeeded (want 10); unexpected errors: %v", ok, failures)
		}
		got, err := f.b.GetClientBalance(ctx, c.ID)
		must(t, err)
		if !got.Balance.Amount().IsZero() || got.Entries != 11 {
			t.Fatalf("balance after concurrent debits = %+v", got)
		}
	})

	t.Run("currency/digits", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		d, err := f.b.CurrencyDigits(ctx, "RUB")
		must(t, err)
		if d != 2 {
			t.Fatalf("RUB digits = %d", d)
		}
		_, err = f.b.CurrencyDigits(ctx, "XXX")
		wantCode(t, err, billkit.CodeNotFound, "currency.not_found")
	})
}
