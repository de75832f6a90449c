package stripe

import (
	"net/http"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	stripego "github.com/stripe/stripe-go/v85"
)

// Code is the gateway code payment methods name: "stripe".
const Code = "stripe"

// The keys of a payment method's settings this gateway reads.
const (
	// SettingSecretKey is the Stripe secret key (sk_live_..., sk_test_...)
	// or a restricted key (rk_...) with write access to Checkout Sessions,
	// PaymentIntents and Refunds. Required.
	SettingSecretKey = "secret_key"
	// SettingWebhookSecret is the signing secret (whsec_...) of the webhook
	// endpoint. Required to accept callbacks.
	SettingWebhookSecret = "webhook_secret"
	// SettingCustomer is a Stripe customer (cus_...) to charge saved methods
	// of when a saved method reference names only the method ("pm_...").
	// Optional: references this gateway makes name both.
	SettingCustomer = "customer"
)

// The metadata keys this gateway writes on Stripe's objects and reads back.
const (
	// MetadataPaymentID holds billkit's payment ID on Checkout Sessions and
	// PaymentIntents.
	MetadataPaymentID = "billkit_payment_id"
	// MetadataClientID holds billkit's client ID, for staff looking at
	// Stripe's Dashboard.
	MetadataClientID = "billkit_client_id"
	// MetadataCheckout marks a PaymentIntent that a Checkout Session made,
	// whose events the session's events already report.
	MetadataCheckout = "billkit_checkout"
	// MetadataSaveMethod marks a session whose method is to be saved.
	MetadataSaveMethod = "billkit_save_method"
	// MetadataRefundID holds billkit's refund ID on Refunds.
	MetadataRefundID = "billkit_refund_id"
	// MetadataReason holds the reason staff gave for a refund.
	MetadataReason = "billkit_reason"
)

// DefaultWebhookTolerance is how far a callback's signed timestamp may be
// from the clock, as Stripe's own libraries allow.
const DefaultWebhookTolerance = 5 * time.Minute

// Config configures a Gateway. The zero value talks to Stripe.
type Config struct {
	// BackendURL is the base URL of Stripe's API. Default: Stripe's
	// (https://api.stripe.com). Tests point it at a stripetest.Server.
	BackendURL string
	// HTTPClient makes the requests. Default: stripe-go's client, which
	// times out after 80 seconds.
	HTTPClient *http.Client
	// Clock is the time callbacks' signatures are checked against.
	// Default: the system clock.
	Clock billkit.Clock
	// WebhookTolerance is how far a callback's signed timestamp may be from
	// Clock's time, either way, to defeat replays of old events. Default:
	// DefaultWebhookTolerance. A negative value turns the check off, which
	// only tests replaying recorded events should do.
	WebhookTolerance time.Duration
	// MaxNetworkRetries is how often stripe-go repeats a request that
	// failed in a way that may pass (a dropped connection, a 409, a 5xx),
	// with the same idempotency key. Default (0): stripe-go's, 2. A
	// negative value turns retries off.
	MaxNetworkRetries int
}

// Gateway is the Stripe payment gateway: Checkout for payments the customer
// makes, PaymentIntents for charges of saved cards, webhooks for outcomes,
// Refunds. It keeps no state of its own: the secret keys come with each
// request, so one Gateway serves any number of Stripe accounts (one per
// payment method), and it is safe for concurrent use.
type Gateway struct {
	backends  *stripego.Backends
	clock     billkit.Clock
	tolerance time.Duration
}

var _ billing.SavedMethodCharger = (*Gateway)(nil)

