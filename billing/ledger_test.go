package billing_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// newLedgerEnv is newEnv, whose auditor runs when the test ends.
func newLedgerEnv(t *testing.T) *env {
	t.Helper()
	return newEnv(t)
}

// auditAfter runs the money core's auditor when the test ends: every
// scenario of the package must leave balances equal to their entries,
// invoices equal to their lines and taxes, and no expense over-covered.
func auditAfter(t *testing.T, e *env) {
	t.Cleanup(func() {
		found, err := e.svc.Audit(ctx)
		if err != nil {
			t.Errorf("Audit: %v", err)
		}
		for _, f := range found {
			t.Errorf("audit: %+v", f)
		}
	})
}

func rub(s string) billkit.Money { return billkit.MustParseMoney(s, "RUB") }

func (e *env) limitedClient(t *testing.T, name, limit string) *billing.Client {
	t.Helper()
	c := e.client(t, name)
	c, err := e.svc.UpdateClient(ctx, system, c.ID, billing.UpdateClientParams{CreditLimit: ptr(dec(limit))})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) post(t *testing.T, client billkit.ClientID, amount string, kind billing.LedgerKind) *billing.LedgerEntry {
	t.Helper()
	le, err := e.svc.Post(ctx, system, billing.PostParams{ClientID: client, Amount: rub(amount), Kind: kind, CauseType: "test", CauseID: amount})
	if err != nil {
		t.Fatalf("Post %s: %v", amount, err)
	}
	return le
}

func (e *env) wantBalance(t *testing.T, client billkit.ClientID, want string) {
	t.Helper()
	got, err := e.svc.Balance(ctx, system, client)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(rub(want)) {
		t.Fatalf("balance = %s, want %s RUB", got, want)
	}
}

// ledgerRows counts the client's entries and balance rows.
func (e *env) ledgerRows(t *testing.T, client billkit.ClientID) (entries, balances int) {
	t.Helper()
	return e.count(t, "billkit_ledger_entries", "client_id = ?", client), e.count(t, "billkit_client_balances", "client_id = ?", client)
}

