package api

import (
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/danielgtaylor/huma/v2"
)

type listExpensesInput struct {
	ClientID  string `query:"client_id" maxLength:"64" doc:"Only the expenses of this client."`
	Kind      string `query:"kind" enum:"period,setup,addon,manual,invoice" doc:"Only expenses of this kind."`
	CauseType string `query:"cause_type" maxLength:"64" doc:"Only the expenses of what this names (service, invoice_line, ...)."`
	CauseID   string `query:"cause_id" maxLength:"128" doc:"With cause_type: only the expenses of this object."`
	From      string `query:"from" format:"date-time" doc:"Only expenses charged at or after this instant (RFC 3339)."`
	To        string `query:"to" format:"date-time" doc:"Only expenses charged before this instant (RFC 3339)."`
	OnlyDebt  string `query:"only_debt" enum:"true" doc:"Only the expenses money does not fully cover."`
	PageInput
}

// ExpenseDetail is an expense with what it owes and the money that pays
// it.
type ExpenseDetail struct {
	billing.Expense
	Debt      billkit.Money      `json:"debt" doc:"What no money covers yet: amount less covered."`
	CoveredBy []billing.Coverage `json:"covered_by" doc:"The credits that pay the expense, oldest first; their amounts add up to covered."`
}

// ManualCharge is the body of POST /expenses: a charge staff make by hand.
type ManualCharge struct {
	ClientID    string        `json:"client_id" maxLength:"64" doc:"The client charged."`
	Amount      billkit.Money `json:"amount" doc:"Positive, in the client's currency."`
	Description string        `json:"description" maxLength:"1000"`
	PeriodStart billkit.Date  `json:"period_start,omitzero" doc:"The first day of the period charged, when the charge is for one."`
	PeriodEnd   billkit.Date  `json:"period_end,omitzero" doc:"The day after the period charged."`
	// AllowBelowLimit forces the charge past the client's credit limit.
	AllowBelowLimit bool `json:"allow_below_limit,omitempty" doc:"Let the charge take the balance below minus the client's credit limit."`
}

type chargeInput struct{ Body ManualCharge }

// MonthSplit is an expense split by calendar month.
type MonthSplit struct {
	ExpenseID billing.ExpenseID   `json:"expense_id"`
	Months    []billing.MonthPart `json:"months" doc:"One part per calendar month the period touches; the amounts add up to the expense's."`
}

type recalcPreviewInput struct{ Body billing.RecalcParams }

// RecalculationApproval is the body of POST /recalculations: a preview as
// POST /recalculations/preview answered it. The differences are computed
// again and must be those shown: what is applied is what was reviewed.
type RecalculationApproval struct {
	ID       string               `json:"id" maxLength:"64" doc:"The preview's ID, which makes applying it idempotent."`
	ClientID string               `json:"client_id" maxLength:"64"`
	From     billkit.Date         `json:"from"`
	Memo     string               `json:"memo,omitempty" maxLength:"1000"`
	Lines    []billing.RecalcLine `json:"lines" doc:"The preview's lines."`
	// The preview's other fields are accepted and ignored, so that it can
	// be sent back as it came.
	Total     *billkit.Money    `json:"total,omitempty" doc:"Ignored."`
	Applied   bool              `json:"applied,omitempty" doc:"Ignored."`
	ActorKind billkit.ActorKind `json:"actor_kind,omitempty" doc:"Ignored."`
	ActorID   string            `json:"actor_id,omitempty" doc:"Ignored."`
	CreatedAt string            `json:"created_at,omitempty" doc:"Ignored."`
}

type recalcApplyInput struct{ Body RecalculationApproval }

type listRecalcInput struct {
	IDPath
	PageInput
}

