package stripe_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/billing/stripe"
	"github.com/billkit/billkit/billing/stripe/stripetest"
)

var (
	ctx     = context.Background()
	t0      = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	success = "https://panel.example.com/payments/done?session={CHECKOUT_SESSION_ID}"
	cancel  = "https://panel.example.com/payments/cancelled"
)

type fixture struct {
	srv   *stripetest.Server
	gw    *stripe.Gateway
	clock *billkit.FakeClock
}

func newFixture(t *testing.T, cfg stripetest.Config) *fixture {
	t.Helper()
	clock := billkit.NewFakeClock(t0)
	cfg.Clock = clock
	srv := stripetest.NewServer(t, cfg)
	gw := stripe.New(stripe.Config{BackendURL: srv.URL, Clock: clock, MaxNetworkRetries: -1})
	return &fixture{srv: srv, gw: gw, clock: clock}
}

func money(amount, currency string) billkit.Money { return billkit.MustParseMoney(amount, currency) }

func (f *fixture) request(amount billkit.Money) billing.StartPaymentRequest {
	return billing.StartPaymentRequest{
		PaymentID:   billkit.NewID[billing.Payment](),
		Amount:      amount,
		Description: "VPS S, December",
		ClientID:    billkit.NewClientID(),
		ClientEmail: "ann@example.com",
		Locale:      "ru",
		ReturnURL:   success,
		CancelURL:   cancel,
		Settings:    f.srv.Settings(),
	}
}

func (f *fixture) start(t *testing.T, r billing.StartPaymentRequest) billing.StartPaymentResult {
	t.Helper()
	res, err := f.gw.Start(ctx, r)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return res
}

func (f *fixture) callback(t *testing.T, e stripetest.Event) billing.GatewayReport {
	t.Helper()
	rep, err := f.parse(e.Body, e.Header)
	if err != nil {
		t.Fatalf("ParseCallback(%s): %v", e.Type, err)
	}
	return rep
}

func (f *fixture) parse(body []byte, h http.Header) (billing.GatewayReport, error) {
	return f.gw.ParseCallback(ctx, billing.CallbackRequest{Header: h, Body: body, Settings: f.srv.Settings()})
}

// lastRequest returns the last API request to path.
func (f *fixture) lastRequest(t *testing.T, method, path string) stripetest.Request {
	t.Helper()
	reqs := f.srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Method == method && reqs[i].Path == path {
			return reqs[i]
		}
	}
	t.Fatalf("no %s %s request", method, path)
	return stripetest.Request{}
}

