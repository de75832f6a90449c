package stripetest_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing/stripe/stripetest"
)

type answer struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// call makes one API request with the server's key.
func call(t *testing.T, srv *stripetest.Server, method, path string, form url.Values, header map[string]string) answer {
	t.Helper()
	var body io.Reader
	u := srv.URL + path
	if method == http.MethodGet {
		if len(form) > 0 {
			u += "?" + form.Encode()
		}
	} else {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &a.body); err != nil {
		t.Fatalf("%s %s answered %q", method, path, raw)
	}
	return a
}

func sessionForm() url.Values {
	return url.Values{
		"mode":                                          {"payment"},
		"line_items[0][price_data][currency]":           {"usd"},
		"line_items[0][price_data][unit_amount]":        {"1234"},
		"line_items[0][price_data][product_data][name]": {"Hosting"},
		"line_items[0][quantity]":                       {"1"},
		"success_url":                                   {"https://shop.example.com/ok?s={CHECKOUT_SESSION_ID}"},
		"cancel_url":                                    {"https://shop.example.com/cancel"},
		"metadata[order]":                               {"42"},
	}
}

func errorOf(a answer) (typ, code, param string) {
	e, _ := a.body["error"].(map[string]any)
	typ, _ = e["type"].(string)
	code, _ = e["code"].(string)
	param, _ = e["param"].(string)
	return
}

func TestServerAuthentication(t *testing.T) {
	srv := stripetest.NewServer(t, stripetest.Config{SecretKey: "sk_test_right"})
	for name, auth := range map[string]string{
		"none":  "",
		"wrong": "Bearer sk_test_wrong",
		"empty": "Bearer ",
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/checkout/sessions", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s key: status %d", name, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/checkout/sessions", nil)
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("sk_test_right:")))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("basic auth: status %d", resp.StatusCode)
	}
}

func TestServerRejectsWhatStripeRejects(t *testing.T) {
	srv := stripetest.NewServer(t, stripetest.Config{})
	edit := func(f func(url.Values)) url.Values {
		v := sessionForm()
		f(v)
		return v
	}
	for name, c := range map[string]struct {
		form        url.Values
		code, param string
	}{
		"unknown parameter": {edit(func(v url.Values) { v.Set("colour", "red") }), "parameter_unknown", "colour"},
		"no mode":           {edit(func(v url.Values) { v.Del("mode") }), "parameter_missing", "mode"},
		"no success URL":    {edit(func(v url.Values) { v.Del("success_url") }), "parameter_missing", "success_url"},
		"bad URL":           {edit(func(v url.Values) { v.Set("cancel_url", "/relative") }), "url_invalid", "cancel_url"},
		"bad locale":        {edit(func(v url.Values) { v.Set("locale", "xx") }), "parameter_invalid_string", "locale"},
		"three decimals": {edit(func(v url.Values) {
			v.Set("line_items[0][price_data][currency]", "bhd")
			v.Set("line_items[0][price_data][unit_amount]", "12345")
		}), "invalid_charge_amount", "line_items[0][price_data][unit_amount]"},
		"fractional ISK": {edit(func(v url.Values) {
			v.Set("line_items[0][price_data][currency]", "isk")
			v.Set("line_items[0][price_data][unit_amount]", "12345")
		}), "invalid_charge_amount_no_decimal_compatible", "line_items[0][price_data][unit_amount]"},
		"negative amount": {edit(func(v url.Values) { v.Set("line_items[0][price_data][unit_amount]", "-1") }),
			"parameter_invalid_integer", "line_items[0][price_data][unit_amount]"},
	} {
		a := call(t, srv, http.MethodPost, "/v1/checkout/sessions", c.form, nil)
		typ, code, param := errorOf(a)
		if a.status != http.StatusBadRequest || typ != "invalid_request_error" || code != c.code || param != c.param {
			t.Errorf("%s: %d %s", name, a.status, a.raw)
		}
	}
	a := call(t, srv, http.MethodPost, "/v1/nothing", url.Values{}, nil)
	if a.status != http.StatusNotFound {
		t.Errorf("unknown URL: %d", a.status)
	}
}

