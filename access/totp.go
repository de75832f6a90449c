package access

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

// TOTP as in RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, which every
// authenticator app supports. A code of the step before or after the
// current one is accepted too, for clocks that drift.
const (
	totpDigits = 6
	totpPeriod = 30
	totpSkew   = 1
	// recoveryCodeCount is how many recovery codes ConfirmTOTP gives.
	recoveryCodeCount = 10
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// TOTPSetup is what an authenticator app needs to add the account: the
// secret, and the otpauth:// URL that a QR code carries. Shown once.
type TOTPSetup struct {
	Secret string `json:"secret"`
	URL    string `json:"url"`
}

// RecoveryCode is a single-use code that replaces a TOTP code when the
// phone is lost. Only its hash is stored.
type RecoveryCode struct {
	UserID UserID `json:"user_id" bun:"user_id,pk"`
	// CodeHash is the SHA-256 of the normalized code, in hex.
	CodeHash  string    `json:"-" bun:"code_hash,pk"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UsedAt    time.Time `json:"used_at,omitzero" bun:"used_at,nullzero"`
}

// totpCode returns the code of secret at time step.
func totpCode(secret []byte, step int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(step))
	m := hmac.New(sha1.New, secret)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000)
}

// totpStep returns the time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// totpVerify reports whether code is the code of the base32 secret at a
// step within the skew of now that is later than lastStep, and returns that
// step. Comparisons are constant-time.
func totpVerify(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits || secret == "" {
		return 0, false
	}
	key, err := b32.DecodeString(secret)
	if err != nil {
		return 0, false
	}
	cur := totpStep(now)
	var found int64
	for st := cur - totpSkew; st <= cur+totpSkew; st++ {
		if subtle.ConstantTimeCompare([]byte(totpCode(key, st)), []byte(code)) == 1 && st > lastStep && found == 0 {
			found = st
		}
	}
	return found, found != 0
}

// newRecoveryCode returns a code of 10 characters from an alphabet without
// look-alikes, as "xxxxx-xxxxx" (50 bits).
func newRecoveryCode() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // 31 letters and digits; no i, l, o, 0, 1
	var b [10]byte
	out := make([]byte, 0, 11)
	for i := 0; i < len(b); {
		if _, err := rand.Read(b[i : i+1]); err != nil {
			panic("access: reading random bytes: " + err.Error())
		}
		// Rejection sampling keeps every character equally likely.
		if int(b[i]) >= 256-256%len(alphabet) {
			continue
		}
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(b[i])%len(alphabet)])
		i++
	}
	return string(out)
}

// normalizeRecoveryCode lower-cases a recovery code as typed and drops
// spaces and dashes; "" when it cannot be one.
func normalizeRecoveryCode(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch {
		case r == '-' || r == ' ':
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != 10 {
		return ""
	}
	return b.String()
}

// BeginTOTP starts turning on 2FA for the actor itself: it makes a new
// secret and returns it with the otpauth:// URL for the authenticator app.
// 2FA is on only after ConfirmTOTP proves the app has it. Only the user
// itself may do it; 2FA already on is failed_precondition
// "access.totp_enabled".
func (s *Service) BeginTOTP(ctx context.Context, actor billkit.Actor, userID UserID) (*TOTPSetup, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if !isSelf(actor, userID) {
		return nil, s.notSelf(actor, userID)
	}
	key := make([]byte, 20)
	if _, err := rand.Read(key); err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, "access.random_failed", "reading random bytes")
	}
	secret := b32.EncodeToString(key)
	var setup *TOTPSetup
	err := s.store.InTx(ctx, func(tx Store) error {
		u, err := tx.GetUser(ctx, userID)
		if err != nil {
			return err
		}
		if u.TOTPEnabled {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "access.totp_enabled", "two-factor authentication is already on")
		}
		before := *u
		u.TOTPSecret, u.TOTPLastStep, u.UpdatedAt = secret, 0, s.now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		setup = &TOTPSetup{Secret: secret, URL: s.totpURL(u.Email, secret)}
		return s.idRecord(ctx, tx, actor, u.Kind.function(), "begin_totp", u.ID.String(), &before, u)
	})
	if err != nil {
		return nil, err
	}
	return setup, nil
}

// totpURL is the Key URI of the account for authenticator apps.
func (s *Service) totpURL(email, secret string) string {
	issuer := s.cfg.Identity.Issuer
	q := url.Values{}
	q.Set("secret", secret)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(totpDigits))
	q.Set("period", fmt.Sprint(totpPeriod))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + email, RawQuery: q.Encode()}
	return u.String()
}

// ConfirmTOTP turns 2FA on for the actor itself once code proves its app
// has the secret from BeginTOTP, and returns 10 recovery codes, shown only
// here. A wrong code is invalid "access.totp_invalid" (field "code"); no
// BeginTOTP first is failed_precondition "access.totp_not_begun".
func (s *Service) ConfirmTOTP(ctx context.Context, actor billkit.Actor, userID UserID, code string) ([]string, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(code) == "" {
		return nil, billkit.InvalidField("code", "required", "is required")
	}
	if !isSelf(actor, userID) {
		return nil, s.notSelf(actor, userID)
	}
	codes := make([]string, recoveryCodeCount)
	var out []string
	err := s.store.InTx(ctx, func(tx Store) error {
		u, err := tx.GetUser(ctx, userID)
		if err != nil {
			return err
		}
		switch {
		case u.TOTPEnabled:
			return billkit.Errorf(billkit.CodeFailedPrecondition, "access.totp_enabled", "two-factor authentication is already on")
		case u.TOTPSecret == "":
			return billkit.Errorf(billkit.CodeFailedPrecondition, "access.totp_not_begun", "call BeginTOTP first")
		}
		step, ok := totpVerify(u.TOTPSecret, code, s.clock.Now(), u.TOTPLastStep)
		if !ok {
			return billkit.InvalidField("code", "access.totp_invalid", "is not the current code of the authenticator app")
		}
		before := *u
		now := s.now()
		u.TOTPEnabled, u.TOTPLastStep, u.UpdatedAt = true, step, now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		rows := make([]RecoveryCode, len(codes))
		for i := range codes {
			codes[i] = newRecoveryCode()
			rows[i] = RecoveryCode{UserID: u.ID, CodeHash: hashToken(normalizeRecoveryCode(codes[i])), CreatedAt: now}
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, rows); err != nil {
			return err
		}
		if err := s.logAccess(ctx, tx, u, "", AccessTOTPEnabled, actor.IP, actor.UserAgent, ""); err != nil {
			return err
		}
		out = codes
		return s.idRecord(ctx, tx, actor, u.Kind.function(), "enable_totp", u.ID.String(), &before, u)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DisableTOTP turns 2FA off and deletes the recovery codes. The user itself
// must give its password (a wrong one is invalid "access.password_mismatch",
// field "password"); staff with access.staff:edit or access.user:edit for
// the user's kind turn it off without one (a user who lost its phone and
// its codes).
func (s *Service) DisableTOTP(ctx context.Context, actor billkit.Actor, userID UserID, password string) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	self := isSelf(actor, userID)
	if self && password == "" {
		return billkit.InvalidField("password", "required", "is required")
	}
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	if self {
		if ok, _ := verifyPassword(password, u.PasswordHash, s.cfg.Identity.Argon2); !ok {
			return billkit.InvalidField("password", "access.password_mismatch", "is not the current password")
		}
	} else if err := s.authorizeUser(actor, u, billkit.OpEdit); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		u, err := tx.GetUser(ctx, userID)
		if err != nil {
			return err
		}
		if !u.TOTPEnabled && u.TOTPSecret == "" {
			return nil
		}
		before := *u
		u.TOTPEnabled, u.TOTPSecret, u.TOTPLastStep, u.UpdatedAt = false, "", 0, s.now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, u.ID, nil); err != nil {
			return err
		}
		if err := s.logAccess(ctx, tx, u, "", AccessTOTPDisabled, actor.IP, actor.UserAgent, ""); err != nil {
			return err
		}
		return s.idRecord(ctx, tx, actor, u.Kind.function(), "disable_totp", u.ID.String(), &before, u)
	})
}

// notSelf is the error for an actor acting on another user's 2FA: customers
// get not_found, others forbidden.
func (s *Service) notSelf(actor billkit.Actor, id UserID) error {
	if actor.Kind == billkit.ActorCustomer {
		return billkit.NotFound("user", id)
	}
	return &billkit.Error{Code: billkit.CodeForbidden, Reason: "access.self_only", Message: "only the user itself may do this"}
}
