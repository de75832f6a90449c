package access_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
)

func TestAPIKeys(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")
	bob := e.user(t, access.UserKindCustomer, "bob@example.com")
	read := billkit.R("billing.client", billkit.OpRead)

	for _, c := range []struct {
		p     access.CreateAPIKeyParams
		field string
	}{
		{access.CreateAPIKeyParams{Name: "ci"}, "scopes"},
		{access.CreateAPIKeyParams{Name: " ", Scopes: []billkit.Right{read}}, "name"},
		{access.CreateAPIKeyParams{Name: "ci", Scopes: []billkit.Right{{Function: "Billing Client", Op: billkit.OpRead}}}, "scopes[0].right"},
		{access.CreateAPIKeyParams{Name: "ci", Scopes: []billkit.Right{{Function: "billing.client", Op: "write"}}}, "scopes[0].right"},
		{access.CreateAPIKeyParams{Name: "ci", Scopes: []billkit.Right{read}, ExpiresAt: idStart.Add(-time.Hour)}, "expires_at"},
	} {
		_, err := e.svc.CreateAPIKey(e.ctx, idAs(ann), c.p)
		idWant(t, err, billkit.CodeInvalid, "")
		if _, ok := err.(*billkit.Error).Field(c.field); !ok {
			t.Fatalf("%+v: %v does not name %s", c.p, err, c.field)
		}
	}
	_, err := e.svc.CreateAPIKey(e.ctx, idAs(bob), access.CreateAPIKeyParams{OwnerID: ann.ID, Name: "x", Scopes: []billkit.Right{read}})
	idWant(t, err, billkit.CodeNotFound, "user.not_found")

	created, err := e.svc.CreateAPIKey(e.ctx, idAs(ann), access.CreateAPIKeyParams{
		Name: "deploy", Scopes: []billkit.Right{read, read}, ExpiresAt: idStart.Add(48 * time.Hour),
	})
	idMust(t, err)
	if !regexp.MustCompile(`^bk_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$`).MatchString(created.Secret) || created.Secret[3:11] != created.Key.Prefix {
		t.Fatalf("secret %q, prefix %q", created.Secret, created.Key.Prefix)
	}
	if created.Key.OwnerID != ann.ID || len(created.Key.Scopes) != 1 {
		t.Fatalf("key = %+v", created.Key)
	}
	k, u, err := e.svc.AuthenticateAPIKey(e.ctx, created.Secret)
	idMust(t, err)
	if k.ID != created.Key.ID || u.ID != ann.ID || !k.LastUsedAt.Equal(e.clock.Now()) {
		t.Fatalf("authenticated %+v for %v", k, u.ID)
	}
	e.clock.Advance(30 * time.Second)
	k, _, _ = e.svc.AuthenticateAPIKey(e.ctx, created.Secret)
	if k.LastUsedAt.Equal(e.clock.Now()) {
		t.Fatal("LastUsedAt written twice within a minute")
	}
	for _, bad := range []string{"", "bk_", "bk_abcdefgh", "xx_" + created.Secret[3:], created.Secret + "x", created.Secret[:3] + "zzzzzzzz" + created.Secret[11:]} {
		_, _, err = e.svc.AuthenticateAPIKey(e.ctx, bad)
		idWant(t, err, billkit.CodeUnauthenticated, "access.apikey_invalid")
	}

	// Lists show the prefix, never the hash; other users' keys need the right.
	list, err := e.svc.ListAPIKeys(e.ctx, idAs(ann), access.APIKeyFilter{})
	idMust(t, err)
	if len(list.Items) != 1 || list.Items[0].Prefix != created.Key.Prefix {
		t.Fatalf("own keys = %+v", list.Items)
	}
	_, err = e.svc.ListAPIKeys(e.ctx, idAs(bob), access.APIKeyFilter{OwnerID: ann.ID})
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	list, err = e.svc.ListAPIKeys(e.ctx, idAs(bob), access.APIKeyFilter{})
	idMust(t, err)
	if len(list.Items) != 0 {
		t.Fatalf("bob sees %d keys", len(list.Items))
	}

	// Expiry.
	e.clock.Advance(48 * time.Hour)
	_, _, err = e.svc.AuthenticateAPIKey(e.ctx, created.Secret)
	idWant(t, err, billkit.CodeUnauthenticated, "access.apikey_invalid")

	// Revocation: by the owner or with the right; customers probing get not_found.
	forever, err := e.svc.CreateAPIKey(e.ctx, idStaff("admin", billkit.R(access.FunctionAPIKey, billkit.OpCreate)),
		access.CreateAPIKeyParams{OwnerID: ann.ID, Name: "forever", Scopes: []billkit.Right{read}})
	idMust(t, err)
	idWant(t, e.svc.RevokeAPIKey(e.ctx, idAs(bob), forever.Key.ID), billkit.CodeNotFound, "apikey.not_found")
	idWant(t, e.svc.RevokeAPIKey(e.ctx, idStaff("ops"), forever.Key.ID), billkit.CodeForbidden, "access.denied")
	idMust(t, e.svc.RevokeAPIKey(e.ctx, idAs(ann), forever.Key.ID))
	idMust(t, e.svc.RevokeAPIKey(e.ctx, idAs(ann), forever.Key.ID))
	_, _, err = e.svc.AuthenticateAPIKey(e.ctx, forever.Secret)
	idWant(t, err, billkit.CodeUnauthenticated, "access.apikey_invalid")

	// A disabled owner's keys stop working.
	third, err := e.svc.CreateAPIKey(e.ctx, idAs(ann), access.CreateAPIKeyParams{Name: "third", Scopes: []billkit.Right{read}})
	idMust(t, err)
	disabled := access.UserStatusDisabled
	_, err = e.svc.UpdateUser(e.ctx, idSystem, ann.ID, access.UpdateUserParams{Status: &disabled})
	idMust(t, err)
	_, _, err = e.svc.AuthenticateAPIKey(e.ctx, third.Secret)
	idWant(t, err, billkit.CodeUnauthenticated, "access.apikey_invalid")
	_, err = e.svc.CreateAPIKey(e.ctx, idSystem, access.CreateAPIKeyParams{OwnerID: ann.ID, Name: "x", Scopes: []billkit.Right{read}})
	idWant(t, err, billkit.CodeFailedPrecondition, "user.disabled")
}

