package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

var units = list[directory.Unit]{
	table: table[directory.Unit]{
		name: "billkit_units",
		kind: "unit",
		key:  func(u *directory.Unit) any { return u.Code },
		norm: func(u *directory.Unit) { instant(&u.CreatedAt); instant(&u.UpdatedAt) },
	},
	keyOf: func(u *directory.Unit) []string { return []string{string(u.Dimension), u.Factor.String(), u.Code} },
}

// unitOrder is Dimension, then Factor, then Code (which makes the key
// unique). Factor is NUMERIC in PostgreSQL but TEXT in SQLite, where text
// order would put "1024" before "24"; SQLite orders by its value as REAL.
// That is only an order: no amount is computed from it, and factors too close
// for REAL to tell apart still get a stable order from Code.
func unitOrder(s *Store) []keyCol {
	factor := keyCol{expr: "?TableAlias.factor"}
	if s.dialect == DialectSQLite {
		factor = keyCol{expr: "CAST(?TableAlias.factor AS REAL)", arg: "CAST(? AS REAL)"}
	}
	return []keyCol{{expr: "?TableAlias.dimension"}, factor, {expr: "?TableAlias.code"}}
}

func (d directoryStore) SeedUnits(ctx context.Context, us []directory.Unit) (int, error) {
	return seedRows(ctx, d.s, units.table, us)
}

func (d directoryStore) InsertUnit(ctx context.Context, u *directory.Unit) error {
	return insertRow(ctx, d.s, units.table, u)
}

func (d directoryStore) GetUnit(ctx context.Context, code string) (*directory.Unit, error) {
	return getRow(ctx, d.s, units.table, code, byCode(code))
}

func (d directoryStore) UpdateUnit(ctx context.Context, u *directory.Unit) error {
	return updateRow(ctx, d.s, units.table, u)
}

func (d directoryStore) ListUnits(ctx context.Context, f directory.UnitFilter) (billkit.Page[directory.Unit], error) {
	l := units
	l.order = unitOrder(d.s)
	return listRows(ctx, d.s, l, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Dimension != "" {
			q = q.Where("?TableAlias.dimension = ?", string(f.Dimension))
		}
		return q
	})
}
