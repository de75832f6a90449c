package examplepay_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/examples/gateway/examplepay"
)

var ctx = context.Background()

// setup returns the gateway, ExamplePay, and a method's settings for it.
func setup(t *testing.T, now time.Time) (*examplepay.Gateway, *examplepay.Server, map[string]string) {
	t.Helper()
	srv := examplepay.NewServer("shop", "key", "whsec")
	srv.Now = func() time.Time { return now }
	api := httptest.NewServer(srv)
	t.Cleanup(api.Close)
	g := examplepay.New(examplepay.Config{HTTPClient: api.Client(), Now: func() time.Time { return now }})
	return g, srv, map[string]string{
		examplepay.SettingAPIURL: api.URL, examplepay.SettingShopID: "shop",
		examplepay.SettingSecretKey: "key", examplepay.SettingWebhookSecret: "whsec",
	}
}

func wantCode(t *testing.T, err error, code billkit.Code, reason string) {
	t.Helper()
	if billkit.ErrorCode(err) != code || (reason != "" && billkit.ErrorReason(err) != reason) {
		t.Fatalf("err = %v, want %s (%s)", err, code, reason)
	}
}

func rub(s string) billkit.Money { return billkit.MustParseMoney(s, "RUB") }

var now = time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)

func TestValidateSettings(t *testing.T) {
	g, _, settings := setup(t, now)
	if err := g.ValidateSettings(settings); err != nil {
		t.Fatal(err)
	}
	err := g.ValidateSettings(map[string]string{examplepay.SettingAPIURL: "ftp://x"})
	var e *billkit.Error
	if !errors.As(err, &e) || len(e.Fields) != 4 {
		t.Fatalf("err = %v, want 4 fields", err)
	}
}

