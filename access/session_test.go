package access_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
)

func TestLoginInvalidCredentials(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")
	var msgs []string
	for _, p := range []access.LoginParams{
		{Email: "nobody@example.com", Password: idPassword},
		{Email: "ann@example.com", Password: "wrong password!"},
		{Email: "not an email", Password: idPassword},
	} {
		_, err := e.svc.Login(e.ctx, p)
		idWant(t, err, billkit.CodeUnauthenticated, "access.invalid_credentials")
		msgs = append(msgs, err.Error())
	}
	if msgs[0] != msgs[1] {
		t.Fatalf("unknown email and wrong password differ: %q vs %q", msgs[0], msgs[1])
	}
	_, err := e.svc.Login(e.ctx, access.LoginParams{Email: "ann@example.com"})
	idWant(t, err, billkit.CodeInvalid, "required")

	// The failures are committed: the counter and the access log.
	u, err := e.svc.GetUser(e.ctx, idSystem, ann.ID)
	idMust(t, err)
	if u.FailedLogins != 1 {
		t.Fatalf("FailedLogins = %d, want 1", u.FailedLogins)
	}
	all, err := e.svc.ListAccessEvents(e.ctx, idSystem, access.AccessEventFilter{Event: access.AccessLoginFailed})
	idMust(t, err)
	if len(all.Items) != 3 || !all.Items[2].UserID.IsZero() || all.Items[2].Email != "nobody@example.com" || all.Items[2].Detail != "unknown_email" {
		t.Fatalf("failed logins logged: %+v", all.Items)
	}
	// Success resets the counter.
	res := e.login(t, "ann@example.com", idPassword)
	if res.User.FailedLogins != 0 {
		t.Fatalf("FailedLogins after success = %d", res.User.FailedLogins)
	}
}

func TestLoginLockoutAndBackoff(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")
	wrong := access.LoginParams{Email: ann.Email, Password: "not the password"}
	right := access.LoginParams{Email: ann.Email, Password: idPassword}
	for range 4 {
		_, err := e.svc.Login(e.ctx, wrong)
		idWant(t, err, billkit.CodeUnauthenticated, "access.invalid_credentials")
		e.clock.Advance(time.Second)
	}
	// The fifth failure locks for a minute.
	_, err := e.svc.Login(e.ctx, wrong)
	idWant(t, err, billkit.CodeUnauthenticated, "access.invalid_credentials")
	lockedAt := e.clock.Now()
	_, err = e.svc.Login(e.ctx, right)
	idWant(t, err, billkit.CodeUnauthenticated, "access.locked")
	e.clock.Set(lockedAt.Add(59 * time.Second))
	_, err = e.svc.Login(e.ctx, right)
	idWant(t, err, billkit.CodeUnauthenticated, "access.locked")
	u, _ := e.svc.GetUser(e.ctx, idSystem, ann.ID)
	if u.FailedLogins != 5 || !u.LockedUntil.Equal(lockedAt.Add(time.Minute)) {
		t.Fatalf("after 5 failures: failed %d, locked until %v", u.FailedLogins, u.LockedUntil)
	}

	// Each further failure doubles the lock: 2, 4, 8, 16, 32 minutes, then
	// an hour at most.
	want := []time.Duration{2, 4, 8, 16, 32, 60, 60}
	for _, minutes := range want {
		e.clock.Set(u.LockedUntil)
		_, err = e.svc.Login(e.ctx, wrong)
		idWant(t, err, billkit.CodeUnauthenticated, "access.invalid_credentials")
		u, _ = e.svc.GetUser(e.ctx, idSystem, ann.ID)
		if got := u.LockedUntil.Sub(e.clock.Now()); got != minutes*time.Minute {
			t.Fatalf("after %d failures locked for %v, want %v minutes", u.FailedLogins, got, minutes)
		}
	}
	e.clock.Set(u.LockedUntil)
	res, err := e.svc.Login(e.ctx, right)
	idMust(t, err)
	if res.User.FailedLogins != 0 || !res.User.LockedUntil.IsZero() {
		t.Fatalf("success kept the lock: %+v", res.User)
	}
	evs := e.events(t, ann.ID)
	var locked, lockedOut int
	for _, k := range evs {
		if k == access.AccessLocked {
			locked++
		}
	}
	p, _ := e.svc.ListAccessEvents(e.ctx, idSystem, access.AccessEventFilter{UserID: ann.ID, Event: access.AccessLoginFailed})
	for _, ev := range p.Items {
		if ev.Detail == "locked" {
			lockedOut++
		}
	}
	if locked != 8 || lockedOut != 2 || evs[len(evs)-1] != access.AccessLoginSucceeded {
		t.Fatalf("events: %d locked, %d refused while locked, last %s", locked, lockedOut, evs[len(evs)-1])
	}
}

