package stripe

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	stripego "github.com/stripe/stripe-go/v85"
)

// The reasons of refunds' errors.
const (
	// ReasonNotPaid: a refund of a payment Stripe has not been paid.
	ReasonNotPaid = "stripe.not_paid"
	// ReasonRefundIDTooLong: a refund ID too long to be Stripe's
	// idempotency key.
	ReasonRefundIDTooLong = "stripe.refund_id_too_long"
)

// maxIdempotencyKey is the longest idempotency key Stripe takes.
const maxIdempotencyKey = 255

// maxReason bounds the refund reason kept in Stripe's metadata, whose
// values hold 500 characters.
const maxReason = 500

// SearchGrace is how long after a payment is made Query keeps answering
// "not known yet" (unavailable) rather than "not found" when it looks the
// payment up by billkit's ID and Stripe's search does not find it: Stripe's
// search index follows writes by up to a minute, longer during incidents.
const SearchGrace = time.Hour

// Query asks Stripe for a payment's state: the Checkout Session (cs_...),
// with its PaymentIntent and latest charge, or the PaymentIntent of a saved
// charge (pi_...). Statuses map as in ParseCallback: open is pending,
// expired cancelled, paid paid, a delayed payment that failed failed; a
// paid payment with refunds is refunded or partly_refunded, with Refunded
// the total.
//
// Without a GatewayPaymentID (the start's answer was lost), Query searches
// Stripe's PaymentIntents for billkit's PaymentID in metadata, which finds a
// saved-method charge, or a Checkout payment once paid. Finding none, it
// answers not_found (ReasonNotFound) once the payment is older than
// SearchGrace, by the time in its UUIDv7 ID and Config.Clock, and
// unavailable before: billing fails a payment whose start never reached the
// payment service, and nobody can pay a Checkout Session whose address was
// never given out.
func (g *Gateway) Query(ctx context.Context, r billing.QueryPaymentRequest) (billing.GatewayReport, error) {
	var v billkit.FieldErrors
	sc := g.client(&v, r.Settings)
	kind := ""
	if r.GatewayPaymentID != "" || r.PaymentID.IsZero() {
		kind = gatewayKind(&v, r.GatewayPaymentID)
	}
	if err := v.Err(); err != nil {
		return billing.GatewayReport{}, err
	}
	switch kind {
	case "":
		return g.search(ctx, sc, r)
	case "pi":
		return queryIntent(ctx, sc, r.GatewayPaymentID)
	}
	return g.querySession(ctx, sc, r, r.GatewayPaymentID)
}

func queryIntent(ctx context.Context, sc *stripego.Client, id string) (billing.GatewayReport, error) {
	p := &stripego.PaymentIntentRetrieveParams{}
	p.AddExpand("latest_charge")
	pi, err := sc.V1PaymentIntents.Retrieve(ctx, id, p)
	if err != nil {
		return billing.GatewayReport{}, apiError("querying a PaymentIntent", err)
	}
	return intentReport(pi, true)
}

// search looks a payment up by billkit's ID.
func (g *Gateway) search(ctx context.Context, sc *stripego.Client, r billing.QueryPaymentRequest) (billing.GatewayReport, error) {
	p := &stripego.PaymentIntentSearchParams{}
	p.Query = fmt.Sprintf("metadata['%s']:'%s'", MetadataPaymentID, r.PaymentID)
	p.Limit = stripego.Int64(1)
	p.Single = true
	var found *stripego.PaymentIntent
	for pi, err := range sc.V1PaymentIntents.Search(ctx, p).All(ctx) {
		if err != nil {
			return billing.GatewayReport{}, apiError("searching PaymentIntents", err)
		}
		found = pi
		break
	}
	if found == nil {
		made := time.UnixMilli(int64(uuidMillis(r.PaymentID.UUID())))
		if g.clock.Now().Sub(made) < SearchGrace {
			return billing.GatewayReport{}, billkit.Errorf(billkit.CodeUnavailable, ReasonUnavailable,
				"Stripe's search does not find payment %s yet", r.PaymentID)
		}
		return billing.GatewayReport{}, billkit.Errorf(billkit.CodeNotFound, ReasonNotFound,
			"Stripe knows no payment %s", r.PaymentID)
	}
	if found.Metadata[MetadataCheckout] != "true" {
		return queryIntent(ctx, sc, found.ID)
	}
	lp := &stripego.CheckoutSessionListParams{PaymentIntent: stripego.String(found.ID)}
	lp.Limit = stripego.Int64(1)
	lp.Single = true
	for s, err := range sc.V1CheckoutSessions.List(ctx, lp).All(ctx) {
		if err != nil {
			return billing.GatewayReport{}, apiError("finding a Checkout Session", err)
		}
		return g.querySession(ctx, sc, r, s.ID)
	}
	return queryIntent(ctx, sc, found.ID)
}

