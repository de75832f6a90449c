package bunstore

import (
	"context"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/uptrace/bun"
)

// The identity half of access.Store: users, sessions, reset tokens,
// recovery codes, API keys and the access log.

// identityKeyTime is an instant as the identity lists' cursors hold it: the
// text form bun writes instants in (UTC), which SQLite compares as text and
// PostgreSQL reads as a timestamptz.
func identityKeyTime(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999-07:00")
}

// updateWhere runs an UPDATE of table that sets set where where holds and
// returns how many rows it changed.
func updateWhere(ctx context.Context, s *Store, table string, set string, setArgs []any, where string, args ...any) (int, error) {
	if err := s.usable(ctx); err != nil {
		return 0, err
	}
	res, err := s.db.NewUpdate().TableExpr(table).Set(set, setArgs...).Where(where, args...).Exec(ctx)
	if err != nil {
		return 0, mapError(ctx, err, target{})
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapError(ctx, err, target{})
	}
	return int(n), nil
}

var users = list[access.User]{
	table: table[access.User]{
		name: "billkit_users",
		kind: "user",
		key:  func(u *access.User) any { return u.ID },
		norm: func(u *access.User) {
			instant(&u.CreatedAt)
			instant(&u.UpdatedAt)
			instant(&u.LockedUntil)
			instant(&u.LastLoginAt)
		},
	},
	// Email is unique, so it is a complete keyset.
	order: []keyCol{{expr: "?TableAlias.email"}},
	keyOf: func(u *access.User) []string { return []string{u.Email} },
}

// InsertUser returns conflict "user.exists" when the ID or the Email is
// taken.
func (a accessStore) InsertUser(ctx context.Context, u *access.User) error {
	if u != nil && u.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, a.s, users.table, u)
}

func (a accessStore) GetUser(ctx context.Context, id access.UserID) (*access.User, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("user", id)
	}
	return getRow(ctx, a.s, users.table, id, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.id = ?", id)
	})
}

// LockUser reads the user with SELECT ... FOR UPDATE on PostgreSQL. SQLite
// needs no row lock: the Store has one connection, so transactions run one
// after another.
func (a accessStore) LockUser(ctx context.Context, id access.UserID) (*access.User, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("user", id)
	}
	return getRow(ctx, a.s, users.table, id, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("?TableAlias.id = ?", id)
		if a.s.dialect == DialectPostgres {
			q = q.For("UPDATE")
		}
		return q
	})
}

func (a accessStore) GetUserByEmail(ctx context.Context, email string) (*access.User, error) {
	return getRow(ctx, a.s, users.table, email, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.email = ?", email)
	})
}

func (a accessStore) UpdateUser(ctx context.Context, u *access.User) error {
	return updateRow(ctx, a.s, users.table, u)
}

func (a accessStore) ListUsers(ctx context.Context, f access.UserFilter) (billkit.Page[access.User], error) {
	return listRows(ctx, a.s, users, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Kind != "" {
			q = q.Where("?TableAlias.kind = ?", f.Kind)
		}
		if f.Status != "" {
			q = q.Where("?TableAlias.status = ?", f.Status)
		}
		if query := strings.TrimSpace(f.Query); query != "" {
			pattern := likePattern(query, false)
			like := "LIKE"
			if a.s.dialect == DialectPostgres {
				like = "ILIKE"
			}
			q = q.Where("(?TableAlias.email "+like+" ? ESCAPE '\\' OR ?TableAlias.name "+like+" ? ESCAPE '\\')", pattern, pattern)
		}
		return q
	})
}

var sessions = list[access.Session]{
	table: table[access.Session]{
		name: "billkit_sessions",
		kind: "session",
		key:  func(s *access.Session) any { return s.ID },
		norm: func(s *access.Session) {
			instant(&s.CreatedAt)
			instant(&s.LastSeenAt)
			instant(&s.ExpiresAt)
			instant(&s.RevokedAt)
		},
	},
	order: []keyCol{{expr: "?TableAlias.created_at", desc: true}, {expr: "?TableAlias.id", desc: true}},
	keyOf: func(s *access.Session) []string { return []string{identityKeyTime(s.CreatedAt), s.ID.String()} },
}

// InsertSession returns failed_precondition when the user does not exist.
func (a accessStore) InsertSession(ctx context.Context, s *access.Session) error {
	if s != nil && s.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, a.s, sessions.table, s)
}

func (a accessStore) GetSession(ctx context.Context, id access.SessionID) (*access.Session, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("session", id)
	}
	return getRow(ctx, a.s, sessions.table, id, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.id = ?", id)
	})
}

// GetSessionByTokenHash names no key in its not_found error: the hash stays
// out of messages.
func (a accessStore) GetSessionByTokenHash(ctx context.Context, hash string) (*access.Session, error) {
	return getRow(ctx, a.s, sessions.table, "", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.token_hash = ?", hash)
	})
}

