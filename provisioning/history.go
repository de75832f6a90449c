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
	return billkit.Errorf(billkit.CodeInternal, "provisioning.unimplemented", "event is not written yet")
}