// uuidMillis reads the Unix milliseconds a UUIDv7 starts with.
func uuidMillis(u [16]byte) uint64 {
	var ms uint64
	for _, b := range u[:6] {
		ms = ms<<8 | uint64(b)
	}
	return ms
}

func (g *Gateway) querySession(ctx context.Context, sc *stripego.Client, r billing.QueryPaymentRequest, id string) (billing.GatewayReport, error) {
	p := &stripego.CheckoutSessionRetrieveParams{}
	p.AddExpand("payment_intent")
	p.AddExpand("payment_intent.latest_charge")
	p.AddExpand("payment_intent.payment_method")
	s, err := sc.V1CheckoutSessions.Retrieve(ctx, id, p)
	if err != nil {
		return billing.GatewayReport{}, apiError("querying a Checkout Session", err)
	}
	pi := s.PaymentIntent
	status := billing.PaymentPending
	switch {
	case s.Status == stripego.CheckoutSessionStatusExpired:
		status = billing.PaymentCancelled
	case sessionPaid(s):
		status = billing.PaymentPaid
	case s.Status == stripego.CheckoutSessionStatusComplete && pi != nil &&
		(pi.Status == stripego.PaymentIntentStatusRequiresPaymentMethod || pi.Status == stripego.PaymentIntentStatusCanceled):
		status = billing.PaymentFailed
	}
	rep, err := g.sessionReport(ctx, s, status, r.Settings)
	if err != nil || rep.Ignore {
		// A session without billkit's metadata is still what was asked
		// about: report it rather than ignore it.
		if err == nil {
			rep = billing.GatewayReport{GatewayPaymentID: s.ID, PaymentID: r.PaymentID, Status: status}
		}
		return rep, err
	}
	if status == billing.PaymentPaid && pi != nil && pi.LatestCharge != nil && pi.LatestCharge.AmountRefunded > 0 {
		if rep.Status, rep.Amount, rep.Refunded, err = refundState(pi.LatestCharge); err != nil {
			return billing.GatewayReport{}, malformed(err)
		}
	}
	return rep, nil
}

// gatewayKind checks a gateway payment ID: "cs" for a Checkout Session,
// "pi" for a PaymentIntent.
func gatewayKind(v *billkit.FieldErrors, id string) string {
	if !v.Require("gateway_payment_id", id) {
		return ""
	}
	switch {
	case strings.HasPrefix(id, "cs_"):
		return "cs"
	case strings.HasPrefix(id, "pi_"):
		return "pi"
	}
	v.Add("gateway_payment_id", ReasonGatewayPaymentIDMalformed, "is neither a Checkout Session (cs_...) nor a PaymentIntent (pi_...)")
	return ""
}

// intentReport maps a PaymentIntent. withRefunds reads refunds from its
// expanded latest charge.
func intentReport(pi *stripego.PaymentIntent, withRefunds bool) (billing.GatewayReport, error) {
	pid, _ := paymentIDOf(pi.Metadata, "")
	rep := billing.GatewayReport{GatewayPaymentID: pi.ID, PaymentID: pid}
	switch pi.Status {
	case stripego.PaymentIntentStatusSucceeded:
		rep.Status = billing.PaymentPaid
	case stripego.PaymentIntentStatusCanceled:
		rep.Status = billing.PaymentCancelled
	case stripego.PaymentIntentStatusRequiresPaymentMethod:
		// A new PaymentIntent waits for a method; one that had a method
		// and lost it was declined.
		rep.Status = billing.PaymentPending
		if pi.LastPaymentError != nil {
			rep.Status, rep.Message = billing.PaymentFailed, declineMessage(pi.LastPaymentError)
		}
	default:
		// processing, requires_action, requires_confirmation,
		// requires_capture: not settled yet.
		rep.Status = billing.PaymentPending
		if pi.Status == stripego.PaymentIntentStatusRequiresAction {
			rep.Message = "the card's bank asks the customer to authenticate the payment"
		}
	}
	if rep.Status != billing.PaymentPaid {
		return rep, nil
	}
	amount, err := FromMinorUnits(pi.Amount, string(pi.Currency))
	if err != nil {
		return billing.GatewayReport{}, malformed(err)
	}
	rep.Amount = amount
	if withRefunds && pi.LatestCharge != nil && pi.LatestCharge.AmountRefunded > 0 {
		if rep.Status, rep.Amount, rep.Refunded, err = refundState(pi.LatestCharge); err != nil {
			return billing.GatewayReport{}, malformed(err)
		}
	}
	return rep, nil
}

