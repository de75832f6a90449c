package access

import (
	"context"
	"errors"
	"time"

	"github.com/billkit/billkit"
)

// SessionID identifies a Session.
type SessionID = billkit.ID[Session]

// Session is a signed-in user's session: what a login gives and a session
// cookie carries. Only the hash of its token is stored; the token itself is
// in LoginResult once.
type Session struct {
	ID     SessionID `json:"id" bun:"id,pk"`
	UserID UserID    `json:"user_id" bun:"user_id,notnull"`
	// TokenHash is the SHA-256 of the token, in hex.
	TokenHash string `json:"-" bun:"token_hash,notnull"`
	// IP and UserAgent are where the session was last seen from.
	IP         string    `json:"ip" bun:"ip,notnull"`
	UserAgent  string    `json:"user_agent" bun:"user_agent,notnull"`
	CreatedAt  time.Time `json:"created_at" bun:"created_at,notnull"`
	LastSeenAt time.Time `json:"last_seen_at" bun:"last_seen_at,notnull"`
	// ExpiresAt is the absolute end of the session; it also ends after
	// IdentityConfig.IdleTimeout without use.
	ExpiresAt time.Time `json:"expires_at" bun:"expires_at,notnull"`
	RevokedAt time.Time `json:"revoked_at,omitzero" bun:"revoked_at,nullzero"`
}

// Active reports whether the session is usable at now with the idle
// timeout idle.
func (s *Session) Active(now time.Time, idle time.Duration) bool {
	return s.RevokedAt.IsZero() && now.Before(s.ExpiresAt) && now.Before(s.LastSeenAt.Add(idle))
}

// touchInterval is how often LastSeenAt and LastUsedAt are written at most,
// so that every request does not cost a write.
const touchInterval = time.Minute

// LoginParams are what a user signs in with.
type LoginParams struct {
	Email    string `json:"email"`
	Password string `json:"-"`
	// TOTPCode is the 6-digit code of the authenticator app, when the user
	// has 2FA on; RecoveryCode replaces it when the phone is lost.
	TOTPCode     string `json:"-"`
	RecoveryCode string `json:"-"`
	IP           string `json:"ip,omitempty"`
	UserAgent    string `json:"user_agent,omitempty"`
}

// LoginResult is a successful login. Token is the session's secret, shown
// only here: the caller puts it in a cookie or hands it to the client.
type LoginResult struct {
	User    *User    `json:"user"`
	Session *Session `json:"session"`
	Token   string   `json:"token"`
}

// The errors of Login and of authentication. They are unauthenticated
// *billkit.Errors; compare with errors.Is.
var (
	// ErrInvalidCredentials: unknown email, wrong password or disabled user,
	// which are not told apart.
	ErrInvalidCredentials = &billkit.Error{Code: billkit.CodeUnauthenticated, Reason: "access.invalid_credentials", Message: "the email or the password is wrong"}
	// ErrLocked: too many failed logins; try again later.
	ErrLocked = &billkit.Error{Code: billkit.CodeUnauthenticated, Reason: "access.locked", Message: "too many failed logins; try again later"}
	// ErrTOTPRequired: the password was right and the user has 2FA on; call
	// again with a code.
	ErrTOTPRequired = &billkit.Error{Code: billkit.CodeUnauthenticated, Reason: "access.totp_required", Message: "a code from the authenticator app is required"}
	// ErrTOTPInvalid: the 2FA code or recovery code is wrong or was used.
	ErrTOTPInvalid = &billkit.Error{Code: billkit.CodeUnauthenticated, Reason: "access.totp_invalid", Message: "the code is wrong or was already used"}
	// ErrSessionInvalid: the session token is unknown, expired or revoked.
	ErrSessionInvalid = &billkit.Error{Code: billkit.CodeUnauthenticated, Reason: "access.session_invalid", Message: "the session is unknown, expired or revoked; sign in again"}
)

// errCopy returns a copy of a sentinel error, so that callers cannot change
// the shared value.
func errCopy(e *billkit.Error) error { c := *e; return &c }

