package examplepay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// Code is the gateway's code in payment methods.
const Code = "examplepay"

// The settings of a payment method that uses ExamplePay.
const (
	// SettingAPIURL is the base URL of the API; default DefaultAPIURL.
	SettingAPIURL = "api_url"
	// SettingShopID and SettingSecretKey authenticate the shop.
	SettingShopID    = "shop_id"
	SettingSecretKey = "secret_key"
	// SettingWebhookSecret signs the webhooks.
	SettingWebhookSecret = "webhook_secret"
)

// DefaultAPIURL is the production API.
const DefaultAPIURL = "https://api.examplepay.test"

// SignatureHeader carries a webhook's signature.
const SignatureHeader = "X-Examplepay-Signature"

// MetadataPaymentID is the metadata key that carries billkit's payment ID.
const MetadataPaymentID = "billkit_payment_id"

// DefaultTolerance is Config.Tolerance's default.
const DefaultTolerance = 5 * time.Minute

// Config configures a Gateway. The zero value works.
type Config struct {
	// HTTPClient makes the API calls. Default: a client with a 30-second
	// timeout (billkit also bounds every call with billing.GatewayTimeout).
	HTTPClient *http.Client
	// Now tells the time, for the webhooks' timestamps. Default: time.Now.
	Now func() time.Time
	// Tolerance is how old a webhook's timestamp may be. Default:
	// DefaultTolerance.
	Tolerance time.Duration
}

// Gateway is the ExamplePay gateway. It keeps no state of its own: the
// shop's credentials come with each call, from the payment method's
// settings. It is safe for concurrent use.
type Gateway struct {
	cfg Config
}

var (
	_ billing.SavedMethodCharger = (*Gateway)(nil)
	_ billing.SettingsValidator  = (*Gateway)(nil)
)

// New returns the gateway; pass it in billing.Config.Gateways.
func New(cfg Config) *Gateway {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Tolerance <= 0 {
		cfg.Tolerance = DefaultTolerance
	}
	return &Gateway{cfg: cfg}
}

// Code returns Code.
func (g *Gateway) Code() string { return Code }

// Capabilities: ExamplePay refunds in whole or in part, saves cards, and
// reports outcomes by webhook.
func (g *Gateway) Capabilities() billing.GatewayCapabilities {
	return billing.GatewayCapabilities{Refund: true, PartialRefund: true, SaveMethod: true, Callbacks: true}
}

// ValidateSettings requires the shop's credentials and the webhook secret,
// and a valid API URL when one is set.
func (g *Gateway) ValidateSettings(s map[string]string) error {
	var v billkit.FieldErrors
	v.Require(SettingShopID, s[SettingShopID])
	v.Require(SettingSecretKey, s[SettingSecretKey])
	v.Require(SettingWebhookSecret, s[SettingWebhookSecret])
	if raw := s[SettingAPIURL]; raw != "" {
		u, err := url.Parse(raw)
		v.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", SettingAPIURL, "examplepay.url_malformed", "must be an http(s) URL")
	}
	return v.Err()
}

// The wire types of the API.
type (
	amount struct {
		Value    string `json:"value"`
		Currency string `json:"currency"`
	}
	confirmation struct {
		Type            string `json:"type"`
		ReturnURL       string `json:"return_url,omitempty"`
		ConfirmationURL string `json:"confirmation_url,omitempty"`
	}
	paymentMethod struct {
		ID    string `json:"id"`
		Title string `json:"title,omitempty"`
		Saved bool   `json:"saved"`
	}
	cancellation struct {
		Reason string `json:"reason"`
	}
	// payment is ExamplePay's payment object.
	payment struct {
		ID                  string            `json:"id"`
		Status              string            `json:"status"`
		Amount              amount            `json:"amount"`
		RefundedAmount      *amount           `json:"refunded_amount,omitempty"`
		Description         string            `json:"description,omitempty"`
		Confirmation        *confirmation     `json:"confirmation,omitempty"`
		Metadata            map[string]string `json:"metadata,omitempty"`
		PaymentMethod       *paymentMethod    `json:"payment_method,omitempty"`
		CancellationDetails *cancellation     `json:"cancellation_details,omitempty"`
	}
	createPayment struct {
		Amount            amount            `json:"amount"`
		Description       string            `json:"description,omitempty"`
		Confirmation      *confirmation     `json:"confirmation,omitempty"`
		Metadata          map[string]string `json:"metadata"`
		SavePaymentMethod bool              `json:"save_payment_method,omitempty"`
		PaymentMethodID   string            `json:"payment_method_id,omitempty"`
	}
	paymentList struct {
		Items []payment `json:"items"`
	}
	createRefund struct {
		PaymentID   string `json:"payment_id"`
		Amount      amount `json:"amount"`
		Description string `json:"description,omitempty"`
	}
	refund struct {
		ID        string `json:"id"`
		PaymentID string `json:"payment_id"`
		Status    string `json:"status"`
		Amount    amount `json:"amount"`
	}
	// event is a webhook's body.
	event struct {
		ID     string  `json:"id"`
		Event  string  `json:"event"`
		Object payment `json:"object"`
	}
	apiError struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	}
)

