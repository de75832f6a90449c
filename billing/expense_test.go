package billing_test

import (
	"errors"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// xCharge charges client amount RUB as a manual expense; opts change the
// parameters first.
func (e *env) xCharge(t *testing.T, client billkit.ClientID, amount string, opts ...func(*billing.ChargeParams)) *billing.Expense {
	t.Helper()
	p := billing.ChargeParams{ClientID: client, Kind: billing.ExpenseManual, Amount: rub(amount), Description: "charge " + amount}
	for _, o := range opts {
		o(&p)
	}
	x, err := e.svc.Charge(ctx, system, p)
	if err != nil {
		t.Fatalf("Charge %s: %v", amount, err)
	}
	return x
}

// belowLimit lets a charge go below the credit limit.
func belowLimit(p *billing.ChargeParams) { p.AllowBelowLimit = true }

// xPay credits client amount RUB as a payment with a new payment ID.
func (e *env) xPay(t *testing.T, client billkit.ClientID, amount string) (*billing.LedgerEntry, billing.PaymentID) {
	t.Helper()
	id := billkit.NewID[billing.Payment]()
	le, err := e.svc.Post(ctx, system, billing.PostParams{ClientID: client, Amount: rub(amount), Kind: billing.LedgerPayment, CauseType: "payment", CauseID: id.String()})
	if err != nil {
		t.Fatalf("payment %s: %v", amount, err)
	}
	return le, id
}

// xPost posts amount of kind to client, below the limit if need be.
func (e *env) xPost(t *testing.T, client billkit.ClientID, amount string, kind billing.LedgerKind) *billing.LedgerEntry {
	t.Helper()
	le, err := e.svc.Post(ctx, system, billing.PostParams{ClientID: client, Amount: rub(amount), Kind: kind, CauseType: "test", CauseID: amount,
		Memo: string(kind), AllowBelowLimit: true})
	if err != nil {
		t.Fatalf("Post %s %s: %v", kind, amount, err)
	}
	return le
}

// xCovered checks what covers an expense now.
func (e *env) xCovered(t *testing.T, id billing.ExpenseID, want string) *billing.Expense {
	t.Helper()
	x, err := e.svc.GetExpense(ctx, system, id)
	if err != nil {
		t.Fatal(err)
	}
	if !x.Covered.Equal(rub(want)) {
		t.Fatalf("expense %s (%s) covered %s, want %s", x.Description, x.Amount, x.Covered, want)
	}
	return x
}

// xDebt checks a client's debt: its total and the debits owed, oldest
// first (expense descriptions, or memos).
func (e *env) xDebt(t *testing.T, client billkit.ClientID, total string, debts ...string) *billing.ClientDebt {
	t.Helper()
	d, err := e.svc.ClientDebt(ctx, system, client)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range d.Debts {
		got = append(got, x.Description)
	}
	if !d.Total.Equal(rub(total)) || !equal(got, debts) {
		t.Fatalf("debt = %s %v, want %s %v", d.Total, got, total, debts)
	}
	return d
}

// xAudit fails the test now (not only at its end) when the auditor finds
// anything.
func (e *env) xAudit(t *testing.T) {
	t.Helper()
	found, err := e.svc.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("audit: %+v", f)
	}
	if len(found) > 0 {
		t.FailNow()
	}
}

