package provisioning_test

import (
	"slices"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
)

func TestManualModuleNames(t *testing.T) {
	if n := (provisioning.ManualModule{Department: "ops"}).Name(); n != provisioning.ManualModuleName || provisioning.ManualModuleName != "manual" {
		t.Fatalf("the built-in manual module is named %q", n)
	}
	r, err := provisioning.NewRegistry(provisioning.ManualModule{},
		provisioning.ManualModule{Module: "dns-desk", Department: "dns"},
		&provisioning.ManualModule{Module: "colo_desk", Department: "colo"})
	if err != nil {
		t.Fatal(err)
	}
	if names := r.Names(); !slices.Equal(names, []string{"colo_desk", "dns-desk", "manual"}) {
		t.Fatalf("names = %v", names)
	}
	for _, tc := range []struct {
		name   string
		mod    provisioning.Module
		reason string
	}{
		{"bad name", provisioning.ManualModule{Module: "DNS desk", Department: "dns"}, "provisioning.module_name_invalid"},
		{"long name", provisioning.ManualModule{Module: string(make([]byte, 65)), Department: "dns"}, "provisioning.module_name_invalid"},
		{"taken", provisioning.ManualModule{Module: "dns-desk", Department: "noc"}, "provisioning.module_duplicate"},
		{"the built-in's", provisioning.ManualModule{Department: "noc"}, "provisioning.module_duplicate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantField(t, r.Register(tc.mod), "module", tc.reason)
		})
	}
}

// manualProduct adds a product type driven by module, with one monthly
// tariff, and returns that tariff.
func (e *env) manualProduct(t *testing.T, code, module string) *catalog.Tariff {
	t.Helper()
	doc := vpsDoc()
	doc.Code, doc.Name, doc.Module = code, text(code), module
	if _, err := e.cat.CreateProductType(ctx, system, e.prov.ID, doc); err != nil {
		t.Fatal(err)
	}
	tr, err := e.cat.CreateTariff(ctx, system, e.prov.ID, catalog.TariffDoc{
		Code: code + "-1", Name: text(code + " 1"), ProductType: code, Currency: "USD", Prices: []catalog.Price{monthly("5.00")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// openManual opens a new service of tariff for the client, as a paid
// order would, and runs its task: the manual module answers at once that
// it waits.
func (e *env) openManual(t *testing.T, client billkit.ClientID, tariff *catalog.Tariff) *provisioning.Service {
	t.Helper()
	today := billkit.DateOf(e.clock.Now())
	src, err := e.mgr.ImportServices(ctx, system, []provisioning.ImportServiceParams{{
		ClientID: client, TariffID: tariff.ID, Period: catalog.PeriodMonth, Name: tariff.Code, ExpiresOn: today.AddMonths(1),
	}})
	if err != nil {
		t.Fatal(err)
	}
	clone := must[*provisioning.Service](t)(e.mgr.CloneService(ctx, system, src[0].ID))
	svc := must[*provisioning.Service](t)(e.mgr.OpenService(ctx, admin(), clone.ID, ""))
	e.runTasks(t)
	return svc
}

// queue lists a department's queue as staff do: its waiting tasks.
func (e *env) queue(t *testing.T, actor billkit.Actor, depts ...string) []provisioning.TaskID {
	t.Helper()
	page := must[billkit.Page[provisioning.Task]](t)(e.mgr.ListTasks(ctx, actor, provisioning.TaskFilter{
		Departments: depts, Statuses: []provisioning.TaskStatus{provisioning.TaskWaiting},
	}))
	ids := []provisioning.TaskID{}
	for _, tk := range page.Items {
		ids = append(ids, tk.ID)
	}
	return ids
}

// TestManualModulesKeepTheirQueues follows the work of two manual modules,
// each for its department: an opened service's task waits in its
// department's queue, apart from the other's, until staff complete it, and
// the service becomes active.
func TestManualModulesKeepTheirQueues(t *testing.T) {
	e := newEnv(t, withModules(
		provisioning.ManualModule{Module: "dns-desk", Department: "dns"},
		&provisioning.ManualModule{Module: "colo-desk", Department: "colo"},
	))
	zone := e.openManual(t, e.client.ID, e.manualProduct(t, "zone", "dns-desk"))
	rack := e.openManual(t, e.client.ID, e.manualProduct(t, "rack", "colo-desk"))

	zt, rt := e.task(t, zone.TaskID), e.task(t, rack.TaskID)
	if zt.Module != "dns-desk" || zt.Status != provisioning.TaskWaiting || zt.Department != "dns" || zt.Operation != provisioning.OpOpen {
		t.Fatalf("the zone's task = %+v", zt)
	}
	if rt.Module != "colo-desk" || rt.Status != provisioning.TaskWaiting || rt.Department != "colo" {
		t.Fatalf("the rack's task = %+v", rt)
	}
	if s := e.service(t, zone.ID); s.Status != provisioning.StatusProcessing {
		t.Fatalf("the zone is %s while its task waits", s.Status)
	}

	// Each department sees its own queue; together, both.
	if q := e.queue(t, admin(), "dns"); !slices.Equal(q, []provisioning.TaskID{zt.ID}) {
		t.Fatalf("dns queue = %v, want the zone's task", q)
	}
	if q := e.queue(t, admin(), "colo"); !slices.Equal(q, []provisioning.TaskID{rt.ID}) {
		t.Fatalf("colo queue = %v, want the rack's task", q)
	}
	if q := e.queue(t, admin(), "colo", "dns"); len(q) != 2 {
		t.Fatalf("both queues = %v", q)
	}
	if q := e.queue(t, admin(), "billing"); len(q) != 0 {
		t.Fatalf("another department's queue = %v", q)
	}
	if q := e.queue(t, admin()); len(q) != 2 {
		t.Fatalf("no department: %v", q)
	}

	// Staff of the dns department do the work and mark it done.
	tk := must[*provisioning.Task](t)(e.mgr.CompleteTask(ctx, admin(), zt.ID, provisioning.CompleteTaskParams{
		Params: map[string]string{"zone": "example.com"}, Message: "zone created by hand",
	}))
	if tk.Status != provisioning.TaskDone || tk.Department != "dns" {
		t.Fatalf("completed task = %+v", tk)
	}
	s := e.service(t, zone.ID)
	if s.Status != provisioning.StatusActive || s.Params["zone"] != "example.com" || !s.TaskID.IsZero() {
		t.Fatalf("the zone after its task = %+v", s)
	}
	if q := e.queue(t, admin(), "dns"); len(q) != 0 {
		t.Fatalf("dns queue after the work = %v", q)
	}
	if q := e.queue(t, admin(), "colo"); !slices.Equal(q, []provisioning.TaskID{rt.ID}) {
		t.Fatalf("colo queue after the dns work = %v", q)
	}
	// The done task stays in its department's history.
	done := must[billkit.Page[provisioning.Task]](t)(e.mgr.ListTasks(ctx, admin(), provisioning.TaskFilter{Departments: []string{"dns"}}))
	if len(done.Items) != 1 || done.Items[0].ID != zt.ID || done.Items[0].Status != provisioning.TaskDone {
		t.Fatalf("dns tasks = %+v", done.Items)
	}

	// The next operation on the rack goes to the colo queue again; the
	// other module's tasks have no department.
	must[*provisioning.Task](t)(e.mgr.CompleteTask(ctx, admin(), rt.ID, provisioning.CompleteTaskParams{}))
	susp := must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), rack.ID, provisioning.SuspendStaff, ""))
	e.runTasks(t)
	if q := e.queue(t, admin(), "colo"); !slices.Equal(q, []provisioning.TaskID{susp.TaskID}) {
		t.Fatalf("colo queue after a suspension = %v", q)
	}
	vps := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	vps = must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), vps.ID, provisioning.SuspendStaff, ""))
	e.runTasks(t)
	if tk := e.task(t, vps.TaskID); tk.Status != provisioning.TaskDone || tk.Department != "" {
		t.Fatalf("the test module's task = %+v", tk)
	}
}

