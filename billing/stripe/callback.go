package stripe

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	stripego "github.com/stripe/stripe-go/v85"
)

// The event types ParseCallback reports; Stripe's webhook endpoint should
// send these (others are acknowledged and ignored).
const (
	EventCheckoutCompleted             = "checkout.session.completed"
	EventCheckoutAsyncPaymentSucceeded = "checkout.session.async_payment_succeeded"
	EventCheckoutAsyncPaymentFailed    = "checkout.session.async_payment_failed"
	EventCheckoutExpired               = "checkout.session.expired"
	EventPaymentIntentSucceeded        = "payment_intent.succeeded"
	EventPaymentIntentFailed           = "payment_intent.payment_failed"
	EventChargeRefunded                = "charge.refunded"
)

// Events lists the event types to enable on the Stripe webhook endpoint.
func Events() []string {
	return []string{
		EventCheckoutCompleted, EventCheckoutAsyncPaymentSucceeded, EventCheckoutAsyncPaymentFailed,
		EventCheckoutExpired, EventPaymentIntentSucceeded, EventPaymentIntentFailed, EventChargeRefunded,
	}
}

// SignatureHeader is the header Stripe signs webhooks in.
const SignatureHeader = "Stripe-Signature"

// ParseCallback verifies a Stripe webhook and says what it reports. The
// body must be the bytes Stripe posted, unchanged: the signature covers
// them.
//
// The Stripe-Signature header must carry a v1 signature (HMAC-SHA256 of
// "<t>.<body>" with the webhook_secret setting) that matches, and a
// timestamp t within Config.WebhookTolerance of the Config.Clock; otherwise
// the error is unauthenticated with reason billing.ReasonCallbackSignature.
// Several v1 signatures are accepted while Stripe rolls a secret.
//
// Events map to reports with EventID set to the event's ID (evt_...):
//
//   - checkout.session.completed: paid when the session's payment_status is
//     paid, pending when a delayed method (a bank debit) is still
//     processing;
//   - checkout.session.async_payment_succeeded: paid;
//   - checkout.session.async_payment_failed: failed;
//   - checkout.session.expired: cancelled;
//   - payment_intent.succeeded and .payment_failed: paid and failed, for the
//     charges of saved methods (GatewayPaymentID pi_...); those of Checkout
//     Sessions are reported by the session's events and ignored here;
//   - charge.refunded: refunded or partly_refunded, with Refunded the total
//     refunded so far, for the session or the saved charge it refunds.
//
// Other types, and objects that carry no billkit payment ID (made outside
// billkit on the same Stripe account), give a report with Ignore set.
//
// Paid reports carry Amount, and the saved method (SavedMethodRef's
// "cus_.../pm_...", labelled "Visa •••• 4242") when the payment asked to
// save it. Finding that method, and the session a refund belongs to, asks
// Stripe (so the secret_key setting is needed then); an error there is
// unavailable, and Stripe's retry of the webhook will try again.
func (g *Gateway) ParseCallback(ctx context.Context, r billing.CallbackRequest) (billing.GatewayReport, error) {
	secret := r.Settings[SettingWebhookSecret]
	if strings.TrimSpace(secret) == "" {
		return billing.GatewayReport{}, billkit.InvalidField("settings."+SettingWebhookSecret, "required", "is required to verify callbacks")
	}
	if err := g.verify(r.Body, headerValue(r.Header, SignatureHeader), secret); err != nil {
		return billing.GatewayReport{}, err
	}
	var ev struct {
		ID     string `json:"id"`
		Object string `json:"object"`
		Type   string `json:"type"`
		Data   struct {
			Object json.RawMessage `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &ev); err != nil || ev.Object != "event" || ev.ID == "" || ev.Type == "" {
		return billing.GatewayReport{}, &billkit.Error{Code: billkit.CodeInvalid, Reason: ReasonEventMalformed,
			Message: "the callback is not a Stripe event (a snapshot event with an id, a type and data.object)", Err: err}
	}
	rep, err := g.eventReport(ctx, ev.Type, ev.Data.Object, r.Settings)
	if err != nil {
		return billing.GatewayReport{}, err
	}
	rep.EventID = ev.ID
	return rep, nil
}

var ignore = billing.GatewayReport{Ignore: true}

func malformed(err error) error {
	return &billkit.Error{Code: billkit.CodeInvalid, Reason: ReasonEventMalformed, Message: "the event's object is not what its type says", Err: err}
}

// eventReport maps one event's object to a report.
func (g *Gateway) eventReport(ctx context.Context, typ string, raw json.RawMessage, settings map[string]string) (billing.GatewayReport, error) {
	switch typ {
	case EventCheckoutCompleted, EventCheckoutAsyncPaymentSucceeded, EventCheckoutAsyncPaymentFailed, EventCheckoutExpired:
		var s stripego.CheckoutSession
		if err := json.Unmarshal(raw, &s); err != nil || s.ID == "" {
			return billing.GatewayReport{}, malformed(err)
		}
		var status billing.PaymentStatus
		switch typ {
		case EventCheckoutCompleted:
			status = billing.PaymentPending
			if sessionPaid(&s) {
				status = billing.PaymentPaid
			}
		case EventCheckoutAsyncPaymentSucceeded:
			status = billing.PaymentPaid
		case EventCheckoutAsyncPaymentFailed:
			status = billing.PaymentFailed
		case EventCheckoutExpired:
			status = billing.PaymentCancelled
		}
		return g.sessionReport(ctx, &s, status, settings)

	case EventPaymentIntentSucceeded, EventPaymentIntentFailed:
		var pi stripego.PaymentIntent
		if err := json.Unmarshal(raw, &pi); err != nil || pi.ID == "" {
			return billing.GatewayReport{}, malformed(err)
		}
		if pi.Metadata[MetadataCheckout] == "true" {
			return ignore, nil
		}
		pid, ok := paymentIDOf(pi.Metadata, "")
		if !ok {
			return ignore, nil
		}
		rep := billing.GatewayReport{GatewayPaymentID: pi.ID, PaymentID: pid, Status: billing.PaymentFailed}
		if typ == EventPaymentIntentSucceeded {
			amount, err := FromMinorUnits(pi.Amount, string(pi.Currency))
			if err != nil {
				return billing.GatewayReport{}, malformed(err)
			}
			rep.Status, rep.Amount = billing.PaymentPaid, amount
		} else if pi.LastPaymentError != nil {
			rep.Message = declineMessage(pi.LastPaymentError)
		}
		return rep, nil

	case EventChargeRefunded:
		var ch stripego.Charge
		if err := json.Unmarshal(raw, &ch); err != nil || ch.ID == "" {
			return billing.GatewayReport{}, malformed(err)
		}
		return g.refundReport(ctx, &ch, settings)
	}
	return ignore, nil
}

// sessionPaid reports whether a session's payment has arrived.
func sessionPaid(s *stripego.CheckoutSession) bool {
	return s.Status == stripego.CheckoutSessionStatusComplete &&
		(s.PaymentStatus == stripego.CheckoutSessionPaymentStatusPaid ||
			s.PaymentStatus == stripego.CheckoutSessionPaymentStatusNoPaymentRequired)
}

// sessionReport reports a session with the status, its amount when paid,
// and the method it saved. The session's payment_intent, when expanded with
// its payment_method, saves a request.
func (g *Gateway) sessionReport(ctx context.Context, s *stripego.CheckoutSession, status billing.PaymentStatus, settings map[string]string) (billing.GatewayReport, error) {
	pid, ok := paymentIDOf(s.Metadata, s.ClientReferenceID)
	if !ok {
		return ignore, nil
	}
	rep := billing.GatewayReport{GatewayPaymentID: s.ID, PaymentID: pid, Status: status}
	if status != billing.PaymentPaid {
		if status == billing.PaymentFailed && s.PaymentIntent != nil && s.PaymentIntent.LastPaymentError != nil {
			rep.Message = declineMessage(s.PaymentIntent.LastPaymentError)
		}
		return rep, nil
	}
	amount, err := FromMinorUnits(s.AmountTotal, string(s.Currency))
	if err != nil {
		return billing.GatewayReport{}, malformed(err)
	}
	rep.Amount = amount
	if s.Metadata[MetadataSaveMethod] != "true" || s.PaymentIntent == nil || s.PaymentIntent.ID == "" {
		return rep, nil
	}
	pi := s.PaymentIntent
	if pi.PaymentMethod == nil || pi.PaymentMethod.Type == "" {
		var v billkit.FieldErrors
		sc := g.client(&v, settings)
		if err := v.Err(); err != nil {
			return billing.GatewayReport{}, err
		}
		p := &stripego.PaymentIntentRetrieveParams{}
		p.AddExpand("payment_method")
		if pi, err = sc.V1PaymentIntents.Retrieve(ctx, s.PaymentIntent.ID, p); err != nil {
			return billing.GatewayReport{}, apiError("finding the saved method", err)
		}
	}
	customer := ""
	switch {
	case pi.PaymentMethod != nil && pi.PaymentMethod.Customer != nil:
		customer = pi.PaymentMethod.Customer.ID
	case pi.Customer != nil:
		customer = pi.Customer.ID
	case s.Customer != nil:
		customer = s.Customer.ID
	}
	if pi.PaymentMethod != nil && pi.PaymentMethod.ID != "" && customer != "" {
		rep.SavedMethod = &billing.SavedMethodRef{Ref: SavedMethodRef(customer, pi.PaymentMethod.ID), Label: methodLabel(pi.PaymentMethod)}
	}
	return rep, nil
}

// refundReport reports a refunded charge against the payment billkit knows:
// the Checkout Session that made its PaymentIntent, or the PaymentIntent of
// a saved-method charge.
func (g *Gateway) refundReport(ctx context.Context, ch *stripego.Charge, settings map[string]string) (billing.GatewayReport, error) {
	if ch.PaymentIntent == nil || ch.PaymentIntent.ID == "" {
		return ignore, nil
	}
	var v billkit.FieldErrors
	sc := g.client(&v, settings)
	if err := v.Err(); err != nil {
		return billing.GatewayReport{}, err
	}
	pi, err := sc.V1PaymentIntents.Retrieve(ctx, ch.PaymentIntent.ID, nil)
	if err != nil {
		return billing.GatewayReport{}, apiError("finding the refunded payment", err)
	}
	pid, ok := paymentIDOf(pi.Metadata, "")
	if !ok {
		return ignore, nil
	}
	rep := billing.GatewayReport{GatewayPaymentID: pi.ID, PaymentID: pid}
	if pi.Metadata[MetadataCheckout] == "true" {
		lp := &stripego.CheckoutSessionListParams{PaymentIntent: stripego.String(pi.ID)}
		lp.Limit = stripego.Int64(1)
		lp.Single = true
		for s, err := range sc.V1CheckoutSessions.List(ctx, lp).All(ctx) {
			if err != nil {
				return billing.GatewayReport{}, apiError("finding the refunded session", err)
			}
			rep.GatewayPaymentID = s.ID
			break
		}
	}
	rep.Status, rep.Amount, rep.Refunded, err = refundState(ch)
	if err != nil {
		return billing.GatewayReport{}, malformed(err)
	}
	return rep, nil
}

// refundState is the refund status of a charge with something refunded,
// its amount and the total refunded.
func refundState(ch *stripego.Charge) (billing.PaymentStatus, billkit.Money, billkit.Money, error) {
	amount, err := FromMinorUnits(ch.Amount, string(ch.Currency))
	if err != nil {
		return "", billkit.Money{}, billkit.Money{}, err
	}
	refunded, err := FromMinorUnits(ch.AmountRefunded, string(ch.Currency))
	if err != nil {
		return "", billkit.Money{}, billkit.Money{}, err
	}
	if ch.Refunded || ch.AmountRefunded >= ch.Amount {
		return billing.PaymentRefunded, amount, refunded, nil
	}
	return billing.PaymentPartlyRefunded, amount, refunded, nil
}

// paymentIDOf reads billkit's payment ID from metadata, or else from a
// session's client_reference_id.
func paymentIDOf(meta map[string]string, clientReference string) (billing.PaymentID, bool) {
	for _, s := range []string{meta[MetadataPaymentID], clientReference} {
		if s == "" {
			continue
		}
		if id, err := billkit.ParseID[billing.Payment](s); err == nil && !id.IsZero() {
			return id, true
		}
	}
	return billing.PaymentID{}, false
}

// brands are the card brands' names as customers know them.
var brands = map[string]string{
	"amex": "American Express", "american_express": "American Express",
	"cartes_bancaires": "Cartes Bancaires", "diners": "Diners Club", "discover": "Discover",
	"eftpos_au": "eftpos", "interac": "Interac", "jcb": "JCB", "link": "Link",
	"mastercard": "Mastercard", "unionpay": "UnionPay", "visa": "Visa",
}

// methodLabel is what the customer recognizes a method by: "Visa •••• 4242".
func methodLabel(pm *stripego.PaymentMethod) string {
	name, last4 := humanize(string(pm.Type)), ""
	if pm.Card != nil {
		brand := pm.Card.DisplayBrand
		if brand == "" {
			brand = string(pm.Card.Brand)
		}
		if n, ok := brands[brand]; ok {
			name = n
		} else if brand != "" {
			name = humanize(brand)
		}
		last4 = pm.Card.Last4
	} else if pm.SEPADebit != nil {
		name, last4 = "SEPA Direct Debit", pm.SEPADebit.Last4
	}
	if last4 == "" {
		return name
	}
	return name + " •••• " + last4
}

// humanize turns "us_bank_account" into "Us bank account".
func humanize(code string) string {
	if code == "" {
		return "Payment method"
	}
	s := strings.ReplaceAll(code, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// headerValue reads a header whatever the case of its name in h.
func headerValue(h map[string][]string, name string) string {
	if v := http.Header(h).Get(name); v != "" {
		return v
	}
	for k, vs := range h {
		if strings.EqualFold(k, name) && len(vs) > 0 {
			return vs[0]
		}
	}
	return ""
}

// verify checks a Stripe-Signature header. It is written here rather than
// taken from stripe-go, whose check reads the system time: billkit's clock
// is injected, so that tests and replays decide what "now" is.
func (g *Gateway) verify(body []byte, header, secret string) error {
	fail := func(msg string) error {
		return billkit.Errorf(billkit.CodeUnauthenticated, billing.ReasonCallbackSignature, "Stripe callback: %s", msg)
	}
	if header == "" {
		return fail("no " + SignatureHeader + " header")
	}
	var (
		ts     int64
		haveTS bool
		sigs   [][]byte
	)
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fail("malformed " + SignatureHeader + " header")
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fail("malformed timestamp")
			}
			ts, haveTS = n, true
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, sig)
			}
		}
	}
	if !haveTS {
		return fail("no timestamp")
	}
	if len(sigs) == 0 {
		return fail("no v1 signature")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	want := mac.Sum(nil)
	match := false
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			match = true
			break
		}
	}
	if !match {
		return fail("no signature matches the webhook secret")
	}
	if g.tolerance > 0 {
		d := g.clock.Now().Sub(time.Unix(ts, 0))
		if d > g.tolerance || d < -g.tolerance {
			return fail("timestamp outside the tolerance (a replayed or delayed event, or a clock out of step)")
		}
	}
	return nil
}
