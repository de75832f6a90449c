package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// lineCredit is what credit notes credited of one line of an invoice, as
// positive amounts: of its Amount, and of its gross.
type lineCredit struct {
	amount, gross decimal.Decimal
}

// lineCredits sums, in tx, the credit notes of inv per credited line.
func lineCredits(ctx context.Context, tx Store, inv *Invoice) (map[int]lineCredit, error) {
	out := map[int]lineCredit{}
	if inv.Type != InvoiceFinal {
		return out, nil
	}
	for cursor := ""; ; {
		page, err := tx.ListInvoices(ctx, InvoiceFilter{CreditsInvoiceID: inv.ID, Type: InvoiceCreditNote,
			PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for _, cn := range page.Items {
			for _, l := range cn.Lines {
				c := out[l.CreditsPosition]
				c.amount = c.amount.Sub(l.Amount.Amount())
				c.gross = c.gross.Sub(l.Gross.Amount())
				out[l.CreditsPosition] = c
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			return out, nil
		}
	}
}

// settleInvoice marks inv paid, in tx, and charges to the client's balance
// its lines that are not on the ledger yet (those that do not bill an
// existing expense), less what credit notes took off them. Advance lines
// are not charged: the order or the renewal they ask money for charges it
// from the balance. The caller writes inv.
func (s *Service) settleInvoice(ctx context.Context, tx Store, actor billkit.Actor, inv *Invoice, allowBelowLimit bool) error {
	credits, err := lineCredits(ctx, tx, inv)
	if err != nil {
		return err
	}
	for i := range inv.Lines {
		l := &inv.Lines[i]
		if l.charged() || l.Advance {
			continue
		}
		left := l.Gross.Amount().Sub(credits[l.Position].gross)
		if !left.IsPositive() {
			continue
		}
		amount, err := billkit.NewMoney(left, inv.Currency)
		if err != nil {
			return err
		}
		e, err := s.ChargeTx(ctx, tx, mover(actor, inv.ClientID), ChargeParams{
			ClientID: inv.ClientID, Kind: ExpenseInvoice, Amount: amount,
			Description: fmt.Sprintf("%s, line %d: %s", invoiceLabel(inv), l.Position, l.Description),
			CauseType:   "invoice_line", CauseID: fmt.Sprintf("%s:%d", inv.ID, l.Position),
			AllowBelowLimit: allowBelowLimit,
		})
		if err != nil {
			return err
		}
		if e != nil {
			l.ChargeExpenseID = e.ID
		}
	}
	inv.Status, inv.PaidAt = InvoicePaid, s.now()
	return nil
}

// PayInvoiceFromBalance pays an issued, partly paid or overdue invoice or
// proforma from the client's balance, in one transaction. It needs
// billing.invoice:read and billing.payment:create on the client (paying is
// a payment), so customers who may pay may do it for their own clients.
//
// Paying from the balance settles the document against the client's
// account. Its lines that are not on the ledger yet are charged now, under
// the client's normal credit limit: when the balance cannot take them the
// error is failed_precondition billing.insufficient_funds and nothing
// changes. Lines that bill an existing expense move no money: that expense
// is already a debt on the ledger (charged under the same credit limit),
// and the money on the balance settles it, oldest debt first, as money
// arrives. So a document that only bills existing expenses is marked paid
// without any posting. Paid becomes Due when it was less: the rest came
// from the balance.
//
// A proforma with advance lines is refused (failed_precondition
// ReasonInvoiceAdvance): it asks for money to reach the balance, which the
// order or the renewal it is for then charges; with the money on the
// balance already, that order (provisioning's PayOrder) or renewal is paid
// from it directly.
func (s *Service) PayInvoiceFromBalance(ctx context.Context, actor billkit.Actor, id InvoiceID) (*Invoice, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	inv, err := s.invoiceFor(ctx, s.store, actor, id, billkit.OpRead)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionPayment, billkit.OpCreate), inv.ClientID, invoiceNotFound(id)); err != nil {
		return nil, err
	}
	var out *Invoice
	err = s.store.InTx(ctx, func(tx Store) error {
		inv, err := tx.LockInvoice(ctx, id)
		if err != nil {
			return err
		}
		if inv.Type != InvoiceFinal && inv.Type != InvoiceProforma || inv.Status == InvoicePaid || !inv.Status.payable() {
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonInvoiceNotPayable,
				"%s %s is %s: there is nothing to pay", inv.Type, invoiceLabel(inv), inv.Status)
		}
		if inv.advance() {
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonInvoiceAdvance,
				"%s %s asks in advance for money to reach the balance: pay what it is for from the balance instead", inv.Type, invoiceLabel(inv))
		}
		before := *inv
		if err := s.settleInvoice(ctx, tx, actor, inv, false); err != nil {
			return err
		}
		if inv.Paid.Amount().LessThan(inv.Due().Amount()) {
			inv.Paid = inv.Due()
		}
		inv.UpdatedAt = inv.PaidAt
		if err := tx.UpdateInvoiceState(ctx, inv); err != nil {
			return err
		}
		out = inv
		return record(ctx, tx, actor, inv.PaidAt, FunctionInvoice, "pay_from_balance", inv.ID.String(), inv.ClientID, &before, inv)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// VoidInvoice voids an issued (or overdue) document on which nothing was
// paid or credited: it stays, with its number, but asks for nothing. It
// needs billing.invoice:edit on the client. Anything else is
// failed_precondition invoice.not_voidable: a draft is deleted, and a paid
// or partly paid invoice is corrected by a credit note. Lines that bill an
// existing expense leave it a debt on the ledger, which another document
// may bill.
func (s *Service) VoidInvoice(ctx context.Context, actor billkit.Actor, id InvoiceID) (*Invoice, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.invoiceFor(ctx, s.store, actor, id, billkit.OpEdit); err != nil {
		return nil, err
	}
	var out *Invoice
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		out, err = s.void(ctx, tx, actor, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// VoidInvoiceTx is VoidInvoice in the caller's transaction, in a
// savepoint: a refusal leaves tx as it was. Provisioning voids the
// proforma of an order paid another way, or cancelled, with it.
func (s *Service) VoidInvoiceTx(ctx context.Context, tx Store, actor billkit.Actor, id InvoiceID) (*Invoice, error) {
	if tx == nil {
		return nil, billkit.InvalidField("tx", "required", "is required")
	}
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var out *Invoice
	err := tx.InTx(ctx, func(tx Store) error {
		if _, err := s.invoiceFor(ctx, tx, actor, id, billkit.OpEdit); err != nil {
			return err
		}
		var err error
		out, err = s.void(ctx, tx, actor, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// void voids the document id in tx, when it may be, and records it.
func (s *Service) void(ctx context.Context, tx Store, actor billkit.Actor, id InvoiceID) (*Invoice, error) {
	inv, err := tx.LockInvoice(ctx, id)
	if err != nil {
		return nil, err
	}
	if inv.Type != InvoiceFinal && inv.Type != InvoiceProforma ||
		inv.Status != InvoiceIssued && inv.Status != InvoiceOverdue || !inv.Paid.IsZero() || !inv.Credited.IsZero() {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonInvoiceNotVoidable,
			"%s %s is %s with %s paid: only an issued, unpaid document is voided", inv.Type, invoiceLabel(inv), inv.Status, inv.Paid)
	}
	before := *inv
	now := s.now()
	inv.Status, inv.VoidedAt, inv.UpdatedAt = InvoiceVoid, now, now
	if err := tx.UpdateInvoiceState(ctx, inv); err != nil {
		return nil, err
	}
	return inv, record(ctx, tx, actor, now, FunctionInvoice, "void", inv.ID.String(), inv.ClientID, &before, inv)
}

// MarkOverdueInvoices marks overdue, in one transaction, the issued and
// partly paid documents whose due date has passed on the day of now in
// their client's provider's time zone (a zero now is the service's clock),
// and returns how many it marked. It needs billing.invoice:edit; the
// scheduler runs it with a system actor. Running it again marks nothing
// new.
func (s *Service) MarkOverdueInvoices(ctx context.Context, actor billkit.Actor, now time.Time) (int, error) {
	if err := actor.Validate(); err != nil {
		return 0, err
	}
	if err := actor.Authorize(billkit.R(FunctionInvoice, billkit.OpEdit)); err != nil {
		return 0, err
	}
	if now.IsZero() {
		now = s.now()
	}
	now = billkit.Instant(now)
	// No time zone is more than 14 hours ahead of UTC: nothing due on or
	// after the day after tomorrow in UTC is overdue anywhere.
	bound := billkit.DateOf(now.UTC()).AddDays(2)
	marked := 0
	err := s.store.InTx(ctx, func(tx Store) error {
		marked = 0
		var due []Invoice
		for cursor := ""; ; {
			page, err := tx.ListInvoices(ctx, InvoiceFilter{Statuses: []InvoiceStatus{InvoiceIssued, InvoicePartlyPaid}, DueBefore: bound,
				PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
			if err != nil {
				return err
			}
			due = append(due, page.Items...)
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		today := map[billkit.ClientID]billkit.Date{}
		for i := range due {
			inv := &due[i]
			d, ok := today[inv.ClientID]
			if !ok {
				c, err := tx.GetClient(ctx, inv.ClientID)
				if err != nil {
					return err
				}
				pr, err := tx.GetProvider(ctx, c.ProviderID)
				if err != nil {
					return err
				}
				d = pr.Today(now)
				today[inv.ClientID] = d
			}
			if !inv.DueDate.Before(d) {
				continue
			}
			locked, err := tx.LockInvoice(ctx, inv.ID)
			if err != nil {
				return err
			}
			if locked.Status != InvoiceIssued && locked.Status != InvoicePartlyPaid {
				continue
			}
			before := *locked
			locked.Status, locked.UpdatedAt = InvoiceOverdue, now
			if err := tx.UpdateInvoiceState(ctx, locked); err != nil {
				return err
			}
			if err := record(ctx, tx, actor, now, FunctionInvoice, "overdue", locked.ID.String(), locked.ClientID, &before, locked); err != nil {
				return err
			}
			marked++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return marked, nil
}