func TestLoginDisabledUser(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")
	disabled := access.UserStatusDisabled
	_, err := e.svc.UpdateUser(e.ctx, idSystem, ann.ID, access.UpdateUserParams{Status: &disabled})
	idMust(t, err)
	_, err = e.svc.Login(e.ctx, access.LoginParams{Email: ann.Email, Password: idPassword})
	idWant(t, err, billkit.CodeUnauthenticated, "access.invalid_credentials")
}

func TestLoginRehashesOnNewParameters(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")
	stronger := access.NewService(e.st.Access(), access.Config{Clock: e.clock, Identity: access.IdentityConfig{Argon2: access.Argon2Params{Memory: 128, Time: 2, Threads: 1}}})
	res, err := stronger.Login(e.ctx, access.LoginParams{Email: ann.Email, Password: idPassword})
	idMust(t, err)
	if !strings.HasPrefix(res.User.PasswordHash, "$argon2id$v=19$m=128,t=2,p=1$") {
		t.Fatalf("hash not upgraded: %q", res.User.PasswordHash)
	}
	// Old and new parameters both verify.
	e.login(t, ann.Email, idPassword)
}

func TestSessionTimeouts(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")

	idle := e.login(t, ann.Email, idPassword)
	e.clock.Advance(12*time.Hour - time.Second)
	_, _, err := e.svc.AuthenticateSession(e.ctx, idle.Token, "198.51.100.2", "browser 2")
	idMust(t, err)
	e.clock.Advance(12 * time.Hour)
	_, _, err = e.svc.AuthenticateSession(e.ctx, idle.Token, "", "")
	idWant(t, err, billkit.CodeUnauthenticated, "access.session_invalid")

	// Used every 11 hours, a session still ends after 30 days.
	busy := e.login(t, ann.Email, idPassword)
	end := e.clock.Now().Add(30 * 24 * time.Hour)
	for e.clock.Advance(11 * time.Hour).Before(end) {
		_, _, err = e.svc.AuthenticateSession(e.ctx, busy.Token, "", "")
		idMust(t, err)
	}
	_, _, err = e.svc.AuthenticateSession(e.ctx, busy.Token, "", "")
	idWant(t, err, billkit.CodeUnauthenticated, "access.session_invalid")

	for _, tok := range []string{"", "unknown", strings.Repeat("x", 300), idle.Token + "x"} {
		_, _, err = e.svc.AuthenticateSession(e.ctx, tok, "", "")
		idWant(t, err, billkit.CodeUnauthenticated, "access.session_invalid")
	}
}

func TestSessionLastSeenAtMostOncePerMinute(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")
	res := e.login(t, ann.Email, idPassword)
	login := e.clock.Now()
	e.clock.Advance(30 * time.Second)
	_, s, err := e.svc.AuthenticateSession(e.ctx, res.Token, "198.51.100.9", "other")
	idMust(t, err)
	if !s.LastSeenAt.Equal(login) || s.IP != "198.51.100.1" {
		t.Fatalf("touched within a minute: %+v", s)
	}
	e.clock.Advance(31 * time.Second)
	_, s, err = e.svc.AuthenticateSession(e.ctx, res.Token, "198.51.100.9", "other")
	idMust(t, err)
	if !s.LastSeenAt.Equal(e.clock.Now()) || s.IP != "198.51.100.9" {
		t.Fatalf("not touched after a minute: %+v", s)
	}
}

