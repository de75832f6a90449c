package bunstore

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

// directoryStore is the directory.Store on bun. Each entity's methods live in
// their own file (directory_currency.go, ...); what they share (transactions,
// errors, pagination, seeding) is generic and lives in tx.go, errors.go,
// page.go and query.go.
type directoryStore struct{ s *Store }

var _ directory.Store = directoryStore{}

// InTx runs fn in one transaction, or in a savepoint when the Store is
// already in one. An error from fn rolls back and is returned as is.
func (d directoryStore) InTx(ctx context.Context, fn func(tx directory.Store) error) error {
	if fn == nil {
		return billkit.InvalidField("fn", "required", "is required")
	}
	return d.s.inTx(ctx, func(tx *Store) error { return fn(tx.Directory()) })
}

// InsertAction appends to the action log.
func (d directoryStore) InsertAction(ctx context.Context, act *billkit.Action) error {
	return d.s.insertAction(ctx, act)
}

// instant normalizes a stored instant: UTC, microseconds.
func instant(t *time.Time) { *t = billkit.Instant(*t) }

// nameMatches adds the Query filter of countries and currencies: the code or
// the name in any locale contains q. PostgreSQL's ILIKE and SQLite's LIKE
// both fold ASCII case; only the values of the JSON object are searched, not
// its locale keys.
func nameMatches(s *Store, q *bun.SelectQuery, query string) *bun.SelectQuery {
	pattern := likePattern(query, false)
	if s.dialect == DialectPostgres {
		return q.Where(`(?TableAlias.code ILIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM jsonb_each_text(?TableAlias.name) AS n(k, v) WHERE n.v ILIKE ? ESCAPE '\'))`, pattern, pattern)
	}
	return q.Where(`(?TableAlias.code LIKE ? ESCAPE '\' OR EXISTS (SELECT 1 FROM json_each(?TableAlias.name) AS n WHERE n.value LIKE ? ESCAPE '\'))`, pattern, pattern)
}

// boolFilter keeps rows whose column equals *v, when v is set.
func boolFilter(q *bun.SelectQuery, column string, v *bool) *bun.SelectQuery {
	if v == nil {
		return q
	}
	return q.Where("?TableAlias.? = ?", bun.Ident(column), *v)
}

func byCode(code string) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("?TableAlias.code = ?", code) }
}
