package provisioning_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
)

func TestServiceReadsAndRights(t *testing.T) {
	e := newEnv(t)
	mine := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	otherClient := e.newClient(t, "Other")
	theirs := e.activeService(t, otherClient.ID, provisioning.ServerID{})
	own, other := customer(e.client.ID), customer(otherClient.ID)

	if got := must[*provisioning.Service](t)(e.mgr.GetService(ctx, own, mine.ID)); got.ID != mine.ID || got.Params["remote_id"] != "42" {
		t.Fatalf("got = %+v", got)
	}
	_, err := e.mgr.GetService(ctx, other, mine.ID)
	wantCode(t, err, billkit.CodeNotFound, "service.not_found")
	_, err = e.mgr.GetService(ctx, staff(), mine.ID)
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.mgr.GetService(ctx, billkit.Actor{}, mine.ID)
	wantField(t, err, "actor.kind", "")
	_, err = e.mgr.ListServiceEvents(ctx, other, provisioning.ServiceEventFilter{ServiceID: mine.ID})
	wantCode(t, err, billkit.CodeNotFound, "service.not_found")
	_, err = e.mgr.ListServiceEvents(ctx, own, provisioning.ServiceEventFilter{})
	wantField(t, err, "service_id", "required")
	if evs := must[billkit.Page[provisioning.ServiceEvent]](t)(e.mgr.ListServiceEvents(ctx, own, provisioning.ServiceEventFilter{ServiceID: mine.ID})); len(evs.Items) != 1 ||
		evs.Items[0].Kind != "created" || evs.Items[0].To != provisioning.StatusActive || evs.Items[0].Memo != "imported" {
		t.Fatalf("events = %+v", evs.Items)
	}
	_, err = e.mgr.LoginLink(ctx, other, mine.ID)
	wantCode(t, err, billkit.CodeNotFound, "service.not_found")
	_, err = e.mgr.SuspendService(ctx, other, mine.ID, provisioning.SuspendClient, "")
	wantCode(t, err, billkit.CodeNotFound, "service.not_found")

	list := must[billkit.Page[provisioning.Service]](t)(e.mgr.ListServices(ctx, own, provisioning.ServiceFilter{}))
	if len(list.Items) != 1 || list.Items[0].ID != mine.ID {
		t.Fatalf("own list = %+v", list.Items)
	}
	// Asking for another client's services shows none.
	list = must[billkit.Page[provisioning.Service]](t)(e.mgr.ListServices(ctx, own, provisioning.ServiceFilter{ClientIDs: []billkit.ClientID{otherClient.ID}}))
	if len(list.Items) != 0 {
		t.Fatalf("own list of the other's = %+v", list.Items)
	}
	list = must[billkit.Page[provisioning.Service]](t)(e.mgr.ListServices(ctx, admin(), provisioning.ServiceFilter{}))
	if len(list.Items) != 2 || list.Items[1].ID != theirs.ID {
		t.Fatalf("staff list = %+v", list.Items)
	}
	list = must[billkit.Page[provisioning.Service]](t)(e.mgr.ListServices(ctx, admin(), provisioning.ServiceFilter{ClientID: otherClient.ID}))
	if len(list.Items) != 1 || list.Items[0].ID != theirs.ID {
		t.Fatalf("staff list of one client = %+v", list.Items)
	}
	_, err = e.mgr.ListServices(ctx, admin(), provisioning.ServiceFilter{Statuses: []provisioning.Status{"asleep"}})
	wantField(t, err, "statuses[0]", "provisioning.status_unknown")
	_, err = e.mgr.ListServices(ctx, staff(), provisioning.ServiceFilter{})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
}