// TestDepartmentQueuesAreStaffs checks who may list a queue: a client
// neither sees its tasks' department nor filters by one.
func TestDepartmentQueuesAreStaffs(t *testing.T) {
	e := newEnv(t, withModules(provisioning.ManualModule{Module: "dns-desk", Department: "dns"}))
	zone := e.openManual(t, e.client.ID, e.manualProduct(t, "zone", "dns-desk"))

	client := customer(e.client.ID)
	_, err := e.mgr.ListTasks(ctx, client, provisioning.TaskFilter{Departments: []string{"dns"}})
	wantCode(t, err, billkit.CodeForbidden, provisioning.ReasonStaffOnly)
	_, err = e.mgr.ListTasks(ctx, client, provisioning.TaskFilter{Departments: []string{}})
	wantCode(t, err, billkit.CodeForbidden, provisioning.ReasonStaffOnly)
	if tk := must[*provisioning.Task](t)(e.mgr.GetTask(ctx, client, zone.TaskID)); tk.Department != "" {
		t.Fatalf("the client sees the department %q", tk.Department)
	}
	mine := must[billkit.Page[provisioning.Task]](t)(e.mgr.ListTasks(ctx, client, provisioning.TaskFilter{}))
	for _, tk := range mine.Items {
		if tk.Department != "" {
			t.Fatalf("the client's list shows the department %q", tk.Department)
		}
	}

	_, err = e.mgr.ListTasks(ctx, admin(), provisioning.TaskFilter{Departments: []string{"dns", ""}})
	wantField(t, err, "departments[1]", "required")
	// Staff with no right on tasks see no queue.
	_, err = e.mgr.ListTasks(ctx, staff(), provisioning.TaskFilter{Departments: []string{"dns"}})
	wantCode(t, err, billkit.CodeForbidden, "")
	// Staff in no department list an empty set of departments: nothing.
	if q := e.queue(t, admin(), []string{}...); len(q) != 0 {
		t.Fatalf("no department's queue = %v", q)
	}
}