// Login checks a user's email and password (and 2FA code when it is on) and
// opens a session. Errors are unauthenticated: "access.invalid_credentials"
// for an unknown email, a wrong password or a disabled user alike;
// "access.locked" while the user is locked out (the password is not even
// checked); "access.totp_required" when the password was right and a 2FA code
// is needed; "access.totp_invalid" for a wrong or reused code. Each failure
// counts: after IdentityConfig.MaxFailedLogins in a row the user is locked
// for LockoutBase, doubling with each further failure up to LockoutMax. The
// counter and the access log are committed even though Login fails.
func (s *Service) Login(ctx context.Context, p LoginParams) (*LoginResult, error) {
	var v billkit.FieldErrors
	v.Require("email", p.Email)
	v.Check(p.Password != "", "password", "required", "is required")
	v.Check(len(p.Password) <= MaxPasswordBytes, "password", "password.too_long", "is too long")
	if err := v.Err(); err != nil {
		return nil, err
	}
	cfg := s.cfg.Identity
	email, err := NormalizeEmail("email", p.Email)
	var u *User
	if err == nil {
		u, err = s.store.GetUserByEmail(ctx, email)
		if err != nil && !billkit.IsCode(err, billkit.CodeNotFound) {
			return nil, err
		}
	}
	if u == nil {
		dummyVerify(p.Password, cfg.Argon2)
		if email == "" {
			email = p.Email
		}
		if err := s.store.InTx(ctx, func(tx Store) error {
			return s.logAccess(ctx, tx, nil, email, AccessLoginFailed, p.IP, p.UserAgent, "unknown_email")
		}); err != nil {
			return nil, err
		}
		return nil, errCopy(ErrInvalidCredentials)
	}
	now := s.now()
	if now.Before(u.LockedUntil) {
		if err := s.store.InTx(ctx, func(tx Store) error {
			return s.logAccess(ctx, tx, u, "", AccessLoginFailed, p.IP, p.UserAgent, "locked")
		}); err != nil {
			return nil, err
		}
		return nil, errCopy(ErrLocked)
	}
	ok, rehash := verifyPassword(p.Password, u.PasswordHash, cfg.Argon2)
	if !ok {
		return nil, s.loginFailed(ctx, u, AccessLoginFailed, "password", p, ErrInvalidCredentials)
	}
	if u.Status != UserStatusActive {
		if err := s.store.InTx(ctx, func(tx Store) error {
			return s.logAccess(ctx, tx, u, "", AccessLoginFailed, p.IP, p.UserAgent, "disabled")
		}); err != nil {
			return nil, err
		}
		return nil, errCopy(ErrInvalidCredentials)
	}
	var step int64
	recovery := ""
	if u.TOTPEnabled {
		switch {
		case p.TOTPCode != "":
			var ok bool
			step, ok = totpVerify(u.TOTPSecret, p.TOTPCode, s.clock.Now(), u.TOTPLastStep)
			if !ok {
				return nil, s.loginFailed(ctx, u, AccessTOTPFailed, "totp", p, ErrTOTPInvalid)
			}
		case p.RecoveryCode != "":
			recovery = normalizeRecoveryCode(p.RecoveryCode)
			if recovery == "" {
				return nil, s.loginFailed(ctx, u, AccessTOTPFailed, "recovery_code", p, ErrTOTPInvalid)
			}
		default:
			return nil, errCopy(ErrTOTPRequired)
		}
	}
	newHash := ""
	if rehash {
		if newHash, err = hashPassword(p.Password, cfg.Argon2); err != nil {
			return nil, err
		}
	}
	token := newToken()
	var res *LoginResult
	errReplay := errors.New("code replayed")
	err = s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.LockUser(ctx, u.ID)
		if err != nil {
			return err
		}
		if step != 0 {
			// Another login may have used the same code meanwhile.
			if step <= cur.TOTPLastStep {
				return errReplay
			}
			cur.TOTPLastStep = step
		}
		if recovery != "" {
			if err := tx.UseRecoveryCode(ctx, cur.ID, hashToken(recovery), now); err != nil {
				if billkit.IsCode(err, billkit.CodeNotFound) {
					return errReplay
				}
				return err
			}
			if err := s.logAccess(ctx, tx, cur, "", AccessRecoveryCodeUsed, p.IP, p.UserAgent, ""); err != nil {
				return err
			}
		}
		if newHash != "" && cur.PasswordHash == u.PasswordHash {
			cur.PasswordHash = newHash
		}
		cur.FailedLogins, cur.LockedUntil, cur.LastLoginAt, cur.UpdatedAt = 0, time.Time{}, now, now
		if err := tx.UpdateUser(ctx, cur); err != nil {
			return err
		}
		sess := &Session{
			ID: billkit.NewID[Session](), UserID: cur.ID, TokenHash: hashToken(token),
			IP: clip(p.IP), UserAgent: clip(p.UserAgent), CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(cfg.AbsoluteTimeout),
		}
		if err := tx.InsertSession(ctx, sess); err != nil {
			return err
		}
		if err := s.logAccess(ctx, tx, cur, "", AccessLoginSucceeded, p.IP, p.UserAgent, "session "+sess.ID.String()); err != nil {
			return err
		}
		if err := s.idRecord(ctx, tx, selfActor(cur, p.IP, p.UserAgent), FunctionSession, "create", sess.ID.String(), nil, sess); err != nil {
			return err
		}
		res = &LoginResult{User: cur, Session: sess, Token: token}
		return nil
	})
	if errors.Is(err, errReplay) {
		return nil, s.loginFailed(ctx, u, AccessTOTPFailed, "replayed", p, ErrTOTPInvalid)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// loginFailed counts a failed login of u in its own transaction, locks the
// user when the count reaches the limit, logs it, commits, and returns
// result.
func (s *Service) loginFailed(ctx context.Context, u *User, kind AccessEventKind, detail string, p LoginParams, result *billkit.Error) error {
	cfg := s.cfg.Identity
	err := s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.LockUser(ctx, u.ID)
		if err != nil {
			return err
		}
		now := s.now()
		before := *cur
		cur.FailedLogins++
		lock := cfg.lockoutFor(cur.FailedLogins)
		if lock > 0 {
			cur.LockedUntil = now.Add(lock)
		}
		cur.UpdatedAt = now
		if err := tx.UpdateUser(ctx, cur); err != nil {
			return err
		}
		if err := s.logAccess(ctx, tx, cur, "", kind, p.IP, p.UserAgent, detail); err != nil {
			return err
		}
		if lock == 0 {
			return nil
		}
		if err := s.logAccess(ctx, tx, cur, "", AccessLocked, p.IP, p.UserAgent, "until "+cur.LockedUntil.Format(time.RFC3339)); err != nil {
			return err
		}
		sys := billkit.Actor{Kind: billkit.ActorSystem, ID: "access.login", Name: "login", IP: p.IP, UserAgent: p.UserAgent}
		return s.idRecord(ctx, tx, sys, cur.Kind.function(), "lock", cur.ID.String(), &before, cur)
	})
	if err != nil {
		return err
	}
	return errCopy(result)
}

