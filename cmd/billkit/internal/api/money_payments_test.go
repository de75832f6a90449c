package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/billing/stripe"
	"github.com/billkit/billkit/billing/stripe/stripetest"
)

// callWith sends one request with the headers given, from a remote peer,
// with no credential: as a payment service posts a callback.
func callWith(t *testing.T, h http.Handler, method, path string, body []byte, header http.Header) response {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.String()}
}

func TestPaymentMethodSettingsAreWriteOnly(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	staff := w.as(w.login(t, w.admin.Email))
	cust := w.as(w.login(t, w.payingCustomer(t, "payer-a@example.com", f.clientA).Email))

	r := send(t, staff, "POST", "/api/v1/payment-methods", `{"company_id":"`+f.company.String()+`","gateway":"ignore","name":{"en":"Wallet"},`+
		`"min_amount":"1","settings":{"api_key":"sk_very_secret","shop_id":"42"}}`, 201)
	if strings.Contains(r.Body, "sk_very_secret") || strings.Contains(r.Body, `"settings"`) {
		t.Fatalf("the answer shows settings: %s", r.Body)
	}
	pm := r.object(t)
	id, _ := pm["id"].(string)
	if keys, _ := pm["setting_keys"].([]any); len(keys) != 2 || keys[0] != "api_key" || keys[1] != "shop_id" {
		t.Fatalf("setting keys: %s", r.Body)
	}
	for _, path := range []string{"/api/v1/payment-methods/" + id, "/api/v1/payment-methods?gateway=ignore"} {
		if r := send(t, staff, "GET", path, "", 200); strings.Contains(r.Body, "sk_very_secret") {
			t.Fatalf("GET %s shows a secret: %s", path, r.Body)
		}
	}
	// Changing one setting keeps the others, which cannot be read back.
	r = send(t, staff, "PATCH", "/api/v1/payment-methods/"+id, `{"settings":{"api_key":"sk_new"},"unset_settings":["shop_id"],"sort_order":3}`, 200)
	if got := r.object(t); got["sort_order"] != float64(3) {
		t.Fatalf("patched: %s", r.Body)
	}
	m, err := w.bill.GetPaymentMethod(t.Context(), system, mustID[billing.PaymentMethod](t, id))
	if err != nil || m.Settings["api_key"] != "sk_new" || len(m.Settings) != 1 {
		t.Fatalf("settings after the change: %v %v", m, err)
	}
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/payment-methods", `{"company_id":"`+f.company.String()+`","gateway":"bitcoin","name":{"en":"BTC"}}`),
		400, "payment.gateway_unknown", "gateway")

	// Customers see the methods they may pay with, without settings; not
	// the methods' administration.
	r = send(t, cust, "GET", "/api/v1/clients/"+f.clientA.String()+"/payment-methods", "", 200)
	if got := listCodes(t, r, "id"); !contains(got, id) || !contains(got, f.money.manual.String()) || strings.Contains(r.Body, "settings") {
		t.Fatalf("methods: %s", r.Body)
	}
	// Below the new method's minimum, only the others are offered.
	r = send(t, cust, "GET", "/api/v1/clients/"+f.clientA.String()+"/payment-methods?amount=0.50&currency=USD", "", 200)
	if got := listCodes(t, r, "id"); contains(got, id) || !contains(got, f.money.manual.String()) {
		t.Fatalf("methods for 0.50: %s", r.Body)
	}
	mustStatus(t, get(t, cust, "/api/v1/payment-methods"), 403)
	mustStatus(t, get(t, cust, "/api/v1/clients/"+f.clientB.String()+"/payment-methods"), 404)
	mustFieldError(t, get(t, cust, "/api/v1/clients/"+f.clientA.String()+"/payment-methods?amount=1"), 400, "required", "currency")
}

