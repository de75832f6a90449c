package stripe

import (
	"context"
	"errors"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	stripego "github.com/stripe/stripe-go/v85"
)

// defaultDescription names the line of a payment that has no description.
const defaultDescription = "Payment"

// Start creates a Stripe Checkout Session in payment mode for one line (the
// Description, for Amount) and returns it pending, with the session's ID
// (cs_...) and the page to send the customer to. Stripe's idempotency key
// is the PaymentID, so starting the same payment twice within Stripe's 24
// hours of key memory returns the same session.
//
// The session carries the PaymentID as client_reference_id and in metadata
// (MetadataPaymentID), which the callbacks report back. With SaveMethod,
// Checkout creates a Stripe customer and keeps the card for off-session
// charges; the callback that reports the payment paid then reports the
// saved method.
//
// With SavedMethod set, Start charges that method at once instead, as
// ChargeSaved does, and returns the charge's status (paid, failed, or
// pending while it processes) and its PaymentIntent's ID; call ChargeSaved
// itself to learn why a charge failed.
func (g *Gateway) Start(ctx context.Context, r billing.StartPaymentRequest) (billing.StartPaymentResult, error) {
	if r.SavedMethod != "" {
		rep, err := g.ChargeSaved(ctx, r)
		if err != nil {
			return billing.StartPaymentResult{}, err
		}
		return billing.StartPaymentResult{GatewayPaymentID: rep.GatewayPaymentID, Status: rep.Status}, nil
	}
	var v billkit.FieldErrors
	sc := g.client(&v, r.Settings)
	v.Check(!r.PaymentID.IsZero(), "payment_id", "required", "is required")
	minor, cur, err := minorUnits("amount", r.Amount)
	v.Merge("", err)
	v.Require("return_url", r.ReturnURL)
	if err := v.Err(); err != nil {
		return billing.StartPaymentResult{}, err
	}

	id := r.PaymentID.String()
	name := strings.TrimSpace(r.Description)
	if name == "" {
		name = defaultDescription
	}
	meta := map[string]string{MetadataPaymentID: id}
	if !r.ClientID.IsZero() {
		meta[MetadataClientID] = r.ClientID.String()
	}
	piMeta := map[string]string{MetadataPaymentID: id, MetadataCheckout: "true"}
	if !r.ClientID.IsZero() {
		piMeta[MetadataClientID] = r.ClientID.String()
	}
	p := &stripego.CheckoutSessionCreateParams{
		Mode: stripego.String(string(stripego.CheckoutSessionModePayment)),
		LineItems: []*stripego.CheckoutSessionCreateLineItemParams{{
			Quantity: stripego.Int64(1),
			PriceData: &stripego.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripego.String(cur),
				UnitAmount:  stripego.Int64(minor),
				ProductData: &stripego.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripego.String(name)},
			},
		}},
		SuccessURL:        stripego.String(r.ReturnURL),
		ClientReferenceID: stripego.String(id),
		Metadata:          meta,
		PaymentIntentData: &stripego.CheckoutSessionCreatePaymentIntentDataParams{
			Description: stripego.String(name),
			Metadata:    piMeta,
		},
	}
	if r.CancelURL != "" {
		p.CancelURL = stripego.String(r.CancelURL)
	}
	if r.ClientEmail != "" {
		p.CustomerEmail = stripego.String(r.ClientEmail)
	}
	if l := checkoutLocale(r.Locale); l != "" {
		p.Locale = stripego.String(l)
	}
	if r.SaveMethod {
		p.PaymentIntentData.SetupFutureUsage = stripego.String(string(stripego.PaymentIntentSetupFutureUsageOffSession))
		p.CustomerCreation = stripego.String(string(stripego.CheckoutSessionCustomerCreationAlways))
		meta[MetadataSaveMethod] = "true"
	}
	p.SetIdempotencyKey(id)
	s, err := sc.V1CheckoutSessions.Create(ctx, p)
	if err != nil {
		return billing.StartPaymentResult{}, apiError("creating a Checkout Session", err)
	}
	return billing.StartPaymentResult{GatewayPaymentID: s.ID, RedirectURL: s.URL, Status: billing.PaymentPending}, nil
}

