package provisioning_test

import (
	"testing"
	"time"

	"github.com/billkit/billkit/provisioning"
)

// renewOnSystem makes the vps product type renew on the system, as a
// registrar's domains do.
func (e *env) renewOnSystem(t *testing.T) {
	t.Helper()
	doc := vpsDoc()
	doc.Lifecycle.RenewOnSystem = true
	if _, err := e.cat.UpdateProductType(ctx, system, e.vps.ID, doc); err != nil {
		t.Fatal(err)
	}
}

// renewRequests returns the renew requests the test module received.
func (e *env) renewRequests() []provisioning.Request {
	var out []provisioning.Request
	for _, r := range e.mod.requests() {
		if r.Operation == provisioning.OpRenew {
			out = append(out, r)
		}
	}
	return out
}

func TestCycleRenewsOnSystem(t *testing.T) {
	e := newEnv(t)
	e.renewOnSystem(t)
	svc := e.activeService(t, e.client.ID, provisioning.ServerID{})
	expires := svc.ExpiresOn
	e.clock.Set(expires.In(time.UTC).Add(time.Hour))

	rep, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
	if err != nil || len(rep.Failures) > 0 {
		t.Fatalf("RunCycle: %v %+v", err, rep.Failures)
	}
	if rep.Renewals != 1 {
		t.Fatalf("renewals = %d, want 1", rep.Renewals)
	}
	// Paid, and the renewal on the system under way in the same commit.
	got := e.service(t, svc.ID)
	if got.Status != provisioning.StatusProcessing || got.Operation != provisioning.OpRenew {
		t.Fatalf("service is %s (%s), want processing a renew", got.Status, got.Operation)
	}
	if got.ExpiresOn != expires.AddMonths(1) {
		t.Fatalf("expires on %s, want %s", got.ExpiresOn, expires.AddMonths(1))
	}
	e.drainTasks(t)

	reqs := e.renewRequests()
	if len(reqs) != 1 {
		t.Fatalf("%d renew requests, want 1", len(reqs))
	}
	if reqs[0].Service.ExpiresOn != expires.AddMonths(1) {
		t.Errorf("the module was asked to renew to %s, want %s", reqs[0].Service.ExpiresOn, expires.AddMonths(1))
	}
	if got := e.service(t, svc.ID); got.Status != provisioning.StatusActive {
		t.Errorf("after the renew task the service is %s, want active", got.Status)
	}

	// A second run the same day renews nothing and asks nothing.
	rep = e.cycle(t)
	if rep.Renewals != 0 || len(e.renewRequests()) != 1 {
		t.Errorf("second run: %d renewals, %d renew requests; want 0 and 1", rep.Renewals, len(e.renewRequests()))
	}
	if n := len(e.renewals(t, svc.ID)); n != 1 {
		t.Errorf("%d periods paid, want 1", n)
	}
}

func TestCycleRenewsOnSystemOnlyWhereTheTypeSays(t *testing.T) {
	e := newEnv(t)
	svc := e.activeService(t, e.client.ID, provisioning.ServerID{})
	e.clock.Set(svc.ExpiresOn.In(time.UTC).Add(time.Hour))
	if rep := e.cycle(t); rep.Renewals != 1 {
		t.Fatalf("renewals = %d, want 1", rep.Renewals)
	}
	if n := len(e.renewRequests()); n != 0 {
		t.Errorf("%d renew requests for a type that renews in billing only, want 0", n)
	}
	if got := e.service(t, svc.ID); got.Status != provisioning.StatusActive {
		t.Errorf("service is %s, want active", got.Status)
	}
}

func TestRenewServiceRenewsOnSystem(t *testing.T) {
	e := newEnv(t)
	e.renewOnSystem(t)
	svc := e.activeService(t, e.client.ID, provisioning.ServerID{})

	got, err := e.mgr.RenewService(ctx, customer(e.client.ID), svc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != provisioning.StatusProcessing || got.Operation != provisioning.OpRenew {
		t.Fatalf("service is %s (%s), want processing a renew", got.Status, got.Operation)
	}
	e.drainTasks(t)
	reqs := e.renewRequests()
	if len(reqs) != 1 || reqs[0].Service.ExpiresOn != svc.ExpiresOn.AddMonths(1) {
		t.Fatalf("renew requests %+v, want one to %s", reqs, svc.ExpiresOn.AddMonths(1))
	}

	// While the system renews, the service is busy: a second early
	// renewal waits for it rather than queueing a second task.
	if _, err := e.mgr.RenewService(ctx, customer(e.client.ID), svc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.mgr.RenewService(ctx, customer(e.client.ID), svc.ID); err == nil {
		t.Fatal("renewing a service busy renewing on its system succeeded")
	}
	rs := e.renewals(t, svc.ID)
	if len(rs) != 2 {
		t.Fatalf("%d periods paid, want 2 (the refused renewal charged nothing)", len(rs))
	}
	// One renewal, one action, naming the expense (the slow lane's, as
	// the cycle's fast lane in TestCycleRenewsOncePerPeriod).
	for _, r := range rs {
		if n := e.actions(t, "billing.expense.create", r.ExpenseID.String()); n != 0 {
			t.Errorf("%d expense.create actions for a renewal's expense, want 0", n)
		}
		if n := e.count(t, "billkit_actions", "name = 'provisioning.service.renew' AND CAST(changes AS text) LIKE ?", "%"+r.ExpenseID.String()+"%"); n != 1 {
			t.Errorf("%d renew actions name expense %s, want 1", n, r.ExpenseID)
		}
	}
}

func TestResumeCarriesTheNewExpiry(t *testing.T) {
	e := newEnv(t)
	e.renewOnSystem(t)
	poor := e.newClient(t, "Poor")
	svc := e.activeService(t, poor.ID, provisioning.ServerID{})
	expires := svc.ExpiresOn
	// Unpaid: suspended after the grace days.
	e.upTo(t, expires.AddDays(3))
	if got := e.service(t, svc.ID); got.Status != provisioning.StatusSuspended {
		t.Fatalf("service is %s, want suspended", got.Status)
	}
	e.topUp(t, poor.ID, "10.00")
	rep := e.cycle(t)
	if rep.Resumptions != 1 {
		t.Fatalf("resumptions = %d, want 1", rep.Resumptions)
	}
	// One operation: the resumption, whose request carries the new expiry
	// the module brings its system to; no separate renew.
	if n := len(e.renewRequests()); n != 0 {
		t.Errorf("%d renew requests beside the resumption, want 0", n)
	}
	var resume *provisioning.Request
	for _, r := range e.mod.requests() {
		if r.Operation == provisioning.OpResume {
			resume = &r
		}
	}
	got := e.service(t, svc.ID)
	if resume == nil || resume.Service.ExpiresOn != got.ExpiresOn || !got.ExpiresOn.After(expires) {
		t.Fatalf("resume request %+v; service expires on %s", resume, got.ExpiresOn)
	}
}
