package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// InvoiceID identifies an Invoice.
type InvoiceID = billkit.ID[Invoice]

// InvoiceType is the kind of document an Invoice is. Each type has its own
// number series per company.
type InvoiceType string

// The document types.
const (
	// InvoiceProforma is a request to pay in advance, without fiscal value:
	// it is voided, never credited. Paying it charges its lines like an
	// invoice's (each line's ChargeExpenseID); the final invoice that
	// follows bills those expenses (InvoiceLineParams.ExpenseID), so it
	// charges nothing twice. Its advance lines (InvoiceLine.Advance) are
	// not charged: their money waits on the balance for what charges it
	// (an order, a renewal).
	InvoiceProforma InvoiceType = "proforma"
	// InvoiceFinal is a (fiscal) invoice: once issued it never changes and
	// is corrected only by credit notes.
	InvoiceFinal InvoiceType = "invoice"
	// InvoiceCreditNote corrects an issued invoice: its lines are the
	// negatives of what it credits.
	InvoiceCreditNote InvoiceType = "credit_note"
	// InvoiceReceipt acknowledges a top-up: a payment without an invoice.
	InvoiceReceipt InvoiceType = "receipt"
)

// InvoiceTypes lists the document types in a fixed order.
func InvoiceTypes() []InvoiceType {
	return []InvoiceType{InvoiceProforma, InvoiceFinal, InvoiceCreditNote, InvoiceReceipt}
}

// Valid reports whether t is a known type.
func (t InvoiceType) Valid() bool {
	for _, v := range InvoiceTypes() {
		if t == v {
			return true
		}
	}
	return false
}

// InvoiceStatus is where a document is in its life.
type InvoiceStatus string

// The statuses of a document. A draft changes freely; issuing freezes it,
// and from then on only its status and the money applied to it change:
//
//	draft → issued → partly_paid → paid
//	issued, partly_paid → overdue (past the due date) → paid
//	issued, overdue (nothing paid) → void
//	issued, partly_paid, overdue, paid → credited (credit notes cover it all)
//
// Credit notes and receipts are issued and stay so.
const (
	InvoiceDraft      InvoiceStatus = "draft"
	InvoiceIssued     InvoiceStatus = "issued"
	InvoicePartlyPaid InvoiceStatus = "partly_paid"
	InvoicePaid       InvoiceStatus = "paid"
	InvoiceOverdue    InvoiceStatus = "overdue"
	InvoiceVoid       InvoiceStatus = "void"
	// InvoiceCredited: credit notes credit the whole invoice; nothing is
	// due any more, and what it had charged went back to the balance.
	InvoiceCredited InvoiceStatus = "credited"
)

// InvoiceStatuses lists the statuses in a fixed order.
func InvoiceStatuses() []InvoiceStatus {
	return []InvoiceStatus{InvoiceDraft, InvoiceIssued, InvoicePartlyPaid, InvoicePaid, InvoiceOverdue, InvoiceVoid, InvoiceCredited}
}

// Valid reports whether s is a known status.
func (s InvoiceStatus) Valid() bool {
	for _, v := range InvoiceStatuses() {
		if s == v {
			return true
		}
	}
	return false
}

// payable reports whether a payment may still be applied to a document of
// the status.
func (s InvoiceStatus) payable() bool {
	switch s {
	case InvoiceIssued, InvoicePartlyPaid, InvoiceOverdue, InvoicePaid:
		return true
	}
	return false
}

// InvoiceSeller is the issuing company as it was when the document was
// issued: later changes to the company do not change issued documents.
type InvoiceSeller struct {
	CompanyID    CompanyID     `json:"company_id"`
	LegalName    string        `json:"legal_name"`
	ShortName    string        `json:"short_name"`
	Country      string        `json:"country"`
	Address      Address       `json:"address"`
	TaxIDs       []string      `json:"tax_ids"`
	BankAccounts []BankAccount `json:"bank_accounts"`
}

// InvoiceBuyer is the payer as it was when the document was issued.
type InvoiceBuyer struct {
	PayerID   PayerID   `json:"payer_id"`
	Kind      PayerKind `json:"kind"`
	Name      string    `json:"name"`
	LegalName string    `json:"legal_name,omitempty"`
	Country   string    `json:"country"`
	Region    string    `json:"region,omitempty"`
	Address   Address   `json:"address"`
	Email     string    `json:"email,omitempty"`
	TaxID     string    `json:"tax_id,omitempty"`
}

