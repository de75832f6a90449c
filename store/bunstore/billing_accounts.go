package bunstore

import (
	"context"
	"slices"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/uptrace/bun"
)

// billingByID selects the row whose id is id.
func billingByID(id any) func(*bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("?TableAlias.id = ?", id) }
}

// billingIDOrder is the keyset of lists in ID (creation) order.
var billingIDOrder = []keyCol{{expr: "?TableAlias.id"}}

func settingsNorm(s *billing.Settings) {
	if *s == nil {
		*s = billing.Settings{}
	}
}

var providers = list[billing.Provider]{
	table: table[billing.Provider]{
		name: "billkit_providers",
		kind: "provider",
		key:  func(p *billing.Provider) any { return p.ID },
		norm: func(p *billing.Provider) { instant(&p.CreatedAt); instant(&p.UpdatedAt); settingsNorm(&p.Settings) },
	},
	order: billingIDOrder,
	keyOf: func(p *billing.Provider) []string { return []string{p.ID.String()} },
}

func (b billingStore) InsertProvider(ctx context.Context, p *billing.Provider) error {
	if p != nil && p.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, b.s, providers.table, p)
}

func (b billingStore) GetProvider(ctx context.Context, id billkit.ProviderID) (*billing.Provider, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("provider", id)
	}
	return getRow(ctx, b.s, providers.table, id, billingByID(id))
}

func (b billingStore) UpdateProvider(ctx context.Context, p *billing.Provider) error {
	return updateRow(ctx, b.s, providers.table, p)
}

func (b billingStore) ListProviders(ctx context.Context, f billing.ProviderFilter) (billkit.Page[billing.Provider], error) {
	return listRows(ctx, b.s, providers, f.PageParams, nil)
}

var companies = list[billing.Company]{
	table: table[billing.Company]{
		name: "billkit_companies",
		kind: "company",
		key:  func(c *billing.Company) any { return c.ID },
		norm: func(c *billing.Company) {
			instant(&c.CreatedAt)
			instant(&c.UpdatedAt)
			if c.TaxIDs == nil {
				c.TaxIDs = []string{}
			}
			if c.BankAccounts == nil {
				c.BankAccounts = []billing.BankAccount{}
			}
			if c.ProviderIDs == nil {
				c.ProviderIDs = []billkit.ProviderID{}
			}
		},
	},
	order: billingIDOrder,
	keyOf: func(c *billing.Company) []string { return []string{c.ID.String()} },
}

// companyProvider is a row of billkit_company_providers.
type companyProvider struct {
	CompanyID  billing.CompanyID  `bun:"company_id"`
	ProviderID billkit.ProviderID `bun:"provider_id"`
}

// sortProviders orders provider IDs as the store returns them.
func sortProviders(ids []billkit.ProviderID) []billkit.ProviderID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b billkit.ProviderID) int { return strings.Compare(a.String(), b.String()) })
	return slices.Compact(out)
}

// writeCompanyProviders replaces the providers of company c, in tx.
func writeCompanyProviders(ctx context.Context, tx *Store, c *billing.Company) error {
	if _, err := tx.db.NewDelete().TableExpr("billkit_company_providers").Where("company_id = ?", c.ID).Exec(ctx); err != nil {
		return mapError(ctx, err, target{kind: "company", key: c.ID})
	}
	c.ProviderIDs = sortProviders(c.ProviderIDs)
	if len(c.ProviderIDs) == 0 {
		return nil
	}
	rows := make([]companyProvider, len(c.ProviderIDs))
	for i, p := range c.ProviderIDs {
		rows[i] = companyProvider{CompanyID: c.ID, ProviderID: p}
	}
	_, err := tx.db.NewInsert().Model(&rows).ModelTableExpr("billkit_company_providers AS company_provider").Exec(ctx)
	return mapError(ctx, err, target{kind: "company", key: c.ID})
}