func amountOf(m billkit.Money) amount {
	return amount{Value: m.Amount().StringFixed(max(-m.Amount().Exponent(), 0)), Currency: m.Currency()}
}

// Start creates the payment, idempotently by billkit's payment ID.
func (g *Gateway) Start(ctx context.Context, r billing.StartPaymentRequest) (billing.StartPaymentResult, error) {
	body := createPayment{
		Amount: amountOf(r.Amount), Description: r.Description,
		Confirmation:      &confirmation{Type: "redirect", ReturnURL: r.ReturnURL},
		Metadata:          map[string]string{MetadataPaymentID: r.PaymentID.String()},
		SavePaymentMethod: r.SaveMethod,
	}
	var p payment
	if err := g.call(ctx, r.Settings, http.MethodPost, "/v1/payments", r.PaymentID.String(), body, &p); err != nil {
		return billing.StartPaymentResult{}, err
	}
	rep, err := report(p)
	if err != nil {
		return billing.StartPaymentResult{}, err
	}
	out := billing.StartPaymentResult{GatewayPaymentID: p.ID, Status: rep.Status}
	if p.Confirmation != nil {
		out.RedirectURL = p.Confirmation.ConfirmationURL
	}
	return out, nil
}

// ChargeSaved charges a saved card: a create without confirmation.
func (g *Gateway) ChargeSaved(ctx context.Context, r billing.StartPaymentRequest) (billing.GatewayReport, error) {
	body := createPayment{
		Amount: amountOf(r.Amount), Description: r.Description,
		Metadata:        map[string]string{MetadataPaymentID: r.PaymentID.String()},
		PaymentMethodID: r.SavedMethod,
	}
	var p payment
	if err := g.call(ctx, r.Settings, http.MethodPost, "/v1/payments", r.PaymentID.String(), body, &p); err != nil {
		return billing.GatewayReport{}, err
	}
	return report(p)
}

// Query reads a payment, by the gateway's ID or else by billkit's.
func (g *Gateway) Query(ctx context.Context, r billing.QueryPaymentRequest) (billing.GatewayReport, error) {
	if r.GatewayPaymentID != "" {
		var p payment
		if err := g.call(ctx, r.Settings, http.MethodGet, "/v1/payments/"+url.PathEscape(r.GatewayPaymentID), "", nil, &p); err != nil {
			return billing.GatewayReport{}, err
		}
		return report(p)
	}
	var list paymentList
	q := url.Values{"metadata." + MetadataPaymentID: {r.PaymentID.String()}}
	if err := g.call(ctx, r.Settings, http.MethodGet, "/v1/payments?"+q.Encode(), "", nil, &list); err != nil {
		return billing.GatewayReport{}, err
	}
	if len(list.Items) == 0 {
		return billing.GatewayReport{}, billkit.NotFound("examplepay_payment", r.PaymentID)
	}
	return report(list.Items[0])
}

// Refund refunds, idempotently by billkit's refund ID.
func (g *Gateway) Refund(ctx context.Context, r billing.RefundRequest) (billing.RefundResult, error) {
	var rf refund
	body := createRefund{PaymentID: r.GatewayPaymentID, Amount: amountOf(r.Amount), Description: r.Reason}
	if err := g.call(ctx, r.Settings, http.MethodPost, "/v1/refunds", r.RefundID, body, &rf); err != nil {
		return billing.RefundResult{}, err
	}
	switch rf.Status {
	case "succeeded":
		return billing.RefundResult{GatewayRefundID: rf.ID}, nil
	case "pending":
		return billing.RefundResult{GatewayRefundID: rf.ID, Pending: true}, nil
	}
	return billing.RefundResult{}, billkit.Errorf(billkit.CodeFailedPrecondition, "examplepay.refund_canceled", "ExamplePay canceled refund %s", rf.ID)
}

// ParseCallback verifies a webhook's signature, then reads the event.
func (g *Gateway) ParseCallback(_ context.Context, r billing.CallbackRequest) (billing.GatewayReport, error) {
	secret := r.Settings[SettingWebhookSecret]
	if secret == "" || !g.verify(http.Header(r.Header).Get(SignatureHeader), r.Body, secret) {
		return billing.GatewayReport{}, billkit.Errorf(billkit.CodeUnauthenticated, billing.ReasonCallbackSignature,
			"the ExamplePay webhook's signature does not verify")
	}
	var ev event
	if err := json.Unmarshal(r.Body, &ev); err != nil {
		return billing.GatewayReport{}, billkit.InvalidField("body", "examplepay.event_malformed", "is not an ExamplePay event")
	}
	switch ev.Event {
	case "payment.waiting_for_capture", "payment.succeeded", "payment.canceled", "payment.refunded":
	default:
		return billing.GatewayReport{Ignore: true, EventID: ev.ID}, nil
	}
	rep, err := report(ev.Object)
	if err != nil {
		return billing.GatewayReport{}, err
	}
	rep.EventID = ev.ID
	return rep, nil
}