func TestSessionsListRevokeLogout(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")
	bob := e.user(t, access.UserKindCustomer, "bob@example.com")
	var annTokens []string
	var annSessions []access.SessionID
	for i := range 3 {
		r := e.login(t, ann.Email, idPassword)
		annTokens, annSessions = append(annTokens, r.Token), append(annSessions, r.Session.ID)
		e.clock.Advance(time.Duration(i+1) * time.Minute)
	}
	bobRes := e.login(t, bob.Email, idPassword)

	ids := func(p billkit.Page[access.Session]) string {
		var out []string
		for _, s := range p.Items {
			out = append(out, s.ID.String())
		}
		return strings.Join(out, ",")
	}
	own, err := e.svc.ListSessions(e.ctx, idAs(ann), access.SessionFilter{})
	idMust(t, err)
	if got, want := ids(own), annSessions[2].String()+","+annSessions[1].String()+","+annSessions[0].String(); got != want {
		t.Fatalf("own sessions = %s, want %s", got, want)
	}
	_, err = e.svc.ListSessions(e.ctx, idAs(ann), access.SessionFilter{UserID: bob.ID})
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	everyone, err := e.svc.ListSessions(e.ctx, idStaff("ops", billkit.R(access.FunctionSession, billkit.OpRead)), access.SessionFilter{})
	idMust(t, err)
	if len(everyone.Items) != 4 {
		t.Fatalf("current activity = %d sessions, want 4", len(everyone.Items))
	}

	// Bob cannot end Ann's session, nor learn it exists.
	idWant(t, e.svc.RevokeSession(e.ctx, idAs(bob), annSessions[0]), billkit.CodeNotFound, "session.not_found")
	idWant(t, e.svc.RevokeSession(e.ctx, idStaff("ops"), annSessions[0]), billkit.CodeForbidden, "access.denied")
	idMust(t, e.svc.RevokeSession(e.ctx, idAs(ann), annSessions[0]))
	_, _, err = e.svc.AuthenticateSession(e.ctx, annTokens[0], "", "")
	idWant(t, err, billkit.CodeUnauthenticated, "access.session_invalid")

	idMust(t, e.svc.Logout(e.ctx, annTokens[1]))
	_, _, err = e.svc.AuthenticateSession(e.ctx, annTokens[1], "", "")
	idWant(t, err, billkit.CodeUnauthenticated, "access.session_invalid")
	idMust(t, e.svc.Logout(e.ctx, annTokens[1])) // twice is fine
	idWant(t, e.svc.Logout(e.ctx, "no such token"), billkit.CodeUnauthenticated, "access.session_invalid")

	_, err = e.svc.RevokeUserSessions(e.ctx, idAs(bob), ann.ID)
	idWant(t, err, billkit.CodeNotFound, "user.not_found")
	n, err := e.svc.RevokeUserSessions(e.ctx, idStaff("ops", billkit.R(access.FunctionSession, billkit.OpDelete)), ann.ID)
	idMust(t, err)
	if n != 1 {
		t.Fatalf("RevokeUserSessions = %d, want 1 left", n)
	}
	own, err = e.svc.ListSessions(e.ctx, idAs(ann), access.SessionFilter{})
	idMust(t, err)
	all, err := e.svc.ListSessions(e.ctx, idAs(ann), access.SessionFilter{IncludeEnded: true})
	idMust(t, err)
	if len(own.Items) != 0 || len(all.Items) != 3 {
		t.Fatalf("after revoking: %d current, %d in all", len(own.Items), len(all.Items))
	}
	_, _, err = e.svc.AuthenticateSession(e.ctx, bobRes.Token, "", "")
	idMust(t, err)

	evs := fmt.Sprint(e.events(t, ann.ID))
	if !strings.Contains(evs, "logout") || strings.Count(evs, "session_revoked") != 2 {
		t.Fatalf("access events = %s", evs)
	}
}
