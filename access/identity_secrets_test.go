package access_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
)

// TestIdentityNoSecretLeaks runs every flow that handles a secret, then
// looks for each secret in the JSON of every object the flows returned, in
// every access event and in every recorded action.
func TestIdentityNoSecretLeaks(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{})
	const pw1, pw2, pw3 = "first-Secret-Passphrase", "second-Secret-Passphrase", "third-Secret-Passphrase"
	u, err := e.svc.Register(e.ctx, access.RegisterParams{Email: "ann@example.com", Password: pw1})
	idMust(t, err)
	var secrets []string
	var objects []any
	secrets = append(secrets, pw1, pw2, pw3, u.PasswordHash)

	res := e.login(t, u.Email, pw1)
	secrets = append(secrets, res.Token, res.Session.TokenHash)
	objects = append(objects, res.User, res.Session)

	me := idAs(u)
	setup, err := e.svc.BeginTOTP(e.ctx, me, u.ID)
	idMust(t, err)
	code := idTOTP(t, setup.Secret, e.clock.Now())
	codes, err := e.svc.ConfirmTOTP(e.ctx, me, u.ID, code)
	idMust(t, err)
	secrets = append(secrets, setup.Secret)
	secrets = append(secrets, codes...)
	e.clock.Advance(30 * time.Second)
	res2, err := e.svc.Login(e.ctx, access.LoginParams{Email: u.Email, Password: pw1, TOTPCode: idTOTP(t, setup.Secret, e.clock.Now())})
	idMust(t, err)
	res3, err := e.svc.Login(e.ctx, access.LoginParams{Email: u.Email, Password: pw1, RecoveryCode: codes[0]})
	idMust(t, err)
	secrets = append(secrets, res2.Token, res3.Token)
	objects = append(objects, res2.User, res3.User)

	key, err := e.svc.CreateAPIKey(e.ctx, me, access.CreateAPIKeyParams{Name: "ci", Scopes: []billkit.Right{billkit.R("directory", billkit.OpRead)}})
	idMust(t, err)
	secrets = append(secrets, key.Secret, key.Key.SecretHash, strings.TrimPrefix(key.Secret, "bk_"+key.Key.Prefix+"_"))
	k, owner, err := e.svc.AuthenticateAPIKey(e.ctx, key.Secret)
	idMust(t, err)
	objects = append(objects, k, owner, key.Key)
	idMust(t, e.svc.RevokeAPIKey(e.ctx, me, key.Key.ID))

	idMust(t, e.svc.ChangePassword(e.ctx, me, u.ID, pw1, pw2))
	tok, err := e.svc.RequestPasswordReset(e.ctx, u.Email, "", "")
	idMust(t, err)
	secrets = append(secrets, tok)
	idMust(t, e.svc.ResetPassword(e.ctx, tok, pw3))
	_, _ = e.svc.Login(e.ctx, access.LoginParams{Email: u.Email, Password: pw1}) // a failure logs the attempt
	_, _ = e.svc.Login(e.ctx, access.LoginParams{Email: u.Email, Password: pw3, TOTPCode: "123456"})
	idMust(t, e.svc.DisableTOTP(e.ctx, me, u.ID, pw3))
	res4 := e.login(t, u.Email, pw3)
	idMust(t, e.svc.Logout(e.ctx, res4.Token))
	final, err := e.svc.GetUser(e.ctx, me, u.ID)
	idMust(t, err)
	secrets = append(secrets, final.PasswordHash, res4.Token)
	objects = append(objects, final)

	sessions, err := e.svc.ListSessions(e.ctx, me, access.SessionFilter{IncludeEnded: true})
	idMust(t, err)
	keys, err := e.svc.ListAPIKeys(e.ctx, me, access.APIKeyFilter{IncludeRevoked: true})
	idMust(t, err)
	events, err := e.svc.ListAccessEvents(e.ctx, idSystem, access.AccessEventFilter{PageParams: billkit.PageParams{Limit: 1000}})
	idMust(t, err)
	objects = append(objects, sessions, keys, events)
	if len(events.Items) < 10 {
		t.Fatalf("only %d access events", len(events.Items))
	}

	var texts []string
	for _, o := range objects {
		b, err := json.Marshal(o)
		idMust(t, err)
		texts = append(texts, string(b))
	}
	acts := e.actions(t)
	if len(acts) < 10 {
		t.Fatalf("only %d actions recorded", len(acts))
	}
	for _, a := range acts {
		texts = append(texts, a.Name+" "+a.ObjectID+" "+a.Changes)
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("an empty secret in the list")
		}
		for _, text := range texts {
			if strings.Contains(text, s) {
				t.Fatalf("secret %q found in %s", s, text)
			}
		}
	}
	// The hash parts of argon2 strings too (base64 may be escaped in JSON).
	for _, text := range texts {
		if strings.Contains(text, "argon2id") || strings.Contains(text, "totp_secret") || strings.Contains(text, "token_hash") {
			t.Fatalf("secret field in %s", text)
		}
	}
}
