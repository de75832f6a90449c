package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/uptrace/bun"
)

var datacenters = list[provisioning.Datacenter]{
	table: table[provisioning.Datacenter]{
		name: "billkit_datacenters",
		kind: "datacenter",
		key:  func(d *provisioning.Datacenter) any { return d.ID },
		norm: func(d *provisioning.Datacenter) { instant(&d.CreatedAt); instant(&d.UpdatedAt) },
	},
	order: billingIDOrder,
	keyOf: func(d *provisioning.Datacenter) []string { return []string{d.ID.String()} },
}

// InsertDatacenter stores a new datacenter; conflict "datacenter.exists"
// for a taken ID or a code the provider has used.
func (p provisioningStore) InsertDatacenter(ctx context.Context, d *provisioning.Datacenter) error {
	if d != nil && d.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, p.s, datacenters.table, d)
}

// GetDatacenter reads a datacenter; not_found "datacenter.not_found".
func (p provisioningStore) GetDatacenter(ctx context.Context, id provisioning.DatacenterID) (*provisioning.Datacenter, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("datacenter", id)
	}
	return getRow(ctx, p.s, datacenters.table, id, byID(id))
}

// UpdateDatacenter writes every field; a code the provider uses for another
// datacenter is conflict "datacenter.exists".
func (p provisioningStore) UpdateDatacenter(ctx context.Context, d *provisioning.Datacenter) error {
	return updateRow(ctx, p.s, datacenters.table, d)
}

// ListDatacenters lists datacenters in ID order.
func (p provisioningStore) ListDatacenters(ctx context.Context, f provisioning.DatacenterFilter) (billkit.Page[provisioning.Datacenter], error) {
	return listRows(ctx, p.s, datacenters, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ProviderID.IsZero() {
			q = q.Where("?TableAlias.provider_id = ?", f.ProviderID)
		}
		return q
	})
}

var servers = list[provisioning.Server]{
	table: table[provisioning.Server]{
		name: "billkit_servers",
		kind: "server",
		key:  func(s *provisioning.Server) any { return s.ID },
		norm: func(s *provisioning.Server) {
			instant(&s.CreatedAt)
			instant(&s.UpdatedAt)
			s.Params = emptyMap(s.Params)
			// No credentials are NULL, and read back as nil.
			if len(s.Credentials) == 0 {
				s.Credentials = nil
			}
		},
	},
	order: billingIDOrder,
	keyOf: func(s *provisioning.Server) []string { return []string{s.ID.String()} },
}

// checkServer checks what the database cannot: a capacity and a load are
// never negative.
func checkServer(s *provisioning.Server) error {
	if s == nil {
		return nil // the table helpers report it
	}
	var v billkit.FieldErrors
	v.Check(!s.ID.IsZero(), "id", "required", "is required")
	v.Check(s.Capacity >= 0, "capacity", "negative", "must not be negative")
	v.Check(s.Load >= 0, "load", "negative", "must not be negative")
	return v.Err()
}

// InsertServer stores a new server with the Load given; conflict
// "server.exists" for a taken ID, failed_precondition for a missing
// provider or datacenter.
func (p provisioningStore) InsertServer(ctx context.Context, s *provisioning.Server) error {
	if err := checkServer(s); err != nil {
		return err
	}
	return insertRow(ctx, p.s, servers.table, s)
}

// GetServer reads a server; not_found "server.not_found".
func (p provisioningStore) GetServer(ctx context.Context, id provisioning.ServerID) (*provisioning.Server, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("server", id)
	}
	return getRow(ctx, p.s, servers.table, id, byID(id))
}

// UpdateServer writes every field except Load, which only ClaimServerSlot
// and ReleaseServerSlot move: a server edited while services are placed on
// it must not lose their count.
func (p provisioningStore) UpdateServer(ctx context.Context, s *provisioning.Server) error {
	if err := p.s.usable(ctx); err != nil {
		return err
	}
	if s == nil {
		return servers.nilRow()
	}
	if err := checkServer(s); err != nil {
		return err
	}
	servers.norm(s)
	t := servers.target(s)
	res, err := p.s.db.NewUpdate().Model(s).ModelTableExpr(servers.expr(p.s)).ExcludeColumn("load").WherePK().Exec(ctx)
	if err != nil {
		return mapError(ctx, err, t)
	}
	n, err := rowsAffected(ctx, res, t)
	if err != nil {
		return err
	}
	if n == 0 {
		return billkit.NotFound("server", s.ID)
	}
	return nil
}

// ListServers lists servers in ID order.
func (p provisioningStore) ListServers(ctx context.Context, f provisioning.ServerFilter) (billkit.Page[provisioning.Server], error) {
	return listRows(ctx, p.s, servers, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ProviderID.IsZero() {
			q = q.Where("?TableAlias.provider_id = ?", f.ProviderID)
		}
		if !f.DatacenterID.IsZero() {
			q = q.Where("?TableAlias.datacenter_id = ?", f.DatacenterID)
		}
		if f.Module != "" {
			q = q.Where("?TableAlias.module = ?", f.Module)
		}
		if f.EnabledOnly {
			q = q.Where("?TableAlias.enabled = ?", true)
		}
		return q
	})
}

// ClaimServerSlot adds one to the server's load in one conditional UPDATE:
// the database applies the condition and the increment together, so of
// concurrent claims on a server with one free slot exactly one changes a
// row. No row changed means the server is full or disabled, or missing
// (not_found "server.not_found").
func (p provisioningStore) ClaimServerSlot(ctx context.Context, id provisioning.ServerID) (bool, error) {
	if err := p.s.usable(ctx); err != nil {
		return false, err
	}
	if id.IsZero() {
		return false, billkit.NotFound("server", id)
	}
	t := target{kind: "server", key: id}
	res, err := p.s.db.NewUpdate().TableExpr("billkit_servers").Set("load = load + 1").
		Where("id = ?", id).Where("enabled = ?", true).Where("(capacity = 0 OR load < capacity)").Exec(ctx)
	if err != nil {
		return false, mapError(ctx, err, t)
	}
	n, err := rowsAffected(ctx, res, t)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return true, nil
	}
	ok, err := rowExists(ctx, p.s, "billkit_servers", "server", id)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, billkit.NotFound("server", id)
	}
	return false, nil
}

// ReleaseServerSlot takes one from the server's load, never below zero;
// not_found "server.not_found" for a missing server.
func (p provisioningStore) ReleaseServerSlot(ctx context.Context, id provisioning.ServerID) error {
	if err := p.s.usable(ctx); err != nil {
		return err
	}
	if id.IsZero() {
		return billkit.NotFound("server", id)
	}
	t := target{kind: "server", key: id}
	res, err := p.s.db.NewUpdate().TableExpr("billkit_servers").Set("load = load - 1").
		Where("id = ?", id).Where("load > 0").Exec(ctx)
	if err != nil {
		return mapError(ctx, err, t)
	}
	n, err := rowsAffected(ctx, res, t)
	if err != nil || n > 0 {
		return err
	}
	ok, err := rowExists(ctx, p.s, "billkit_servers", "server", id)
	if err != nil {
		return err
	}
	if !ok {
		return billkit.NotFound("server", id)
	}
	return nil
}
