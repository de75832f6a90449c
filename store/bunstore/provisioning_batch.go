package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/uptrace/bun"
)

// GetServicesForUpdate reads services by ID, in ID order, locking them on
// PostgreSQL (in that order, so two runs lock alike and wait rather than
// deadlock); a missing ID is left out.
func (p provisioningStore) GetServicesForUpdate(ctx context.Context, ids []provisioning.ServiceID) ([]provisioning.Service, error) {
	return p.getServices(ctx, ids, true)
}

// GetServices reads services by ID, in ID order, without locking them; a
// missing ID is left out.
func (p provisioningStore) GetServices(ctx context.Context, ids []provisioning.ServiceID) ([]provisioning.Service, error) {
	return p.getServices(ctx, ids, false)
}

func (p provisioningStore) getServices(ctx context.Context, ids []provisioning.ServiceID, lock bool) ([]provisioning.Service, error) {
	if err := p.s.usable(ctx); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []provisioning.Service{}, nil
	}
	var rows []serviceRow
	q := p.s.db.NewSelect().Model(&rows).ModelTableExpr(services.expr(p.s)).
		Where("?TableAlias.id IN (?)", bun.In(ids)).OrderExpr("?TableAlias.id")
	if lock && p.s.dialect == DialectPostgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, mapError(ctx, err, target{kind: "service"})
	}
	out := make([]provisioning.Service, len(rows))
	for i := range rows {
		services.norm(&rows[i])
		s, err := rows[i].service()
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// InsertNotices records reminders, skipping those recorded already, and
// returns the keys of those it recorded.
func (p provisioningStore) InsertNotices(ctx context.Context, ns []provisioning.Notice) ([]provisioning.Notice, error) {
	if err := p.s.usable(ctx); err != nil {
		return nil, err
	}
	for i := range ns {
		n := &ns[i]
		var v billkit.FieldErrors
		v.Check(!n.ServiceID.IsZero(), "service_id", "required", "is required")
		v.Check(!n.ExpiresOn.IsZero(), "expires_on", "required", "is required")
		v.Check(!n.ClientID.IsZero(), "client_id", "required", "is required")
		v.Check(n.DaysBefore >= 0, "days_before", "negative", "must not be negative")
		if err := v.Err(); err != nil {
			return nil, err
		}
		notices.norm(n)
	}
	var recorded []provisioning.Notice
	for lo := 0; lo < len(ns); lo += batchRows {
		chunk := ns[lo:min(lo+batchRows, len(ns))]
		var got []provisioning.Notice
		err := p.s.db.NewInsert().Model(&chunk).ModelTableExpr(notices.expr(p.s)).
			On("CONFLICT DO NOTHING").Returning("service_id, expires_on, days_before").Scan(ctx, &got)
		if err != nil {
			return nil, mapError(ctx, err, target{kind: "notice"})
		}
		recorded = append(recorded, got...)
	}
	return recorded, nil
}

// InsertRenewals records paid periods; a period paid already fails the
// whole call with conflict "renewal.exists", as InsertRenewal does one.
func (p provisioningStore) InsertRenewals(ctx context.Context, rs []provisioning.Renewal) error {
	if err := p.s.usable(ctx); err != nil {
		return err
	}
	rows := make([]renewalRow, len(rs))
	for i := range rs {
		row, err := renewalRowOf(&rs[i])
		if err != nil {
			return err
		}
		rows[i] = *row
		renewals.norm(&rows[i])
		rs[i].CreatedAt = rows[i].CreatedAt
	}
	for lo := 0; lo < len(rows); lo += batchRows {
		chunk := rows[lo:min(lo+batchRows, len(rows))]
		if _, err := p.s.db.NewInsert().Model(&chunk).ModelTableExpr(renewals.expr(p.s)).Exec(ctx); err != nil {
			return mapError(ctx, err, target{kind: "renewal"})
		}
	}
	return nil
}

// UpdateServicesPaid writes what a renewal changes of services: the
// anchor, the periods paid, the expiry and the time of the change.
func (p provisioningStore) UpdateServicesPaid(ctx context.Context, svcs []provisioning.Service) error {
	rows := make([][]any, len(svcs))
	for i := range svcs {
		s := &svcs[i]
		if s.ID.IsZero() {
			return billkit.InvalidField("id", "required", "is required")
		}
		s.UpdatedAt = billkit.Instant(s.UpdatedAt)
		rows[i] = []any{s.ID, s.AnchorOn, s.PeriodsPaid, s.ExpiresOn, p.s.timeArg(s.UpdatedAt)}
	}
	if len(rows) == 0 {
		return p.s.usable(ctx)
	}
	return p.s.updateRows(ctx, "billkit_services", "anchor_on = v.c2, periods_paid = v.c3, expires_on = v.c4, updated_at = v.c5",
		"t.id = v.c1", []string{"uuid", "date", "integer", "date", "timestamptz"}, rows, target{kind: "service"})
}

// InsertServiceEvents appends to services' histories, as InsertServiceEvent
// does one.
func (p provisioningStore) InsertServiceEvents(ctx context.Context, es []provisioning.ServiceEvent) error {
	if err := p.s.usable(ctx); err != nil {
		return err
	}
	rows := make([]provisioning.ServiceEvent, len(es))
	for i := range es {
		e := &es[i]
		var v billkit.FieldErrors
		v.Check(!e.ID.IsZero(), "id", "required", "is required")
		v.Check(!e.ServiceID.IsZero(), "service_id", "required", "is required")
		if err := v.Err(); err != nil {
			return err
		}
		if _, err := changesJSON(e.Changes); err != nil {
			return billkit.WrapError(err, billkit.CodeInvalid, "service_event.changes_invalid", "a service event's changes are not JSON")
		}
		rows[i] = *e
		rows[i].Changes = append([]billkit.Change(nil), e.Changes...)
		serviceEvents.norm(&rows[i])
		e.At = rows[i].At
	}
	for lo := 0; lo < len(rows); lo += batchRows {
		chunk := rows[lo:min(lo+batchRows, len(rows))]
		if _, err := p.s.db.NewInsert().Model(&chunk).ModelTableExpr(serviceEvents.expr(p.s)).Exec(ctx); err != nil {
			return mapError(ctx, err, target{kind: "service_event"})
		}
	}
	return nil
}

// InsertActions appends to the action log, a few hundred entries a
// statement.
func (p provisioningStore) InsertActions(ctx context.Context, acts []billkit.Action) error {
	return p.s.insertActions(ctx, acts)
}
