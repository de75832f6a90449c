package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// RecalculationID identifies a Recalculation.
type RecalculationID = billkit.ID[Recalculation]

// CauseRecalculation is the CauseType of the adjustments a recalculation
// posts; their CauseID is the expense corrected.
const CauseRecalculation = "recalculation"

// The reasons of recalculation errors.
const (
	// ReasonRecalculationStale: what a preview saw changed before it was
	// applied (another recalculation corrected the same expenses); preview
	// again.
	ReasonRecalculationStale = "recalculation.stale"
	// ReasonRecalculationPrice: a Repricer returned an amount that cannot
	// be an expense's price (another currency, too many decimals,
	// negative).
	ReasonRecalculationPrice = "recalculation.price_invalid"
)

// Repricer says what an expense should have cost, for a recalculation.
// Reprice returns the correct amount in the expense's currency, or false
// to leave the expense alone (it cannot say, or the expense is not one it
// prices). It is called outside any transaction, so it may read other
// services (the catalog).
type Repricer interface {
	Reprice(ctx context.Context, x Expense) (billkit.Money, bool, error)
}

// RepricerFunc is a function that is a Repricer.
type RepricerFunc func(ctx context.Context, x Expense) (billkit.Money, bool, error)

// Reprice calls f.
func (f RepricerFunc) Reprice(ctx context.Context, x Expense) (billkit.Money, bool, error) {
	return f(ctx, x)
}

// RecalcParams asks to recompute a client's expenses from a date.
type RecalcParams struct {
	ClientID billkit.ClientID `json:"client_id"`
	// From is the first date recomputed: expenses whose period starts on or
	// after it, or, without a period, charged on or after it (in the
	// provider's time zone).
	From billkit.Date `json:"from"`
	// Repricer prices the expenses again; nil is Service.CatalogRepricer.
	Repricer Repricer `json:"-"`
	// Memo says why, for the adjustments and the action log.
	Memo string `json:"memo,omitempty"`
}

// Recalculation is a recomputation of a client's expenses: for each
// expense, what was charged, what earlier recalculations already adjusted,
// what is correct, and the difference still to post. A preview
// (PreviewRecalculation) is not stored; applying it (ApplyRecalculation)
// posts the differences as adjustments and stores it. Expenses are never
// edited: the ledger keeps what was charged and what corrected it.
type Recalculation struct {
	ID       RecalculationID  `json:"id"`
	ClientID billkit.ClientID `json:"client_id"`
	From     billkit.Date     `json:"from"`
	Memo     string           `json:"memo,omitempty"`
	Lines    []RecalcLine     `json:"lines"`
	// Total is the sum of the lines' differences: positive when the
	// client was undercharged and owes more, negative when it gets money
	// back.
	Total billkit.Money `json:"total"`
	// Applied is true once the differences are posted.
	Applied   bool              `json:"applied"`
	ActorKind billkit.ActorKind `json:"actor_kind"`
	ActorID   string            `json:"actor_id"`
	// CreatedAt is when it was previewed, or applied once Applied.
	CreatedAt time.Time `json:"created_at"`
}

// RecalcLine is one expense of a Recalculation.
type RecalcLine struct {
	ExpenseID ExpenseID `json:"expense_id"`
	// Charged is the expense's amount; Adjusted what earlier
	// recalculations already added to it (negative when they gave money
	// back); Correct what it should cost.
	Charged  billkit.Money `json:"charged"`
	Adjusted billkit.Money `json:"adjusted"`
	Correct  billkit.Money `json:"correct"`
	// Difference is Correct - Charged - Adjusted: what this recalculation
	// adds (a debit) or gives back (a credit).
	Difference billkit.Money `json:"difference"`
	// LedgerEntryID is the adjustment posted for a non-zero Difference,
	// once applied.
	LedgerEntryID LedgerEntryID `json:"ledger_entry_id,omitzero"`
}

func (p *RecalcParams) validate() error {
	var v billkit.FieldErrors
	v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required")
	if v.Check(!p.From.IsZero(), "from", "required", "is required") {
		v.Check(p.From.Valid(), "from", "date.out_of_range", "must be a calendar date")
	}
	p.Memo = text(&v, "memo", p.Memo, 1000, false)
	return v.Err()
}