func TestAccessLog(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	ann := e.user(t, access.UserKindCustomer, "ann@example.com")
	bob := e.user(t, access.UserKindCustomer, "bob@example.com")
	e.login(t, ann.Email, idPassword)
	e.clock.Advance(24 * time.Hour)
	e.login(t, bob.Email, idPassword)
	_, _ = e.svc.Login(e.ctx, access.LoginParams{Email: ann.Email, Password: "wrong password 1"})

	own, err := e.svc.ListAccessEvents(e.ctx, idAs(ann), access.AccessEventFilter{})
	idMust(t, err)
	if len(own.Items) != 2 || own.Items[0].Event != access.AccessLoginFailed || own.Items[1].Event != access.AccessLoginSucceeded {
		t.Fatalf("own events = %+v", own.Items)
	}
	_, err = e.svc.ListAccessEvents(e.ctx, idAs(ann), access.AccessEventFilter{UserID: bob.ID})
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	auditor := idStaff("auditor", billkit.R(access.FunctionActionLog, billkit.OpRead))
	all, err := e.svc.ListAccessEvents(e.ctx, auditor, access.AccessEventFilter{From: idStart.Add(time.Hour)})
	idMust(t, err)
	if len(all.Items) != 2 {
		t.Fatalf("events since an hour after start = %d, want 2", len(all.Items))
	}
	_, err = e.svc.ListAccessEvents(e.ctx, auditor, access.AccessEventFilter{Event: "hacked"})
	idWant(t, err, billkit.CodeInvalid, "access.event_unknown")

	_, err = e.svc.PurgeAccessEvents(e.ctx, auditor, idStart.Add(time.Hour))
	idWant(t, err, billkit.CodeForbidden, "access.denied")
	n, err := e.svc.PurgeAccessEvents(e.ctx, idStaff("admin", billkit.R(access.FunctionActionLog, billkit.OpDelete)), idStart.Add(time.Hour))
	idMust(t, err)
	if n != 1 {
		t.Fatalf("purged %d, want 1", n)
	}
	acts := e.actions(t)
	if last := acts[len(acts)-1]; last.Name != "access.actionlog.purge_access_events" || last.ActorID != "admin" {
		t.Fatalf("last action = %+v", last)
	}
}