func TestManualPaymentConfirmedAndRefunded(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	staff := w.as(w.login(t, w.admin.Email))
	cust := w.as(w.login(t, w.payingCustomer(t, "payer-a@example.com", f.clientA).Email))
	a := f.clientA.String()

	r := send(t, cust, "POST", "/api/v1/payments", `{"client_id":"`+a+`","method_id":"`+f.money.manual.String()+`","amount":{"amount":"20.00","currency":"USD"},"memo":"Top-up"}`, 201)
	var ans struct {
		Payment map[string]any `json:"payment"`
	}
	r.decode(t, &ans)
	p := ans.Payment
	id, _ := p["id"].(string)
	if p["status"] != "pending" || p["instructions"] != "IBAN DE00 0000" || money(p["amount"]) != "20.00 USD" {
		t.Fatalf("started: %s", r.Body)
	}
	// A retry with the same Idempotency-Key gets the same payment.
	again := withCredential(cust, IdempotencyHeader, "pay-1")
	r = send(t, again, "POST", "/api/v1/payments", `{"client_id":"`+a+`","method_id":"`+f.money.manual.String()+`","amount":{"amount":"3.00","currency":"USD"}}`, 201)
	first := r.Body
	r = send(t, again, "POST", "/api/v1/payments", `{"client_id":"`+a+`","method_id":"`+f.money.manual.String()+`","amount":{"amount":"3.00","currency":"USD"}}`, 201)
	if r.Body != first || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retried payment: %s, then %s", first, r.Body)
	}

	r = send(t, cust, "POST", "/api/v1/payments/"+id+"/reference", `{"reference":"TRX-77"}`, 200)
	if got := r.object(t); got["reference"] != "TRX-77" {
		t.Fatalf("reference: %s", r.Body)
	}
	mustFieldError(t, call(t, cust, loopback, "POST", "/api/v1/payments/"+id+"/confirm", `{}`), 403, "billing.staff_only", "")
	r = send(t, staff, "POST", "/api/v1/payments/"+id+"/confirm", `{"reference":"TRX-77"}`, 200)
	if got := r.object(t); got["status"] != "paid" || money(got["credited"]) != "20.00 USD" {
		t.Fatalf("confirmed: %s", r.Body)
	}
	// 20.00 paid the fixtures' 10.00 charge; 10.00 is left.
	r = send(t, cust, "GET", "/api/v1/clients/"+a+"/balance", "", 200)
	if got := r.object(t); money(got["balance"]) != "10.00 USD" {
		t.Fatalf("balance: %s", r.Body)
	}

	mustFieldError(t, call(t, cust, loopback, "POST", "/api/v1/payments/"+id+"/refund", `{"amount":{"amount":"5.00","currency":"USD"}}`), 403, "billing.staff_only", "")
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/payments/"+id+"/refund", `{"amount":{"amount":"50.00","currency":"USD"}}`), 400, "payment.refund_exceeds", "amount")
	r = send(t, staff, "POST", "/api/v1/payments/"+id+"/refund", `{"amount":{"amount":"5.00","currency":"USD"},"reason":"Asked"}`, 201)
	if got := r.object(t); got["status"] != "done" || money(got["debited"]) != "5.00 USD" {
		t.Fatalf("refund: %s", r.Body)
	}
	r = send(t, cust, "GET", "/api/v1/payments/"+id+"/refunds", "", 200)
	if got := listCodes(t, r, "status"); len(got) != 1 {
		t.Fatalf("refunds: %s", r.Body)
	}
	r = send(t, cust, "GET", "/api/v1/payments?client_id="+a+"&status=partly_refunded", "", 200)
	if got := listCodes(t, r, "id"); len(got) != 1 || got[0] != id {
		t.Fatalf("partly refunded payments: %s", r.Body)
	}
	r = send(t, cust, "GET", "/api/v1/clients/"+a+"/balance", "", 200)
	if got := r.object(t); money(got["balance"]) != "5.00 USD" {
		t.Fatalf("balance after the refund: %s", r.Body)
	}

	// Another client's customer sees none of it.
	other := w.as(w.login(t, w.payingCustomer(t, "payer-b@example.com", f.clientB).Email))
	mustStatus(t, get(t, other, "/api/v1/payments/"+id), 404)
	mustStatus(t, call(t, other, loopback, "POST", "/api/v1/payments/"+id+"/cancel", ""), 404)
	r = send(t, other, "GET", "/api/v1/payments", "", 200)
	if got := listCodes(t, r, "id"); len(got) != 0 {
		t.Fatalf("client B's customer lists %v", got)
	}
	mustStatus(t, call(t, other, loopback, "POST", "/api/v1/payments", `{"client_id":"`+a+`","method_id":"`+f.money.manual.String()+`","amount":{"amount":"1.00","currency":"USD"}}`), 404)

	// Bad input names the field.
	mustFieldError(t, call(t, cust, loopback, "POST", "/api/v1/payments", `{"client_id":"`+a+`","method_id":"`+f.money.manual.String()+`","amount":{"amount":"-1.00","currency":"USD"}}`),
		400, "payment.amount_not_positive", "amount")
	mustFieldError(t, call(t, cust, loopback, "POST", "/api/v1/payments", `{"client_id":"`+a+`","method_id":"`+f.money.manual.String()+`","amount":{"amount":"1.00","currency":"EUR"}}`),
		400, "payment.currency_mismatch", "amount")
	mustFieldError(t, call(t, cust, loopback, "POST", "/api/v1/payments", `{"client_id":"`+a+`","method_id":"`+f.money.manual.String()+`"}`), 400, "required", "amount")
	mustFieldError(t, call(t, cust, loopback, "POST", "/api/v1/payments", `{"client_id":"`+a+`","method_id":"x","amount":{"amount":"1.00","currency":"USD"}}`), 400, "id.malformed", "method_id")
}

