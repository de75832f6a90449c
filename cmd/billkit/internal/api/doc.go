// Package api is the JSON API of the billkit reference server, served under
// /api/v1 and described by an OpenAPI 3.1 document at /api/v1/openapi.json
// (and /api/v1/openapi.yaml), generated from the Go types.
//
// It owns the HTTP surface only: authenticating callers, parsing requests,
// calling the services ([directory.Service], [access.Service],
// [billing.Service]), and mapping results and errors. Business rules,
// rights checks included, live in the domain packages, never here.
//
// # Resources
//
//   - countries: GET /countries (enabled, eu, query, limit, cursor),
//     GET and PATCH /countries/{code}
//   - subdivisions: GET /subdivisions (country, limit, cursor),
//     GET /subdivisions/{code}
//   - currencies: GET and POST /currencies, GET and PATCH /currencies/{code},
//     POST /currencies/{code}/enable and /disable
//   - exchange rates: GET /exchange-rates (base, quote, from, to), POST
//     /exchange-rates (set the rate of a pair on a date), GET
//     /exchange-rates/{id}, GET /exchange-rates/convert?amount=&currency=&to=&date=,
//     POST /exchange-rates/refresh
//   - units: GET and POST /units, GET and PATCH /units/{code},
//     GET /units/convert?value=&from=&to=
//   - TLDs: GET and POST /tlds, GET and PATCH /tlds/{name} (Unicode or
//     punycode), POST /tlds/{name}/enable and /disable
//   - locales: GET and POST /locales, GET and PATCH /locales/{code},
//     POST /locales/{code}/enable and /disable
//   - signing in: POST /auth/login (sets the session cookie), /auth/logout,
//     /auth/register, /auth/password-reset (always 202) and
//     /auth/password-reset/confirm
//   - the caller: GET and PATCH /me, POST /me/password, POST /me/totp,
//     POST /me/totp/confirm, DELETE /me/totp, GET /me/clients
//   - sessions and API keys: GET /sessions, DELETE /sessions/{id},
//     POST /users/{id}/sessions/revoke, GET and POST /api-keys (the secret
//     is in the create answer only), DELETE /api-keys/{id}
//   - users and rights: /staff and /users (customer users): list, create,
//     get, update, set a password; GET /staff/{id}/rights, PUT
//     /staff/{id}/full-rights; /departments with /members; /grants;
//     /clients/{id}/members and /clients/{id}/invites; POST /invites/accept,
//     DELETE /invites/{id}
//   - logs: GET /actions, POST /actions/purge, GET /access-events, POST
//     /access-events/purge
//   - accounts: /providers, /companies, /client-groups, /clients (search,
//     block, unblock, delete, merge, settings), /payers (default),
//     /contract-templates, /contracts (send, sign, cancel)
//   - money: GET /clients/{id}/balance, /ledger-entries (staff adjustments);
//     /payment-methods (settings write-only), GET
//     /clients/{id}/payment-methods; /payments (top up or pay an invoice;
//     confirm, cancel, refund, reference), saved methods; the public
//     callback POST /payments/callback/{method_id}; /invoices (drafts,
//     issue, void, pay-from-balance, credit-notes, pdf, html),
//     /companies/{id}/invoice-series; /expenses (debt, months),
//     /recalculations (preview, apply); /tax-rules,
//     /companies/{id}/tax-settings, /tax-exemptions, /payers/{id}/vat-checks;
//     /discounts, /promo-codes (generate, validate, redemptions),
//     POST /order-prices
//
// Lists answer {"items": [...], "next_cursor": "..."}; pass next_cursor as
// cursor for the next page, until it is "". Decimal numbers (rates, margins,
// factors, amounts) travel as strings of plain digits ("1234.50"): never as
// JSON numbers, exponents or NaN, so that they stay exact.
//
// # Errors
//
// Every error, whether from the service, from request validation (malformed
// JSON, a query parameter of the wrong type, an unknown field), from an
// unknown route or from a panic, has one shape, [Error]:
//
//	{"code":"invalid","reason":"rate.not_positive","message":"invalid input",
//	 "fields":[{"field":"rate","reason":"rate.not_positive","message":"must be greater than zero"}]}
//
// The code decides the status, by one table ([Status]): invalid 400,
// unauthenticated 401, forbidden 403, not_found 404, conflict 409,
// failed_precondition 422, unavailable 503, internal 500. Internal errors
// show no detail; their cause is logged.
//
// The framework keeps its error constructor in package variables, so [New]
// replaces it process-wide with one producing this shape.
//
// # Access
//
// Every operation is registered with an access [Rule] ([Public],
// [Authenticated] or [Requires] a right, optionally scoped to the client of
// the object a path parameter names), shown in its description and in the
// OpenAPI extension x-billkit-access. An operation without a rule is refused
// to everybody.
//
// Callers authenticate with the session cookie [SessionCookie] that POST
// /auth/login sets, or with an API key as "Authorization: Bearer <key>"
// (which wins when both are sent). The middleware turns the credential into
// a billkit.Actor (kind, ID, name and permissions from the access service;
// IP from the connection's peer address, never from a header; User-Agent)
// and passes it to the services, which check the right themselves. An
// anonymous caller of a non-public operation gets 401 auth.required; a
// credential that is presented but not valid gets 401 on every operation.
// A customer user asking for an object of a client it does not belong to
// gets 404, the answer for a missing object, so IDs cannot be probed.
//
// Unsafe requests without an Authorization header (cookie sessions, and the
// login itself) are checked with http.CrossOriginProtection: a request a
// browser marks as cross-origin gets 403 auth.cross_origin.
//
// Passwords, tokens and keys travel only in request bodies, the cookie and
// the Authorization header, none of which is logged; a secret is returned
// once, by the call that creates it (login, API key creation, TOTP setup).
//
// # Idempotency
//
// Mutating calls of signed-in callers accept an [IdempotencyHeader]: the same
// key from the same caller within [IdempotencyTTL] replays the first answer
// (with "Idempotent-Replayed: true") instead of making the call again; the
// same key for a different request is 422 idempotency.key_reused. Answers
// are kept in memory, per process. Public operations and those whose answer
// holds a secret shown once refuse the header.
package api