func TestClientSuspendsAndResumesItsOwn(t *testing.T) {
	e := newEnv(t)
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	own := customer(e.client.ID)
	_, err := e.mgr.SuspendService(ctx, own, svc.ID, provisioning.SuspendAbuse, "")
	wantCode(t, err, billkit.CodeForbidden, provisioning.ReasonStaffOnly)
	_, err = e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendNonPayment, "")
	wantField(t, err, "reason", "provisioning.suspend_reason_reserved")
	_, err = e.mgr.SuspendService(ctx, admin(), svc.ID, "nap", "")
	wantField(t, err, "reason", "provisioning.suspend_reason_unknown")
	_, err = e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, strings.Repeat("x", 2001))
	wantField(t, err, "memo", "too_long")
	if n := len(e.events(t, svc.ID)); n != 1 {
		t.Fatalf("refusals wrote history: %d events", n)
	}

	s := must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, own, svc.ID, provisioning.SuspendClient, "on holiday"))
	if s.Status != provisioning.StatusProcessing || s.SuspendReason != provisioning.SuspendClient {
		t.Fatalf("service = %+v", s)
	}
	_, err = e.mgr.SuspendService(ctx, own, svc.ID, provisioning.SuspendClient, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonServiceBusy)
	e.runTasks(t)
	must[*provisioning.Service](t)(e.mgr.ResumeService(ctx, own, svc.ID, "back"))
	e.runTasks(t)
	if s := e.service(t, svc.ID); s.Status != provisioning.StatusActive {
		t.Fatalf("service = %+v", s)
	}

	// Staff's suspension is lifted by staff only.
	must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendAbuse, ""))
	e.runTasks(t)
	_, err = e.mgr.ResumeService(ctx, own, svc.ID, "")
	wantCode(t, err, billkit.CodeForbidden, provisioning.ReasonStaffOnly)
	_, err = e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOperationNotAllowed)
	must[*provisioning.Service](t)(e.mgr.ResumeService(ctx, admin(), svc.ID, ""))
	_, err = e.mgr.ResumeService(ctx, admin(), svc.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonServiceBusy)
	e.runTasks(t)
	_, err = e.mgr.ResumeService(ctx, admin(), svc.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOperationNotAllowed)
}

func TestDeleteService(t *testing.T) {
	e := newEnv(t)
	own := customer(e.client.ID)

	// vps lets clients delete at period end only: the flag is set, and
	// nothing runs.
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	s := must[*provisioning.Service](t)(e.mgr.DeleteService(ctx, own, svc.ID, provisioning.DeleteParams{}))
	if s.Status != provisioning.StatusActive || !s.DeleteAtPeriodEnd {
		t.Fatalf("service = %+v", s)
	}
	if e.actions(t, "provisioning.service.delete_at_period_end", svc.ID.String()) != 1 {
		t.Fatal("no action")
	}
	// Asking again changes nothing.
	must[*provisioning.Service](t)(e.mgr.DeleteService(ctx, own, svc.ID, provisioning.DeleteParams{}))
	if n := len(e.events(t, svc.ID)); n != 2 {
		t.Fatalf("%d events", n)
	}

	// Staff delete at once.
	s = must[*provisioning.Service](t)(e.mgr.DeleteService(ctx, admin(), svc.ID, provisioning.DeleteParams{Memo: "fraud"}))
	if s.Status != provisioning.StatusProcessing || s.Operation != provisioning.OpDelete {
		t.Fatalf("service = %+v", s)
	}
	e.runTasks(t)
	if s := e.service(t, svc.ID); s.Status != provisioning.StatusDeleted {
		t.Fatalf("service = %+v", s)
	}

	// A type whose services clients may not delete.
	doc := vpsDoc()
	doc.Lifecycle.ClientDelete = catalog.ClientDeleteNever
	if _, err := e.cat.UpdateProductType(ctx, system, e.vps.ID, doc); err != nil {
		t.Fatal(err)
	}
	svc = e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	_, err := e.mgr.DeleteService(ctx, own, svc.ID, provisioning.DeleteParams{})
	wantCode(t, err, billkit.CodeForbidden, "provisioning.client_delete_not_allowed")
	_, err = e.mgr.DeleteService(ctx, staff(billkit.R(provisioning.FunctionService, billkit.OpEdit)), svc.ID, provisioning.DeleteParams{})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	// One that lets them delete at once.
	doc.Lifecycle.ClientDelete = catalog.ClientDeleteYes
	if _, err := e.cat.UpdateProductType(ctx, system, e.vps.ID, doc); err != nil {
		t.Fatal(err)
	}
	s = must[*provisioning.Service](t)(e.mgr.DeleteService(ctx, own, svc.ID, provisioning.DeleteParams{}))
	if s.Status != provisioning.StatusProcessing {
		t.Fatalf("service = %+v", s)
	}

	// An ordered service goes at once, without its module.
	ord := e.orderedService(t, billkit.ClientID{})
	calls := len(e.mod.requests())
	s = must[*provisioning.Service](t)(e.mgr.DeleteService(ctx, admin(), ord.ID, provisioning.DeleteParams{AtPeriodEnd: true}))
	if s.Status != provisioning.StatusDeleted || len(e.mod.requests()) != calls {
		t.Fatalf("service = %+v", s)
	}

	// A period already over: at period end means now.
	svc = e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	e.clock.AddDate(0, 2, 0)
	s = must[*provisioning.Service](t)(e.mgr.DeleteService(ctx, admin(), svc.ID, provisioning.DeleteParams{AtPeriodEnd: true}))
	if s.Status != provisioning.StatusProcessing || s.DeleteAtPeriodEnd {
		t.Fatalf("service = %+v", s)
	}
}

