package access

import "time"

// IdentityConfig configures logins, passwords, 2FA, sessions and API keys.
// The zero value works; every field states its default.
type IdentityConfig struct {
	// Argon2 are the parameters of new password hashes. Default:
	// DefaultArgon2. Hashes made with other parameters are still verified,
	// and are rehashed with these on the next successful login.
	Argon2 Argon2Params
	// MinPasswordLength is the fewest characters a password may have.
	// Default: 10.
	MinPasswordLength int
	// MaxFailedLogins is how many consecutive failed logins lock a user.
	// The first lock lasts LockoutBase; each further failure doubles it, up
	// to LockoutMax. Default: 5.
	MaxFailedLogins int
	// LockoutBase is the first lock's length. Default: 1 minute.
	LockoutBase time.Duration
	// LockoutMax caps a lock's length. Default: 1 hour.
	LockoutMax time.Duration
	// IdleTimeout ends a session not used for that long. Default: 12 hours.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session that long after its login, used or
	// not. Default: 30 days.
	AbsoluteTimeout time.Duration
	// ResetTokenTTL is how long a password reset token stays valid.
	// Default: 1 hour.
	ResetTokenTTL time.Duration
	// Issuer names the installation in authenticator apps. Default:
	// "billkit".
	Issuer string
	// DisableSignup turns off Register (customers' self sign-up).
	DisableSignup bool
}

// Defaults of IdentityConfig.
const (
	DefaultMinPasswordLength = 10
	DefaultMaxFailedLogins   = 5
	DefaultLockoutBase       = time.Minute
	DefaultLockoutMax        = time.Hour
	DefaultIdleTimeout       = 12 * time.Hour
	DefaultAbsoluteTimeout   = 30 * 24 * time.Hour
	DefaultResetTokenTTL     = time.Hour
	DefaultIssuer            = "billkit"
)

// MaxPasswordBytes is the longest password accepted, in bytes. It bounds
// the work an attacker can make the server do per login.
const MaxPasswordBytes = 256

func (c IdentityConfig) withDefaults() IdentityConfig {
	if c.Argon2 == (Argon2Params{}) {
		c.Argon2 = DefaultArgon2
	}
	c.Argon2 = c.Argon2.withDefaults()
	if c.MinPasswordLength <= 0 {
		c.MinPasswordLength = DefaultMinPasswordLength
	}
	if c.MaxFailedLogins <= 0 {
		c.MaxFailedLogins = DefaultMaxFailedLogins
	}
	if c.LockoutBase <= 0 {
		c.LockoutBase = DefaultLockoutBase
	}
	if c.LockoutMax <= 0 {
		c.LockoutMax = DefaultLockoutMax
	}
	if c.LockoutMax < c.LockoutBase {
		c.LockoutMax = c.LockoutBase
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.AbsoluteTimeout <= 0 {
		c.AbsoluteTimeout = DefaultAbsoluteTimeout
	}
	if c.ResetTokenTTL <= 0 {
		c.ResetTokenTTL = DefaultResetTokenTTL
	}
	if c.Issuer == "" {
		c.Issuer = DefaultIssuer
	}
	return c
}

// lockoutFor returns how long a user with failed consecutive failed logins
// stays locked: nothing below MaxFailedLogins, then LockoutBase doubling per
// further failure, capped at LockoutMax.
func (c IdentityConfig) lockoutFor(failed int) time.Duration {
	if failed < c.MaxFailedLogins {
		return 0
	}
	d := c.LockoutBase
	for i := c.MaxFailedLogins; i < failed; i++ {
		d *= 2
		if d >= c.LockoutMax {
			return c.LockoutMax
		}
	}
	return min(d, c.LockoutMax)
}
