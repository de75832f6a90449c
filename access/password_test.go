package access_test

import (
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
)

func TestPasswordReset(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")
	old := e.login(t, ann.Email, idPassword)

	tok, err := e.svc.RequestPasswordReset(e.ctx, "nobody@example.com", "192.0.2.1", "ua")
	if tok != "" || err != nil {
		t.Fatalf("unknown email: %q, %v; want no token and no error", tok, err)
	}
	_, err = e.svc.RequestPasswordReset(e.ctx, "not an email", "", "")
	idWant(t, err, billkit.CodeInvalid, "user.email_malformed")

	tok, err = e.svc.RequestPasswordReset(e.ctx, " ANN@example.com", "192.0.2.1", "ua")
	idMust(t, err)
	if len(tok) != 43 {
		t.Fatalf("token %q", tok)
	}
	idWant(t, e.svc.ResetPassword(e.ctx, tok, "password1"), billkit.CodeInvalid, "password.too_short")
	idWant(t, e.svc.ResetPassword(e.ctx, tok, "password12345"), billkit.CodeInvalid, "password.too_common")
	idWant(t, e.svc.ResetPassword(e.ctx, "forged", "a new strong passphrase"), billkit.CodeInvalid, "access.reset_token_invalid")
	idMust(t, e.svc.ResetPassword(e.ctx, tok, "a new strong passphrase"))

	// Reused: refused. Old sessions: ended. New password: works.
	idWant(t, e.svc.ResetPassword(e.ctx, tok, "another strong passphrase"), billkit.CodeInvalid, "access.reset_token_invalid")
	_, _, err = e.svc.AuthenticateSession(e.ctx, old.Token, "", "")
	idWant(t, err, billkit.CodeUnauthenticated, "access.session_invalid")
	_, err = e.svc.Login(e.ctx, access.LoginParams{Email: ann.Email, Password: idPassword})
	idWant(t, err, billkit.CodeUnauthenticated, "access.invalid_credentials")
	e.login(t, ann.Email, "a new strong passphrase")

	// Expired after an hour.
	tok, err = e.svc.RequestPasswordReset(e.ctx, ann.Email, "", "")
	idMust(t, err)
	e.clock.Advance(time.Hour)
	idWant(t, e.svc.ResetPassword(e.ctx, tok, "yet another passphrase"), billkit.CodeInvalid, "access.reset_token_invalid")

	// A reset also lifts a lockout, and ends the other outstanding tokens.
	for range 5 {
		_, _ = e.svc.Login(e.ctx, access.LoginParams{Email: ann.Email, Password: "wrong wrong wrong"})
	}
	first, _ := e.svc.RequestPasswordReset(e.ctx, ann.Email, "", "")
	second, _ := e.svc.RequestPasswordReset(e.ctx, ann.Email, "", "")
	idMust(t, e.svc.ResetPassword(e.ctx, second, "the final passphrase"))
	idWant(t, e.svc.ResetPassword(e.ctx, first, "the final passphrase 2"), billkit.CodeInvalid, "access.reset_token_invalid")
	e.login(t, ann.Email, "the final passphrase")
}

func TestChangePassword(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")
	bob := e.user(t, access.UserKindCustomer, "bob@example.com")
	s1 := e.login(t, ann.Email, idPassword)
	me := idAs(ann)

	idWant(t, e.svc.ChangePassword(e.ctx, me, ann.ID, "", "a brand new passphrase"), billkit.CodeInvalid, "required")
	idWant(t, e.svc.ChangePassword(e.ctx, me, ann.ID, "wrong old password", "a brand new passphrase"), billkit.CodeInvalid, "access.password_mismatch")
	idWant(t, e.svc.ChangePassword(e.ctx, me, ann.ID, idPassword, "ann@example.com1"), billkit.CodeInvalid, "password.contains_email")
	idWant(t, e.svc.ChangePassword(e.ctx, idAs(bob), ann.ID, idPassword, "a brand new passphrase"), billkit.CodeNotFound, "user.not_found")
	idMust(t, e.svc.ChangePassword(e.ctx, me, ann.ID, idPassword, "a brand new passphrase"))
	_, _, err := e.svc.AuthenticateSession(e.ctx, s1.Token, "", "")
	idWant(t, err, billkit.CodeUnauthenticated, "access.session_invalid")
	e.login(t, ann.Email, "a brand new passphrase")

	// Staff with the edit right set it without the old one.
	idWant(t, e.svc.ChangePassword(e.ctx, idStaff("support"), ann.ID, "", "set by support 42"), billkit.CodeForbidden, "access.denied")
	idMust(t, e.svc.ChangePassword(e.ctx, idStaff("support", billkit.R(access.FunctionUser, billkit.OpEdit)), ann.ID, "", "set by support 42"))
	e.login(t, ann.Email, "set by support 42")
	evs := e.events(t, ann.ID)
	n := 0
	for _, k := range evs {
		if k == access.AccessPasswordChanged {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("password_changed events = %d, want 2 (%v)", n, evs)
	}
}
