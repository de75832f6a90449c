package bunstore

import (
	"context"
	"database/sql"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

// A tariff's stock moves by conditional UPDATEs: the database applies the
// condition and the change together, so of concurrent orders for the last
// unit exactly one changes the row. UpdateTariff leaves the column alone,
// so that an edit read before an order's take does not write it back.

// updateTariff writes every column of t but stock.
func updateTariff(ctx context.Context, s *Store, t *catalog.Tariff) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if t == nil {
		return catalogTariffs.nilRow()
	}
	catalogTariffs.norm(t)
	tg := catalogTariffs.target(t)
	res, err := s.db.NewUpdate().Model(t).ModelTableExpr(catalogTariffs.expr(s)).ExcludeColumn("stock").WherePK().Exec(ctx)
	if err != nil {
		return mapError(ctx, err, tg)
	}
	n, err := rowsAffected(ctx, res, tg)
	if err != nil {
		return err
	}
	if n == 0 {
		return billkit.NotFound("tariff", t.ID)
	}
	return nil
}

// TakeTariffStock takes n from the tariff's stock when it has n left. A
// tariff with no stock set (unlimited) is not written at all, so that its
// orders do not queue on its row.
func (c catalogStore) TakeTariffStock(ctx context.Context, id catalog.TariffID, n int) (bool, error) {
	if err := c.s.usable(ctx); err != nil {
		return false, err
	}
	if err := checkStockUnits(n); err != nil {
		return false, err
	}
	if id.IsZero() {
		return false, billkit.NotFound("tariff", id)
	}
	tg := target{kind: "tariff", key: id}
	res, err := c.s.db.NewUpdate().TableExpr("billkit_catalog_tariffs").Set("stock = stock - ?", n).
		Where("id = ?", id).Where("stock >= ?", n).Exec(ctx)
	if err != nil {
		return false, mapError(ctx, err, tg)
	}
	taken, err := rowsAffected(ctx, res, tg)
	if err != nil || taken > 0 {
		return taken > 0, err
	}
	// Nothing changed: the tariff is unlimited, short of stock, or missing.
	stock, err := tariffStock(ctx, c.s, id)
	if err != nil {
		return false, err
	}
	return stock == nil, nil
}

// ReturnTariffStock adds n back to the tariff's stock; an unlimited tariff
// stays so.
func (c catalogStore) ReturnTariffStock(ctx context.Context, id catalog.TariffID, n int) error {
	if err := c.s.usable(ctx); err != nil {
		return err
	}
	if err := checkStockUnits(n); err != nil {
		return err
	}
	if id.IsZero() {
		return billkit.NotFound("tariff", id)
	}
	tg := target{kind: "tariff", key: id}
	res, err := c.s.db.NewUpdate().TableExpr("billkit_catalog_tariffs").Set("stock = stock + ?", n).
		Where("id = ?", id).Where("stock IS NOT NULL").Exec(ctx)
	if err != nil {
		return mapError(ctx, err, tg)
	}
	given, err := rowsAffected(ctx, res, tg)
	if err != nil || given > 0 {
		return err
	}
	ok, err := rowExists(ctx, c.s, "billkit_catalog_tariffs", "tariff", id)
	if err != nil {
		return err
	}
	if !ok {
		return billkit.NotFound("tariff", id)
	}
	return nil
}

// SetTariffStock sets the tariff's stock, nil for unlimited.
func (c catalogStore) SetTariffStock(ctx context.Context, id catalog.TariffID, stock *int) error {
	if err := c.s.usable(ctx); err != nil {
		return err
	}
	if stock != nil && *stock < 0 {
		return billkit.InvalidField("stock", catalog.ReasonNegative, "must be zero or more")
	}
	if id.IsZero() {
		return billkit.NotFound("tariff", id)
	}
	tg := target{kind: "tariff", key: id}
	res, err := c.s.db.NewUpdate().TableExpr("billkit_catalog_tariffs").Set("stock = ?", stock).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return mapError(ctx, err, tg)
	}
	n, err := rowsAffected(ctx, res, tg)
	if err != nil {
		return err
	}
	if n == 0 {
		return billkit.NotFound("tariff", id)
	}
	return nil
}

// tariffStock reads the tariff's stock; nil is unlimited.
func tariffStock(ctx context.Context, s *Store, id catalog.TariffID) (*int, error) {
	var stock sql.NullInt64
	err := s.db.NewSelect().TableExpr("billkit_catalog_tariffs").Column("stock").Where("id = ?", id).Limit(1).Scan(ctx, &stock)
	if err != nil {
		return nil, mapError(ctx, err, target{kind: "tariff", key: id})
	}
	if !stock.Valid {
		return nil, nil
	}
	n := int(stock.Int64)
	return &n, nil
}

// checkStockUnits checks the units a take or a return moves.
func checkStockUnits(n int) error {
	if n < 1 {
		return billkit.InvalidField("n", "catalog.stock_units_out_of_range", "must be at least 1")
	}
	return nil
}