func TestExpenseChargeFromBalance(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	pay, pid := e.xPay(t, c.ID, "100.00")
	e.clock.Advance(time.Hour)
	x := e.xCharge(t, c.ID, "30.50", func(p *billing.ChargeParams) {
		p.Kind, p.CauseType, p.CauseID = billing.ExpensePeriod, "service", "svc-1"
		p.PeriodStart, p.PeriodEnd = billkit.MustDate(2024, 3, 15), billkit.MustDate(2024, 4, 15)
		p.TariffID, p.Period, p.PriceDate = billkit.NewID[catalog.Tariff](), catalog.PeriodMonth, billkit.MustDate(2024, 1, 10)
	})
	if x.ID.IsZero() || x.Kind != billing.ExpensePeriod || x.Amount.String() != "30.50 RUB" || x.Covered.String() != "30.50 RUB" ||
		x.ActorKind != billkit.ActorSystem || !x.CreatedAt.Equal(billkit.Instant(e.clock.Now())) || x.Debt().Sign() != 0 {
		t.Fatalf("expense = %+v", x)
	}
	e.wantBalance(t, c.ID, "69.50")
	got := e.xCovered(t, x.ID, "30.50")
	if got.CauseID != "svc-1" || got.PeriodEnd != billkit.MustDate(2024, 4, 15) || got.Period != catalog.PeriodMonth || got.LedgerEntryID != x.LedgerEntryID {
		t.Fatalf("stored = %+v", got)
	}
	le, err := e.st.Billing().GetLedgerEntry(ctx, x.LedgerEntryID)
	if err != nil {
		t.Fatal(err)
	}
	if le.Kind != billing.LedgerExpense || !le.Amount.Equal(rub("-30.50")) || le.CauseType != billing.CauseExpense || le.CauseID != x.ID.String() || le.Memo != "charge 30.50" {
		t.Fatalf("ledger entry = %+v", le)
	}
	cov, err := e.svc.ExpensePayments(ctx, system, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cov) != 1 || cov[0].CreditEntryID != pay.ID || cov[0].PaymentID != pid || cov[0].Amount.String() != "30.50 RUB" || cov[0].ExpenseID != x.ID {
		t.Fatalf("ExpensePayments = %+v", cov)
	}
	byPayment, err := e.svc.CreditAllocations(ctx, system, pid)
	if err != nil || len(byPayment) != 1 || byPayment[0].ExpenseID != x.ID {
		t.Fatalf("CreditAllocations = %+v, %v", byPayment, err)
	}
	if n := e.actions(t, "billing.expense.create", x.ID.String()); n != 1 {
		t.Fatalf("%d create actions, want 1", n)
	}
	// The expense's action stands for its posting too.
	if n := e.actions(t, "billing.ledger.post", x.LedgerEntryID.String()); n != 0 {
		t.Fatalf("%d post actions for the expense's posting, want none", n)
	}
	e.xDebt(t, c.ID, "0")
}

func TestExpenseInsufficientFunds(t *testing.T) {
	e := newEnv(t)
	c := e.limitedClient(t, "Acme", "50")
	e.xPay(t, c.ID, "10")
	before := e.count(t, "billkit_actions", "1 = 1")
	_, err := e.svc.Charge(ctx, system, billing.ChargeParams{ClientID: c.ID, Kind: billing.ExpenseManual, Amount: rub("60.01"), Description: "too much"})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
	if n := e.count(t, "billkit_expenses", "1 = 1"); n != 0 {
		t.Fatalf("%d expenses after a refused charge", n)
	}
	if n, _ := e.ledgerRows(t, c.ID); n != 1 {
		t.Fatalf("%d entries after a refused charge, want 1", n)
	}
	if n := e.count(t, "billkit_actions", "1 = 1"); n != before {
		t.Fatalf("a refused charge recorded %d actions", n-before)
	}
	if n := e.count(t, "billkit_expense_allocations", "1 = 1") + e.count(t, "billkit_credit_usage", "1 = 1"); n != 0 {
		t.Fatalf("a refused charge wrote %d allocation rows", n)
	}
	e.wantBalance(t, c.ID, "10")

	// Down to the limit: 10 of 60 covered, 50 is debt.
	x := e.xCharge(t, c.ID, "60.00")
	e.xCovered(t, x.ID, "10")
	e.xDebt(t, c.ID, "50", "charge 60.00")
	_, err = e.svc.Charge(ctx, system, billing.ChargeParams{ClientID: c.ID, Kind: billing.ExpenseManual, Amount: rub("0.01"), Description: "one more"})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
	// A forced charge goes below.
	y := e.xCharge(t, c.ID, "0.01", belowLimit)
	e.xCovered(t, y.ID, "0")
	e.wantBalance(t, c.ID, "-50.01")
	e.xDebt(t, c.ID, "50.01", "charge 60.00", "charge 0.01")

	// A client with no money and no limit cannot be charged at all.
	d := e.limitedClient(t, "Fresh", "0")
	_, err = e.svc.Charge(ctx, system, billing.ChargeParams{ClientID: d.ID, Kind: billing.ExpenseManual, Amount: rub("1"), Description: "x"})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
}