func (h *handlers) registerExpenses(api huma.API) {
	b := h.billing
	const tag = "Expenses"
	rule := func(op billkit.Operation) Rule { return Requires(billing.FunctionExpense, op) }
	onExpense := func(op billkit.Operation) Rule { return rule(op).OnClientOf("id") }

	route(api, op("list-expenses", http.MethodGet, "/expenses", "List expenses, oldest first", tag),
		rule(billkit.OpRead).described("customers see only their clients' expenses"),
		func(ctx context.Context, in *listExpensesInput) (*body[List[billing.Expense]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.Expense], error) {
				f := billing.ExpenseFilter{Kind: billing.ExpenseKind(in.Kind), CauseType: in.CauseType, CauseID: in.CauseID,
					OnlyDebt: in.OnlyDebt == "true", PageParams: in.page()}
				var v billkit.FieldErrors
				var err error
				f.ClientID, err = optClientID("client_id", in.ClientID)
				v.Merge("", err)
				f.From, err = optTime("from", in.From)
				v.Merge("", err)
				f.To, err = optTime("to", in.To)
				v.Merge("", err)
				if err := v.Err(); err != nil {
					return billkit.Page[billing.Expense]{}, err
				}
				return b.ListExpenses(ctx, a, f)
			})
		})
	route(api, op("get-expense", http.MethodGet, "/expenses/{id}", "Get an expense, with the money that covers it", tag), onExpense(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*ExpenseDetail], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.ExpenseID) (*ExpenseDetail, error) {
				x, err := b.GetExpense(ctx, a, id)
				if err != nil {
					return nil, err
				}
				cov, err := b.ExpensePayments(ctx, a, id)
				if err != nil {
					return nil, err
				}
				return &ExpenseDetail{Expense: *x, Debt: x.Debt(), CoveredBy: nonNil(cov)}, nil
			})
		})
	chargeOp := created(op("create-expense", http.MethodPost, "/expenses", "Charge a client by hand", tag, http.StatusNotFound, http.StatusUnprocessableEntity))
	chargeOp.Description = "Debits the balance with a manual expense. Money on the balance covers it at once; what it does not cover is debt, " +
		"which the next money pays, oldest debt first. A charge past the credit limit is refused (422 billing.insufficient_funds) unless allow_below_limit."
	route(api, chargeOp, rule(billkit.OpCreate).described("on the client named in the body; staff only"),
		func(ctx context.Context, in *chargeInput) (*body[*billing.Expense], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Expense, error) {
				if err := staffOnly(a); err != nil {
					return nil, err
				}
				c := in.Body
				client, err := parseClientID("client_id", c.ClientID)
				if err != nil {
					return nil, err
				}
				return b.Charge(ctx, a, billing.ChargeParams{
					ClientID: client, Kind: billing.ExpenseManual, Amount: c.Amount, Description: c.Description,
					PeriodStart: c.PeriodStart, PeriodEnd: c.PeriodEnd, AllowBelowLimit: c.AllowBelowLimit,
				})
			})
		})
	route(api, op("get-client-debt", http.MethodGet, "/clients/{id}/debt", "What a client owes, and for what", tag), onClient(billing.FunctionExpense, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.ClientDebt], error) {
			return withClientID(ctx, in.ID, func(a billkit.Actor, id billkit.ClientID) (*billing.ClientDebt, error) {
				d, err := b.ClientDebt(ctx, a, id)
				if d != nil && d.Debts == nil {
					d.Debts = []billing.Debt{}
				}
				return d, err
			})
		})
	route(api, op("get-expense-months", http.MethodGet, "/expenses/{id}/months", "An expense split by calendar month, for revenue reports", tag, http.StatusUnprocessableEntity),
		onExpense(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[MonthSplit], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.ExpenseID) (MonthSplit, error) {
				x, err := b.GetExpense(ctx, a, id)
				if err != nil {
					return MonthSplit{}, err
				}
				if x.PeriodStart.IsZero() {
					return MonthSplit{}, billkit.Errorf(billkit.CodeFailedPrecondition, "expense.no_period", "expense %s is for no period: it belongs to the day it was charged", id)
				}
				parts, err := billing.SplitByMonth(x.Amount, x.PeriodStart, x.PeriodEnd)
				return MonthSplit{ExpenseID: id, Months: nonNil(parts)}, err
			})
		})

	// Recalculations.
	previewOp := op("preview-recalculation", http.MethodPost, "/recalculations/preview", "What recomputing a client's expenses from a date would post", tag,
		http.StatusNotFound, http.StatusUnprocessableEntity)
	previewOp.Description = "Prices the client's expenses from the date again with the catalog and answers, per expense, what was charged, " +
		"what earlier recalculations adjusted, what is correct, and the difference. Nothing is written: send the answer to POST /recalculations to apply it."
	route(api, previewOp, rule(billkit.OpEdit).described("on the client named in the body"),
		func(ctx context.Context, in *recalcPreviewInput) (*body[*billing.Recalculation], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Recalculation, error) {
				p := in.Body
				p.Repricer = nil
				return b.PreviewRecalculation(ctx, a, p)
			})
		})
	applyOp := created(op("apply-recalculation", http.MethodPost, "/recalculations", "Apply a reviewed recalculation: post its differences as adjustments", tag,
		http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity))
	applyOp.Description = "The body is the preview as POST /recalculations/preview answered it. The differences are computed again; when they are no longer " +
		"those of the preview (the prices or the expenses changed since), nothing is posted and the answer is 422 recalculation.stale: preview again. " +
		"Applying the same preview twice posts once and answers the applied recalculation."
	route(api, applyOp, rule(billkit.OpEdit).described("on the client named in the body"),
		func(ctx context.Context, in *recalcApplyInput) (*body[*billing.Recalculation], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Recalculation, error) { return applyReviewed(ctx, b, a, in.Body) })
		})
	route(api, op("list-client-recalculations", http.MethodGet, "/clients/{id}/recalculations", "List a client's applied recalculations, oldest first", tag),
		onClient(billing.FunctionExpense, billkit.OpRead),
		func(ctx context.Context, in *listRecalcInput) (*body[List[billing.Recalculation]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.Recalculation], error) {
				id, err := parseClientID("id", in.ID)
				if err != nil {
					return billkit.Page[billing.Recalculation]{}, err
				}
				return b.ListRecalculations(ctx, a, billing.RecalculationFilter{ClientID: id, PageParams: in.page()})
			})
		})
	route(api, op("get-recalculation", http.MethodGet, "/recalculations/{id}", "Get an applied recalculation", tag), onExpense(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.Recalculation], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.RecalculationID) (*billing.Recalculation, error) {
				return b.GetRecalculation(ctx, a, id)
			})
		})
}

