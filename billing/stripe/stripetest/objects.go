package stripetest

import (
	"maps"
	"strings"
)

// Session is a Checkout Session as the fake keeps it. The getters of Server
// return copies: changing one changes nothing on the server.
type Session struct {
	ID string
	// Status is "open", "complete" or "expired"; PaymentStatus "unpaid" or
	// "paid".
	Status        string
	PaymentStatus string
	// AmountTotal is in the currency's minor units as Stripe counts them;
	// Currency is lower-case ("usd").
	AmountTotal int64
	Currency    string
	// Lines are the session's line items.
	Lines             []Line
	SuccessURL        string
	CancelURL         string
	ClientReferenceID string
	CustomerEmail     string
	CustomerCreation  string
	Locale            string
	Metadata          map[string]string
	// PaymentIntentData is what the session's PaymentIntent is created with:
	// metadata, description, setup_future_usage.
	PaymentIntentMetadata    map[string]string
	PaymentIntentDescription string
	SetupFutureUsage         string
	// Customer and PaymentIntent are set once the session is paid.
	Customer      string
	PaymentIntent string
	URL           string
	Created       int64
	ExpiresAt     int64
}

// Line is one line item of a Session.
type Line struct {
	Name       string
	UnitAmount int64
	Quantity   int64
}

// PaymentIntent is a PaymentIntent as the fake keeps it.
type PaymentIntent struct {
	ID string
	// Status is one of Stripe's: "requires_payment_method",
	// "requires_confirmation", "requires_action", "processing", "succeeded",
	// "canceled".
	Status           string
	Amount           int64
	AmountReceived   int64
	Currency         string
	Customer         string
	PaymentMethod    string
	Description      string
	SetupFutureUsage string
	OffSession       bool
	Metadata         map[string]string
	LatestCharge     string
	// LastPaymentError is the code of the last decline ("card_declined",
	// "authentication_required"), DeclineCode and ErrorMessage its details.
	LastPaymentError string
	DeclineCode      string
	ErrorMessage     string
	Created          int64
}

// Charge is a Charge as the fake keeps it.
type Charge struct {
	ID             string
	Status         string // "succeeded", "pending" or "failed"
	Amount         int64
	AmountRefunded int64
	Refunded       bool
	Currency       string
	Customer       string
	PaymentIntent  string
	PaymentMethod  string
	Metadata       map[string]string
	FailureCode    string
	FailureMessage string
	Created        int64
}

// Refund is a Refund as the fake keeps it.
type Refund struct {
	ID            string
	Status        string // "succeeded" or "pending"
	Amount        int64
	Currency      string
	Charge        string
	PaymentIntent string
	Reason        string
	Metadata      map[string]string
	Created       int64
}

// PaymentMethod is a card payment method.
type PaymentMethod struct {
	ID       string
	Customer string
	Card     Card
	Created  int64
}

// Customer is a Stripe customer.
type Customer struct {
	ID      string
	Email   string
	Created int64
}

func (s Session) clone() Session {
	s.Lines = append([]Line(nil), s.Lines...)
	s.Metadata = maps.Clone(s.Metadata)
	s.PaymentIntentMetadata = maps.Clone(s.PaymentIntentMetadata)
	return s
}

func (p PaymentIntent) clone() PaymentIntent {
	p.Metadata = maps.Clone(p.Metadata)
	return p
}

func (c Charge) clone() Charge {
	c.Metadata = maps.Clone(c.Metadata)
	return c
}

func (r Refund) clone() Refund {
	r.Metadata = maps.Clone(r.Metadata)
	return r
}

// Card is a test card number. The fake decides a card's fate by its number,
// as Stripe's test mode does; numbers it does not list are paid and named
// by their first digit (4 Visa, 5 Mastercard, 3 American Express).
type Card string

// The test cards the fake knows, with Stripe's numbers.
const (
	// CardVisa is paid.
	CardVisa Card = "4242424242424242"
	// CardMastercard is paid.
	CardMastercard Card = "5555555555554444"
	// CardDeclined is declined (card_declined, generic_decline).
	CardDeclined Card = "4000000000000002"
	// CardInsufficientFunds is declined (card_declined, insufficient_funds).
	CardInsufficientFunds Card = "4000000000009995"
	// CardAuthenticationRequired needs the customer to authenticate, so a
	// charge made off session fails with authentication_required.
	CardAuthenticationRequired Card = "4000002760003184"
)

// Brand returns Stripe's brand code of the card: "visa", "mastercard",
// "amex", or "unknown".
func (c Card) Brand() string {
	switch {
	case strings.HasPrefix(string(c), "4"):
		return "visa"
	case strings.HasPrefix(string(c), "5"), strings.HasPrefix(string(c), "2"):
		return "mastercard"
	case strings.HasPrefix(string(c), "34"), strings.HasPrefix(string(c), "37"):
		return "amex"
	default:
		return "unknown"
	}
}

// Last4 returns the card's last four digits.
func (c Card) Last4() string {
	if len(c) < 4 {
		return string(c)
	}
	return string(c[len(c)-4:])
}

// outcome is what charging the card does: "" when it is paid, otherwise
// the error code and decline code Stripe answers.
func (c Card) outcome(offSession bool) (code, decline, message string) {
	switch c {
	case CardDeclined:
		return "card_declined", "generic_decline", "Your card was declined."
	case CardInsufficientFunds:
		return "card_declined", "insufficient_funds", "Your card has insufficient funds."
	case CardAuthenticationRequired:
		if offSession {
			return "authentication_required", "authentication_required",
				"Your card was declined. This transaction requires authentication."
		}
	}
	return "", "", ""
}