func TestExpenseDebtsPaidOldestFirst(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	a := e.xCharge(t, c.ID, "30", belowLimit)
	e.clock.Advance(time.Minute)
	b := e.xCharge(t, c.ID, "20", belowLimit)
	e.xDebt(t, c.ID, "50", "charge 30", "charge 20")

	// A partial payment covers the oldest debt partly.
	p1, pid1 := e.xPay(t, c.ID, "10")
	e.xCovered(t, a.ID, "10")
	e.xCovered(t, b.ID, "0")
	debt := e.xDebt(t, c.ID, "40", "charge 30", "charge 20")
	if debt.Debts[0].ExpenseID != a.ID || !debt.Debts[0].Uncovered.Equal(rub("20")) || !debt.Debts[0].Covered.Equal(rub("10")) || debt.Debts[0].Kind != billing.LedgerExpense {
		t.Fatalf("oldest debt = %+v", debt.Debts[0])
	}
	e.xAudit(t)

	// The next pays the rest of the oldest, then the newer one partly.
	p2, pid2 := e.xPay(t, c.ID, "25")
	e.xCovered(t, a.ID, "30")
	e.xCovered(t, b.ID, "5")
	e.xDebt(t, c.ID, "15", "charge 20")
	cov, err := e.svc.ExpensePayments(ctx, system, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cov) != 2 || cov[0].CreditEntryID != p1.ID || cov[0].PaymentID != pid1 || !cov[0].Amount.Equal(rub("10")) ||
		cov[1].CreditEntryID != p2.ID || cov[1].PaymentID != pid2 || !cov[1].Amount.Equal(rub("20")) {
		t.Fatalf("payments of the oldest = %+v", cov)
	}
	alloc, err := e.svc.CreditAllocations(ctx, system, pid2)
	if err != nil {
		t.Fatal(err)
	}
	if len(alloc) != 2 || alloc[0].ExpenseID != a.ID || !alloc[0].Amount.Equal(rub("20")) || alloc[1].ExpenseID != b.ID || !alloc[1].Amount.Equal(rub("5")) {
		t.Fatalf("allocations of the second payment = %+v", alloc)
	}

	// More money than debt: the rest waits on the balance and covers the
	// next charge at once.
	e.xPay(t, c.ID, "100")
	e.xCovered(t, b.ID, "20")
	e.xDebt(t, c.ID, "0")
	e.wantBalance(t, c.ID, "85")
	z := e.xCharge(t, c.ID, "85")
	e.xCovered(t, z.ID, "85")
	e.wantBalance(t, c.ID, "0")
}

func TestExpensePrepaidCoversOldestCreditFirst(t *testing.T) {
	e := newEnv(t)
	c := e.limitedClient(t, "Acme", "100")
	first, _ := e.xPay(t, c.ID, "10")
	bonus := e.xPost(t, c.ID, "15", billing.LedgerAdjustment)
	x := e.xCharge(t, c.ID, "20")
	cov, err := e.svc.ExpensePayments(ctx, system, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cov) != 2 || cov[0].CreditEntryID != first.ID || !cov[0].Amount.Equal(rub("10")) ||
		cov[1].CreditEntryID != bonus.ID || !cov[1].PaymentID.IsZero() || !cov[1].Amount.Equal(rub("10")) {
		t.Fatalf("coverage = %+v", cov)
	}
	// 5 left on the adjustment covers part of the next charge.
	y := e.xCharge(t, c.ID, "12")
	e.xCovered(t, y.ID, "5")
	e.xDebt(t, c.ID, "7", "charge 12")
	e.xAudit(t)
}

