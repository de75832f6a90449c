// Package stripetest is a fake Stripe for tests: an in-memory HTTP server
// that speaks the part of Stripe's API billkit's Stripe gateway uses, and
// signs webhook events as Stripe does.
//
// It implements, with Stripe's shapes of requests (form-encoded, bracketed
// keys), answers (JSON objects) and errors ({"error": {"type", "code",
// "message", "param"}}):
//
//   - POST /v1/checkout/sessions (payment mode, price_data lines), GET
//     /v1/checkout/sessions/{id}, GET /v1/checkout/sessions (filtered by
//     payment_intent, customer, status), POST
//     /v1/checkout/sessions/{id}/expire;
//   - POST /v1/payment_intents (confirmed at once with a saved card, as
//     off-session charges are), GET /v1/payment_intents/{id}, GET
//     /v1/payment_intents/search (metadata['key']:'value' queries only,
//     and up to date at once, where Stripe's index lags by up to a
//     minute);
//   - POST /v1/refunds, GET /v1/refunds/{id};
//   - GET /v1/charges/{id}, /v1/payment_methods/{id}, /v1/customers/{id};
//   - expand[] on every object that names another;
//   - the secret key as a bearer token or basic-auth user, and
//     Idempotency-Key: the same key with the same parameters replays the
//     first answer (Idempotent-Replayed: true), with other parameters is an
//     idempotency_error; as at Stripe, a request rejected for its parameters
//     is not remembered;
//   - Stripe's checks that catch integration mistakes: unknown parameters,
//     missing ones, locales Checkout does not know, metadata limits, amounts
//     in three-decimal currencies that do not end in 0, fractional ISK,
//     refunds beyond what is left.
//
// Anything else answers 404, so a client that drifts from that subset fails
// loudly rather than against an approximation.
//
// A test plays the customer and Stripe's back office with methods:
// CompleteSession and PaySession pay a session (with a chosen test Card, or
// a delayed method settled later by SucceedDelayedPayment or
// FailDelayedPayment), ExpireSession expires it, RefundPayment refunds as
// staff do in the Dashboard, SaveCard leaves a customer with a saved card.
// Each returns the signed Event Stripe would post, ready to hand to the code
// under test; Event builds any other. With Config.WebhookURL set, the events
// those methods cause are also posted there, and a session's URL opens a
// small payment page that a browser test can use to pay or cancel.
//
// IDs are sequential (cs_test_000001, pi_000001, evt_000001), so tests and
// examples print stable values. Objects carry the times of Config.Clock;
// give it the clock of the code under test so that signatures fall within
// its tolerance.
package stripetest
