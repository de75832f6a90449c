package stripetest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
)

// The defaults of Config.
const (
	// DefaultSecretKey is the API key the server accepts unless Config
	// says another.
	DefaultSecretKey = "sk_test_billkit"
	// DefaultWebhookSecret signs the server's events unless Config says
	// another.
	DefaultWebhookSecret = "whsec_billkit"
)

// Config configures a Server. The zero value works.
type Config struct {
	// SecretKey is the only API key the server accepts. Default:
	// DefaultSecretKey.
	SecretKey string
	// WebhookSecret signs events. Default: DefaultWebhookSecret.
	WebhookSecret string
	// Clock stamps objects and event signatures. Default: the system
	// clock. Give the clock the code under test uses, so that signatures
	// fall within its tolerance.
	Clock billkit.Clock
	// WebhookURL, when set, receives the events that the methods playing
	// the customer and the Dashboard (PaySession, ExpireSession,
	// RefundPayment, ...) and the payment page cause, posted as Stripe posts
	// them, before the method returns. It can be set later with
	// SetWebhookURL.
	WebhookURL string
	// RefundsPending makes refunds start "pending" until SucceedRefund,
	// as bank-debit refunds do; by default they succeed at once.
	RefundsPending bool
}

// Server is an in-memory stand-in for Stripe's API. It is safe for
// concurrent use; every request is handled under one lock, so requests are
// serialized as if Stripe had handled them one after another.
type Server struct {
	// URL is the server's base URL: the adapter's BackendURL.
	URL string
	// SecretKey and WebhookSecret are the keys the server accepts and signs
	// with (Config's, or the defaults).
	SecretKey     string
	WebhookSecret string

	srv            *httptest.Server
	clock          billkit.Clock
	refundsPending bool
	client         *http.Client

	mu         sync.Mutex
	webhookURL string
	seq        map[string]int
	sessions   map[string]*Session
	intents    map[string]*PaymentIntent
	charges    map[string]*Charge
	refunds    map[string]*Refund
	methods    map[string]*PaymentMethod
	customers  map[string]*Customer
	order      []string // IDs of sessions, for lists, oldest first
	idem       map[string]*idemEntry
	events     []Event
	requests   []Request
}

// Request is one API request the server received, for tests that check
// what a client sent.
type Request struct {
	Method string
	// Path is the URL path ("/v1/checkout/sessions").
	Path string
	// Params are the form (POST) or query (GET) parameters, as sent.
	Params url.Values
	// IdempotencyKey is the Idempotency-Key header.
	IdempotencyKey string
	// Status is the HTTP status answered; Replayed is true when it was an
	// idempotent replay of an earlier answer.
	Status   int
	Replayed bool
}

type idemEntry struct {
	method, path, fingerprint string
	status                    int
	body                      []byte
}

// NewServer starts a fake Stripe. With a non-nil tb the server is closed
// when the test ends; with nil (an Example, a demo) the caller calls Close.
func NewServer(tb testing.TB, cfg Config) *Server {
	s := &Server{
		SecretKey:      cfg.SecretKey,
		WebhookSecret:  cfg.WebhookSecret,
		clock:          cfg.Clock,
		refundsPending: cfg.RefundsPending,
		webhookURL:     cfg.WebhookURL,
		seq:            map[string]int{},
		sessions:       map[string]*Session{},
		intents:        map[string]*PaymentIntent{},
		charges:        map[string]*Charge{},
		refunds:        map[string]*Refund{},
		methods:        map[string]*PaymentMethod{},
		customers:      map[string]*Customer{},
		idem:           map[string]*idemEntry{},
		client:         &http.Client{Timeout: 30 * time.Second},
	}
	if s.SecretKey == "" {
		s.SecretKey = DefaultSecretKey
	}
	if s.WebhookSecret == "" {
		s.WebhookSecret = DefaultWebhookSecret
	}
	if s.clock == nil {
		s.clock = billkit.SystemClock()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/", s.serveAPI)
	mux.HandleFunc("/c/pay/{id}", s.servePage)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	if tb != nil {
		tb.Cleanup(s.Close)
	}
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Settings returns the gateway settings of a payment method that uses this
// server: {"secret_key": ..., "webhook_secret": ...}.
func (s *Server) Settings() map[string]string {
	return map[string]string{"secret_key": s.SecretKey, "webhook_secret": s.WebhookSecret}
}

// SetWebhookURL sets (or, with "", clears) where events are posted; see
// Config.WebhookURL.
func (s *Server) SetWebhookURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhookURL = u
}

// Requests returns the API requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Params = cloneValues(r.Params)
		out[i] = r
	}
	return out
}

