package bunstore

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/uptrace/bun"
)

// actions lists the action log newest first. IDs break ties between
// actions at the same instant.
var actions = list[billkit.Action]{
	table: actionsTable,
	order: []keyCol{{expr: "?TableAlias.at", desc: true}, {expr: "?TableAlias.id", desc: true}},
	keyOf: func(a *billkit.Action) []string { return []string{cursorTime(a.At), a.ID.String()} },
}

func (a accessStore) ListActions(ctx context.Context, f access.ActionFilter) (billkit.Page[billkit.Action], error) {
	return listRows(ctx, a.s, actions, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.ActorID != "" {
			q = q.Where("?TableAlias.actor_id = ?", f.ActorID)
		}
		if f.Name != "" {
			q = q.Where("?TableAlias.name = ?", f.Name)
		}
		if f.ObjectType != "" {
			q = q.Where("?TableAlias.object_type = ?", f.ObjectType)
		}
		if f.ObjectID != "" {
			q = q.Where("?TableAlias.object_id = ?", f.ObjectID)
		}
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.Clients != nil {
			if len(f.Clients) == 0 {
				q = q.Where("1 = 0")
			} else {
				q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.Clients))
			}
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

// DeleteActionsBefore deletes, in one statement, the actions before the
// instant.
func (a accessStore) DeleteActionsBefore(ctx context.Context, before time.Time) (int, error) {
	if err := a.s.usable(ctx); err != nil {
		return 0, err
	}
	res, err := a.s.db.NewDelete().TableExpr("billkit_actions").Where("at < ?", billkit.Instant(before)).Exec(ctx)
	if err != nil {
		return 0, mapError(ctx, err, target{kind: "action"})
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, mapError(ctx, err, target{kind: "action"})
	}
	return int(n), nil
}