// AuthenticateSession returns the user and session of a session token. An
// unknown, expired (idle or absolute) or revoked token, or a disabled user,
// is unauthenticated "access.session_invalid". It records where the session
// was seen, at most once a minute.
func (s *Service) AuthenticateSession(ctx context.Context, token, ip, userAgent string) (*User, *Session, error) {
	if token == "" || len(token) > 256 {
		return nil, nil, errCopy(ErrSessionInvalid)
	}
	hash := hashToken(token)
	sess, err := s.store.GetSessionByTokenHash(ctx, hash)
	if err != nil {
		if billkit.IsCode(err, billkit.CodeNotFound) {
			return nil, nil, errCopy(ErrSessionInvalid)
		}
		return nil, nil, err
	}
	now := s.now()
	if !equalHash(sess.TokenHash, hash) || !sess.Active(now, s.cfg.Identity.IdleTimeout) {
		return nil, nil, errCopy(ErrSessionInvalid)
	}
	u, err := s.store.GetUser(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Status != UserStatusActive {
		return nil, nil, errCopy(ErrSessionInvalid)
	}
	if now.Sub(sess.LastSeenAt) >= touchInterval {
		sess.LastSeenAt = now
		if ip != "" {
			sess.IP, sess.UserAgent = clip(ip), clip(userAgent)
		}
		if err := s.store.UpdateSession(ctx, sess); err != nil {
			return nil, nil, err
		}
	}
	return u, sess, nil
}

// Logout ends the session of token. An unknown token is unauthenticated
// "access.session_invalid"; a session already ended is left as it is.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" || len(token) > 256 {
		return errCopy(ErrSessionInvalid)
	}
	sess, err := s.store.GetSessionByTokenHash(ctx, hashToken(token))
	if err != nil {
		if billkit.IsCode(err, billkit.CodeNotFound) {
			return errCopy(ErrSessionInvalid)
		}
		return err
	}
	if !sess.RevokedAt.IsZero() {
		return nil
	}
	return s.store.InTx(ctx, func(tx Store) error {
		u, err := tx.GetUser(ctx, sess.UserID)
		if err != nil {
			return err
		}
		return s.endSession(ctx, tx, selfActor(u, sess.IP, sess.UserAgent), u, sess, AccessLogout, "logout")
	})
}

