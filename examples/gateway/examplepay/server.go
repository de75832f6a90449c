package examplepay

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Server is ExamplePay itself, in memory: an http.Handler that speaks the
// API the Gateway calls, for tests and examples (serve it with
// net/http/httptest). The customer's side (paying on the confirmation page,
// abandoning it) is played by its methods, which return the webhook
// ExamplePay would send, signed, for the test to deliver to
// billing.Service.HandleCallback the way the reference server's HTTP
// handler does.
type Server struct {
	shopID, secretKey, webhookSecret string
	// Now tells the time of webhooks' signatures. Default: time.Now.
	Now func() time.Time

	mu       sync.Mutex
	payments map[string]*payment
	order    []string
	// idem maps an Idempotence-Key to the request's digest and the answer.
	idem  map[string]idemEntry
	cards map[string]paymentMethod
}

type idemEntry struct {
	digest string
	status int
	body   []byte
}

// Webhook is a webhook as ExamplePay sends it: the headers and the body of
// the POST.
type Webhook struct {
	Header http.Header
	Body   []byte
}

// NewServer returns an ExamplePay that accepts the shop's credentials and
// signs webhooks with webhookSecret.
func NewServer(shopID, secretKey, webhookSecret string) *Server {
	return &Server{
		shopID: shopID, secretKey: secretKey, webhookSecret: webhookSecret, Now: time.Now,
		payments: map[string]*payment{}, idem: map[string]idemEntry{}, cards: map[string]paymentMethod{},
	}
}

func newToken(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiFail(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, apiError{Code: code, Description: desc})
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if shop, key, ok := r.BasicAuth(); !ok || shop != s.shopID || key != s.secretKey {
		apiFail(w, http.StatusUnauthorized, "invalid_credentials", "shop ID or secret key is wrong")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		apiFail(w, http.StatusBadRequest, "invalid_request", "unreadable body")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v1/payments":
		s.idempotent(w, r, body, s.createPayment)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/refunds":
		s.idempotent(w, r, body, s.createRefund)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/payments":
		want := r.URL.Query().Get("metadata." + MetadataPaymentID)
		list := paymentList{Items: []payment{}}
		for _, id := range s.order {
			if p := s.payments[id]; p.Metadata[MetadataPaymentID] == want {
				list.Items = append(list.Items, *p)
			}
		}
		writeJSON(w, http.StatusOK, list)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v1/payments/"):
		p := s.payments[strings.TrimPrefix(r.URL.Path, "/v1/payments/")]
		if p == nil {
			apiFail(w, http.StatusNotFound, "not_found", "no such payment")
			return
		}
		writeJSON(w, http.StatusOK, p)
	default:
		apiFail(w, http.StatusNotFound, "not_found", "no such endpoint")
	}
}

