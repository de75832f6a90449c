package billing

import (
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// ObjectLedger is the object type of ledger entries in the action log; an
// action "billing.ledger.post" records each posting, except the posting of
// an expense, which the expense's "billing.expense.create" records (it
// names the entry). Posting needs
// billing.ledger:create (FunctionLedger) on the client; reading needs
// billing.client:read.
const ObjectLedger = "billing.ledger"

// ReasonInsufficientFunds is the reason of the failed_precondition error of
// a debit that would take a balance below the client's credit limit.
const ReasonInsufficientFunds = "billing.insufficient_funds"

// LedgerEntryID identifies a LedgerEntry.
type LedgerEntryID = billkit.ID[LedgerEntry]

// LedgerKind is what moved a client's money.
type LedgerKind string

// The kinds of ledger entries.
const (
	// LedgerPayment is money received from the client (a credit).
	LedgerPayment LedgerKind = "payment"
	// LedgerExpense is a charge for services (a debit).
	LedgerExpense LedgerKind = "expense"
	// LedgerRefund gives money back, either way.
	LedgerRefund LedgerKind = "refund"
	// LedgerAdjustment corrects a balance, either way.
	LedgerAdjustment LedgerKind = "adjustment"
	// LedgerTransfer moves money between clients (a merge).
	LedgerTransfer LedgerKind = "transfer"
	// LedgerConversion converts money between currencies; the entry records
	// the rate.
	LedgerConversion LedgerKind = "conversion"
)

// LedgerKinds lists every kind, in a fixed order.
func LedgerKinds() []LedgerKind {
	return []LedgerKind{LedgerPayment, LedgerExpense, LedgerRefund, LedgerAdjustment, LedgerTransfer, LedgerConversion}
}

// Valid reports whether k is a known kind.
func (k LedgerKind) Valid() bool {
	for _, v := range LedgerKinds() {
		if k == v {
			return true
		}
	}
	return false
}

// LedgerEntry is one movement of a client's money. Entries are immutable:
// they are inserted in the transaction of what caused them and never changed
// or deleted; a mistake is corrected by another entry. The client's balance
// is the sum of its entries.
type LedgerEntry struct {
	ID       LedgerEntryID    `json:"id"`
	ClientID billkit.ClientID `json:"client_id"`
	// Amount is signed, in the client's currency: a credit (money for the
	// client) is positive, a debit negative.
	Amount billkit.Money `json:"amount"`
	Kind   LedgerKind    `json:"kind"`
	// CauseType and CauseID name what caused the entry ("payment" and its
	// ID), when something did.
	CauseType string `json:"cause_type,omitempty"`
	CauseID   string `json:"cause_id,omitempty"`
	Memo      string `json:"memo,omitempty"`
	// Rate is the exchange rate used: set for conversions, and for payments
	// and refunds converted from another currency.
	Rate *decimal.Decimal `json:"rate,omitempty"`
	// ActorKind and ActorID are who posted the entry.
	ActorKind billkit.ActorKind `json:"actor_kind"`
	ActorID   string            `json:"actor_id"`
	CreatedAt time.Time         `json:"created_at"`
	// BalanceAfter is the client's balance right after this entry.
	BalanceAfter billkit.Money `json:"balance_after"`
}

// ActionFields lists the entry's JSON fields for the action log
// (billkit.ActionFielder), leaving out those the action row already holds:
// the ID (its object ID), the client, the actor and the time. Every posting
// records its entry; the entry itself stays whole and immutable in the
// ledger, so the log need not copy it, and a smaller row is a faster
// posting.
func (e *LedgerEntry) ActionFields() (map[string]json.RawMessage, error) {
	f := newActionFields(7)
	f.marshal("amount", e.Amount)
	f.str("kind", string(e.Kind))
	if e.CauseType != "" {
		f.str("cause_type", e.CauseType)
	}
	if e.CauseID != "" {
		f.str("cause_id", e.CauseID)
	}
	if e.Memo != "" {
		f.str("memo", e.Memo)
	}
	if e.Rate != nil {
		f.marshal("rate", e.Rate)
	}
	f.marshal("balance_after", e.BalanceAfter)
	return f.m, f.err
}

// actionFields builds the JSON fields of an object for the action log by
// hand (billkit.ActionFielder), for the objects written by the thousand.
type actionFields struct {
	m   map[string]json.RawMessage
	err error
}

func newActionFields(n int) *actionFields {
	return &actionFields{m: make(map[string]json.RawMessage, n)}
}

func (f *actionFields) put(name string, b []byte, err error) {
	if f.err == nil {
		f.m[name], f.err = b, err
	}
}

// str puts a JSON string.
func (f *actionFields) str(name, v string) { f.put(name, billkit.AppendJSONString(nil, v), nil) }

// marshal puts what v's MarshalJSON makes.
func (f *actionFields) marshal(name string, v json.Marshaler) {
	b, err := v.MarshalJSON()
	f.put(name, b, err)
}

// text puts v's MarshalText as a JSON string, as encoding/json does.
func (f *actionFields) text(name string, v encoding.TextMarshaler) {
	b, err := v.MarshalText()
	f.put(name, billkit.AppendJSONString(nil, string(b)), err)
}

// LedgerAccount is what a posting reads of a client: its currency and
// credit limit, and its cached balance, in one query (Store.GetLedgerAccount).
type LedgerAccount struct {
	ClientID    billkit.ClientID
	Currency    string
	CreditLimit decimal.Decimal
	// HasBalance is false before the client's first entry; Balance is then
	// zero and BalanceCurrency empty.
	HasBalance      bool
	Balance         decimal.Decimal
	BalanceCurrency string
}

// ClientBalance is the cached balance of a client: the sum of its entries
// and their number, kept up to date by every posting in the same
// transaction. Service.AuditLedger checks it against the entries.
type ClientBalance struct {
	ClientID  billkit.ClientID `json:"client_id"`
	Balance   billkit.Money    `json:"balance"`
	Entries   int64            `json:"entries"`
	UpdatedAt time.Time        `json:"updated_at"`
}

// PostParams posts one ledger entry.
type PostParams struct {
	ClientID billkit.ClientID `json:"client_id"`
	// Amount is signed (credit > 0, debit < 0), non-zero, in the client's
	// currency, with no more decimals than the currency has.
	Amount billkit.Money `json:"amount"`
	Kind   LedgerKind    `json:"kind"`
	// CauseType and CauseID reference what caused the entry; CauseID needs
	// CauseType.
	CauseType string `json:"cause_type,omitempty"`
	CauseID   string `json:"cause_id,omitempty"`
	Memo      string `json:"memo,omitempty"`
	// Rate is the exchange rate used: required for conversions, refused for
	// other kinds.
	Rate *decimal.Decimal `json:"rate,omitempty"`
	// AllowBelowLimit lets a debit take the balance below the client's
	// credit limit: for charges the business decides to force.
	AllowBelowLimit bool `json:"allow_below_limit,omitempty"`
}

// LedgerFilter selects ledger entries; lists are newest first.
type LedgerFilter struct {
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	Kind     LedgerKind       `json:"kind,omitempty"`
	// From and To keep entries created at or after From and before To.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// ClientIDs restricts to those clients' entries when not nil, as in
	// ClientFilter.
	ClientIDs []billkit.ClientID `json:"-"`
	billkit.PageParams
}

// ClientBalanceFilter selects cached balances, in client ID order.
type ClientBalanceFilter struct {
	billkit.PageParams
}

// LedgerDiscrepancy is a client whose cached balance does not match its
// entries, found by Service.AuditLedger.
type LedgerDiscrepancy struct {
	ClientID billkit.ClientID `json:"client_id"`
	// Cached is the cached balance and CachedEntries its count of entries;
	// Sum and Entries are what the entries add up to.
	Cached        decimal.Decimal `json:"cached"`
	Sum           decimal.Decimal `json:"sum"`
	CachedEntries int64           `json:"cached_entries"`
	Entries       int64           `json:"entries"`
	// Problem says what is wrong, in words.
	Problem string `json:"problem"`
}

// Post posts one entry to a client's ledger: it moves the balance and
// inserts the entry and the action in one transaction. It needs
// billing.ledger:create on the client, a staff right: a customer's right
// to edit its client is no right to move its money (a customer of another
// client gets client.not_found). A debit that would take the balance below minus the
// client's credit limit fails with failed_precondition
// ReasonInsufficientFunds unless p.AllowBelowLimit; the check and the
// write are atomic, also under concurrent postings.
func (s *Service) Post(ctx context.Context, actor billkit.Actor, p PostParams) (*LedgerEntry, error) {
	// InTx on the service's own store begins the transaction that PostTx
	// would otherwise nest in as a savepoint.
	return s.PostTx(ctx, s.store, actor, p)
}

// PostTx is Post for callers already in a transaction (a payment, an
// expense): it posts in tx, so the entry commits or rolls back with the
// caller's change.
func (s *Service) PostTx(ctx context.Context, tx Store, actor billkit.Actor, p PostParams) (*LedgerEntry, error) {
	if tx == nil {
		return nil, billkit.InvalidField("tx", "required", "is required")
	}
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	var e *LedgerEntry
	// A savepoint, so that a failed posting leaves the caller's transaction
	// usable.
	err := tx.InTx(ctx, func(tx Store) error {
		var err error
		e, err = s.post(ctx, tx, actor, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// validate checks what can be checked without the client.
func (p *PostParams) validate() error {
	var v billkit.FieldErrors
	v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required")
	if v.Check(p.Amount.Currency() != "", "amount", "required", "is required") {
		v.Check(!p.Amount.IsZero(), "amount", "ledger.amount_zero", "must not be zero")
	}
	if v.Check(p.Kind.Valid(), "kind", "ledger.kind_unknown", fmt.Sprintf("must be one of %v", LedgerKinds())) {
		switch {
		case p.Kind == LedgerPayment:
			v.Check(!p.Amount.IsNegative(), "amount", "ledger.payment_negative", "a payment must be a credit (positive)")
		case p.Kind == LedgerExpense:
			v.Check(!p.Amount.IsPositive(), "amount", "ledger.expense_positive", "an expense must be a debit (negative)")
		}
		switch p.Kind {
		case LedgerConversion:
			v.Check(p.Rate != nil && p.Rate.IsPositive(), "rate", "ledger.rate_required", "a conversion needs a positive rate")
		case LedgerPayment, LedgerRefund:
			// A payment in another currency than the client's, and its
			// refunds, record the rate it was converted at.
			v.Check(p.Rate == nil || p.Rate.IsPositive(), "rate", "ledger.rate_not_positive", "a rate must be positive")
		default:
			v.Check(p.Rate == nil, "rate", "ledger.rate_unexpected", "only conversions, payments and refunds have a rate")
		}
	}
	p.CauseType = text(&v, "cause_type", p.CauseType, 64, false)
	p.CauseID = text(&v, "cause_id", p.CauseID, 128, false)
	v.Check(p.CauseID == "" || p.CauseType != "", "cause_type", "required", "is required with cause_id")
	p.Memo = text(&v, "memo", p.Memo, 1000, false)
	return v.Err()
}

// post posts in tx once p is valid on its own.
func (s *Service) post(ctx context.Context, tx Store, actor billkit.Actor, p PostParams) (*LedgerEntry, error) {
	c, err := tx.GetLedgerAccount(ctx, p.ClientID)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionLedger, billkit.OpCreate), c.ClientID, clientNotFound(c.ClientID)); err != nil {
		return nil, err
	}
	digits, err := currencyDigits(ctx, tx, c.Currency)
	if err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	if v.Check(p.Amount.Currency() == c.Currency, "amount", "ledger.currency_mismatch",
		fmt.Sprintf("must be in the client's currency, %s", c.Currency)) {
		v.Check(p.Amount.Amount().Round(digits).Equal(p.Amount.Amount()), "amount", "ledger.too_many_decimals",
			fmt.Sprintf("must have at most %d decimals for %s", digits, c.Currency))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	delta := p.Amount.Amount().Round(digits)
	var floor *decimal.Decimal
	if delta.IsNegative() && !p.AllowBelowLimit {
		f := c.CreditLimit.Neg()
		floor = &f
	}
	now := s.now()
	bal, err := tx.MoveAccountBalance(ctx, c, delta, floor, now)
	if err != nil {
		return nil, err
	}
	amount, err := billkit.NewMoney(delta, c.Currency)
	if err != nil {
		return nil, err
	}
	after, err := billkit.NewMoney(bal.Round(digits), c.Currency)
	if err != nil {
		return nil, err
	}
	e := &LedgerEntry{
		ClientID: c.ClientID, Amount: amount, Kind: p.Kind, CauseType: p.CauseType, CauseID: p.CauseID, Memo: p.Memo,
		Rate: p.Rate, ActorKind: actor.Kind, ActorID: actor.ID, CreatedAt: now, BalanceAfter: after,
	}
	newID(&e.ID)
	if err := tx.InsertLedgerEntry(ctx, e); err != nil {
		return nil, err
	}
	// An expense's own posting is recorded by the expense's action, which
	// names the entry: one action per thing done.
	if _, charge := ctx.Value(expenseChargeKey{}).(*expensePending); !charge {
		if err := record(ctx, tx, actor, now, ObjectLedger, "post", e.ID.String(), c.ClientID, nil, e); err != nil {
			return nil, err
		}
	}
	if err := s.afterPost(ctx, tx, actor, e); err != nil {
		return nil, err
	}
	return e, nil
}

// currencyDigits returns the decimals of a currency's minor unit: ISO 4217's
// for ISO codes (the directory seeds the same), the directory's otherwise.
func currencyDigits(ctx context.Context, tx Store, code string) (int32, error) {
	if d, ok := billkit.CurrencyDigits(code); ok {
		return int32(d), nil
	}
	d, err := tx.CurrencyDigits(ctx, code)
	return int32(d), err
}

// Balance returns the client's balance: zero in its currency before the
// first entry. It needs billing.client:read on the client; customers read
// their own clients' balances.
func (s *Service) Balance(ctx context.Context, actor billkit.Actor, client billkit.ClientID) (billkit.Money, error) {
	if err := actor.Validate(); err != nil {
		return billkit.Money{}, err
	}
	c, err := s.clientFor(ctx, s.store, actor, client, billkit.OpRead)
	if err != nil {
		return billkit.Money{}, err
	}
	b, err := s.store.GetClientBalance(ctx, client)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return billkit.Zero(c.Currency), nil
	}
	if err != nil {
		return billkit.Money{}, err
	}
	digits, err := currencyDigits(ctx, s.store, b.Balance.Currency())
	if err != nil {
		return billkit.Money{}, err
	}
	return billkit.NewMoney(b.Balance.Amount().Round(digits), b.Balance.Currency())
}

// ListEntries lists ledger entries, newest first. With f.ClientID it needs
// billing.client:read on that client (customers: their own clients);
// without, it lists the entries of the clients the actor may read.
func (s *Service) ListEntries(ctx context.Context, actor billkit.Actor, f LedgerFilter) (billkit.Page[LedgerEntry], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[LedgerEntry]{}, err
	}
	var v billkit.FieldErrors
	v.Check(f.Kind == "" || f.Kind.Valid(), "kind", "ledger.kind_unknown", fmt.Sprintf("must be one of %v", LedgerKinds()))
	v.Merge("", f.PageParams.Validate())
	if err := v.Err(); err != nil {
		return billkit.Page[LedgerEntry]{}, err
	}
	f.ClientIDs = nil
	if !f.ClientID.IsZero() {
		if _, err := s.clientFor(ctx, s.store, actor, f.ClientID, billkit.OpRead); err != nil {
			return billkit.Page[LedgerEntry]{}, err
		}
	} else {
		ids, err := listScope(actor, billkit.R(FunctionClient, billkit.OpRead))
		if err != nil {
			return billkit.Page[LedgerEntry]{}, err
		}
		f.ClientIDs = ids
	}
	page, err := s.store.ListLedgerEntries(ctx, f)
	if err != nil {
		return page, err
	}
	// Amounts come back from the database as numbers ("-20"); show them
	// with the currency's digits ("-20.00"), as they were posted.
	digits := map[string]int32{}
	for i := range page.Items {
		e := &page.Items[i]
		cur := e.Amount.Currency()
		d, ok := digits[cur]
		if !ok {
			if d, err = currencyDigits(ctx, s.store, cur); err != nil {
				return billkit.Page[LedgerEntry]{}, err
			}
			digits[cur] = d
		}
		e.Amount = withDigits(e.Amount, d)
		e.BalanceAfter = withDigits(e.BalanceAfter, d)
	}
	return page, nil
}

// withDigits shows m with at least the currency's digits; it never rounds
// away a digit m has.
func withDigits(m billkit.Money, digits int32) billkit.Money {
	if -m.Amount().Exponent() >= digits {
		return m
	}
	out, err := billkit.NewMoney(m.Amount().Round(digits), m.Currency())
	if err != nil {
		return m
	}
	return out
}

// auditPage is how many rows AuditLedger reads at a time.
const auditPage = 500

// AuditLedger checks that every cached balance equals the sum of its
// client's entries, in exact decimals, with the same number of entries, and
// that every client with entries has a cached balance. It returns the
// discrepancies, none when the ledger is sound. It reads the whole ledger:
// run it from a maintenance job, not on a request.
func (s *Service) AuditLedger(ctx context.Context) ([]LedgerDiscrepancy, error) {
	type total struct {
		sum      decimal.Decimal
		n        int64
		currency string
		mixed    bool
	}
	totals := map[billkit.ClientID]*total{}
	var order []billkit.ClientID
	for cursor := ""; ; {
		page, err := s.store.ListLedgerEntries(ctx, LedgerFilter{PageParams: billkit.PageParams{Cursor: cursor, Limit: auditPage}})
		if err != nil {
			return nil, err
		}
		for _, e := range page.Items {
			t := totals[e.ClientID]
			if t == nil {
				t = &total{currency: e.Amount.Currency()}
				totals[e.ClientID] = t
				order = append(order, e.ClientID)
			}
			t.sum = t.sum.Add(e.Amount.Amount())
			t.n++
			t.mixed = t.mixed || e.Amount.Currency() != t.currency
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	var out []LedgerDiscrepancy
	seen := map[billkit.ClientID]bool{}
	for cursor := ""; ; {
		page, err := s.store.ListClientBalances(ctx, ClientBalanceFilter{PageParams: billkit.PageParams{Cursor: cursor, Limit: auditPage}})
		if err != nil {
			return nil, err
		}
		for _, b := range page.Items {
			seen[b.ClientID] = true
			t := totals[b.ClientID]
			if t == nil {
				t = &total{currency: b.Balance.Currency()}
			}
			d := LedgerDiscrepancy{ClientID: b.ClientID, Cached: b.Balance.Amount(), Sum: t.sum, CachedEntries: b.Entries, Entries: t.n}
			switch {
			case t.mixed || t.currency != b.Balance.Currency():
				d.Problem = fmt.Sprintf("entries are not all in the balance's currency %s", b.Balance.Currency())
			case !b.Balance.Amount().Equal(t.sum):
				d.Problem = fmt.Sprintf("cached balance %s differs from the sum of entries %s", b.Balance.Amount(), t.sum)
			case b.Entries != t.n:
				d.Problem = fmt.Sprintf("cached balance counts %d entries, the ledger has %d", b.Entries, t.n)
			default:
				continue
			}
			out = append(out, d)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	for _, id := range order {
		if !seen[id] {
			t := totals[id]
			out = append(out, LedgerDiscrepancy{ClientID: id, Sum: t.sum, Entries: t.n, Problem: "the client has entries but no cached balance"})
		}
	}
	return out, nil
}
