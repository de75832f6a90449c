package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

var locales = list[directory.Locale]{
	table: table[directory.Locale]{
		name: "billkit_locales",
		kind: "locale",
		key:  func(l *directory.Locale) any { return l.Code },
		norm: func(l *directory.Locale) { instant(&l.CreatedAt); instant(&l.UpdatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.code"}},
	keyOf: func(l *directory.Locale) []string { return []string{l.Code} },
}

func (d directoryStore) SeedLocales(ctx context.Context, ls []directory.Locale) (int, error) {
	return seedRows(ctx, d.s, locales.table, ls)
}

func (d directoryStore) InsertLocale(ctx context.Context, l *directory.Locale) error {
	return insertRow(ctx, d.s, locales.table, l)
}

func (d directoryStore) GetLocale(ctx context.Context, code string) (*directory.Locale, error) {
	return getRow(ctx, d.s, locales.table, code, byCode(code))
}

func (d directoryStore) UpdateLocale(ctx context.Context, l *directory.Locale) error {
	return updateRow(ctx, d.s, locales.table, l)
}

func (d directoryStore) ListLocales(ctx context.Context, f directory.LocaleFilter) (billkit.Page[directory.Locale], error) {
	return listRows(ctx, d.s, locales, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		return boolFilter(q, "enabled", f.Enabled)
	})
}
