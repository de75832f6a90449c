// Package script is a processing module that runs an executable for every
// operation, so that a module can be written in any language: a shell
// script, Python, PHP, a compiled program.
//
// The executable is run directly, never through a shell: Config.Command is
// the program (a path, or a name looked up in PATH) and Config.Args its
// arguments, passed as they are. Run it with an interpreter by naming the
// interpreter as the Command and the script as the first argument.
//
// # Protocol
//
// For each operation billkit starts the program once, with:
//
//   - stdin: one JSON object, the provisioning.Request: "task_id",
//     "operation" ("open", "suspend", "resume", "change", "renew", "delete",
//     "sync", "usage" or "login_link"; "list" is a listing, see below),
//     "attempt" (1 on the first run), "service" (its "id", "client_id",
//     "name", "tariff", "period", "addons", "params", ...), "server" (with its "url", "params" and decrypted
//     "credentials"; absent when the service has no server), "change" (for
//     "change") and "from" and "to" (for "usage"). Then stdin is closed.
//   - environment: exactly Config.Env, plus PATH from billkit's own
//     environment when Env does not set it, plus BILLKIT_OPERATION,
//     BILLKIT_TASK_ID and BILLKIT_ATTEMPT (the request's operation, task ID
//     and attempt, so a shell script can dispatch without parsing JSON).
//     Nothing else of billkit's environment, which may hold database
//     passwords, is passed on.
//   - working directory: Config.Dir, or billkit's own when empty.
//
// The task ID is the operation's idempotency key: a task whose outcome
// billkit could not learn (a timeout, a crash) is run again with the same
// task_id and a higher attempt, and the program must then not do the work a
// second time (not open a second account, for one).
//
// The program answers on stdout with exactly one JSON object, optionally
// surrounded by white space, such as
//
//	{"status": "ok", "params": {"ip": "192.0.2.10", "login": "u1042"}, "message": "created"}
//
// Its fields:
//
//   - "status" (required): "ok", "pending" or "error".
//   - "params": an object of strings to keep on the service (merged into its
//     params): a login, an IP address, a remote ID.
//   - "service_status": for "sync", the status the system reports:
//     "active", "suspended" or "deleted".
//   - "usage": for "usage", the measured usage by addon code, each a string
//     or a JSON number holding a decimal ("12.5").
//   - "login_url": for "login_link", where the client signs in.
//   - "message": a note for staff, or the reason of an error.
//   - "retry": for "error", whether trying again may help (true or false).
//
// Fields other than "status" may be left out; unknown fields are ignored.
// Diagnostics go to stderr, of which billkit keeps the first bytes for
// staff.
//
// # Outcomes
//
//   - Exit code 0 with status "ok": the operation is done; the result
//     carries params, service_status, usage, login_url and message.
//   - Exit code 0 with status "pending": the work goes on elsewhere and the
//     task waits to be completed later (Manager.CompleteTask).
//   - Exit code 0 with status "error" and "retry": false, or exit code 2
//     whatever stdout holds: a refusal (provisioning.Refuse). The task
//     fails at once, for staff to see, with the answer's message (with exit
//     code 2 and no message, the first bytes of stderr).
//   - Exit code 0 with status "error" and "retry" true or left out: a
//     transient failure; the task is retried with backoff.
//   - Any other exit code, death by a signal, a run longer than
//     Config.Timeout (or the context's deadline), stdout that is not the
//     JSON object above, or stdout longer than Config.MaxOutput: a
//     transient failure (a *billkit.Error with code unavailable) whose
//     message names the cause and quotes the first bytes of stderr. A
//     program that runs too long or writes too much is killed with its
//     whole process group, so that children it started do not linger.
//
// Errors for those faults have these reasons: "script.timeout",
// "script.output_too_large", "script.bad_answer", "script.exit" (a non-zero
// exit or a signal), "script.start" (the program could not be started),
// "script.error" (a retryable "error" answer) and "script.cancelled" (the
// caller's context was cancelled).
//
// # Listing
//
// A Module is a provisioning.Lister: to list the services that exist on a
// server (provisioning.Manager.ListServerServices), billkit runs the
// program once with stdin {"operation": "list", "server": {...}} (the
// server as above, credentials decrypted; no "task_id" and no "service")
// and BILLKIT_OPERATION=list. A listing changes nothing. The program
// answers on stdout with one JSON object, a provisioning.ListAnswer:
//
//	{"services": [{"remote_id": "u1042", "name": "web1", "domain": "example.com",
//	  "plan": "vps-s", "status": "active", "expires_on": "2026-05-01",
//	  "client_hint": "owner@example.com", "params": {"ip": "192.0.2.10"}}]}
//
// Only "remote_id" is required of a service; "status" is "active" (the
// default) or "suspended"; "plan" is matched against tariff codes and
// "client_hint" against clients' emails. The object may carry "status":
// "ok"; an error is answered as for any operation ("status": "error" with
// "retry": false, or exit code 2, is a refusal). "pending", an object
// without a "services" array, or a service without a "remote_id" is a bad
// answer ("script.bad_answer"). Config.Timeout and Config.MaxOutput bound
// a listing as they bound any run.
package script
