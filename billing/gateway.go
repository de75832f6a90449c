package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// Gateway is a payment gateway: the code that talks to a payment service
// (Stripe, a bank, YooKassa) for the payment methods that use it. billkit
// ships "manual" (bank transfer, cash: staff confirm) and "balance" (pay an
// invoice from the client's balance) built in, and the adapter
// billing/stripe; a hoster writes another by implementing this interface
// (see examples/gateway) and passing it in Config.Gateways.
//
// A Gateway is stateless and safe for concurrent use: everything it needs
// for one payment method (API keys, webhook secrets, shop IDs) comes in the
// request's Settings, taken from the PaymentMethod. The Service never calls
// a gateway inside a database transaction: it stores the payment first,
// calls the gateway, then stores what the gateway answered, so a crash or a
// timeout in between leaves a payment whose outcome is unknown, which
// Service.ReconcilePayments queries again until it is known. A gateway must
// therefore be idempotent by PaymentID: starting the same payment twice must
// not charge twice (pass PaymentID as the idempotency key or the order
// reference of the payment service).
//
// How errors are read: a *billkit.Error with code invalid,
// failed_precondition, forbidden or unauthenticated means the payment
// service refused the request and nothing happened (a Start so refused
// fails the payment, a Refund so refused fails the refund); any other error
// (unavailable, a timeout, a network error) means the outcome is unknown,
// and billkit asks again later rather than guess. Every call gets a
// context with a deadline (GatewayTimeout).
type Gateway interface {
	// Code names the gateway in payment methods: "stripe", "yookassa".
	// Lower-case letters, digits and "_".
	Code() string
	// Capabilities says what the gateway can do beyond Start.
	Capabilities() GatewayCapabilities
	// Start begins a payment. It returns the gateway's ID of the payment
	// and either a redirect (RedirectURL or Form) for the customer, or a
	// final status when the payment completes at once (a saved card).
	Start(ctx context.Context, r StartPaymentRequest) (StartPaymentResult, error)
	// ParseCallback verifies a callback (webhook) and says what it reports.
	// A callback whose signature does not verify is an error with code
	// unauthenticated and reason ReasonCallbackSignature; one the gateway
	// does not care about (another event type) returns a report with
	// Ignore set.
	ParseCallback(ctx context.Context, r CallbackRequest) (GatewayReport, error)
	// Query asks the payment service for the current state of a payment.
	Query(ctx context.Context, r QueryPaymentRequest) (GatewayReport, error)
	// Refund gives back amount of a paid payment, all or part of it.
	// Called only when Capabilities().Refund.
	Refund(ctx context.Context, r RefundRequest) (RefundResult, error)
}

// SettingsValidator is a Gateway that checks a payment method's settings
// (that the API key is there, that the shop ID is a number) when staff
// create or change the method, so a mistake shows there and not at the
// first payment. Its invalid errors name the setting as the field.
type SettingsValidator interface {
	Gateway
	ValidateSettings(settings map[string]string) error
}

// SavedMethodCharger is a Gateway that can charge a saved payment method
// (a card kept by the payment service) without the customer, for
// recurring charges.
type SavedMethodCharger interface {
	Gateway
	// ChargeSaved charges the saved method r.SavedMethod. The report says
	// whether the charge is paid, failed or still pending.
	ChargeSaved(ctx context.Context, r StartPaymentRequest) (GatewayReport, error)
}

// GatewayCapabilities lists what a gateway supports.
type GatewayCapabilities struct {
	// Refund: the gateway can refund, PartialRefund: also a part.
	Refund        bool `json:"refund"`
	PartialRefund bool `json:"partial_refund"`
	// SaveMethod: the gateway can keep the customer's method for later
	// charges (the Gateway is then a SavedMethodCharger).
	SaveMethod bool `json:"save_method"`
	// Callbacks: the gateway reports outcomes by callback; without, the
	// Service queries pending payments.
	Callbacks bool `json:"callbacks"`
	// Currencies, when not empty, are the only currencies it accepts.
	Currencies []string `json:"currencies,omitempty"`
}

