package stripetest

import (
	"fmt"
	"strings"
)

// Pay says how PaySession pays a session.
type Pay struct {
	// Card pays; default CardVisa. A card that declines leaves the session
	// open, as Checkout lets the customer try another card.
	Card Card
	// Delayed pays with a method whose outcome comes later (a bank debit):
	// the session completes unpaid, and SucceedDelayedPayment or
	// FailDelayedPayment settles it.
	Delayed bool
}

// CompleteSession pays the open session id with CardVisa, as a customer on
// the payment page would, and returns the checkout.session.completed event
// (payment_status "paid"). When the session asked to keep the method
// (payment_intent_data[setup_future_usage]), the card is saved on a
// customer, created when the session named none.
func (s *Server) CompleteSession(id string) (Event, error) {
	return s.PaySession(id, Pay{})
}

// PaySession is CompleteSession with a choice of card and of a delayed
// payment.
func (s *Server) PaySession(id string, pay Pay) (Event, error) {
	s.mu.Lock()
	e, err := s.pay(id, pay)
	u := s.webhookURL
	s.mu.Unlock()
	return s.deliverTo(u, e, err)
}

func (s *Server) pay(id string, pay Pay) (Event, error) {
	x, ok := s.sessions[id]
	if !ok {
		return Event{}, fmt.Errorf("stripetest: no checkout session %s", id)
	}
	if x.Status != "open" {
		return Event{}, fmt.Errorf("stripetest: checkout session %s is %s, not open", id, x.Status)
	}
	card := pay.Card
	if card == "" {
		card = CardVisa
	}
	if code, _, msg := card.outcome(false); code != "" {
		return Event{}, fmt.Errorf("stripetest: %s (%s): the session stays open", msg, code)
	}
	if x.Customer == "" && (x.CustomerCreation == "always" || x.SetupFutureUsage != "") {
		x.Customer = s.newCustomer(x.CustomerEmail).ID
	}
	pm := &PaymentMethod{ID: s.newID("pm"), Card: card, Created: s.now()}
	if x.SetupFutureUsage != "" {
		pm.Customer = x.Customer
	}
	s.methods[pm.ID] = pm
	pi := &PaymentIntent{
		ID: s.newID("pi"), Status: "processing", Amount: x.AmountTotal, Currency: x.Currency,
		Customer: x.Customer, PaymentMethod: pm.ID, Description: x.PaymentIntentDescription,
		SetupFutureUsage: x.SetupFutureUsage, Metadata: cloneMeta(x.PaymentIntentMetadata), Created: s.now(),
	}
	s.intents[pi.ID] = pi
	x.Status, x.PaymentIntent = "complete", pi.ID
	if pay.Delayed {
		pi.LatestCharge = s.newCharge(pi, "pending").ID
		return s.record("checkout.session.completed", s.sessionJSON(x)), nil
	}
	pi.LatestCharge = s.newCharge(pi, "succeeded").ID
	pi.Status, pi.AmountReceived = "succeeded", pi.Amount
	x.PaymentStatus = "paid"
	return s.record("checkout.session.completed", s.sessionJSON(x)), nil
}

func (s *Server) newCustomer(email string) *Customer {
	c := &Customer{ID: s.newID("cus"), Email: email, Created: s.now()}
	s.customers[c.ID] = c
	return c
}

// delayed returns the session id and its PaymentIntent when the session is
// complete, unpaid, and its payment still processing.
func (s *Server) delayed(id string) (*Session, *PaymentIntent, error) {
	x, ok := s.sessions[id]
	if !ok {
		return nil, nil, fmt.Errorf("stripetest: no checkout session %s", id)
	}
	pi := s.intents[x.PaymentIntent]
	if x.Status != "complete" || x.PaymentStatus != "unpaid" || pi == nil || pi.Status != "processing" {
		return nil, nil, fmt.Errorf("stripetest: checkout session %s has no delayed payment in progress", id)
	}
	return x, pi, nil
}

