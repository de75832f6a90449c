package provisioning

import (
	"context"

	"github.com/billkit/billkit"
)

// event appends a ServiceEvent to svc's history in tx: kind names the
// change, from and to the statuses when the status changed (empty
// otherwise), before and after the service (or the part that changed) as
// the action log diffs them, memo a note.
func (m *Manager) event(ctx context.Context, tx Store, actor billkit.Actor, svc *Service, kind string, from, to Status, before, after any, memo string) error {
	changes, err := billkit.Diff(before, after)
	if err != nil {
		return err
	}
	return tx.InsertServiceEvent(ctx, &ServiceEvent{
		ID:        billkit.NewID[ServiceEvent](),
		ServiceID: svc.ID,
		At:        m.now(),
		ActorKind: actor.Kind,
		ActorID:   actor.ID,
		Kind:      kind,
		From:      from,
		To:        to,
		Changes:   changes,
		Memo:      memo,
	})
}

// ListServiceEvents lists a service's history, oldest first. f.ServiceID is
// required. It needs provisioning.service:read on the service's client; a
// customer asking for another client's service gets not_found.
func (m *Manager) ListServiceEvents(ctx context.Context, actor billkit.Actor, f ServiceEventFilter) (billkit.Page[ServiceEvent], error) {
	var none billkit.Page[ServiceEvent]
	if err := actor.Validate(); err != nil {
		return none, err
	}
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	v.Check(!f.ServiceID.IsZero(), "service_id", "required", "is required")
	if err := v.Err(); err != nil {
		return none, err
	}
	if _, err := m.serviceFor(ctx, m.store, actor, f.ServiceID, billkit.OpRead); err != nil {
		return none, err
	}
	return m.store.ListServiceEvents(ctx, f)
}
