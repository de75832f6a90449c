package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// discountRow is a row of billkit_discounts: billing.Discount with its
// fixed Money split into an amount and a currency column (NULL for a
// percentage).
type discountRow struct {
	ID            billing.DiscountID    `bun:"id,pk"`
	ProviderID    billkit.ProviderID    `bun:"provider_id,notnull"`
	Name          string                `bun:"name,notnull"`
	Scope         billing.DiscountScope `bun:"scope,notnull"`
	ClientID      billkit.ClientID      `bun:"client_id,nullzero"`
	GroupID       billing.ClientGroupID `bun:"group_id,nullzero"`
	Tariffs       []catalog.TariffID    `bun:"tariffs,notnull"`
	Periods       []catalog.Period      `bun:"periods,notnull"`
	MinQuantity   int                   `bun:"min_quantity,notnull"`
	Percent       decimal.Decimal       `bun:"percent,notnull"`
	FixedAmount   decimal.NullDecimal   `bun:"fixed_amount"`
	FixedCurrency string                `bun:"fixed_currency,nullzero"`
	ValidFrom     billkit.Date          `bun:"valid_from,nullzero"`
	ValidTo       billkit.Date          `bun:"valid_to,nullzero"`
	Stackable     bool                  `bun:"stackable,notnull"`
	CreatedAt     time.Time             `bun:"created_at,notnull"`
	UpdatedAt     time.Time             `bun:"updated_at,notnull"`
}

func discountRowOf(d *billing.Discount) *discountRow {
	r := &discountRow{
		ID: d.ID, ProviderID: d.ProviderID, Name: d.Name, Scope: d.Scope, ClientID: d.ClientID, GroupID: d.GroupID,
		Tariffs: d.Tariffs, Periods: d.Periods, MinQuantity: d.MinQuantity, Percent: d.Percent,
		ValidFrom: d.ValidFrom, ValidTo: d.ValidTo, Stackable: d.Stackable, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if d.Fixed.Currency() != "" {
		r.FixedAmount = decimal.NullDecimal{Decimal: d.Fixed.Amount(), Valid: true}
		r.FixedCurrency = d.Fixed.Currency()
	}
	return r
}

func (r *discountRow) discount() (billing.Discount, error) {
	d := billing.Discount{
		ID: r.ID, ProviderID: r.ProviderID, Name: r.Name, Scope: r.Scope, ClientID: r.ClientID, GroupID: r.GroupID,
		Tariffs: r.Tariffs, Periods: r.Periods, MinQuantity: r.MinQuantity, Percent: r.Percent,
		ValidFrom: r.ValidFrom, ValidTo: r.ValidTo, Stackable: r.Stackable, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.FixedAmount.Valid {
		m, err := billkit.NewMoney(r.FixedAmount.Decimal, r.FixedCurrency)
		if err != nil {
			return d, storedValue(err)
		}
		d.Fixed = m
	}
	return d, nil
}

var discounts = list[discountRow]{
	table: table[discountRow]{
		name: "billkit_discounts",
		kind: "discount",
		key:  func(r *discountRow) any { return r.ID },
		norm: func(r *discountRow) {
			instant(&r.CreatedAt)
			instant(&r.UpdatedAt)
			if r.Tariffs == nil {
				r.Tariffs = []catalog.TariffID{}
			}
			if r.Periods == nil {
				r.Periods = []catalog.Period{}
			}
		},
	},
	order: billingIDOrder,
	keyOf: func(r *discountRow) []string { return []string{r.ID.String()} },
}

// InsertDiscount returns conflict "discount.exists" for a taken ID.
func (b billingStore) InsertDiscount(ctx context.Context, d *billing.Discount) error {
	if d == nil {
		return discounts.nilRow()
	}
	if d.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	row := discountRowOf(d)
	if err := insertRow(ctx, b.s, discounts.table, row); err != nil {
		return err
	}
	d.CreatedAt, d.UpdatedAt = row.CreatedAt, row.UpdatedAt
	return nil
}

func (b billingStore) GetDiscount(ctx context.Context, id billing.DiscountID) (*billing.Discount, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("discount", id)
	}
	return converted((*discountRow).discount)(getRow(ctx, b.s, discounts.table, id, billingByID(id)))
}

func (b billingStore) UpdateDiscount(ctx context.Context, d *billing.Discount) error {
	if d == nil {
		return discounts.nilRow()
	}
	row := discountRowOf(d)
	if err := updateRow(ctx, b.s, discounts.table, row); err != nil {
		return err
	}
	d.CreatedAt, d.UpdatedAt = row.CreatedAt, row.UpdatedAt
	return nil
}

func (b billingStore) DeleteDiscount(ctx context.Context, id billing.DiscountID) error {
	return deleteRows(ctx, b.s, discounts.name, discounts.kind, id, "id = ?", id)
}

func (b billingStore) ListDiscounts(ctx context.Context, f billing.DiscountFilter) (billkit.Page[billing.Discount], error) {
	page, err := listRows(ctx, b.s, discounts, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ProviderID.IsZero() {
			q = q.Where("?TableAlias.provider_id = ?", f.ProviderID)
		}
		if !f.ForClient.IsZero() {
			if f.ForGroup.IsZero() {
				return q.Where("(?TableAlias.scope = ? OR ?TableAlias.client_id = ?)", billing.DiscountEveryone, f.ForClient)
			}
			return q.Where("(?TableAlias.scope = ? OR ?TableAlias.client_id = ? OR ?TableAlias.group_id = ?)",
				billing.DiscountEveryone, f.ForClient, f.ForGroup)
		}
		if f.Scope != "" {
			q = q.Where("?TableAlias.scope = ?", f.Scope)
		}
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if !f.GroupID.IsZero() {
			q = q.Where("?TableAlias.group_id = ?", f.GroupID)
		}
		return q
	})
	if err != nil {
		return billkit.Page[billing.Discount]{}, err
	}
	return convertPage(page, (*discountRow).discount)
}