func (a accessStore) UpdateSession(ctx context.Context, s *access.Session) error {
	return updateRow(ctx, a.s, sessions.table, s)
}

func (a accessStore) ListSessions(ctx context.Context, f access.SessionFilter) (billkit.Page[access.Session], error) {
	return listRows(ctx, a.s, sessions, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.UserID.IsZero() {
			q = q.Where("?TableAlias.user_id = ?", f.UserID)
		}
		if !f.ActiveAt.IsZero() {
			q = q.Where("?TableAlias.revoked_at IS NULL").Where("?TableAlias.expires_at > ?", billkit.Instant(f.ActiveAt))
		}
		if !f.SeenSince.IsZero() {
			q = q.Where("?TableAlias.last_seen_at >= ?", billkit.Instant(f.SeenSince))
		}
		return q
	})
}

func (a accessStore) RevokeUserSessions(ctx context.Context, user access.UserID, except access.SessionID, at time.Time) (int, error) {
	if except.IsZero() {
		return updateWhere(ctx, a.s, "billkit_sessions", "revoked_at = ?", []any{billkit.Instant(at)},
			"user_id = ? AND revoked_at IS NULL", user)
	}
	return updateWhere(ctx, a.s, "billkit_sessions", "revoked_at = ?", []any{billkit.Instant(at)},
		"user_id = ? AND revoked_at IS NULL AND id <> ?", user, except)
}

var resetTokens = table[access.ResetToken]{
	name: "billkit_reset_tokens",
	kind: "reset_token",
	key:  func(t *access.ResetToken) any { return t.ID },
	norm: func(t *access.ResetToken) {
		instant(&t.CreatedAt)
		instant(&t.ExpiresAt)
		instant(&t.UsedAt)
	},
}

func (a accessStore) InsertResetToken(ctx context.Context, t *access.ResetToken) error {
	if t != nil && t.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, a.s, resetTokens, t)
}

func (a accessStore) GetResetTokenByHash(ctx context.Context, hash string) (*access.ResetToken, error) {
	return getRow(ctx, a.s, resetTokens, "", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.token_hash = ?", hash)
	})
}

func (a accessStore) UseResetTokens(ctx context.Context, user access.UserID, at time.Time) (int, error) {
	return updateWhere(ctx, a.s, "billkit_reset_tokens", "used_at = ?", []any{billkit.Instant(at)},
		"user_id = ? AND used_at IS NULL", user)
}

var recoveryCodes = table[access.RecoveryCode]{
	name: "billkit_recovery_codes",
	kind: "recovery_code",
	key:  func(c *access.RecoveryCode) any { return c.UserID },
	norm: func(c *access.RecoveryCode) {
		instant(&c.CreatedAt)
		instant(&c.UsedAt)
	},
}

// ReplaceRecoveryCodes deletes and inserts in one transaction (a savepoint
// when already in one).
func (a accessStore) ReplaceRecoveryCodes(ctx context.Context, user access.UserID, codes []access.RecoveryCode) error {
	if user.IsZero() {
		return billkit.InvalidField("user_id", "required", "is required")
	}
	own := make([]access.RecoveryCode, len(codes))
	copy(own, codes)
	for i := range own {
		if own[i].UserID != user {
			return billkit.InvalidField("codes", "recovery_code.other_user", "must all belong to the user")
		}
		recoveryCodes.norm(&own[i])
	}
	return a.s.inTx(ctx, func(tx *Store) error {
		if _, err := tx.db.NewDelete().TableExpr("billkit_recovery_codes").Where("user_id = ?", user).Exec(ctx); err != nil {
			return mapError(ctx, err, target{kind: "recovery_code", key: user})
		}
		if len(own) == 0 {
			return nil
		}
		_, err := tx.db.NewInsert().Model(&own).ModelTableExpr(recoveryCodes.expr(tx)).Exec(ctx)
		return mapError(ctx, err, target{kind: "recovery_code", key: user})
	})
}

func (a accessStore) UseRecoveryCode(ctx context.Context, user access.UserID, hash string, at time.Time) error {
	n, err := updateWhere(ctx, a.s, "billkit_recovery_codes", "used_at = ?", []any{billkit.Instant(at)},
		"user_id = ? AND code_hash = ? AND used_at IS NULL", user, hash)
	if err != nil {
		return err
	}
	if n == 0 {
		return billkit.NotFound("recovery_code", user)
	}
	return nil
}

func (a accessStore) CountRecoveryCodes(ctx context.Context, user access.UserID) (int, error) {
	if err := a.s.usable(ctx); err != nil {
		return 0, err
	}
	n, err := a.s.db.NewSelect().TableExpr("billkit_recovery_codes").
		Where("user_id = ? AND used_at IS NULL", user).Count(ctx)
	if err != nil {
		return 0, mapError(ctx, err, target{})
	}
	return int(n), nil
}
