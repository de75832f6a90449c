package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

var countries = list[directory.Country]{
	table: table[directory.Country]{
		name: "billkit_countries",
		kind: "country",
		key:  func(c *directory.Country) any { return c.Code },
		norm: func(c *directory.Country) { instant(&c.UpdatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.code"}},
	keyOf: func(c *directory.Country) []string { return []string{c.Code} },
}

func (d directoryStore) SeedCountries(ctx context.Context, cs []directory.Country) (int, error) {
	return seedRows(ctx, d.s, countries.table, cs)
}

func (d directoryStore) GetCountry(ctx context.Context, code string) (*directory.Country, error) {
	return getRow(ctx, d.s, countries.table, code, byCode(code))
}

func (d directoryStore) UpdateCountry(ctx context.Context, c *directory.Country) error {
	return updateRow(ctx, d.s, countries.table, c)
}

func (d directoryStore) ListCountries(ctx context.Context, f directory.CountryFilter) (billkit.Page[directory.Country], error) {
	return listRows(ctx, d.s, countries, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = boolFilter(q, "enabled", f.Enabled)
		q = boolFilter(q, "eu", f.EU)
		if f.Query != "" {
			q = nameMatches(d.s, q, f.Query)
		}
		return q
	})
}