// Sign returns the signature header value of a webhook body sent at t:
// what ExamplePay computes, and what ParseCallback checks.
func Sign(body []byte, secret string, t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(ts, body, secret))
}

func mac(ts string, body []byte, secret string) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return h.Sum(nil)
}

// verify checks a signature header against the body, in constant time,
// and that its timestamp is recent.
func (g *Gateway) verify(header string, body []byte, secret string) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	unix, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	if age := g.cfg.Now().Sub(time.Unix(unix, 0)); age > g.cfg.Tolerance || age < -g.cfg.Tolerance {
		return false
	}
	got, err := hex.DecodeString(sig)
	return err == nil && hmac.Equal(got, mac(ts, body, secret))
}

// report turns a payment object into what billkit reads.
func report(p payment) (billing.GatewayReport, error) {
	rep := billing.GatewayReport{GatewayPaymentID: p.ID}
	if id := p.Metadata[MetadataPaymentID]; id != "" {
		pid, err := billkit.ParseID[billing.Payment](id)
		if err != nil {
			return rep, billkit.Errorf(billkit.CodeInternal, "examplepay.metadata_malformed", "payment %s has metadata %q", p.ID, id)
		}
		rep.PaymentID = pid
	}
	paid, err := billkit.ParseMoney(p.Amount.Value, p.Amount.Currency)
	if err != nil {
		return rep, billkit.WrapError(err, billkit.CodeInternal, "examplepay.amount_malformed", "ExamplePay sent an amount billkit cannot read")
	}
	switch p.Status {
	case "pending", "waiting_for_capture":
		rep.Status = billing.PaymentPending
	case "succeeded":
		rep.Status, rep.Amount = billing.PaymentPaid, paid
		if p.RefundedAmount != nil {
			refunded, err := billkit.ParseMoney(p.RefundedAmount.Value, p.RefundedAmount.Currency)
			if err != nil {
				return rep, billkit.WrapError(err, billkit.CodeInternal, "examplepay.amount_malformed", "ExamplePay sent an amount billkit cannot read")
			}
			if refunded.IsPositive() {
				rep.Refunded, rep.Status = refunded, billing.PaymentPartlyRefunded
				if refunded.Equal(paid) {
					rep.Status = billing.PaymentRefunded
				}
			}
		}
		if m := p.PaymentMethod; m != nil && m.Saved {
			rep.SavedMethod = &billing.SavedMethodRef{Ref: m.ID, Label: m.Title}
		}
	case "canceled":
		rep.Status = billing.PaymentFailed
		if c := p.CancellationDetails; c != nil {
			rep.Message = c.Reason
			if c.Reason == "canceled_by_merchant" || c.Reason == "expired_on_confirmation" {
				rep.Status = billing.PaymentCancelled
			}
		}
	default:
		return rep, billkit.Errorf(billkit.CodeUnavailable, "examplepay.status_unknown", "ExamplePay reports status %q", p.Status)
	}
	return rep, nil
}

// call makes one API call and decodes the answer into out.
func (g *Gateway) call(ctx context.Context, settings map[string]string, method, path, idempotenceKey string, in, out any) error {
	base := strings.TrimRight(settings[SettingAPIURL], "/")
	if base == "" {
		base = DefaultAPIURL
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return billkit.WrapError(err, billkit.CodeInternal, "examplepay.encode", "encoding the request")
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return billkit.WrapError(err, billkit.CodeFailedPrecondition, "examplepay.request", "the API URL is not usable")
	}
	req.SetBasicAuth(settings[SettingShopID], settings[SettingSecretKey])
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if idempotenceKey != "" {
		req.Header.Set("Idempotence-Key", idempotenceKey)
	}
	res, err := g.cfg.HTTPClient.Do(req)
	if err != nil {
		// No answer: the outcome is unknown, and the context's deadline
		// stays recognizable with errors.Is.
		return fmt.Errorf("examplepay: %s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("examplepay: reading the answer to %s %s: %w", method, path, err)
	}
	if res.StatusCode/100 == 2 {
		if err := json.Unmarshal(raw, out); err != nil {
			return billkit.WrapError(err, billkit.CodeUnavailable, "examplepay.answer_malformed", "ExamplePay answered something billkit cannot read")
		}
		return nil
	}
	var ae apiError
	_ = json.Unmarshal(raw, &ae)
	msg := fmt.Sprintf("ExamplePay answered %s to %s %s: %s %s", res.Status, method, path, ae.Code, ae.Description)
	switch res.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusConflict, http.StatusUnprocessableEntity:
		return &billkit.Error{Code: billkit.CodeFailedPrecondition, Reason: "examplepay.refused", Message: msg}
	case http.StatusNotFound:
		return &billkit.Error{Code: billkit.CodeNotFound, Reason: "examplepay.not_found", Message: msg}
	}
	return &billkit.Error{Code: billkit.CodeUnavailable, Reason: "examplepay.unavailable", Message: msg, Err: errors.New(res.Status)}
}
