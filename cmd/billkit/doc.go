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
//	billkit admin create     create a staff user with full rights
//	billkit catalog export   write a provider's catalog as YAML or JSON
//	billkit catalog import   check and apply a catalog document
//	billkit cycle run        run the billing cycle once now (--dry-run writes
//	                         nothing, --json prints the report as JSON,
//	                         --batch N sets the services per transaction)
//	billkit services import  import the services of a CSV file, all or none
//	                         (--dry-run checks the file and writes nothing)
//	billkit servers listing  list what a server's module finds on it, as
//	                         services to import (--json for the rows)
//
// The life of services, from a shell, on the database of --dsn, as the
// command line's system actor (each a thin layer over provisioning.Manager;
// --json prints the objects, and lists as pages {"items", "next_cursor"}):
//
//	billkit orders           list [--client ID] [--status S], show ID,
//	                         create --client ID --tariff ID|--tariff-code CODE
//	                         --period P [--quantity N] [--addon code=value ...]
//	                         [--pay-by balance|invoice|gateway] [...], pay ID,
//	                         cancel ID
//	billkit services         list [--client ID] [--status S], show ID,
//	                         history ID, suspend ID --reason R [--memo M],
//	                         resume ID, open ID, delete ID [--at-period-end],
//	                         renew ID, auto-renew ID on|off, special-price ID
//	                         AMOUNT CURRENCY, move ID --to CLIENT, clone ID,
//	                         change ID [--tariff ...] [--period P] [--addon ...]
//	                         [--quote], sync ID
//	billkit tasks            list [--service ID] [--client ID] [--status S],
//	                         show ID, attempts ID, retry ID, skip ID, cancel ID,
//	                         complete ID [--param k=v ...] [--message M],
//	                         fail ID --message M, run-due (the due tasks, once)
//	billkit datacenters      list, show ID, create --code C --name N, update ID
//	billkit servers          list, show ID, create --datacenter ID --module M
//	                         --name N [--credentials-file F], update ID,
//	                         disable ID, enable ID
//	billkit timeline CLIENT_ID [--days N]
//	                         what the billing cycle will do to a client's
//	                         services and balance, day by day
//
// Their mistakes of input (a malformed ID, an unknown status, a bad amount)
// are usage errors that name the flag or argument, and change nothing; the
// library's errors are printed with their code, reason and fields.
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
// serve also runs, on a schedule, the periodic tasks: reconciling
// payments, marking invoices overdue, forgetting expired idempotency keys,
// cancelling orders left unpaid, the billing cycle (hourly) and
// provisioning's due tasks (every minute).
//
// Every request is logged (method, path, route, status, bytes, duration,
// remote address): never a query string, a header, a cookie or a body, so
// no password, token or key reaches the log. On SIGINT or SIGTERM serve stops accepting connections,
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
//	--cookie-secure BILLKIT_COOKIE_SECURE  mark the session cookie Secure on plain
//	                                  HTTP too, behind a TLS proxy (default false)
//	--modules     BILLKIT_MODULES     YAML file of the processing modules (script and
//	                                  webhook); the manual module is always there
//	              BILLKIT_SECRET_KEY  32 bytes (64 hex digits or base64) that encrypt
//	                                  servers' credentials; no flag, so that it does
//	                                  not show in the process list
//	--order-ttl   BILLKIT_ORDER_TTL   how long an unpaid order waits before it is
//	                                  cancelled (default 72h; 1m to 8784h)
//	--notice-days BILLKIT_NOTICE_DAYS days before expiry clients are reminded
//	                                  (default 10,5,3,1,0; each 0 to 366; none)
//	--invoice-days-before BILLKIT_INVOICE_DAYS_BEFORE  days before expiry a
//	                                  client who pays by invoice gets the
//	                                  renewal's invoice (default 10; 1 to 366)
//	--task-attempts BILLKIT_TASK_ATTEMPTS  times a provisioning task runs
//	                                  before it fails for staff (default 8; 1 to 100)
//
// Exit status: 0 on success, 1 on failure, 2 on a usage error.
//
// # Signing in
//
// Every operation of the API has an access rule: public (directory reads),
// any signed-in caller (/me), or a right such as billing.client:read. A
// caller signs in with POST /api/v1/auth/login, which sets the session
// cookie billkit_session (HttpOnly, SameSite=Lax, Secure on TLS or with
// --cookie-secure), or sends an API key as "Authorization: Bearer <key>".
// Anonymous calls to non-public operations get 401; a credential that is
// presented but invalid gets 401 everywhere.
//
// The first staff user is made with
//
//	billkit admin create --email admin@example.com --name Admin [--password P]
//
// which prints the password when it generates one. When serve starts on a
// database without any staff user, it creates admin@localhost with full
// rights and a random password, printed once to the log.
//
// The version is set at build time with
//
//	go build -ldflags "-X main.version=1.2.3 -X main.commit=abc1234" ./cmd/billkit
//
// and otherwise read from the build information in the binary.
package main