// Session returns the Checkout Session with the ID.
func (s *Server) Session(id string) (Session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.sessions[id]
	if !ok {
		return Session{}, false
	}
	return x.clone(), true
}

// PaymentIntent returns the PaymentIntent with the ID.
func (s *Server) PaymentIntent(id string) (PaymentIntent, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.intents[id]
	if !ok {
		return PaymentIntent{}, false
	}
	return x.clone(), true
}

// Charge returns the Charge with the ID.
func (s *Server) Charge(id string) (Charge, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.charges[id]
	if !ok {
		return Charge{}, false
	}
	return x.clone(), true
}

// Refund returns the Refund with the ID.
func (s *Server) Refund(id string) (Refund, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.refunds[id]
	if !ok {
		return Refund{}, false
	}
	return x.clone(), true
}

// Refunds returns the refunds of a payment, oldest first; id names the
// PaymentIntent, its Checkout Session or its Charge.
func (s *Server) Refunds(id string) []Refund {
	s.mu.Lock()
	defer s.mu.Unlock()
	pi := s.intentOf(id)
	var out []Refund
	for i := 1; i <= s.seq["re"]; i++ {
		if r, ok := s.refunds[s.idFor("re", i)]; ok && pi != nil && r.PaymentIntent == pi.ID {
			out = append(out, r.clone())
		}
	}
	return out
}

// intentOf finds the PaymentIntent that id names: itself, its session or
// its charge.
func (s *Server) intentOf(id string) *PaymentIntent {
	switch {
	case strings.HasPrefix(id, "pi_"):
		return s.intents[id]
	case strings.HasPrefix(id, "cs_"):
		if cs := s.sessions[id]; cs != nil {
			return s.intents[cs.PaymentIntent]
		}
	case strings.HasPrefix(id, "ch_"):
		if ch := s.charges[id]; ch != nil {
			return s.intents[ch.PaymentIntent]
		}
	}
	return nil
}

// newID returns the next ID with the prefix: cs_test_000001, pi_000001.
// IDs are sequential so that tests and examples print stable values.
func (s *Server) newID(prefix string) string {
	s.seq[prefix]++
	return s.idFor(prefix, s.seq[prefix])
}

func (s *Server) idFor(prefix string, n int) string {
	if prefix == "cs" {
		return fmt.Sprintf("cs_test_%06d", n)
	}
	return fmt.Sprintf("%s_%06d", prefix, n)
}

func (s *Server) now() int64 { return s.clock.Now().Unix() }

// apiError is Stripe's error object.
type apiError struct {
	status      int
	Type        string         `json:"type"`
	Code        string         `json:"code,omitempty"`
	DeclineCode string         `json:"decline_code,omitempty"`
	Message     string         `json:"message"`
	Param       string         `json:"param,omitempty"`
	Charge      string         `json:"charge,omitempty"`
	Intent      map[string]any `json:"payment_intent,omitempty"`
	Method      map[string]any `json:"payment_method,omitempty"`
}

func invalidRequest(param, code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, Type: "invalid_request_error", Code: code,
		Param: param, Message: fmt.Sprintf(format, args...)}
}

func missingParam(param string) *apiError {
	return invalidRequest(param, "parameter_missing", "Missing required param: %s.", param)
}

func unknownParam(param string) *apiError {
	return invalidRequest(param, "parameter_unknown", "Received unknown parameter: %s", param)
}

func noSuch(kind, param, id string) *apiError {
	e := invalidRequest(param, "resource_missing", "No such %s: '%s'", kind, id)
	e.status = http.StatusNotFound
	return e
}

