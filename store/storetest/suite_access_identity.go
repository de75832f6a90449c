package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/google/go-cmp/cmp"
)

// identityCmp compares access identity values: typed IDs by value.
var identityCmp = cmp.Options{
	cmpOpts,
	cmp.Comparer(func(a, b access.UserID) bool { return a == b }),
	cmp.Comparer(func(a, b access.SessionID) bool { return a == b }),
	cmp.Comparer(func(a, b access.APIKeyID) bool { return a == b }),
	cmp.Comparer(func(a, b access.AccessEventID) bool { return a == b }),
	cmp.Comparer(func(a, b access.ResetTokenID) bool { return a == b }),
}

func identityUser(email string, kind access.UserKind) access.User {
	return access.User{
		ID: billkit.NewID[access.User](), Kind: kind, Email: email, Name: "Name of " + email, Locale: "en",
		Status: access.UserStatusActive, PasswordHash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		CreatedAt: t0, UpdatedAt: t0,
	}
}

func identitySession(user access.UserID, hash string, created time.Time) access.Session {
	return access.Session{
		ID: billkit.NewID[access.Session](), UserID: user, TokenHash: hash, IP: "192.0.2.1", UserAgent: "test",
		CreatedAt: created, LastSeenAt: created, ExpiresAt: created.Add(24 * time.Hour),
	}
}

