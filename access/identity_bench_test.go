package access_test

import (
	"testing"

	"github.com/billkit/billkit/access"
)

// BenchmarkLogin measures a whole successful login on SQLite in memory:
// finding the user, verifying the argon2id hash, and the transaction that
// resets the counter, opens the session and writes the access and action
// logs. The argon2id verification dominates. The default parameters are
// measured against the heavier 64 MiB setting for comparison.
//
//	go test ./access -run '^$' -bench 'Login|AuthenticateSession' -benchmem
func BenchmarkLogin(b *testing.B) {
	for _, c := range []struct {
		name string
		p    access.Argon2Params
	}{
		{"default-m19MiB-t2-p1", access.DefaultArgon2},
		{"m64MiB-t2-p2", access.Argon2Params{Memory: 64 * 1024, Time: 2, Threads: 2}},
	} {
		b.Run(c.name, func(b *testing.B) {
			e := newIDEnv(b, access.IdentityConfig{Argon2: c.p})
			u := e.user(b, access.UserKindStaff, "bench@example.com")
			p := access.LoginParams{Email: u.Email, Password: idPassword, IP: "192.0.2.1", UserAgent: "bench"}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.svc.Login(e.ctx, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAuthenticateSession measures checking a session token on a
// request: one indexed lookup of the token's hash and one of the user; the
// clock stands still, so LastSeenAt is not rewritten.
func BenchmarkAuthenticateSession(b *testing.B) {
	e := newIDEnv(b, access.IdentityConfig{})
	u := e.user(b, access.UserKindStaff, "bench@example.com")
	res := e.login(b, u.Email, idPassword)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := e.svc.AuthenticateSession(e.ctx, res.Token, "192.0.2.1", "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