// New returns a Gateway configured by cfg.
func New(cfg Config) *Gateway {
	bc := &stripego.BackendConfig{
		HTTPClient: cfg.HTTPClient,
		// Errors are returned to the caller, who decides what to log;
		// stripe-go would otherwise print them to stderr.
		LeveledLogger: &stripego.LeveledLogger{Level: stripego.LevelNull},
	}
	if cfg.BackendURL != "" {
		bc.URL = stripego.String(cfg.BackendURL)
	}
	switch {
	case cfg.MaxNetworkRetries > 0:
		bc.MaxNetworkRetries = stripego.Int64(int64(cfg.MaxNetworkRetries))
	case cfg.MaxNetworkRetries < 0:
		bc.MaxNetworkRetries = stripego.Int64(0)
	}
	g := &Gateway{backends: stripego.NewBackendsWithConfig(bc), clock: cfg.Clock, tolerance: cfg.WebhookTolerance}
	if g.clock == nil {
		g.clock = billkit.SystemClock()
	}
	if g.tolerance == 0 {
		g.tolerance = DefaultWebhookTolerance
	}
	return g
}

// Code returns "stripe".
func (g *Gateway) Code() string { return Code }

// Capabilities: full and partial refunds, saved methods, callbacks; any
// currency Stripe takes (it checks the currency against the account).
func (g *Gateway) Capabilities() billing.GatewayCapabilities {
	return billing.GatewayCapabilities{Refund: true, PartialRefund: true, SaveMethod: true, Callbacks: true}
}

// client returns a stripe-go client with the settings' secret key, or
// records the missing key on v.
func (g *Gateway) client(v *billkit.FieldErrors, settings map[string]string) *stripego.Client {
	key := strings.TrimSpace(settings[SettingSecretKey])
	if !v.Require("settings."+SettingSecretKey, key) {
		return nil
	}
	return stripego.NewClient(key, stripego.WithBackends(g.backends))
}

// The reasons of ValidateSettings.
const (
	// ReasonSecretKeyMalformed: a secret_key that is not a secret (sk_) or
	// restricted (rk_) key; a publishable key (pk_) is the usual mistake.
	ReasonSecretKeyMalformed = "stripe.secret_key_malformed"
	// ReasonWebhookSecretMalformed: a webhook_secret that is not a signing
	// secret (whsec_).
	ReasonWebhookSecretMalformed = "stripe.webhook_secret_malformed"
	// ReasonCustomerMalformed: a customer setting that is not a customer ID
	// (cus_).
	ReasonCustomerMalformed = "stripe.customer_malformed"
)

// ValidateSettings checks a payment method's settings when staff save
// them, so that a pasted publishable key or a missing webhook secret shows
// then rather than at the first payment: secret_key must be a secret or
// restricted key, webhook_secret a signing secret, customer (optional) a
// customer ID. Invalid errors name the setting as the field. It asks Stripe
// nothing.
func (g *Gateway) ValidateSettings(settings map[string]string) error {
	var v billkit.FieldErrors
	key := strings.TrimSpace(settings[SettingSecretKey])
	if v.Require(SettingSecretKey, key) {
		switch {
		case strings.HasPrefix(key, "pk_"):
			v.Add(SettingSecretKey, ReasonSecretKeyMalformed, "is a publishable key (pk_); give the secret key (sk_) or a restricted key (rk_)")
		case !strings.HasPrefix(key, "sk_") && !strings.HasPrefix(key, "rk_"):
			v.Add(SettingSecretKey, ReasonSecretKeyMalformed, "is not a Stripe secret key (sk_...) or restricted key (rk_...)")
		}
	}
	secret := strings.TrimSpace(settings[SettingWebhookSecret])
	if v.Require(SettingWebhookSecret, secret) && !strings.HasPrefix(secret, "whsec_") {
		v.Add(SettingWebhookSecret, ReasonWebhookSecretMalformed, "is not a webhook signing secret (whsec_...)")
	}
	if c := strings.TrimSpace(settings[SettingCustomer]); c != "" && (!strings.HasPrefix(c, "cus_") || len(c) == len("cus_")) {
		v.Add(SettingCustomer, ReasonCustomerMalformed, "is not a Stripe customer ID (cus_...)")
	}
	return v.Err()
}
