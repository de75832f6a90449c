// Package examplepay is a complete third-party payment gateway for billkit,
// written the way a hoster writes one for their own payment service. It
// talks to "ExamplePay", a made-up service whose API is shaped like
// YooKassa's and PayPal's redirect APIs, and ships a Server that speaks
// that API, so the whole flow runs in tests without a network. Copy this
// package, rename it, change the wire types and the URLs, and you have an
// adapter for YooKassa in a day.
//
// # The protocol
//
// ExamplePay authenticates the shop with HTTP Basic (shop ID and secret
// key) and speaks JSON:
//
//   - POST /v1/payments with an Idempotence-Key header creates a payment
//     and answers with its ID, its status ("pending") and a confirmation
//     URL to send the customer to. The same key with the same body answers
//     the same payment again instead of creating a second one.
//   - GET /v1/payments/{id} reads a payment; GET
//     /v1/payments?metadata.billkit_payment_id={id} finds one by the
//     metadata the shop attached, for when the answer to the create was lost.
//   - POST /v1/refunds with an Idempotence-Key refunds all or part of a
//     succeeded payment.
//   - Webhooks: when a payment succeeds, is canceled or is refunded, the
//     service POSTs an event {"id", "event", "object": payment} to the shop,
//     signed in the X-Examplepay-Signature header: "t=<unix time>,v1=<hex
//     HMAC-SHA256 of "<t>.<body>" with the webhook secret>".
//
// A payment's status at ExamplePay is "pending", "succeeded" or "canceled";
// a succeeded payment carries refunded_amount once refunds are made.
//
// # The settings of a payment method
//
// Everything per shop comes from the payment method's Settings, so one
// Gateway serves any number of shops: SettingAPIURL (default
// DefaultAPIURL), SettingShopID, SettingSecretKey and SettingWebhookSecret.
// ValidateSettings checks them when staff save the method.
//
// # What each method does, and why
//
// Code names the gateway in payment methods ("examplepay"), and
// Capabilities tells billkit it can refund (also in part), save cards and
// send callbacks.
//
// Start creates the payment with billkit's payment ID as the
// Idempotence-Key and in the metadata: billkit may call Start again after a
// timeout, and the key makes the second call return the same payment
// instead of charging twice; the metadata lets a callback or a query name
// billkit's payment even when the gateway's ID never reached billkit. It
// answers pending with the confirmation URL as RedirectURL.
//
// ParseCallback verifies the signature first (in constant time, and within
// Config.Tolerance of the timestamp, against replays), and only then reads
// the body. A bad signature is unauthenticated
// billing.ReasonCallbackSignature: billkit writes nothing. Events it does
// not know are reported with Ignore set. The event's ID becomes the
// report's EventID, which billkit stores so that a replayed event applies
// once.
//
// Query reads the payment by its ID, or, when billkit never learned it,
// finds it by the metadata. A payment the service does not know is
// not_found: billkit then fails a payment whose start never reached the
// service.
//
// Refund refunds with billkit's refund ID as the Idempotence-Key, for the
// same reason Start uses the payment ID. ChargeSaved charges a saved card
// without the customer (recurring charges): a create with the saved
// method's ID and no confirmation.
//
// # Errors
//
// How an error is classified decides what billkit does (see
// billing.Gateway): an answer that says the service refused (HTTP 400, 401,
// 403, 409, 422) is failed_precondition and fails the payment or refund; an
// answer that says the service does not know it (404) is not_found; a
// timeout, a network error or a 5xx is unavailable, the outcome unknown, and
// billkit asks again later.
//
// # Adapting it to YooKassa
//
// YooKassa's API is this one with other names: the same Basic
// authentication, the same Idempotence-Key header, the same amount
// objects, payments "pending", "waiting_for_capture", "succeeded" and
// "canceled" with cancellation_details, and confirmation URLs. Its
// notifications are not signed: verify them by reading the payment back
// with GET /v3/payments/{id} (which is what Query does) and by checking
// the sender's IP against YooKassa's published ranges, instead of the HMAC
// check here. It cannot search payments by metadata; re-POST the create
// with the same Idempotence-Key (kept for 24 hours) to learn the ID of a
// payment whose answer was lost.
package examplepay
