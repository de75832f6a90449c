package access_test

import (
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
)

func TestCreateUserAndLogin(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	u, err := e.svc.CreateUser(e.ctx, idSystem, access.CreateUserParams{
		Kind: access.UserKindStaff, Email: "  Ann@Example.COM ", Name: " Ann ", Password: idPassword,
	})
	idMust(t, err)
	if u.Email != "ann@example.com" || u.Name != "Ann" || u.Locale != "en" || u.Status != access.UserStatusActive {
		t.Fatalf("user = %+v", u)
	}
	if !strings.HasPrefix(u.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("PasswordHash = %q, want a PHC argon2id string", u.PasswordHash)
	}
	e.clock.Advance(5 * 60e9)
	res := e.login(t, "ANN@example.com", idPassword)
	if res.User.ID != u.ID || res.Token == "" || res.Session.UserID != u.ID || !res.User.LastLoginAt.Equal(e.clock.Now()) {
		t.Fatalf("login = %+v", res)
	}
	got, sess, err := e.svc.AuthenticateSession(e.ctx, res.Token, "198.51.100.1", "browser")
	idMust(t, err)
	if got.ID != u.ID || sess.ID != res.Session.ID {
		t.Fatalf("AuthenticateSession = %v, %v", got.ID, sess.ID)
	}
	if want := []string{"access.staff.create", "access.session.create"}; strings.Join(e.actionNames(t), ",") != strings.Join(want, ",") {
		t.Fatalf("actions = %v, want %v", e.actionNames(t), want)
	}
}

func TestCreateUserMalformedEmail(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	for _, email := range []string{
		"", "   ", "plain", "@example.com", "ann@", "ann@@example.com", "Ann <ann@example.com>", "<ann@example.com>",
		"ann smith@example.com", "ann@exa mple.com", "ann@.example.com", "ann@example..com", "ann@example.com.",
		"\"ann\"@example.com", "ann@[127.0.0.1]", strings.Repeat("a", 65) + "@example.com",
		"a@" + strings.Repeat("b", 250) + ".com", "ann@example.com\nBcc: eve@example.com",
	} {
		_, err := e.svc.CreateUser(e.ctx, idSystem, access.CreateUserParams{Kind: access.UserKindCustomer, Email: email, Password: idPassword})
		idWant(t, err, billkit.CodeInvalid, "")
		if _, ok := err.(*billkit.Error).Field("email"); !ok {
			t.Fatalf("email %q: error %v does not name field email", email, err)
		}
	}
	p, err := e.svc.ListUsers(e.ctx, idSystem, access.UserFilter{})
	idMust(t, err)
	if len(p.Items) != 0 || len(e.actions(t)) != 0 {
		t.Fatalf("bad input wrote %d users, %d actions", len(p.Items), len(e.actions(t)))
	}
}

func TestCreateUserDuplicateEmail(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	e.user(t, access.UserKindCustomer, "ann@example.com")
	for _, kind := range []access.UserKind{access.UserKindCustomer, access.UserKindStaff} {
		_, err := e.svc.CreateUser(e.ctx, idSystem, access.CreateUserParams{Kind: kind, Email: " ANN@example.com", Password: idPassword})
		idWant(t, err, billkit.CodeConflict, "user.email_taken")
	}
	_, err := e.svc.Register(e.ctx, access.RegisterParams{Email: "Ann@Example.com", Password: idPassword})
	idWant(t, err, billkit.CodeConflict, "user.email_taken")
	if n := len(e.actions(t)); n != 1 {
		t.Fatalf("%d actions, want only the first create", n)
	}
}

func TestCreateUserPasswordPolicy(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	for _, c := range []struct{ password, reason string }{
		{"", "required"},
		{"short1!", "password.too_short"},
		{"ÄÖÜäöüßé", "password.too_short"}, // 8 characters, 16 bytes
		{strings.Repeat("x", 257), "password.too_long"},
		{"password123", "password.too_common"},
		{"Password2025!", "password.too_common"},
		{"qwertyuiop", "password.too_common"},
		{"1234567890", "password.too_common"},
		{"aaaaaaaaaaaaaaa", "password.too_common"},
		{"ababababababab", "password.too_common"},
		{"my-annabel-2026-secret", "password.contains_email"},
	} {
		_, err := e.svc.CreateUser(e.ctx, idSystem, access.CreateUserParams{Kind: access.UserKindCustomer, Email: "annabel@example.com", Password: c.password})
		idWant(t, err, billkit.CodeInvalid, c.reason)
		if _, ok := err.(*billkit.Error).Field("password"); !ok {
			t.Fatalf("%q: error %v does not name field password", c.password, err)
		}
	}
	_, err := e.svc.CreateUser(e.ctx, idSystem, access.CreateUserParams{Kind: access.UserKindCustomer, Email: "annabel@example.com", Password: "violet-otter-7-canyon"})
	idMust(t, err)
	short := newIDEnv(t, access.IdentityConfig{MinPasswordLength: 16})
	_, err = short.svc.CreateUser(short.ctx, idSystem, access.CreateUserParams{Kind: access.UserKindCustomer, Email: "b@example.com", Password: "violet-otter-7"})
	idWant(t, err, billkit.CodeInvalid, "password.too_short")
}

