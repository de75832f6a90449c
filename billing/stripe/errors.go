package stripe

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/billkit/billkit"
	stripego "github.com/stripe/stripe-go/v85"
)

// The reasons of the errors this package returns, besides "required" on a
// missing field and billing.ReasonCallbackSignature.
const (
	// ReasonAmountNotPositive: an amount of zero or less.
	ReasonAmountNotPositive = "stripe.amount_not_positive"
	// ReasonAmountPrecision: an amount Stripe cannot take exactly (more
	// decimals than its minor unit, or not a multiple of what the currency
	// requires).
	ReasonAmountPrecision = "stripe.amount_precision"
	// ReasonAmountTooLarge: more than Stripe takes in one payment.
	ReasonAmountTooLarge = "stripe.amount_too_large"
	// ReasonCurrencyUnsupported: a currency that is not ISO 4217.
	ReasonCurrencyUnsupported = "stripe.currency_unsupported"
	// ReasonCurrencyMismatch: a refund in another currency than the
	// payment's.
	ReasonCurrencyMismatch = "stripe.currency_mismatch"
	// ReasonSavedMethodMalformed: a saved method reference that is not
	// "cus_.../pm_..." (or "pm_..." with the "customer" setting).
	ReasonSavedMethodMalformed = "stripe.saved_method_malformed"
	// ReasonGatewayPaymentIDMalformed: a gateway payment ID that is neither
	// a Checkout Session (cs_) nor a PaymentIntent (pi_).
	ReasonGatewayPaymentIDMalformed = "stripe.gateway_payment_id_malformed"
	// ReasonEventMalformed: a signed callback whose body is not a Stripe
	// event.
	ReasonEventMalformed = "stripe.event_malformed"

	// ReasonUnavailable: Stripe could not be reached, timed out, answered
	// 429 or 5xx. The call may be repeated with the same IDs: Stripe
	// deduplicates it by its idempotency key.
	ReasonUnavailable = "stripe.unavailable"
	// ReasonAuthentication: Stripe refused the secret key (401).
	ReasonAuthentication = "stripe.authentication"
	// ReasonPermission: the key may not do this (403): a restricted key
	// without the permission.
	ReasonPermission = "stripe.permission"
	// ReasonInvalidRequest: Stripe refused the request's parameters (400);
	// the message is Stripe's.
	ReasonInvalidRequest = "stripe.invalid_request"
	// ReasonNotFound: Stripe does not know the object (404).
	ReasonNotFound = "stripe.not_found"
	// ReasonIdempotency: an idempotency key reused with other parameters,
	// or a request still running under the same key (409).
	ReasonIdempotency = "stripe.idempotency"
	// ReasonCardDeclined: a card error outside a charge of a saved method
	// (which reports a failed payment instead).
	ReasonCardDeclined = "stripe.card_declined"
	// ReasonRefundFailed: Stripe created the refund as failed or canceled.
	ReasonRefundFailed = "stripe.refund_failed"
	// ReasonResponse: Stripe answered something this package does not
	// understand.
	ReasonResponse = "stripe.response"
)

// apiError turns an error of stripe-go into a *billkit.Error whose code
// says what the caller can do: unavailable (retry later), failed
// precondition (fix the settings), invalid, not found, conflict.
func apiError(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *stripego.Error
	if !errors.As(err, &se) {
		return billkit.WrapError(err, billkit.CodeUnavailable, ReasonUnavailable, op+": Stripe did not answer")
	}
	msg := fmt.Sprintf("%s: Stripe answered %d: %s", op, se.HTTPStatusCode, se.Msg)
	if se.Param != "" {
		msg += " (" + se.Param + ")"
	}
	wrap := func(code billkit.Code, reason string) error {
		return &billkit.Error{Code: code, Reason: reason, Message: msg, Err: err}
	}
	switch {
	case se.Type == stripego.ErrorTypeIdempotency || se.HTTPStatusCode == http.StatusConflict:
		return wrap(billkit.CodeConflict, ReasonIdempotency)
	case se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode >= 500 || se.Type == stripego.ErrorTypeAPI:
		return wrap(billkit.CodeUnavailable, ReasonUnavailable)
	case se.HTTPStatusCode == http.StatusUnauthorized:
		return wrap(billkit.CodeFailedPrecondition, ReasonAuthentication)
	case se.HTTPStatusCode == http.StatusForbidden:
		return wrap(billkit.CodeFailedPrecondition, ReasonPermission)
	case se.Type == stripego.ErrorTypeCard || se.HTTPStatusCode == http.StatusPaymentRequired:
		return wrap(billkit.CodeFailedPrecondition, ReasonCardDeclined)
	case se.HTTPStatusCode == http.StatusNotFound:
		return wrap(billkit.CodeNotFound, ReasonNotFound)
	case se.HTTPStatusCode == http.StatusBadRequest || se.Type == stripego.ErrorTypeInvalidRequest:
		return wrap(billkit.CodeInvalid, ReasonInvalidRequest)
	}
	return wrap(billkit.CodeInternal, ReasonResponse)
}
