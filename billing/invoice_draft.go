package billing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// InvoiceLineParams is one line of a draft.
type InvoiceLineParams struct {
	Description string `json:"description"`
	// Quantity must be positive, with at most 6 decimals.
	Quantity decimal.Decimal `json:"quantity"`
	// UnitPrice is in the client's currency, zero or more, with at most the
	// currency's digits.
	UnitPrice   billkit.Money `json:"unit_price"`
	ProductType string        `json:"product_type,omitempty"`
	// ExpenseID makes the line bill an existing expense (a debt already on
	// the ledger): paying the document does not charge it again.
	ExpenseID ExpenseID `json:"expense_id,omitzero"`
	// Advance makes a proforma's line ask in advance for money that
	// something else charges later (an order, a renewal): paying the
	// document leaves it on the balance instead of charging the line. Its
	// unit price is that charge's, taxes included. Only on proformas, and
	// never with ExpenseID.
	Advance bool `json:"advance,omitempty"`
}

// CreateInvoiceParams creates a draft.
type CreateInvoiceParams struct {
	// ID, when not zero, is the new document's ID: a caller that records
	// the document elsewhere in the same transaction makes it beforehand
	// (billkit.NewID), and a taken one is conflict "invoice.exists". Zero
	// makes a new one.
	ID InvoiceID `json:"-"`
	// Type is InvoiceFinal (the default) or InvoiceProforma; credit notes
	// and receipts have their own calls.
	Type      InvoiceType      `json:"type,omitempty"`
	CompanyID CompanyID        `json:"company_id"`
	ClientID  billkit.ClientID `json:"client_id"`
	// PayerID is one of the client's payers; its default payer when zero.
	PayerID PayerID             `json:"payer_id,omitzero"`
	Lines   []InvoiceLineParams `json:"lines"`
	// Locale defaults to the client's.
	Locale string `json:"locale,omitempty"`
	Memo   string `json:"memo,omitempty"`
}

// UpdateInvoiceParams changes a draft; nil fields stay, and non-nil Lines
// replace all the lines.
type UpdateInvoiceParams struct {
	CompanyID *CompanyID          `json:"company_id,omitempty"`
	PayerID   *PayerID            `json:"payer_id,omitempty"`
	Lines     []InvoiceLineParams `json:"lines,omitempty"`
	Locale    *string             `json:"locale,omitempty"`
	Memo      *string             `json:"memo,omitempty"`
}

// maxInvoiceLines bounds the lines of a document.
const maxInvoiceLines = 500

// maxQuantity bounds a line's quantity.
var maxQuantity = decimal.New(1, 9)

// maxUnitPrice bounds a unit price, far above any real one.
var maxUnitPrice = decimal.New(1, 15)

// zeroIn returns zero in currency with digits decimals ("0.00").
func zeroIn(currency string, digits int32) billkit.Money {
	m, err := billkit.NewMoney(decimal.New(0, -digits), currency)
	if err != nil {
		return billkit.Zero(currency)
	}
	return m
}