// SucceedDelayedPayment settles a session paid with Pay{Delayed: true}:
// it becomes paid, and the checkout.session.async_payment_succeeded event is
// returned.
func (s *Server) SucceedDelayedPayment(id string) (Event, error) {
	s.mu.Lock()
	e, err := func() (Event, error) {
		x, pi, err := s.delayed(id)
		if err != nil {
			return Event{}, err
		}
		pi.Status, pi.AmountReceived = "succeeded", pi.Amount
		s.charges[pi.LatestCharge].Status = "succeeded"
		x.PaymentStatus = "paid"
		return s.record("checkout.session.async_payment_succeeded", s.sessionJSON(x)), nil
	}()
	u := s.webhookURL
	s.mu.Unlock()
	return s.deliverTo(u, e, err)
}

// FailDelayedPayment fails a session paid with Pay{Delayed: true} and
// returns the checkout.session.async_payment_failed event.
func (s *Server) FailDelayedPayment(id string) (Event, error) {
	s.mu.Lock()
	e, err := func() (Event, error) {
		x, pi, err := s.delayed(id)
		if err != nil {
			return Event{}, err
		}
		pi.Status = "requires_payment_method"
		pi.LastPaymentError, pi.ErrorMessage = "payment_method_provider_decline", "The payment was declined by the bank."
		ch := s.charges[pi.LatestCharge]
		ch.Status, ch.FailureCode, ch.FailureMessage = "failed", pi.LastPaymentError, pi.ErrorMessage
		return s.record("checkout.session.async_payment_failed", s.sessionJSON(x)), nil
	}()
	u := s.webhookURL
	s.mu.Unlock()
	return s.deliverTo(u, e, err)
}

// ExpireSession expires an open session, as Stripe does after its
// expires_at, and returns the checkout.session.expired event.
func (s *Server) ExpireSession(id string) (Event, error) {
	s.mu.Lock()
	e, aerr := s.expire(id)
	u := s.webhookURL
	s.mu.Unlock()
	if aerr != nil {
		return Event{}, fmt.Errorf("stripetest: %s", aerr.Message)
	}
	return s.deliverTo(u, e, nil)
}

// RefundPayment refunds amount (minor units; 0 refunds what is left) of a
// paid payment, as staff do in Stripe's Dashboard, and returns the
// charge.refunded event. id names the PaymentIntent, its Checkout Session
// or its Charge.
func (s *Server) RefundPayment(id string, amount int64) (Event, error) {
	s.mu.Lock()
	e, err := func() (Event, error) {
		var ch *Charge
		if strings.HasPrefix(id, "ch_") {
			ch = s.charges[id]
		} else if pi := s.intentOf(id); pi != nil {
			ch = s.charges[pi.LatestCharge]
		}
		if ch == nil {
			return Event{}, fmt.Errorf("stripetest: no paid payment %s", id)
		}
		if _, aerr := s.refund(ch, amount, amount != 0, "requested_by_customer", nil); aerr != nil {
			return Event{}, fmt.Errorf("stripetest: %s", aerr.Message)
		}
		return s.events[len(s.events)-1], nil
	}()
	u := s.webhookURL
	s.mu.Unlock()
	return s.deliverTo(u, e, err)
}

// SucceedRefund completes a pending refund (Config.RefundsPending).
func (s *Server) SucceedRefund(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.refunds[id]
	if !ok || r.Status != "pending" {
		return fmt.Errorf("stripetest: no pending refund %s", id)
	}
	r.Status = "succeeded"
	return nil
}

// SaveCard creates a customer with email and a card attached to it, as an
// earlier payment that saved the card would have left them, and returns
// their IDs.
func (s *Server) SaveCard(email string, card Card) (customerID, paymentMethodID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.newCustomer(email)
	pm := &PaymentMethod{ID: s.newID("pm"), Customer: c.ID, Card: card, Created: s.now()}
	s.methods[pm.ID] = pm
	return c.ID, pm.ID
}

// deliverTo posts e to u when u is set and err is nil.
func (s *Server) deliverTo(u string, e Event, err error) (Event, error) {
	if err != nil || u == "" {
		return e, err
	}
	return e, s.post(u, e)
}