func TestCreateUserRights(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	p := access.CreateUserParams{Kind: access.UserKindStaff, Email: "bob@example.com", Password: idPassword}
	_, err := e.svc.CreateUser(e.ctx, idStaff("hr"), p)
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.svc.CreateUser(e.ctx, idStaff("hr", billkit.R(access.FunctionUser, billkit.OpCreate)), p)
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.svc.CreateUser(e.ctx, billkit.Actor{Kind: billkit.ActorStaff, ID: "nil-perms"}, p)
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.svc.CreateUser(e.ctx, billkit.Actor{}, p)
	idWant(t, err, billkit.CodeInvalid, "")
	bob, err := e.svc.CreateUser(e.ctx, idStaff("hr", billkit.R(access.FunctionStaff, billkit.OpCreate)), p)
	idMust(t, err)
	p.Kind, p.Email = access.UserKindCustomer, "carol@example.com"
	_, err = e.svc.CreateUser(e.ctx, idStaff("hr", billkit.R(access.FunctionStaff, billkit.OpCreate)), p)
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	carol, err := e.svc.CreateUser(e.ctx, idStaff("hr", billkit.R(access.FunctionUser, billkit.OpCreate)), p)
	idMust(t, err)
	dave := e.user(t, access.UserKindCustomer, "dave@example.com")

	// Reading: self, or the read right of the user's kind; customers
	// probing others get not_found.
	_, err = e.svc.GetUser(e.ctx, idAs(carol), carol.ID)
	idMust(t, err)
	_, err = e.svc.GetUser(e.ctx, idAs(carol), dave.ID)
	idWant(t, err, billkit.CodeNotFound, "user.not_found")
	_, err = e.svc.GetUser(e.ctx, idAs(carol), bob.ID)
	idWant(t, err, billkit.CodeNotFound, "user.not_found")
	_, err = e.svc.GetUser(e.ctx, idAs(bob), dave.ID)
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.svc.GetUser(e.ctx, idStaff("support", billkit.R(access.FunctionUser, billkit.OpRead)), dave.ID)
	idMust(t, err)
	_, err = e.svc.GetUser(e.ctx, idStaff("support", billkit.R(access.FunctionUser, billkit.OpRead)), bob.ID)
	idWant(t, err, billkit.CodeForbidden, "access.denied")

	// Listing: only the kinds the actor may read.
	list := func(a billkit.Actor, f access.UserFilter) []string {
		t.Helper()
		p, err := e.svc.ListUsers(e.ctx, a, f)
		idMust(t, err)
		var out []string
		for _, u := range p.Items {
			out = append(out, u.Email)
		}
		return out
	}
	if got := list(idStaff("support", billkit.R(access.FunctionUser, billkit.OpRead)), access.UserFilter{}); strings.Join(got, ",") != "carol@example.com,dave@example.com" {
		t.Fatalf("customers only: %v", got)
	}
	if got := list(idSystem, access.UserFilter{Query: "DAV"}); strings.Join(got, ",") != "dave@example.com" {
		t.Fatalf("query: %v", got)
	}
	_, err = e.svc.ListUsers(e.ctx, idAs(carol), access.UserFilter{})
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.svc.ListUsers(e.ctx, idSystem, access.UserFilter{Kind: "robot"})
	idWant(t, err, billkit.CodeInvalid, "user.kind_unknown")

	// Updating: a user edits its own name and locale, not its status.
	name, locale := "Carol C.", "ru"
	u, err := e.svc.UpdateUser(e.ctx, idAs(carol), carol.ID, access.UpdateUserParams{Name: &name, Locale: &locale})
	idMust(t, err)
	if u.Name != name || u.Locale != "ru" {
		t.Fatalf("updated = %+v", u)
	}
	disabled := access.UserStatusDisabled
	_, err = e.svc.UpdateUser(e.ctx, idAs(carol), carol.ID, access.UpdateUserParams{Status: &disabled})
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.svc.UpdateUser(e.ctx, idAs(carol), dave.ID, access.UpdateUserParams{Name: &name})
	idWant(t, err, billkit.CodeNotFound, "user.not_found")
	bad := "x y"
	_, err = e.svc.UpdateUser(e.ctx, idAs(carol), carol.ID, access.UpdateUserParams{Locale: &bad})
	idWant(t, err, billkit.CodeInvalid, "user.locale_malformed")
}

func TestUpdateUserDisableEndsSessions(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	dave := e.user(t, access.UserKindCustomer, "dave@example.com")
	res := e.login(t, dave.Email, idPassword)
	disabled := access.UserStatusDisabled
	_, err := e.svc.UpdateUser(e.ctx, idStaff("boss", billkit.R(access.FunctionUser, billkit.OpEdit)), dave.ID, access.UpdateUserParams{Status: &disabled})
	idMust(t, err)
	_, _, err = e.svc.AuthenticateSession(e.ctx, res.Token, "", "")
	idWant(t, err, billkit.CodeUnauthenticated, "access.session_invalid")
	_, err = e.svc.Login(e.ctx, access.LoginParams{Email: dave.Email, Password: idPassword})
	idWant(t, err, billkit.CodeUnauthenticated, "access.invalid_credentials")
}

func TestRegister(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	u, err := e.svc.Register(e.ctx, access.RegisterParams{Email: "new@example.com", Password: idPassword, Locale: "ru", IP: "192.0.2.4", UserAgent: "curl"})
	idMust(t, err)
	if u.Kind != access.UserKindCustomer || u.Locale != "ru" {
		t.Fatalf("registered = %+v", u)
	}
	acts := e.actions(t)
	if len(acts) != 1 || acts[0].Name != "access.user.create" || acts[0].ActorID != u.ID.String() {
		t.Fatalf("actions = %+v", acts)
	}
	e.login(t, "new@example.com", idPassword)

	off := newIDEnv(t, access.IdentityConfig{DisableSignup: true})
	_, err = off.svc.Register(off.ctx, access.RegisterParams{Email: "new@example.com", Password: idPassword})
	idWant(t, err, billkit.CodeFailedPrecondition, "access.signup_disabled")
}