func TestAutoRenewSpecialPriceMove(t *testing.T) {
	e := newEnv(t)
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	own := customer(e.client.ID)
	if !svc.AutoRenew || !svc.Price.Equal(usd("10.00")) || svc.Special {
		t.Fatalf("imported = %+v", svc)
	}
	s := must[*provisioning.Service](t)(e.mgr.SetAutoRenew(ctx, own, svc.ID, false))
	if s.AutoRenew {
		t.Fatal("auto renew still on")
	}
	must[*provisioning.Service](t)(e.mgr.SetAutoRenew(ctx, own, svc.ID, false))
	if n := e.actions(t, "provisioning.service.auto_renew", svc.ID.String()); n != 1 {
		t.Fatalf("%d actions for one change", n)
	}

	_, err := e.mgr.SetSpecialPrice(ctx, own, svc.ID, usd("1.00"))
	wantCode(t, err, billkit.CodeForbidden, provisioning.ReasonStaffOnly)
	_, err = e.mgr.SetSpecialPrice(ctx, admin(), svc.ID, billkit.MustParseMoney("1.00", "EUR"))
	wantField(t, err, "price", "provisioning.currency_mismatch")
	_, err = e.mgr.SetSpecialPrice(ctx, admin(), svc.ID, usd("-1.00"))
	wantField(t, err, "price", "provisioning.price_negative")
	_, err = e.mgr.SetSpecialPrice(ctx, admin(), svc.ID, billkit.Money{})
	wantField(t, err, "price", "required")
	s = must[*provisioning.Service](t)(e.mgr.SetSpecialPrice(ctx, admin(), svc.ID, usd("7.50")))
	if !s.Special || !s.Price.Equal(usd("7.50")) {
		t.Fatalf("service = %+v", s)
	}

	// Moving: to a client of the provider in the same currency.
	bob := e.newClient(t, "Bob")
	euro := must[*billing.Client](t)(e.bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: e.prov.ID, Name: "Euro", Currency: "EUR"}))
	otherProv := must[*billing.Provider](t)(e.bill.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "USD"}))
	far := must[*billing.Client](t)(e.bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: otherProv.ID, Name: "Far"}))
	for _, tc := range []struct {
		to     billkit.ClientID
		reason string
	}{
		{billkit.ClientID{}, "required"},
		{e.client.ID, "provisioning.same_client"},
		{euro.ID, "provisioning.currency_mismatch"},
		{far.ID, "provisioning.client_other_provider"},
		{billkit.NewClientID(), "client.not_found"},
	} {
		_, err := e.mgr.MoveService(ctx, admin(), svc.ID, tc.to)
		wantField(t, err, "client_id", tc.reason)
	}
	_, err = e.mgr.MoveService(ctx, own, svc.ID, bob.ID)
	wantCode(t, err, billkit.CodeForbidden, provisioning.ReasonStaffOnly)
	s = must[*provisioning.Service](t)(e.mgr.MoveService(ctx, admin(), svc.ID, bob.ID))
	if s.ClientID != bob.ID {
		t.Fatalf("service = %+v", s)
	}
	// The history moved with it; the old owner sees it no more.
	evs := e.events(t, svc.ID)
	if len(evs) != 4 || evs[3].Kind != "moved" {
		t.Fatalf("events = %+v", evs)
	}
	_, err = e.mgr.GetService(ctx, own, svc.ID)
	wantCode(t, err, billkit.CodeNotFound, "service.not_found")
	must[*provisioning.Service](t)(e.mgr.GetService(ctx, customer(bob.ID), svc.ID))
}