var promoCodes = list[billing.PromoCode]{
	table: table[billing.PromoCode]{
		name: "billkit_promo_codes",
		kind: "promo_code",
		key:  func(p *billing.PromoCode) any { return p.Code },
		norm: func(p *billing.PromoCode) {
			instant(&p.CreatedAt)
			instant(&p.UpdatedAt)
			if p.Tariffs == nil {
				p.Tariffs = []catalog.TariffID{}
			}
		},
	},
	order: billingIDOrder,
	keyOf: func(p *billing.PromoCode) []string { return []string{p.ID.String()} },
}

// promoBatch is how many codes one INSERT of InsertPromoCodes carries.
const promoBatch = 250

// InsertPromoCodes inserts codes in batches, in one transaction (a
// savepoint when already in one).
func (b billingStore) InsertPromoCodes(ctx context.Context, codes []billing.PromoCode) error {
	if err := b.s.usable(ctx); err != nil {
		return err
	}
	own := make([]billing.PromoCode, len(codes))
	copy(own, codes)
	for i := range own {
		if own[i].ID.IsZero() {
			return billkit.InvalidField("id", "required", "is required")
		}
		promoCodes.norm(&own[i])
	}
	if len(own) == 0 {
		return nil
	}
	return b.s.inTx(ctx, func(tx *Store) error {
		for start := 0; start < len(own); start += promoBatch {
			batch := own[start:min(start+promoBatch, len(own))]
			if _, err := tx.db.NewInsert().Model(&batch).ModelTableExpr(promoCodes.expr(tx)).Exec(ctx); err != nil {
				key := batch[0].Code
				if len(batch) > 1 {
					key = ""
				}
				return mapError(ctx, err, target{kind: promoCodes.kind, key: key})
			}
		}
		return nil
	})
}

func (b billingStore) GetPromoCode(ctx context.Context, id billing.PromoCodeID) (*billing.PromoCode, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("promo_code", id)
	}
	return getRow(ctx, b.s, promoCodes.table, id, billingByID(id))
}

func (b billingStore) GetPromoCodeByCode(ctx context.Context, provider billkit.ProviderID, code string) (*billing.PromoCode, error) {
	return getRow(ctx, b.s, promoCodes.table, code, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.provider_id = ? AND ?TableAlias.code = ?", provider, code)
	})
}

// UpdatePromoCode writes every column but uses, which only
// RedeemPromoCode moves.
func (b billingStore) UpdatePromoCode(ctx context.Context, p *billing.PromoCode) error {
	if err := b.s.usable(ctx); err != nil {
		return err
	}
	if p == nil {
		return promoCodes.nilRow()
	}
	promoCodes.norm(p)
	res, err := b.s.db.NewUpdate().Model(p).ModelTableExpr(promoCodes.expr(b.s)).ExcludeColumn("uses").WherePK().Exec(ctx)
	if err != nil {
		return mapError(ctx, err, promoCodes.target(p))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapError(ctx, err, promoCodes.target(p))
	}
	if n == 0 {
		return billkit.NotFound(promoCodes.kind, p.ID)
	}
	return nil
}

