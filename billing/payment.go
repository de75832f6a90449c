package billing

import (
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// PaymentID identifies a Payment.
type PaymentID = billkit.ID[Payment]

// PaymentStatus is where a payment is in its life.
type PaymentStatus string

// The statuses of a payment. New, pending and (for a refund in flight)
// paid are not final; failed, cancelled and refunded are.
const (
	PaymentNew            PaymentStatus = "new"
	PaymentPending        PaymentStatus = "pending"
	PaymentPaid           PaymentStatus = "paid"
	PaymentFailed         PaymentStatus = "failed"
	PaymentCancelled      PaymentStatus = "cancelled"
	PaymentRefunded       PaymentStatus = "refunded"
	PaymentPartlyRefunded PaymentStatus = "partly_refunded"
)

// PaymentStatuses lists every payment status, in a fixed order.
func PaymentStatuses() []PaymentStatus {
	return []PaymentStatus{PaymentNew, PaymentPending, PaymentPaid, PaymentFailed, PaymentCancelled, PaymentPartlyRefunded, PaymentRefunded}
}

// Valid reports whether s is a known status.
func (s PaymentStatus) Valid() bool {
	for _, v := range PaymentStatuses() {
		if s == v {
			return true
		}
	}
	return false
}

// Unpaid reports whether no money has arrived yet and may still arrive:
// new or pending.
func (s PaymentStatus) Unpaid() bool { return s == PaymentNew || s == PaymentPending }

// Received reports whether the money arrived: paid, partly refunded or
// refunded.
func (s PaymentStatus) Received() bool {
	return s == PaymentPaid || s == PaymentPartlyRefunded || s == PaymentRefunded
}

// paymentTransitions is the payment's state machine: the statuses each
// status may become. Failed, cancelled and refunded become nothing; a
// payment that received money never goes back to new, pending or failed,
// whatever a late or replayed gateway report says.
var paymentTransitions = map[PaymentStatus][]PaymentStatus{
	PaymentNew:            {PaymentPending, PaymentPaid, PaymentFailed, PaymentCancelled},
	PaymentPending:        {PaymentPaid, PaymentFailed, PaymentCancelled},
	PaymentPaid:           {PaymentPartlyRefunded, PaymentRefunded},
	PaymentPartlyRefunded: {PaymentPartlyRefunded, PaymentRefunded},
}

// PaymentTransition reports whether a payment in status from may move to
// status to. It is the one place the payment's state machine lives:
//
//	new             → pending, paid, failed, cancelled
//	pending         → paid, failed, cancelled
//	paid            → partly_refunded, refunded
//	partly_refunded → partly_refunded, refunded
//
// Every other move, a status to itself included (but for a further partial
// refund), is refused: that is what makes a duplicate or out-of-order
// gateway report harmless.
func PaymentTransition(from, to PaymentStatus) bool {
	for _, s := range paymentTransitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Payment is money a client sends through a payment method: a top-up of
// the balance, or the payment of an invoice. It is created new, started at
// the gateway (pending, with a page to send the customer to), and becomes
// paid exactly once, whichever of the gateway's callback, a query, a staff
// confirmation or the gateway's first answer says so first; the money is
// then credited to the client's balance by a ledger entry whose cause is
// the payment.
type Payment struct {
	ID        PaymentID        `json:"id"`
	ClientID  billkit.ClientID `json:"client_id"`
	CompanyID CompanyID        `json:"company_id"`
	MethodID  PaymentMethodID  `json:"method_id"`
	// Gateway is the code of the method's gateway when the payment was
	// made ("manual", "stripe").
	Gateway string `json:"gateway"`
	// Amount is what the client pays, in the method's currency.
	Amount billkit.Money `json:"amount"`
	// Credited is what reached the balance, in the client's currency; set
	// when paid.
	Credited billkit.Money `json:"credited"`
	// Rate is the exchange rate Amount was converted at when the
	// currencies differ (Credited = Amount × Rate, rounded); nil when they
	// are the same. Refunds debit at the same rate.
	Rate *decimal.Decimal `json:"rate,omitempty"`
	// Refunded is how much of Amount has been given back, in Amount's
	// currency.
	Refunded billkit.Money `json:"refunded"`
	Status   PaymentStatus `json:"status"`
	// InvoiceID is the invoice paid; zero for a top-up.
	InvoiceID InvoiceID `json:"invoice_id,omitzero"`
	// GatewayPaymentID is the payment service's ID of the payment;
	// callbacks and queries name it. Unique per gateway.
	GatewayPaymentID string `json:"gateway_payment_id,omitempty"`
	// RedirectURL, Form and Instructions are what Start answered: where
	// to send the customer, or what to tell them (bank details).
	RedirectURL  string        `json:"redirect_url,omitempty"`
	Form         *RedirectForm `json:"form,omitempty"`
	Instructions string        `json:"instructions,omitempty"`
	// Reference is the customer's reference of the transfer (a receipt
	// number), or the one staff noted when confirming.
	Reference string `json:"reference,omitempty"`
	// Memo describes the payment.
	Memo string `json:"memo,omitempty"`
	// SavedMethodRef is the gateway's reference of the saved method this
	// payment charged, or kept for later charges.
	SavedMethodRef string `json:"saved_method_ref,omitempty"`
	// Message is the gateway's explanation of a failure, for staff.
	Message string `json:"message,omitempty"`
	// Attention, when not empty, says why staff should look at the
	// payment: an outcome still unknown after days, money reported for a
	// payment already cancelled. Customers do not see it.
	Attention string `json:"attention,omitempty"`
	// Attempts counts the calls made to the gateway for the outcome (Start
	// and each Query).
	Attempts int `json:"attempts"`
	// CheckAfter is when Service.ReconcilePayments next asks the gateway
	// about a payment whose outcome is unknown; zero when nothing is to be
	// asked (the outcome is known, or staff confirm it).
	CheckAfter time.Time `json:"check_after,omitzero"`
	PaidAt     time.Time `json:"paid_at,omitzero"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// refundable returns what can still be refunded, in Amount's currency.
func (p *Payment) refundable() decimal.Decimal {
	return p.Amount.Amount().Sub(p.Refunded.Amount())
}

// forCustomer hides staff's notes from customers.
func (p *Payment) forCustomer(actor billkit.Actor) *Payment {
	if actor.Kind == billkit.ActorCustomer {
		p.Attention = ""
	}
	return p
}

// CreatePaymentParams creates a payment.
type CreatePaymentParams struct {
	ClientID billkit.ClientID `json:"client_id"`
	MethodID PaymentMethodID  `json:"method_id"`
	// Amount is what the client pays: positive, in the method's currency
	// (the client's when the method names none), with at most the
	// currency's decimals.
	Amount billkit.Money `json:"amount"`
	// InvoiceID is the invoice paid; zero for a top-up of the balance.
	InvoiceID InvoiceID `json:"invoice_id,omitzero"`
	// Memo describes the payment ("Top-up", "Invoice INV-2026-00042").
	Memo string `json:"memo,omitempty"`
	// Reference is the customer's reference of a transfer, when known.
	Reference string `json:"reference,omitempty"`
}

// StartOptions are what the customer's browser session adds to a start.
type StartOptions struct {
	// ReturnURL and CancelURL are where the payment page sends the customer
	// back to.
	ReturnURL string `json:"return_url,omitempty"`
	CancelURL string `json:"cancel_url,omitempty"`
	// SaveMethod asks the gateway to keep the method for later charges.
	SaveMethod bool `json:"save_method,omitempty"`
	// Locale is the customer's language; default: the client's.
	Locale string `json:"locale,omitempty"`
}

// PayParams creates and starts a payment in one call (Service.Pay).
type PayParams struct {
	CreatePaymentParams
	StartOptions
}

// PaymentFilter selects payments; lists are newest first (CreatedAt, then
// ID, descending).
type PaymentFilter struct {
	ClientID  billkit.ClientID `json:"client_id,omitzero"`
	Status    PaymentStatus    `json:"status,omitempty"`
	MethodID  PaymentMethodID  `json:"method_id,omitzero"`
	InvoiceID InvoiceID        `json:"invoice_id,omitzero"`
	// From and To keep payments created at or after From and before To.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Attention keeps the payments flagged for staff.
	Attention bool `json:"attention,omitempty"`
	// Due keeps the new and pending payments whose CheckAfter is set and at
	// or before Due: those ReconcilePayments asks about.
	Due time.Time `json:"due,omitzero"`
	// ClientIDs restricts to those clients' payments when not nil, as in
	// ClientFilter.
	ClientIDs []billkit.ClientID `json:"-"`
	billkit.PageParams
}

// validate checks the filter's own fields.
func (f *PaymentFilter) validate() error {
	var v billkit.FieldErrors
	v.Check(f.Status == "" || f.Status.Valid(), "status", "payment.status_unknown", fmt.Sprintf("must be one of %v", PaymentStatuses()))
	v.Merge("", f.PageParams.Validate())
	return v.Err()
}

// The reasons of payment errors.
const (
	// ReasonPaymentAmountMismatch: a gateway reported a payment paid with
	// another amount or currency than the payment's (failed_precondition);
	// nothing changes, and staff should look at the gateway.
	ReasonPaymentAmountMismatch = "payment.amount_mismatch"
	// ReasonPaymentTransition: the payment's status does not allow the
	// call (failed_precondition).
	ReasonPaymentTransition = "payment.status_transition"
	// ReasonRefundExceeds: a refund of more than is left of the payment
	// (invalid, field "amount").
	ReasonRefundExceeds = "payment.refund_exceeds"
	// ReasonRefundUnsupported: the gateway cannot refund, or not a part
	// (failed_precondition).
	ReasonRefundUnsupported = "payment.refund_unsupported"
	// ReasonBalanceNeedsInvoice: a payment from the balance pays an
	// invoice; a top-up from the balance means nothing (invalid, field
	// "invoice_id").
	ReasonBalanceNeedsInvoice = "payment.balance_needs_invoice"
	// ReasonUseInvoiceBalance: paying an invoice from the balance is the
	// invoice's business (Service.PayInvoiceFromBalance), not a gateway's
	// (failed_precondition).
	ReasonUseInvoiceBalance = "payment.use_invoice_balance"
	// ReasonOutcomeUnknown: the gateway did not answer (a timeout, a
	// network error); the payment stays as it was and ReconcilePayments
	// asks the gateway again (unavailable).
	ReasonOutcomeUnknown = "payment.outcome_unknown"
	// ReasonNotManual: only payments of the manual gateway are confirmed
	// by staff (failed_precondition).
	ReasonNotManual = "payment.not_manual"
)

// paymentStaffOnly is the reason of what customers may not do to payments
// (forbidden), as for clients' staff-only fields.
const paymentStaffOnly = "billing.staff_only"

// paymentNotFound is the error for a payment that does not exist or that
// the actor may not see.
func paymentNotFound(id PaymentID) error { return billkit.NotFound("payment", id) }
