package billing

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// maxOrderQuantity bounds how many identical services one order prices.
const maxOrderQuantity = 1000

// OrderPriceParams ask what an order costs a client.
type OrderPriceParams struct {
	ClientID billkit.ClientID `json:"client_id"`
	TariffID catalog.TariffID `json:"tariff_id"`
	Period   catalog.Period   `json:"period"`
	// Quantity is how many identical services are ordered: 1 (the
	// default) to 1000. Every line of the quote is multiplied by it.
	Quantity int `json:"quantity,omitempty"`
	// Addons are the order's addon values by addon code (see
	// catalog.QuoteRequest.AddonValues).
	Addons map[string]catalog.AddonValue `json:"addons,omitempty"`
	// PromoCode is the code the client entered; "" for none.
	PromoCode string `json:"promo_code,omitempty"`
	// Date is the order date (the prices, discounts, code and taxes of
	// that day apply); zero is today in the provider's time zone.
	Date billkit.Date `json:"date,omitzero"`
	// Renewal prices a renewal rather than a new order: the setup fees are
	// not charged again, and first-period-only promo codes are skipped.
	Renewal bool `json:"renewal,omitempty"`
	// PayerID is the payer billed; zero is the client's default payer.
	PayerID PayerID `json:"payer_id,omitzero"`
	// CompanyID is the company that sells; zero is the one company that
	// serves the client's provider (invalid when it has several).
	CompanyID CompanyID `json:"company_id,omitzero"`
}

// OrderPrice is the final price of an order, and how it was assembled.
type OrderPrice struct {
	// Quote is the catalog's quote in the client's currency, multiplied by
	// the quantity, with the adjustment lines of the discounts and the
	// promo code. Its Total is the price before tax (or with the inclusive
	// taxes in it).
	Quote     catalog.Quote     `json:"quote"`
	Discounts []AppliedDiscount `json:"discounts"`
	// Promo is the promo code applied; nil without a code, or when a
	// renewal skipped a first-period-only code.
	Promo       *AppliedPromo `json:"promo,omitempty"`
	TaxDecision TaxDecision   `json:"tax_decision"`
	// Totals are the quote's lines with their taxes, one TaxedLine per
	// quote line, in the same order.
	Totals TaxTotals `json:"totals"`
	// Net, Tax and Total are Totals' Net, Tax and Gross: what the order
	// costs without tax, its tax, and what the client pays.
	Net   billkit.Money `json:"net"`
	Tax   billkit.Money `json:"tax"`
	Total billkit.Money `json:"total"`
}