// ChargeSaved charges a saved card without the customer: a PaymentIntent
// confirmed off session, with the PaymentID as idempotency key and in
// metadata. r.SavedMethod is a reference this gateway reported
// ("cus_.../pm_..."), or a bare "pm_..." when the payment method's settings
// name the customer (SettingCustomer).
//
// The report is paid when Stripe charged the card, failed with Stripe's
// message when the card was declined (including when its bank asks the
// customer to authenticate, which off-session charges cannot), and pending
// while the charge is processing or needs an action. GatewayPaymentID is the
// PaymentIntent's ID (pi_...), which callbacks and Query name.
func (g *Gateway) ChargeSaved(ctx context.Context, r billing.StartPaymentRequest) (billing.GatewayReport, error) {
	var v billkit.FieldErrors
	sc := g.client(&v, r.Settings)
	v.Check(!r.PaymentID.IsZero(), "payment_id", "required", "is required")
	minor, cur, err := minorUnits("amount", r.Amount)
	v.Merge("", err)
	customer, method, ok := parseSavedMethod(r.SavedMethod, r.Settings[SettingCustomer])
	if strings.TrimSpace(r.SavedMethod) == "" {
		v.Require("saved_method", r.SavedMethod)
	} else if !ok {
		v.Add("saved_method", ReasonSavedMethodMalformed,
			`is not a Stripe saved method: "cus_.../pm_...", or "pm_..." with the customer setting`)
	}
	if err := v.Err(); err != nil {
		return billing.GatewayReport{}, err
	}

	id := r.PaymentID.String()
	meta := map[string]string{MetadataPaymentID: id}
	if !r.ClientID.IsZero() {
		meta[MetadataClientID] = r.ClientID.String()
	}
	p := &stripego.PaymentIntentCreateParams{
		Amount:        stripego.Int64(minor),
		Currency:      stripego.String(cur),
		Customer:      stripego.String(customer),
		PaymentMethod: stripego.String(method),
		Confirm:       stripego.Bool(true),
		OffSession:    stripego.Bool(true),
		Metadata:      meta,
		// Off session nobody can follow a redirect.
		AutomaticPaymentMethods: &stripego.PaymentIntentCreateAutomaticPaymentMethodsParams{
			Enabled:        stripego.Bool(true),
			AllowRedirects: stripego.String("never"),
		},
	}
	if d := strings.TrimSpace(r.Description); d != "" {
		p.Description = stripego.String(d)
	}
	p.SetIdempotencyKey(id)
	pi, err := sc.V1PaymentIntents.Create(ctx, p)
	if err != nil {
		var se *stripego.Error
		if errors.As(err, &se) && se.Type == stripego.ErrorTypeCard {
			rep := billing.GatewayReport{PaymentID: r.PaymentID, Status: billing.PaymentFailed, Message: declineMessage(se)}
			if se.PaymentIntent != nil {
				rep.GatewayPaymentID = se.PaymentIntent.ID
			}
			return rep, nil
		}
		return billing.GatewayReport{}, apiError("charging a saved method", err)
	}
	return intentReport(pi, false)
}

// declineMessage is a card error for staff: Stripe's message and codes.
func declineMessage(se *stripego.Error) string {
	msg := se.Msg
	code := string(se.Code)
	if se.DeclineCode != "" && string(se.DeclineCode) != code {
		code += ", " + string(se.DeclineCode)
	}
	if code != "" {
		msg += " (" + code + ")"
	}
	return msg
}

// SavedMethodRef returns the reference ChargeSaved takes for a card
// (paymentMethod, "pm_...") kept on a Stripe customer ("cus_..."):
// "cus_.../pm_...". Callbacks and Query report saved methods in this form.
func SavedMethodRef(customer, paymentMethod string) string {
	return customer + "/" + paymentMethod
}

// parseSavedMethod splits "cus_X/pm_Y", or takes "pm_Y" with the customer
// setting.
func parseSavedMethod(ref, settingCustomer string) (customer, method string, ok bool) {
	ref = strings.TrimSpace(ref)
	if c, m, found := strings.Cut(ref, "/"); found {
		customer, method = c, m
	} else {
		customer, method = strings.TrimSpace(settingCustomer), ref
	}
	if !strings.HasPrefix(customer, "cus_") || len(customer) == len("cus_") ||
		!strings.HasPrefix(method, "pm_") || len(method) == len("pm_") || strings.Contains(method, "/") {
		return "", "", false
	}
	return customer, method, true
}

// checkoutLocales are the locales Stripe Checkout shows.
var checkoutLocales = map[string]bool{
	"bg": true, "cs": true, "da": true, "de": true, "el": true, "en": true,
	"en-GB": true, "es": true, "es-419": true, "et": true, "fi": true, "fil": true, "fr": true,
	"fr-CA": true, "hr": true, "hu": true, "id": true, "it": true, "ja": true, "ko": true,
	"lt": true, "lv": true, "ms": true, "mt": true, "nb": true, "nl": true, "pl": true,
	"pt": true, "pt-BR": true, "ro": true, "ru": true, "sk": true, "sl": true, "sv": true,
	"th": true, "tr": true, "vi": true, "zh": true, "zh-HK": true, "zh-TW": true,
}

// checkoutLocale maps billkit's locale ("ru", "pt_BR", "en-US") to one
// Checkout shows: the exact tag, else its language, else "auto" (the
// browser's). "" stays "" (Stripe's default, auto).
func checkoutLocale(locale string) string {
	l := strings.ReplaceAll(strings.TrimSpace(locale), "_", "-")
	if l == "" {
		return ""
	}
	lang, region, _ := strings.Cut(l, "-")
	lang = strings.ToLower(lang)
	if region != "" {
		if tag := lang + "-" + strings.ToUpper(region); checkoutLocales[tag] {
			return tag
		}
		if tag := lang + "-" + region; checkoutLocales[tag] {
			return tag // es-419
		}
	}
	if checkoutLocales[lang] {
		return lang
	}
	return "auto"
}
