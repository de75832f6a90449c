// Package api is the JSON API of the billkit reference server, served under
// /api/v1 and described by an OpenAPI 3.1 document at /api/v1/openapi.json
// (and /api/v1/openapi.yaml), generated from the Go types.
//
// It owns the HTTP surface only: parsing requests, calling the
// [directory.Service], and mapping results and errors. Business rules live
// in the domain packages, never here.
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
// # Writes and the acting actor
//
// Until access control exists, writes (every method other than GET, HEAD and
// OPTIONS) are accepted only when the connection comes from a loopback
// address; the peer address of the connection is checked, never headers such
// as X-Forwarded-For. Others get 403 with reason "api.writes_loopback_only".
// Writes are made as the actor {Kind: system, ID: "api-loopback"} with the
// caller's IP and User-Agent ([LoopbackActorID]).
package api