// PriceOrder returns the final price of an order: the one place it is
// assembled, in this order, so that the storefront, the order and its
// invoice agree to the cent:
//
//  1. the catalog's quote of the tariff (Config.Catalog) for the period and
//     addons on the date, with the price versions in force, in the
//     client's currency (the tariff's prices converted at the directory's
//     rates of the date when it has none in it), without its setup fees for
//     a renewal, times the quantity;
//  2. the discounts of the client, its group and everyone (ApplyDiscounts),
//     as adjustment lines "discount:<id>";
//  3. the promo code (ApplyPromo), as an adjustment line "promo:<CODE>",
//     after ValidatePromo's checks on the date (its validity, its limits
//     in all and for the client, its tariffs);
//  4. the taxes: DecideTax for the company, the client's payer, the
//     tariff's product type and the date, and CalculateTaxes over the
//     quote's lines with the company's rounding.
//
// It is read-only: it does not redeem the promo code (the order does, with
// RedeemPromoTx in its transaction). It needs billing.client:read on the
// client (customers: their own). Without Config.Catalog it is
// failed_precondition ReasonCatalogMissing; bad parameters are invalid
// and name the field ("tariff_id", "period", "addons...", "company_id");
// a code that cannot be used is the failed_precondition error of
// ValidatePromo.
func (s *Service) PriceOrder(ctx context.Context, actor billkit.Actor, p OrderPriceParams) (*OrderPrice, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required")
	v.Check(!p.TariffID.IsZero(), "tariff_id", "required", "is required")
	v.Check(p.Period.Valid(), "period", catalog.ReasonPeriodUnknown, fmt.Sprintf("%q is not a period", string(p.Period)))
	if p.Quantity == 0 {
		p.Quantity = 1
	}
	v.Check(p.Quantity >= 1 && p.Quantity <= maxOrderQuantity, "quantity", "order.quantity_out_of_range",
		fmt.Sprintf("must be from 1 to %d", maxOrderQuantity))
	code := ""
	if p.PromoCode != "" {
		code = checkPromoCode(&v, "promo_code", p.PromoCode)
	}
	v.Check(p.Date.IsZero() || p.Date.Valid(), "date", "date.invalid", "must be a calendar date")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if s.cfg.Catalog == nil {
		return nil, catalogMissing()
	}
	c, err := s.clientFor(ctx, s.store, actor, p.ClientID, billkit.OpRead)
	if err != nil {
		return nil, err
	}
	pr, err := s.store.GetProvider(ctx, c.ProviderID)
	if err != nil {
		return nil, err
	}
	if p.Date.IsZero() {
		p.Date = pr.Today(s.now())
	}
	company, err := sellingCompany(ctx, s.store, c.ProviderID, p.CompanyID)
	if err != nil {
		return nil, err
	}

	// The catalog is read before anything else and outside any
	// transaction: it may live elsewhere.
	tariff, versions, productType, err := s.catalogTariff(ctx, c.ProviderID, p.TariffID)
	if err != nil {
		return nil, err
	}
	digits, err := currencyDigits(ctx, s.store, c.Currency)
	if err != nil {
		return nil, err
	}
	discounts, err := allDiscounts(ctx, s.store, DiscountFilter{ProviderID: c.ProviderID, ForClient: c.ID, ForGroup: c.GroupID})
	if err != nil {
		return nil, err
	}
	var promo *PromoCode
	if code != "" {
		if promo, err = s.usablePromo(ctx, c, code, p.TariffID, p.Date); err != nil {
			return nil, err
		}
	}

	out := &OrderPrice{Discounts: []AppliedDiscount{}}
	order := DiscountOrder{ClientID: c.ID, GroupID: c.GroupID, TariffID: tariff.ID, Period: p.Period, Quantity: p.Quantity, Date: p.Date}
	adjust := catalog.AdjusterFunc(func(ctx context.Context, q *catalog.Quote) error {
		if p.Renewal {
			dropSetup(q)
		}
		multiplyQuote(q, p.Quantity)
		applied, err := ApplyDiscounts(q, discounts, order)
		if err != nil {
			return err
		}
		out.Discounts = append(out.Discounts, applied...)
		out.Promo, err = ApplyPromo(q, promo, p.Quantity, p.Renewal)
		return err
	})
	q, err := catalog.NewQuote(ctx, catalog.QuoteRequest{
		Tariff: tariff, Versions: versions, Period: p.Period, AddonValues: p.Addons,
		Currency: c.Currency, Date: p.Date, Converter: catalog.DirectoryConverter(s.dir),
		Adjuster: adjust, Digits: &digits,
	})
	if err != nil {
		return nil, renameField(renameField(err, "tariff", "tariff_id"), "currency", "client.currency")
	}
	out.Quote = q

	out.TaxDecision, err = s.DecideTax(ctx, s.store, TaxSubject{
		CompanyID: company.ID, ClientID: c.ID, PayerID: p.PayerID, ProductType: productType, Date: p.Date,
	})
	if err != nil {
		return nil, err
	}
	lines := make([]TaxableLine, len(q.Lines))
	for i := range q.Lines {
		lines[i] = TaxableLine{Amount: q.Lines[i].Amount, Taxes: out.TaxDecision.Taxes}
	}
	if out.Totals, err = CalculateTaxes(lines, out.TaxDecision.Rounding, q.Digits); err != nil {
		return nil, err
	}
	out.Net, out.Tax, out.Total = out.Totals.Net, out.Totals.Tax, out.Totals.Gross
	return out, nil
}