func TestServerIdempotency(t *testing.T) {
	srv := stripetest.NewServer(t, stripetest.Config{})
	key := map[string]string{"Idempotency-Key": "order-42"}
	first := call(t, srv, http.MethodPost, "/v1/checkout/sessions", sessionForm(), key)
	second := call(t, srv, http.MethodPost, "/v1/checkout/sessions", sessionForm(), key)
	if first.status != 200 || second.raw != first.raw || second.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %s / %s", first.raw, second.raw)
	}
	other := sessionForm()
	other.Set("line_items[0][price_data][unit_amount]", "999")
	a := call(t, srv, http.MethodPost, "/v1/checkout/sessions", other, key)
	if typ, _, _ := errorOf(a); a.status != http.StatusBadRequest || typ != "idempotency_error" {
		t.Fatalf("other parameters under the same key: %d %s", a.status, a.raw)
	}

	// A rejected request is not remembered: fixed, it runs.
	bad := sessionForm()
	bad.Del("mode")
	if a := call(t, srv, http.MethodPost, "/v1/checkout/sessions", bad, map[string]string{"Idempotency-Key": "k2"}); a.status != 400 {
		t.Fatalf("bad request: %d", a.status)
	}
	if a := call(t, srv, http.MethodPost, "/v1/checkout/sessions", sessionForm(), map[string]string{"Idempotency-Key": "k2"}); a.status != 200 {
		t.Fatalf("fixed request: %d %s", a.status, a.raw)
	}
	if a := call(t, srv, http.MethodPost, "/v1/checkout/sessions", sessionForm(), nil); a.body["id"] != "cs_test_000003" {
		t.Fatalf("sessions made: %s", a.raw)
	}
}

func TestServerSessionLifeAndExpansion(t *testing.T) {
	clock := billkit.NewFakeClock(time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC))
	srv := stripetest.NewServer(t, stripetest.Config{Clock: clock})
	a := call(t, srv, http.MethodPost, "/v1/checkout/sessions", sessionForm(), nil)
	id := a.body["id"].(string)
	if a.body["status"] != "open" || a.body["url"] != srv.URL+"/c/pay/"+id || a.body["amount_total"] != 1234.0 ||
		a.body["expires_at"] != float64(clock.Now().Unix()+24*3600) {
		t.Fatalf("session: %s", a.raw)
	}
	e, err := srv.CompleteSession(id)
	if err != nil {
		t.Fatal(err)
	}
	if e.Type != "checkout.session.completed" || e.Header.Get("Stripe-Signature") !=
		stripetest.SignatureHeader(e.Body, srv.WebhookSecret, clock.Now()) {
		t.Fatalf("event %s %v", e.Type, e.Header)
	}
	a = call(t, srv, http.MethodGet, "/v1/checkout/sessions/"+id,
		url.Values{"expand[0]": {"payment_intent"}, "expand[1]": {"payment_intent.latest_charge"}}, nil)
	pi, ok := a.body["payment_intent"].(map[string]any)
	if !ok || pi["status"] != "succeeded" || pi["amount_received"] != 1234.0 {
		t.Fatalf("expanded session: %s", a.raw)
	}
	if ch, ok := pi["latest_charge"].(map[string]any); !ok || ch["status"] != "succeeded" {
		t.Fatalf("expanded charge: %s", a.raw)
	}
	a = call(t, srv, http.MethodGet, "/v1/checkout/sessions/"+id, url.Values{"expand[0]": {"line_items.nothing"}}, nil)
	if a.status != http.StatusBadRequest {
		t.Fatalf("bad expansion: %s", a.raw)
	}
	a = call(t, srv, http.MethodGet, "/v1/checkout/sessions", url.Values{"payment_intent": {pi["id"].(string)}}, nil)
	if data := a.body["data"].([]any); len(data) != 1 || data[0].(map[string]any)["id"] != id {
		t.Fatalf("list by payment intent: %s", a.raw)
	}
	if a = call(t, srv, http.MethodPost, "/v1/checkout/sessions/"+id+"/expire", nil, nil); a.status != http.StatusBadRequest {
		t.Fatalf("expiring a complete session: %s", a.raw)
	}
	if _, err := srv.CompleteSession(id); err == nil {
		t.Fatal("a session was paid twice")
	}

	other := call(t, srv, http.MethodPost, "/v1/checkout/sessions", sessionForm(), nil).body["id"].(string)
	if a = call(t, srv, http.MethodPost, "/v1/checkout/sessions/"+other+"/expire", nil, nil); a.body["status"] != "expired" {
		t.Fatalf("expire: %s", a.raw)
	}
	events := srv.Events()
	if len(events) != 2 || events[0].Type != "checkout.session.completed" || events[1].Type != "checkout.session.expired" {
		t.Fatalf("events: %+v", events)
	}
}