func TestCloneAndOpenService(t *testing.T) {
	e := newEnv(t)
	srv := e.server(t, "node1", 0)
	src := e.activeService(t, billkit.ClientID{}, srv.ID)
	_, err := e.mgr.CloneService(ctx, customer(e.client.ID), src.ID)
	wantCode(t, err, billkit.CodeForbidden, provisioning.ReasonStaffOnly)
	c := must[*provisioning.Service](t)(e.mgr.CloneService(ctx, admin(), src.ID))
	if c.ID == src.ID || c.Status != provisioning.StatusOrdered || !c.ServerID.IsZero() || c.DatacenterID != srv.DatacenterID ||
		c.TariffID != src.TariffID || !c.Price.Equal(src.Price) || len(c.Params) != 0 || !c.ExpiresOn.IsZero() {
		t.Fatalf("clone = %+v", c)
	}
	if got := must[*provisioning.Server](t)(e.mgr.GetServer(ctx, system, srv.ID)); got.Load != 1 {
		t.Fatalf("the clone took a slot: load %d", got.Load)
	}
	if evs := e.events(t, c.ID); len(evs) != 1 || evs[0].Memo != "cloned from "+src.ID.String() {
		t.Fatalf("events = %+v", evs)
	}
	_, err = e.mgr.OpenService(ctx, admin(), src.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOperationNotAllowed)
	o := must[*provisioning.Service](t)(e.mgr.OpenService(ctx, admin(), c.ID, ""))
	if o.ServerID != srv.ID || o.Status != provisioning.StatusProcessing {
		t.Fatalf("opening = %+v", o)
	}
	if got := must[*provisioning.Server](t)(e.mgr.GetServer(ctx, system, srv.ID)); got.Load != 2 {
		t.Fatalf("load = %d", got.Load)
	}
	e.runTasks(t)
	reqs := e.mod.requests()
	last := reqs[len(reqs)-1]
	if last.Operation != provisioning.OpOpen || last.Server == nil || last.Server.ID != srv.ID || last.Service.Datacenter != "dc-node1" {
		t.Fatalf("request = %+v", last)
	}
}

