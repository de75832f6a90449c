package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

var taxRules = list[billing.TaxRule]{
	table: table[billing.TaxRule]{
		name: "billkit_tax_rules",
		kind: "tax_rule",
		key:  func(r *billing.TaxRule) any { return r.ID },
		norm: func(r *billing.TaxRule) {
			instant(&r.CreatedAt)
			instant(&r.UpdatedAt)
			if r.Name == nil {
				r.Name = directory.Text{}
			}
			if r.ProductTypes == nil {
				r.ProductTypes = []string{}
			}
		},
	},
	order: billingIDOrder,
	keyOf: func(r *billing.TaxRule) []string { return []string{r.ID.String()} },
}

// InsertTaxRule returns conflict "tax_rule.exists" for a taken ID.
func (b billingStore) InsertTaxRule(ctx context.Context, r *billing.TaxRule) error {
	if r != nil && r.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, b.s, taxRules.table, r)
}

func (b billingStore) GetTaxRule(ctx context.Context, id billing.TaxRuleID) (*billing.TaxRule, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("tax_rule", id)
	}
	return getRow(ctx, b.s, taxRules.table, id, billingByID(id))
}

func (b billingStore) UpdateTaxRule(ctx context.Context, r *billing.TaxRule) error {
	return updateRow(ctx, b.s, taxRules.table, r)
}

func (b billingStore) DeleteTaxRule(ctx context.Context, id billing.TaxRuleID) error {
	return deleteRows(ctx, b.s, taxRules.name, taxRules.kind, id, "id = ?", id)
}

func (b billingStore) ListTaxRules(ctx context.Context, f billing.TaxRuleFilter) (billkit.Page[billing.TaxRule], error) {
	return listRows(ctx, b.s, taxRules, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.CompanyID.IsZero() {
			q = q.Where("?TableAlias.company_id = ?", f.CompanyID)
		}
		if f.Code != "" {
			q = q.Where("?TableAlias.code = ?", f.Code)
		}
		return q
	})
}

// LockTaxRules locks the company's row until the transaction ends on
// PostgreSQL (FOR NO KEY UPDATE, which leaves rows that refer to the
// company free to be inserted); SQLite runs one transaction at a time, so
// there it only checks that the company exists.
func (b billingStore) LockTaxRules(ctx context.Context, company billing.CompanyID) error {
	if err := b.s.usable(ctx); err != nil {
		return err
	}
	if company.IsZero() {
		return billkit.NotFound("company", company)
	}
	q := "SELECT id FROM billkit_companies WHERE id = ?"
	if b.s.dialect == DialectPostgres {
		q += " FOR NO KEY UPDATE"
	}
	var id billing.CompanyID
	err := b.s.db.NewRaw(q, company).Scan(ctx, &id)
	return mapError(ctx, err, target{kind: "company", key: company})
}

var taxSettings = table[billing.TaxSettings]{
	name: "billkit_tax_settings",
	kind: "tax_settings",
	key:  func(s *billing.TaxSettings) any { return s.CompanyID },
	norm: func(s *billing.TaxSettings) { instant(&s.UpdatedAt) },
}

func (b billingStore) GetTaxSettings(ctx context.Context, company billing.CompanyID) (*billing.TaxSettings, error) {
	if company.IsZero() {
		return nil, billkit.NotFound("tax_settings", company)
	}
	return getRow(ctx, b.s, taxSettings, company, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.company_id = ?", company)
	})
}

// PutTaxSettings inserts or replaces a company's settings with one upsert.
func (b billingStore) PutTaxSettings(ctx context.Context, st *billing.TaxSettings) error {
	if err := b.s.usable(ctx); err != nil {
		return err
	}
	if st == nil {
		return taxSettings.nilRow()
	}
	if st.CompanyID.IsZero() {
		return billkit.InvalidField("company_id", "required", "is required")
	}
	taxSettings.norm(st)
	_, err := b.s.db.NewInsert().Model(st).ModelTableExpr(taxSettings.expr(b.s)).
		On("CONFLICT (company_id) DO UPDATE").
		Set("rounding = EXCLUDED.rounding").
		Set("reverse_charge = EXCLUDED.reverse_charge").
		Set("updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	return mapError(ctx, err, taxSettings.target(st))
}

var taxExemptions = list[billing.TaxExemption]{
	table: table[billing.TaxExemption]{
		name: "billkit_tax_exemptions",
		kind: "tax_exemption",
		key:  func(x *billing.TaxExemption) any { return x.ID },
		norm: func(x *billing.TaxExemption) { instant(&x.CreatedAt); instant(&x.UpdatedAt) },
	},
	order: billingIDOrder,
	keyOf: func(x *billing.TaxExemption) []string { return []string{x.ID.String()} },
}

// InsertTaxExemption returns conflict "tax_exemption.exists" for a taken
// ID.
func (b billingStore) InsertTaxExemption(ctx context.Context, x *billing.TaxExemption) error {
	if x != nil && x.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	if x != nil && x.ClientID.IsZero() == x.GroupID.IsZero() {
		return billkit.InvalidField("client_id", "tax_exemption.subject_required", "exactly one of client_id and group_id is required")
	}
	return insertRow(ctx, b.s, taxExemptions.table, x)
}

func (b billingStore) GetTaxExemption(ctx context.Context, id billing.TaxExemptionID) (*billing.TaxExemption, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("tax_exemption", id)
	}
	return getRow(ctx, b.s, taxExemptions.table, id, billingByID(id))
}

