package billing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// ExpenseID identifies an Expense.
type ExpenseID = billkit.ID[Expense]

// ExpenseKind is what an expense charges for.
type ExpenseKind string

// The kinds of expenses.
const (
	ExpensePeriod  ExpenseKind = "period"
	ExpenseSetup   ExpenseKind = "setup"
	ExpenseAddon   ExpenseKind = "addon"
	ExpenseManual  ExpenseKind = "manual"
	ExpenseInvoice ExpenseKind = "invoice"
)

// ExpenseKinds lists every kind, in a fixed order.
func ExpenseKinds() []ExpenseKind {
	return []ExpenseKind{ExpensePeriod, ExpenseSetup, ExpenseAddon, ExpenseManual, ExpenseInvoice}
}

// Valid reports whether k is a known kind.
func (k ExpenseKind) Valid() bool {
	for _, v := range ExpenseKinds() {
		if k == v {
			return true
		}
	}
	return false
}

// CauseExpense is the CauseType of the ledger entry of an expense; its
// CauseID is the expense's ID.
const CauseExpense = "expense"

// The reasons of expense errors besides field validation.
const (
	// ReasonExpenseClientDeleted: a deleted client cannot be charged.
	ReasonExpenseClientDeleted = "client.deleted"
)

// Expense is a charge that debited a client's balance: a service's period,
// a setup fee, an addon, an invoice, a manual charge. Its ledger entry is
// the debit; the expense adds what the ledger does not know: what the
// charge was for, the period it covers, how to price it again, and how
// much of it is paid.
//
// Expenses are immutable except Covered, which the ledger's postings move:
// money that arrives pays the oldest debt first (see Service.ClientDebt),
// and a debit that takes money back (a refund to the card, an adjustment)
// makes the newest covered expenses debt again. A wrong price is corrected
// by a recalculation, which posts adjustments and never edits an expense.
type Expense struct {
	ID       ExpenseID        `json:"id"`
	ClientID billkit.ClientID `json:"client_id"`
	Kind     ExpenseKind      `json:"kind"`
	// Amount is what was charged: positive, in the client's currency.
	Amount billkit.Money `json:"amount"`
	// Covered is the part of Amount that money on the balance pays; the
	// rest (Debt) is owed. 0 <= Covered <= Amount.
	Covered     billkit.Money `json:"covered"`
	Description string        `json:"description"`
	// CauseType and CauseID name what is charged for ("service" and its ID,
	// "invoice" and its ID), when something is.
	CauseType string `json:"cause_type,omitempty"`
	CauseID   string `json:"cause_id,omitempty"`
	// PeriodStart and PeriodEnd (exclusive) are the period charged, when
	// the expense is for one.
	PeriodStart billkit.Date `json:"period_start,omitzero"`
	PeriodEnd   billkit.Date `json:"period_end,omitzero"`
	// TariffID, Period, Quantity and PriceDate say how the amount was
	// priced, so that a recalculation can price it again (CatalogRepricer):
	// Quantity periods (fractional for a prorated one; zero means one) of
	// the tariff's Period price, for a service ordered on PriceDate. Orders
	// and renewals set them; a manual charge leaves them empty.
	TariffID  catalog.TariffID `json:"tariff_id,omitzero"`
	Period    catalog.Period   `json:"period,omitempty"`
	Quantity  decimal.Decimal  `json:"quantity,omitzero"`
	PriceDate billkit.Date     `json:"price_date,omitzero"`
	// LedgerEntryID is the debit that charged the expense.
	LedgerEntryID LedgerEntryID `json:"ledger_entry_id"`
	// ActorKind and ActorID are who charged it.
	ActorKind billkit.ActorKind `json:"actor_kind"`
	ActorID   string            `json:"actor_id"`
	CreatedAt time.Time         `json:"created_at"`
}

// Debt returns the part of the expense no money covers yet.
func (x *Expense) Debt() billkit.Money {
	d, err := x.Amount.Sub(x.Covered)
	if err != nil {
		return x.Amount
	}
	return d
}