// serveAPI authenticates, replays idempotent requests, and dispatches.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()

	form, err := readForm(r)
	req := Request{Method: r.Method, Path: r.URL.Path, Params: form, IdempotencyKey: r.Header.Get("Idempotency-Key")}
	status, body, replayed := s.handle(r, form, err, req.IdempotencyKey)
	req.Status, req.Replayed = status, replayed
	s.requests = append(s.requests, req)

	s.seq["req"]++
	w.Header().Set("Request-Id", fmt.Sprintf("req_%06d", s.seq["req"]))
	w.Header().Set("Content-Type", "application/json")
	if req.IdempotencyKey != "" {
		w.Header().Set("Idempotency-Key", req.IdempotencyKey)
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	if status >= 400 {
		// A fake's errors are final: retrying changes nothing.
		w.Header().Set("Stripe-Should-Retry", "false")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func readForm(r *http.Request) (url.Values, error) {
	if r.Method == http.MethodGet || r.Method == http.MethodDelete {
		return r.URL.Query(), nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return url.Values{}, err
	}
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return url.Values{}, err
	}
	return v, nil
}

// handle returns the status and body to answer, and whether they replay an
// earlier answer.
func (s *Server) handle(r *http.Request, form url.Values, formErr error, idemKey string) (int, []byte, bool) {
	key, aerr := s.authenticate(r)
	if aerr != nil {
		return errorBody(aerr)
	}
	if formErr != nil {
		return errorBody(invalidRequest("", "", "Invalid request body: %v", formErr))
	}
	p, badKey, ok := parseParams(form)
	if !ok {
		return errorBody(invalidRequest(badKey, "parameter_invalid_string", "Invalid parameter name: %s", badKey))
	}

	var entry *idemEntry
	idemID := key + "\x00" + idemKey
	if idemKey != "" && r.Method == http.MethodPost {
		if e, ok := s.idem[idemID]; ok {
			if e.method != r.Method || e.path != r.URL.Path || e.fingerprint != fingerprint(form) {
				return errorBody(&apiError{status: http.StatusBadRequest, Type: "idempotency_error",
					Message: fmt.Sprintf("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '%s' if you meant to execute a different request.", idemKey)})
			}
			return e.status, e.body, true
		}
		entry = &idemEntry{method: r.Method, path: r.URL.Path, fingerprint: fingerprint(form)}
	}

	obj, apiErr := s.route(r.Method, r.URL.Path, p)
	var status int
	var body []byte
	if apiErr != nil {
		status, body, _ = errorBody(apiErr)
	} else {
		status = http.StatusOK
		body, _ = json.Marshal(obj)
	}
	// Stripe saves the result of a request that began executing: a success
	// or a decline, not a rejected parameter.
	if entry != nil && (status == http.StatusOK || status == http.StatusPaymentRequired) {
		entry.status, entry.body = status, body
		s.idem[idemID] = entry
	}
	return status, body, false
}

func errorBody(e *apiError) (int, []byte, bool) {
	body, _ := json.Marshal(map[string]any{"error": e})
	return e.status, body, false
}

// authenticate accepts the secret key as a bearer token or as the user of
// basic authentication, as Stripe does.
func (s *Server) authenticate(r *http.Request) (string, *apiError) {
	h := r.Header.Get("Authorization")
	var key string
	switch {
	case strings.HasPrefix(h, "Bearer "):
		key = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	case strings.HasPrefix(h, "Basic "):
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		if err == nil {
			key, _, _ = strings.Cut(string(raw), ":")
		}
	}
	if key == "" {
		return "", &apiError{status: http.StatusUnauthorized, Type: "invalid_request_error",
			Message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."}
	}
	if key != s.SecretKey {
		return "", &apiError{status: http.StatusUnauthorized, Type: "invalid_request_error",
			Message: "Invalid API Key provided: " + redact(key)}
	}
	return key, nil
}

func redact(key string) string {
	if len(key) <= 8 {
		return strings.Repeat("*", len(key))
	}
	return key[:8] + strings.Repeat("*", len(key)-12) + key[len(key)-4:]
}

// route dispatches an authenticated request.
func (s *Server) route(method, path string, p params) (any, *apiError) {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	is := func(m string, segs ...string) bool {
		if method != m || len(parts) != len(segs) {
			return false
		}
		for i, seg := range segs {
			if seg != "*" && seg != parts[i] {
				return false
			}
		}
		return true
	}
	switch {
	case is(http.MethodPost, "v1", "checkout", "sessions"):
		return s.createSession(p)
	case is(http.MethodGet, "v1", "checkout", "sessions"):
		return s.listSessions(p)
	case is(http.MethodGet, "v1", "checkout", "sessions", "*"):
		return s.retrieve("checkout.session", parts[3], p)
	case is(http.MethodPost, "v1", "checkout", "sessions", "*", "expire"):
		return s.expireSessionAPI(parts[3], p)
	case is(http.MethodPost, "v1", "payment_intents"):
		return s.createIntent(p)
	case is(http.MethodGet, "v1", "payment_intents", "search"):
		return s.searchIntents(p)
	case is(http.MethodGet, "v1", "payment_intents", "*"):
		return s.retrieve("payment_intent", parts[2], p)
	case is(http.MethodPost, "v1", "refunds"):
		return s.createRefund(p)
	case is(http.MethodGet, "v1", "refunds", "*"):
		return s.retrieve("refund", parts[2], p)
	case is(http.MethodGet, "v1", "charges", "*"):
		return s.retrieve("charge", parts[2], p)
	case is(http.MethodGet, "v1", "payment_methods", "*"):
		return s.retrieve("payment_method", parts[2], p)
	case is(http.MethodGet, "v1", "customers", "*"):
		return s.retrieve("customer", parts[2], p)
	}
	e := invalidRequest("", "", "Unrecognized request URL (%s: %s). The fake Stripe server of billkit supports only the requests billkit makes.", method, path)
	e.status = http.StatusNotFound
	return nil, e
}

// retrieve answers GET /v1/<objects>/{id} with expansions.
func (s *Server) retrieve(kind, id string, p params) (any, *apiError) {
	if bad := p.unknown("expand"); bad != "" {
		return nil, unknownParam(bad)
	}
	exp, err := expandTree(kind, p.list("expand"))
	if err != nil {
		return nil, err
	}
	obj, ok := s.render(kind, id, exp)
	if !ok {
		return nil, noSuch(kind, "id", id)
	}
	return obj, nil
}

// expandable lists, for each object kind, the fields that name another
// object and can be expanded, with that object's kind.
var expandable = map[string]map[string]string{
	"checkout.session": {"payment_intent": "payment_intent", "customer": "customer"},
	"payment_intent":   {"latest_charge": "charge", "payment_method": "payment_method", "customer": "customer"},
	"charge":           {"payment_intent": "payment_intent", "customer": "customer"},
	"refund":           {"charge": "charge", "payment_intent": "payment_intent"},
	"payment_method":   {"customer": "customer"},
	"customer":         {},
}

// tree is a set of expansion paths: field → expansions inside it.
type tree map[string]tree

// expandTree checks the expand parameters against the kind's expandable
// fields, as Stripe answers "This property cannot be expanded".
func expandTree(kind string, paths []string) (tree, *apiError) {
	t := tree{}
	for _, path := range paths {
		cur, k := t, kind
		for _, field := range strings.Split(path, ".") {
			next, ok := expandable[k][field]
			if !ok {
				return nil, invalidRequest("expand", "", "This property cannot be expanded (%s).", path)
			}
			if cur[field] == nil {
				cur[field] = tree{}
			}
			cur, k = cur[field], next
		}
	}
	return t, nil
}

// render returns the JSON object of the kind and ID, with the fields in exp
// expanded, and whether it exists.
func (s *Server) render(kind, id string, exp tree) (map[string]any, bool) {
	var m map[string]any
	switch kind {
	case "checkout.session":
		x, ok := s.sessions[id]
		if !ok {
			return nil, false
		}
		m = s.sessionJSON(x)
	case "payment_intent":
		x, ok := s.intents[id]
		if !ok {
			return nil, false
		}
		m = s.intentJSON(x)
	case "charge":
		x, ok := s.charges[id]
		if !ok {
			return nil, false
		}
		m = s.chargeJSON(x)
	case "refund":
		x, ok := s.refunds[id]
		if !ok {
			return nil, false
		}
		m = refundJSON(x)
	case "payment_method":
		x, ok := s.methods[id]
		if !ok {
			return nil, false
		}
		m = methodJSON(x)
	case "customer":
		x, ok := s.customers[id]
		if !ok {
			return nil, false
		}
		m = customerJSON(x)
	default:
		return nil, false
	}
	for field, sub := range exp {
		ref, _ := m[field].(string)
		if ref == "" {
			continue
		}
		if obj, ok := s.render(expandable[kind][field], ref, sub); ok {
			m[field] = obj
		}
	}
	return m, true
}

// ref is an object reference as Stripe writes it: the ID, or null.
func ref(id string) any {
	if id == "" {
		return nil
	}
	return id
}

func str(v string) any {
	if v == "" {
		return nil
	}
	return v
}

func meta(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func (s *Server) sessionJSON(x *Session) map[string]any {
	var url any
	if x.Status == "open" {
		url = x.URL
	}
	var details any
	if x.Status == "complete" {
		email := x.CustomerEmail
		if c := s.customers[x.Customer]; c != nil && email == "" {
			email = c.Email
		}
		details = map[string]any{"email": str(email)}
	}
	return map[string]any{
		"id": x.ID, "object": "checkout.session", "livemode": false,
		"amount_subtotal": x.AmountTotal, "amount_total": x.AmountTotal, "currency": x.Currency,
		"cancel_url": str(x.CancelURL), "success_url": x.SuccessURL,
		"client_reference_id": str(x.ClientReferenceID),
		"created":             x.Created, "expires_at": x.ExpiresAt,
		"customer": ref(x.Customer), "customer_creation": str(x.CustomerCreation),
		"customer_details": details, "customer_email": str(x.CustomerEmail),
		"locale": str(x.Locale), "metadata": meta(x.Metadata), "mode": "payment",
		"payment_intent": ref(x.PaymentIntent), "payment_method_types": []string{"card"},
		"payment_status": x.PaymentStatus, "status": x.Status, "ui_mode": "hosted", "url": url,
	}
}

func (s *Server) intentJSON(x *PaymentIntent) map[string]any {
	var lastErr any
	if x.LastPaymentError != "" {
		e := map[string]any{"type": "card_error", "code": x.LastPaymentError, "message": x.ErrorMessage}
		if x.DeclineCode != "" {
			e["decline_code"] = x.DeclineCode
		}
		if pm := s.methods[x.PaymentMethod]; pm != nil {
			e["payment_method"] = methodJSON(pm)
		}
		lastErr = e
	}
	return map[string]any{
		"id": x.ID, "object": "payment_intent", "livemode": false,
		"amount": x.Amount, "amount_received": x.AmountReceived, "amount_capturable": 0,
		"capture_method": "automatic", "confirmation_method": "automatic",
		"created": x.Created, "currency": x.Currency, "customer": ref(x.Customer),
		"description": str(x.Description), "last_payment_error": lastErr,
		"latest_charge": ref(x.LatestCharge), "metadata": meta(x.Metadata),
		"payment_method": ref(x.PaymentMethod), "payment_method_types": []string{"card"},
		"setup_future_usage": str(x.SetupFutureUsage), "status": x.Status,
		"cancellation_reason": nil, "next_action": nil,
	}
}

func (s *Server) chargeJSON(x *Charge) map[string]any {
	var details any
	if pm := s.methods[x.PaymentMethod]; pm != nil {
		details = map[string]any{"type": "card", "card": map[string]any{"brand": pm.Card.Brand(), "last4": pm.Card.Last4()}}
	}
	captured := int64(0)
	if x.Status == "succeeded" {
		captured = x.Amount
	}
	return map[string]any{
		"id": x.ID, "object": "charge", "livemode": false,
		"amount": x.Amount, "amount_captured": captured, "amount_refunded": x.AmountRefunded,
		"captured": x.Status == "succeeded", "paid": x.Status == "succeeded",
		"created": x.Created, "currency": x.Currency, "customer": ref(x.Customer),
		"failure_code": str(x.FailureCode), "failure_message": str(x.FailureMessage),
		"metadata": meta(x.Metadata), "payment_intent": ref(x.PaymentIntent),
		"payment_method": ref(x.PaymentMethod), "payment_method_details": details,
		"refunded": x.Refunded, "status": x.Status,
	}
}

func refundJSON(x *Refund) map[string]any {
	return map[string]any{
		"id": x.ID, "object": "refund", "amount": x.Amount, "charge": ref(x.Charge),
		"created": x.Created, "currency": x.Currency, "metadata": meta(x.Metadata),
		"payment_intent": ref(x.PaymentIntent), "reason": str(x.Reason), "status": x.Status,
	}
}

func methodJSON(x *PaymentMethod) map[string]any {
	display := x.Card.Brand()
	if display == "amex" {
		display = "american_express"
	}
	return map[string]any{
		"id": x.ID, "object": "payment_method", "livemode": false, "type": "card",
		"created": x.Created, "customer": ref(x.Customer),
		"billing_details": map[string]any{"email": nil, "name": nil},
		"card": map[string]any{
			"brand": x.Card.Brand(), "display_brand": display, "last4": x.Card.Last4(),
			"exp_month": 12, "exp_year": 2034, "country": "US", "funding": "credit",
		},
	}
}

func customerJSON(x *Customer) map[string]any {
	return map[string]any{"id": x.ID, "object": "customer", "livemode": false,
		"email": str(x.Email), "created": x.Created}
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// post sends one event to the webhook URL as Stripe does.
func (s *Server) post(u string, e Event) error {
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(e.Body))
	if err != nil {
		return err
	}
	for k, vs := range e.Header {
		req.Header[k] = append([]string(nil), vs...)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("stripetest: webhook %s answered %s to %s", u, resp.Status, e.Type)
	}
	return nil
}
