package billing

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// CreditNoteParams says what a credit note credits: every line's remainder
// (All), or the lines listed.
type CreditNoteParams struct {
	All   bool             `json:"all,omitempty"`
	Lines []CreditNoteLine `json:"lines,omitempty"`
	Memo  string           `json:"memo,omitempty"`
}

// CreditNoteLine credits one line of an invoice.
type CreditNoteLine struct {
	// Position is the credited line's position on the invoice.
	Position int `json:"position"`
	// Amount is how much of the line's Amount (its net, or its gross when
	// its taxes are inclusive) is credited, positive, at most what earlier
	// credit notes left of it. The zero Money credits all that is left.
	Amount billkit.Money `json:"amount"`
}

// CreateCreditNote corrects an issued invoice with a credit note, in one
// transaction. It needs billing.invoice:create on the client.
//
// The credit note is numbered from the company's credit_note series and
// carries the invoice's frozen seller, buyer and tax decision; its lines are
// the negatives of what it credits, taxed with the invoice's rates and
// rounding (CalculateTaxes), so crediting a whole invoice mirrors it to the
// cent. Crediting more of a line than the invoice's earlier credit notes
// left is invalid creditnote.exceeds, naming the line. Only an issued,
// partly paid, overdue or paid invoice (not a proforma) is credited
// (failed_precondition creditnote.not_creditable).
//
// The money: what the invoice had put on the ledger for the credited lines
// (lines billing an existing expense, and lines charged when it was paid)
// goes back to the client's balance, as an adjustment with cause
// "credit_note"; the rest was never charged and simply stops being due.
// The invoice's Credited grows by the credit note's gross. An invoice
// credited in full becomes credited (nothing is due, like a void one); a
// partly paid one whose payments now cover what is due becomes paid, and
// its remaining lines are charged.
func (s *Service) CreateCreditNote(ctx context.Context, actor billkit.Actor, invoice InvoiceID, p CreditNoteParams) (*Invoice, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	memo := text(&v, "memo", p.Memo, 2000, false)
	if p.All {
		v.Check(len(p.Lines) == 0, "lines", "creditnote.all_and_lines", "must be empty when all is set")
	} else {
		v.Check(len(p.Lines) > 0, "lines", "required", "list the lines to credit, or set all")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	orig, err := s.store.GetInvoice(ctx, invoice)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionInvoice, billkit.OpCreate), orig.ClientID, invoiceNotFound(invoice)); err != nil {
		return nil, err
	}
	var out *Invoice
	err = s.store.InTx(ctx, func(tx Store) error {
		orig, err := tx.LockInvoice(ctx, invoice)
		if err != nil {
			return err
		}
		switch {
		case orig.Type != InvoiceFinal:
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonCreditNoteNotCreditable,
				"%s %s is a %s: only invoices are credited (void a proforma)", orig.Type, invoiceLabel(orig), orig.Type)
		case orig.Status != InvoiceIssued && orig.Status != InvoicePartlyPaid && orig.Status != InvoiceOverdue && orig.Status != InvoicePaid:
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonCreditNoteNotCreditable,
				"invoice %s is %s: only an issued invoice is credited", invoiceLabel(orig), orig.Status)
		}
		digits, err := currencyDigits(ctx, tx, orig.Currency)
		if err != nil {
			return err
		}
		credits, err := lineCredits(ctx, tx, orig)
		if err != nil {
			return err
		}
		lines, err := creditLines(orig, credits, p, digits)
		if err != nil {
			return err
		}
		c, err := tx.GetClient(ctx, orig.ClientID)
		if err != nil {
			return err
		}
		pr, err := tx.GetProvider(ctx, c.ProviderID)
		if err != nil {
			return err
		}
		now := s.now()
		cn := &Invoice{
			Type: InvoiceCreditNote, CompanyID: orig.CompanyID, ClientID: orig.ClientID, PayerID: orig.PayerID,
			Currency: orig.Currency, Status: InvoiceIssued, Lines: lines,
			Seller: orig.Seller, Buyer: orig.Buyer, TaxDecision: orig.TaxDecision,
			Paid: zeroIn(orig.Currency, digits), Credited: zeroIn(orig.Currency, digits),
			CreditsInvoiceID: orig.ID, CreditsInvoiceNumber: orig.Number,
			Locale: orig.Locale, Memo: memo, IssuedAt: now, CreatedAt: now, UpdatedAt: now,
		}
		newID(&cn.ID)
		cn.IssueDate = pr.Today(now)
		rounding := TaxRoundPerLine
		if orig.TaxDecision != nil && orig.TaxDecision.Rounding != "" {
			rounding = orig.TaxDecision.Rounding
		}
		if err := applyTaxes(cn, rounding, digits); err != nil {
			return err
		}
		if err := numberInvoice(ctx, tx, cn); err != nil {
			return err
		}
		if err := tx.InsertInvoice(ctx, cn); err != nil {
			return err
		}
		if err := record(ctx, tx, actor, now, FunctionInvoice, "credit_note", cn.ID.String(), cn.ClientID, nil, cn); err != nil {
			return err
		}

		// What the credited lines had put on the ledger goes back.
		refund := decimal.Zero
		for _, l := range cn.Lines {
			if orig.Lines[l.CreditsPosition-1].charged() {
				refund = refund.Sub(l.Gross.Amount())
			}
		}
		if refund.IsPositive() {
			amount, err := billkit.NewMoney(refund.Round(digits), orig.Currency)
			if err != nil {
				return err
			}
			if _, err := s.PostTx(ctx, tx, mover(actor, orig.ClientID), PostParams{
				ClientID: orig.ClientID, Amount: amount, Kind: LedgerAdjustment, CauseType: "credit_note", CauseID: cn.ID.String(),
				Memo: fmt.Sprintf("Credit note %s for invoice %s", cn.Number, orig.Number),
			}); err != nil {
				return err
			}
		}
		before := *orig
		if orig.Credited, err = orig.Credited.Sub(cn.Totals.Gross); err != nil {
			return err
		}
		switch {
		case !orig.Credited.Amount().LessThan(orig.Totals.Gross.Amount()):
			orig.Status = InvoiceCredited
		case orig.Status != InvoicePaid && orig.Paid.IsPositive() && !orig.Paid.Amount().LessThan(orig.Due().Amount()):
			if err := s.settleInvoice(ctx, tx, actor, orig, true); err != nil {
				return err
			}
		}
		orig.UpdatedAt = now
		if err := tx.UpdateInvoiceState(ctx, orig); err != nil {
			return err
		}
		out = cn
		return record(ctx, tx, actor, now, FunctionInvoice, "credit", orig.ID.String(), orig.ClientID, &before, orig)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// creditLines builds the lines of a credit note of orig, whose lines
