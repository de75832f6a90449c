package provisioning

import (
	"context"

	"github.com/billkit/billkit"
)

// startOperation moves svc (read for update in tx) into StatusProcessing
// with op under way, writes its task (input is the operation's extra data,
// JSON-encoded into Task.Input; nil for none), records the history event
// and the action, updates svc in tx, and enqueues the task (Config.Queue)
// in tx. It fails with failed_precondition "provisioning.operation_not_allowed"
// when Transition refuses op from svc's status, and changes nothing then.
func (m *Manager) startOperation(ctx context.Context, tx Store, actor billkit.Actor, svc *Service, op Operation, input any) (*Task, error) {
	return nil, billkit.Errorf(billkit.CodeInternal, "provisioning.unimplemented", "startOperation is not written yet")
}