func TestImportServices(t *testing.T) {
	e := newEnv(t)
	srv := e.server(t, "node1", 1)
	before := e.balance(t, e.client.ID)
	expires := billkit.MustDate(2026, 4, 2)
	bad := []provisioning.ImportServiceParams{
		{ClientID: e.client.ID, TariffID: e.tariff.ID, Period: catalog.PeriodMonth, Name: "ok", ExpiresOn: expires, ServerID: srv.ID},
		{ClientID: billkit.NewClientID(), TariffID: e.tariff.ID, Period: catalog.PeriodMonth, Name: "x", ExpiresOn: expires},
		{ClientID: e.client.ID, TariffID: e.bigger.ID, Period: catalog.PeriodYear, ExpiresOn: expires},
		{ClientID: e.client.ID, TariffID: e.tariff.ID, Period: catalog.PeriodMonth, Name: "x", ExpiresOn: expires,
			Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec("64")}}, Status: provisioning.StatusSuspended},
		{ClientID: e.client.ID, TariffID: e.tariff.ID, Period: catalog.PeriodMonth, Name: "full", ExpiresOn: expires, ServerID: srv.ID},
	}
	_, err := e.mgr.ImportServices(ctx, admin(), bad)
	wantField(t, err, "services[1].client_id", "client.not_found")
	wantField(t, err, "services[2].name", "required")
	wantField(t, err, "services[2].period", "provisioning.period_not_priced")
	wantField(t, err, "services[3].addons[ram].quantity", catalog.ReasonAboveMax)
	wantField(t, err, "services[3].suspend_reason", "provisioning.suspend_reason_unknown")
	wantField(t, err, "services[4].server_id", "provisioning.server_full")
	// All or nothing: the first row's slot was given back.
	if n := len(must[billkit.Page[provisioning.Service]](t)(e.mgr.ListServices(ctx, admin(), provisioning.ServiceFilter{})).Items); n != 0 {
		t.Fatalf("%d services after a bad import", n)
	}
	if got := must[*provisioning.Server](t)(e.mgr.GetServer(ctx, system, srv.ID)); got.Load != 0 {
		t.Fatalf("load after a bad import = %d", got.Load)
	}

	no := false
	out := must[[]provisioning.Service](t)(e.mgr.ImportServices(ctx, admin(), []provisioning.ImportServiceParams{
		{ClientID: e.client.ID, TariffID: e.tariff.ID, Period: catalog.PeriodMonth, Name: "web", ExpiresOn: expires, ServerID: srv.ID,
			Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec("4")}}, Params: map[string]string{"login": "web1"}},
		{ClientID: e.client.ID, TariffID: e.bigger.ID, Period: catalog.PeriodMonth, Name: "db", ExpiresOn: expires, Price: usd("15.00"),
			AutoRenew: &no, Status: provisioning.StatusSuspended, SuspendReason: provisioning.SuspendAbuse},
	}))
	a, b := out[0], out[1]
	if a.Status != provisioning.StatusActive || a.ServerID != srv.ID || a.DatacenterID != srv.DatacenterID || a.ExpiresOn != expires ||
		a.AnchorOn != expires || a.PeriodsPaid != 0 || !a.Price.Equal(usd("10.00")) || a.Special || !a.AutoRenew ||
		!a.Addons["ram"].Quantity.Equal(dec("4")) || a.Params["login"] != "web1" {
		t.Fatalf("a = %+v", a)
	}
	if b.Status != provisioning.StatusSuspended || b.SuspendReason != provisioning.SuspendAbuse || b.SuspendedOn != billkit.DateOf(start) ||
		!b.Price.Equal(usd("15.00")) || !b.Special || b.AutoRenew {
		t.Fatalf("b = %+v", b)
	}
	if got := must[*provisioning.Server](t)(e.mgr.GetServer(ctx, system, srv.ID)); got.Load != 1 {
		t.Fatalf("load = %d", got.Load)
	}
	if !e.balance(t, e.client.ID).Equal(before) {
		t.Fatal("an import charged the client")
	}
	if n := e.actions(t, "provisioning.service.import", a.ID.String()); n != 1 {
		t.Fatalf("%d import actions", n)
	}
	_, err = e.mgr.ImportServices(ctx, admin(), nil)
	wantField(t, err, "services", "required")
	_, err = e.mgr.ImportServices(ctx, customer(e.client.ID), bad[:1])
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.mgr.ImportServices(ctx, staff(billkit.R(provisioning.FunctionService, billkit.OpRead)), bad[:1])
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
}