// DisplayName is the buyer's legal name, or its name when it has none.
func (b InvoiceBuyer) DisplayName() string {
	if b.LegalName != "" {
		return b.LegalName
	}
	return b.Name
}

// InvoiceLine is one line of a document.
type InvoiceLine struct {
	// Position numbers the lines from 1, in order.
	Position    int    `json:"position"`
	Description string `json:"description"`
	// Quantity is positive; it may have decimals (1.5 hours).
	Quantity decimal.Decimal `json:"quantity"`
	// UnitPrice is in the document's currency, with at most its digits.
	UnitPrice billkit.Money `json:"unit_price"`
	// ProductType is the catalog product type's code of what the line
	// sells ("vds"); it chooses the taxes. Empty for a manual line.
	ProductType string `json:"product_type,omitempty"`
	// ExpenseID, when set, says the line bills an existing expense: a debt
	// already on the ledger, which paying the document does not charge
	// again.
	ExpenseID ExpenseID `json:"expense_id,omitzero"`
	// Advance marks a proforma's line that asks in advance for money that
	// something else charges later (an order, a renewal): paying the
	// document leaves that money on the client's balance, where the charge
	// takes it. Its Amount is that charge, taxes included.
	Advance bool `json:"advance,omitempty"`
	// Amount is Quantity × UnitPrice, rounded once (half up) to the
	// currency's digits: the net, or the gross when the line's taxes are
	// inclusive (always, on an advance line).
	Amount billkit.Money `json:"amount"`

	// What issuing fixes: the taxes that applied, and the line's net, tax
	// and gross. Empty on drafts.
	AppliedTaxes []AppliedTax  `json:"applied_taxes,omitempty"`
	Net          billkit.Money `json:"net"`
	Tax          billkit.Money `json:"tax"`
	Gross        billkit.Money `json:"gross"`
	Taxes        []LineTax     `json:"taxes,omitempty"`

	// CreditsPosition is, on a credit note, the position of the line of the
	// credited invoice it credits.
	CreditsPosition int `json:"credits_position,omitempty"`
	// ChargeExpenseID is the expense that charged the line to the balance
	// when the document was paid (lines without ExpenseID).
	ChargeExpenseID ExpenseID `json:"charge_expense_id,omitzero"`
}

// charged reports whether the line's money is on the ledger: it bills an
// existing expense, or it was charged when the document was paid.
func (l *InvoiceLine) charged() bool { return !l.ExpenseID.IsZero() || !l.ChargeExpenseID.IsZero() }

// advance reports whether the document has an advance line.
func (inv *Invoice) advance() bool {
	for i := range inv.Lines {
		if inv.Lines[i].Advance {
			return true
		}
	}
	return false
}

