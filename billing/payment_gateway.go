package billing

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/billkit/billkit"
)

// GatewayTimeout bounds every call to a gateway. A call that takes longer
// ends with the context's deadline, which billkit reads as "outcome
// unknown": the payment stays as it was and is asked about again later.
const GatewayTimeout = 30 * time.Second

// paymentCheckDelays are the waits between the queries of a payment whose
// outcome is unknown; the last repeats.
var paymentCheckDelays = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// PaymentUnresolvedAfter is how long a payment's outcome may stay unknown
// before it is flagged for staff (Payment.Attention). It is still queried
// every six hours after that: only the payment service knows whether the
// money moved, so billkit never decides on its own that it did not.
const PaymentUnresolvedAfter = 7 * 24 * time.Hour

// NextPaymentCheck returns how long to wait before asking a gateway again
// about a payment whose outcome is still unknown after attempts calls: one
// minute after the first, then 5 minutes, 30 minutes, 2 hours, and every 6
// hours from the fifth on.
func NextPaymentCheck(attempts int) time.Duration {
	i := max(attempts-1, 0)
	return paymentCheckDelays[min(i, len(paymentCheckDelays)-1)]
}

// builtinGateways are the gateways every Service has.
var builtinGateways = []Gateway{manualGateway{}, balanceGateway{}}

// gateway returns the gateway of a code: a built-in one first, then the
// first of Config.Gateways with that code. An unknown code is invalid on
// field "gateway", ReasonGatewayUnknown.
func (s *Service) gateway(code string) (Gateway, error) {
	for _, g := range builtinGateways {
		if g.Code() == code {
			return g, nil
		}
	}
	for _, g := range s.cfg.Gateways {
		if g != nil && g.Code() == code {
			return g, nil
		}
	}
	return nil, billkit.InvalidField("gateway", ReasonGatewayUnknown, fmt.Sprintf("%q is not a gateway of this installation", code))
}

// GatewayCodes lists the codes of the gateways payment methods may use:
// the built-in ones, then those of Config.Gateways, each once.
func (s *Service) GatewayCodes() []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range append(append([]Gateway{}, builtinGateways...), s.cfg.Gateways...) {
		if g != nil && !seen[g.Code()] {
			seen[g.Code()] = true
			out = append(out, g.Code())
		}
	}
	return out
}

// callGateway calls a gateway with a deadline, outside any transaction. A
// panic in a gateway's code becomes an internal error instead of taking
// the process down.
func callGateway[T any](ctx context.Context, call func(ctx context.Context) (T, error)) (out T, err error) {
	ctx, cancel := context.WithTimeout(ctx, GatewayTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = billkit.Errorf(billkit.CodeInternal, "payment.gateway_panic", "the gateway panicked: %v", r)
		}
	}()
	return call(ctx)
}

// gatewayRefused reports whether a gateway's error says that the payment
// service refused the request, so nothing happened; any other error leaves
// the outcome unknown.
func gatewayRefused(err error) bool {
	switch billkit.ErrorCode(err) {
	case billkit.CodeInvalid, billkit.CodeFailedPrecondition, billkit.CodeForbidden, billkit.CodeUnauthenticated:
		return true
	}
	return false
}

// outcomeUnknown is the error of a gateway call whose outcome is unknown.
func outcomeUnknown(id PaymentID, err error) error {
	return &billkit.Error{Code: billkit.CodeUnavailable, Reason: ReasonOutcomeUnknown,
		Message: fmt.Sprintf("the gateway did not answer for payment %s; it will be asked again", id), Err: err}
}

// settingsOf returns a copy of a method's settings for a gateway call.
func settingsOf(m *PaymentMethod) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return maps.Clone(m.Settings)
}