// Refund refunds Amount of a paid payment (its Checkout Session's
// PaymentIntent, or a saved charge's) with RefundID as Stripe's idempotency
// key, so repeating a refund refunds once. The Amount must be in the
// payment's currency (ReasonCurrencyMismatch otherwise) and exact in Stripe's
// minor units. Pending is true while Stripe's refund is pending (bank debits
// refund slowly); a refund Stripe reports failed is an error with reason
// ReasonRefundFailed.
func (g *Gateway) Refund(ctx context.Context, r billing.RefundRequest) (billing.RefundResult, error) {
	var v billkit.FieldErrors
	sc := g.client(&v, r.Settings)
	kind := gatewayKind(&v, r.GatewayPaymentID)
	if v.Require("refund_id", r.RefundID) && len(r.RefundID) > maxIdempotencyKey {
		v.Add("refund_id", ReasonRefundIDTooLong, fmt.Sprintf("is longer than the %d characters of a Stripe idempotency key", maxIdempotencyKey))
	}
	minor, cur, err := minorUnits("amount", r.Amount)
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return billing.RefundResult{}, err
	}

	intentID, payCur := r.GatewayPaymentID, ""
	if kind == "cs" {
		s, err := sc.V1CheckoutSessions.Retrieve(ctx, r.GatewayPaymentID, nil)
		if err != nil {
			return billing.RefundResult{}, apiError("finding the payment to refund", err)
		}
		if s.PaymentIntent == nil || s.PaymentIntent.ID == "" || !sessionPaid(s) {
			return billing.RefundResult{}, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonNotPaid,
				"Stripe has not been paid for Checkout Session %s", s.ID)
		}
		intentID, payCur = s.PaymentIntent.ID, string(s.Currency)
	} else {
		pi, err := sc.V1PaymentIntents.Retrieve(ctx, r.GatewayPaymentID, nil)
		if err != nil {
			return billing.RefundResult{}, apiError("finding the payment to refund", err)
		}
		payCur = string(pi.Currency)
	}
	if !strings.EqualFold(payCur, cur) {
		return billing.RefundResult{}, billkit.InvalidField("amount", ReasonCurrencyMismatch,
			"is in "+strings.ToUpper(cur)+", the payment in "+strings.ToUpper(payCur))
	}

	meta := map[string]string{MetadataRefundID: r.RefundID}
	if !r.PaymentID.IsZero() {
		meta[MetadataPaymentID] = r.PaymentID.String()
	}
	if reason := strings.TrimSpace(r.Reason); reason != "" {
		if rs := []rune(reason); len(rs) > maxReason/4 {
			// Runes take up to four bytes; Stripe counts bytes.
			reason = string(rs[:maxReason/4])
		}
		meta[MetadataReason] = reason
	}
	p := &stripego.RefundCreateParams{
		PaymentIntent: stripego.String(intentID),
		Amount:        stripego.Int64(minor),
		Reason:        stripego.String(string(stripego.RefundReasonRequestedByCustomer)),
		Metadata:      meta,
	}
	p.SetIdempotencyKey(r.RefundID)
	re, err := sc.V1Refunds.Create(ctx, p)
	if err != nil {
		return billing.RefundResult{}, apiError("creating a Refund", err)
	}
	switch re.Status {
	case stripego.RefundStatusSucceeded:
		return billing.RefundResult{GatewayRefundID: re.ID}, nil
	case stripego.RefundStatusFailed, stripego.RefundStatusCanceled:
		return billing.RefundResult{}, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonRefundFailed,
			"Stripe refund %s is %s (%s)", re.ID, re.Status, re.FailureReason)
	}
	return billing.RefundResult{GatewayRefundID: re.ID, Pending: true}, nil
}