func (b billingStore) UpdateTaxExemption(ctx context.Context, x *billing.TaxExemption) error {
	return updateRow(ctx, b.s, taxExemptions.table, x)
}

func (b billingStore) DeleteTaxExemption(ctx context.Context, id billing.TaxExemptionID) error {
	return deleteRows(ctx, b.s, taxExemptions.name, taxExemptions.kind, id, "id = ?", id)
}

func (b billingStore) ListTaxExemptions(ctx context.Context, f billing.TaxExemptionFilter) (billkit.Page[billing.TaxExemption], error) {
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		if err := f.PageParams.Validate(); err != nil {
			return billkit.Page[billing.TaxExemption]{}, err
		}
		return billkit.Page[billing.TaxExemption]{Items: []billing.TaxExemption{}}, nil
	}
	return listRows(ctx, b.s, taxExemptions, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		switch {
		case !f.ClientID.IsZero() && !f.GroupID.IsZero():
			q = q.Where("(?TableAlias.client_id = ? OR ?TableAlias.group_id = ?)", f.ClientID, f.GroupID)
		case !f.ClientID.IsZero():
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		case !f.GroupID.IsZero():
			q = q.Where("?TableAlias.group_id = ?", f.GroupID)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		return q
	})
}

// vatCheckRow is a row of billkit_vat_checks.
type vatCheckRow struct {
	ID          billing.VATCheckID `bun:"id,pk"`
	PayerID     billing.PayerID    `bun:"payer_id,notnull"`
	CountryCode string             `bun:"country_code,notnull"`
	Number      string             `bun:"number,notnull"`
	Valid       bool               `bun:"valid,notnull"`
	Confirmed   bool               `bun:"confirmed,notnull"`
	Name        string             `bun:"name,notnull"`
	Address     string             `bun:"address,notnull"`
	Reference   string             `bun:"reference,notnull"`
	CheckedAt   time.Time          `bun:"checked_at,notnull"`
}

func (r *vatCheckRow) check() billing.VATCheck {
	return billing.VATCheck{
		ID: r.ID, PayerID: r.PayerID, CountryCode: r.CountryCode, Number: r.Number, Valid: r.Valid, Confirmed: r.Confirmed,
		Name: r.Name, Address: r.Address, Reference: r.Reference, CheckedAt: r.CheckedAt,
	}
}

var vatChecks = list[vatCheckRow]{
	table: table[vatCheckRow]{
		name: "billkit_vat_checks",
		kind: "vat_check",
		key:  func(r *vatCheckRow) any { return r.ID },
		norm: func(r *vatCheckRow) { instant(&r.CheckedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.checked_at", desc: true}, {expr: "?TableAlias.id", desc: true}},
	keyOf: func(r *vatCheckRow) []string { return []string{cursorTime(r.CheckedAt), r.ID.String()} },
}

// InsertVATCheck stores a check; conflict "vat_check.exists" for a taken
// ID, failed_precondition for a missing payer.
func (b billingStore) InsertVATCheck(ctx context.Context, c *billing.VATCheck) error {
	if c == nil {
		return vatChecks.nilRow()
	}
	if c.ID.IsZero() || c.PayerID.IsZero() {
		return billkit.InvalidField("id", "required", "id and payer_id are required")
	}
	row := &vatCheckRow{
		ID: c.ID, PayerID: c.PayerID, CountryCode: c.CountryCode, Number: c.Number, Valid: c.Valid, Confirmed: c.Confirmed,
		Name: c.Name, Address: c.Address, Reference: c.Reference, CheckedAt: c.CheckedAt,
	}
	if err := insertRow(ctx, b.s, vatChecks.table, row); err != nil {
		return err
	}
	c.CheckedAt = row.CheckedAt
	return nil
}

func (b billingStore) ListVATChecks(ctx context.Context, f billing.VATCheckFilter) (billkit.Page[billing.VATCheck], error) {
	page, err := listRows(ctx, b.s, vatChecks, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.PayerID.IsZero() {
			q = q.Where("?TableAlias.payer_id = ?", f.PayerID)
		}
		return q
	})
	if err != nil {
		return billkit.Page[billing.VATCheck]{}, err
	}
	out := billkit.Page[billing.VATCheck]{Items: make([]billing.VATCheck, len(page.Items)), NextCursor: page.NextCursor}
	for i := range page.Items {
		out.Items[i] = page.Items[i].check()
	}
	return out, nil
}

// CountryEU reads a directory country's EU flag in the store's
// transaction.
func (b billingStore) CountryEU(ctx context.Context, code string) (bool, error) {
	if err := b.s.usable(ctx); err != nil {
		return false, err
	}
	var eu bool
	err := b.s.db.NewSelect().TableExpr("billkit_countries").Column("eu").Where("code = ?", code).Limit(1).Scan(ctx, &eu)
	if errors.Is(err, sql.ErrNoRows) {
		return false, billkit.NotFound("country", code)
	}
	return eu, mapError(ctx, err, target{kind: "country", key: code})
}