// idempotent answers a repeated Idempotence-Key with the first answer, and
// refuses the key reused for another request.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, body []byte, handle func(body []byte) (int, any)) {
	key := r.Header.Get("Idempotence-Key")
	if key == "" {
		apiFail(w, http.StatusBadRequest, "invalid_request", "Idempotence-Key is required")
		return
	}
	sum := sha256.Sum256(append([]byte(r.URL.Path+"\n"), body...))
	digest := hex.EncodeToString(sum[:])
	if e, ok := s.idem[key]; ok {
		if e.digest != digest {
			apiFail(w, http.StatusConflict, "idempotence_key_reused", "the key was used for another request")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.status)
		_, _ = w.Write(e.body)
		return
	}
	status, out := handle(body)
	b, _ := json.Marshal(out)
	if status/100 == 2 {
		s.idem[key] = idemEntry{digest: digest, status: status, body: b}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func validAmount(a amount) (decimal.Decimal, bool) {
	d, err := decimal.NewFromString(a.Value)
	return d, err == nil && d.IsPositive() && len(a.Currency) == 3
}

func (s *Server) createPayment(body []byte) (int, any) {
	var in createPayment
	if err := json.Unmarshal(body, &in); err != nil {
		return http.StatusBadRequest, apiError{Code: "invalid_request", Description: "malformed JSON"}
	}
	if _, ok := validAmount(in.Amount); !ok {
		return http.StatusBadRequest, apiError{Code: "invalid_request", Description: "amount is not valid"}
	}
	p := &payment{ID: newToken("pay_"), Status: "pending", Amount: in.Amount, Description: in.Description, Metadata: in.Metadata}
	if in.PaymentMethodID != "" {
		card, ok := s.cards[in.PaymentMethodID]
		if !ok {
			return http.StatusBadRequest, apiError{Code: "invalid_request", Description: "no such saved payment method"}
		}
		p.Status, p.PaymentMethod = "succeeded", &card
	} else {
		p.Confirmation = &confirmation{Type: "redirect", ReturnURL: in.returnURL(), ConfirmationURL: "https://checkout.examplepay.test/pay/" + p.ID}
		if in.SavePaymentMethod {
			p.PaymentMethod = &paymentMethod{ID: newToken("pm_"), Title: "Bank card *4444"}
		}
	}
	s.payments[p.ID] = p
	s.order = append(s.order, p.ID)
	return http.StatusOK, p
}

// returnURL is where the confirmation page sends the customer back to.
func (c createPayment) returnURL() string {
	if c.Confirmation == nil {
		return ""
	}
	return c.Confirmation.ReturnURL
}

func (s *Server) createRefund(body []byte) (int, any) {
	var in createRefund
	if err := json.Unmarshal(body, &in); err != nil {
		return http.StatusBadRequest, apiError{Code: "invalid_request", Description: "malformed JSON"}
	}
	p := s.payments[in.PaymentID]
	if p == nil {
		return http.StatusNotFound, apiError{Code: "not_found", Description: "no such payment"}
	}
	want, ok := validAmount(in.Amount)
	if !ok || in.Amount.Currency != p.Amount.Currency {
		return http.StatusBadRequest, apiError{Code: "invalid_request", Description: "amount is not valid"}
	}
	if p.Status != "succeeded" {
		return http.StatusBadRequest, apiError{Code: "invalid_request", Description: "only a succeeded payment is refunded"}
	}
	paid, _ := decimal.NewFromString(p.Amount.Value)
	refunded := decimal.Zero
	if p.RefundedAmount != nil {
		refunded, _ = decimal.NewFromString(p.RefundedAmount.Value)
	}
	if refunded.Add(want).GreaterThan(paid) {
		return http.StatusBadRequest, apiError{Code: "invalid_request", Description: "more than is left of the payment"}
	}
	total := refunded.Add(want)
	p.RefundedAmount = &amount{Value: total.StringFixed(max(-total.Exponent(), -paid.Exponent(), 0)), Currency: p.Amount.Currency}
	return http.StatusOK, refund{ID: newToken("rf_"), PaymentID: p.ID, Status: "succeeded", Amount: in.Amount}
}

// Pay plays the customer paying on the confirmation page: the payment
// succeeds (its card kept when the shop asked), and the signed
// "payment.succeeded" webhook is returned.
func (s *Server) Pay(paymentID string) (Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[paymentID]
	if p == nil || p.Status != "pending" {
		return Webhook{}, fmt.Errorf("examplepay: no pending payment %q", paymentID)
	}
	p.Status = "succeeded"
	if m := p.PaymentMethod; m != nil {
		m.Saved = true
		s.cards[m.ID] = *m
	}
	return s.webhook("payment.succeeded", p), nil
}

// Abandon plays the customer leaving the confirmation page until it
// expires: the payment is canceled, and the signed "payment.canceled"
// webhook is returned.
func (s *Server) Abandon(paymentID string) (Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[paymentID]
	if p == nil || p.Status != "pending" {
		return Webhook{}, fmt.Errorf("examplepay: no pending payment %q", paymentID)
	}
	p.Status, p.CancellationDetails = "canceled", &cancellation{Reason: "expired_on_confirmation"}
	return s.webhook("payment.canceled", p), nil
}

// RefundedWebhook returns the signed "payment.refunded" webhook of a
// payment as it is now.
func (s *Server) RefundedWebhook(paymentID string) (Webhook, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.payments[paymentID]
	if p == nil {
		return Webhook{}, fmt.Errorf("examplepay: no payment %q", paymentID)
	}
	return s.webhook("payment.refunded", p), nil
}

// webhook builds a signed event about p.
func (s *Server) webhook(name string, p *payment) Webhook {
	body, _ := json.Marshal(event{ID: newToken("evt_"), Event: name, Object: *p})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(SignatureHeader, Sign(body, s.webhookSecret, s.Now()))
	return Webhook{Header: h, Body: body}
}
