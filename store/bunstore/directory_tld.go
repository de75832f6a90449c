package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

var tlds = list[directory.TLD]{
	table: table[directory.TLD]{
		name: "billkit_tlds",
		kind: "tld",
		key:  func(t *directory.TLD) any { return t.Name },
		norm: func(t *directory.TLD) { instant(&t.CreatedAt); instant(&t.UpdatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.name"}},
	keyOf: func(t *directory.TLD) []string { return []string{t.Name} },
}

// InsertTLD returns conflict "tld.exists" when the name or the ASCII form is
// taken.
func (d directoryStore) InsertTLD(ctx context.Context, t *directory.TLD) error {
	return insertRow(ctx, d.s, tlds.table, t)
}

func (d directoryStore) GetTLD(ctx context.Context, name string) (*directory.TLD, error) {
	return getRow(ctx, d.s, tlds.table, name, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.name = ?", name)
	})
}

func (d directoryStore) UpdateTLD(ctx context.Context, t *directory.TLD) error {
	return updateRow(ctx, d.s, tlds.table, t)
}

func (d directoryStore) ListTLDs(ctx context.Context, f directory.TLDFilter) (billkit.Page[directory.TLD], error) {
	return listRows(ctx, d.s, tlds, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = boolFilter(q, "enabled", f.Enabled)
		if f.Query != "" {
			like := "LIKE"
			if d.s.dialect == DialectPostgres {
				like = "ILIKE" // SQLite's LIKE folds ASCII case already
			}
			p := likePattern(f.Query, true)
			q = q.Where(`(?TableAlias.name `+like+` ? ESCAPE '\' OR ?TableAlias.ascii `+like+` ? ESCAPE '\')`, p, p)
		}
		return q
	})
}
