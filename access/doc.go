// Package access is who may do what in billkit: staff users and departments,
// rights per function, customer users and their roles in clients,
// credentials (argon2id passwords, TOTP 2FA, reset tokens), API keys,
// sessions, the action log and the access log.
package access
