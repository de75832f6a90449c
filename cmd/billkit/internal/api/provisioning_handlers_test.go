package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
)

// provWorld is a world with the matrix's fixtures, client A's balance
// topped up, and signed-in callers: staff with full rights, and a customer
// of each client whose role holds every right a client may hold in
// provisioning.
type provWorld struct {
	*world
	f       *fixtures
	clientA billkit.ClientID
	// asStaff, asA and asB are the API as staff with full rights, as the
	// customer of client A and as the customer of client B.
	asStaff, asA, asB http.Handler
}

func newProvWorld(t *testing.T) *provWorld {
	t.Helper()
	w := newWorld(t)
	f := w.fixtures(t)
	if _, err := w.bill.Post(context.Background(), system, billing.PostParams{ClientID: f.clientA, Amount: usd("100.00"), Kind: billing.LedgerPayment}); err != nil {
		t.Fatal(err)
	}
	pw := &provWorld{world: w, f: f, clientA: f.clientA}
	pw.asStaff = w.as(w.login(t, w.admin.Email))
	pw.asA = w.as(w.login(t, w.provCustomer(t, "alice@example.com", f.clientA).Email))
	pw.asB = w.as(w.login(t, w.provCustomer(t, "bob@example.com", f.clientB).Email))
	return pw
}

