package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

var exchangeRates = list[directory.ExchangeRate]{
	table: table[directory.ExchangeRate]{
		name: "billkit_exchange_rates",
		kind: "exchange_rate",
		key:  func(r *directory.ExchangeRate) any { return r.ID },
		norm: func(r *directory.ExchangeRate) { instant(&r.CreatedAt); instant(&r.UpdatedAt) },
	},
	// Newest date first, then by pair; (base, quote, date) is unique, so it
	// is a complete keyset. Dates compare as "YYYY-MM-DD" text in SQLite.
	order: []keyCol{{expr: `?TableAlias."date"`, desc: true}, {expr: "?TableAlias.base"}, {expr: "?TableAlias.quote"}},
	keyOf: func(r *directory.ExchangeRate) []string { return []string{r.Date.String(), r.Base, r.Quote} },
}

// InsertExchangeRate returns conflict "exchange_rate.exists" when the pair
// has a rate on that date, and failed_precondition when a currency is not
// stored.
func (d directoryStore) InsertExchangeRate(ctx context.Context, r *directory.ExchangeRate) error {
	if r != nil && r.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, d.s, exchangeRates.table, r)
}

func (d directoryStore) GetExchangeRate(ctx context.Context, id directory.ExchangeRateID) (*directory.ExchangeRate, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("exchange_rate", id)
	}
	return getRow(ctx, d.s, exchangeRates.table, id, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.id = ?", id)
	})
}

func (d directoryStore) UpdateExchangeRate(ctx context.Context, r *directory.ExchangeRate) error {
	return updateRow(ctx, d.s, exchangeRates.table, r)
}

// FindExchangeRate returns the pair's rate with the latest date on or before
// on, or not_found "exchange_rate.not_found".
func (d directoryStore) FindExchangeRate(ctx context.Context, base, quote string, on billkit.Date) (*directory.ExchangeRate, error) {
	if !on.Valid() {
		return nil, billkit.InvalidField("on", "date.out_of_range", "must be a calendar date")
	}
	return getRow(ctx, d.s, exchangeRates.table, base+"/"+quote+" on "+on.String(), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.base = ?", base).Where("?TableAlias.quote = ?", quote).
			Where(`?TableAlias."date" <= ?`, on).OrderExpr(`?TableAlias."date" DESC`)
	})
}

func (d directoryStore) ListExchangeRates(ctx context.Context, f directory.ExchangeRateFilter) (billkit.Page[directory.ExchangeRate], error) {
	var v billkit.FieldErrors
	v.Check(f.From.IsZero() || f.From.Valid(), "from", "date.out_of_range", "must be a calendar date")
	v.Check(f.To.IsZero() || f.To.Valid(), "to", "date.out_of_range", "must be a calendar date")
	if err := v.Err(); err != nil {
		return billkit.Page[directory.ExchangeRate]{}, err
	}
	return listRows(ctx, d.s, exchangeRates, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if f.Base != "" {
			q = q.Where("?TableAlias.base = ?", f.Base)
		}
		if f.Quote != "" {
			q = q.Where("?TableAlias.quote = ?", f.Quote)
		}
		if !f.From.IsZero() {
			q = q.Where(`?TableAlias."date" >= ?`, f.From)
		}
		if !f.To.IsZero() {
			q = q.Where(`?TableAlias."date" <= ?`, f.To)
		}
		return q
	})
}