func TestLedgerCreditAndDebit(t *testing.T) {
	e := newLedgerEnv(t)
	c := e.limitedClient(t, "Acme", "0")
	e.wantBalance(t, c.ID, "0")
	in := e.post(t, c.ID, "100.00", billing.LedgerPayment)
	if !in.BalanceAfter.Equal(rub("100")) || in.ActorKind != billkit.ActorSystem || in.ClientID != c.ID {
		t.Fatalf("payment entry = %+v", in)
	}
	e.clock.Advance(time.Minute)
	out := e.post(t, c.ID, "-30.50", billing.LedgerExpense)
	if !out.BalanceAfter.Equal(rub("69.50")) || out.BalanceAfter.String() != "69.50 RUB" {
		t.Fatalf("expense entry balance after = %s", out.BalanceAfter)
	}
	e.wantBalance(t, c.ID, "69.50")
	got, err := e.svc.Balance(ctx, system, c.ID)
	if err != nil || got.String() != "69.50 RUB" {
		t.Fatalf("Balance = %s, %v; want 69.50 RUB", got, err)
	}

	page, err := e.svc.ListEntries(ctx, system, billing.LedgerFilter{ClientID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 2 || page.Items[0].ID != out.ID || page.Items[1].ID != in.ID {
		t.Fatalf("entries not newest first: %+v", page.Items)
	}
	stored := page.Items[1]
	if !stored.Amount.Equal(rub("100")) || stored.CauseType != "test" || stored.CauseID != "100.00" || stored.Kind != billing.LedgerPayment {
		t.Fatalf("stored entry = %+v", stored)
	}
	kinds, err := e.svc.ListEntries(ctx, system, billing.LedgerFilter{ClientID: c.ID, Kind: billing.LedgerExpense})
	if err != nil || len(kinds.Items) != 1 || kinds.Items[0].ID != out.ID {
		t.Fatalf("kind filter: %+v, %v", kinds.Items, err)
	}
	window, err := e.svc.ListEntries(ctx, system, billing.LedgerFilter{ClientID: c.ID, From: start, To: start.Add(time.Second)})
	if err != nil || len(window.Items) != 1 || window.Items[0].ID != in.ID {
		t.Fatalf("time filter: %+v, %v", window.Items, err)
	}
}

func TestLedgerPages(t *testing.T) {
	e := newLedgerEnv(t)
	c := e.client(t, "Acme")
	var want []billing.LedgerEntryID
	for i := 0; i < 5; i++ {
		want = append([]billing.LedgerEntryID{e.post(t, c.ID, "1", billing.LedgerPayment).ID}, want...)
		if i%2 == 0 { // two entries share an instant, so the ID breaks the tie
			e.clock.Advance(time.Second)
		}
	}
	var got []billing.LedgerEntryID
	for cursor := ""; ; {
		page, err := e.svc.ListEntries(ctx, system, billing.LedgerFilter{ClientID: c.ID, PageParams: billkit.PageParams{Limit: 2, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page.Items {
			got = append(got, x.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("entry %d = %s, want %s", i, got[i], want[i])
		}
	}
	e.wantBalance(t, c.ID, "5")
}

func TestLedgerCreditLimit(t *testing.T) {
	e := newLedgerEnv(t)
	c := e.limitedClient(t, "Acme", "10.00")
	e.post(t, c.ID, "5.00", billing.LedgerPayment)
	// Exactly at the limit: 5.00 - 15.00 = -10.00.
	e.post(t, c.ID, "-15.00", billing.LedgerExpense)
	e.wantBalance(t, c.ID, "-10.00")
	// One minor unit below is refused, and nothing is written.
	_, err := e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub("-0.01"), Kind: billing.LedgerExpense})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
	e.wantBalance(t, c.ID, "-10.00")
	if n, _ := e.ledgerRows(t, c.ID); n != 2 {
		t.Fatalf("%d entries after a refused debit, want 2", n)
	}
	if n := e.count(t, "billkit_actions", "name = ? AND client_id = ?", "billing.ledger.post", c.ID); n != 2 {
		t.Fatalf("%d post actions, want 2", n)
	}
	// A forced charge may go below.
	forced, err := e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub("-0.01"), Kind: billing.LedgerExpense, AllowBelowLimit: true})
	if err != nil {
		t.Fatal(err)
	}
	if !forced.BalanceAfter.Equal(rub("-10.01")) {
		t.Fatalf("forced balance after = %s", forced.BalanceAfter)
	}
	// Credits are always accepted, even below the limit.
	e.post(t, c.ID, "0.01", billing.LedgerAdjustment)
	e.wantBalance(t, c.ID, "-10.00")
	// A first posting that would start below the limit is refused too.
	d := e.client(t, "Fresh")
	_, err = e.svc.Post(ctx, system, billing.PostParams{ClientID: d.ID, Amount: rub("-1"), Kind: billing.LedgerExpense})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
	if n, b := e.ledgerRows(t, d.ID); n != 0 || b != 0 {
		t.Fatalf("refused first debit wrote %d entries, %d balances", n, b)
	}
}

func TestLedgerBadInput(t *testing.T) {
	e := newLedgerEnv(t)
	c := e.client(t, "Acme")
	rate := dec("1.5")
	cases := []struct {
		name          string
		p             billing.PostParams
		field, reason string
	}{
		{"wrong currency", billing.PostParams{ClientID: c.ID, Amount: billkit.MustParseMoney("1", "USD"), Kind: billing.LedgerPayment}, "amount", "ledger.currency_mismatch"},
		{"too many decimals", billing.PostParams{ClientID: c.ID, Amount: rub("1.001"), Kind: billing.LedgerPayment}, "amount", "ledger.too_many_decimals"},
		{"zero", billing.PostParams{ClientID: c.ID, Amount: rub("0.00"), Kind: billing.LedgerPayment}, "amount", "ledger.amount_zero"},
		{"no amount", billing.PostParams{ClientID: c.ID, Kind: billing.LedgerPayment}, "amount", "required"},
		{"negative payment", billing.PostParams{ClientID: c.ID, Amount: rub("-1"), Kind: billing.LedgerPayment}, "amount", "ledger.payment_negative"},
		{"positive expense", billing.PostParams{ClientID: c.ID, Amount: rub("1"), Kind: billing.LedgerExpense}, "amount", "ledger.expense_positive"},
		{"unknown kind", billing.PostParams{ClientID: c.ID, Amount: rub("1"), Kind: "gift"}, "kind", "ledger.kind_unknown"},
		{"no client", billing.PostParams{Amount: rub("1"), Kind: billing.LedgerPayment}, "client_id", "required"},
		{"conversion without rate", billing.PostParams{ClientID: c.ID, Amount: rub("1"), Kind: billing.LedgerConversion}, "rate", "ledger.rate_required"},
		{"rate on an adjustment", billing.PostParams{ClientID: c.ID, Amount: rub("1"), Kind: billing.LedgerAdjustment, Rate: &rate}, "rate", "ledger.rate_unexpected"},
		{"cause id alone", billing.PostParams{ClientID: c.ID, Amount: rub("1"), Kind: billing.LedgerPayment, CauseID: "x"}, "cause_type", "required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Post(ctx, system, tc.p)
			wantField(t, err, tc.field, tc.reason)
		})
	}
	if n, b := e.ledgerRows(t, c.ID); n != 0 || b != 0 {
		t.Fatalf("bad input wrote %d entries, %d balances", n, b)
	}
	if n := e.count(t, "billkit_actions", "name = ?", "billing.ledger.post"); n != 0 {
		t.Fatalf("bad input recorded %d actions", n)
	}
	// Trailing zeros within the currency's digits are fine; a conversion
	// records its rate.
	le, err := e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub("2.500"), Kind: billing.LedgerConversion, Rate: &rate})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.st.Billing().GetLedgerEntry(ctx, le.ID)
	if err != nil || got.Rate == nil || !got.Rate.Equal(rate) || !got.Amount.Equal(rub("2.5")) {
		t.Fatalf("conversion entry = %+v, %v", got, err)
	}
}

