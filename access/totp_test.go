package access_test

import (
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
)

func TestTOTP(t *testing.T) {
	e := newIDEnv(t, access.IdentityConfig{Issuer: "Example Hosting"})
	ann := e.user(t, access.UserKindStaff, "ann@example.com")
	bob := e.user(t, access.UserKindStaff, "bob@example.com")
	me := idAs(ann)

	_, err := e.svc.BeginTOTP(e.ctx, idAs(bob), ann.ID)
	idWant(t, err, billkit.CodeForbidden, "access.self_only")
	_, err = e.svc.ConfirmTOTP(e.ctx, me, ann.ID, "123456")
	idWant(t, err, billkit.CodeFailedPrecondition, "access.totp_not_begun")
	setup, err := e.svc.BeginTOTP(e.ctx, me, ann.ID)
	idMust(t, err)
	if len(setup.Secret) != 32 || !strings.HasPrefix(setup.URL, "otpauth://totp/Example%20Hosting:ann@example.com?") ||
		!strings.Contains(setup.URL, "secret="+setup.Secret) || !strings.Contains(setup.URL, "issuer=Example+Hosting") {
		t.Fatalf("setup = %+v", setup)
	}
	_, err = e.svc.ConfirmTOTP(e.ctx, me, ann.ID, "000000")
	idWant(t, err, billkit.CodeInvalid, "access.totp_invalid")
	codes, err := e.svc.ConfirmTOTP(e.ctx, me, ann.ID, idTOTP(t, setup.Secret, e.clock.Now()))
	idMust(t, err)
	if len(codes) != 10 || len(codes[0]) != 11 || codes[0][5] != '-' {
		t.Fatalf("recovery codes = %v", codes)
	}
	_, err = e.svc.BeginTOTP(e.ctx, me, ann.ID)
	idWant(t, err, billkit.CodeFailedPrecondition, "access.totp_enabled")

	// The code that confirmed cannot log in: it was used.
	p := access.LoginParams{Email: ann.Email, Password: idPassword}
	_, err = e.svc.Login(e.ctx, p)
	idWant(t, err, billkit.CodeUnauthenticated, "access.totp_required")
	wrongPassword := p
	wrongPassword.Password = "nope nope nope"
	_, err = e.svc.Login(e.ctx, wrongPassword)
	idWant(t, err, billkit.CodeUnauthenticated, "access.invalid_credentials")
	p.TOTPCode = idTOTP(t, setup.Secret, e.clock.Now())
	_, err = e.svc.Login(e.ctx, p)
	idWant(t, err, billkit.CodeUnauthenticated, "access.totp_invalid")

	// Next step's code works once, also typed with a space.
	e.clock.Advance(30 * time.Second)
	code := idTOTP(t, setup.Secret, e.clock.Now())
	p.TOTPCode = code[:3] + " " + code[3:]
	_, err = e.svc.Login(e.ctx, p)
	idMust(t, err)
	_, err = e.svc.Login(e.ctx, p)
	idWant(t, err, billkit.CodeUnauthenticated, "access.totp_invalid")

	// One step of skew either way; two is too much.
	e.clock.Advance(5 * time.Minute)
	p.TOTPCode = idTOTP(t, setup.Secret, e.clock.Now().Add(30*time.Second))
	_, err = e.svc.Login(e.ctx, p)
	idMust(t, err)
	e.clock.Advance(5 * time.Minute)
	p.TOTPCode = idTOTP(t, setup.Secret, e.clock.Now().Add(-60*time.Second))
	_, err = e.svc.Login(e.ctx, p)
	idWant(t, err, billkit.CodeUnauthenticated, "access.totp_invalid")

	// Recovery codes: single use, any case and dashes.
	p.TOTPCode = ""
	p.RecoveryCode = strings.ToUpper(strings.ReplaceAll(codes[3], "-", ""))
	_, err = e.svc.Login(e.ctx, p)
	idMust(t, err)
	_, err = e.svc.Login(e.ctx, p)
	idWant(t, err, billkit.CodeUnauthenticated, "access.totp_invalid")
	p.RecoveryCode = "aaaaa-bbbbb"
	_, err = e.svc.Login(e.ctx, p)
	idWant(t, err, billkit.CodeUnauthenticated, "access.totp_invalid")

	// Wrong codes count towards the lockout (two above, three here).
	for range 3 {
		p.RecoveryCode, p.TOTPCode = "", "999999"
		_, _ = e.svc.Login(e.ctx, p)
	}
	p.TOTPCode = idTOTP(t, setup.Secret, e.clock.Now())
	_, err = e.svc.Login(e.ctx, p)
	idWant(t, err, billkit.CodeUnauthenticated, "access.locked")
	e.clock.Advance(time.Hour)

	// Turning it off: the user with its password, staff with the right.
	idWant(t, e.svc.DisableTOTP(e.ctx, me, ann.ID, "wrong password"), billkit.CodeInvalid, "access.password_mismatch")
	idWant(t, e.svc.DisableTOTP(e.ctx, idAs(bob), ann.ID, idPassword), billkit.CodeForbidden, "access.denied")
	idMust(t, e.svc.DisableTOTP(e.ctx, me, ann.ID, idPassword))
	e.login(t, ann.Email, idPassword)

	setup, err = e.svc.BeginTOTP(e.ctx, me, ann.ID)
	idMust(t, err)
	_, err = e.svc.ConfirmTOTP(e.ctx, me, ann.ID, idTOTP(t, setup.Secret, e.clock.Now()))
	idMust(t, err)
	idMust(t, e.svc.DisableTOTP(e.ctx, idStaff("admin", billkit.R(access.FunctionStaff, billkit.OpEdit)), ann.ID, ""))

	evs := e.events(t, ann.ID)
	count := map[access.AccessEventKind]int{}
	for _, k := range evs {
		count[k]++
	}
	if count[access.AccessTOTPEnabled] != 2 || count[access.AccessTOTPDisabled] != 2 || count[access.AccessTOTPFailed] != 8 || count[access.AccessRecoveryCodeUsed] != 1 {
		t.Fatalf("access events = %v", count)
	}
}