// loadCompanyProviders fills in ProviderIDs of the companies.
func loadCompanyProviders(ctx context.Context, s *Store, cs []billing.Company) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]billing.CompanyID, len(cs))
	at := map[billing.CompanyID]int{}
	for i := range cs {
		ids[i] = cs[i].ID
		at[cs[i].ID] = i
		cs[i].ProviderIDs = []billkit.ProviderID{}
	}
	var rows []companyProvider
	err := s.db.NewSelect().Model(&rows).ModelTableExpr("billkit_company_providers AS company_provider").
		Where("company_id IN (?)", bun.In(ids)).OrderExpr("company_id, provider_id").Scan(ctx)
	if err != nil {
		return mapError(ctx, err, target{})
	}
	for _, r := range rows {
		c := &cs[at[r.CompanyID]]
		c.ProviderIDs = append(c.ProviderIDs, r.ProviderID)
	}
	for i := range cs {
		cs[i].ProviderIDs = sortProviders(cs[i].ProviderIDs)
	}
	return nil
}

// InsertCompany inserts the company and its providers in one transaction.
func (b billingStore) InsertCompany(ctx context.Context, c *billing.Company) error {
	if c != nil && c.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return b.s.inTx(ctx, func(tx *Store) error {
		if err := insertRow(ctx, tx, companies.table, c); err != nil {
			return err
		}
		return writeCompanyProviders(ctx, tx, c)
	})
}

func (b billingStore) GetCompany(ctx context.Context, id billing.CompanyID) (*billing.Company, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("company", id)
	}
	c, err := getRow(ctx, b.s, companies.table, id, billingByID(id))
	if err != nil {
		return nil, err
	}
	one := []billing.Company{*c}
	if err := loadCompanyProviders(ctx, b.s, one); err != nil {
		return nil, err
	}
	return &one[0], nil
}

// UpdateCompany updates the company and replaces its providers in one
// transaction.
func (b billingStore) UpdateCompany(ctx context.Context, c *billing.Company) error {
	return b.s.inTx(ctx, func(tx *Store) error {
		if err := updateRow(ctx, tx, companies.table, c); err != nil {
			return err
		}
		return writeCompanyProviders(ctx, tx, c)
	})
}

func (b billingStore) ListCompanies(ctx context.Context, f billing.CompanyFilter) (billkit.Page[billing.Company], error) {
	page, err := listRows(ctx, b.s, companies, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ProviderID.IsZero() {
			q = q.Where("EXISTS (SELECT 1 FROM billkit_company_providers AS cp WHERE cp.company_id = ?TableAlias.id AND cp.provider_id = ?)", f.ProviderID)
		}
		return q
	})
	if err != nil {
		return page, err
	}
	if err := loadCompanyProviders(ctx, b.s, page.Items); err != nil {
		return billkit.Page[billing.Company]{}, err
	}
	return page, nil
}

var clientGroups = list[billing.ClientGroup]{
	table: table[billing.ClientGroup]{
		name: "billkit_client_groups",
		kind: "client_group",
		key:  func(g *billing.ClientGroup) any { return g.ID },
		norm: func(g *billing.ClientGroup) { instant(&g.CreatedAt); instant(&g.UpdatedAt); settingsNorm(&g.Settings) },
	},
	order: billingIDOrder,
	keyOf: func(g *billing.ClientGroup) []string { return []string{g.ID.String()} },
}

func (b billingStore) InsertClientGroup(ctx context.Context, g *billing.ClientGroup) error {
	if g != nil && g.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, b.s, clientGroups.table, g)
}

func (b billingStore) GetClientGroup(ctx context.Context, id billing.ClientGroupID) (*billing.ClientGroup, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("client_group", id)
	}
	return getRow(ctx, b.s, clientGroups.table, id, billingByID(id))
}

func (b billingStore) UpdateClientGroup(ctx context.Context, g *billing.ClientGroup) error {
	return updateRow(ctx, b.s, clientGroups.table, g)
}

func (b billingStore) ListClientGroups(ctx context.Context, f billing.ClientGroupFilter) (billkit.Page[billing.ClientGroup], error) {
	return listRows(ctx, b.s, clientGroups, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ProviderID.IsZero() {
			q = q.Where("?TableAlias.provider_id = ?", f.ProviderID)
		}
		return q
	})
}