// sellingCompany returns, read through st, the company id, which must
// serve the provider, or the one company that does when id is zero.
func sellingCompany(ctx context.Context, st Store, provider billkit.ProviderID, id CompanyID) (*Company, error) {
	if id.IsZero() {
		page, err := st.ListCompanies(ctx, CompanyFilter{ProviderID: provider, PageParams: billkit.PageParams{Limit: 2}})
		if err != nil {
			return nil, err
		}
		if len(page.Items) != 1 {
			return nil, billkit.InvalidField("company_id", "required", "is required: the provider is not served by exactly one company")
		}
		return &page.Items[0], nil
	}
	co, err := st.GetCompany(ctx, id)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return nil, billkit.InvalidField("company_id", "company.not_found", "is not a company")
	}
	if err != nil {
		return nil, err
	}
	if !co.Serves(provider) {
		return nil, billkit.InvalidField("company_id", "company.other_provider", "does not serve the client's provider")
	}
	return co, nil
}

// catalogTariff reads a tariff of the provider, its price versions and the
// code of its product type from the catalog.
func (s *Service) catalogTariff(ctx context.Context, provider billkit.ProviderID, id catalog.TariffID) (*catalog.Tariff, []catalog.PriceVersion, string, error) {
	t, err := s.cfg.Catalog.GetTariff(ctx, catalogReader, id)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return nil, nil, "", billkit.InvalidField("tariff_id", "tariff.not_found", "is not a tariff of the catalog")
	}
	if err != nil {
		return nil, nil, "", err
	}
	if t.ProviderID != provider {
		return nil, nil, "", billkit.InvalidField("tariff_id", "tariff.other_provider", "is a tariff of another provider")
	}
	versions, err := billkit.CollectPages(func(cursor string) (billkit.Page[catalog.PriceVersion], error) {
		return s.cfg.Catalog.ListPriceVersions(ctx, catalogReader, catalog.PriceVersionFilter{TariffID: id,
			PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
	})
	if err != nil {
		return nil, nil, "", err
	}
	pt, err := s.cfg.Catalog.GetProductType(ctx, catalogReader, t.ProductTypeID)
	if err != nil {
		return nil, nil, "", err
	}
	return t, versions, pt.Code, nil
}

// allDiscounts reads every discount that f selects, page after page.
func allDiscounts(ctx context.Context, st Store, f DiscountFilter) ([]Discount, error) {
	return billkit.CollectPages(func(cursor string) (billkit.Page[Discount], error) {
		f.PageParams = billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}
		return st.ListDiscounts(ctx, f)
	})
}

// usablePromo returns the client's code when it may be used on the date
// for the tariff, and the failed_precondition error that says why not
// otherwise.
func (s *Service) usablePromo(ctx context.Context, c *Client, code string, tariff catalog.TariffID, on billkit.Date) (*PromoCode, error) {
	pc, err := findPromo(ctx, s.store, c.ProviderID, code)
	if err != nil {
		return nil, err
	}
	uses, err := s.store.CountPromoRedemptions(ctx, pc.ID, c.ID)
	if err != nil {
		return nil, err
	}
	if err := promoUsable(pc, on, uses); err != nil {
		return nil, err
	}
	if !pc.AllowsTariff(tariff) {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPromoNotApplicable, "code %s is not for this tariff", pc.Code)
	}
	if pc.Kind == PromoFixed && pc.Currency != c.Currency {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPromoNotApplicable,
			"code %s is in %s, the client pays in %s", pc.Code, pc.Currency, c.Currency)
	}
	return pc, nil
}

// multiplyQuote multiplies every line of a quote by n identical services.
func multiplyQuote(q *catalog.Quote, n int) {
	if n == 1 {
		return
	}
	f := decimal.NewFromInt(int64(n))
	for i := range q.Lines {
		l := &q.Lines[i]
		l.Quantity = l.Quantity.Mul(f)
		l.Amount = l.Amount.MulInt(int64(n))
	}
}

// dropSetup removes the setup fees from a quote: a renewal does not pay
// them again.
func dropSetup(q *catalog.Quote) {
	lines := q.Lines[:0]
	for _, l := range q.Lines {
		if l.Kind != catalog.LineSetup {
			lines = append(lines, l)
		}
	}
	q.Lines = lines
}