func TestPaymentWithBalanceMethodPaysTheInvoice(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	staff := w.as(w.login(t, w.admin.Email))
	cust := w.as(w.login(t, w.payingCustomer(t, "payer-a@example.com", f.clientA).Email))
	a := f.clientA.String()
	send(t, staff, "POST", "/api/v1/ledger-entries", `{"client_id":"`+a+`","amount":{"amount":"50.00","currency":"USD"},"memo":"Prepaid"}`, 201)
	send(t, staff, "POST", "/api/v1/invoices/"+f.money.invoice.String()+"/issue", "", 200)

	body := `{"client_id":"` + a + `","method_id":"` + f.money.balance.String() + `","invoice_id":"` + f.money.invoice.String() + `"}`
	r := send(t, cust, "POST", "/api/v1/payments", body, 200)
	var ans struct {
		Payment map[string]any `json:"payment"`
		Invoice map[string]any `json:"invoice"`
	}
	r.decode(t, &ans)
	if ans.Payment != nil || ans.Invoice["status"] != "paid" {
		t.Fatalf("paid from the balance: %s", r.Body)
	}
	// Nothing is left to pay.
	mustFieldError(t, call(t, cust, loopback, "POST", "/api/v1/payments", body), 422, "invoice.not_payable", "")
	// The balance gateway pays invoices, not top-ups.
	mustFieldError(t, call(t, cust, loopback, "POST", "/api/v1/payments", `{"client_id":"`+a+`","method_id":"`+f.money.balance.String()+`","amount":{"amount":"1.00","currency":"USD"}}`),
		400, "payment.balance_needs_invoice", "invoice_id")
}

