package provisioning_test

import (
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

func TestTransitionEveryPair(t *testing.T) {
	const (
		ordered    = provisioning.StatusOrdered
		processing = provisioning.StatusProcessing
		active     = provisioning.StatusActive
		suspended  = provisioning.StatusSuspended
		deleted    = provisioning.StatusDeleted
	)
	// want lists the allowed pairs and where they end; every other pair is
	// refused.
	want := map[provisioning.Operation]map[provisioning.Status]provisioning.Status{
		provisioning.OpOpen:      {ordered: active},
		provisioning.OpSuspend:   {active: suspended},
		provisioning.OpResume:    {suspended: active},
		provisioning.OpChange:    {active: active, suspended: suspended},
		provisioning.OpRenew:     {active: active, suspended: suspended},
		provisioning.OpDelete:    {ordered: deleted, active: deleted, suspended: deleted},
		provisioning.OpSync:      {active: active, suspended: suspended, processing: processing},
		provisioning.OpUsage:     {active: active, suspended: suspended, processing: processing},
		provisioning.OpLoginLink: {active: active, suspended: suspended, processing: processing},
	}
	statuses := append(provisioning.Statuses(), "", "frozen")
	ops := append(provisioning.Operations(), "", "reboot")
	for _, op := range ops {
		for _, from := range statuses {
			got, err := provisioning.Transition(from, op)
			to, ok := want[op][from]
			if ok {
				if err != nil || got != to {
					t.Errorf("Transition(%q, %q) = %q, %v; want %q", from, op, got, err, to)
				}
				continue
			}
			if got != "" || billkit.ErrorCode(err) != billkit.CodeFailedPrecondition || billkit.ErrorReason(err) != provisioning.ReasonOperationNotAllowed {
				t.Errorf("Transition(%q, %q) = %q, %v; want operation_not_allowed", from, op, got, err)
				continue
			}
			// The message names both the status and the operation.
			msg := err.Error()
			if !strings.Contains(msg, string(from)) || !strings.Contains(msg, string(op)) {
				t.Errorf("Transition(%q, %q) message %q does not name both", from, op, msg)
			}
		}
	}
}

func TestOperationMovesStatus(t *testing.T) {
	for _, op := range provisioning.Operations() {
		moves := op != provisioning.OpSync && op != provisioning.OpUsage && op != provisioning.OpLoginLink
		if op.MovesStatus() != moves {
			t.Errorf("%s.MovesStatus() = %v", op, op.MovesStatus())
		}
		// Nothing that moves a service starts while it is processing.
		if _, err := provisioning.Transition(provisioning.StatusProcessing, op); moves && err == nil {
			t.Errorf("%s allowed while processing", op)
		}
	}
}
