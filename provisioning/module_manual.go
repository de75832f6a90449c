package provisioning

import "context"

// ManualModuleName is the name of the built-in manual module: a
// ManualModule without a Module name, whose tasks wait on no department.
// A product type that names no module uses it.
const ManualModuleName = "manual"

// ManualModule turns every operation into work for people: the task waits
// (Result.Pending, TaskWaiting) for a member of Department to do it by
// hand and mark it done (Manager.CompleteTask), fail it or skip it.
//
// A registry holds one module per name, so a hoster with several
// departments registers one manual module per queue, each under its own
// name, and points each product type at one:
//
//	provisioning.NewRegistry(
//		provisioning.ManualModule{}, // "manual": tasks of no department
//		provisioning.ManualModule{Module: "dns-desk", Department: dnsDeskID},
//		provisioning.ManualModule{Module: "colo-desk", Department: coloID},
//	)
//
// The task records the department when it starts waiting (Task.Department),
// so that staff list their queue with TaskFilter.Departments and status
// waiting. provisioning keeps the department as an opaque string; the
// reference server uses the ID of an access department and checks that it
// exists when it starts.
type ManualModule struct {
	// Module is the module's name, which product types refer to: 1 to 64
	// of a-z, 0-9, '-' and '_' (ValidModuleName). "" is the built-in
	// ManualModuleName.
	Module string
	// Department is the department whose queue the tasks go to; "" for
	// whoever handles manual tasks.
	Department string
}

// Name is Module, or ManualModuleName when Module is "".
func (m ManualModule) Name() string {
	if m.Module == "" {
		return ManualModuleName
	}
	return m.Module
}

// Run asks for the work to be done by hand.
func (m ManualModule) Run(ctx context.Context, req Request) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return Result{Pending: true, Message: "waiting for staff to " + string(req.Operation) + " the service by hand"}, nil
}

// queue is the department a waiting task of the module goes to.
func (m ManualModule) queue() string { return m.Department }

// queued is a module whose waiting tasks belong to a department's queue:
// a ManualModule, by value or by pointer.
type queued interface{ queue() string }