func TestLedgerRights(t *testing.T) {
	e := newLedgerEnv(t)
	mine, other := e.client(t, "Mine"), e.client(t, "Other")
	e.post(t, other.ID, "50", billing.LedgerPayment)
	cust := customer(mine.ID)
	missing := billkit.ClientID(billkit.NewID[struct{}]())

	// Another client's balance and a missing client give the same error.
	_, errOther := e.svc.Balance(ctx, cust, other.ID)
	_, errMissing := e.svc.Balance(ctx, cust, missing)
	wantCode(t, errOther, billkit.CodeNotFound, "client.not_found")
	wantCode(t, errMissing, billkit.CodeNotFound, "client.not_found")
	_, err := e.svc.ListEntries(ctx, cust, billing.LedgerFilter{ClientID: other.ID})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")

	// Their own balance and entries they may read.
	e.post(t, mine.ID, "7", billing.LedgerPayment)
	if b, err := e.svc.Balance(ctx, cust, mine.ID); err != nil || !b.Equal(rub("7")) {
		t.Fatalf("own balance = %s, %v", b, err)
	}
	all, err := e.svc.ListEntries(ctx, cust, billing.LedgerFilter{})
	if err != nil || len(all.Items) != 1 || all.Items[0].ClientID != mine.ID {
		t.Fatalf("customer's list = %+v, %v", all.Items, err)
	}

	// Customers never post, not even to their own client: their right to
	// edit it is no right to move its money.
	_, err = e.svc.Post(ctx, cust, billing.PostParams{ClientID: mine.ID, Amount: rub("100"), Kind: billing.LedgerPayment})
	wantCode(t, err, billkit.CodeForbidden, "")
	err = e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		_, err := e.svc.PostTx(ctx, tx, cust, billing.PostParams{ClientID: mine.ID, Amount: rub("100"), Kind: billing.LedgerPayment})
		return err
	})
	wantCode(t, err, billkit.CodeForbidden, "")

	// Staff need billing.ledger:create to post and billing.client:read to
	// read.
	reader := staff(billkit.R(billing.FunctionClient, billkit.OpRead))
	_, err = e.svc.Post(ctx, reader, billing.PostParams{ClientID: mine.ID, Amount: rub("1"), Kind: billing.LedgerPayment})
	wantCode(t, err, billkit.CodeForbidden, "")
	if _, err := e.svc.Balance(ctx, reader, mine.ID); err != nil {
		t.Fatal(err)
	}
	nobody := billkit.Actor{Kind: billkit.ActorStaff, ID: "eve", Name: "eve"}
	_, err = e.svc.Balance(ctx, nobody, mine.ID)
	wantCode(t, err, billkit.CodeForbidden, "")
	// Without permissions an actor sees no client, so lists are empty.
	if page, err := e.svc.ListEntries(ctx, nobody, billing.LedgerFilter{}); err != nil || len(page.Items) != 0 {
		t.Fatalf("list without permissions = %+v, %v", page.Items, err)
	}
	editor := staff(billkit.R(billing.FunctionLedger, billkit.OpCreate))
	le, err := e.svc.Post(ctx, editor, billing.PostParams{ClientID: mine.ID, Amount: rub("1"), Kind: billing.LedgerAdjustment, Memo: "goodwill"})
	if err != nil {
		t.Fatal(err)
	}
	if le.ActorKind != billkit.ActorStaff || le.ActorID != "alice" {
		t.Fatalf("entry actor = %s %s", le.ActorKind, le.ActorID)
	}
	if n := e.actions(t, "billing.ledger.post", le.ID.String()); n != 1 {
		t.Fatalf("%d actions for the entry, want 1", n)
	}
}