func TestServerPaymentIntentsAndRefunds(t *testing.T) {
	srv := stripetest.NewServer(t, stripetest.Config{})
	cus, pm := srv.SaveCard("ann@example.com", stripetest.CardVisa)
	form := url.Values{"amount": {"2000"}, "currency": {"eur"}, "customer": {cus}, "payment_method": {pm},
		"confirm": {"true"}, "off_session": {"true"}}
	a := call(t, srv, http.MethodPost, "/v1/payment_intents", form, nil)
	if a.body["status"] != "succeeded" {
		t.Fatalf("charge: %s", a.raw)
	}
	id := a.body["id"].(string)
	a = call(t, srv, http.MethodPost, "/v1/refunds", url.Values{"payment_intent": {id}, "amount": {"500"}}, nil)
	if a.body["status"] != "succeeded" || a.body["amount"] != 500.0 {
		t.Fatalf("refund: %s", a.raw)
	}
	a = call(t, srv, http.MethodPost, "/v1/refunds", url.Values{"payment_intent": {id}, "amount": {"1501"}}, nil)
	if _, code, _ := errorOf(a); code != "amount_too_large" {
		t.Fatalf("refunding too much: %s", a.raw)
	}
	a = call(t, srv, http.MethodPost, "/v1/refunds", url.Values{"payment_intent": {id}}, nil)
	if a.body["amount"] != 1500.0 {
		t.Fatalf("refunding the rest: %s", a.raw)
	}
	if refunds := srv.Refunds(id); len(refunds) != 2 {
		t.Fatalf("refunds: %+v", refunds)
	}

	bob, declined := srv.SaveCard("bob@example.com", stripetest.CardDeclined)
	form.Set("customer", bob)
	form.Set("payment_method", declined)
	a = call(t, srv, http.MethodPost, "/v1/payment_intents", form, nil)
	if typ, code, _ := errorOf(a); a.status != http.StatusPaymentRequired || typ != "card_error" || code != "card_declined" {
		t.Fatalf("declined: %s", a.raw)
	}
	form.Set("customer", cus)
	form.Set("payment_method", declined) // another customer's card
	if a = call(t, srv, http.MethodPost, "/v1/payment_intents", form, nil); a.status != http.StatusBadRequest {
		t.Fatalf("another customer's card: %s", a.raw)
	}
}

func TestServerPaymentPageAndWebhook(t *testing.T) {
	var (
		mu       sync.Mutex
		received []string
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Stripe-Signature") == "" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var e struct{ Type string }
		_ = json.Unmarshal(body, &e)
		received = append(received, e.Type)
	}))
	defer hook.Close()
	srv := stripetest.NewServer(t, stripetest.Config{WebhookURL: hook.URL})
	id := call(t, srv, http.MethodPost, "/v1/checkout/sessions", sessionForm(), nil).body["id"].(string)

	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv.URL + "/c/pay/" + id)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Hosting") || !strings.Contains(string(page), "1234") {
		t.Fatalf("page: %d %s", resp.StatusCode, page)
	}
	resp, err = client.PostForm(srv.URL+"/c/pay/"+id, url.Values{"action": {"pay"}, "card": {string(stripetest.CardVisa)}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://shop.example.com/ok?s="+id {
		t.Fatalf("pay: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	mu.Lock()
	got := append([]string(nil), received...)
	mu.Unlock()
	if len(got) != 1 || got[0] != "checkout.session.completed" {
		t.Fatalf("webhook received %v", got)
	}
	if x, _ := srv.Session(id); x.PaymentStatus != "paid" {
		t.Fatalf("session %+v", x)
	}

	other := call(t, srv, http.MethodPost, "/v1/checkout/sessions", sessionForm(), nil).body["id"].(string)
	resp, err = client.PostForm(srv.URL+"/c/pay/"+other, url.Values{"action": {"cancel"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Location") != "https://shop.example.com/cancel" {
		t.Fatalf("cancel: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	// An API-caused event is delivered by hand.
	cus, pm := srv.SaveCard("ann@example.com", stripetest.CardVisa)
	call(t, srv, http.MethodPost, "/v1/payment_intents", url.Values{"amount": {"100"}, "currency": {"usd"},
		"customer": {cus}, "payment_method": {pm}, "confirm": {"true"}}, nil)
	events := srv.Events()
	if err := srv.Deliver(events[len(events)-1]); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(received) != 2 || received[1] != "payment_intent.succeeded" {
		t.Fatalf("webhook received %v", received)
	}
}

func TestServerSearchesPaymentIntentsByMetadata(t *testing.T) {
	srv := stripetest.NewServer(t, stripetest.Config{})
	cus, pm := srv.SaveCard("ann@example.com", stripetest.CardVisa)
	for _, order := range []string{"a", "b", "a"} {
		call(t, srv, http.MethodPost, "/v1/payment_intents", url.Values{"amount": {"100"}, "currency": {"usd"},
			"customer": {cus}, "payment_method": {pm}, "confirm": {"true"}, "metadata[order]": {order}}, nil)
	}
	a := call(t, srv, http.MethodGet, "/v1/payment_intents/search", url.Values{"query": {"metadata['order']:'a'"}}, nil)
	data, _ := a.body["data"].([]any)
	if a.body["object"] != "search_result" || len(data) != 2 || data[0].(map[string]any)["id"] != "pi_000003" {
		t.Fatalf("search: %s", a.raw)
	}
	a = call(t, srv, http.MethodGet, "/v1/payment_intents/search", url.Values{"query": {"amount>100"}}, nil)
	if a.status != http.StatusBadRequest {
		t.Fatalf("an unsupported query: %s", a.raw)
	}
}
