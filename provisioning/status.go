package provisioning

import "github.com/billkit/billkit"

// ReasonOperationNotAllowed is the reason of the error Transition returns
// for an operation a service's status does not allow.
const ReasonOperationNotAllowed = "provisioning.operation_not_allowed"

// Transition returns the status a service in status from has once op
// completes, or failed_precondition "provisioning.operation_not_allowed"
// when op may not start from there. It is the whole table of the life of a
// service:
//
//	open        ordered               → active
//	suspend     active                → suspended
//	resume      suspended             → active
//	change      active                → active
//	            suspended             → suspended
//	renew       active                → active
//	            suspended             → suspended
//	delete      ordered, active,
//	            suspended             → deleted
//	sync, usage,
//	login_link  active, suspended,
//	            processing            → unchanged
//
// A renewal leaves a suspended service suspended: a period paid on the
// system (a domain's registration, a licence) does not restart a service
// stopped for another reason, and resuming one is an operation of its own.
// So does a change, which staff may make to a suspended service.
// The reading operations need something on a system to read, so not an
// ordered service, and nothing on a deleted one; they may run while
// another operation is under way, which they do not change. No operation
// that moves a service starts while one is under way (processing), and
// nothing follows deleted.
func Transition(from Status, op Operation) (Status, error) {
	to, ok := transitions[op][from]
	if !ok {
		return "", billkit.Errorf(billkit.CodeFailedPrecondition, ReasonOperationNotAllowed,
			"a service that is %s cannot %s", describeStatus(from), describeOperation(op))
	}
	if to == "" {
		to = from
	}
	return to, nil
}

// transitions maps an operation and a status it may start from to the
// status it ends in; "" keeps the status.
var transitions = map[Operation]map[Status]Status{
	OpOpen:      {StatusOrdered: StatusActive},
	OpSuspend:   {StatusActive: StatusSuspended},
	OpResume:    {StatusSuspended: StatusActive},
	OpChange:    {StatusActive: StatusActive, StatusSuspended: StatusSuspended},
	OpRenew:     {StatusActive: StatusActive, StatusSuspended: StatusSuspended},
	OpDelete:    {StatusOrdered: StatusDeleted, StatusActive: StatusDeleted, StatusSuspended: StatusDeleted},
	OpSync:      {StatusActive: "", StatusSuspended: "", StatusProcessing: ""},
	OpUsage:     {StatusActive: "", StatusSuspended: "", StatusProcessing: ""},
	OpLoginLink: {StatusActive: "", StatusSuspended: "", StatusProcessing: ""},
}

// MovesStatus reports whether op takes a service through StatusProcessing
// as a task (open, suspend, resume, change, renew, delete) rather than
// reading it (sync, usage, login link).
func (o Operation) MovesStatus() bool {
	switch o {
	case OpOpen, OpSuspend, OpResume, OpChange, OpRenew, OpDelete:
		return true
	}
	return false
}

func describeStatus(s Status) string {
	if s == "" {
		return "without a status"
	}
	if !s.Valid() {
		return "in the unknown status " + string(s)
	}
	return string(s)
}

func describeOperation(o Operation) string {
	if !o.Valid() {
		return "do the unknown operation " + string(o)
	}
	return string(o)
}
