// Package stripe is billkit's payment gateway for Stripe
// (https://stripe.com): customers pay on Stripe Checkout, Stripe reports the
// outcome by webhook, and cards customers chose to save are charged later
// without them, for renewals.
//
// # Setting it up
//
// Pass the gateway to billing with billing.Config{Gateways:
// []billing.Gateway{stripe.New(stripe.Config{})}} and create a payment
// method with the gateway code "stripe" and these settings, which
// ValidateSettings checks when staff save them:
//
//   - secret_key: the account's secret key (sk_live_..., or sk_test_... to
//     try it in Stripe's test mode). A restricted key (rk_...) works when it
//     may write Checkout Sessions, PaymentIntents and Refunds and read
//     Charges and PaymentMethods.
//   - webhook_secret: the signing secret (whsec_...) of the webhook
//     endpoint below.
//   - customer (optional): a Stripe customer (cus_...) whose saved cards the
//     method charges when a saved method names only the card (pm_...).
//
// In Stripe's Dashboard (Developers, Webhooks), add an endpoint whose URL is
// billkit server's callback URL of that payment method,
//
//	https://billing.example.com/api/v1/payments/callback/{method_id}
//
// ({method_id} is the payment method's ID), and enable the events that
// Events lists: checkout.session.completed,
// checkout.session.async_payment_succeeded,
// checkout.session.async_payment_failed, checkout.session.expired,
// payment_intent.succeeded, payment_intent.payment_failed and
// charge.refunded. Copy the endpoint's signing secret into webhook_secret.
// The adapter reads only fields that every recent API version has, so the
// endpoint's API version does not matter. Each payment method has its own
// URL and secret, so one billkit can serve several Stripe accounts (one per
// company or brand).
//
// # How payments go
//
// Start creates a Checkout Session for the amount and returns its URL;
// billkit sends the customer there and keeps the session's ID (cs_...). The
// webhook then reports it paid (or, for a bank debit, pending and later paid
// or failed; or cancelled when the session expires unpaid), with the amount
// Stripe took, which billing compares with the payment's. Query asks Stripe
// for the same when a webhook is late; when the start's answer was lost and
// billkit has no Stripe ID, Query finds the payment by billkit's ID through
// Stripe's search. Every request that creates something
// carries billkit's ID as Stripe's idempotency key (the payment ID to start
// or charge, the refund ID to refund), so retrying after a timeout never
// charges or refunds twice. Stripe keeps keys for at least 24 hours, and a
// Checkout Session expires after 24 hours: a payment started again later gets
// a new session only once the first can no longer be paid.
//
// A payment started with SaveMethod keeps the card on a Stripe customer that
// Checkout creates; the webhook reports it as a billing.SavedMethodRef whose
// Ref is "cus_.../pm_..." (SavedMethodRef) and whose Label is what the
// customer recognizes ("Visa •••• 4242"). ChargeSaved charges it off
// session; a declined card is a failed report, not an error, with Stripe's
// reason in Message.
//
// # Amounts
//
// Stripe counts amounts in minor units. MinorUnits converts billkit.Money
// exactly with the currency's ISO 4217 decimals (2 for USD, 0 for JPY, 3 for
// BHD), with Stripe's exceptions: MGA is zero-decimal at Stripe, ISK keeps
// two decimals but only whole krónur, and the three-decimal currencies (BHD,
// JOD, KWD, OMR, TND) must end in 0. An amount Stripe cannot take exactly is
// an invalid error before any request: billkit never rounds money silently.
// Custom (non-ISO) currencies cannot be paid through Stripe.
//
// # Errors
//
// Errors are *billkit.Error: invalid with the field for bad input
// ("settings.secret_key", "amount", "saved_method"); unauthenticated with
// billing.ReasonCallbackSignature for a webhook whose signature or timestamp
// does not verify; unavailable when Stripe cannot be reached or answers 429
// or 5xx (repeat later with the same IDs); failed_precondition when Stripe
// refuses the key or the request cannot succeed as it is; the reasons are
// the Reason constants of this package.
//
// # Testing
//
// Package stripetest is a fake Stripe server that this package's tests, and
// an embedder's, run against: point Config.BackendURL at it.
//
// Not supported: Stripe Connect (charges on connected accounts), stored
// Prices and Products, and payments of several lines (billkit pays one
// amount per payment).
package stripe
