package billing

import (
	"context"

	"github.com/billkit/billkit"
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

// Expense is a charge that debited a client's balance.
type Expense struct {
	ID ExpenseID `json:"id"`
}

// ChargeParams charges a client.
type ChargeParams struct {
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
}

// ChargeTx charges a client in the caller's transaction: it posts the
// expense to the ledger and links it to the money that covers it.
func (s *Service) ChargeTx(ctx context.Context, tx Store, actor billkit.Actor, p ChargeParams) (*Expense, error) {
	return nil, billkit.Errorf(billkit.CodeInternal, "expense.not_implemented", "ChargeTx is not implemented yet")
}
