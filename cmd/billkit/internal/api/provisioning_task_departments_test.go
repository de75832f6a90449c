package api

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/provisioning"
)

// TestTasksOfADepartment lists departments' queues through GET /tasks:
// by a department's ID, or the caller's own with department=mine, and
// only by staff.
func TestTasksOfADepartment(t *testing.T) {
	w := newProvWorld(t)
	ctx := context.Background()
	dns, err := w.acc.CreateDepartment(ctx, system, access.CreateDepartmentParams{Name: "DNS desk"})
	if err != nil {
		t.Fatal(err)
	}
	colo, err := w.acc.CreateDepartment(ctx, system, access.CreateDepartmentParams{Name: "Colocation"})
	if err != nil {
		t.Fatal(err)
	}
	// Manual tasks of client A's service, as manual modules of the two
	// departments leave them.
	svc := w.f.prov.service
	task := func(dept string, status provisioning.TaskStatus) provisioning.TaskID {
		t.Helper()
		now := w.clock.Now()
		k := &provisioning.Task{ID: billkit.NewID[provisioning.Task](), ServiceID: svc, ClientID: w.clientA, Operation: provisioning.OpOpen,
			Module: "desk", Status: status, MaxAttempts: 8, Attempts: 1, NextRunAt: now, Department: dept, CreatedAt: now, UpdatedAt: now}
		if err := w.st.Provisioning().InsertTask(ctx, k); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Second)
		return k.ID
	}
	dnsWaiting := task(dns.ID.String(), provisioning.TaskWaiting)
	dnsDone := task(dns.ID.String(), provisioning.TaskDone)
	coloWaiting := task(colo.ID.String(), provisioning.TaskWaiting)
	task("", provisioning.TaskWaiting)

	ids := func(r response) []provisioning.TaskID {
		t.Helper()
		var out []provisioning.TaskID
		for _, tk := range decodeAs[List[provisioning.Task]](t, r).Items {
			out = append(out, tk.ID)
		}
		return out
	}
	staffList := func(query string) []provisioning.TaskID {
		t.Helper()
		return ids(send(t, w.asStaff, "GET", v1+"/tasks?"+query, "", 200))
	}
	if got := staffList("department=" + dns.ID.String() + "&status=waiting"); !slices.Equal(got, []provisioning.TaskID{dnsWaiting}) {
		t.Fatalf("the DNS desk's queue = %v, want %v", got, dnsWaiting)
	}
	if got := staffList("department=" + dns.ID.String()); !slices.Equal(got, []provisioning.TaskID{dnsWaiting, dnsDone}) {
		t.Fatalf("the DNS desk's tasks = %v", got)
	}
	if got := staffList("department=" + colo.ID.String() + "&status=waiting&client_id=" + w.clientA.String()); !slices.Equal(got, []provisioning.TaskID{coloWaiting}) {
		t.Fatalf("the colocation queue = %v", got)
	}
	// The task's JSON shows its department to staff.
	r := send(t, w.asStaff, "GET", v1+"/tasks/"+dnsWaiting.String(), "", 200)
	if got := r.object(t)["department"]; got != dns.ID.String() {
		t.Fatalf("department in the JSON = %v, want %s", got, dns.ID)
	}

	// A member of the DNS desk who may read tasks sees its queue with
	// department=mine; in both departments, both queues.
	desk := w.staff(t, "desk@example.com", false, billkit.R(provisioning.FunctionTask, billkit.OpRead))
	if _, err := w.acc.AddDepartmentMember(ctx, system, dns.ID, desk.ID); err != nil {
		t.Fatal(err)
	}
	asDesk := w.as(w.login(t, desk.Email))
	mine := func() []provisioning.TaskID {
		t.Helper()
		return ids(send(t, asDesk, "GET", v1+"/tasks?department=mine&status=waiting", "", 200))
	}
	if got := mine(); !slices.Equal(got, []provisioning.TaskID{dnsWaiting}) {
		t.Fatalf("mine = %v, want the DNS desk's queue", got)
	}
	if _, err := w.acc.AddDepartmentMember(ctx, system, colo.ID, desk.ID); err != nil {
		t.Fatal(err)
	}
	if got := mine(); !slices.Equal(got, []provisioning.TaskID{dnsWaiting, coloWaiting}) {
		t.Fatalf("mine in two departments = %v", got)
	}
	// Staff in no department have no queue of their own.
	if got := ids(send(t, w.asStaff, "GET", v1+"/tasks?department=mine", "", 200)); len(got) != 0 {
		t.Fatalf("mine of staff in no department = %v", got)
	}

	// Queues are staff's.
	mustFieldError(t, call(t, w.asA, loopback, "GET", v1+"/tasks?department="+dns.ID.String(), ""), 403, provisioning.ReasonStaffOnly, "")
	mustFieldError(t, call(t, w.asA, loopback, "GET", v1+"/tasks?department=mine", ""), 400, "provisioning.department_mine_staff", "department")
	mustFieldError(t, call(t, w.asStaff, loopback, "GET", v1+"/tasks?department=DNS%20desk", ""), 400, "id.malformed", "department")
	// An API key names the department.
	key, err := w.acc.CreateAPIKey(ctx, system, access.CreateAPIKeyParams{OwnerID: desk.ID, Name: "desk",
		Scopes: []billkit.Right{billkit.R(provisioning.FunctionTask, billkit.OpRead)}})
	if err != nil {
		t.Fatal(err)
	}
	asKey := w.withKey(key.Secret)
	mustFieldError(t, call(t, asKey, loopback, "GET", v1+"/tasks?department=mine", ""), 400, "provisioning.department_mine_staff", "department")
	if got := ids(send(t, asKey, "GET", v1+"/tasks?department="+colo.ID.String()+"&status=waiting", "", 200)); !slices.Equal(got, []provisioning.TaskID{coloWaiting}) {
		t.Fatalf("the colocation queue by API key = %v", got)
	}
}
