package bunstore

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/uptrace/bun"
)

var apiKeys = list[access.APIKey]{
	table: table[access.APIKey]{
		name: "billkit_api_keys",
		kind: "apikey",
		key:  func(k *access.APIKey) any { return k.ID },
		norm: func(k *access.APIKey) {
			instant(&k.CreatedAt)
			instant(&k.ExpiresAt)
			instant(&k.LastUsedAt)
			instant(&k.RevokedAt)
		},
	},
	order: []keyCol{{expr: "?TableAlias.created_at", desc: true}, {expr: "?TableAlias.id", desc: true}},
	keyOf: func(k *access.APIKey) []string { return []string{identityKeyTime(k.CreatedAt), k.ID.String()} },
}

// InsertAPIKey returns conflict "apikey.exists" when the ID or the
// SecretHash is taken, and failed_precondition when the owner does not
// exist.
func (a accessStore) InsertAPIKey(ctx context.Context, k *access.APIKey) error {
	if k != nil && k.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, a.s, apiKeys.table, k)
}

func (a accessStore) GetAPIKey(ctx context.Context, id access.APIKeyID) (*access.APIKey, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("apikey", id)
	}
	return getRow(ctx, a.s, apiKeys.table, id, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.id = ?", id)
	})
}

// GetAPIKeyBySecretHash names no key in its not_found error.
func (a accessStore) GetAPIKeyBySecretHash(ctx context.Context, hash string) (*access.APIKey, error) {
	return getRow(ctx, a.s, apiKeys.table, "", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.secret_hash = ?", hash)
	})
}

func (a accessStore) UpdateAPIKey(ctx context.Context, k *access.APIKey) error {
	return updateRow(ctx, a.s, apiKeys.table, k)
}

func (a accessStore) ListAPIKeys(ctx context.Context, f access.APIKeyFilter) (billkit.Page[access.APIKey], error) {
	return listRows(ctx, a.s, apiKeys, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.OwnerID.IsZero() {
			q = q.Where("?TableAlias.owner_id = ?", f.OwnerID)
		}
		if !f.IncludeRevoked {
			q = q.Where("?TableAlias.revoked_at IS NULL")
		}
		return q
	})
}

var accessEvents = list[access.AccessEvent]{
	table: table[access.AccessEvent]{
		name: "billkit_access_events",
		kind: "access_event",
		key:  func(e *access.AccessEvent) any { return e.ID },
		norm: func(e *access.AccessEvent) { instant(&e.At) },
	},
	order: []keyCol{{expr: "?TableAlias.at", desc: true}, {expr: "?TableAlias.id", desc: true}},
	keyOf: func(e *access.AccessEvent) []string { return []string{identityKeyTime(e.At), e.ID.String()} },
}

func (a accessStore) InsertAccessEvent(ctx context.Context, e *access.AccessEvent) error {
	if e != nil && e.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, a.s, accessEvents.table, e)
}

func (a accessStore) ListAccessEvents(ctx context.Context, f access.AccessEventFilter) (billkit.Page[access.AccessEvent], error) {
	return listRows(ctx, a.s, accessEvents, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.UserID.IsZero() {
			q = q.Where("?TableAlias.user_id = ?", f.UserID)
		}
		if f.Event != "" {
			q = q.Where("?TableAlias.event = ?", f.Event)
		}
		if !f.From.IsZero() {
			q = q.Where("?TableAlias.at >= ?", billkit.Instant(f.From))
		}
		if !f.To.IsZero() {
			q = q.Where("?TableAlias.at < ?", billkit.Instant(f.To))
		}
		return q
	})
}

func (a accessStore) PurgeAccessEvents(ctx context.Context, before time.Time) (int, error) {
	if err := a.s.usable(ctx); err != nil {
		return 0, err
	}
	res, err := a.s.db.NewDelete().TableExpr("billkit_access_events").Where("at < ?", billkit.Instant(before)).Exec(ctx)
	if err != nil {
		return 0, mapError(ctx, err, target{})
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapError(ctx, err, target{})
	}
	return int(n), nil
}