// Invoice is a document a company issues to a payer of a client: a
// proforma, an invoice, a credit note or a receipt. A draft is edited
// freely; issuing gives it a number from the company's series for its type
// and freezes it (seller, buyer, lines, taxes, currency). From then on it
// never changes: only its status and the money applied to it (Paid,
// Credited) move, and corrections are credit notes.
type Invoice struct {
	ID   InvoiceID   `json:"id"`
	Type InvoiceType `json:"type"`
	// Number is the number drawn from the series when the document is
	// issued; empty on drafts.
	Number    string           `json:"number"`
	CompanyID CompanyID        `json:"company_id"`
	ClientID  billkit.ClientID `json:"client_id"`
	PayerID   PayerID          `json:"payer_id"`
	// Currency is the client's: the balance the document is paid to.
	Currency string        `json:"currency"`
	Status   InvoiceStatus `json:"status"`
	// IssueDate is the day of issue in the provider's time zone, and
	// DueDate the day the money is due (IssueDate plus the setting
	// "invoice.due_days", 14 by default). Zero on drafts.
	IssueDate billkit.Date  `json:"issue_date,omitzero"`
	DueDate   billkit.Date  `json:"due_date,omitzero"`
	Lines     []InvoiceLine `json:"lines"`
	// Seller, Buyer and TaxDecision are frozen when the document is issued;
	// nil on drafts.
	Seller      *InvoiceSeller `json:"seller,omitempty"`
	Buyer       *InvoiceBuyer  `json:"buyer,omitempty"`
	TaxDecision *TaxDecision   `json:"tax_decision,omitempty"`
	// Totals are the document's net, tax and gross and its summary per tax
	// and rate, fixed at issue (before, Net and Gross are the sum of the
	// lines' amounts, without tax). Each line's own figures are on the line,
	// so Totals.Lines stays empty.
	Totals TaxTotals `json:"totals"`
	// Paid is the money payments brought to the document, in Currency. It
	// is not capped: what is paid beyond the due amount stayed on the
	// client's balance, where every payment lands.
	Paid billkit.Money `json:"paid"`
	// Credited is the gross that credit notes took off the document.
	Credited billkit.Money `json:"credited"`
	// CreditsInvoiceID and CreditsInvoiceNumber name, on a credit note, the
	// invoice it corrects.
	CreditsInvoiceID     InvoiceID `json:"credits_invoice_id,omitzero"`
	CreditsInvoiceNumber string    `json:"credits_invoice_number,omitempty"`
	// PaymentID is, on a receipt, the payment it acknowledges.
	PaymentID PaymentID `json:"payment_id,omitzero"`
	// Locale is the language the document is rendered in.
	Locale    string    `json:"locale"`
	Memo      string    `json:"memo,omitempty"`
	IssuedAt  time.Time `json:"issued_at,omitzero"`
	PaidAt    time.Time `json:"paid_at,omitzero"`
	VoidedAt  time.Time `json:"voided_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Due returns what the document asks to be paid: its gross less what
// credit notes took off. Outstanding subtracts what was paid.
func (inv *Invoice) Due() billkit.Money {
	d, err := inv.Totals.Gross.Sub(inv.Credited)
	if err != nil {
		return inv.Totals.Gross
	}
	return d
}

// Outstanding returns what is still to be paid: Due less Paid, never below
// zero.
func (inv *Invoice) Outstanding() billkit.Money {
	o, err := inv.Due().Sub(inv.Paid)
	if err != nil {
		return inv.Due()
	}
	if o.IsNegative() {
		// Zero with the currency's decimals, as the amounts show.
		z, _ := o.Sub(o)
		return z
	}
	return o
}

// InvoiceFilter selects documents. Lists are newest first (by ID, which
// orders by creation).
type InvoiceFilter struct {
	ClientID  billkit.ClientID `json:"client_id,omitzero"`
	CompanyID CompanyID        `json:"company_id,omitzero"`
	Type      InvoiceType      `json:"type,omitempty"`
	// Statuses keeps the documents in one of the statuses.
	Statuses []InvoiceStatus `json:"statuses,omitempty"`
	// IssuedFrom and IssuedTo keep documents issued on or after IssuedFrom
	// and on or before IssuedTo (drafts have no issue date).
	IssuedFrom billkit.Date `json:"issued_from,omitzero"`
	IssuedTo   billkit.Date `json:"issued_to,omitzero"`
	// DueBefore keeps documents due before that day.
	DueBefore billkit.Date `json:"due_before,omitzero"`
	// CreditsInvoiceID keeps the credit notes of that invoice.
	CreditsInvoiceID InvoiceID `json:"credits_invoice_id,omitzero"`
	// ExpenseID keeps the documents with a line billing that expense.
	ExpenseID ExpenseID `json:"expense_id,omitzero"`
	// ClientIDs restricts to those clients' documents when not nil, as in
	// ClientFilter.
	ClientIDs []billkit.ClientID `json:"-"`
	billkit.PageParams
}

// The reasons of invoice errors.
const (
	// ReasonInvoiceFrozen: an issued document cannot change.
	ReasonInvoiceFrozen = "invoice.frozen"
	// ReasonInvoiceNotPayable: a draft, void or credited document, a
	// credit note or a receipt takes no payment.
	ReasonInvoiceNotPayable = "invoice.not_payable"
	// ReasonInvoiceNotVoidable: only an issued, unpaid document is voided.
	ReasonInvoiceNotVoidable = "invoice.not_voidable"
	// ReasonInvoiceAdvance: a document with advance lines asks for money
	// to reach the balance, so it is not paid from the balance.
	ReasonInvoiceAdvance = "invoice.advance"
	// ReasonCreditNoteExceeds: a credit note would credit more than the
	// invoice has left to credit.
	ReasonCreditNoteExceeds = "creditnote.exceeds"
	// ReasonCreditNoteNotCreditable: only issued invoices are credited.
	ReasonCreditNoteNotCreditable = "creditnote.not_creditable"
)

// invoiceNotFound is the not_found error of a document, also for one the
// actor may not see.
func invoiceNotFound(id InvoiceID) error { return billkit.NotFound("invoice", id) }

// applyInvoicePayment records, in tx, that a paid payment brought credited
// (in the client's currency, already on the client's balance) towards
// invoice: the invoice becomes partly paid or paid. Payments call it when
// they become paid.
//
// Paid grows by credited whatever the status; the status follows: paid
// once Paid covers Due (the gross less credit notes), partly paid before
// (an overdue document stays overdue until paid). A payment beyond Due is
// kept in Paid: the extra is on the balance, where the payment put it.
// When the document becomes paid, its lines that do not bill an existing
// expense are charged to the balance now (ChargeTx, kind ExpenseInvoice,
// cause "invoice_line"), below the credit limit if need be, since the money
// for them arrived; advance lines are not, their money stays on the
// balance for the order or renewal that charges it. A draft, void or credited document, a credit note and
// a receipt refuse the payment (failed_precondition invoice.not_payable)
// and nothing is written.
func (s *Service) applyInvoicePayment(ctx context.Context, tx Store, actor billkit.Actor, invoice InvoiceID, payment PaymentID, credited billkit.Money) error {
	if tx == nil {
		return billkit.InvalidField("tx", "required", "is required")
	}
	// A savepoint: a refusal leaves the caller's transaction as it was, so
	// the payment can still be credited to the balance alone.
	return tx.InTx(ctx, func(tx Store) error { return s.applyPayment(ctx, tx, actor, invoice, payment, credited) })
}

// applyPayment is applyInvoicePayment inside its savepoint.
func (s *Service) applyPayment(ctx context.Context, tx Store, actor billkit.Actor, invoice InvoiceID, payment PaymentID, credited billkit.Money) error {
	inv, err := tx.LockInvoice(ctx, invoice)
	if err != nil {
		return err
	}
	if !inv.Status.payable() || inv.Type == InvoiceCreditNote || inv.Type == InvoiceReceipt {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonInvoiceNotPayable,
			"%s %s is %s and takes no payment", inv.Type, invoiceLabel(inv), inv.Status)
	}
	var v billkit.FieldErrors
	if v.Check(credited.Currency() == inv.Currency, "credited", "invoice.currency_mismatch",
		fmt.Sprintf("must be in the invoice's currency, %s", inv.Currency)) {
		v.Check(!credited.IsNegative(), "credited", "invoice.payment_negative", "must not be negative")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if credited.IsZero() {
		return nil // nothing was brought: nothing changes
	}
	before := *inv
	paid, err := inv.Paid.Add(credited)
	if err != nil {
		return err
	}
	inv.Paid = paid
	now := s.now()
	if inv.Status != InvoicePaid {
		if inv.Paid.Amount().GreaterThanOrEqual(inv.Due().Amount()) {
			if err := s.settleInvoice(ctx, tx, actor, inv, true); err != nil {
				return err
			}
		} else if inv.Status == InvoiceIssued {
			inv.Status = InvoicePartlyPaid
		}
	}
	inv.UpdatedAt = now
	if err := tx.UpdateInvoiceState(ctx, inv); err != nil {
		return err
	}
	return record(ctx, tx, actor, now, FunctionInvoice, "pay", inv.ID.String(), inv.ClientID, &before, struct {
		*Invoice
		PaymentID PaymentID     `json:"payment_id"`
		Credited  billkit.Money `json:"credited"`
	}{inv, payment, credited})
}

// invoiceLabel names a document in messages: its number, or its ID while a
// draft.
func invoiceLabel(inv *Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return inv.ID.String()
}