// endSession revokes sess of u in tx, logging event and recording verb.
func (s *Service) endSession(ctx context.Context, tx Store, actor billkit.Actor, u *User, sess *Session, event AccessEventKind, verb string) error {
	before := *sess
	sess.RevokedAt = s.now()
	if err := tx.UpdateSession(ctx, sess); err != nil {
		return err
	}
	if err := s.logAccess(ctx, tx, u, "", event, actor.IP, actor.UserAgent, "session "+sess.ID.String()); err != nil {
		return err
	}
	return s.idRecord(ctx, tx, actor, FunctionSession, verb, sess.ID.String(), &before, sess)
}

// ListSessions lists sessions, newest first: by default only the current
// ones (neither revoked nor expired), all with f.IncludeEnded. A user may
// list its own; anyone else's, or everyone's (the "current activity" of the
// installation), needs access.session:read. Without the right and without a
// UserID, a user lists its own.
func (s *Service) ListSessions(ctx context.Context, actor billkit.Actor, f SessionFilter) (billkit.Page[Session], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Session]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Session]{}, err
	}
	if err := actor.Authorize(billkit.R(FunctionSession, billkit.OpRead)); err != nil {
		self, serr := selfUserID(actor)
		if serr != nil || (!f.UserID.IsZero() && f.UserID != self) {
			return billkit.Page[Session]{}, err
		}
		f.UserID = self
	}
	f.ActiveAt, f.SeenSince = time.Time{}, time.Time{}
	if !f.IncludeEnded {
		now := s.now()
		f.ActiveAt, f.SeenSince = now, now.Add(-s.cfg.Identity.IdleTimeout)
	}
	return s.store.ListSessions(ctx, f)
}

// RevokeSession ends a session. A user may end its own; others' need
// access.session:delete (a customer asking for another's session gets
// not_found "session.not_found").
func (s *Service) RevokeSession(ctx context.Context, actor billkit.Actor, id SessionID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		sess, err := tx.GetSession(ctx, id)
		if err != nil {
			return err
		}
		if !isSelf(actor, sess.UserID) {
			if err := actor.Authorize(billkit.R(FunctionSession, billkit.OpDelete)); err != nil {
				if actor.Kind == billkit.ActorCustomer {
					return billkit.NotFound("session", id)
				}
				return err
			}
		}
		if !sess.RevokedAt.IsZero() {
			return nil
		}
		u, err := tx.GetUser(ctx, sess.UserID)
		if err != nil {
			return err
		}
		return s.endSession(ctx, tx, actor, u, sess, AccessSessionRevoked, "revoke")
	})
}

// RevokeUserSessions ends every session of a user and returns how many it
// ended. A user may end its own; others' need access.session:delete.
func (s *Service) RevokeUserSessions(ctx context.Context, actor billkit.Actor, userID UserID) (int, error) {
	if err := actor.Validate(); err != nil {
		return 0, err
	}
	var n int
	err := s.store.InTx(ctx, func(tx Store) error {
		u, err := tx.GetUser(ctx, userID)
		if err != nil {
			return err
		}
		if !isSelf(actor, userID) {
			if err := actor.Authorize(billkit.R(FunctionSession, billkit.OpDelete)); err != nil {
				if actor.Kind == billkit.ActorCustomer {
					return billkit.NotFound("user", userID)
				}
				return err
			}
		}
		n, err = s.revokeAll(ctx, tx, actor, u, "all")
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// revokeAll ends every session of u in tx, logging it with detail, and
// records it when there were any.
func (s *Service) revokeAll(ctx context.Context, tx Store, actor billkit.Actor, u *User, detail string) (int, error) {
	n, err := tx.RevokeUserSessions(ctx, u.ID, SessionID{}, s.now())
	if err != nil || n == 0 {
		return n, err
	}
	if err := s.logAccess(ctx, tx, u, "", AccessSessionRevoked, actor.IP, actor.UserAgent, detail); err != nil {
		return n, err
	}
	type revoked struct {
		UserID  UserID `json:"user_id"`
		Revoked int    `json:"revoked"`
	}
	return n, s.idRecord(ctx, tx, actor, FunctionSession, "revoke_all", u.ID.String(), nil, revoked{u.ID, n})
}
