package access

import (
	"context"
	"time"

	"github.com/billkit/billkit"
)

// IdentityStore keeps users, their credentials, sessions, password reset
// tokens, recovery codes, API keys and the access log.
//
// Errors follow directory.Store: Get and Update methods return a not_found
// *billkit.Error when the key does not exist; Insert methods return a
// conflict when it does (InsertUser: conflict "user.exists", whether the ID or
// the Email is taken); a reference to a user that does not exist is
// failed_precondition; anything else from the database comes back as
// unavailable or internal. Update methods write every stored field of the
// value given. Lookups by hash take the hex SHA-256 of a token (hashToken),
// never the token.
type IdentityStore interface {
	InsertUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id UserID) (*User, error)
	// LockUser is GetUser that also locks the user's row until the
	// transaction ends, so read-modify-write of counters (failed logins, the
	// last TOTP step) cannot lose an update when logins run concurrently.
	// Call it inside InTx.
	LockUser(ctx context.Context, id UserID) (*User, error)
	// GetUserByEmail finds a user by its normalized (lower-case) Email.
	GetUserByEmail(ctx context.Context, email string) (*User, error)
	UpdateUser(ctx context.Context, u *User) error
	// ListUsers lists users by Email, then ID.
	ListUsers(ctx context.Context, f UserFilter) (billkit.Page[User], error)

	InsertSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, id SessionID) (*Session, error)
	GetSessionByTokenHash(ctx context.Context, hash string) (*Session, error)
	UpdateSession(ctx context.Context, s *Session) error
	// ListSessions lists sessions newest first (CreatedAt, then ID,
	// descending).
	ListSessions(ctx context.Context, f SessionFilter) (billkit.Page[Session], error)
	// RevokeUserSessions sets RevokedAt to at on every session of the user
	// that is not revoked yet, except the session except (zero: none), and
	// returns how many it revoked.
	RevokeUserSessions(ctx context.Context, user UserID, except SessionID, at time.Time) (int, error)

	InsertResetToken(ctx context.Context, t *ResetToken) error
	GetResetTokenByHash(ctx context.Context, hash string) (*ResetToken, error)
	// UseResetTokens sets UsedAt to at on every unused reset token of the
	// user and returns how many it marked.
	UseResetTokens(ctx context.Context, user UserID, at time.Time) (int, error)

	// ReplaceRecoveryCodes deletes the user's recovery codes and stores
	// codes instead (none: the user has no codes left).
	ReplaceRecoveryCodes(ctx context.Context, user UserID, codes []RecoveryCode) error
	// UseRecoveryCode marks the user's unused code with that hash used at
	// at, in one statement, so a code is accepted once even under
	// concurrent logins; not_found "recovery_code.not_found" when there is
	// no such unused code.
	UseRecoveryCode(ctx context.Context, user UserID, hash string, at time.Time) error
	// CountRecoveryCodes returns how many unused codes the user has left.
	CountRecoveryCodes(ctx context.Context, user UserID) (int, error)

	// InsertAPIKey returns conflict "apikey.exists" when the ID or the
	// SecretHash is taken.
	InsertAPIKey(ctx context.Context, k *APIKey) error
	GetAPIKey(ctx context.Context, id APIKeyID) (*APIKey, error)
	GetAPIKeyBySecretHash(ctx context.Context, hash string) (*APIKey, error)
	UpdateAPIKey(ctx context.Context, k *APIKey) error
	// ListAPIKeys lists keys newest first (CreatedAt, then ID, descending).
	ListAPIKeys(ctx context.Context, f APIKeyFilter) (billkit.Page[APIKey], error)

	InsertAccessEvent(ctx context.Context, e *AccessEvent) error
	// ListAccessEvents lists events newest first (At, then ID, descending).
	ListAccessEvents(ctx context.Context, f AccessEventFilter) (billkit.Page[AccessEvent], error)
	// PurgeAccessEvents deletes the events before before and returns how
	// many it deleted.
	PurgeAccessEvents(ctx context.Context, before time.Time) (int, error)
}

// UserFilter selects users. Lists are ordered by Email.
type UserFilter struct {
	// Kind, when set, keeps only staff or only customer users.
	Kind UserKind `json:"kind,omitempty"`
	// Status, when set, keeps only users with that status.
	Status UserStatus `json:"status,omitempty"`
	// Query matches part of the Email or the Name, case-insensitively
	// (ASCII case folding).
	Query string `json:"query,omitempty"`
	billkit.PageParams
}

// SessionFilter selects sessions. Lists are newest first.
type SessionFilter struct {
	// UserID, when set, keeps only that user's sessions.
	UserID UserID `json:"user_id,omitzero"`
	// IncludeEnded also lists revoked and expired sessions; by default
	// Service.ListSessions lists only the current ones.
	IncludeEnded bool `json:"include_ended,omitempty"`
	// ActiveAt, when set, keeps sessions that are not revoked and not past
	// their absolute expiry at that instant. Service.ListSessions sets it.
	ActiveAt time.Time `json:"-"`
	// SeenSince, when set, keeps sessions last seen at or after it.
	// Service.ListSessions sets it from the idle timeout.
	SeenSince time.Time `json:"-"`
	billkit.PageParams
}

// APIKeyFilter selects API keys. Lists are newest first.
type APIKeyFilter struct {
	// OwnerID, when set, keeps only that user's keys.
	OwnerID UserID `json:"owner_id,omitzero"`
	// IncludeRevoked also lists revoked keys.
	IncludeRevoked bool `json:"include_revoked,omitempty"`
	billkit.PageParams
}

// AccessEventFilter selects access log events. Lists are newest first.
type AccessEventFilter struct {
	// UserID, when set, keeps only that user's events.
	UserID UserID `json:"user_id,omitzero"`
	// Event, when set, keeps only events of that kind.
	Event AccessEventKind `json:"event,omitempty"`
	// From and To bound At: From inclusive, To exclusive; zero means
	// unbounded.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	billkit.PageParams
}
