package access

// This file is a placeholder the identity part of the package replaces.

// IdentityConfig configures logins, passwords, 2FA, sessions and API keys.
type IdentityConfig struct{}

func (c IdentityConfig) withDefaults() IdentityConfig { return c }

// IdentityStore keeps users, credentials, sessions, API keys and the access log.
type IdentityStore interface{}

// User is a login: a staff member or a customer user.
type User struct{}