// ChargeParams charges a client.
type ChargeParams struct {
	// ID, when not zero, is the new expense's ID: a caller that must charge
	// exactly once (a renewal) makes it beforehand, and a second charge with
	// it is conflict "expense.exists". Zero makes a new one.
	ID       ExpenseID        `json:"id,omitzero"`
	ClientID billkit.ClientID `json:"client_id"`
	Kind     ExpenseKind      `json:"kind"`
	// Amount is what is charged: positive, in the client's currency.
	Amount      billkit.Money `json:"amount"`
	Description string        `json:"description"`
	// CauseType and CauseID name what is charged for ("service" and its
	// ID, "invoice_line").
	CauseType string `json:"cause_type,omitempty"`
	CauseID   string `json:"cause_id,omitempty"`
	// PeriodStart and PeriodEnd (exclusive) are the period charged, when
	// the expense is for one.
	PeriodStart billkit.Date `json:"period_start,omitzero"`
	PeriodEnd   billkit.Date `json:"period_end,omitzero"`
	// AllowBelowLimit lets the charge take the balance below the credit
	// limit.
	AllowBelowLimit bool `json:"allow_below_limit,omitempty"`
	// TariffID, Period, Quantity and PriceDate are the pricing reference
	// of Expense, for recalculations; optional, but Period needs TariffID
	// and the other way round.
	TariffID  catalog.TariffID `json:"tariff_id,omitzero"`
	Period    catalog.Period   `json:"period,omitempty"`
	Quantity  decimal.Decimal  `json:"quantity,omitzero"`
	PriceDate billkit.Date     `json:"price_date,omitzero"`
	// RecordedByCaller says that the caller's own action records the
	// charge in the action log, naming the expense (a renewal's does): the
	// expense then writes no billing.expense.create of its own, so that
	// one renewal is one action. The expense row keeps who charged it and
	// when. Never read from JSON: only code that writes that action sets
	// it.
	RecordedByCaller bool `json:"-"`
}

// maxExpenseQuantity bounds Quantity: no charge is for a billion periods.
var maxExpenseQuantity = decimal.New(1, 9)

// validate checks what can be checked without the client.
func (p *ChargeParams) validate() error {
	var v billkit.FieldErrors
	v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required")
	v.Check(p.Kind.Valid(), "kind", "expense.kind_unknown", fmt.Sprintf("must be one of %v", ExpenseKinds()))
	if v.Check(p.Amount.Currency() != "", "amount", "required", "is required") {
		v.Check(p.Amount.IsPositive(), "amount", "expense.amount_not_positive", "must be more than zero")
	}
	p.Description = text(&v, "description", p.Description, 1000, true)
	p.CauseType = text(&v, "cause_type", p.CauseType, 64, false)
	p.CauseID = text(&v, "cause_id", p.CauseID, 128, false)
	v.Check(p.CauseID == "" || p.CauseType != "", "cause_type", "required", "is required with cause_id")
	expensePeriod(&v, p.PeriodStart, p.PeriodEnd)
	switch {
	case p.TariffID.IsZero() && p.Period != "":
		v.Add("tariff_id", "required", "is required with period")
	case !p.TariffID.IsZero() && p.Period == "":
		v.Add("period", "required", "is required with tariff_id")
	case p.Period != "":
		v.Check(p.Period.Valid(), "period", catalog.ReasonPeriodUnknown, fmt.Sprintf("%q is not a period", string(p.Period)))
	}
	v.Check(!p.Quantity.IsNegative(), "quantity", "expense.quantity_negative", "must not be negative")
	v.Check(p.Quantity.LessThan(maxExpenseQuantity) && p.Quantity.Exponent() >= -12, "quantity", "expense.quantity_out_of_range",
		"must be less than 1000000000 with at most 12 decimals")
	v.Check(p.PriceDate.IsZero() || p.PriceDate.Valid(), "price_date", "date.out_of_range", "must be a calendar date")
	return v.Err()
}

// expensePeriod checks an optional period [start, end): both or neither,
// calendar dates, end after start.
func expensePeriod(v *billkit.FieldErrors, start, end billkit.Date) {
	switch {
	case start.IsZero() && end.IsZero():
	case start.IsZero():
		v.Add("period_start", "required", "is required with period_end")
	case end.IsZero():
		v.Add("period_end", "required", "is required with period_start")
	case !start.Valid():
		v.Add("period_start", "date.out_of_range", "must be a calendar date")
	case !end.Valid():
		v.Add("period_end", "date.out_of_range", "must be a calendar date")
	default:
		v.Check(end.After(start), "period_end", "expense.period_end_not_after_start", "must be after period_start")
	}
}

