package stripetest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	stripego "github.com/stripe/stripe-go/v85"
)

// Event is a signed webhook event: the body Stripe posts and the headers it
// posts it with (Stripe-Signature, Content-Type). Hand Body and Header to
// the code under test as its HTTP handler would receive them.
type Event struct {
	ID   string
	Type string
	Body []byte
	// Header holds Stripe-Signature, signed with the server's webhook
	// secret at the server clock's time of the event.
	Header http.Header
}

// SignatureHeader returns the value of the Stripe-Signature header for body
// signed with secret at the instant at: "t=<unix seconds>,v1=<hex of
// HMAC-SHA256 of "<t>.<body>">". Tests use it to sign with a wrong secret or
// a stale time.
func SignatureHeader(body []byte, secret string, at time.Time) string {
	t := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(t))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Sign returns the headers Stripe would post body with: its signature with
// the server's webhook secret at the clock's current time, and the content
// type.
func (s *Server) Sign(body []byte) http.Header {
	return signedHeader(body, s.WebhookSecret, s.clock.Now())
}

func signedHeader(body []byte, secret string, at time.Time) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Stripe-Signature", SignatureHeader(body, secret, at))
	h.Set("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
	return h
}

// Event builds a signed event of type typ about object and returns its body
// and headers. object is either the ID of an object the server keeps
// ("cs_test_000001", "pi_000001", "ch_000001", "re_000001"), whose current
// state goes into the event, or any value that encodes to the JSON object
// wanted (a map, a struct, a json.RawMessage). Each call makes a new event
// ID; the event is not added to Events.
func (s *Server) Event(typ string, object any) (body []byte, header http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.newEvent(typ, s.objectJSON(object))
	return e.Body, e.Header
}

// objectJSON returns the JSON of a stored object named by ID, or object as
// it is.
func (s *Server) objectJSON(object any) any {
	id, ok := object.(string)
	if !ok {
		return object
	}
	kinds := map[string]string{"cs": "checkout.session", "pi": "payment_intent", "ch": "charge",
		"re": "refund", "pm": "payment_method", "cus": "customer"}
	prefix, _, _ := strings.Cut(id, "_")
	if obj, ok := s.render(kinds[prefix], id, tree{}); ok {
		return obj
	}
	return object
}

// newEvent makes a signed event with the next event ID.
func (s *Server) newEvent(typ string, object any) Event {
	id := s.newID("evt")
	body, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "api_version": stripego.APIVersion,
		"created": s.now(), "livemode": false, "pending_webhooks": 1, "type": typ,
		"data":    map[string]any{"object": object},
		"request": map[string]any{"id": nil, "idempotency_key": nil},
	})
	if err != nil {
		// Only a value that cannot be encoded (a channel, a func) gets
		// here; the event then says so instead of panicking.
		body = []byte(fmt.Sprintf(`{"id":%q,"object":"event","type":%q,"error":%q}`, id, typ, err.Error()))
	}
	return Event{ID: id, Type: typ, Body: body, Header: signedHeader(body, s.WebhookSecret, s.clock.Now())}
}

// record makes an event that the server's state caused and adds it to the
// log.
func (s *Server) record(typ string, object any) Event {
	e := s.newEvent(typ, object)
	s.events = append(s.events, e)
	return e
}

// Events returns the events the server's state changes caused, oldest
// first: checkout.session.completed, .async_payment_succeeded,
// .async_payment_failed and .expired, payment_intent.succeeded,
// .payment_failed and .requires_action, and charge.refunded.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, len(s.events))
	for i, e := range s.events {
		e.Header = e.Header.Clone()
		out[i] = e
	}
	return out
}

// Deliver posts e to the webhook URL (Config.WebhookURL or SetWebhookURL)
// and fails unless it answers 2xx. The methods that play the customer and
// the Dashboard (PaySession, ExpireSession, RefundPayment, ...) deliver the
// events they cause by themselves; Deliver is for events that API requests
// caused (a charge of a saved card, a refund) or for delivering one again.
func (s *Server) Deliver(e Event) error {
	s.mu.Lock()
	u := s.webhookURL
	s.mu.Unlock()
	if u == "" {
		return fmt.Errorf("stripetest: no webhook URL to deliver %s to", e.ID)
	}
	return s.post(u, e)
}