func wantMoney(t *testing.T, what string, got, want billkit.Money) {
	t.Helper()
	if !got.Equal(want) || got.Currency() != want.Currency() {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func wantCode(t *testing.T, err error, code billkit.Code, reason string) {
	t.Helper()
	if !billkit.IsCode(err, code) || (reason != "" && billkit.ErrorReason(err) != reason) {
		t.Fatalf("error = %v, want %s (%s)", err, code, reason)
	}
}

func wantField(t *testing.T, err error, field, reason string) {
	t.Helper()
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid {
		t.Fatalf("error = %v, want invalid", err)
	}
	f, ok := e.Field(field)
	if !ok || f.Reason != reason {
		t.Fatalf("error = %v, want field %s with reason %s", err, field, reason)
	}
}

func TestGatewayCodeAndCapabilities(t *testing.T) {
	g := stripe.New(stripe.Config{})
	if g.Code() != "stripe" {
		t.Errorf("Code = %q", g.Code())
	}
	c := g.Capabilities()
	if !c.Refund || !c.PartialRefund || !c.SaveMethod || !c.Callbacks || len(c.Currencies) != 0 {
		t.Errorf("Capabilities = %+v", c)
	}
}

func TestStartCompleteCallbackPaid(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	r := f.request(money("12.34", "USD"))
	res := f.start(t, r)
	if res.Status != billing.PaymentPending || !strings.HasPrefix(res.GatewayPaymentID, "cs_") {
		t.Fatalf("Start = %+v", res)
	}
	cs, ok := f.srv.Session(res.GatewayPaymentID)
	if !ok || res.RedirectURL != cs.URL || res.RedirectURL == "" {
		t.Fatalf("RedirectURL = %q, session %+v", res.RedirectURL, cs)
	}

	req := f.lastRequest(t, http.MethodPost, "/v1/checkout/sessions")
	id := r.PaymentID.String()
	for k, want := range map[string]string{
		"mode":                                              "payment",
		"line_items[0][price_data][unit_amount]":            "1234",
		"line_items[0][price_data][currency]":               "usd",
		"line_items[0][price_data][product_data][name]":     "VPS S, December",
		"line_items[0][quantity]":                           "1",
		"success_url":                                       success,
		"cancel_url":                                        cancel,
		"client_reference_id":                               id,
		"metadata[billkit_payment_id]":                      id,
		"metadata[billkit_client_id]":                       r.ClientID.String(),
		"payment_intent_data[metadata][billkit_payment_id]": id,
		"customer_email":                                    "ann@example.com",
		"locale":                                            "ru",
	} {
		if got := req.Params.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if req.IdempotencyKey != id {
		t.Errorf("Idempotency-Key = %q, want the payment ID %q", req.IdempotencyKey, id)
	}
	if req.Params.Has("payment_intent_data[setup_future_usage]") {
		t.Error("setup_future_usage sent without SaveMethod")
	}

	e, err := f.srv.CompleteSession(res.GatewayPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	rep := f.callback(t, e)
	if rep.Ignore || rep.Status != billing.PaymentPaid || rep.EventID != e.ID ||
		rep.GatewayPaymentID != res.GatewayPaymentID || rep.PaymentID != r.PaymentID || rep.SavedMethod != nil {
		t.Fatalf("report = %+v", rep)
	}
	wantMoney(t, "Amount", rep.Amount, money("12.34", "USD"))
}

func TestStartSameBillingPaymentTwiceMakesOneSession(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	r := f.request(money("10.00", "EUR"))
	a := f.start(t, r)
	b := f.start(t, r)
	if a.GatewayPaymentID != b.GatewayPaymentID || a.RedirectURL != b.RedirectURL {
		t.Fatalf("two starts gave %+v and %+v", a, b)
	}
	if req := f.lastRequest(t, http.MethodPost, "/v1/checkout/sessions"); !req.Replayed {
		t.Error("the second start was not an idempotent replay")
	}
	if _, ok := f.srv.Session("cs_test_000002"); ok {
		t.Error("a second session exists")
	}
}

func TestStartMinorUnitsOfZeroAndThreeDecimalCurrencies(t *testing.T) {
	for _, c := range []struct {
		amount, currency, minor, stripeCurrency string
	}{
		{"5000", "JPY", "5000", "jpy"},
		{"12.340", "BHD", "12340", "bhd"},
		{"0.5", "BHD", "500", "bhd"},
		{"150000", "KRW", "150000", "krw"},
		{"0.01", "USD", "1", "usd"},
		{"19.9", "EUR", "1990", "eur"},
		{"4990", "ISK", "499000", "isk"},
	} {
		t.Run(c.currency+"_"+c.amount, func(t *testing.T) {
			f := newFixture(t, stripetest.Config{})
			amount := money(c.amount, c.currency)
			res := f.start(t, f.request(amount))
			req := f.lastRequest(t, http.MethodPost, "/v1/checkout/sessions")
			if got := req.Params.Get("line_items[0][price_data][unit_amount]"); got != c.minor {
				t.Errorf("unit_amount = %s, want %s", got, c.minor)
			}
			if got := req.Params.Get("line_items[0][price_data][currency]"); got != c.stripeCurrency {
				t.Errorf("currency = %s, want %s", got, c.stripeCurrency)
			}
			e, err := f.srv.CompleteSession(res.GatewayPaymentID)
			if err != nil {
				t.Fatal(err)
			}
			wantMoney(t, "Amount", f.callback(t, e).Amount, amount)
		})
	}
}

func TestStartRefusesAmountsStripeCannotTakeExactly(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	for _, c := range []struct {
		amount billkit.Money
		reason string
	}{
		{money("1.5", "JPY"), stripe.ReasonAmountPrecision},
		{money("12.345", "BHD"), stripe.ReasonAmountPrecision}, // Stripe wants the last digit 0
		{money("1.234", "USD"), stripe.ReasonAmountPrecision},
		{money("10.50", "ISK"), stripe.ReasonAmountPrecision},
		{money("0", "USD"), stripe.ReasonAmountNotPositive},
		{money("-5", "USD"), stripe.ReasonAmountNotPositive},
		{money("1000000", "USD"), stripe.ReasonAmountTooLarge},
		{money("10", "BONUS"), stripe.ReasonCurrencyUnsupported},
		{billkit.Money{}, "required"},
	} {
		_, err := f.gw.Start(ctx, f.request(c.amount))
		wantField(t, err, "amount", c.reason)
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached Stripe", n)
	}
}

func TestStartValidatesTheRequest(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	_, err := f.gw.Start(ctx, billing.StartPaymentRequest{Amount: money("1", "USD")})
	for _, field := range []string{"settings.secret_key", "payment_id", "return_url"} {
		wantField(t, err, field, "required")
	}
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached Stripe", n)
	}
}

func TestSecretKeyIsRequired(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	r := f.request(money("1.00", "USD"))
	r.Settings = map[string]string{"webhook_secret": f.srv.WebhookSecret}
	_, err := f.gw.Start(ctx, r)
	wantField(t, err, "settings.secret_key", "required")
	r.SavedMethod = "cus_1/pm_1"
	_, err = f.gw.ChargeSaved(ctx, r)
	wantField(t, err, "settings.secret_key", "required")
	_, err = f.gw.Query(ctx, billing.QueryPaymentRequest{GatewayPaymentID: "cs_test_1"})
	wantField(t, err, "settings.secret_key", "required")
	_, err = f.gw.Refund(ctx, billing.RefundRequest{GatewayPaymentID: "cs_test_1", RefundID: "r1", Amount: money("1", "USD")})
	wantField(t, err, "settings.secret_key", "required")
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached Stripe", n)
	}
}

func TestWrongSecretKeyIsAFailedPrecondition(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	r := f.request(money("1.00", "USD"))
	r.Settings = map[string]string{"secret_key": "sk_test_other"}
	_, err := f.gw.Start(ctx, r)
	wantCode(t, err, billkit.CodeFailedPrecondition, stripe.ReasonAuthentication)
}

func TestStripeUnreachableIsUnavailable(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	f.srv.Close()
	_, err := f.gw.Start(ctx, f.request(money("1.00", "USD")))
	wantCode(t, err, billkit.CodeUnavailable, stripe.ReasonUnavailable)
}

func TestCallbackSignature(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	res := f.start(t, f.request(money("5.00", "USD")))
	e, err := f.srv.CompleteSession(res.GatewayPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	header := func(v string) http.Header { return http.Header{"Stripe-Signature": {v}} }
	tampered := []byte(strings.Replace(string(e.Body), `"amount_total":500`, `"amount_total":5`, 1))
	if string(tampered) == string(e.Body) {
		t.Fatal("the body was not tampered with")
	}
	cases := []struct {
		name   string
		body   []byte
		header http.Header
	}{
		{"tampered body", tampered, e.Header},
		{"wrong secret", e.Body, header(stripetest.SignatureHeader(e.Body, "whsec_other", t0))},
		{"stale timestamp", e.Body, header(stripetest.SignatureHeader(e.Body, f.srv.WebhookSecret, t0.Add(-6*time.Minute)))},
		{"future timestamp", e.Body, header(stripetest.SignatureHeader(e.Body, f.srv.WebhookSecret, t0.Add(6*time.Minute)))},
		{"no header", e.Body, http.Header{}},
		{"no v1", e.Body, header("t=" + "1795000000")},
		{"no timestamp", e.Body, header("v1=abcd")},
		{"malformed", e.Body, header("garbage")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.parse(c.body, c.header)
			wantCode(t, err, billkit.CodeUnauthenticated, billing.ReasonCallbackSignature)
		})
	}

	t.Run("within tolerance", func(t *testing.T) {
		f.clock.Advance(4 * time.Minute)
		defer f.clock.Set(t0)
		if _, err := f.parse(e.Body, e.Header); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("late delivery", func(t *testing.T) {
		f.clock.Advance(6 * time.Minute)
		defer f.clock.Set(t0)
		_, err := f.parse(e.Body, e.Header)
		wantCode(t, err, billkit.CodeUnauthenticated, billing.ReasonCallbackSignature)
	})
	t.Run("a rolled secret among several signatures", func(t *testing.T) {
		old := stripetest.SignatureHeader(e.Body, "whsec_old", t0)
		cur := stripetest.SignatureHeader(e.Body, f.srv.WebhookSecret, t0)
		_, v1, _ := strings.Cut(cur, ",")
		if _, err := f.parse(e.Body, header(old+","+v1)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("header name in lower case", func(t *testing.T) {
		h := map[string][]string{"stripe-signature": e.Header.Values("Stripe-Signature")}
		if _, err := f.parse(e.Body, h); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("tolerance turned off", func(t *testing.T) {
		g := stripe.New(stripe.Config{BackendURL: f.srv.URL, Clock: billkit.NewFakeClock(t0.AddDate(1, 0, 0)), WebhookTolerance: -1})
		if _, err := g.ParseCallback(ctx, billing.CallbackRequest{Header: e.Header, Body: e.Body, Settings: f.srv.Settings()}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("no webhook secret", func(t *testing.T) {
		_, err := f.gw.ParseCallback(ctx, billing.CallbackRequest{Header: e.Header, Body: e.Body,
			Settings: map[string]string{"secret_key": f.srv.SecretKey}})
		wantField(t, err, "settings.webhook_secret", "required")
	})
}

func TestCallbackDuplicateEventGivesTheSameReport(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	r := f.request(money("7.00", "GBP"))
	r.SaveMethod = true
	res := f.start(t, r)
	e, err := f.srv.CompleteSession(res.GatewayPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	a, b := f.callback(t, e), f.callback(t, e)
	if a.EventID != b.EventID || a.Status != b.Status || a.GatewayPaymentID != b.GatewayPaymentID ||
		a.PaymentID != b.PaymentID || !a.Amount.Equal(b.Amount) || a.SavedMethod == nil || b.SavedMethod == nil ||
		*a.SavedMethod != *b.SavedMethod {
		t.Fatalf("reports differ: %+v and %+v", a, b)
	}
}

func TestCallbackDelayedPaymentsAndExpiry(t *testing.T) {
	f := newFixture(t, stripetest.Config{})

	ok := f.start(t, f.request(money("30.00", "EUR")))
	e, err := f.srv.PaySession(ok.GatewayPaymentID, stripetest.Pay{Delayed: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep := f.callback(t, e); rep.Status != billing.PaymentPending || rep.GatewayPaymentID != ok.GatewayPaymentID {
		t.Fatalf("completed unpaid = %+v", rep)
	}
	if e, err = f.srv.SucceedDelayedPayment(ok.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	rep := f.callback(t, e)
	if rep.Status != billing.PaymentPaid {
		t.Fatalf("async succeeded = %+v", rep)
	}
	wantMoney(t, "Amount", rep.Amount, money("30.00", "EUR"))

	bad := f.start(t, f.request(money("30.00", "EUR")))
	if _, err := f.srv.PaySession(bad.GatewayPaymentID, stripetest.Pay{Delayed: true}); err != nil {
		t.Fatal(err)
	}
	if e, err = f.srv.FailDelayedPayment(bad.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	if rep := f.callback(t, e); rep.Status != billing.PaymentFailed || rep.GatewayPaymentID != bad.GatewayPaymentID {
		t.Fatalf("async failed = %+v", rep)
	}
	q, err := f.gw.Query(ctx, billing.QueryPaymentRequest{GatewayPaymentID: bad.GatewayPaymentID, Settings: f.srv.Settings()})
	if err != nil || q.Status != billing.PaymentFailed {
		t.Fatalf("Query of the failed payment = %+v, %v", q, err)
	}

	gone := f.start(t, f.request(money("30.00", "EUR")))
	if e, err = f.srv.ExpireSession(gone.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	if rep := f.callback(t, e); rep.Status != billing.PaymentCancelled || rep.GatewayPaymentID != gone.GatewayPaymentID {
		t.Fatalf("expired = %+v", rep)
	}
}

func TestCallbackIgnoresWhatBillkitDoesNotTrack(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	check := func(name string, body []byte, h http.Header) {
		t.Helper()
		rep, err := f.parse(body, h)
		if err != nil || !rep.Ignore || rep.EventID == "" {
			t.Errorf("%s: report %+v, %v; want ignored with the event ID", name, rep, err)
		}
	}
	body, h := f.srv.Event("customer.created", map[string]any{"id": "cus_1", "object": "customer"})
	check("another type", body, h)
	body, h = f.srv.Event("checkout.session.completed", map[string]any{
		"id": "cs_test_other", "object": "checkout.session", "status": "complete", "payment_status": "paid",
		"amount_total": 100, "currency": "usd", "metadata": map[string]string{},
	})
	check("a session made outside billkit", body, h)

	// A Checkout payment's PaymentIntent events: the session's events
	// report it.
	res := f.start(t, f.request(money("3.00", "USD")))
	if _, err := f.srv.CompleteSession(res.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	cs, _ := f.srv.Session(res.GatewayPaymentID)
	body, h = f.srv.Event("payment_intent.succeeded", cs.PaymentIntent)
	check("a Checkout PaymentIntent", body, h)
}

func TestCallbackThatIsNotAnEvent(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	for _, body := range []string{`not json`, `{"object":"customer","id":"cus_1"}`, `{"object":"event","id":"evt_1"}`} {
		_, err := f.parse([]byte(body), f.srv.Sign([]byte(body)))
		wantCode(t, err, billkit.CodeInvalid, stripe.ReasonEventMalformed)
	}
	body, h := f.srv.Event("checkout.session.completed", []string{"not", "a", "session"})
	_, err := f.parse(body, h)
	wantCode(t, err, billkit.CodeInvalid, stripe.ReasonEventMalformed)
}

func TestQuery(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	r := f.request(money("20.00", "USD"))
	res := f.start(t, r)
	query := func() billing.GatewayReport {
		t.Helper()
		rep, err := f.gw.Query(ctx, billing.QueryPaymentRequest{PaymentID: r.PaymentID, GatewayPaymentID: res.GatewayPaymentID, Settings: f.srv.Settings()})
		if err != nil {
			t.Fatalf("Query: %v", err)
		}
		return rep
	}
	if rep := query(); rep.Status != billing.PaymentPending || rep.PaymentID != r.PaymentID {
		t.Fatalf("open session = %+v", rep)
	}
	if _, err := f.srv.CompleteSession(res.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	rep := query()
	if rep.Status != billing.PaymentPaid || rep.GatewayPaymentID != res.GatewayPaymentID || rep.PaymentID != r.PaymentID {
		t.Fatalf("paid session = %+v", rep)
	}
	wantMoney(t, "Amount", rep.Amount, money("20.00", "USD"))

	if _, err := f.srv.RefundPayment(res.GatewayPaymentID, 250); err != nil {
		t.Fatal(err)
	}
	rep = query()
	if rep.Status != billing.PaymentPartlyRefunded {
		t.Fatalf("partly refunded session = %+v", rep)
	}
	wantMoney(t, "Refunded", rep.Refunded, money("2.50", "USD"))
	if _, err := f.srv.RefundPayment(res.GatewayPaymentID, 0); err != nil {
		t.Fatal(err)
	}
	if rep = query(); rep.Status != billing.PaymentRefunded {
		t.Fatalf("refunded session = %+v", rep)
	}
	wantMoney(t, "Refunded", rep.Refunded, money("20.00", "USD"))

	other := f.start(t, f.request(money("20.00", "USD")))
	if _, err := f.srv.ExpireSession(other.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	q, err := f.gw.Query(ctx, billing.QueryPaymentRequest{GatewayPaymentID: other.GatewayPaymentID, Settings: f.srv.Settings()})
	if err != nil || q.Status != billing.PaymentCancelled {
		t.Fatalf("expired session = %+v, %v", q, err)
	}
}

func TestQueryErrors(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	_, err := f.gw.Query(ctx, billing.QueryPaymentRequest{GatewayPaymentID: "cs_test_missing", Settings: f.srv.Settings()})
	wantCode(t, err, billkit.CodeNotFound, stripe.ReasonNotFound)
	_, err = f.gw.Query(ctx, billing.QueryPaymentRequest{GatewayPaymentID: "ch_1", Settings: f.srv.Settings()})
	wantField(t, err, "gateway_payment_id", stripe.ReasonGatewayPaymentIDMalformed)
	_, err = f.gw.Query(ctx, billing.QueryPaymentRequest{Settings: f.srv.Settings()})
	wantField(t, err, "gateway_payment_id", "required")
}

func TestRefundPartialThenFull(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	r := f.request(money("12.34", "USD"))
	res := f.start(t, r)
	if _, err := f.srv.CompleteSession(res.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	refund := func(id, amount string) (billing.RefundResult, error) {
		return f.gw.Refund(ctx, billing.RefundRequest{PaymentID: r.PaymentID, GatewayPaymentID: res.GatewayPaymentID,
			RefundID: id, Amount: money(amount, "USD"), Reason: "customer asked", Settings: f.srv.Settings()})
	}
	first, err := refund("refund-1", "5.01")
	if err != nil {
		t.Fatal(err)
	}
	if first.Pending || !strings.HasPrefix(first.GatewayRefundID, "re_") {
		t.Fatalf("refund = %+v", first)
	}
	req := f.lastRequest(t, http.MethodPost, "/v1/refunds")
	if req.Params.Get("amount") != "501" || req.IdempotencyKey != "refund-1" ||
		req.Params.Get("metadata[billkit_refund_id]") != "refund-1" || req.Params.Get("metadata[billkit_payment_id]") != r.PaymentID.String() {
		t.Errorf("refund request = %+v", req)
	}

	again, err := refund("refund-1", "5.01")
	if err != nil || again != first {
		t.Fatalf("the same refund again = %+v, %v; want %+v", again, err, first)
	}
	if n := len(f.srv.Refunds(res.GatewayPaymentID)); n != 1 {
		t.Fatalf("%d refunds after repeating one", n)
	}

	_, err = refund("refund-2", "7.33")
	if err != nil {
		t.Fatal(err)
	}
	refunds := f.srv.Refunds(res.GatewayPaymentID)
	if len(refunds) != 2 || refunds[0].Amount != 501 || refunds[1].Amount != 733 {
		t.Fatalf("refunds = %+v", refunds)
	}
	events := f.srv.Events()
	rep := f.callback(t, events[len(events)-1])
	if rep.Status != billing.PaymentRefunded || rep.GatewayPaymentID != res.GatewayPaymentID || rep.PaymentID != r.PaymentID {
		t.Fatalf("charge.refunded = %+v", rep)
	}
	wantMoney(t, "Refunded", rep.Refunded, money("12.34", "USD"))
	wantMoney(t, "Amount", rep.Amount, money("12.34", "USD"))

	_, err = refund("refund-3", "0.01")
	wantCode(t, err, billkit.CodeInvalid, stripe.ReasonInvalidRequest)
}

func TestRefundEventOfAPartialRefund(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	r := f.request(money("100", "JPY"))
	res := f.start(t, r)
	if _, err := f.srv.CompleteSession(res.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	e, err := f.srv.RefundPayment(res.GatewayPaymentID, 30)
	if err != nil {
		t.Fatal(err)
	}
	rep := f.callback(t, e)
	if rep.Status != billing.PaymentPartlyRefunded || rep.GatewayPaymentID != res.GatewayPaymentID {
		t.Fatalf("report = %+v", rep)
	}
	wantMoney(t, "Refunded", rep.Refunded, money("30", "JPY"))
}

func TestRefundExactMinorUnitsAndChecks(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	res := f.start(t, f.request(money("25.000", "KWD")))
	refund := func(amount billkit.Money) (billing.RefundResult, error) {
		return f.gw.Refund(ctx, billing.RefundRequest{GatewayPaymentID: res.GatewayPaymentID,
			RefundID: billkit.NewID[billing.Payment]().String(), Amount: amount, Settings: f.srv.Settings()})
	}
	_, err := refund(money("1", "KWD"))
	wantCode(t, err, billkit.CodeFailedPrecondition, stripe.ReasonNotPaid)
	if _, err := f.srv.CompleteSession(res.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	if _, err := refund(money("2.37", "KWD")); err != nil {
		t.Fatal(err)
	}
	if got := f.lastRequest(t, http.MethodPost, "/v1/refunds").Params.Get("amount"); got != "2370" {
		t.Errorf("amount = %s, want 2370", got)
	}
	_, err = refund(money("2.375", "KWD"))
	wantField(t, err, "amount", stripe.ReasonAmountPrecision)
	_, err = refund(money("2", "USD"))
	wantField(t, err, "amount", stripe.ReasonCurrencyMismatch)
	_, err = f.gw.Refund(ctx, billing.RefundRequest{GatewayPaymentID: res.GatewayPaymentID, Amount: money("1", "KWD"), Settings: f.srv.Settings()})
	wantField(t, err, "refund_id", "required")
}

func TestRefundPending(t *testing.T) {
	f := newFixture(t, stripetest.Config{RefundsPending: true})
	res := f.start(t, f.request(money("9.00", "EUR")))
	if _, err := f.srv.CompleteSession(res.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	got, err := f.gw.Refund(ctx, billing.RefundRequest{GatewayPaymentID: res.GatewayPaymentID, RefundID: "r-1",
		Amount: money("9", "EUR"), Settings: f.srv.Settings()})
	if err != nil || !got.Pending || got.GatewayRefundID == "" {
		t.Fatalf("Refund = %+v, %v; want pending", got, err)
	}
}

func TestSavedMethodChargePaid(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	first := f.request(money("15.00", "USD"))
	first.SaveMethod = true
	res := f.start(t, first)
	req := f.lastRequest(t, http.MethodPost, "/v1/checkout/sessions")
	if req.Params.Get("payment_intent_data[setup_future_usage]") != "off_session" || req.Params.Get("customer_creation") != "always" {
		t.Errorf("a saving session was created with %v", req.Params)
	}
	e, err := f.srv.CompleteSession(res.GatewayPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	rep := f.callback(t, e)
	cs, _ := f.srv.Session(res.GatewayPaymentID)
	pi, _ := f.srv.PaymentIntent(cs.PaymentIntent)
	want := billing.SavedMethodRef{Ref: cs.Customer + "/" + pi.PaymentMethod, Label: "Visa •••• 4242"}
	if rep.Status != billing.PaymentPaid || rep.SavedMethod == nil || *rep.SavedMethod != want {
		t.Fatalf("report = %+v, saved %+v; want %+v", rep, rep.SavedMethod, want)
	}
	q, err := f.gw.Query(ctx, billing.QueryPaymentRequest{GatewayPaymentID: res.GatewayPaymentID, Settings: f.srv.Settings()})
	if err != nil || q.SavedMethod == nil || *q.SavedMethod != want {
		t.Fatalf("Query = %+v, %v", q, err)
	}

	next := f.request(money("15.00", "USD"))
	next.SavedMethod = rep.SavedMethod.Ref
	charged, err := f.gw.ChargeSaved(ctx, next)
	if err != nil {
		t.Fatal(err)
	}
	if charged.Status != billing.PaymentPaid || !strings.HasPrefix(charged.GatewayPaymentID, "pi_") || charged.PaymentID != next.PaymentID {
		t.Fatalf("ChargeSaved = %+v", charged)
	}
	wantMoney(t, "Amount", charged.Amount, money("15.00", "USD"))
	req = f.lastRequest(t, http.MethodPost, "/v1/payment_intents")
	for k, want := range map[string]string{
		"amount": "1500", "currency": "usd", "customer": cs.Customer, "payment_method": pi.PaymentMethod,
		"confirm": "true", "off_session": "true", "metadata[billkit_payment_id]": next.PaymentID.String(),
	} {
		if got := req.Params.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if req.IdempotencyKey != next.PaymentID.String() {
		t.Errorf("Idempotency-Key = %q", req.IdempotencyKey)
	}

	again, err := f.gw.ChargeSaved(ctx, next)
	if err != nil || again.GatewayPaymentID != charged.GatewayPaymentID || again.Status != billing.PaymentPaid {
		t.Fatalf("the same charge again = %+v, %v", again, err)
	}
	if _, ok := f.srv.PaymentIntent("pi_000003"); ok {
		t.Error("charging the same payment twice made a second PaymentIntent")
	}

	events := f.srv.Events()
	last := events[len(events)-1]
	if last.Type != "payment_intent.succeeded" {
		t.Fatalf("last event = %s", last.Type)
	}
	if rep := f.callback(t, last); rep.Status != billing.PaymentPaid || rep.GatewayPaymentID != charged.GatewayPaymentID || rep.PaymentID != next.PaymentID {
		t.Fatalf("payment_intent.succeeded = %+v", rep)
	}
	q, err = f.gw.Query(ctx, billing.QueryPaymentRequest{GatewayPaymentID: charged.GatewayPaymentID, Settings: f.srv.Settings()})
	if err != nil || q.Status != billing.PaymentPaid || q.PaymentID != next.PaymentID {
		t.Fatalf("Query of the charge = %+v, %v", q, err)
	}

	// A saved charge refunds like a session.
	if _, err := f.gw.Refund(ctx, billing.RefundRequest{GatewayPaymentID: charged.GatewayPaymentID, RefundID: "rf",
		Amount: money("15", "USD"), Settings: f.srv.Settings()}); err != nil {
		t.Fatal(err)
	}
	events = f.srv.Events()
	if rep := f.callback(t, events[len(events)-1]); rep.Status != billing.PaymentRefunded || rep.GatewayPaymentID != charged.GatewayPaymentID {
		t.Fatalf("charge.refunded of a saved charge = %+v", rep)
	}
}

func TestSavedMethodChargeDeclined(t *testing.T) {
	for _, card := range []stripetest.Card{stripetest.CardDeclined, stripetest.CardInsufficientFunds, stripetest.CardAuthenticationRequired} {
		t.Run(string(card), func(t *testing.T) {
			f := newFixture(t, stripetest.Config{})
			cus, pm := f.srv.SaveCard("ann@example.com", card)
			r := f.request(money("15.00", "USD"))
			r.SavedMethod = stripe.SavedMethodRef(cus, pm)
			rep, err := f.gw.ChargeSaved(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Status != billing.PaymentFailed || !strings.HasPrefix(rep.GatewayPaymentID, "pi_") || rep.Message == "" {
				t.Fatalf("report = %+v", rep)
			}
			again, err := f.gw.ChargeSaved(ctx, r)
			if err != nil || again != rep {
				t.Fatalf("the same charge again = %+v, %v; want %+v", again, err, rep)
			}
			events := f.srv.Events()
			last := events[len(events)-1]
			if got := f.callback(t, last); last.Type != "payment_intent.payment_failed" || got.Status != billing.PaymentFailed ||
				got.GatewayPaymentID != rep.GatewayPaymentID || got.Message == "" {
				t.Fatalf("%s = %+v", last.Type, got)
			}
			q, err := f.gw.Query(ctx, billing.QueryPaymentRequest{GatewayPaymentID: rep.GatewayPaymentID, Settings: f.srv.Settings()})
			if err != nil || q.Status != billing.PaymentFailed {
				t.Fatalf("Query = %+v, %v", q, err)
			}
		})
	}
}

func TestStartWithSavedMethodChargesAtOnce(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	cus, pm := f.srv.SaveCard("ann@example.com", stripetest.CardMastercard)
	r := f.request(money("8.00", "USD"))
	r.SavedMethod = pm
	r.Settings["customer"] = cus
	res := f.start(t, r)
	if res.Status != billing.PaymentPaid || !strings.HasPrefix(res.GatewayPaymentID, "pi_") || res.RedirectURL != "" {
		t.Fatalf("Start = %+v", res)
	}

	cus, pm = f.srv.SaveCard("bob@example.com", stripetest.CardDeclined)
	r = f.request(money("8.00", "USD"))
	r.SavedMethod = stripe.SavedMethodRef(cus, pm)
	if res = f.start(t, r); res.Status != billing.PaymentFailed || !strings.HasPrefix(res.GatewayPaymentID, "pi_") {
		t.Fatalf("Start with a declined card = %+v", res)
	}
}

func TestSavedMethodReferences(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	for _, ref := range []string{"pm_1", "cus_1", "cus_1/", "/pm_1", "cus_1/card_1", "x/y/z", "cus_1/pm_1/pm_2"} {
		r := f.request(money("1.00", "USD"))
		r.SavedMethod = ref
		_, err := f.gw.ChargeSaved(ctx, r)
		wantField(t, err, "saved_method", stripe.ReasonSavedMethodMalformed)
	}
	r := f.request(money("1.00", "USD"))
	_, err := f.gw.ChargeSaved(ctx, r)
	wantField(t, err, "saved_method", "required")
	if n := len(f.srv.Requests()); n != 0 {
		t.Errorf("%d requests reached Stripe", n)
	}
}

// A Gateway serves many payments at once; run with -race.
func TestGatewayConcurrentStarts(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	const n = 8
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := f.gw.Start(ctx, f.request(money("1.00", "USD")))
			ids[i], errs[i] = res.GatewayPaymentID, err
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if seen[ids[i]] {
			t.Fatalf("session %s given twice", ids[i])
		}
		seen[ids[i]] = true
	}
}

func TestRefundIDMustFitAnIdempotencyKey(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	_, err := f.gw.Refund(ctx, billing.RefundRequest{GatewayPaymentID: "pi_1", RefundID: strings.Repeat("r", 256),
		Amount: money("1", "USD"), Settings: f.srv.Settings()})
	wantField(t, err, "refund_id", stripe.ReasonRefundIDTooLong)
}

// paymentIDAt returns a UUIDv7 payment ID made at the instant.
func paymentIDAt(at time.Time) billing.PaymentID {
	ms := fmt.Sprintf("%012x", at.UnixMilli())
	return billkit.MustParseID[billing.Payment](ms[:8] + "-" + ms[8:] + "-7000-8000-000000000001")
}

func TestQueryWithoutGatewayPaymentID(t *testing.T) {
	f := newFixture(t, stripetest.Config{})
	query := func(id billing.PaymentID) (billing.GatewayReport, error) {
		return f.gw.Query(ctx, billing.QueryPaymentRequest{PaymentID: id, Settings: f.srv.Settings()})
	}

	// A saved-method charge whose answer was lost.
	cus, pm := f.srv.SaveCard("ann@example.com", stripetest.CardVisa)
	charge := f.request(money("4.00", "USD"))
	charge.SavedMethod = stripe.SavedMethodRef(cus, pm)
	charged, err := f.gw.ChargeSaved(ctx, charge)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := query(charge.PaymentID)
	if err != nil || rep.Status != billing.PaymentPaid || rep.GatewayPaymentID != charged.GatewayPaymentID || rep.PaymentID != charge.PaymentID {
		t.Fatalf("saved charge = %+v, %v", rep, err)
	}
	if got := f.lastRequest(t, http.MethodGet, "/v1/payment_intents/search").Params.Get("query"); got != "metadata['billkit_payment_id']:'"+charge.PaymentID.String()+"'" {
		t.Errorf("search query = %q", got)
	}

	// A Checkout payment, paid: reported by its session.
	start := f.request(money("6.00", "USD"))
	res := f.start(t, start)
	if _, err := f.srv.CompleteSession(res.GatewayPaymentID); err != nil {
		t.Fatal(err)
	}
	rep, err = query(start.PaymentID)
	if err != nil || rep.Status != billing.PaymentPaid || rep.GatewayPaymentID != res.GatewayPaymentID {
		t.Fatalf("paid session = %+v, %v", rep, err)
	}
	wantMoney(t, "Amount", rep.Amount, money("6.00", "USD"))

	// Nothing at Stripe: not known yet, then not found.
	_, err = query(paymentIDAt(t0.Add(-10 * time.Minute)))
	wantCode(t, err, billkit.CodeUnavailable, stripe.ReasonUnavailable)
	_, err = query(paymentIDAt(t0.Add(-2 * time.Hour)))
	wantCode(t, err, billkit.CodeNotFound, stripe.ReasonNotFound)
}

func TestValidateSettings(t *testing.T) {
	g := stripe.New(stripe.Config{})
	var _ interface {
		ValidateSettings(map[string]string) error
	} = g
	ok := map[string]string{"secret_key": "sk_live_abc", "webhook_secret": "whsec_abc"}
	if err := g.ValidateSettings(ok); err != nil {
		t.Fatal(err)
	}
	ok["secret_key"], ok["customer"] = "rk_live_abc", "cus_123"
	if err := g.ValidateSettings(ok); err != nil {
		t.Fatal(err)
	}
	err := g.ValidateSettings(map[string]string{})
	wantField(t, err, "secret_key", "required")
	wantField(t, err, "webhook_secret", "required")
	err = g.ValidateSettings(map[string]string{"secret_key": "pk_live_abc", "webhook_secret": "abc", "customer": "123"})
	wantField(t, err, "secret_key", stripe.ReasonSecretKeyMalformed)
	wantField(t, err, "webhook_secret", stripe.ReasonWebhookSecretMalformed)
	wantField(t, err, "customer", stripe.ReasonCustomerMalformed)
}