// provCustomer makes a customer user of client whose role holds every
// right on provisioning's client functions: what a client's owner does in
// a panel.
func (w *world) provCustomer(t *testing.T, email string, client billkit.ClientID) *access.User {
	t.Helper()
	ctx := context.Background()
	u, err := w.acc.CreateUser(ctx, system, access.CreateUserParams{Kind: access.UserKindCustomer, Email: email, Name: email, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	var rights []billkit.Right
	for _, fn := range provisioning.ClientFunctions() {
		for _, op := range billkit.Operations() {
			rights = append(rights, billkit.R(fn, op))
		}
	}
	if _, err := w.acc.AddMember(ctx, system, client, u.ID, access.RoleCustom, rights); err != nil {
		t.Fatal(err)
	}
	return u
}

// runTasks runs the tasks that are due, as the worker would.
func (w *world) runTasks(t *testing.T) int {
	t.Helper()
	n, err := w.prov.RunDueTasks(context.Background(), 100)
	if err != nil {
		t.Fatalf("RunDueTasks: %v", err)
	}
	return n
}

func decodeAs[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	r.decode(t, &v)
	return v
}

func (w *world) balance(t *testing.T, client billkit.ClientID) billkit.Money {
	t.Helper()
	b, err := w.bill.Balance(context.Background(), system, client)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const v1 = "/api/v1"

// TestServiceLifeThroughTheAPI follows a service from the client's order
// to its suspension by staff and back, and what the client may do to it.
func TestServiceLifeThroughTheAPI(t *testing.T) {
	w := newProvWorld(t)
	p := &w.f.prov
	a := w.clientA.String()

	r := send(t, w.asA, "POST", v1+"/orders", `{"client_id":"`+a+`","pay_by":"invoice","items":[{"tariff_id":"`+p.vm1.String()+`","period":"month"}]}`, 201)
	o := decodeAs[provisioning.Order](t, r)
	if o.Status != provisioning.OrderNew || !o.Total.Equal(usd("5.00")) || o.ClientID != w.clientA {
		t.Fatalf("order: %s", r.Body)
	}
	before := w.balance(t, w.clientA)
	o = decodeAs[provisioning.Order](t, send(t, w.asA, "POST", v1+"/orders/"+o.ID.String()+"/pay", "", 200))
	if o.Status != provisioning.OrderPaid || len(o.Items[0].ServiceIDs) != 1 {
		t.Fatalf("paid order: %+v", o)
	}
	if got, _ := before.Sub(w.balance(t, w.clientA)); !got.Equal(usd("5.00")) {
		t.Fatalf("the order cost %s", got)
	}
	svcPath := v1 + "/services/" + o.Items[0].ServiceIDs[0].String()
	svc := decodeAs[provisioning.Service](t, send(t, w.asA, "GET", svcPath, "", 200))
	if svc.Status != provisioning.StatusProcessing || svc.Operation != provisioning.OpOpen || svc.ServerID != p.server {
		t.Fatalf("ordered service: %+v", svc)
	}

	if w.runTasks(t) == 0 {
		t.Fatal("no task ran")
	}
	svc = decodeAs[provisioning.Service](t, send(t, w.asA, "GET", svcPath, "", 200))
	if svc.Status != provisioning.StatusActive || svc.Params["remote_id"] == "" || svc.ExpiresOn != billkit.MustDate(2025, 4, 10) {
		t.Fatalf("opened service: %+v", svc)
	}
	if o := decodeAs[provisioning.Order](t, send(t, w.asA, "GET", v1+"/orders/"+o.ID.String(), "", 200)); o.Status != provisioning.OrderCompleted {
		t.Fatalf("order after opening: %s", o.Status)
	}

	// Staff suspend for abuse; the client may not lift it, staff may.
	svc = decodeAs[provisioning.Service](t, send(t, w.asStaff, "POST", svcPath+"/suspend", `{"reason":"abuse","memo":"spam"}`, 200))
	if svc.Status != provisioning.StatusProcessing || svc.Operation != provisioning.OpSuspend {
		t.Fatalf("suspending: %+v", svc)
	}
	w.runTasks(t)
	svc = decodeAs[provisioning.Service](t, send(t, w.asA, "GET", svcPath, "", 200))
	if svc.Status != provisioning.StatusSuspended || svc.SuspendReason != provisioning.SuspendAbuse {
		t.Fatalf("suspended: %+v", svc)
	}
	mustFieldError(t, call(t, w.asA, loopback, "POST", svcPath+"/resume", ""), 403, provisioning.ReasonStaffOnly, "")
	send(t, w.asStaff, "POST", svcPath+"/resume", `{"memo":"cleaned up"}`, 200)
	w.runTasks(t)
	if svc = decodeAs[provisioning.Service](t, send(t, w.asA, "GET", svcPath, "", 200)); svc.Status != provisioning.StatusActive || svc.SuspendReason != "" {
		t.Fatalf("resumed: %+v", svc)
	}

	// What the client sees and may do.
	events := decodeAs[List[provisioning.ServiceEvent]](t, send(t, w.asA, "GET", svcPath+"/history", "", 200))
	var tos []provisioning.Status
	for _, e := range events.Items {
		tos = append(tos, e.To)
	}
	if want := []provisioning.Status{provisioning.StatusSuspended, provisioning.StatusActive}; !slices.Contains(tos, want[0]) || tos[len(tos)-1] != want[1] {
		t.Fatalf("history statuses %v", tos)
	}
	renewals := decodeAs[List[provisioning.Renewal]](t, send(t, w.asA, "GET", svcPath+"/renewals", "", 200))
	if len(renewals.Items) != 1 || renewals.Items[0].Kind != "order" || !renewals.Items[0].Amount.Equal(usd("5.00")) {
		t.Fatalf("renewals: %+v", renewals.Items)
	}
	tasks := decodeAs[List[provisioning.Task]](t, send(t, w.asA, "GET", v1+"/tasks?service_id="+svc.ID.String(), "", 200))
	if len(tasks.Items) != 3 {
		t.Fatalf("%d tasks, want open, suspend and resume", len(tasks.Items))
	}
	if link := decodeAs[LoginLink](t, send(t, w.asA, "POST", svcPath+"/login-link", "", 200)); !strings.HasPrefix(link.URL, "https://panel.example.com/") {
		t.Fatalf("login link %q", link.URL)
	}
	u := decodeAs[ServiceUsage](t, send(t, w.asA, "GET", svcPath+"/usage?from=2025-03-01T00:00:00Z&to=2025-03-10T00:00:00Z", "", 200))
	if u.Usage["traffic"] != "12.5" {
		t.Fatalf("usage %+v", u)
	}
	if svc = decodeAs[provisioning.Service](t, send(t, w.asA, "PUT", svcPath+"/auto-renew", `{"on":false}`, 200)); svc.AutoRenew {
		t.Fatal("auto-renew still on")
	}
	before = w.balance(t, w.clientA)
	if svc = decodeAs[provisioning.Service](t, send(t, w.asA, "POST", svcPath+"/renew", "", 200)); svc.ExpiresOn != billkit.MustDate(2025, 5, 10) {
		t.Fatalf("renewed until %s", svc.ExpiresOn)
	}
	if got, _ := before.Sub(w.balance(t, w.clientA)); !got.Equal(usd("5.00")) {
		t.Fatalf("the renewal cost %s", got)
	}
	tl := decodeAs[provisioning.Timeline](t, send(t, w.asA, "GET", v1+"/clients/"+a+"/timeline?days=40", "", 200))
	if len(tl.Days) != 40 || tl.ClientID != w.clientA {
		t.Fatalf("timeline of %d days", len(tl.Days))
	}
}

// TestServicesOfOtherClients checks that a customer sees nothing of
// another client's orders, services and tasks, and that customers cannot
// call staff's operations.
func TestServicesOfOtherClients(t *testing.T) {
	w := newProvWorld(t)
	p := &w.f.prov
	svc := v1 + "/services/" + p.service.String()
	a := w.clientA.String()

	for _, c := range []struct{ method, path, body string }{
		{"GET", svc, ""},
		{"GET", svc + "/history", ""},
		{"POST", svc + "/suspend", `{"reason":"client"}`},
		{"POST", svc + "/renew", ""},
		{"DELETE", svc, ""},
		{"GET", v1 + "/orders/" + p.order.String(), ""},
		{"POST", v1 + "/orders/" + p.order.String() + "/cancel", ""},
		{"GET", v1 + "/tasks/" + p.task.String(), ""},
		{"GET", v1 + "/clients/" + a + "/timeline", ""},
		{"POST", v1 + "/orders", `{"client_id":"` + a + `","items":[{"tariff_id":"` + p.vm1.String() + `","period":"month"}]}`},
	} {
		mustStatus(t, call(t, w.asB, loopback, c.method, c.path, c.body), 404)
	}
	for _, path := range []string{"/services", "/services?client_id=" + a, "/orders", "/tasks?client_id=" + a} {
		if l := decodeAs[List[json.RawMessage]](t, send(t, w.asB, "GET", v1+path, "", 200)); len(l.Items) != 0 {
			t.Fatalf("GET %s shows client B %d of client A's objects", path, len(l.Items))
		}
	}
	if l := decodeAs[List[provisioning.Service]](t, send(t, w.asA, "GET", v1+"/services", "", 200)); len(l.Items) != 2 {
		t.Fatalf("client A sees %d services, want its 2", len(l.Items))
	}

	for _, c := range []struct{ method, path, body string }{
		{"POST", v1 + "/datacenters", `{"provider_id":"` + w.f.provider.String() + `","code":"x","name":"X"}`},
		{"GET", v1 + "/servers", ""},
		{"POST", v1 + "/cycle/run", `{"dry_run":true}`},
		{"POST", svc + "/clone", ""},
		{"POST", svc + "/open", ""},
		{"POST", svc + "/sync", ""},
		{"PUT", svc + "/special-price", `{"price":{"amount":"1.00","currency":"USD"}}`},
		{"POST", svc + "/move", `{"client_id":"` + w.f.clientB.String() + `"}`},
		{"POST", svc + "/suspend", `{"reason":"abuse"}`},
		{"POST", v1 + "/services/import", `{"services":[{"client_id":"` + a + `","tariff_id":"` + p.vm1.String() +
			`","period":"month","name":"mine","expires_on":"2025-04-10"}]}`},
		{"POST", v1 + "/tasks/" + p.task.String() + "/skip", ""},
		{"POST", v1 + "/tasks/" + p.task.String() + "/complete", ""},
	} {
		r := call(t, w.asA, loopback, c.method, c.path, c.body)
		if r.Status != 403 {
			t.Errorf("%s %s as client A: %d, want 403: %s", c.method, c.path, r.Status, r.Body)
		}
	}
	if s := decodeAs[provisioning.Service](t, send(t, w.asStaff, "GET", svc, "", 200)); s.Status != provisioning.StatusActive || s.ClientID != w.clientA {
		t.Fatalf("the refused calls changed the service: %+v", s)
	}
}

// TestProvisioningBadInput checks that bad input is refused with the field
// named, and never with a server error.
func TestProvisioningBadInput(t *testing.T) {
	w := newProvWorld(t)
	p := &w.f.prov
	svc := v1 + "/services/" + p.service.String()
	a := w.clientA.String()
	order := func(item string) string { return `{"client_id":"` + a + `","items":[` + item + `]}` }

	for _, c := range []struct {
		h                          http.Handler
		method, path, body, reason string
		status                     int
		field                      string
	}{
		{w.asA, "POST", "/orders", order(`{"tariff_id":"` + p.vm1.String() + `","period":"fortnight"}`), catalog.ReasonPeriodUnknown, 400, "items[0].period"},
		{w.asA, "POST", "/orders", order(`{"tariff_id":"` + p.vm1.String() + `","period":"month","quantity":1000}`), provisioning.ReasonQuantityOutOfRange, 400, "items[0].quantity"},
		{w.asA, "POST", "/orders", `{"client_id":"` + a + `","items":[]}`, "required", 400, "items"},
		{w.asA, "POST", "/orders", `{"client_id":"` + a + `","pay_by":"cash","items":[{"tariff_id":"` + p.vm1.String() + `","period":"month"}]}`, provisioning.ReasonPayByUnknown, 400, "pay_by"},
		{w.asA, "POST", "/orders", `{"client_id":"nobody","items":[{"tariff_id":"` + p.vm1.String() + `","period":"month"}]}`, "", 400, "client_id"},
		{w.asA, "POST", "/orders", order(`{"tariff_id":"vm-1","period":"month"}`), "", 400, "items[0].tariff_id"},
		{w.asA, "GET", "/services/not-an-id", "", "id.malformed", 400, "id"},
		{w.asA, "GET", "/orders/42", "", "id.malformed", 400, "id"},
		{w.asA, "GET", "/tasks/xyz/attempts", "", "id.malformed", 400, "id"},
		{w.asA, "GET", "/services?client_id=nobody", "", "id.malformed", 400, "client_id"},
		{w.asA, "GET", "/clients/" + a + "/timeline?days=0", "", "", 400, "days"},
		{w.asA, "GET", "/clients/" + a + "/timeline?days=400", "", "", 400, "days"},
		{w.asA, "GET", svc + "/usage?from=yesterday&to=2025-03-10T00:00:00Z", "", "", 400, "from"},
		{w.asA, "GET", svc + "/usage?from=2025-03-10T00:00:00Z&to=2025-03-01T00:00:00Z", "", "provisioning.range_empty", 400, "to"},
		{w.asStaff, "POST", svc + "/suspend", `{"reason":"bored"}`, "", 400, "reason"},
		{w.asStaff, "PUT", svc + "/special-price", `{"price":{"amount":"-1.00","currency":"USD"}}`, "provisioning.price_negative", 400, "price"},
		{w.asStaff, "PUT", svc + "/special-price", `{"price":{"amount":"1.00","currency":"EUR"}}`, "provisioning.currency_mismatch", 400, "price"},
		{w.asStaff, "POST", svc + "/move", `{"client_id":"nobody"}`, "id.malformed", 400, "client_id"},
		{w.asStaff, "POST", "/tasks/" + p.task.String() + "/fail", `{"message":""}`, "required", 400, "message"},
		{w.asStaff, "POST", "/services/import", `{"services":[{"client_id":"` + a + `","tariff_id":"` + p.vm1.String() +
			`","period":"fortnight","name":"x","expires_on":"2025-04-10"}]}`, "provisioning.period_unknown", 400, "services[0].period"},
		{w.asStaff, "POST", "/cycle/run", `{}`, "required", 400, "dry_run"},
		{w.asStaff, "POST", "/datacenters", `{"provider_id":"` + w.f.provider.String() + `","code":"Bad Code","name":"X"}`, "provisioning.code_invalid", 400, "code"},
		{w.asStaff, "POST", "/servers", `{"provider_id":"` + w.f.provider.String() + `","datacenter_id":"` + p.datacenter.String() + `","module":"nope","name":"n"}`,
			"provisioning.module_unknown", 400, "module"},
		{w.asStaff, "GET", "/servers?datacenter_id=dc", "", "id.malformed", 400, "datacenter_id"},
	} {
		path := c.path
		if !strings.HasPrefix(path, v1) {
			path = v1 + path
		}
		r := call(t, c.h, loopback, c.method, path, c.body)
		if r.Status != c.status {
			t.Errorf("%s %s %s: %d, want %d: %s", c.method, path, c.body, r.Status, c.status, r.Body)
			continue
		}
		mustFieldError(t, r, c.status, c.reason, c.field)
	}
}

// TestDatacentersAndServers creates, changes and disables them, and checks
// that a server's credentials go in and never come out.
func TestDatacentersAndServers(t *testing.T) {
	w := newProvWorld(t)
	prov := w.f.provider.String()
	dc := decodeAs[provisioning.Datacenter](t, send(t, w.asStaff, "POST", v1+"/datacenters", `{"provider_id":"`+prov+`","code":"ams-1","name":"Amsterdam"}`, 201))
	if !dc.Enabled {
		t.Fatalf("datacenter: %+v", dc)
	}
	dcPath := v1 + "/datacenters/" + dc.ID.String()
	if dc = decodeAs[provisioning.Datacenter](t, send(t, w.asStaff, "PATCH", dcPath, `{"country":"nl"}`, 200)); dc.Country != "NL" || dc.Name != "Amsterdam" {
		t.Fatalf("updated datacenter: %+v", dc)
	}
	if dc = decodeAs[provisioning.Datacenter](t, send(t, w.asStaff, "POST", dcPath+"/disable", "", 200)); dc.Enabled {
		t.Fatal("datacenter still enabled")
	}
	send(t, w.asStaff, "POST", dcPath+"/enable", "", 200)

	r := send(t, w.asStaff, "POST", v1+"/servers", `{"provider_id":"`+prov+`","datacenter_id":"`+dc.ID.String()+
		`","module":"test","name":"node-2","url":"https://node-2.example.com","credentials":{"password":"hunter2"},"capacity":5}`, 201)
	srv := decodeAs[provisioning.Server](t, r)
	srvPath := v1 + "/servers/" + srv.ID.String()
	for _, r := range []response{r, send(t, w.asStaff, "GET", srvPath, "", 200), send(t, w.asStaff, "GET", v1+"/servers?module=test", "", 200),
		send(t, w.asStaff, "PATCH", srvPath, `{"name":"node-2b","credentials":{"password":"hunter3"}}`, 200)} {
		if strings.Contains(r.Body, "hunter") || strings.Contains(r.Body, "credentials") {
			t.Fatalf("credentials leak: %s", r.Body)
		}
	}
	srv = decodeAs[provisioning.Server](t, send(t, w.asStaff, "POST", srvPath+"/disable", "", 200))
	if srv.Enabled || srv.Name != "node-2b" || srv.Capacity != 5 {
		t.Fatalf("server: %+v", srv)
	}
	enabled := decodeAs[List[provisioning.Server]](t, send(t, w.asStaff, "GET", v1+"/servers?enabled=true&provider_id="+prov, "", 200))
	if slices.ContainsFunc(enabled.Items, func(s provisioning.Server) bool { return s.ID == srv.ID }) || len(enabled.Items) != 1 {
		t.Fatalf("enabled servers: %+v", enabled.Items)
	}
}

// TestCycleRunThroughTheAPI checks that a dry run reports a renewal and
// writes nothing, that the cycle's read right is enough for it and not for
// a real run, and that a real run renews.
func TestCycleRunThroughTheAPI(t *testing.T) {
	w := newProvWorld(t)
	ctx := context.Background()
	today := billkit.DateOf(w.clock.Now())
	svcs, err := w.prov.ImportServices(ctx, system, []provisioning.ImportServiceParams{{
		ClientID: w.clientA, TariffID: w.f.prov.vm1, Period: catalog.PeriodMonth, Name: "due", ExpiresOn: today,
	}})
	if err != nil {
		t.Fatal(err)
	}
	due := svcs[0].ID
	// The fixture order waits for payment, which the balance now covers:
	// it is cancelled so that the run's only charge is the renewal.
	send(t, w.asStaff, "POST", v1+"/orders/"+w.f.prov.order.String()+"/cancel", "", 200)
	balance := w.balance(t, w.clientA)

	rep := decodeAs[provisioning.CycleReport](t, send(t, w.asStaff, "POST", v1+"/cycle/run", `{"dry_run":true}`, 200))
	if !rep.DryRun || rep.Renewals != 1 || !slices.ContainsFunc(rep.Actions, func(a provisioning.CycleAction) bool {
		return a.ServiceID == due && a.Step.Kind == provisioning.StepRenew
	}) {
		t.Fatalf("dry run: %+v", rep)
	}
	svc, err := w.prov.GetService(ctx, system, due)
	if err != nil {
		t.Fatal(err)
	}
	renewals, err := w.prov.ListRenewals(ctx, system, provisioning.RenewalFilter{ServiceID: due})
	if err != nil {
		t.Fatal(err)
	}
	if svc.ExpiresOn != today || len(renewals.Items) != 0 || !w.balance(t, w.clientA).Equal(balance) {
		t.Fatalf("the dry run wrote: expires %s, %d renewals, balance %s", svc.ExpiresOn, len(renewals.Items), w.balance(t, w.clientA))
	}

	reader := w.as(w.login(t, w.staff(t, "cycle-reader@example.com", false, billkit.R(provisioning.FunctionCycle, billkit.OpRead)).Email))
	send(t, reader, "POST", v1+"/cycle/run", `{"dry_run":true}`, 200)
	mustStatus(t, call(t, reader, loopback, "POST", v1+"/cycle/run", `{"dry_run":false}`), 403)

	rep = decodeAs[provisioning.CycleReport](t, send(t, w.asStaff, "POST", v1+"/cycle/run", `{"dry_run":false}`, 200))
	if rep.DryRun || rep.Renewals != 1 || len(rep.Failures) != 0 {
		t.Fatalf("run: %+v", rep)
	}
	if svc, _ = w.prov.GetService(ctx, system, due); svc.ExpiresOn != today.AddMonths(1) {
		t.Fatalf("renewed until %s", svc.ExpiresOn)
	}
	if got, _ := balance.Sub(w.balance(t, w.clientA)); !got.Equal(usd("5.00")) {
		t.Fatalf("the renewal cost %s", got)
	}
}

// TestProvisioningRules checks the rules of provisioning's operations
// against the package's functions: every function has operations, only
// the functions whose objects belong to a client are scoped to one, and
// every operation on an object of such a function is.
func TestProvisioningRules(t *testing.T) {
	w := newWorld(t)
	seen := map[string]bool{}
	for _, o := range operations(t, w.h) {
		_, _, _, right, scoped := ruleOf(o.rule)
		if !strings.HasPrefix(right.Function, "provisioning.") {
			continue
		}
		seen[right.Function] = true
		client := slices.Contains(provisioning.ClientFunctions(), right.Function)
		if scoped && !client {
			t.Errorf("%s (%s) is scoped to a client, and %s objects belong to none", o.id, o.rule, right.Function)
		}
		// A server belongs to no client, whatever right its listing needs
		// (that of the import it prepares).
		onObject := (strings.HasSuffix(o.path, "{id}") || strings.Contains(o.path, "{id}/")) && !strings.HasPrefix(o.path, "/servers/")
		if client && onObject && !scoped {
			t.Errorf("%s %s (%s) acts on a client's object and is not scoped to its client", o.method, o.path, o.rule)
		}
	}
	for _, fn := range provisioning.Functions() {
		if !seen[fn] {
			t.Errorf("no operation needs a right on %s", fn)
		}
	}
}

// TestDeleteServiceOptions checks that DELETE /services/{id} takes its
// options in the query, as clients that drop a DELETE's body send them;
// that a body still works; and that a query and a body that disagree are
// refused, naming the option, with nothing changed.
func TestDeleteServiceOptions(t *testing.T) {
	w := newProvWorld(t)
	svc := v1 + "/services/" + w.f.prov.service.String()

	mustFieldError(t, call(t, w.asStaff, loopback, "DELETE", svc+"?at_period_end=true", `{"at_period_end":false}`),
		400, "api.conflicting_options", "at_period_end")
	mustFieldError(t, call(t, w.asStaff, loopback, "DELETE", svc+"?memo=one", `{"memo":"two"}`),
		400, "api.conflicting_options", "memo")
	mustFieldError(t, call(t, w.asStaff, loopback, "DELETE", svc+"?at_period_end=maybe", ""), 400, "request.invalid_value", "at_period_end")
	if got := decodeAs[provisioning.Service](t, send(t, w.asStaff, "GET", svc, "", 200)); got.DeleteAtPeriodEnd || got.Status != provisioning.StatusActive {
		t.Fatalf("a refused delete changed the service: %+v", got)
	}

	got := decodeAs[provisioning.Service](t, send(t, w.asStaff, "DELETE", svc+"?at_period_end=true&memo=moving+out", "", 200))
	if !got.DeleteAtPeriodEnd || got.Status != provisioning.StatusActive {
		t.Fatalf("DELETE ?at_period_end=true: %+v", got)
	}
	h := decodeAs[List[provisioning.ServiceEvent]](t, send(t, w.asStaff, "GET", svc+"/history", "", 200))
	if last := h.Items[len(h.Items)-1]; last.Memo != "moving out" {
		t.Fatalf("the history's last memo is %q, want the query's", last.Memo)
	}
	// The same options in the query and the body agree, and a body that
	// leaves an option out does not contradict the query.
	send(t, w.asStaff, "DELETE", svc+"?at_period_end=true", `{"at_period_end":true,"memo":"still moving"}`, 200)
	send(t, w.asStaff, "DELETE", svc+"?at_period_end=true", `{"memo":"moving on"}`, 200)
	if got := decodeAs[provisioning.Service](t, send(t, w.asStaff, "DELETE", svc+"?at_period_end=true", `{}`, 200)); !got.DeleteAtPeriodEnd {
		t.Fatalf("an empty body undid the query: %+v", got)
	}
}
