package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

var currencies = list[directory.Currency]{
	table: table[directory.Currency]{
		name: "billkit_currencies",
		kind: "currency",
		key:  func(c *directory.Currency) any { return c.Code },
		norm: func(c *directory.Currency) { instant(&c.CreatedAt); instant(&c.UpdatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.code"}},
	keyOf: func(c *directory.Currency) []string { return []string{c.Code} },
}

func (d directoryStore) SeedCurrencies(ctx context.Context, cs []directory.Currency) (int, error) {
	return seedRows(ctx, d.s, currencies.table, cs)
}

func (d directoryStore) InsertCurrency(ctx context.Context, c *directory.Currency) error {
	return insertRow(ctx, d.s, currencies.table, c)
}

func (d directoryStore) GetCurrency(ctx context.Context, code string) (*directory.Currency, error) {
	return getRow(ctx, d.s, currencies.table, code, byCode(code))
}

func (d directoryStore) UpdateCurrency(ctx context.Context, c *directory.Currency) error {
	return updateRow(ctx, d.s, currencies.table, c)
}

func (d directoryStore) ListCurrencies(ctx context.Context, f directory.CurrencyFilter) (billkit.Page[directory.Currency], error) {
	return listRows(ctx, d.s, currencies, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = boolFilter(q, "enabled", f.Enabled)
		q = boolFilter(q, "custom", f.Custom)
		if f.Query != "" {
			q = nameMatches(d.s, q, f.Query)
		}
		return q
	})
}
