package billing

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// CatalogRepricer prices expenses again from the catalog: the Repricer of
// a recalculation after a wrong price in a tariff or a price version. It
// prices the expenses that carry a pricing reference (TariffID and Period)
// and are for a period (ExpensePeriod: the tariff's period price) or a
// setup fee (ExpenseSetup: the tariff's own setup fee); it leaves the
// others alone.
//
// The price is that of the period starting on the expense's PeriodStart
// (or PriceDate without one), with the price versions that apply to a
// service ordered on PriceDate (catalog.VersionsForService: a version's
// policy may keep an existing service's old price for a while), times
// Quantity (one when zero), rounded to the currency's digits.
type CatalogRepricer struct {
	// Catalog reads tariffs and price versions; nil fails with
	// failed_precondition billing.catalog_missing.
	Catalog Catalog
	// Converter converts prices of a tariff that has none in the
	// expense's currency; nil when none may be converted.
	Converter catalog.Converter
	// Actor reads the catalog; the zero Actor reads as the system.
	Actor billkit.Actor
	// Rounding rounds prices times quantities; the zero value is half-up.
	Rounding billkit.RoundingMode
}

// CatalogRepricer returns the CatalogRepricer of the Service's
// Config.Catalog, converting with the directory's rates.
func (s *Service) CatalogRepricer() *CatalogRepricer {
	r := &CatalogRepricer{Catalog: s.cfg.Catalog}
	if s.dir != nil {
		r.Converter = catalog.DirectoryConverter(s.dir)
	}
	return r
}

// Reprice prices x again, or returns false when x has no pricing
// reference or is not a period or a setup fee. A tariff that no longer
// exists or has no price for the period fails with failed_precondition
// recalculation.price_missing.
func (r *CatalogRepricer) Reprice(ctx context.Context, x Expense) (billkit.Money, bool, error) {
	if x.TariffID.IsZero() || x.Period == "" || (x.Kind != ExpensePeriod && x.Kind != ExpenseSetup) {
		return billkit.Money{}, false, nil
	}
	start := x.PeriodStart
	if start.IsZero() {
		start = x.PriceDate
	}
	if start.IsZero() {
		return billkit.Money{}, false, nil
	}
	if r.Catalog == nil {
		return billkit.Money{}, false, recalcCatalogMissing()
	}
	ordered := x.PriceDate
	if ordered.IsZero() {
		ordered = start
	}
	actor := r.Actor
	if actor.Kind == "" {
		actor = billkit.SystemActor("billing.recalculation")
	}
	missing := func(err error, format string, args ...any) error {
		return billkit.WrapError(err, billkit.CodeFailedPrecondition, "recalculation.price_missing", fmt.Sprintf(format, args...))
	}
	t, err := r.Catalog.GetTariff(ctx, actor, x.TariffID)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return billkit.Money{}, false, missing(err, "expense %s: tariff %s does not exist", x.ID, x.TariffID)
	}
	if err != nil {
		return billkit.Money{}, false, err
	}
	var versions []catalog.PriceVersion
	for cursor := ""; ; {
		page, err := r.Catalog.ListPriceVersions(ctx, actor, catalog.PriceVersionFilter{TariffID: t.ID, PageParams: billkit.PageParams{Cursor: cursor, Limit: billkit.MaxPageLimit}})
		if err != nil {
			return billkit.Money{}, false, err
		}
		versions = append(versions, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	q, err := catalog.NewQuote(ctx, catalog.QuoteRequest{
		Tariff: t, Versions: catalog.VersionsForService(versions, x.Period, ordered, start), Period: x.Period,
		Currency: x.Amount.Currency(), Date: start, Converter: r.Converter, Rounding: r.Rounding,
	})
	if billkit.IsCode(err, billkit.CodeInvalid) {
		return billkit.Money{}, false, missing(err, "expense %s: tariff %s cannot be priced for %s in %s on %s", x.ID, t.Code, x.Period, x.Amount.Currency(), start)
	}
	if err != nil {
		return billkit.Money{}, false, err
	}
	want := catalog.LinePeriod
	if x.Kind == ExpenseSetup {
		want = catalog.LineSetup
	}
	unit := billkit.Zero(q.Currency)
	for _, l := range q.Lines {
		if l.Kind == want && l.Addon == "" {
			unit = l.UnitPrice
			break
		}
	}
	qty := x.Quantity
	if qty.IsZero() {
		qty = decimal.NewFromInt(1)
	}
	return unit.Mul(qty).RoundTo(q.Digits, r.Rounding), true, nil
}

var _ Repricer = (*CatalogRepricer)(nil)