// PreviewRecalculation recomputes a client's expenses from p.From with
// p.Repricer and returns what applying it would post, writing nothing. It
// needs billing.expense:edit on the client. Without a Repricer and without
// Config.Catalog it fails with failed_precondition billing.catalog_missing;
// an amount the Repricer returns in another currency, with too many
// decimals or negative fails with failed_precondition
// recalculation.price_invalid.
func (s *Service) PreviewRecalculation(ctx context.Context, actor billkit.Actor, p RecalcParams) (*Recalculation, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	c, err := s.expenseClient(ctx, s.store, actor, p.ClientID, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	repricer := p.Repricer
	if repricer == nil {
		if s.cfg.Catalog == nil {
			return nil, recalcCatalogMissing()
		}
		repricer = s.CatalogRepricer()
	}
	pr, err := s.store.GetProvider(ctx, c.ProviderID)
	if err != nil {
		return nil, err
	}
	digits, err := currencyDigits(ctx, s.store, c.Currency)
	if err != nil {
		return nil, err
	}
	adjusted, err := recalcAdjusted(ctx, s.store, c.ID)
	if err != nil {
		return nil, err
	}
	r := &Recalculation{ClientID: c.ID, From: p.From, Memo: p.Memo, Lines: []RecalcLine{}, ActorKind: actor.Kind, ActorID: actor.ID, CreatedAt: s.now()}
	newID(&r.ID)
	for cursor := ""; ; {
		page, err := s.store.ListExpenses(ctx, ExpenseFilter{ClientID: c.ID, PageParams: billkit.PageParams{Cursor: cursor, Limit: billkit.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		for _, x := range page.Items {
			on := x.PeriodStart
			if on.IsZero() {
				on = pr.Today(x.CreatedAt)
			}
			if on.Before(p.From) {
				continue
			}
			x.Amount, x.Covered = withDigits(x.Amount, digits), withDigits(x.Covered, digits)
			correct, ok, err := repricer.Reprice(ctx, x)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if problem := priceProblem(x, correct, digits); problem != "" {
				return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonRecalculationPrice, "%s", problem)
			}
			line, err := recalcLine(x, adjusted[x.ID], withDigits(correct, digits), digits)
			if err != nil {
				return nil, err
			}
			r.Lines = append(r.Lines, line)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if r.Total, err = recalcTotal(r.Lines, c.Currency, digits); err != nil {
		return nil, err
	}
	return r, nil
}

// recalcCatalogMissing is the error of a recalculation that needs the
// catalog when the Service has none.
func recalcCatalogMissing() error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, "billing.catalog_missing", "billing has no catalog (Config.Catalog) to price from")
}

// priceProblem says what is wrong with an amount a Repricer returned for
// x, "" when nothing is.
func priceProblem(x Expense, m billkit.Money, digits int32) string {
	switch {
	case m.Currency() != x.Amount.Currency():
		return fmt.Sprintf("the price of expense %s is in %q, not the expense's %s", x.ID, m.Currency(), x.Amount.Currency())
	case m.IsNegative():
		return fmt.Sprintf("the price of expense %s is negative (%s)", x.ID, m)
	case !m.Amount().Round(digits).Equal(m.Amount()):
		return fmt.Sprintf("the price of expense %s, %s, has more than %d decimals", x.ID, m, digits)
	}
	return ""
}

// recalcLine computes the line of x: Correct - Charged - Adjusted.
func recalcLine(x Expense, adjusted decimal.Decimal, correct billkit.Money, digits int32) (RecalcLine, error) {
	cur := x.Amount.Currency()
	adj, err := billkit.NewMoney(adjusted, cur)
	if err != nil {
		return RecalcLine{}, err
	}
	diff, err := billkit.NewMoney(correct.Amount().Sub(x.Amount.Amount()).Sub(adjusted), cur)
	if err != nil {
		return RecalcLine{}, err
	}
	return RecalcLine{
		ExpenseID: x.ID, Charged: withDigits(x.Amount, digits), Adjusted: withDigits(adj, digits),
		Correct: withDigits(correct, digits), Difference: withDigits(diff, digits),
	}, nil
}

func recalcTotal(lines []RecalcLine, cur string, digits int32) (billkit.Money, error) {
	total := decimal.Zero
	for _, l := range lines {
		total = total.Add(l.Difference.Amount())
	}
	m, err := billkit.NewMoney(total, cur)
	if err != nil {
		return billkit.Money{}, err
	}
	return withDigits(m, digits), nil
}

// recalcAdjusted sums, per expense, the differences the client's applied
// recalculations posted.
func recalcAdjusted(ctx context.Context, store Store, client billkit.ClientID) (map[ExpenseID]decimal.Decimal, error) {
	out := map[ExpenseID]decimal.Decimal{}
	for cursor := ""; ; {
		page, err := store.ListRecalculations(ctx, RecalculationFilter{ClientID: client, PageParams: billkit.PageParams{Cursor: cursor, Limit: billkit.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		for _, r := range page.Items {
			for _, l := range r.Lines {
				out[l.ExpenseID] = out[l.ExpenseID].Add(l.Difference.Amount())
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	return out, nil
}

// ApplyRecalculation applies a preview in one transaction: for each line
// with a non-zero difference it posts one LedgerAdjustment (a credit when
// the client was overcharged, a debit when undercharged; CauseType
// CauseRecalculation, CauseID the expense), then stores the recalculation
// and its lines and records the action "billing.expense.recalculate". The
// debits may take the balance below the credit limit: they correct charges
// the client already had, which a limit must not leave half corrected.
// Money then moves as for any posting: a credit pays the oldest debts, a
// debit is covered by unallocated money or becomes debt.
//
// It is idempotent by the preview's ID: applying a recalculation that is
// already applied changes nothing and returns the stored one. Before
// posting it checks that the lines still hold (the expenses are the
// client's, the earlier adjustments the same); otherwise failed_precondition
// recalculation.stale, and nothing is written. It needs
// billing.expense:edit on the client (the adjustments it posts need no
// other right).
func (s *Service) ApplyRecalculation(ctx context.Context, actor billkit.Actor, preview *Recalculation) (*Recalculation, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if preview == nil {
		return nil, billkit.InvalidField("recalculation", "required", "is required")
	}
	var v billkit.FieldErrors
	v.Check(!preview.ID.IsZero(), "id", "required", "is required")
	v.Check(!preview.ClientID.IsZero(), "client_id", "required", "is required")
	seen := map[ExpenseID]bool{}
	for i, l := range preview.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		if v.Check(!l.ExpenseID.IsZero(), field+".expense_id", "required", "is required") {
			v.Check(!seen[l.ExpenseID], field+".expense_id", "recalculation.expense_duplicate", "names an expense another line names")
			seen[l.ExpenseID] = true
		}
		v.Check(l.Correct.Currency() != "", field+".correct", "required", "is required")
	}
	preview.Memo = text(&v, "memo", preview.Memo, 1000, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, err := s.expenseClient(ctx, s.store, actor, preview.ClientID, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	digits, err := currencyDigits(ctx, s.store, c.Currency)
	if err != nil {
		return nil, err
	}
	var out *Recalculation
	err = s.store.InTx(ctx, func(tx Store) error {
		stored, err := tx.GetRecalculation(ctx, preview.ID)
		switch {
		case err == nil:
			if stored.ClientID != c.ID {
				return billkit.Errorf(billkit.CodeConflict, "recalculation.exists", "recalculation %s is another client's", preview.ID)
			}
			out = stored
			return nil
		case !billkit.IsCode(err, billkit.CodeNotFound):
			return err
		}
		out, err = s.applyRecalc(ctx, tx, actor, c, preview, digits)
		return err
	})
	if billkit.IsCode(err, billkit.CodeConflict) && billkit.ErrorReason(err) == "recalculation.exists" {
		// Applied concurrently with the same ID: return what was applied.
		stored, gerr := s.store.GetRecalculation(ctx, preview.ID)
		if gerr == nil && stored.ClientID == c.ID {
			return s.recalcDigits(ctx, stored)
		}
	}
	if err != nil {
		return nil, err
	}
	return s.recalcDigits(ctx, out)
}

// applyRecalc checks the preview's lines against the store and posts them,
// in tx.
func (s *Service) applyRecalc(ctx context.Context, tx Store, actor billkit.Actor, c *Client, preview *Recalculation, digits int32) (*Recalculation, error) {
	adjusted, err := recalcAdjusted(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &Recalculation{
		ID: preview.ID, ClientID: c.ID, From: preview.From, Memo: preview.Memo, Lines: make([]RecalcLine, 0, len(preview.Lines)),
		Applied: true, ActorKind: actor.Kind, ActorID: actor.ID, CreatedAt: now,
	}
	stale := func(format string, args ...any) error {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonRecalculationStale, format, args...)
	}
	for i, pl := range preview.Lines {
		x, err := tx.GetExpense(ctx, pl.ExpenseID)
		if billkit.IsCode(err, billkit.CodeNotFound) || (err == nil && x.ClientID != c.ID) {
			return nil, billkit.InvalidField(fmt.Sprintf("lines[%d].expense_id", i), "expense.not_found", "is not an expense of the client")
		}
		if err != nil {
			return nil, err
		}
		if problem := priceProblem(*x, pl.Correct, digits); problem != "" {
			return nil, billkit.InvalidField(fmt.Sprintf("lines[%d].correct", i), ReasonRecalculationPrice, problem)
		}
		line, err := recalcLine(*x, adjusted[x.ID], pl.Correct, digits)
		if err != nil {
			return nil, err
		}
		if !line.Charged.Equal(pl.Charged) || !line.Adjusted.Equal(pl.Adjusted) || !line.Difference.Equal(pl.Difference) {
			return nil, stale("expense %s: the preview saw %s charged and %s adjusted (difference %s), now %s, %s (%s)",
				x.ID, pl.Charged, pl.Adjusted, pl.Difference, line.Charged, line.Adjusted, line.Difference)
		}
		if !line.Difference.IsZero() {
			memo := "recalculation " + r.ID.String()
			if r.Memo != "" {
				memo += ": " + r.Memo
			}
			le, err := s.PostTx(ctx, tx, poster(actor, c.ID), PostParams{
				ClientID: c.ID, Amount: line.Difference.Neg(), Kind: LedgerAdjustment,
				CauseType: CauseRecalculation, CauseID: x.ID.String(), Memo: memo, AllowBelowLimit: true,
			})
			if err != nil {
				return nil, err
			}
			line.LedgerEntryID = le.ID
		}
		r.Lines = append(r.Lines, line)
	}
	if r.Total, err = recalcTotal(r.Lines, c.Currency, digits); err != nil {
		return nil, err
	}
	if err := tx.InsertRecalculation(ctx, r); err != nil {
		return nil, err
	}
	if err := record(ctx, tx, actor, now, FunctionExpense, "recalculate", r.ID.String(), c.ID, nil, r); err != nil {
		return nil, err
	}
	return r, nil
}

// recalcDigits shows a recalculation's amounts with their currency's
// digits.
func (s *Service) recalcDigits(ctx context.Context, r *Recalculation) (*Recalculation, error) {
	d, err := currencyDigits(ctx, s.store, r.Total.Currency())
	if err != nil {
		return nil, err
	}
	r.Total = withDigits(r.Total, d)
	for i := range r.Lines {
		l := &r.Lines[i]
		l.Charged, l.Adjusted, l.Correct, l.Difference = withDigits(l.Charged, d), withDigits(l.Adjusted, d), withDigits(l.Correct, d), withDigits(l.Difference, d)
	}
	return r, nil
}

// Recalculate previews and applies a recalculation in one call: for
// programs that need no review step.
func (s *Service) Recalculate(ctx context.Context, actor billkit.Actor, p RecalcParams) (*Recalculation, error) {
	r, err := s.PreviewRecalculation(ctx, actor, p)
	if err != nil {
		return nil, err
	}
	return s.ApplyRecalculation(ctx, actor, r)
}

// GetRecalculation returns an applied recalculation. It needs
// billing.expense:read on its client; customers read their own clients'
// and get recalculation.not_found for others'.
func (s *Service) GetRecalculation(ctx context.Context, actor billkit.Actor, id RecalculationID) (*Recalculation, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	r, err := s.store.GetRecalculation(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionExpense, billkit.OpRead), r.ClientID, billkit.NotFound("recalculation", id)); err != nil {
		return nil, err
	}
	return s.recalcDigits(ctx, r)
}

// ListRecalculations lists a client's applied recalculations, oldest
// first. It needs billing.expense:read on the client (f.ClientID is
// required); customers list their own clients'.
func (s *Service) ListRecalculations(ctx context.Context, actor billkit.Actor, f RecalculationFilter) (billkit.Page[Recalculation], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Recalculation]{}, err
	}
	var v billkit.FieldErrors
	v.Check(!f.ClientID.IsZero(), "client_id", "required", "is required")
	v.Merge("", f.PageParams.Validate())
	if err := v.Err(); err != nil {
		return billkit.Page[Recalculation]{}, err
	}
	if _, err := s.expenseClient(ctx, s.store, actor, f.ClientID, billkit.OpRead); err != nil {
		return billkit.Page[Recalculation]{}, err
	}
	page, err := s.store.ListRecalculations(ctx, f)
	if err != nil {
		return page, err
	}
	for i := range page.Items {
		if _, err := s.recalcDigits(ctx, &page.Items[i]); err != nil {
			return billkit.Page[Recalculation]{}, err
		}
	}
	return page, nil
}