// earlier credit notes credited as credits says.
func creditLines(orig *Invoice, credits map[int]lineCredit, p CreditNoteParams, digits int32) ([]InvoiceLine, error) {
	type want struct {
		field    string
		position int
		amount   billkit.Money
	}
	var wants []want
	if p.All {
		for _, l := range orig.Lines {
			wants = append(wants, want{field: "all", position: l.Position})
		}
	} else {
		for i, cl := range p.Lines {
			wants = append(wants, want{field: fmt.Sprintf("lines[%d]", i), position: cl.Position, amount: cl.Amount})
		}
	}
	var (
		v    billkit.FieldErrors
		out  []InvoiceLine
		seen []int
	)
	for _, w := range wants {
		if !v.Check(w.position >= 1 && w.position <= len(orig.Lines), w.field+".position", "creditnote.position_unknown",
			fmt.Sprintf("must be the position of a line of the invoice, 1 to %d", len(orig.Lines))) {
			continue
		}
		if !v.Check(!slices.Contains(seen, w.position), w.field+".position", "creditnote.position_duplicate", "credits a line listed before") {
			continue
		}
		seen = append(seen, w.position)
		l := orig.Lines[w.position-1]
		left := l.Amount.Amount().Sub(credits[l.Position].amount)
		amount := left
		if w.amount.Currency() != "" {
			ok := v.Check(w.amount.Currency() == orig.Currency, w.field+".amount", "invoice.currency_mismatch",
				fmt.Sprintf("must be in the invoice's currency, %s", orig.Currency)) &&
				v.Check(w.amount.IsPositive(), w.field+".amount", "creditnote.amount_not_positive", "must be more than zero") &&
				v.Check(w.amount.Amount().Round(digits).Equal(w.amount.Amount()), w.field+".amount", "invoice.too_many_decimals",
					fmt.Sprintf("must have at most %d decimals", digits))
			if !ok {
				continue
			}
			amount = w.amount.Amount()
		}
		if p.All && !left.IsPositive() {
			continue // nothing left of this line
		}
		field := w.field + ".amount"
		if p.All {
			field = "all"
		}
		if !v.Check(left.IsPositive() && amount.LessThanOrEqual(left), field, ReasonCreditNoteExceeds,
			fmt.Sprintf("line %d has %s %s left to credit", l.Position, left.StringFixed(digits), orig.Currency)) {
			continue
		}
		cl := InvoiceLine{
			Position: len(out) + 1, Description: creditDescription(l.Description), ProductType: l.ProductType,
			AppliedTaxes: slices.Clone(l.AppliedTaxes), CreditsPosition: l.Position,
			Quantity: decimal.NewFromInt(1),
		}
		m, err := billkit.NewMoney(amount.Neg().Round(digits), orig.Currency)
		if err != nil {
			return nil, err
		}
		cl.UnitPrice, cl.Amount = m, m
		if amount.Equal(l.Amount.Amount()) {
			// The whole line: the same quantity at the opposite price.
			cl.Quantity, cl.UnitPrice = l.Quantity, l.UnitPrice.Neg()
		}
		out = append(out, cl)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, billkit.InvalidField("all", ReasonCreditNoteExceeds, "the invoice has nothing left to credit")
	}
	return out, nil
}

