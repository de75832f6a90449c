package bunstore

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/uptrace/bun"
)

var contractTemplates = list[billing.ContractTemplate]{
	table: table[billing.ContractTemplate]{
		name: "billkit_contract_templates",
		kind: "contract_template",
		key:  func(t *billing.ContractTemplate) any { return t.ID },
		norm: func(t *billing.ContractTemplate) {
			instant(&t.CreatedAt)
			instant(&t.UpdatedAt)
			if t.Body == nil {
				t.Body = directory.Text{}
			}
		},
	},
	order: billingIDOrder,
	keyOf: func(t *billing.ContractTemplate) []string { return []string{t.ID.String()} },
}

func (b billingStore) InsertContractTemplate(ctx context.Context, t *billing.ContractTemplate) error {
	if t != nil && t.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, b.s, contractTemplates.table, t)
}

func (b billingStore) GetContractTemplate(ctx context.Context, id billing.ContractTemplateID) (*billing.ContractTemplate, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("contract_template", id)
	}
	return getRow(ctx, b.s, contractTemplates.table, id, billingByID(id))
}

func (b billingStore) UpdateContractTemplate(ctx context.Context, t *billing.ContractTemplate) error {
	return updateRow(ctx, b.s, contractTemplates.table, t)
}

func (b billingStore) ListContractTemplates(ctx context.Context, f billing.ContractTemplateFilter) (billkit.Page[billing.ContractTemplate], error) {
	return listRows(ctx, b.s, contractTemplates, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.CompanyID.IsZero() {
			q = q.Where("?TableAlias.company_id = ?", f.CompanyID)
		}
		return q
	})
}

var contracts = list[billing.Contract]{
	table: table[billing.Contract]{
		name: "billkit_contracts",
		kind: "contract",
		key:  func(c *billing.Contract) any { return c.ID },
		norm: func(c *billing.Contract) {
			instant(&c.CreatedAt)
			instant(&c.UpdatedAt)
			for _, t := range []*time.Time{&c.SentAt, &c.SignedAt, &c.CancelledAt} {
				if !t.IsZero() {
					instant(t)
				}
			}
		},
	},
	order: billingIDOrder,
	keyOf: func(c *billing.Contract) []string { return []string{c.ID.String()} },
}

// InsertContract returns conflict "contract.exists" for a taken ID or a
// number the company has used.
func (b billingStore) InsertContract(ctx context.Context, c *billing.Contract) error {
	if c != nil && c.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, b.s, contracts.table, c)
}

func (b billingStore) GetContract(ctx context.Context, id billing.ContractID) (*billing.Contract, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("contract", id)
	}
	return getRow(ctx, b.s, contracts.table, id, billingByID(id))
}

func (b billingStore) UpdateContract(ctx context.Context, c *billing.Contract) error {
	return updateRow(ctx, b.s, contracts.table, c)
}

func (b billingStore) ListContracts(ctx context.Context, f billing.ContractFilter) (billkit.Page[billing.Contract], error) {
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		if err := f.PageParams.Validate(); err != nil {
			return billkit.Page[billing.Contract]{}, err
		}
		return billkit.Page[billing.Contract]{Items: []billing.Contract{}}, nil
	}
	return listRows(ctx, b.s, contracts, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if !f.CompanyID.IsZero() {
			q = q.Where("?TableAlias.company_id = ?", f.CompanyID)
		}
		if f.Status != "" {
			q = q.Where("?TableAlias.status = ?", f.Status)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		return q
	})
}

// NextNumber increments the counter (series, period) with one upsert, which
// locks the counter row until the transaction ends: concurrent callers wait
// for each other and never get the same number, and a rollback undoes the
// increment, so the series has no gap. Both PostgreSQL and SQLite (3.35 and
// later) run the same statement.
func (b billingStore) NextNumber(ctx context.Context, series, period string) (int64, error) {
	if err := b.s.usable(ctx); err != nil {
		return 0, err
	}
	if series == "" {
		return 0, billkit.InvalidField("series", "required", "is required")
	}
	var v int64
	err := b.s.db.NewRaw(`INSERT INTO billkit_counters (series, period, value) VALUES (?, ?, 1)
		ON CONFLICT (series, period) DO UPDATE SET value = billkit_counters.value + 1
		RETURNING value`, series, period).Scan(ctx, &v)
	if err != nil {
		return 0, mapError(ctx, err, target{kind: "counter", key: series + "/" + period})
	}
	return v, nil
}