func TestLedgerPostTxRollsBack(t *testing.T) {
	e := newLedgerEnv(t)
	c := e.client(t, "Acme")
	e.post(t, c.ID, "10", billing.LedgerPayment)
	abort := errors.New("abort")
	err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		le, err := e.svc.PostTx(ctx, tx, system, billing.PostParams{ClientID: c.ID, Amount: rub("-4"), Kind: billing.LedgerExpense, CauseType: "expense", CauseID: "x"})
		if err != nil {
			return err
		}
		if !le.BalanceAfter.Equal(rub("6")) {
			t.Errorf("inside the transaction the balance after = %s", le.BalanceAfter)
		}
		return abort
	})
	if !errors.Is(err, abort) {
		t.Fatalf("InTx = %v", err)
	}
	e.wantBalance(t, c.ID, "10")
	if n, _ := e.ledgerRows(t, c.ID); n != 1 {
		t.Fatalf("%d entries after rollback, want 1", n)
	}
	if n := e.count(t, "billkit_actions", "name = ? AND client_id = ?", "billing.ledger.post", c.ID); n != 1 {
		t.Fatalf("%d actions after rollback, want 1", n)
	}
	// A refused posting inside a transaction leaves it usable.
	err = e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		_, err := e.svc.PostTx(ctx, tx, system, billing.PostParams{ClientID: c.ID, Amount: rub("-100"), Kind: billing.LedgerExpense})
		wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
		_, err = e.svc.PostTx(ctx, tx, system, billing.PostParams{ClientID: c.ID, Amount: rub("-1"), Kind: billing.LedgerExpense})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.wantBalance(t, c.ID, "9")
}

func TestLedgerAuditDetectsTampering(t *testing.T) {
	e := newEnv(t)
	c, d := e.client(t, "Acme"), e.client(t, "Other")
	e.post(t, c.ID, "10", billing.LedgerPayment)
	e.post(t, d.ID, "3", billing.LedgerPayment)
	if got, err := e.svc.AuditLedger(ctx); err != nil || len(got) != 0 {
		t.Fatalf("clean ledger: %+v, %v", got, err)
	}
	if _, err := e.st.DB().NewRaw("UPDATE billkit_client_balances SET balance = '10.01' WHERE client_id = ?", c.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.DB().NewRaw("UPDATE billkit_client_balances SET entries = 2 WHERE client_id = ?", d.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.AuditLedger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("discrepancies = %+v, want 2", got)
	}
	for _, x := range got {
		switch x.ClientID {
		case c.ID:
			if !x.Cached.Equal(dec("10.01")) || !x.Sum.Equal(dec("10")) {
				t.Fatalf("tampered balance: %+v", x)
			}
		case d.ID:
			if x.CachedEntries != 2 || x.Entries != 1 {
				t.Fatalf("tampered count: %+v", x)
			}
		default:
			t.Fatalf("unexpected discrepancy %+v", x)
		}
	}
	// Undo the tampering, so the auditor that ends every test finds the
	// ledger sound again.
	if _, err := e.st.DB().NewRaw("UPDATE billkit_client_balances SET balance = '10', entries = 1").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.DB().NewRaw("UPDATE billkit_client_balances SET balance = '3' WHERE client_id = ?", d.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestLedgerConcurrentDebitsPostgres runs 50 concurrent debits against a
// balance that covers 20 of them: exactly 20 succeed.
func TestLedgerConcurrentDebitsPostgres(t *testing.T) {
	e := newPostgresEnv(t, billing.Config{})
	c := e.client(t, "Acme")
	e.post(t, c.ID, "20.00", billing.LedgerPayment)

	var (
		wg               sync.WaitGroup
		mu               sync.Mutex
		ok, refused      int
		unexpected       []error
		startAll         = make(chan struct{})
		debit            = billing.PostParams{ClientID: c.ID, Amount: rub("-1.00"), Kind: billing.LedgerExpense}
		concurrentDebits = 50
	)
	for i := 0; i < concurrentDebits; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startAll
			_, err := e.svc.Post(ctx, system, debit)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case billkit.ErrorReason(err) == billing.ReasonInsufficientFunds:
				refused++
			default:
				unexpected = append(unexpected, err)
			}
		}()
	}
	close(startAll)
	wg.Wait()
	if len(unexpected) > 0 {
		t.Fatalf("unexpected errors: %v", unexpected)
	}
	if ok != 20 || refused != 30 {
		t.Fatalf("%d debits succeeded and %d were refused, want 20 and 30", ok, refused)
	}
	e.wantBalance(t, c.ID, "0.00")
	if n, _ := e.ledgerRows(t, c.ID); n != 21 {
		t.Fatalf("%d entries, want 21", n)
	}
}
