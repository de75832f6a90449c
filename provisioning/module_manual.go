package provisioning

import "context"

// ManualModule turns every operation into work for people: the task waits
// (Result.Pending) for a member of Department to do it by hand and mark it
// done (Manager.CompleteTask).
type ManualModule struct {
	// Department is the department whose queue the tasks go to; "" for
	// whoever handles manual tasks.
	Department string
}

// Name is "manual".
func (ManualModule) Name() string { return "manual" }

// Run asks for the work to be done by hand.
func (m ManualModule) Run(ctx context.Context, req Request) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return Result{Pending: true, Message: "waiting for staff to " + string(req.Operation) + " the service by hand"}, nil
}