func TestStartIsIdempotent(t *testing.T) {
	g, _, settings := setup(t, now)
	req := billing.StartPaymentRequest{PaymentID: billkit.NewID[billing.Payment](), Amount: rub("10.50"), ReturnURL: "https://panel.test", Settings: settings}
	first, err := g.Start(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != billing.PaymentPending || !strings.HasPrefix(first.GatewayPaymentID, "pay_") || first.RedirectURL == "" {
		t.Fatalf("Start = %+v", first)
	}
	// A retry after a timeout gets the same payment, not a second one.
	again, err := g.Start(ctx, req)
	if err != nil || again.GatewayPaymentID != first.GatewayPaymentID {
		t.Fatalf("second Start = %+v, %v", again, err)
	}
	// The same key for another amount is refused.
	req.Amount = rub("11")
	_, err = g.Start(ctx, req)
	wantCode(t, err, billkit.CodeFailedPrecondition, "examplepay.refused")
	// Found by billkit's ID when its own was never learned.
	rep, err := g.Query(ctx, billing.QueryPaymentRequest{PaymentID: req.PaymentID, Settings: settings})
	if err != nil || rep.GatewayPaymentID != first.GatewayPaymentID || rep.Status != billing.PaymentPending || rep.PaymentID != req.PaymentID {
		t.Fatalf("Query = %+v, %v", rep, err)
	}
	_, err = g.Query(ctx, billing.QueryPaymentRequest{PaymentID: billkit.NewID[billing.Payment](), Settings: settings})
	wantCode(t, err, billkit.CodeNotFound, "")
	_, err = g.Query(ctx, billing.QueryPaymentRequest{GatewayPaymentID: "pay_unknown", Settings: settings})
	wantCode(t, err, billkit.CodeNotFound, "examplepay.not_found")
}

func TestCallbackSignature(t *testing.T) {
	g, srv, settings := setup(t, now)
	start, err := g.Start(ctx, billing.StartPaymentRequest{PaymentID: billkit.NewID[billing.Payment](), Amount: rub("5"), Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	hook, err := srv.Pay(start.GatewayPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := g.ParseCallback(ctx, billing.CallbackRequest{Header: hook.Header, Body: hook.Body, Settings: settings})
	if err != nil || rep.Status != billing.PaymentPaid || !rep.Amount.Equal(rub("5")) || rep.EventID == "" || rep.GatewayPaymentID != start.GatewayPaymentID {
		t.Fatalf("report = %+v, %v", rep, err)
	}
	bad := func(name string, header http.Header, body []byte, s map[string]string) {
		t.Run(name, func(t *testing.T) {
			_, err := g.ParseCallback(ctx, billing.CallbackRequest{Header: header, Body: body, Settings: s})
			wantCode(t, err, billkit.CodeUnauthenticated, billing.ReasonCallbackSignature)
		})
	}
	bad("tampered body", hook.Header, append([]byte(" "), hook.Body...), settings)
	bad("no header", http.Header{}, hook.Body, settings)
	bad("other secret", hook.Header, hook.Body, map[string]string{examplepay.SettingWebhookSecret: "other"})
	bad("no secret", hook.Header, hook.Body, map[string]string{})
	stale := http.Header{}
	stale.Set(examplepay.SignatureHeader, examplepay.Sign(hook.Body, "whsec", now.Add(-6*time.Minute)))
	bad("stale", stale, hook.Body, settings)
	garbled := http.Header{}
	garbled.Set(examplepay.SignatureHeader, "t=x,v1=zz")
	bad("garbled", garbled, hook.Body, settings)
	// An event billkit does not track is ignored.
	body := []byte(`{"id":"evt_1","event":"payout.succeeded","object":{}}`)
	other := http.Header{}
	other.Set(examplepay.SignatureHeader, examplepay.Sign(body, "whsec", now))
	if rep, err := g.ParseCallback(ctx, billing.CallbackRequest{Header: other, Body: body, Settings: settings}); err != nil || !rep.Ignore {
		t.Fatalf("other event = %+v, %v", rep, err)
	}
}

func TestSavedCardAndRefunds(t *testing.T) {
	g, srv, settings := setup(t, now)
	start, err := g.Start(ctx, billing.StartPaymentRequest{PaymentID: billkit.NewID[billing.Payment](), Amount: rub("100.00"), SaveMethod: true, Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	hook, err := srv.Pay(start.GatewayPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := g.ParseCallback(ctx, billing.CallbackRequest{Header: hook.Header, Body: hook.Body, Settings: settings})
	if err != nil || rep.SavedMethod == nil || rep.SavedMethod.Label != "Bank card *4444" {
		t.Fatalf("report = %+v, %v", rep, err)
	}
	charged, err := g.ChargeSaved(ctx, billing.StartPaymentRequest{PaymentID: billkit.NewID[billing.Payment](), Amount: rub("7.00"), SavedMethod: rep.SavedMethod.Ref, Settings: settings})
	if err != nil || charged.Status != billing.PaymentPaid || !charged.Amount.Equal(rub("7")) {
		t.Fatalf("ChargeSaved = %+v, %v", charged, err)
	}
	_, err = g.ChargeSaved(ctx, billing.StartPaymentRequest{PaymentID: billkit.NewID[billing.Payment](), Amount: rub("7.00"), SavedMethod: "pm_gone", Settings: settings})
	wantCode(t, err, billkit.CodeFailedPrecondition, "examplepay.refused")

	refund := billing.RefundRequest{GatewayPaymentID: start.GatewayPaymentID, RefundID: billkit.NewID[struct{}]().String(), Amount: rub("40"), Settings: settings}
	res, err := g.Refund(ctx, refund)
	if err != nil || res.GatewayRefundID == "" || res.Pending {
		t.Fatalf("Refund = %+v, %v", res, err)
	}
	// The same refund again is the same refund.
	again, err := g.Refund(ctx, refund)
	if err != nil || again.GatewayRefundID != res.GatewayRefundID {
		t.Fatalf("second Refund = %+v, %v", again, err)
	}
	q, err := g.Query(ctx, billing.QueryPaymentRequest{GatewayPaymentID: start.GatewayPaymentID, Settings: settings})
	if err != nil || q.Status != billing.PaymentPartlyRefunded || !q.Refunded.Equal(rub("40")) {
		t.Fatalf("Query = %+v, %v", q, err)
	}
	refund.RefundID, refund.Amount = billkit.NewID[struct{}]().String(), rub("60.01")
	_, err = g.Refund(ctx, refund)
	wantCode(t, err, billkit.CodeFailedPrecondition, "examplepay.refused")
}

func TestErrorsAreClassified(t *testing.T) {
	g, _, settings := setup(t, now)
	req := billing.StartPaymentRequest{PaymentID: billkit.NewID[billing.Payment](), Amount: rub("1"), Settings: settings}
	// Wrong credentials: refused, the payment fails.
	wrong := map[string]string{}
	for k, v := range settings {
		wrong[k] = v
	}
	wrong[examplepay.SettingSecretKey] = "bad"
	req.Settings = wrong
	_, err := g.Start(ctx, req)
	wantCode(t, err, billkit.CodeFailedPrecondition, "examplepay.refused")
	// A 5xx: the outcome is unknown.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
	defer down.Close()
	req.Settings = map[string]string{examplepay.SettingAPIURL: down.URL}
	_, err = g.Start(ctx, req)
	wantCode(t, err, billkit.CodeUnavailable, "examplepay.unavailable")
	// A deadline: the context's error, recognizable, not a refusal.
	done, cancel := context.WithCancel(ctx)
	cancel()
	req.Settings = settings
	_, err = g.Start(done, req)
	if err == nil || billkit.ErrorCode(err) != billkit.CodeInternal {
		t.Fatalf("cancelled Start = %v", err)
	}
}
