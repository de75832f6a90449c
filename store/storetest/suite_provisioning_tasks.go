package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

// runProvTaskDepartments checks the departments' queues: the department a
// manual task waits on is stored, kept by a claim, changed by an update,
// and selected by TaskFilter.Departments, alone or with the other filters.
func runProvTaskDepartments(t *testing.T, fixture func(t *testing.T) *provFixture) {
	ctx := context.Background()

	t.Run("stored", func(t *testing.T) {
		f := fixture(t)
		svc := f.service(t, f.client.ID, nil)
		// A task starts with no department and gets its module's when it
		// starts waiting.
		k := f.task(t, svc, nil)
		got, err := f.p.GetTask(ctx, k.ID)
		must(t, err)
		if got.Department != "" {
			t.Fatalf("a new task's department = %q, want none", got.Department)
		}
		now := t0.Add(time.Hour)
		claimed, err := f.p.ClaimTask(ctx, k.ID, now, now.Add(time.Minute))
		must(t, err)
		claimed.Status, claimed.Department, claimed.LeaseUntil, claimed.UpdatedAt = provisioning.TaskWaiting, "dns-desk", time.Time{}, now
		must(t, f.p.UpdateTask(ctx, claimed))
		got, err = f.p.GetTask(ctx, k.ID)
		must(t, err)
		if got.Department != "dns-desk" || got.Status != provisioning.TaskWaiting {
			t.Fatalf("after UpdateTask: department %q, status %s", got.Department, got.Status)
		}
		// Retried, it is claimed again with its department, which it keeps
		// until an update changes it.
		got.Status, got.NextRunAt, got.UpdatedAt = provisioning.TaskQueued, now, now
		must(t, f.p.UpdateTask(ctx, got))
		again, err := f.p.ClaimTask(ctx, k.ID, now, now.Add(time.Minute))
		must(t, err)
		if again == nil || again.Department != "dns-desk" {
			t.Fatalf("claimed again: %+v", again)
		}
	})

	t.Run("list", func(t *testing.T) {
		f := fixture(t)
		b := f.billingFixture.client(t, "B")
		s1, s2 := f.service(t, f.client.ID, nil), f.service(t, b.ID, nil)
		type spec struct {
			svc    *provisioning.Service
			dept   string
			status provisioning.TaskStatus
		}
		var all []provisioning.Task
		for _, sp := range []spec{
			{s1, "dns", provisioning.TaskWaiting},
			{s2, "dns", provisioning.TaskWaiting},
			{s1, "dns", provisioning.TaskDone},
			{s2, "dns", provisioning.TaskFailed},
			{s1, "colo", provisioning.TaskWaiting},
			{s2, "colo", provisioning.TaskCancelled},
			{s1, "", provisioning.TaskWaiting}, // a webhook's, or the built-in manual module's
			{s2, "", provisioning.TaskQueued},
			{s1, "DNS", provisioning.TaskWaiting}, // another department: names are exact
		} {
			all = append(all, *f.task(t, sp.svc, func(k *provisioning.Task) { k.Department, k.Status = sp.dept, sp.status }))
		}
		id := func(k provisioning.Task) string { return k.ID.String() }
		in := func(k provisioning.Task, depts ...string) bool {
			for _, d := range depts {
				if k.Department == d && d != "" {
					return true
				}
			}
			return false
		}
		waiting := []provisioning.TaskStatus{provisioning.TaskWaiting}
		checkFilters(t, "tasks", all, id, []filterCase[provisioning.Task, provisioning.TaskFilter]{
			{"none", provisioning.TaskFilter{}, func(provisioning.Task) bool { return true }},
			{"one", provisioning.TaskFilter{Departments: []string{"dns"}}, func(k provisioning.Task) bool { return in(k, "dns") }},
			{"two", provisioning.TaskFilter{Departments: []string{"colo", "dns"}}, func(k provisioning.Task) bool { return in(k, "colo", "dns") }},
			{"queue", provisioning.TaskFilter{Departments: []string{"dns"}, Statuses: waiting},
				func(k provisioning.Task) bool { return in(k, "dns") && k.Status == provisioning.TaskWaiting }},
			{"queue_of_client", provisioning.TaskFilter{Departments: []string{"dns"}, Statuses: waiting, ClientIDs: []billkit.ClientID{b.ID}},
				func(k provisioning.Task) bool {
					return in(k, "dns") && k.Status == provisioning.TaskWaiting && k.ClientID == b.ID
				}},
			{"of_service", provisioning.TaskFilter{Departments: []string{"dns", "colo"}, ServiceID: s2.ID},
				func(k provisioning.Task) bool { return in(k, "dns", "colo") && k.ServiceID == s2.ID }},
			{"unknown", provisioning.TaskFilter{Departments: []string{"billing"}}, func(provisioning.Task) bool { return false }},
			{"empty", provisioning.TaskFilter{Departments: []string{}}, func(provisioning.Task) bool { return false }},
			{"no_department", provisioning.TaskFilter{Departments: []string{""}}, func(provisioning.Task) bool { return false }},
		}, func(fl provisioning.TaskFilter, pp billkit.PageParams) (billkit.Page[provisioning.Task], error) {
			fl.PageParams = pp
			return f.p.ListTasks(ctx, fl)
		})
	})
}