// applyReviewed applies the recalculation r describes when it is still
// what was reviewed: the service computes it again, and the lines must
// match. A preview applied already answers as applied.
func applyReviewed(ctx context.Context, b *billing.Service, a billkit.Actor, r RecalculationApproval) (*billing.Recalculation, error) {
	var v billkit.FieldErrors
	id, err := parseID[billing.Recalculation]("id", r.ID)
	v.Merge("", err)
	client, err := parseClientID("client_id", r.ClientID)
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return nil, err
	}
	fresh, err := b.PreviewRecalculation(ctx, a, billing.RecalcParams{ClientID: client, From: r.From, Memo: r.Memo})
	if err != nil {
		return nil, err
	}
	if sameLines(fresh.Lines, r.Lines) {
		// Applying is idempotent by the preview's ID.
		fresh.ID = id
		return b.ApplyRecalculation(ctx, a, fresh)
	}
	// Once applied, the differences are posted and a new preview shows
	// none: a repeated call answers what was applied.
	if done, err := b.GetRecalculation(ctx, a, id); err == nil {
		if done.ClientID != client {
			return nil, billkit.Errorf(billkit.CodeConflict, "recalculation.exists", "recalculation %s is another client's", id)
		}
		return done, nil
	}
	return nil, billkit.Errorf(billkit.CodeFailedPrecondition, billing.ReasonRecalculationStale,
		"the expenses or their prices changed since the preview; preview again")
}

// sameLines reports whether two recalculations' lines say the same: the
// same expenses, in the same order, with equal amounts.
func sameLines(a, b []billing.RecalcLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ExpenseID != y.ExpenseID || !x.Charged.Equal(y.Charged) || !x.Adjusted.Equal(y.Adjusted) ||
			!x.Correct.Equal(y.Correct) || !x.Difference.Equal(y.Difference) {
			return false
		}
	}
	return true
}
