package access

import (
	"context"
	"time"

	"github.com/billkit/billkit"
)

// ResetTokenID identifies a ResetToken.
type ResetTokenID = billkit.ID[ResetToken]

// ResetToken is a password reset request: a single-use, expiring token sent
// to the user's email. Only its hash is stored.
type ResetToken struct {
	ID     ResetTokenID `json:"id" bun:"id,pk"`
	UserID UserID       `json:"user_id" bun:"user_id,notnull"`
	// TokenHash is the SHA-256 of the token, in hex.
	TokenHash string    `json:"-" bun:"token_hash,notnull"`
	IP        string    `json:"ip" bun:"ip,notnull"`
	UserAgent string    `json:"user_agent" bun:"user_agent,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	ExpiresAt time.Time `json:"expires_at" bun:"expires_at,notnull"`
	UsedAt    time.Time `json:"used_at,omitzero" bun:"used_at,nullzero"`
}

// ErrResetTokenInvalid: the reset token is unknown, expired or was used.
var ErrResetTokenInvalid = billkit.InvalidField("token", "access.reset_token_invalid", "the reset link is unknown, expired or was already used; ask for a new one")

// ChangePassword sets a user's password. The user itself must give its
// current password (a wrong one is invalid "access.password_mismatch", field
// "old_password"); staff with access.staff:edit or access.user:edit for the
// user's kind set it without. The new password must pass the policy (field
// "new_password"). It ends all the user's sessions and outstanding reset
// tokens, and clears a lockout: the user signs in again with the new
// password.
func (s *Service) ChangePassword(ctx context.Context, actor billkit.Actor, userID UserID, oldPassword, newPassword string) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	self := isSelf(actor, userID)
	var v billkit.FieldErrors
	if self {
		v.Check(oldPassword != "", "old_password", "required", "is required")
	}
	v.Check(newPassword != "", "new_password", "required", "is required")
	if err := v.Err(); err != nil {
		return err
	}
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	if self {
		if ok, _ := verifyPassword(oldPassword, u.PasswordHash, s.cfg.Identity.Argon2); !ok {
			return billkit.InvalidField("old_password", "access.password_mismatch", "is not the current password")
		}
	} else if err := s.authorizeUser(actor, u, billkit.OpEdit); err != nil {
		return err
	}
	if err := s.ValidatePassword("new_password", newPassword, u.Email); err != nil {
		return err
	}
	hash, err := hashPassword(newPassword, s.cfg.Identity.Argon2)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		return s.setPassword(ctx, tx, actor, userID, hash, AccessPasswordChanged, "change_password")
	})
}

// setPassword stores hash as the user's password in tx, ends its sessions
// and reset tokens, clears its lockout, and logs and records it.
func (s *Service) setPassword(ctx context.Context, tx Store, actor billkit.Actor, userID UserID, hash string, event AccessEventKind, verb string) error {
	u, err := tx.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	before := *u
	now := s.now()
	u.PasswordHash, u.FailedLogins, u.LockedUntil, u.UpdatedAt = hash, 0, time.Time{}, now
	if err := tx.UpdateUser(ctx, u); err != nil {
		return err
	}
	if _, err := tx.UseResetTokens(ctx, u.ID, now); err != nil {
		return err
	}
	if _, err := s.revokeAll(ctx, tx, actor, u, "password "+string(event)); err != nil {
		return err
	}
	if err := s.logAccess(ctx, tx, u, "", event, actor.IP, actor.UserAgent, ""); err != nil {
		return err
	}
	return s.idRecord(ctx, tx, actor, u.Kind.function(), verb, u.ID.String(), &before, u)
}

// RequestPasswordReset makes a reset token for the user with email, for the
// caller to send to that address, valid for IdentityConfig.ResetTokenTTL and
// once. An email that names no active user gives "" and no error, so the
// answer does not tell whether an account exists. A malformed email is
// invalid (field "email").
func (s *Service) RequestPasswordReset(ctx context.Context, email, ip, userAgent string) (string, error) {
	e, err := NormalizeEmail("email", email)
	if err != nil {
		return "", err
	}
	u, err := s.store.GetUserByEmail(ctx, e)
	if err != nil {
		if billkit.IsCode(err, billkit.CodeNotFound) {
			return "", nil
		}
		return "", err
	}
	if u.Status != UserStatusActive {
		return "", nil
	}
	token := newToken()
	now := s.now()
	rt := &ResetToken{
		ID: billkit.NewID[ResetToken](), UserID: u.ID, TokenHash: hashToken(token),
		IP: clip(ip), UserAgent: clip(userAgent), CreatedAt: now, ExpiresAt: now.Add(s.cfg.Identity.ResetTokenTTL),
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertResetToken(ctx, rt); err != nil {
			return err
		}
		if err := s.logAccess(ctx, tx, u, "", AccessPasswordResetRequested, ip, userAgent, ""); err != nil {
			return err
		}
		return s.idRecord(ctx, tx, selfActor(u, ip, userAgent), u.Kind.function(), "request_password_reset", u.ID.String(), nil, rt)
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// ResetPassword sets a new password with a token from RequestPasswordReset.
// An unknown, expired or used token is invalid "access.reset_token_invalid"
// (field "token"); the password must pass the policy (field "password"). It
// uses up every reset token of the user, ends all its sessions and clears
// its lockout.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) error {
	if token == "" || len(token) > 256 {
		return errCopy(ErrResetTokenInvalid)
	}
	if newPassword == "" {
		return billkit.InvalidField("password", "required", "is required")
	}
	hash := hashToken(token)
	rt, err := s.store.GetResetTokenByHash(ctx, hash)
	if err != nil {
		if billkit.IsCode(err, billkit.CodeNotFound) {
			return errCopy(ErrResetTokenInvalid)
		}
		return err
	}
	now := s.now()
	if !equalHash(rt.TokenHash, hash) || !rt.UsedAt.IsZero() || !now.Before(rt.ExpiresAt) {
		return errCopy(ErrResetTokenInvalid)
	}
	u, err := s.store.GetUser(ctx, rt.UserID)
	if err != nil {
		return err
	}
	if u.Status != UserStatusActive {
		return errCopy(ErrResetTokenInvalid)
	}
	if err := s.ValidatePassword("password", newPassword, u.Email); err != nil {
		return err
	}
	pw, err := hashPassword(newPassword, s.cfg.Identity.Argon2)
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		// Check again inside the transaction: two resets with one token race.
		cur, err := tx.GetResetTokenByHash(ctx, hash)
		if err != nil {
			return err
		}
		if !cur.UsedAt.IsZero() {
			return errCopy(ErrResetTokenInvalid)
		}
		n, err := tx.UseResetTokens(ctx, u.ID, now)
		if err != nil {
			return err
		}
		if n == 0 {
			return errCopy(ErrResetTokenInvalid)
		}
		return s.setPassword(ctx, tx, selfActor(u, rt.IP, rt.UserAgent), u.ID, pw, AccessPasswordReset, "reset_password")
	})
}