// invoiceLines checks the lines of a draft of type t in currency and
// builds them, each with its Amount.
func invoiceLines(v *billkit.FieldErrors, t InvoiceType, params []InvoiceLineParams, currency string, digits int32) []InvoiceLine {
	if !v.Check(len(params) > 0, "lines", "required", "at least one line is required") {
		return nil
	}
	if !v.Check(len(params) <= maxInvoiceLines, "lines", "invoice.too_many_lines", fmt.Sprintf("must be at most %d lines", maxInvoiceLines)) {
		return nil
	}
	out := make([]InvoiceLine, 0, len(params))
	expenses := map[ExpenseID]bool{}
	for i, p := range params {
		f := fmt.Sprintf("lines[%d]", i)
		l := InvoiceLine{
			Position:    i + 1,
			Description: text(v, f+".description", p.Description, 1000, true),
			Quantity:    p.Quantity,
			ProductType: text(v, f+".product_type", p.ProductType, 64, false),
			ExpenseID:   p.ExpenseID,
			Advance:     p.Advance,
		}
		if p.Advance {
			// An advance is charged by something else: on an invoice it would
			// be a debt nothing charges, and with an expense a debt charged
			// already.
			if v.Check(t == InvoiceProforma, f+".advance", "invoice.advance_not_proforma", "only a proforma's lines are advances") {
				v.Check(p.ExpenseID.IsZero(), f+".advance", "invoice.advance_with_expense", "an advance line does not bill an expense")
			}
		}
		if v.Check(p.Quantity.IsPositive(), f+".quantity", "invoice.quantity_not_positive", "must be more than zero") {
			v.Check(p.Quantity.Exponent() >= -6 && p.Quantity.LessThan(maxQuantity), f+".quantity", "invoice.quantity_out_of_range",
				"must be below 1000000000 with at most 6 decimals")
		}
		price := p.UnitPrice
		switch {
		case price.Currency() == "":
			v.Add(f+".unit_price", "required", "is required")
		case price.Currency() != currency:
			v.Add(f+".unit_price", "invoice.currency_mismatch", fmt.Sprintf("must be in the client's currency, %s", currency))
		case price.IsNegative():
			v.Add(f+".unit_price", "invoice.unit_price_negative", "must be zero or more; correct an issued invoice with a credit note")
		case !price.Amount().Round(digits).Equal(price.Amount()):
			v.Add(f+".unit_price", "invoice.too_many_decimals", fmt.Sprintf("must have at most %d decimals for %s", digits, currency))
		case !price.Amount().LessThan(maxUnitPrice):
			v.Add(f+".unit_price", "invoice.unit_price_out_of_range", "must be below 10^15")
		default:
			l.UnitPrice = price.RoundTo(digits, billkit.RoundHalfUp)
		}
		if !p.ExpenseID.IsZero() {
			v.Check(!expenses[p.ExpenseID], f+".expense_id", "invoice.expense_duplicate", "bills an expense another line bills")
			expenses[p.ExpenseID] = true
		}
		if l.UnitPrice.Currency() != "" && l.Quantity.IsPositive() {
			l.Amount = l.UnitPrice.Mul(l.Quantity).RoundTo(digits, billkit.RoundHalfUp)
		}
		out = append(out, l)
	}
	return out
}

// draftTotals sets a draft's totals: the sum of its lines' amounts, before
// tax.
func draftTotals(inv *Invoice, digits int32) {
	sum := zeroIn(inv.Currency, digits)
	for _, l := range inv.Lines {
		if s, err := sum.Add(l.Amount); err == nil {
			sum = s
		}
	}
	inv.Totals = TaxTotals{Net: sum, Tax: zeroIn(inv.Currency, digits), Gross: sum}
}

// invoicePayer returns, in tx, the payer of a document of client c: the
// given one, which must be the client's, or the client's default.
func invoicePayer(ctx context.Context, tx Store, c *Client, id PayerID) (*Payer, error) {
	if !id.IsZero() {
		py, err := tx.GetPayer(ctx, id)
		if billkit.IsCode(err, billkit.CodeNotFound) || err == nil && py.ClientID != c.ID {
			return nil, billkit.InvalidField("payer_id", "payer.not_found", "is not a payer of the client")
		}
		return py, err
	}
	for cursor := ""; ; {
		page, err := tx.ListPayers(ctx, PayerFilter{ClientID: c.ID, PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			if page.Items[i].Default {
				return &page.Items[i], nil
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "invoice.no_payer", "client %s has no payer to bill", c.Number)
		}
	}
}

// invoiceCompany returns, in tx, the company of a document to client c,
// which must serve the client's provider.
func invoiceCompany(ctx context.Context, tx Store, c *Client, id CompanyID) (*Company, error) {
	co, err := companyExists(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !co.Serves(c.ProviderID) {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "invoice.company_not_serving",
			"company %s does not serve the client's provider", co.ShortName)
	}
	return co, nil
}

// liveClient returns, in tx, the client of a document, which must not be
// deleted.
func liveClient(ctx context.Context, tx Store, id billkit.ClientID) (*Client, error) {
	c, err := tx.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status == ClientStatusDeleted {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "client.deleted", "client %s is deleted", c.Number)
	}
	return c, nil
}

