package billing

import (
	"context"
	"sort"
	"time"

	"github.com/billkit/billkit"
)

// Coverage is what one credit gives one debit, net of releases: a payment
// (or another credit) that pays an expense, or a part of one.
type Coverage struct {
	// ExpenseID is the expense paid; zero when the debit is not an expense.
	ExpenseID    ExpenseID     `json:"expense_id,omitzero"`
	DebitEntryID LedgerEntryID `json:"debit_entry_id"`
	// CreditEntryID is the credit that pays; PaymentID its payment, when
	// the credit is one's.
	CreditEntryID LedgerEntryID `json:"credit_entry_id"`
	PaymentID     PaymentID     `json:"payment_id,omitzero"`
	// Amount is what the credit gives the debit now, positive.
	Amount billkit.Money `json:"amount"`
	// Since is when the credit first paid the debit.
	Since time.Time `json:"since"`
}

// ExpensePayments lists what covers an expense: per credit (with its
// payment's ID when it is a payment's), what it gives now, oldest credit
// first. The amounts add up to the expense's Covered. It needs
// billing.expense:read on the expense's client; customers read their own
// clients' and get expense.not_found for others'.
func (s *Service) ExpensePayments(ctx context.Context, actor billkit.Actor, id ExpenseID) ([]Coverage, error) {
	x, err := s.GetExpense(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.coverages(ctx, AllocationFilter{ExpenseID: x.ID})
}

// CreditAllocations lists what a payment's money pays: per debit (an
// expense, or a debit that is not one), what it gives now, oldest debit
// first. A payment that paid nothing yet (its money waits on the balance)
// or that the actor may not see lists nothing. It needs
// billing.expense:read; customers see their own clients' allocations.
func (s *Service) CreditAllocations(ctx context.Context, actor billkit.Actor, payment PaymentID) ([]Coverage, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if payment.IsZero() {
		return nil, billkit.InvalidField("payment_id", "required", "is required")
	}
	ids, err := listScope(actor, billkit.R(FunctionExpense, billkit.OpRead))
	if err != nil {
		return nil, err
	}
	if ids != nil && len(ids) == 0 {
		return []Coverage{}, nil
	}
	return s.coverages(ctx, AllocationFilter{PaymentID: payment, ClientIDs: ids})
}

// coverages returns the net allocations f selects, oldest credit first,
// then oldest debit.
func (s *Service) coverages(ctx context.Context, f AllocationFilter) ([]Coverage, error) {
	nets, err := expenseNets(ctx, s.store, f)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(nets, func(i, j int) bool {
		if nets[i].credit != nets[j].credit {
			return nets[i].credit.String() < nets[j].credit.String()
		}
		return nets[i].debit.String() < nets[j].debit.String()
	})
	out := make([]Coverage, 0, len(nets))
	digits := map[string]int32{}
	for _, n := range nets {
		e, err := s.store.GetLedgerEntry(ctx, n.credit)
		if err != nil {
			return nil, err
		}
		cur := e.Amount.Currency()
		d, ok := digits[cur]
		if !ok {
			if d, err = currencyDigits(ctx, s.store, cur); err != nil {
				return nil, err
			}
			digits[cur] = d
		}
		out = append(out, Coverage{
			ExpenseID: n.expense, DebitEntryID: n.debit, CreditEntryID: n.credit, PaymentID: n.payment,
			Amount: withDigits(moneyLike(e.Amount, n.amount), d), Since: n.since,
		})
	}
	return out, nil
}

// ListAllocations lists allocations as they were made, releases included,
// in creation order. With f.ClientID it needs billing.expense:read on that
// client (customers: their own clients); without, it lists the
// allocations of the clients the actor may read.
func (s *Service) ListAllocations(ctx context.Context, actor billkit.Actor, f AllocationFilter) (billkit.Page[Allocation], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Allocation]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Allocation]{}, err
	}
	f.ClientIDs = nil
	if !f.ClientID.IsZero() {
		if _, err := s.expenseClient(ctx, s.store, actor, f.ClientID, billkit.OpRead); err != nil {
			return billkit.Page[Allocation]{}, err
		}
	} else {
		ids, err := listScope(actor, billkit.R(FunctionExpense, billkit.OpRead))
		if err != nil {
			return billkit.Page[Allocation]{}, err
		}
		if ids != nil && len(ids) == 0 {
			return billkit.Page[Allocation]{Items: []Allocation{}}, nil
		}
		f.ClientIDs = ids
	}
	return s.store.ListAllocations(ctx, f)
}