// TestStripeTopUpEndToEnd is a customer's top-up by card through Stripe
// (the fake): the payment starts with a Checkout page, the customer pays
// there, Stripe's signed webhook reaches the callback, the balance is
// credited once however often the webhook comes, and a forged webhook
// changes nothing. The money then pays an invoice, downloaded as a PDF.
func TestStripeTopUpEndToEnd(t *testing.T) {
	w := newWorld(t)
	fake := stripetest.NewServer(t, stripetest.Config{Clock: w.clock})
	w.useMoneyCore(t, fake)
	f := w.fixtures(t)
	staff := w.as(w.login(t, w.admin.Email))
	cust := w.as(w.login(t, w.payingCustomer(t, "payer-a@example.com", f.clientA).Email))
	a := f.clientA.String()

	r := send(t, staff, "POST", "/api/v1/payment-methods", `{"company_id":"`+f.company.String()+`","gateway":"stripe","name":{"en":"Card"},`+
		`"settings":{"secret_key":"`+fake.SecretKey+`","webhook_secret":"`+fake.WebhookSecret+`"}}`, 201)
	if strings.Contains(r.Body, fake.SecretKey) || strings.Contains(r.Body, fake.WebhookSecret) {
		t.Fatalf("secrets shown: %s", r.Body)
	}
	method, _ := r.object(t)["id"].(string)
	callback := "/api/v1/payments/callback/" + method

	r = send(t, cust, "POST", "/api/v1/payments", `{"client_id":"`+a+`","method_id":"`+method+`","amount":{"amount":"50.00","currency":"USD"},`+
		`"return_url":"https://panel.example.com/paid","cancel_url":"https://panel.example.com/cancelled"}`, 201)
	var ans struct {
		Payment struct {
			ID               string `json:"id"`
			Status           string `json:"status"`
			RedirectURL      string `json:"redirect_url"`
			GatewayPaymentID string `json:"gateway_payment_id"`
		} `json:"payment"`
	}
	r.decode(t, &ans)
	p := ans.Payment
	if p.Status != "pending" || p.RedirectURL == "" || !strings.HasPrefix(p.GatewayPaymentID, "cs_") {
		t.Fatalf("started: %s", r.Body)
	}

	ev, err := fake.CompleteSession(p.GatewayPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	// Stripe posts from elsewhere, with no credential.
	hdr := ev.Header.Clone()
	hdr.Set("Sec-Fetch-Site", "cross-site")
	hdr.Set("Origin", "https://hooks.stripe.example")
	balance := func() string {
		t.Helper()
		return money(send(t, staff, "GET", "/api/v1/clients/"+a+"/balance", "", 200).object(t)["balance"])
	}
	before := balance()
	r = callWith(t, w.h, "POST", callback, ev.Body, hdr)
	mustStatus(t, r, 200)
	// Those headers are what the cross-origin check refuses elsewhere.
	mustFieldError(t, callWith(t, w.h, "POST", "/api/v1/auth/login", []byte(`{"email":"a@example.com","password":"x"}`), hdr), 403, "auth.cross_origin", "")
	r = send(t, cust, "GET", "/api/v1/payments/"+p.ID, "", 200)
	if got := r.object(t); got["status"] != "paid" || money(got["credited"]) != "50.00 USD" {
		t.Fatalf("after the webhook: %s", r.Body)
	}
	// The fixtures' charge of 10.00 was the balance before.
	if before != "-10.00 USD" || balance() != "40.00 USD" {
		t.Fatalf("balance %s, then %s", before, balance())
	}

	// The same webhook again: 200, nothing changes.
	mustStatus(t, callWith(t, w.h, "POST", callback, ev.Body, hdr), 200)
	if got := balance(); got != "40.00 USD" {
		t.Fatalf("balance after a repeated webhook: %s", got)
	}
	// A forged webhook: a signature of another secret, or a body changed
	// under a good signature.
	forged := hdr.Clone()
	forged.Set("Stripe-Signature", stripetest.SignatureHeader(ev.Body, "whsec_forged", w.clock.Now()))
	r = callWith(t, w.h, "POST", callback, ev.Body, forged)
	e := mustError(t, r, 401, "unauthenticated", "")
	if e.Reason != "payment.callback_signature" {
		t.Fatalf("forged: %s", r.Body)
	}
	// Even a space more in the body breaks the signature over its bytes.
	tampered := append([]byte(" "), ev.Body...)
	mustError(t, callWith(t, w.h, "POST", callback, tampered, hdr), 401, "unauthenticated", "")
	if got := balance(); got != "40.00 USD" {
		t.Fatalf("balance after forged webhooks: %s", got)
	}
	// An event of a payment nobody knows, signed well: 404.
	unknownBody, unknownHdr := fake.Event("checkout.session.completed", map[string]any{
		"id": "cs_unknown", "object": "checkout.session", "status": "complete", "payment_status": "paid", "amount_total": 100,
		"currency": "usd", "metadata": map[string]string{stripe.MetadataPaymentID: billkit.NewID[billing.Payment]().String()},
	})
	mustStatus(t, callWith(t, w.h, "POST", callback, unknownBody, unknownHdr), 404)
	// The body anyone may post is bounded.
	mustFieldError(t, callWith(t, w.h, "POST", callback, bytes.Repeat([]byte("x"), maxCallbackBody+1), hdr), 400, "request.too_large", "")
	mustStatus(t, callWith(t, w.h, "POST", "/api/v1/payments/callback/nope", ev.Body, hdr), 400)

	// An invoice issued to the client, downloaded, and paid from the
	// balance the card topped up.
	r = send(t, staff, "POST", "/api/v1/invoices", `{"company_id":"`+f.company.String()+`","client_id":"`+a+`","lines":[`+
		`{"description":"VPS, March","quantity":"1","unit_price":{"amount":"30.00","currency":"USD"}}]}`, 201)
	inv, _ := r.object(t)["id"].(string)
	r = send(t, staff, "POST", "/api/v1/invoices/"+inv+"/issue", "", 200)
	number, _ := r.object(t)["number"].(string)
	r = send(t, cust, "GET", "/api/v1/invoices/"+inv+"/pdf", "", 200)
	if !strings.HasPrefix(r.Body, "%PDF") || r.Header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(r.Header.Get("Content-Disposition"), number+".pdf") {
		t.Fatalf("PDF: %v %.20q", r.Header, r.Body)
	}
	r = send(t, cust, "POST", "/api/v1/invoices/"+inv+"/pay-from-balance", "", 200)
	if got := r.object(t); got["status"] != "paid" {
		t.Fatalf("paid from the balance: %s", r.Body)
	}
	if got := balance(); got != "10.00 USD" {
		t.Fatalf("balance after paying 30.00: %s", got)
	}
}
