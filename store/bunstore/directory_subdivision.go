package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

var subdivisions = list[directory.Subdivision]{
	table: table[directory.Subdivision]{
		name: "billkit_subdivisions",
		kind: "subdivision",
		key:  func(s *directory.Subdivision) any { return s.Code },
		norm: func(*directory.Subdivision) {},
	},
	order: []keyCol{{expr: "?TableAlias.code"}},
	keyOf: func(s *directory.Subdivision) []string { return []string{s.Code} },
}

// SeedSubdivisions returns failed_precondition when a subdivision's country
// is not stored.
func (d directoryStore) SeedSubdivisions(ctx context.Context, ss []directory.Subdivision) (int, error) {
	return seedRows(ctx, d.s, subdivisions.table, ss)
}

func (d directoryStore) GetSubdivision(ctx context.Context, code string) (*directory.Subdivision, error) {
	return getRow(ctx, d.s, subdivisions.table, code, byCode(code))
}

func (d directoryStore) ListSubdivisions(ctx context.Context, f directory.SubdivisionFilter) (billkit.Page[directory.Subdivision], error) {
	return listRows(ctx, d.s, subdivisions, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Country != "" {
			q = q.Where("?TableAlias.country = ?", f.Country)
		}
		return q
	})
}
