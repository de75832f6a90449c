// Package access is who may do what in billkit: staff users and departments,
// rights per function, customer users and their roles in clients,
// credentials (argon2id passwords, TOTP 2FA, reset tokens), API keys,
// sessions, the action log and the access log.
//
// # What it owns and what it does not
//
// It owns users (staff and customer logins), how they prove who they are,
// and what each may do. It does not own clients (package billing does; access
// refers to them by billkit.ClientID), does not send mail (a reset token or
// an invite is returned to the caller, who delivers it), and does not speak
// HTTP: the reference server turns a session cookie or an API key into a
// billkit.Actor with this package's help.
//
// # Rights
//
// A right is an operation (read, create, edit, delete) on a function, a
// module of billkit ("billing.client", "directory", "access.staff"). Access
// is denied by default. A staff user holds the union of the rights granted
// to its departments and to it in person, or full rights. A customer user
// holds, in each client it belongs to, the rights of its role there (owner,
// billing, technical, support, or a custom set). An API key holds the rights
// it was scoped to, never more than its owner's. PermissionsForStaff,
// PermissionsForCustomer and PermissionsForAPIKey turn these into a
// billkit.Permissions that travels on the billkit.Actor, and every service
// of billkit checks it with Actor.Authorize or Actor.AuthorizeClient; a
// check is a map lookup, negligible next to a query.
//
// A customer asking for another client's object gets the same not_found a
// missing object gives, so object IDs cannot be probed.
//
// # Identity
//
// Passwords are hashed with argon2id (IdentityConfig.Argon2; stored hashes
// carry their parameters and are upgraded at the next login) and checked
// against a policy. Login locks a user after repeated failures, with a
// backoff that doubles; it asks for a TOTP code (RFC 6238) when 2FA is on,
// and refuses a code used before. Sessions and reset tokens are random
// tokens stored only as hashes; API keys likewise, shown once.
//
// # The logs
//
// The action log records every write of billkit (who, from where, what,
// the fields before and after) in the same transaction as the write, through
// billkit.RecordAction; ListActions and PurgeActions read and trim it. The
// access log records logins, logouts, failures, locks and 2FA events.
// Secrets never appear in either: the types keep them out of their JSON.
package access