func TestExpenseRefundMakesDebtAgain(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	_, pid := e.xPay(t, c.ID, "100")
	x := e.xCharge(t, c.ID, "60")
	e.xCovered(t, x.ID, "60")
	// The payment goes back to the card: 40 was unallocated, and the 60 that
	// paid the expense is released, which is debt again.
	refund := e.xPost(t, c.ID, "-100", billing.LedgerRefund)
	e.xCovered(t, x.ID, "0")
	e.wantBalance(t, c.ID, "-60")
	e.xDebt(t, c.ID, "60", "charge 60")
	if got, err := e.svc.ExpensePayments(ctx, system, x.ID); err != nil || len(got) != 0 {
		t.Fatalf("a released expense is still paid by %+v, %v", got, err)
	}
	alloc, err := e.svc.CreditAllocations(ctx, system, pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(alloc) != 1 || alloc[0].DebitEntryID != refund.ID || !alloc[0].ExpenseID.IsZero() || !alloc[0].Amount.Equal(rub("100")) {
		t.Fatalf("the payment's money now pays = %+v", alloc)
	}
	// The history keeps the release: +60, -60.
	rows, err := e.svc.ListAllocations(ctx, system, billing.AllocationFilter{ExpenseID: x.ID})
	if err != nil || len(rows.Items) != 2 || !rows.Items[1].Amount.Equal(rub("-60")) || rows.Items[1].EntryID != refund.ID {
		t.Fatalf("allocations of the expense = %+v, %v", rows.Items, err)
	}
	e.xAudit(t)
	// New money covers it again.
	e.xPay(t, c.ID, "60")
	e.xCovered(t, x.ID, "60")
	e.xDebt(t, c.ID, "0")
}

func TestExpenseReleaseNewestFirst(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	e.xPay(t, c.ID, "50")
	a := e.xCharge(t, c.ID, "20")
	e.clock.Advance(time.Minute)
	b := e.xCharge(t, c.ID, "20")
	e.clock.Advance(time.Minute)
	// 10 unallocated, then 15 of the newest expense.
	e.xPost(t, c.ID, "-25", billing.LedgerAdjustment)
	e.xCovered(t, a.ID, "20")
	e.xCovered(t, b.ID, "5")
	e.xDebt(t, c.ID, "15", "charge 20")
	// More than all the coverage: the adjustment itself is debt for the
	// rest, after the expenses it released.
	e.clock.Advance(time.Minute)
	adj, err := e.svc.Post(ctx, system, billing.PostParams{ClientID: c.ID, Amount: rub("-30"), Kind: billing.LedgerAdjustment, Memo: "fee", AllowBelowLimit: true})
	if err != nil {
		t.Fatal(err)
	}
	e.xCovered(t, a.ID, "0")
	e.xCovered(t, b.ID, "0")
	d := e.xDebt(t, c.ID, "45", "charge 20", "charge 20", "fee")
	if last := d.Debts[2]; last.LedgerEntryID != adj.ID || !last.ExpenseID.IsZero() || last.Kind != billing.LedgerAdjustment ||
		!last.Amount.Equal(rub("30")) || !last.Covered.Equal(rub("25")) || !last.Uncovered.Equal(rub("5")) {
		t.Fatalf("adjustment debt = %+v", last)
	}
	e.wantBalance(t, c.ID, "-45")
	e.xAudit(t)
	// Money pays them in their order: the expenses, then the adjustment.
	e.xPay(t, c.ID, "40")
	e.xCovered(t, a.ID, "20")
	e.xCovered(t, b.ID, "20")
	e.xDebt(t, c.ID, "5", "fee")
	e.xPay(t, c.ID, "10")
	e.xDebt(t, c.ID, "0")
	e.wantBalance(t, c.ID, "5")
}

func TestExpenseDebitsThatAreNotExpensesAreDebtInTheirTurn(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	// A debit with no money: owed, before the charge that comes after it.
	e.xPost(t, c.ID, "-10", billing.LedgerAdjustment)
	e.clock.Advance(time.Minute)
	x := e.xCharge(t, c.ID, "5", belowLimit)
	e.xDebt(t, c.ID, "15", "adjustment", "charge 5")
	e.xPay(t, c.ID, "12")
	e.xCovered(t, x.ID, "2")
	e.xDebt(t, c.ID, "3", "charge 5")
	// A ledger expense posted without Charge is such a debit too: with no
	// money left it takes back what covers the newest expense.
	e.xPost(t, c.ID, "-1", billing.LedgerExpense)
	e.xCovered(t, x.ID, "1")
	e.xDebt(t, c.ID, "4", "charge 5")
	e.xAudit(t)
}

func TestExpenseChargeTxInCallersTransaction(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	e.xPay(t, c.ID, "10")
	abort := errors.New("abort")
	var id billing.ExpenseID
	err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		x, err := e.svc.ChargeTx(ctx, tx, system, billing.ChargeParams{ClientID: c.ID, Kind: billing.ExpenseSetup, Amount: rub("4"), Description: "setup"})
		if err != nil {
			return err
		}
		id = x.ID
		if !x.Covered.Equal(rub("4")) {
			t.Errorf("inside the transaction covered = %s", x.Covered)
		}
		return abort
	})
	if !errors.Is(err, abort) {
		t.Fatalf("InTx = %v", err)
	}
	_, err = e.svc.GetExpense(ctx, system, id)
	wantCode(t, err, billkit.CodeNotFound, "expense.not_found")
	if n := e.count(t, "billkit_expense_allocations", "1 = 1"); n != 0 {
		t.Fatalf("%d allocations after rollback", n)
	}
	e.wantBalance(t, c.ID, "10")
	// A refused charge leaves the transaction usable.
	err = e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		_, err := e.svc.ChargeTx(ctx, tx, system, billing.ChargeParams{ClientID: c.ID, Kind: billing.ExpenseManual, Amount: rub("11"), Description: "x"})
		wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
		_, err = e.svc.ChargeTx(ctx, tx, system, billing.ChargeParams{ClientID: c.ID, Kind: billing.ExpenseManual, Amount: rub("1"), Description: "x"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	e.wantBalance(t, c.ID, "9")
	_, err = e.svc.ChargeTx(ctx, nil, system, billing.ChargeParams{})
	wantField(t, err, "tx", "required")
}

func TestExpenseChargeOnceByID(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	id := billkit.NewID[billing.Expense]()
	p := billing.ChargeParams{ID: id, ClientID: c.ID, Kind: billing.ExpensePeriod, Amount: rub("7"), Description: "renewal", AllowBelowLimit: true}
	x, err := e.svc.Charge(ctx, system, p)
	if err != nil || x.ID != id {
		t.Fatalf("Charge = %+v, %v", x, err)
	}
	_, err = e.svc.Charge(ctx, system, p)
	wantCode(t, err, billkit.CodeConflict, "expense.exists")
	e.wantBalance(t, c.ID, "-7")
	if n, _ := e.ledgerRows(t, c.ID); n != 1 {
		t.Fatalf("%d entries after a repeated charge, want 1", n)
	}
}

func TestExpenseBadInput(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	e.xPay(t, c.ID, "1000")
	deleted := e.client(t, "Gone")
	if _, err := e.svc.DeleteClient(ctx, system, deleted.ID); err != nil {
		t.Fatal(err)
	}
	ok := billing.ChargeParams{ClientID: c.ID, Kind: billing.ExpenseManual, Amount: rub("1"), Description: "x"}
	with := func(f func(*billing.ChargeParams)) billing.ChargeParams {
		p := ok
		f(&p)
		return p
	}
	d := billkit.MustDate
	cases := []struct {
		name          string
		p             billing.ChargeParams
		field, reason string
	}{
		{"no client", with(func(p *billing.ChargeParams) { p.ClientID = billkit.ClientID{} }), "client_id", "required"},
		{"unknown kind", with(func(p *billing.ChargeParams) { p.Kind = "gift" }), "kind", "expense.kind_unknown"},
		{"no amount", with(func(p *billing.ChargeParams) { p.Amount = billkit.Money{} }), "amount", "required"},
		{"zero", with(func(p *billing.ChargeParams) { p.Amount = rub("0") }), "amount", "expense.amount_not_positive"},
		{"negative", with(func(p *billing.ChargeParams) { p.Amount = rub("-1") }), "amount", "expense.amount_not_positive"},
		{"other currency", with(func(p *billing.ChargeParams) { p.Amount = billkit.MustParseMoney("1", "USD") }), "amount", "expense.currency_mismatch"},
		{"too many decimals", with(func(p *billing.ChargeParams) { p.Amount = rub("1.001") }), "amount", "expense.too_many_decimals"},
		{"no description", with(func(p *billing.ChargeParams) { p.Description = " " }), "description", "required"},
		{"cause id alone", with(func(p *billing.ChargeParams) { p.CauseID = "x" }), "cause_type", "required"},
		{"start alone", with(func(p *billing.ChargeParams) { p.PeriodStart = d(2026, 3, 1) }), "period_end", "required"},
		{"end alone", with(func(p *billing.ChargeParams) { p.PeriodEnd = d(2026, 3, 1) }), "period_start", "required"},
		{"end before start", with(func(p *billing.ChargeParams) { p.PeriodStart, p.PeriodEnd = d(2026, 3, 2), d(2026, 3, 1) }), "period_end", "expense.period_end_not_after_start"},
		{"empty period", with(func(p *billing.ChargeParams) { p.PeriodStart, p.PeriodEnd = d(2026, 3, 1), d(2026, 3, 1) }), "period_end", "expense.period_end_not_after_start"},
		{"bad start", with(func(p *billing.ChargeParams) {
			p.PeriodStart, p.PeriodEnd = billkit.Date{Year: 2026, Month: 2, Day: 30}, d(2026, 3, 1)
		}), "period_start", "date.out_of_range"},
		{"period without tariff", with(func(p *billing.ChargeParams) { p.Period = catalog.PeriodMonth }), "tariff_id", "required"},
		{"tariff without period", with(func(p *billing.ChargeParams) { p.TariffID = billkit.NewID[catalog.Tariff]() }), "period", "required"},
		{"unknown period", with(func(p *billing.ChargeParams) { p.TariffID, p.Period = billkit.NewID[catalog.Tariff](), "fortnight" }), "period", catalog.ReasonPeriodUnknown},
		{"negative quantity", with(func(p *billing.ChargeParams) { p.Quantity = dec("-1") }), "quantity", "expense.quantity_negative"},
		{"huge quantity", with(func(p *billing.ChargeParams) { p.Quantity = dec("1000000000") }), "quantity", "expense.quantity_out_of_range"},
		{"bad price date", with(func(p *billing.ChargeParams) { p.PriceDate = billkit.Date{Year: 2026, Month: 13, Day: 1} }), "price_date", "date.out_of_range"},
	}
	before := e.count(t, "billkit_actions", "1 = 1")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Charge(ctx, system, tc.p)
			wantField(t, err, tc.field, tc.reason)
		})
	}
	_, err := e.svc.Charge(ctx, system, with(func(p *billing.ChargeParams) { p.ClientID = billkit.ClientID(billkit.NewID[struct{}]()) }))
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.Charge(ctx, system, with(func(p *billing.ChargeParams) { p.ClientID = deleted.ID }))
	wantCode(t, err, billkit.CodeFailedPrecondition, "client.deleted")
	_, err = e.svc.Charge(ctx, billkit.Actor{}, ok)
	wantField(t, err, "actor.kind", "")
	if n := e.count(t, "billkit_expenses", "1 = 1"); n != 0 {
		t.Fatalf("bad input wrote %d expenses", n)
	}
	if n, _ := e.ledgerRows(t, c.ID); n != 1 {
		t.Fatalf("bad input wrote %d entries", n-1)
	}
	if n := e.count(t, "billkit_actions", "1 = 1"); n != before {
		t.Fatalf("bad input recorded %d actions", n-before)
	}
	e.wantBalance(t, c.ID, "1000")

	// Lists and reads name their bad fields too.
	_, err = e.svc.ListExpenses(ctx, system, billing.ExpenseFilter{Kind: "gift"})
	wantField(t, err, "kind", "expense.kind_unknown")
	_, err = e.svc.ListExpenses(ctx, system, billing.ExpenseFilter{From: start, To: start})
	wantField(t, err, "to", "expense.to_not_after_from")
	_, err = e.svc.ListExpenses(ctx, system, billing.ExpenseFilter{PageParams: billkit.PageParams{Limit: -1}})
	wantField(t, err, "limit", "page.limit_out_of_range")
	_, err = e.svc.CreditAllocations(ctx, system, billing.PaymentID{})
	wantField(t, err, "payment_id", "required")
	_, err = e.svc.GetExpense(ctx, system, billkit.NewID[billing.Expense]())
	wantCode(t, err, billkit.CodeNotFound, "expense.not_found")
}