// CreateInvoice creates a draft invoice or proforma in the client's
// currency. It needs billing.invoice:create on the client. The company must
// serve the client's provider (failed_precondition
// invoice.company_not_serving); the payer must be the client's (its
// default when not given). A draft changes freely until IssueInvoice.
func (s *Service) CreateInvoice(ctx context.Context, actor billkit.Actor, p CreateInvoiceParams) (*Invoice, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if p.Type == "" {
		p.Type = InvoiceFinal
	}
	var v billkit.FieldErrors
	if validType(&v, "type", p.Type) {
		v.Check(p.Type == InvoiceFinal || p.Type == InvoiceProforma, "type", "invoice.type_not_creatable",
			"must be invoice or proforma: credit notes and receipts have their own calls")
	}
	v.Check(!p.CompanyID.IsZero(), "company_id", "required", "is required")
	if !v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required") {
		return nil, v.Err()
	}
	c, err := s.store.GetClient(ctx, p.ClientID)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionInvoice, billkit.OpCreate), c.ID, clientNotFound(c.ID)); err != nil {
		return nil, err
	}
	digits, err := currencyDigits(ctx, s.store, c.Currency)
	if err != nil {
		return nil, err
	}
	inv := newDraft(&v, p, c, digits, s.now())
	if strings.TrimSpace(p.Locale) == "" {
		inv.Locale = c.Locale
	} else if inv.Locale, err = s.locale(ctx, &v, "locale", p.Locale); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx Store) error { return s.insertDraft(ctx, tx, actor, inv, p.PayerID) })
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// newDraft builds the draft that p asks for client c, in its currency of
// digits decimals, adding the problems to v. Its locale is the caller's
// to set.
func newDraft(v *billkit.FieldErrors, p CreateInvoiceParams, c *Client, digits int32, now time.Time) *Invoice {
	inv := &Invoice{
		ID: p.ID, Type: p.Type, CompanyID: p.CompanyID, ClientID: c.ID, Currency: c.Currency, Status: InvoiceDraft,
		Lines: invoiceLines(v, p.Type, p.Lines, c.Currency, digits),
		Memo:  text(v, "memo", p.Memo, 2000, false),
	}
	if inv.ID.IsZero() {
		newID(&inv.ID)
	}
	draftTotals(inv, digits)
	inv.Paid, inv.Credited = zeroIn(c.Currency, digits), zeroIn(c.Currency, digits)
	inv.CreatedAt, inv.UpdatedAt = now, now
	return inv
}

// insertDraft stores the draft inv in tx and records it: its client must
// not be deleted, its company must serve the client's provider, and its
// payer is payer, which must be the client's, or the client's default.
func (s *Service) insertDraft(ctx context.Context, tx Store, actor billkit.Actor, inv *Invoice, payer PayerID) error {
	c, err := liveClient(ctx, tx, inv.ClientID)
	if err != nil {
		return err
	}
	if _, err := invoiceCompany(ctx, tx, c, inv.CompanyID); err != nil {
		return err
	}
	py, err := invoicePayer(ctx, tx, c, payer)
	if err != nil {
		return err
	}
	inv.PayerID = py.ID
	if err := tx.InsertInvoice(ctx, inv); err != nil {
		return err
	}
	return record(ctx, tx, actor, inv.CreatedAt, FunctionInvoice, "create", inv.ID.String(), c.ID, nil, inv)
}

