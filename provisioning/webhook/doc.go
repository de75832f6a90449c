// Package webhook is a processing module that POSTs each operation to a
// URL as signed JSON, so that any HTTP service can act on billkit's
// services, and that accepts the answer at once or later by callback.
//
// # The request
//
// For each operation billkit sends
//
//	POST <Config.URL>
//	Content-Type: application/json
//	Billkit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
//	Idempotency-Key: <task id>
//
// with the provisioning.Request as the JSON body: "task_id", "operation"
// ("open", "suspend", "resume", "change", "renew", "delete", "sync",
// "usage" or "login_link"; "list" is a listing, see below), "attempt" (1 on the first run), "service",
// "server" (with decrypted "credentials"; absent when the service has no
// server), "change" (for "change"), and "from" and "to" (for "usage").
//
// The signature is the HMAC-SHA256, keyed with Config.Secret, of the
// timestamp in decimal Unix seconds, a dot, and the body exactly as
// received: Sign computes it and Verify checks it. A receiver should refuse
// a request whose signature does not match or whose timestamp is more than
// a few minutes from its clock.
//
// The Idempotency-Key (the task ID, also "task_id" in the body) is the
// operation's identity: a task whose outcome billkit could not learn (a
// timeout, a dropped connection) is sent again with the same key and a
// higher attempt, and the receiver must then not do the work a second time.
//
// # The answer
//
//   - 200 (or any 2xx but 202) with the JSON object of a synchronous
//     answer: {"status": "ok" | "pending" | "error", "params": {...},
//     "service_status": "active" | "suspended" | "deleted", "usage": {...},
//     "login_url": "...", "message": "...", "retry": true | false}, the same
//     object as the script module's (see package
//     github.com/billkit/billkit/provisioning/script). "ok" is done;
//     "pending" makes the task wait for a callback; "error" with "retry":
//     false is a refusal that fails the task at once, and "error" otherwise
//     is retried.
//   - 202: accepted; the work goes on and the answer comes later by
//     callback. The body may be empty; a JSON answer's message is kept.
//   - 4xx other than 408 and 429: a refusal (provisioning.PermanentError),
//     with the answer's "message" when the body is such a JSON object, else
//     the first bytes of the body.
//   - 5xx, 408, 429, a 3xx (the default client follows no redirect), a
//     network error, a timeout, a 2xx body that is not the JSON answer or
//     is larger than Config.MaxAnswer: a transient failure, retried with
//     backoff, as a *billkit.Error with code unavailable whose message
//     names the cause and quotes the first bytes of the body. Reasons:
//     "webhook.status", "webhook.unreachable", "webhook.timeout",
//     "webhook.cancelled", "webhook.bad_answer", "webhook.answer_too_large"
//     and "webhook.error" (a retryable "error" answer).
//
// # Callbacks
//
// A remote system that answered 202 (or "pending") reports the outcome by
// POSTing to billkit's callback endpoint a JSON object
//
//	{"task_id": "<the Idempotency-Key>", "status": "ok" | "error",
//	 "params": {...}, "message": "..."}
//
// signed with the same secret in the same Billkit-Signature header.
// VerifyCallback checks the signature and the timestamp and reads the body
// into a Callback, whose Result and Err are what the task completes or
// fails with (Manager.CompleteTask with provisioning.CompletionOf, and
// Manager.FailTask).
//
// A later answer is worth exactly what the same answer given at once is:
// the task runner and the callback go through the same
// provisioning.CompletionOf and the same checks, so "params" are kept and
// "message" goes to the service's history either way, and params billkit
// cannot keep are refused either way. The body may carry the other fields
// of an answer ("service_status", "usage", "login_url"), read as in an
// answer; they answer "sync", "usage" and "login_link", which billkit asks
// at once and never waits for (a 202 or "pending" to them is an error to
// the caller), so the operations a callback answers leave them unused, as
// an answer given at once to those operations does.
//
// # Listing
//
// A Module is a provisioning.Lister: to list the services that exist on a
// server (provisioning.Manager.ListServerServices), billkit POSTs, signed
// as above, the body {"operation": "list", "server": {...}} (credentials
// decrypted; no "task_id" and no "service") with an Idempotency-Key of its
// own: a listing changes nothing. The receiver answers 200 (or any 2xx but
// 202) with a provisioning.ListAnswer, the object the script module
// writes:
//
//	{"services": [{"remote_id": "u1042", "name": "web1", "domain": "example.com",
//	  "plan": "vps-s", "status": "active", "expires_on": "2026-05-01",
//	  "client_hint": "owner@example.com", "params": {"ip": "192.0.2.10"}}]}
//
// or an error answer as for any operation. A listing is answered at once:
// 202, "pending", or a body without a "services" array is a bad answer
// ("webhook.bad_answer"). Other statuses mean what they mean for an
// operation.
package webhook