func TestExpenseRights(t *testing.T) {
	e := newEnv(t)
	mine, other := e.client(t, "Mine"), e.client(t, "Other")
	e.xPay(t, mine.ID, "100")
	e.xPay(t, other.ID, "100")
	theirs := e.xCharge(t, other.ID, "5")
	cust := customer(mine.ID)

	// A customer charges, reads and lists its own client only.
	own, err := e.svc.Charge(ctx, cust, billing.ChargeParams{ClientID: mine.ID, Kind: billing.ExpenseManual, Amount: rub("3"), Description: "own"})
	if err != nil {
		t.Fatal(err)
	}
	if own.ActorKind != billkit.ActorCustomer || own.ActorID != "bob" {
		t.Fatalf("charged by %s %s", own.ActorKind, own.ActorID)
	}
	_, err = e.svc.Charge(ctx, cust, billing.ChargeParams{ClientID: other.ID, Kind: billing.ExpenseManual, Amount: rub("3"), Description: "x"})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.GetExpense(ctx, cust, theirs.ID)
	wantCode(t, err, billkit.CodeNotFound, "expense.not_found")
	_, err = e.svc.ExpensePayments(ctx, cust, theirs.ID)
	wantCode(t, err, billkit.CodeNotFound, "expense.not_found")
	_, err = e.svc.ClientDebt(ctx, cust, other.ID)
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.ListExpenses(ctx, cust, billing.ExpenseFilter{ClientID: other.ID})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	page, err := e.svc.ListExpenses(ctx, cust, billing.ExpenseFilter{})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != own.ID {
		t.Fatalf("customer's expenses = %+v, %v", page.Items, err)
	}
	allocs, err := e.svc.ListAllocations(ctx, cust, billing.AllocationFilter{})
	if err != nil || len(allocs.Items) != 1 || allocs.Items[0].ExpenseID != own.ID {
		t.Fatalf("customer's allocations = %+v, %v", allocs.Items, err)
	}

	// Staff need billing.expense:create to charge (the posting needs no
	// billing.client:edit of its own), and billing.expense:read to read.
	reader := staff(billkit.R(billing.FunctionExpense, billkit.OpRead))
	p := billing.ChargeParams{ClientID: mine.ID, Kind: billing.ExpenseManual, Amount: rub("1"), Description: "x"}
	_, err = e.svc.Charge(ctx, reader, p)
	wantCode(t, err, billkit.CodeForbidden, "")
	_, err = e.svc.Charge(ctx, staff(billkit.R(billing.FunctionClient, billkit.OpEdit)), p)
	wantCode(t, err, billkit.CodeForbidden, "")
	clerk := staff(billkit.R(billing.FunctionExpense, billkit.OpCreate))
	if _, err := e.svc.Charge(ctx, clerk, p); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.GetExpense(ctx, reader, theirs.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ClientDebt(ctx, reader, other.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetExpense(ctx, clerk, theirs.ID)
	wantCode(t, err, billkit.CodeForbidden, "")
	nobody := billkit.Actor{Kind: billkit.ActorStaff, ID: "eve", Name: "eve"}
	if page, err := e.svc.ListExpenses(ctx, nobody, billing.ExpenseFilter{}); err != nil || len(page.Items) != 0 {
		t.Fatalf("list without permissions = %+v, %v", page.Items, err)
	}
	if n := e.count(t, "billkit_expenses", "1 = 1"); n != 3 {
		t.Fatalf("%d expenses, want 3", n)
	}
}

func TestExpenseList(t *testing.T) {
	e := newEnv(t)
	a, b := e.client(t, "A"), e.client(t, "B")
	var made []*billing.Expense
	for i := 0; i < 5; i++ {
		made = append(made, e.xCharge(t, a.ID, "10", belowLimit, func(p *billing.ChargeParams) {
			p.Kind, p.CauseType, p.CauseID = billing.ExpensePeriod, "service", "svc"
		}))
		e.clock.Advance(time.Hour)
	}
	setup := e.xCharge(t, b.ID, "1", belowLimit, func(p *billing.ChargeParams) { p.Kind = billing.ExpenseSetup })
	e.xPay(t, a.ID, "25")
	var got []billing.ExpenseID
	for cursor := ""; ; {
		page, err := e.svc.ListExpenses(ctx, system, billing.ExpenseFilter{ClientID: a.ID, PageParams: billkit.PageParams{Limit: 2, Cursor: cursor}})
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
	if len(got) != 5 || got[0] != made[0].ID || got[4] != made[4].ID {
		t.Fatalf("expenses not oldest first: %v", got)
	}
	for _, tc := range []struct {
		name string
		f    billing.ExpenseFilter
		want int
	}{
		{"debt", billing.ExpenseFilter{ClientID: a.ID, OnlyDebt: true}, 3},
		{"kind", billing.ExpenseFilter{Kind: billing.ExpenseSetup}, 1},
		{"cause", billing.ExpenseFilter{CauseType: "service", CauseID: "svc"}, 5},
		{"window", billing.ExpenseFilter{From: start.Add(time.Hour), To: start.Add(3 * time.Hour)}, 2},
		{"everyone", billing.ExpenseFilter{}, 6},
	} {
		page, err := e.svc.ListExpenses(ctx, system, tc.f)
		if err != nil || len(page.Items) != tc.want {
			t.Errorf("%s: %d expenses, %v; want %d", tc.name, len(page.Items), err, tc.want)
		}
	}
	page, err := e.svc.ListExpenses(ctx, system, billing.ExpenseFilter{ClientID: b.ID})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != setup.ID || page.Items[0].Amount.String() != "1.00 RUB" || page.Items[0].Covered.String() != "0.00 RUB" {
		t.Fatalf("B's expenses = %+v, %v", page.Items, err)
	}
}

func TestExpenseMergeMovesDebtByTransfers(t *testing.T) {
	e := newEnv(t)
	from, to := e.client(t, "From"), e.client(t, "To")
	x := e.xCharge(t, from.ID, "40", belowLimit)
	e.xPay(t, to.ID, "100")
	y := e.xCharge(t, to.ID, "30")
	if _, err := e.svc.MergeClients(ctx, system, from.ID, to.ID); err != nil {
		t.Fatal(err)
	}
	// The merged client's debt is paid by its transfer out; the target's
	// unallocated money covers the transfer in.
	e.xCovered(t, x.ID, "40")
	e.xCovered(t, y.ID, "30")
	e.xDebt(t, from.ID, "0")
	e.xDebt(t, to.ID, "0")
	e.wantBalance(t, to.ID, "30")
	e.xAudit(t)
}
