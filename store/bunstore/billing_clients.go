package bunstore

import (
	"context"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/uptrace/bun"
)

var clients = list[billing.Client]{
	table: table[billing.Client]{
		name: "billkit_clients",
		kind: "client",
		key:  func(c *billing.Client) any { return c.ID },
		norm: func(c *billing.Client) { instant(&c.CreatedAt); instant(&c.UpdatedAt); settingsNorm(&c.Settings) },
	},
	order: billingIDOrder,
	keyOf: func(c *billing.Client) []string { return []string{c.ID.String()} },
}

// InsertClient returns conflict "client.exists" for a taken ID or number,
// and failed_precondition when the provider, group, currency or locale is
// not stored.
func (b billingStore) InsertClient(ctx context.Context, c *billing.Client) error {
	if c != nil && c.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, b.s, clients.table, c)
}

func (b billingStore) GetClient(ctx context.Context, id billkit.ClientID) (*billing.Client, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("client", id)
	}
	return getRow(ctx, b.s, clients.table, id, billingByID(id))
}

func (b billingStore) UpdateClient(ctx context.Context, c *billing.Client) error {
	return updateRow(ctx, b.s, clients.table, c)
}

// taxIDKey is the SQL that puts a stored tax ID in the form ClientFilter's
// PayerTaxID is compared in: upper case, without spaces, dashes, dots,
// commas and slashes.
const taxIDKey = `UPPER(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(p.tax_id, ' ', ''), '-', ''), '.', ''), ',', ''), '/', ''))`

func (b billingStore) ListClients(ctx context.Context, f billing.ClientFilter) (billkit.Page[billing.Client], error) {
	if f.IDs != nil && len(f.IDs) == 0 {
		if err := f.PageParams.Validate(); err != nil {
			return billkit.Page[billing.Client]{}, err
		}
		return billkit.Page[billing.Client]{Items: []billing.Client{}}, nil
	}
	return listRows(ctx, b.s, clients, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ProviderID.IsZero() {
			q = q.Where("?TableAlias.provider_id = ?", f.ProviderID)
		}
		if f.Status != "" {
			q = q.Where("?TableAlias.status = ?", f.Status)
		}
		if !f.GroupID.IsZero() {
			q = q.Where("?TableAlias.group_id = ?", f.GroupID)
		}
		if f.IDs != nil {
			q = q.Where("?TableAlias.id IN (?)", bun.In(f.IDs))
		}
		if query := strings.TrimSpace(f.Query); query != "" {
			like := "LIKE"
			if b.s.dialect == DialectPostgres {
				like = "ILIKE"
			}
			pattern := likePattern(query, false)
			q = q.Where(`(?TableAlias.name `+like+` ? ESCAPE '\' OR ?TableAlias.email `+like+` ? ESCAPE '\')`, pattern, pattern)
		}
		if f.PayerTaxID != "" {
			key := strings.ToUpper(strings.NewReplacer(" ", "", "-", "", ".", "", ",", "", "/", "").Replace(f.PayerTaxID))
			q = q.Where("EXISTS (SELECT 1 FROM billkit_payers AS p WHERE p.client_id = ?TableAlias.id AND "+taxIDKey+" = ?)", key)
		}
		return q
	})
}

var payers = list[billing.Payer]{
	table: table[billing.Payer]{
		name: "billkit_payers",
		kind: "payer",
		key:  func(p *billing.Payer) any { return p.ID },
		norm: func(p *billing.Payer) { instant(&p.CreatedAt); instant(&p.UpdatedAt) },
	},
	order: billingIDOrder,
	keyOf: func(p *billing.Payer) []string { return []string{p.ID.String()} },
}

// InsertPayer returns conflict "payer.exists" for a taken ID or a second
// default payer of the client.
func (b billingStore) InsertPayer(ctx context.Context, p *billing.Payer) error {
	if p != nil && p.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, b.s, payers.table, p)
}

func (b billingStore) GetPayer(ctx context.Context, id billing.PayerID) (*billing.Payer, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("payer", id)
	}
	return getRow(ctx, b.s, payers.table, id, billingByID(id))
}

func (b billingStore) UpdatePayer(ctx context.Context, p *billing.Payer) error {
	return updateRow(ctx, b.s, payers.table, p)
}

func (b billingStore) ListPayers(ctx context.Context, f billing.PayerFilter) (billkit.Page[billing.Payer], error) {
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		if err := f.PageParams.Validate(); err != nil {
			return billkit.Page[billing.Payer]{}, err
		}
		return billkit.Page[billing.Payer]{Items: []billing.Payer{}}, nil
	}
	return listRows(ctx, b.s, payers, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		return q
	})
}