// creditDescription is a credit note line's description.
func creditDescription(d string) string {
	if strings.HasPrefix(d, "Credit: ") {
		return d
	}
	return "Credit: " + d
}

// ReceiptParams issues a receipt for a top-up.
type ReceiptParams struct {
	// CompanyID is the company that received the money (the payment
	// method's); it must serve the client's provider.
	CompanyID CompanyID        `json:"company_id"`
	ClientID  billkit.ClientID `json:"client_id"`
	PaymentID PaymentID        `json:"payment_id"`
	// Amount is what the payment credited, in the client's currency; any
	// tax that applies is included in it.
	Amount billkit.Money `json:"amount"`
	// Description defaults to "Top-up".
	Description string `json:"description,omitempty"`
}

// IssueReceiptTx issues, in the caller's transaction, a receipt for a
// top-up (a payment without an invoice) that became paid: a document from
// the company's receipt series, to the client's default payer, with one
// line of the amount received, taxed as DecideTax says for no product type
// with the taxes included in the amount, and paid at once. It moves no
// money: the payment already put it on the balance. Payments call it; it
// needs billing.invoice:create on the client.
func (s *Service) IssueReceiptTx(ctx context.Context, tx Store, actor billkit.Actor, p ReceiptParams) (*Invoice, error) {
	if tx == nil {
		return nil, billkit.InvalidField("tx", "required", "is required")
	}
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!p.CompanyID.IsZero(), "company_id", "required", "is required")
	v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required")
	v.Check(!p.PaymentID.IsZero(), "payment_id", "required", "is required")
	if p.Description == "" {
		p.Description = "Top-up"
	}
	desc := text(&v, "description", p.Description, 1000, true)
	if v.Check(p.Amount.Currency() != "", "amount", "required", "is required") {
		v.Check(p.Amount.IsPositive(), "amount", "invoice.payment_not_positive", "must be positive")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if _, err := tx.GetClient(ctx, p.ClientID); err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionInvoice, billkit.OpCreate), p.ClientID, clientNotFound(p.ClientID)); err != nil {
		return nil, err
	}
	var out *Invoice
	err := tx.InTx(ctx, func(tx Store) error {
		c, err := liveClient(ctx, tx, p.ClientID)
		if err != nil {
			return err
		}
		digits, err := currencyDigits(ctx, tx, c.Currency)
		if err != nil {
			return err
		}
		if p.Amount.Currency() != c.Currency || !p.Amount.Amount().Round(digits).Equal(p.Amount.Amount()) {
			return billkit.InvalidField("amount", "invoice.currency_mismatch",
				fmt.Sprintf("must be in the client's currency, %s, with at most %d decimals", c.Currency, digits))
		}
		amount := p.Amount.RoundTo(digits, billkit.RoundHalfUp)
		now := s.now()
		inv := &Invoice{
			Type: InvoiceReceipt, CompanyID: p.CompanyID, ClientID: c.ID, Currency: c.Currency, Status: InvoiceDraft,
			Lines:     []InvoiceLine{{Position: 1, Description: desc, Quantity: decimal.NewFromInt(1), UnitPrice: amount, Amount: amount}},
			PaymentID: p.PaymentID, Locale: c.Locale, CreatedAt: now, UpdatedAt: now,
		}
		newID(&inv.ID)
		if err := s.issue(ctx, tx, inv); err != nil {
			return err
		}
		inv.Status, inv.Paid, inv.PaidAt = InvoicePaid, inv.Totals.Gross, now
		if err := tx.InsertInvoice(ctx, inv); err != nil {
			return err
		}
		out = inv
		return record(ctx, tx, actor, now, FunctionInvoice, "receipt", inv.ID.String(), c.ID, nil, inv)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