func (b billingStore) DeletePromoCode(ctx context.Context, id billing.PromoCodeID) error {
	return deleteRows(ctx, b.s, promoCodes.name, promoCodes.kind, id, "id = ?", id)
}

func (b billingStore) ListPromoCodes(ctx context.Context, f billing.PromoCodeFilter) (billkit.Page[billing.PromoCode], error) {
	return listRows(ctx, b.s, promoCodes, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ProviderID.IsZero() {
			q = q.Where("?TableAlias.provider_id = ?", f.ProviderID)
		}
		if !f.BatchID.IsZero() {
			q = q.Where("?TableAlias.batch_id = ?", f.BatchID)
		}
		return q
	})
}

func (b billingStore) PromoCodesTaken(ctx context.Context, provider billkit.ProviderID, codes []string) ([]string, error) {
	if err := b.s.usable(ctx); err != nil {
		return nil, err
	}
	taken := []string{}
	if len(codes) == 0 {
		return taken, nil
	}
	err := b.s.db.NewSelect().TableExpr("billkit_promo_codes").Column("code").
		Where("provider_id = ? AND code IN (?)", provider, bun.In(codes)).Scan(ctx, &taken)
	if err != nil {
		return nil, mapError(ctx, err, target{})
	}
	return taken, nil
}

var promoRedemptions = list[billing.PromoRedemption]{
	table: table[billing.PromoRedemption]{
		name: "billkit_promo_redemptions",
		kind: "promo_redemption",
		key:  func(r *billing.PromoRedemption) any { return r.ID },
		norm: func(r *billing.PromoRedemption) { instant(&r.RedeemedAt) },
	},
	order: billingIDOrder,
	keyOf: func(r *billing.PromoRedemption) []string { return []string{r.ID.String()} },
}

// RedeemPromoCode takes one use of the code with one conditional UPDATE,
// which also locks its row until the transaction ends; the client's
// redemptions are counted after it, under that lock, and the redemption
// is inserted. The same statements serve PostgreSQL and SQLite (3.35 and
// later, for RETURNING). It runs in a savepoint when already in a
// transaction, so a refusal writes nothing.
func (b billingStore) RedeemPromoCode(ctx context.Context, r *billing.PromoRedemption, perClient int) error {
	if r == nil {
		return promoRedemptions.nilRow()
	}
	if r.ID.IsZero() || r.PromoID.IsZero() || r.ClientID.IsZero() {
		return billkit.InvalidField("id", "required", "id, promo_id and client_id are required")
	}
	return b.s.inTx(ctx, func(tx *Store) error {
		var uses int
		err := tx.db.NewRaw(`UPDATE billkit_promo_codes SET uses = uses + 1
			WHERE id = ? AND (max_uses = 0 OR uses < max_uses) RETURNING uses`, r.PromoID).Scan(ctx, &uses)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := (billingStore{s: tx}).GetPromoCode(ctx, r.PromoID); err != nil {
				return err
			}
			return billkit.Errorf(billkit.CodeFailedPrecondition, billing.ReasonPromoExhausted, "code %s has been used as often as it may", r.Code)
		}
		if err != nil {
			return mapError(ctx, err, target{kind: promoCodes.kind, key: r.PromoID})
		}
		if perClient > 0 {
			n, err := (billingStore{s: tx}).CountPromoRedemptions(ctx, r.PromoID, r.ClientID)
			if err != nil {
				return err
			}
			if n >= perClient {
				return billkit.Errorf(billkit.CodeFailedPrecondition, billing.ReasonPromoClientExhausted,
					"the client has used code %s as often as it may", r.Code)
			}
		}
		return insertRow(ctx, tx, promoRedemptions.table, r)
	})
}

func (b billingStore) CountPromoRedemptions(ctx context.Context, promo billing.PromoCodeID, client billkit.ClientID) (int, error) {
	if err := b.s.usable(ctx); err != nil {
		return 0, err
	}
	n, err := b.s.db.NewSelect().TableExpr("billkit_promo_redemptions").
		Where("promo_id = ? AND client_id = ?", promo, client).Count(ctx)
	if err != nil {
		return 0, mapError(ctx, err, target{})
	}
	return int(n), nil
}

func (b billingStore) ListPromoRedemptions(ctx context.Context, f billing.PromoRedemptionFilter) (billkit.Page[billing.PromoRedemption], error) {
	return listRows(ctx, b.s, promoRedemptions, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.PromoID.IsZero() {
			q = q.Where("?TableAlias.promo_id = ?", f.PromoID)
		}
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		return q
	})
}