// runAccessIdentity is the conformance suite of the identity half of
// access.Store: users, sessions, reset tokens, recovery codes, API keys and
// the access log.
func runAccessIdentity(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	open := func(t *testing.T) access.Store {
		t.Helper()
		s := newStores(t)
		if s.Access == nil {
			t.Fatal("Stores.Access is nil")
		}
		return s.Access
	}

	t.Run("user/crud", func(t *testing.T) {
		a := open(t)
		u := identityUser("ann@example.com", access.UserKindStaff)
		u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.FailedLogins = "JBSWY3DPEHPK3PXP", true, 59_000_000, 2
		u.LockedUntil, u.LastLoginAt = t0.Add(time.Minute), t0.Add(-time.Hour)
		must(t, a.InsertUser(ctx, &u))
		got, err := a.GetUser(ctx, u.ID)
		must(t, err)
		want := u
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		want.LockedUntil, want.LastLoginAt = storedTime(t0.Add(time.Minute)), storedTime(t0.Add(-time.Hour))
		if diff := cmp.Diff(&want, got, identityCmp); diff != "" {
			t.Fatalf("GetUser (-want +got):\n%s", diff)
		}
		byEmail, err := a.GetUserByEmail(ctx, "ann@example.com")
		must(t, err)
		if diff := cmp.Diff(&want, byEmail, identityCmp); diff != "" {
			t.Fatalf("GetUserByEmail (-want +got):\n%s", diff)
		}

		dup := identityUser("ann@example.com", access.UserKindCustomer)
		wantCode(t, a.InsertUser(ctx, &dup), billkit.CodeConflict, "user.exists")
		sameID := identityUser("other@example.com", access.UserKindCustomer)
		sameID.ID = u.ID
		wantCode(t, a.InsertUser(ctx, &sameID), billkit.CodeConflict, "user.exists")

		got.Name, got.Status, got.FailedLogins = "Ann B.", access.UserStatusDisabled, 0
		got.LockedUntil, got.TOTPSecret, got.TOTPEnabled = time.Time{}, "", false
		got.UpdatedAt = t0.Add(time.Hour)
		must(t, a.UpdateUser(ctx, got))
		again, err := a.GetUser(ctx, u.ID)
		must(t, err)
		if diff := cmp.Diff(got, again, identityCmp); diff != "" {
			t.Fatalf("after UpdateUser (-want +got):\n%s", diff)
		}
		if !again.LockedUntil.IsZero() {
			t.Fatalf("LockedUntil = %v, want zero (NULL)", again.LockedUntil)
		}

		_, err = a.GetUser(ctx, billkit.NewID[access.User]())
		wantCode(t, err, billkit.CodeNotFound, "user.not_found")
		_, err = a.GetUserByEmail(ctx, "nobody@example.com")
		wantCode(t, err, billkit.CodeNotFound, "user.not_found")
		missing := identityUser("missing@example.com", access.UserKindStaff)
		wantCode(t, a.UpdateUser(ctx, &missing), billkit.CodeNotFound, "user.not_found")
	})

	t.Run("user/list", func(t *testing.T) {
		a := open(t)
		for i := range 7 {
			kind := access.UserKindCustomer
			if i%3 == 0 {
				kind = access.UserKindStaff
			}
			u := identityUser(fmt.Sprintf("user%d@example.com", i), kind)
			if i == 4 {
				u.Status, u.Name = access.UserStatusDisabled, "Boris 100%_Special"
			}
			must(t, a.InsertUser(ctx, &u))
		}
		email := func(u access.User) string { return u.Email }
		all := collect(t, 2, email, func(pp billkit.PageParams) (billkit.Page[access.User], error) {
			return a.ListUsers(ctx, access.UserFilter{PageParams: pp})
		})
		want := []string{"user0@example.com", "user1@example.com", "user2@example.com", "user3@example.com",
			"user4@example.com", "user5@example.com", "user6@example.com"}
		if diff := cmp.Diff(want, keys(all, email)); diff != "" {
			t.Fatalf("ListUsers (-want +got):\n%s", diff)
		}
		staff := collect(t, 10, email, func(pp billkit.PageParams) (billkit.Page[access.User], error) {
			return a.ListUsers(ctx, access.UserFilter{Kind: access.UserKindStaff, PageParams: pp})
		})
		if diff := cmp.Diff([]string{"user0@example.com", "user3@example.com", "user6@example.com"}, keys(staff, email)); diff != "" {
			t.Fatalf("ListUsers staff (-want +got):\n%s", diff)
		}
		disabled, err := a.ListUsers(ctx, access.UserFilter{Status: access.UserStatusDisabled})
		must(t, err)
		if len(disabled.Items) != 1 || disabled.Items[0].Email != "user4@example.com" {
			t.Fatalf("ListUsers disabled = %v", keys(disabled.Items, email))
		}
		for _, q := range []string{"BORIS", "100%_", "USER4@"} {
			p, err := a.ListUsers(ctx, access.UserFilter{Query: q})
			must(t, err)
			if len(p.Items) != 1 || p.Items[0].Email != "user4@example.com" {
				t.Fatalf("ListUsers query %q = %v", q, keys(p.Items, email))
			}
		}
		p, err := a.ListUsers(ctx, access.UserFilter{Query: "%"})
		must(t, err)
		if len(p.Items) != 1 {
			t.Fatalf("ListUsers query %%: the wildcard must match literally, got %v", keys(p.Items, email))
		}
		_, err = a.ListUsers(ctx, access.UserFilter{PageParams: billkit.PageParams{Cursor: "garbage!"}})
		wantCode(t, err, billkit.CodeInvalid, "page.cursor_malformed")
	})

	t.Run("session", func(t *testing.T) {
		a := open(t)
		u := identityUser("s@example.com", access.UserKindCustomer)
		v := identityUser("v@example.com", access.UserKindCustomer)
		must(t, a.InsertUser(ctx, &u))
		must(t, a.InsertUser(ctx, &v))

		orphan := identitySession(billkit.NewID[access.User](), "h-orphan", t0)
		wantCode(t, a.InsertSession(ctx, &orphan), billkit.CodeFailedPrecondition, "")

		var ids []access.SessionID
		for i := range 5 {
			owner := u.ID
			if i == 4 {
				owner = v.ID
			}
			s := identitySession(owner, fmt.Sprintf("hash-%d", i), t0.Add(time.Duration(i)*time.Minute))
			must(t, a.InsertSession(ctx, &s))
			ids = append(ids, s.ID)
		}
		dup := identitySession(u.ID, "hash-0", t0)
		wantCode(t, a.InsertSession(ctx, &dup), billkit.CodeConflict, "session.exists")

		got, err := a.GetSessionByTokenHash(ctx, "hash-2")
		must(t, err)
		if got.ID != ids[2] || got.UserID != u.ID || !got.CreatedAt.Equal(storedTime(t0.Add(2*time.Minute))) || !got.RevokedAt.IsZero() {
			t.Fatalf("GetSessionByTokenHash = %+v", got)
		}
		_, err = a.GetSessionByTokenHash(ctx, "nope")
		wantCode(t, err, billkit.CodeNotFound, "session.not_found")

		got.LastSeenAt, got.IP = t0.Add(time.Hour), "198.51.100.7"
		must(t, a.UpdateSession(ctx, got))
		again, err := a.GetSession(ctx, got.ID)
		must(t, err)
		if diff := cmp.Diff(got, again, identityCmp); diff != "" {
			t.Fatalf("after UpdateSession (-want +got):\n%s", diff)
		}

		id := func(s access.Session) string { return s.ID.String() }
		mine := collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[access.Session], error) {
			return a.ListSessions(ctx, access.SessionFilter{UserID: u.ID, PageParams: pp})
		})
		want := []string{ids[3].String(), ids[2].String(), ids[1].String(), ids[0].String()}
		if diff := cmp.Diff(want, keys(mine, id)); diff != "" {
			t.Fatalf("ListSessions newest first (-want +got):\n%s", diff)
		}
		seen, err := a.ListSessions(ctx, access.SessionFilter{SeenSince: t0.Add(30 * time.Minute)})
		must(t, err)
		if diff := cmp.Diff([]string{ids[2].String()}, keys(seen.Items, id)); diff != "" {
			t.Fatalf("ListSessions SeenSince (-want +got):\n%s", diff)
		}

		n, err := a.RevokeUserSessions(ctx, u.ID, ids[1], t0.Add(2*time.Hour))
		must(t, err)
		if n != 3 {
			t.Fatalf("RevokeUserSessions = %d, want 3", n)
		}
		n, err = a.RevokeUserSessions(ctx, u.ID, access.SessionID{}, t0.Add(3*time.Hour))
		must(t, err)
		if n != 1 {
			t.Fatalf("RevokeUserSessions again = %d, want 1 (the one spared)", n)
		}
		revoked, err := a.GetSession(ctx, ids[0])
		must(t, err)
		if !revoked.RevokedAt.Equal(storedTime(t0.Add(2 * time.Hour))) {
			t.Fatalf("RevokedAt = %v", revoked.RevokedAt)
		}
		active, err := a.ListSessions(ctx, access.SessionFilter{ActiveAt: t0.Add(3 * time.Hour)})
		must(t, err)
		if diff := cmp.Diff([]string{ids[4].String()}, keys(active.Items, id)); diff != "" {
			t.Fatalf("ListSessions ActiveAt (-want +got):\n%s", diff)
		}
		expired, err := a.ListSessions(ctx, access.SessionFilter{ActiveAt: t0.Add(48 * time.Hour)})
		must(t, err)
		if len(expired.Items) != 0 {
			t.Fatalf("ListSessions after expiry = %v", keys(expired.Items, id))
		}
	})

	t.Run("reset_token", func(t *testing.T) {
		a := open(t)
		u := identityUser("r@example.com", access.UserKindCustomer)
		must(t, a.InsertUser(ctx, &u))
		for i := range 2 {
			rt := access.ResetToken{
				ID: billkit.NewID[access.ResetToken](), UserID: u.ID, TokenHash: fmt.Sprintf("rt-%d", i),
				IP: "192.0.2.1", UserAgent: "ua", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour),
			}
			must(t, a.InsertResetToken(ctx, &rt))
		}
		orphan := access.ResetToken{ID: billkit.NewID[access.ResetToken](), UserID: billkit.NewID[access.User](), TokenHash: "x", CreatedAt: t0, ExpiresAt: t0}
		wantCode(t, a.InsertResetToken(ctx, &orphan), billkit.CodeFailedPrecondition, "")
		got, err := a.GetResetTokenByHash(ctx, "rt-1")
		must(t, err)
		if got.UserID != u.ID || !got.ExpiresAt.Equal(storedTime(t0.Add(time.Hour))) || !got.UsedAt.IsZero() {
			t.Fatalf("GetResetTokenByHash = %+v", got)
		}
		_, err = a.GetResetTokenByHash(ctx, "nope")
		wantCode(t, err, billkit.CodeNotFound, "reset_token.not_found")
		n, err := a.UseResetTokens(ctx, u.ID, t0.Add(time.Minute))
		must(t, err)
		if n != 2 {
			t.Fatalf("UseResetTokens = %d, want 2", n)
		}
		n, err = a.UseResetTokens(ctx, u.ID, t0.Add(2*time.Minute))
		must(t, err)
		if n != 0 {
			t.Fatalf("UseResetTokens again = %d, want 0", n)
		}
		got, err = a.GetResetTokenByHash(ctx, "rt-0")
		must(t, err)
		if !got.UsedAt.Equal(storedTime(t0.Add(time.Minute))) {
			t.Fatalf("UsedAt = %v", got.UsedAt)
		}
	})

	t.Run("recovery_code", func(t *testing.T) {
		a := open(t)
		u := identityUser("c@example.com", access.UserKindStaff)
		must(t, a.InsertUser(ctx, &u))
		codes := func(prefix string) []access.RecoveryCode {
			var out []access.RecoveryCode
			for i := range 3 {
				out = append(out, access.RecoveryCode{UserID: u.ID, CodeHash: fmt.Sprintf("%s-%d", prefix, i), CreatedAt: t0})
			}
			return out
		}
		must(t, a.ReplaceRecoveryCodes(ctx, u.ID, codes("a")))
		must(t, a.UseRecoveryCode(ctx, u.ID, "a-1", t0))
		wantCode(t, a.UseRecoveryCode(ctx, u.ID, "a-1", t0), billkit.CodeNotFound, "recovery_code.not_found")
		wantCode(t, a.UseRecoveryCode(ctx, billkit.NewID[access.User](), "a-0", t0), billkit.CodeNotFound, "recovery_code.not_found")
		n, err := a.CountRecoveryCodes(ctx, u.ID)
		must(t, err)
		if n != 2 {
			t.Fatalf("CountRecoveryCodes = %d, want 2", n)
		}
		must(t, a.ReplaceRecoveryCodes(ctx, u.ID, codes("b")))
		wantCode(t, a.UseRecoveryCode(ctx, u.ID, "a-0", t0), billkit.CodeNotFound, "recovery_code.not_found")
		must(t, a.UseRecoveryCode(ctx, u.ID, "b-0", t0))
		must(t, a.ReplaceRecoveryCodes(ctx, u.ID, nil))
		if n, _ := a.CountRecoveryCodes(ctx, u.ID); n != 0 {
			t.Fatalf("CountRecoveryCodes after clearing = %d", n)
		}
	})

	t.Run("apikey", func(t *testing.T) {
		a := open(t)
		u := identityUser("k@example.com", access.UserKindStaff)
		v := identityUser("l@example.com", access.UserKindCustomer)
		must(t, a.InsertUser(ctx, &u))
		must(t, a.InsertUser(ctx, &v))
		var ids []access.APIKeyID
		for i := range 5 {
			owner := u.ID
			if i == 0 {
				owner = v.ID
			}
			k := access.APIKey{
				ID: billkit.NewID[access.APIKey](), OwnerID: owner, Name: fmt.Sprintf("key %d", i), Prefix: fmt.Sprintf("pfx%05d", i),
				SecretHash: fmt.Sprintf("secret-%d", i), CreatedAt: t0.Add(time.Duration(i) * time.Second),
				Scopes: []billkit.Right{billkit.R("billing.client", billkit.OpRead), billkit.R("directory", billkit.OpEdit)},
			}
			if i == 3 {
				k.ExpiresAt = t0.Add(24 * time.Hour)
			}
			must(t, a.InsertAPIKey(ctx, &k))
			ids = append(ids, k.ID)
		}
		dup := access.APIKey{ID: billkit.NewID[access.APIKey](), OwnerID: u.ID, Name: "dup", Prefix: "x", SecretHash: "secret-1", Scopes: []billkit.Right{}, CreatedAt: t0}
		wantCode(t, a.InsertAPIKey(ctx, &dup), billkit.CodeConflict, "apikey.exists")
		orphan := dup
		orphan.SecretHash, orphan.OwnerID = "orphan", billkit.NewID[access.User]()
		wantCode(t, a.InsertAPIKey(ctx, &orphan), billkit.CodeFailedPrecondition, "")

		got, err := a.GetAPIKeyBySecretHash(ctx, "secret-3")
		must(t, err)
		want := access.APIKey{
			ID: ids[3], OwnerID: u.ID, Name: "key 3", Prefix: "pfx00003", SecretHash: "secret-3",
			Scopes:    []billkit.Right{billkit.R("billing.client", billkit.OpRead), billkit.R("directory", billkit.OpEdit)},
			CreatedAt: storedTime(t0.Add(3 * time.Second)), ExpiresAt: storedTime(t0.Add(24 * time.Hour)),
		}
		if diff := cmp.Diff(&want, got, identityCmp); diff != "" {
			t.Fatalf("GetAPIKeyBySecretHash (-want +got):\n%s", diff)
		}
		_, err = a.GetAPIKeyBySecretHash(ctx, "nope")
		wantCode(t, err, billkit.CodeNotFound, "apikey.not_found")
		_, err = a.GetAPIKey(ctx, billkit.NewID[access.APIKey]())
		wantCode(t, err, billkit.CodeNotFound, "apikey.not_found")

		got.LastUsedAt, got.RevokedAt = t0.Add(time.Minute), t0.Add(2*time.Minute)
		must(t, a.UpdateAPIKey(ctx, got))
		again, err := a.GetAPIKey(ctx, got.ID)
		must(t, err)
		if diff := cmp.Diff(got, again, identityCmp); diff != "" {
			t.Fatalf("after UpdateAPIKey (-want +got):\n%s", diff)
		}

		id := func(k access.APIKey) string { return k.ID.String() }
		live := collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[access.APIKey], error) {
			return a.ListAPIKeys(ctx, access.APIKeyFilter{OwnerID: u.ID, PageParams: pp})
		})
		if diff := cmp.Diff([]string{ids[4].String(), ids[2].String(), ids[1].String()}, keys(live, id)); diff != "" {
			t.Fatalf("ListAPIKeys (-want +got):\n%s", diff)
		}
		all := collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[access.APIKey], error) {
			return a.ListAPIKeys(ctx, access.APIKeyFilter{IncludeRevoked: true, PageParams: pp})
		})
		if len(all) != 5 {
			t.Fatalf("ListAPIKeys with revoked = %d keys, want 5", len(all))
		}
	})

	t.Run("access_event", func(t *testing.T) {
		a := open(t)
		u := identityUser("e@example.com", access.UserKindCustomer)
		must(t, a.InsertUser(ctx, &u))
		var ids []access.AccessEventID
		for i := range 6 {
			e := access.AccessEvent{
				ID: billkit.NewID[access.AccessEvent](), At: t0.Add(time.Duration(i) * time.Hour), UserID: u.ID,
				Email: u.Email, Event: access.AccessLoginFailed, IP: "192.0.2.1", UserAgent: "ua", Detail: "password",
			}
			if i%2 == 1 {
				e.Event = access.AccessLoginSucceeded
			}
			if i == 5 {
				e.UserID, e.Email = access.UserID{}, "unknown@example.com"
			}
			must(t, a.InsertAccessEvent(ctx, &e))
			ids = append(ids, e.ID)
		}
		id := func(e access.AccessEvent) string { return e.ID.String() }
		all := collect(t, 4, id, func(pp billkit.PageParams) (billkit.Page[access.AccessEvent], error) {
			return a.ListAccessEvents(ctx, access.AccessEventFilter{PageParams: pp})
		})
		var want []string
		for i := len(ids) - 1; i >= 0; i-- {
			want = append(want, ids[i].String())
		}
		if diff := cmp.Diff(want, keys(all, id)); diff != "" {
			t.Fatalf("ListAccessEvents (-want +got):\n%s", diff)
		}
		if !all[0].UserID.IsZero() || !all[0].At.Equal(storedTime(t0.Add(5*time.Hour))) {
			t.Fatalf("event without user = %+v", all[0])
		}
		p, err := a.ListAccessEvents(ctx, access.AccessEventFilter{UserID: u.ID, Event: access.AccessLoginSucceeded})
		must(t, err)
		if diff := cmp.Diff([]string{ids[3].String(), ids[1].String()}, keys(p.Items, id)); diff != "" {
			t.Fatalf("ListAccessEvents by user and event (-want +got):\n%s", diff)
		}
		p, err = a.ListAccessEvents(ctx, access.AccessEventFilter{From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour)})
		must(t, err)
		if diff := cmp.Diff([]string{ids[2].String(), ids[1].String()}, keys(p.Items, id)); diff != "" {
			t.Fatalf("ListAccessEvents From/To (-want +got):\n%s", diff)
		}
		n, err := a.PurgeAccessEvents(ctx, t0.Add(2*time.Hour))
		must(t, err)
		if n != 2 {
			t.Fatalf("PurgeAccessEvents = %d, want 2", n)
		}
		rest, err := a.ListAccessEvents(ctx, access.AccessEventFilter{})
		must(t, err)
		if len(rest.Items) != 4 || rest.Items[3].ID != ids[2] {
			t.Fatalf("after purge: %v", keys(rest.Items, id))
		}
	})
}