// Charge charges a client in one transaction: see ChargeTx.
func (s *Service) Charge(ctx context.Context, actor billkit.Actor, p ChargeParams) (*Expense, error) {
	// InTx on the service's own store begins the transaction that ChargeTx
	// would otherwise nest in as a savepoint.
	return s.ChargeTx(ctx, s.store, actor, p)
}

// ChargeTx charges a client in the caller's transaction: it posts the
// expense to the ledger (a LedgerExpense debit of -Amount, CauseType
// CauseExpense, CauseID the expense's ID) and links it to the money that
// covers it: unallocated money on the balance covers it at once, oldest
// credit first, and what remains is debt that the next money pays. It runs
// in a savepoint, so a refused charge leaves tx usable and nothing written.
//
// It needs billing.expense:create on the client (customers: their own
// clients; others get client.not_found), which implies the posting it
// makes; renewals pass the system actor. A charge that would
// take the balance below minus the client's credit limit fails with
// failed_precondition ReasonInsufficientFunds unless p.AllowBelowLimit. A
// deleted client cannot be charged (failed_precondition "client.deleted").
// Bad input is invalid, naming each field: "amount"
// (expense.amount_not_positive, expense.currency_mismatch,
// expense.too_many_decimals), "kind" (expense.kind_unknown), "description",
// "period_end" (expense.period_end_not_after_start), "period",
// "tariff_id", "quantity", "price_date", "cause_type", "cause_id".
func (s *Service) ChargeTx(ctx context.Context, tx Store, actor billkit.Actor, p ChargeParams) (*Expense, error) {
	if tx == nil {
		return nil, billkit.InvalidField("tx", "required", "is required")
	}
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	var x *Expense
	err := tx.InTx(ctx, func(tx Store) error {
		var err error
		x, err = s.chargeTx(ctx, tx, actor, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// expenseChargeKey marks, in the context of a charge's posting, the
// expense the posting is for, so that afterPost stores the expense with
// its coverage in the posting's own savepoint.
type expenseChargeKey struct{}

// expensePending is the expense a posting charges; afterPost fills it.
type expensePending struct {
	x    *Expense
	done bool
}

// chargeTx charges in tx once p is valid on its own.
func (s *Service) chargeTx(ctx context.Context, tx Store, actor billkit.Actor, p ChargeParams) (*Expense, error) {
	c, err := tx.GetClient(ctx, p.ClientID)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionExpense, billkit.OpCreate), c.ID, clientNotFound(c.ID)); err != nil {
		return nil, err
	}
	if c.Status == ClientStatusDeleted {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonExpenseClientDeleted, "client %s is deleted", clientLabel(c))
	}
	digits, err := currencyDigits(ctx, tx, c.Currency)
	if err != nil {
		return nil, err
	}
	if err := checkChargeAmount(p.Amount, c.Currency, digits); err != nil {
		return nil, err
	}
	amount := withDigits(p.Amount, digits)
	x := &Expense{
		ID: p.ID, ClientID: c.ID, Kind: p.Kind, Amount: amount, Covered: withDigits(billkit.Zero(c.Currency), digits),
		Description: p.Description, CauseType: p.CauseType, CauseID: p.CauseID,
		PeriodStart: p.PeriodStart, PeriodEnd: p.PeriodEnd,
		TariffID: p.TariffID, Period: p.Period, Quantity: p.Quantity, PriceDate: p.PriceDate,
		ActorKind: actor.Kind, ActorID: actor.ID,
	}
	if x.ID.IsZero() {
		newID(&x.ID)
	}
	pending := &expensePending{x: x}
	// billing.expense:create is the right to charge: the posting it makes
	// needs no billing.client:edit of its own, as a payment's does not.
	le, err := s.PostTx(context.WithValue(ctx, expenseChargeKey{}, pending), tx, poster(actor, c.ID), PostParams{
		ClientID: c.ID, Amount: amount.Neg(), Kind: LedgerExpense, CauseType: CauseExpense, CauseID: x.ID.String(),
		Memo: p.Description, AllowBelowLimit: p.AllowBelowLimit,
	})
	if err != nil {
		return nil, err
	}
	if !pending.done {
		return nil, billkit.Errorf(billkit.CodeInternal, "expense.not_stored", "the posting of expense %s did not store it", x.ID)
	}
	if !p.RecordedByCaller {
		if err := record(ctx, tx, actor, le.CreatedAt, FunctionExpense, "create", x.ID.String(), c.ID, nil, x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// checkChargeAmount checks that a charge's amount is in the client's
// currency with no more decimals than it has.
func checkChargeAmount(amount billkit.Money, currency string, digits int32) error {
	var v billkit.FieldErrors
	if v.Check(amount.Currency() == currency, "amount", "expense.currency_mismatch",
		fmt.Sprintf("must be in the client's currency, %s", currency)) {
		v.Check(amount.Amount().Round(digits).Equal(amount.Amount()), "amount", "expense.too_many_decimals",
			fmt.Sprintf("must have at most %d decimals for %s", digits, currency))
	}
	return v.Err()
}

// expenseNotFound is the error for an expense that does not exist or that
// the actor may not see.
func expenseNotFound(id ExpenseID) error { return billkit.NotFound("expense", id) }

// expenseClient reads a client and checks that the actor may do op on its
// expenses.
func (s *Service) expenseClient(ctx context.Context, store Store, actor billkit.Actor, id billkit.ClientID, op billkit.Operation) (*Client, error) {
	c, err := store.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionExpense, op), id, clientNotFound(id)); err != nil {
		return nil, err
	}
	return c, nil
}

// GetExpense returns an expense. It needs billing.expense:read on its
// client; customers read their own clients' expenses, and get
// expense.not_found for others'.
func (s *Service) GetExpense(ctx context.Context, actor billkit.Actor, id ExpenseID) (*Expense, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	x, err := s.store.GetExpense(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionExpense, billkit.OpRead), x.ClientID, expenseNotFound(id)); err != nil {
		return nil, err
	}
	return s.expenseDigits(ctx, x)
}

// expenseDigits shows an expense's amounts with their currency's digits.
func (s *Service) expenseDigits(ctx context.Context, x *Expense) (*Expense, error) {
	d, err := currencyDigits(ctx, s.store, x.Amount.Currency())
	if err != nil {
		return nil, err
	}
	x.Amount, x.Covered = withDigits(x.Amount, d), withDigits(x.Covered, d)
	return x, nil
}

// ListExpenses lists expenses oldest first. With f.ClientID it needs
// billing.expense:read on that client (customers: their own clients);
// without, it lists the expenses of the clients the actor may read.
func (s *Service) ListExpenses(ctx context.Context, actor billkit.Actor, f ExpenseFilter) (billkit.Page[Expense], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Expense]{}, err
	}
	var v billkit.FieldErrors
	v.Check(f.Kind == "" || f.Kind.Valid(), "kind", "expense.kind_unknown", fmt.Sprintf("must be one of %v", ExpenseKinds()))
	f.CauseType = text(&v, "cause_type", f.CauseType, 64, false)
	f.CauseID = text(&v, "cause_id", f.CauseID, 128, false)
	v.Check(f.From.IsZero() || f.To.IsZero() || f.From.Before(f.To), "to", "expense.to_not_after_from", "must be after from")
	v.Merge("", f.PageParams.Validate())
	if err := v.Err(); err != nil {
		return billkit.Page[Expense]{}, err
	}
	f.ClientIDs = nil
	if !f.ClientID.IsZero() {
		if _, err := s.expenseClient(ctx, s.store, actor, f.ClientID, billkit.OpRead); err != nil {
			return billkit.Page[Expense]{}, err
		}
	} else {
		ids, err := listScope(actor, billkit.R(FunctionExpense, billkit.OpRead))
		if err != nil {
			return billkit.Page[Expense]{}, err
		}
		f.ClientIDs = ids
	}
	page, err := s.store.ListExpenses(ctx, f)
	if err != nil {
		return page, err
	}
	for i := range page.Items {
		if _, err := s.expenseDigits(ctx, &page.Items[i]); err != nil {
			return billkit.Page[Expense]{}, err
		}
	}
	return page, nil
}

