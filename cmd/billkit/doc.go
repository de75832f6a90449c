// Command billkit is the reference server and command line of billkit: the
// same library an embedder imports, wired into one program.
//
// # Commands
//
//	billkit serve            migrate the database, seed reference data, serve HTTP
//	billkit migrate up       apply the pending migrations
//	billkit migrate status   list every migration as applied or pending
//	billkit rates refresh    fetch the latest exchange rates (ECB) and store
//	                         those of enabled currencies
//	billkit version          print the version, commit and Go version
//
// serve answers:
//
//   - /api/v1/...: the JSON API; its OpenAPI 3.1 document is at
//     /api/v1/openapi.json and /api/v1/openapi.yaml
//   - /healthz: 200 {"status":"ok"} when the database answers, else 503
//   - /metrics: Prometheus metrics: Go and process collectors, and
//     billkit_http_requests_total and billkit_http_request_duration_seconds
//     labelled by route pattern, method and status
//
// Every request is logged (method, path, route, status, bytes, duration,
// remote address). On SIGINT or SIGTERM serve stops accepting connections,
// waits up to 10 seconds for requests in flight, then closes the database.
//
// # Flags and environment
//
// Every flag can be given in the environment; a flag on the command line wins.
//
//	--dsn         BILLKIT_DSN         database (default "billkit.db": a SQLite file in
//	                                  the working directory, created and migrated on
//	                                  first run; "postgres://..." for PostgreSQL)
//	--addr        BILLKIT_ADDR        listen address (default "127.0.0.1:8080")
//	--log-level   BILLKIT_LOG_LEVEL   debug, info, warn or error (default "info")
//	--log-format  BILLKIT_LOG_FORMAT  text or json (default "text")
//	--rates-url   BILLKIT_RATES_URL   exchange rate feed (default: the ECB's daily file)
//
// Exit status: 0 on success, 1 on failure, 2 on a usage error.
//
// # Writes are accepted only from loopback
//
// Until access control exists, the API accepts writes (any method other than
// GET, HEAD and OPTIONS) only from connections whose peer is a loopback
// address (127.0.0.0/8, ::1); headers such as X-Forwarded-For are ignored.
// Other peers get 403 {"code":"forbidden","reason":"api.writes_loopback_only"}.
// Reads are open to every peer that can reach --addr, which is why the
// default address is a loopback one. Writes are recorded as made by the
// system actor "api-loopback", with the caller's IP and User-Agent.
//
// The version is set at build time with
//
//	go build -ldflags "-X main.version=1.2.3 -X main.commit=abc1234" ./cmd/billkit
//
// and otherwise read from the build information in the binary.
package main