// invoiceFor reads a document and checks that the actor may do op on its
// client's documents; a customer of another client gets not_found.
func (s *Service) invoiceFor(ctx context.Context, store Store, actor billkit.Actor, id InvoiceID, op billkit.Operation) (*Invoice, error) {
	inv, err := store.GetInvoice(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionInvoice, op), inv.ClientID, invoiceNotFound(id)); err != nil {
		return nil, err
	}
	return inv, nil
}

// frozen is the error for a change to a document that is not a draft.
func frozen(inv *Invoice) error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonInvoiceFrozen,
		"%s %s is %s: an issued document never changes (correct it with a credit note)", inv.Type, invoiceLabel(inv), inv.Status)
}

// UpdateDraftInvoice changes a draft. It needs billing.invoice:edit on its
// client. Any other status is failed_precondition invoice.frozen.
func (s *Service) UpdateDraftInvoice(ctx context.Context, actor billkit.Actor, id InvoiceID, p UpdateInvoiceParams) (*Invoice, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	cur, err := s.invoiceFor(ctx, s.store, actor, id, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	if cur.Status != InvoiceDraft {
		return nil, frozen(cur)
	}
	digits, err := currencyDigits(ctx, s.store, cur.Currency)
	if err != nil {
		return nil, err
	}
	var (
		v      billkit.FieldErrors
		lines  []InvoiceLine
		memo   string
		locale string
	)
	if p.Lines != nil {
		lines = invoiceLines(&v, cur.Type, p.Lines, cur.Currency, digits)
	}
	if p.Memo != nil {
		memo = text(&v, "memo", *p.Memo, 2000, false)
	}
	if p.Locale != nil {
		if locale, err = s.locale(ctx, &v, "locale", *p.Locale); err != nil {
			return nil, err
		}
	}
	if p.CompanyID != nil {
		v.Check(!p.CompanyID.IsZero(), "company_id", "required", "is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Invoice
	err = s.store.InTx(ctx, func(tx Store) error {
		inv, err := tx.LockInvoice(ctx, id)
		if err != nil {
			return err
		}
		if inv.Status != InvoiceDraft {
			return frozen(inv)
		}
		before := *inv
		c, err := liveClient(ctx, tx, inv.ClientID)
		if err != nil {
			return err
		}
		if p.CompanyID != nil {
			if _, err := invoiceCompany(ctx, tx, c, *p.CompanyID); err != nil {
				return err
			}
			inv.CompanyID = *p.CompanyID
		}
		if p.PayerID != nil {
			py, err := invoicePayer(ctx, tx, c, *p.PayerID)
			if err != nil {
				return err
			}
			inv.PayerID = py.ID
		}
		if p.Lines != nil {
			inv.Lines = lines
			draftTotals(inv, digits)
		}
		if p.Memo != nil {
			inv.Memo = memo
		}
		if p.Locale != nil {
			inv.Locale = locale
		}
		now := s.now()
		inv.UpdatedAt = now
		if err := tx.UpdateDraftInvoice(ctx, inv); err != nil {
			return err
		}
		out = inv
		return record(ctx, tx, actor, now, FunctionInvoice, "update", inv.ID.String(), inv.ClientID, &before, inv)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteDraftInvoice deletes a draft, which has no number yet. It needs
// billing.invoice:delete on its client. An issued document is never
// deleted (failed_precondition invoice.frozen): void it or credit it.
func (s *Service) DeleteDraftInvoice(ctx context.Context, actor billkit.Actor, id InvoiceID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if _, err := s.invoiceFor(ctx, s.store, actor, id, billkit.OpDelete); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		inv, err := tx.LockInvoice(ctx, id)
		if err != nil {
			return err
		}
		if inv.Status != InvoiceDraft {
			return frozen(inv)
		}
		if err := tx.DeleteDraftInvoice(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), FunctionInvoice, "delete", inv.ID.String(), inv.ClientID, inv, nil)
	})
}