// Debt is one debit that money does not fully cover yet: an expense, or a
// debit that is not one (an adjustment, a refund to the card, a transfer)
// posted when there was no money to cover it.
type Debt struct {
	// ExpenseID is the expense; zero for a debit that is not an expense.
	ExpenseID ExpenseID `json:"expense_id,omitzero"`
	// LedgerEntryID is the debit.
	LedgerEntryID LedgerEntryID `json:"ledger_entry_id"`
	Kind          LedgerKind    `json:"kind"`
	// Description is the expense's, or the entry's memo.
	Description string `json:"description,omitempty"`
	// Amount is the whole debit (positive); Covered what money pays of it;
	// Uncovered the rest, what is owed.
	Amount    billkit.Money `json:"amount"`
	Covered   billkit.Money `json:"covered"`
	Uncovered billkit.Money `json:"uncovered"`
	CreatedAt time.Time     `json:"created_at"`
}

// ClientDebt is what a client owes, and for what.
type ClientDebt struct {
	ClientID billkit.ClientID `json:"client_id"`
	// Total is the sum of the debts' Uncovered: always max(0, -balance).
	Total billkit.Money `json:"total"`
	// Debts are the debits not fully covered, oldest first: the order in
	// which money pays them.
	Debts []Debt `json:"debts"`
}