// SetDefaultPayer clears the client's default and sets the payer's, in one
// transaction (two statements, so the unique index of defaults holds after
// each).
func (b billingStore) SetDefaultPayer(ctx context.Context, client billkit.ClientID, payer billing.PayerID) error {
	if client.IsZero() || payer.IsZero() {
		return billkit.NotFound("payer", payer)
	}
	return b.s.inTx(ctx, func(tx *Store) error {
		var n int
		err := tx.db.NewSelect().TableExpr("billkit_payers").ColumnExpr("COUNT(*)").
			Where("id = ? AND client_id = ?", payer, client).Scan(ctx, &n)
		if err != nil {
			return mapError(ctx, err, target{kind: "payer", key: payer})
		}
		if n == 0 {
			return billkit.NotFound("payer", payer)
		}
		if _, err := tx.db.NewUpdate().TableExpr("billkit_payers").Set("is_default = ?", false).
			Where("client_id = ? AND is_default = ?", client, true).Exec(ctx); err != nil {
			return mapError(ctx, err, target{kind: "payer", key: payer})
		}
		_, err = tx.db.NewUpdate().TableExpr("billkit_payers").Set("is_default = ?", true).
			Where("id = ?", payer).Exec(ctx)
		return mapError(ctx, err, target{kind: "payer", key: payer})
	})
}

// ClientReference is a column of billkit's tables that refers to a client.
type ClientReference struct {
	Table  string
	Column string
	// UniqueWith are the other columns of a unique key that Column is part
	// of: when the target client has a row with the same values, the merged
	// client's row is dropped instead of moved.
	UniqueWith []string
}

// clientReferences is every column that refers to a client, except the
// action log's (history is never rewritten). MoveClientReferences moves
// them all; the conformance suite fails when a table with a client_id
// column is missing here, so add every new one.
var clientReferences = []ClientReference{
	{Table: "billkit_payers", Column: "client_id"},
	{Table: "billkit_contracts", Column: "client_id"},
	{Table: "billkit_client_members", Column: "client_id", UniqueWith: []string{"user_id"}},
	{Table: "billkit_client_invites", Column: "client_id"},
	{Table: "billkit_invoices", Column: "client_id"},
	{Table: "billkit_saved_payment_methods", Column: "client_id", UniqueWith: []string{"method_id", "ref"}},
	{Table: "billkit_tax_exemptions", Column: "client_id"},
	{Table: "billkit_discounts", Column: "client_id"},
	{Table: "billkit_promo_redemptions", Column: "client_id"},
	// What the client has and ordered goes with it, with the history of
	// its services: renewals, reminders and the tasks that run them.
	{Table: "billkit_orders", Column: "client_id"},
	{Table: "billkit_services", Column: "client_id"},
	{Table: "billkit_service_renewals", Column: "client_id"},
	{Table: "billkit_service_notices", Column: "client_id"},
	{Table: "billkit_tasks", Column: "client_id"},
	// Clients merged earlier into the merged client now point at the target.
	{Table: "billkit_clients", Column: "merged_into"},
}

// ClientReferences returns the columns MoveClientReferences rewrites.
func ClientReferences() []ClientReference {
	out := make([]ClientReference, len(clientReferences))
	for i, r := range clientReferences {
		out[i] = r
		out[i].UniqueWith = append([]string(nil), r.UniqueWith...)
	}
	return out
}

// MoveClientReferences rewrites every reference to client from into one to
// client to, in one transaction (or savepoint).
func (b billingStore) MoveClientReferences(ctx context.Context, from, to billkit.ClientID) error {
	if from.IsZero() || to.IsZero() {
		return billkit.InvalidField("client_id", "required", "both clients are required")
	}
	if from == to {
		return nil
	}
	return b.s.inTx(ctx, func(tx *Store) error {
		// A client has one default payer: the target's stays the default.
		_, err := tx.db.NewRaw(`UPDATE billkit_payers SET is_default = ? WHERE client_id = ? AND is_default = ?
			AND EXISTS (SELECT 1 FROM billkit_payers AS d WHERE d.client_id = ? AND d.is_default = ?)`,
			false, from, true, to, true).Exec(ctx)
		if err != nil {
			return mapError(ctx, err, target{kind: "client", key: from})
		}
		for _, r := range clientReferences {
			if len(r.UniqueWith) > 0 {
				var same []string
				for _, c := range r.UniqueWith {
					same = append(same, "d."+c+" = "+r.Table+"."+c)
				}
				_, err := tx.db.NewRaw("DELETE FROM ? WHERE ? = ? AND EXISTS (SELECT 1 FROM ? AS d WHERE d.? = ? AND "+strings.Join(same, " AND ")+")",
					bun.Ident(r.Table), bun.Ident(r.Column), from, bun.Ident(r.Table), bun.Ident(r.Column), to).Exec(ctx)
				if err != nil {
					return mapError(ctx, err, target{kind: "client", key: from})
				}
			}
			_, err := tx.db.NewRaw("UPDATE ? SET ? = ? WHERE ? = ?",
				bun.Ident(r.Table), bun.Ident(r.Column), to, bun.Ident(r.Column), from).Exec(ctx)
			if err != nil {
				return mapError(ctx, err, target{kind: "client", key: from})
			}
		}
		return nil
	})
}