// StartPaymentRequest asks a gateway to begin (or, for a saved method,
// make) a payment.
type StartPaymentRequest struct {
	// PaymentID is billkit's ID of the payment: the idempotency key.
	PaymentID PaymentID
	// Amount is what the customer pays, in the payment's currency.
	Amount      billkit.Money
	Description string
	ClientID    billkit.ClientID
	// ClientEmail and ClientName prefill the payment page, when known.
	ClientEmail string
	ClientName  string
	// Locale is the customer's language ("en", "ru").
	Locale string
	// ReturnURL and CancelURL are where the payment page sends the customer
	// back to.
	ReturnURL string
	CancelURL string
	// SaveMethod asks the gateway to keep the method for later charges.
	SaveMethod bool
	// SavedMethod is the gateway's reference of a saved method to charge.
	SavedMethod string
	// Settings are the payment method's gateway settings, secrets included.
	Settings map[string]string
}

// StartPaymentResult is a gateway's answer to Start.
type StartPaymentResult struct {
	// GatewayPaymentID is the payment service's ID of the payment; callbacks
	// and queries name it. Required unless Status is final.
	GatewayPaymentID string
	// RedirectURL is the page to send the customer to; Form, a form to post
	// there instead. Both empty when nothing is for the customer to do.
	RedirectURL string
	Form        *RedirectForm
	// Instructions are shown to the customer (bank details for a transfer).
	Instructions string
	// Status is PaymentPending when the outcome comes later, or a final
	// status when the payment completed at once.
	Status PaymentStatus
}

// RedirectForm is an HTML form the customer's browser posts to a payment
// page.
type RedirectForm struct {
	Action string            `json:"action"`
	Method string            `json:"method"`
	Fields map[string]string `json:"fields"`
}

// CallbackRequest is a callback as the HTTP layer received it: billing
// speaks no HTTP, so the server hands over the parts gateways verify.
type CallbackRequest struct {
	Header map[string][]string
	Query  map[string][]string
	Body   []byte
	// Settings are the payment method's gateway settings (the webhook
	// secret).
	Settings map[string]string
}

// QueryPaymentRequest asks for the state of a payment.
type QueryPaymentRequest struct {
	PaymentID        PaymentID
	GatewayPaymentID string
	Settings         map[string]string
}

// RefundRequest asks to give back Amount of a payment.
type RefundRequest struct {
	PaymentID        PaymentID
	GatewayPaymentID string
	// RefundID is billkit's ID of this refund: the idempotency key.
	RefundID string
	Amount   billkit.Money
	Reason   string
	Settings map[string]string
}

// RefundResult is a gateway's answer to Refund.
type RefundResult struct {
	// GatewayRefundID is the payment service's ID of the refund.
	GatewayRefundID string
	// Pending is true when the refund completes later; false when done.
	Pending bool
}

// GatewayReport is what a gateway says of a payment, from a callback or a
// query.
type GatewayReport struct {
	// Ignore is true for a callback that reports nothing billkit tracks.
	Ignore bool
	// EventID is the gateway's ID of the callback's event, when it has one.
	EventID string
	// GatewayPaymentID names the payment at the payment service; PaymentID
	// is billkit's, when the gateway echoes it back (metadata).
	GatewayPaymentID string
	PaymentID        PaymentID
	// Status is the payment's state at the payment service: pending, paid,
	// failed, cancelled, refunded or partly refunded.
	Status PaymentStatus
	// Amount is what was paid, when the gateway says; the Service refuses a
	// paid report whose amount or currency differs from the payment's.
	Amount billkit.Money
	// Refunded is the total refunded so far, for refund statuses.
	Refunded billkit.Money
	// SavedMethod is a method the gateway kept for later charges.
	SavedMethod *SavedMethodRef
	// Message explains a failure, for staff.
	Message string
}

// SavedMethodRef is a payment method a gateway keeps for a client.
type SavedMethodRef struct {
	// Ref is the gateway's reference ("pm_123").
	Ref string `json:"ref"`
	// Label is what the customer recognizes ("Visa •••• 4242").
	Label string `json:"label"`
}

// VATChecker confirms an EU VAT ID with the tax authorities (VIES). Its
// answer is stored with the tax decision as evidence.
type VATChecker interface {
	CheckVAT(ctx context.Context, countryCode, number string) (VATCheck, error)
}

// The reasons of gateway errors.
const (
	// ReasonCallbackSignature: a callback whose signature does not verify.
	ReasonCallbackSignature = "payment.callback_signature"
	// ReasonGatewayUnknown: a payment method names a gateway the Service
	// does not have.
	ReasonGatewayUnknown = "payment.gateway_unknown"
)