// ClientDebt returns what a client owes: its debts, oldest first, and their
// total. It needs billing.expense:read on the client; customers read their
// own clients'.
func (s *Service) ClientDebt(ctx context.Context, actor billkit.Actor, client billkit.ClientID) (*ClientDebt, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	c, err := s.expenseClient(ctx, s.store, actor, client, billkit.OpRead)
	if err != nil {
		return nil, err
	}
	digits, err := currencyDigits(ctx, s.store, c.Currency)
	if err != nil {
		return nil, err
	}
	out := &ClientDebt{ClientID: c.ID, Total: withDigits(billkit.Zero(c.Currency), digits), Debts: []Debt{}}
	it := newDebtIterator(s.store, c.ID)
	total := decimal.Zero
	for {
		d, ok, err := it.next(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		debt := d.public()
		debt.Amount, debt.Covered, debt.Uncovered = withDigits(debt.Amount, digits), withDigits(debt.Covered, digits), withDigits(debt.Uncovered, digits)
		out.Debts = append(out.Debts, debt)
		total = total.Add(debt.Uncovered.Amount())
	}
	t, err := billkit.NewMoney(total, c.Currency)
	if err != nil {
		return nil, err
	}
	out.Total = withDigits(t, digits)
	return out, nil
}

// ActionFields lists the expense's JSON fields for the action log
// (billkit.ActionFielder), less those the action row holds itself (the ID,
// the client, the actor and the time), as LedgerEntry.ActionFields does:
// the billing cycle records one for every renewal.
func (x *Expense) ActionFields() (map[string]json.RawMessage, error) {
	f := newActionFields(13)
	f.str("kind", string(x.Kind))
	f.marshal("amount", x.Amount)
	f.marshal("covered", x.Covered)
	f.str("description", x.Description)
	if x.CauseType != "" {
		f.str("cause_type", x.CauseType)
	}
	if x.CauseID != "" {
		f.str("cause_id", x.CauseID)
	}
	if !x.PeriodStart.IsZero() {
		f.text("period_start", x.PeriodStart)
	}
	if !x.PeriodEnd.IsZero() {
		f.text("period_end", x.PeriodEnd)
	}
	if !x.TariffID.IsZero() {
		f.text("tariff_id", x.TariffID)
	}
	if x.Period != "" {
		f.str("period", string(x.Period))
	}
	if !x.Quantity.IsZero() {
		f.marshal("quantity", x.Quantity)
	}
	if !x.PriceDate.IsZero() {
		f.text("price_date", x.PriceDate)
	}
	f.text("ledger_entry_id", x.LedgerEntryID)
	return f.m, f.err
}