func TestSyncUsageAndLoginLink(t *testing.T) {
	e := newEnv(t)
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	own := customer(e.client.ID)

	e.mod.then(answer(provisioning.Result{LoginURL: "https://panel.example.com/sso?t=1"}))
	url := must[string](t)(e.mgr.LoginLink(ctx, own, svc.ID))
	if url != "https://panel.example.com/sso?t=1" {
		t.Fatalf("url = %q", url)
	}
	e.mod.then(answer(provisioning.Result{}))
	_, err := e.mgr.LoginLink(ctx, own, svc.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, "provisioning.login_link_unsupported")
	e.mod.then(fail("dial tcp: refused"))
	_, err = e.mgr.LoginLink(ctx, own, svc.ID)
	wantCode(t, err, billkit.CodeUnavailable, "provisioning.module_unavailable")
	if be := (*billkit.Error)(nil); !errors.As(err, &be) || strings.Contains(be.Message, "dial") {
		t.Fatalf("the module's error shows: %q", be.Message)
	}
	e.mod.then(refuse("no such account"))
	_, err = e.mgr.LoginLink(ctx, own, svc.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, "provisioning.module_refused")

	from := start.Add(-24 * time.Hour)
	e.mod.then(answer(provisioning.Result{Usage: map[string]string{"traffic": "12.5"}}))
	usage := must[map[string]string](t)(e.mgr.ServiceUsage(ctx, own, svc.ID, from, start))
	if usage["traffic"] != "12.5" {
		t.Fatalf("usage = %v", usage)
	}
	if r := e.mod.requests(); !r[len(r)-1].From.Equal(from) || !r[len(r)-1].To.Equal(start) || r[len(r)-1].Operation != provisioning.OpUsage {
		t.Fatalf("request = %+v", r[len(r)-1])
	}
	_, err = e.mgr.ServiceUsage(ctx, own, svc.ID, start, from)
	wantField(t, err, "to", "provisioning.range_empty")

	// What a module answers is checked before anyone sees it: a login
	// link that is not http(s) could run in the client's panel, and usage
	// that is not a decimal cannot be billed exactly.
	for _, link := range []string{"javascript:alert(1)", "data:text/html,hi", "//panel.example.com/sso", "ftp://panel.example.com", "https://"} {
		e.mod.then(answer(provisioning.Result{LoginURL: link}))
		_, err = e.mgr.LoginLink(ctx, own, svc.ID)
		wantCode(t, err, billkit.CodeUnavailable, "provisioning.module_answer_invalid")
	}
	for _, u := range []map[string]string{{"traffic": "1e3"}, {"traffic": "a lot"}, {"traffic": ""}, {"bad key": "1"}} {
		e.mod.then(answer(provisioning.Result{Usage: u}))
		_, err = e.mgr.ServiceUsage(ctx, own, svc.ID, from, start)
		wantCode(t, err, billkit.CodeUnavailable, "provisioning.module_answer_invalid")
	}
	e.mod.then(answer(provisioning.Result{Usage: map[string]string{"traffic": "-0.5", "disk": "100"}}))
	must[map[string]string](t)(e.mgr.ServiceUsage(ctx, own, svc.ID, from, start))

	_, err = e.mgr.SyncService(ctx, own, svc.ID)
	wantCode(t, err, billkit.CodeForbidden, provisioning.ReasonStaffOnly)
	e.mod.then(answer(provisioning.Result{Status: provisioning.StatusSuspended, Params: map[string]string{"ip": "198.51.100.9"}}))
	res := must[*provisioning.SyncResult](t)(e.mgr.SyncService(ctx, admin(), svc.ID))
	if res.Reported != provisioning.StatusSuspended || res.Service.Status != provisioning.StatusActive || res.Service.Params["ip"] != "198.51.100.9" {
		t.Fatalf("sync = %+v", res)
	}
	evs := e.events(t, svc.ID)
	if last := evs[len(evs)-1]; last.Kind != "sync" || last.Memo != "the module reports the service suspended" {
		t.Fatalf("last event = %+v", last)
	}
	// Nothing new: nothing written.
	e.mod.then(answer(provisioning.Result{Status: provisioning.StatusActive}))
	must[*provisioning.SyncResult](t)(e.mgr.SyncService(ctx, admin(), svc.ID))
	if n := len(e.events(t, svc.ID)); n != len(evs) {
		t.Fatalf("an empty sync wrote history")
	}
	e.mod.then(answer(provisioning.Result{Status: "gone"}))
	_, err = e.mgr.SyncService(ctx, admin(), svc.ID)
	wantCode(t, err, billkit.CodeUnavailable, "provisioning.module_answer_invalid")

	// Nothing to read on an ordered service.
	ord := e.orderedService(t, billkit.ClientID{})
	_, err = e.mgr.LoginLink(ctx, own, ord.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOperationNotAllowed)
}
