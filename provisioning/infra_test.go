package provisioning_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/provisioning"
)

func TestDatacenters(t *testing.T) {
	e := newEnv(t)
	dc := must[*provisioning.Datacenter](t)(e.mgr.CreateDatacenter(ctx, admin(), provisioning.DatacenterParams{
		ProviderID: e.prov.ID, Code: "fra-1", Name: " Frankfurt ", Country: "de",
	}))
	if dc.Code != "fra-1" || dc.Name != "Frankfurt" || dc.Country != "DE" || !dc.Enabled {
		t.Fatalf("dc = %+v", dc)
	}
	for _, tc := range []struct {
		p             provisioning.DatacenterParams
		field, reason string
	}{
		{provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "fra-1", Name: "Again"}, "code", "provisioning.datacenter_code_taken"},
		{provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "Fra 2", Name: "X"}, "code", "provisioning.code_invalid"},
		{provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "fra-2"}, "name", "required"},
		{provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "fra-2", Name: "X", Country: "Germany"}, "country", "country.unknown"},
		{provisioning.DatacenterParams{Code: "fra-2", Name: "X"}, "provider_id", "required"},
		{provisioning.DatacenterParams{ProviderID: billkit.NewProviderID(), Code: "fra-2", Name: "X"}, "provider_id", "provider.not_found"},
	} {
		_, err := e.mgr.CreateDatacenter(ctx, admin(), tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	// The code is unique per provider: another may use it.
	other := must[*billing.Provider](t)(e.bill.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "USD"}))
	must[*provisioning.Datacenter](t)(e.mgr.CreateDatacenter(ctx, admin(), provisioning.DatacenterParams{ProviderID: other.ID, Code: "fra-1", Name: "Frankfurt"}))
	_, err := e.mgr.CreateDatacenter(ctx, customer(e.client.ID), provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "x", Name: "X"})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")

	off := false
	up := must[*provisioning.Datacenter](t)(e.mgr.UpdateDatacenter(ctx, admin(), dc.ID, provisioning.UpdateDatacenterParams{Name: ptr("Frankfurt 1"), Enabled: &off}))
	if up.Name != "Frankfurt 1" || up.Enabled || up.Code != "fra-1" {
		t.Fatalf("updated = %+v", up)
	}
	must[*provisioning.Datacenter](t)(e.mgr.UpdateDatacenter(ctx, admin(), dc.ID, provisioning.UpdateDatacenterParams{Name: ptr("Frankfurt 1")}))
	if n := e.actions(t, "provisioning.datacenter.update", dc.ID.String()); n != 1 {
		t.Fatalf("%d update actions", n)
	}
	must[*provisioning.Datacenter](t)(e.mgr.CreateDatacenter(ctx, admin(), provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "ams-1", Name: "Amsterdam"}))
	_, err = e.mgr.UpdateDatacenter(ctx, admin(), dc.ID, provisioning.UpdateDatacenterParams{Code: ptr("ams-1")})
	wantField(t, err, "code", "provisioning.datacenter_code_taken")
	_, err = e.mgr.UpdateDatacenter(ctx, admin(), provisioning.DatacenterID{}, provisioning.UpdateDatacenterParams{})
	wantCode(t, err, billkit.CodeNotFound, "datacenter.not_found")
	got := must[*provisioning.Datacenter](t)(e.mgr.GetDatacenter(ctx, admin(), dc.ID))
	if got.Name != "Frankfurt 1" {
		t.Fatalf("got = %+v", got)
	}
	list := must[billkit.Page[provisioning.Datacenter]](t)(e.mgr.ListDatacenters(ctx, admin(), provisioning.DatacenterFilter{ProviderID: e.prov.ID}))
	if len(list.Items) != 2 {
		t.Fatalf("list = %+v", list.Items)
	}
	_, err = e.mgr.ListDatacenters(ctx, customer(e.client.ID), provisioning.DatacenterFilter{})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
}

func TestServersCredentialsAreSealed(t *testing.T) {
	const password = "correct-horse-battery-staple"
	e := newEnv(t)
	dc := must[*provisioning.Datacenter](t)(e.mgr.CreateDatacenter(ctx, admin(), provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "fra-1", Name: "Frankfurt"}))
	srv := must[*provisioning.Server](t)(e.mgr.CreateServer(ctx, admin(), provisioning.ServerParams{
		ProviderID: e.prov.ID, DatacenterID: dc.ID, Module: "test", Name: "node1", URL: "https://node1.example.com:1500",
		Params: map[string]string{"pool": "ssd"}, Credentials: map[string]string{"user": "root", "password": password}, Capacity: 10,
	}))
	if srv.Credentials != nil || !srv.Enabled || srv.Params["pool"] != "ssd" || srv.Load != 0 {
		t.Fatalf("server = %+v", srv)
	}
	// At rest the credentials are ciphertext; the action log has none of
	// them.
	var raw []byte
	if err := e.st.DB().NewSelect().TableExpr("billkit_servers").Column("credentials").Where("id = ?", srv.ID).Scan(ctx, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 || bytes.Contains(raw, []byte(password)) || bytes.Contains(raw, []byte("root")) {
		t.Fatalf("credentials at rest = %q", raw)
	}
	if n := e.count(t, "billkit_actions", "CAST(changes AS TEXT) LIKE ?", "%"+password+"%"); n != 0 {
		t.Fatalf("the password is in %d actions", n)
	}
	if n := e.actions(t, "provisioning.server.create", srv.ID.String()); n != 1 {
		t.Fatalf("%d create actions", n)
	}
	got := must[*provisioning.Server](t)(e.mgr.GetServer(ctx, admin(), srv.ID))
	if got.Credentials != nil {
		t.Fatal("GetServer returned the credentials")
	}
	if l := must[billkit.Page[provisioning.Server]](t)(e.mgr.ListServers(ctx, admin(), provisioning.ServerFilter{})); len(l.Items) != 1 || l.Items[0].Credentials != nil {
		t.Fatalf("list = %+v", l.Items)
	}

	// The module gets them, opened.
	svc := e.activeService(t, billkit.ClientID{}, srv.ID)
	must[*provisioning.Service](t)(e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendStaff, ""))
	e.runTasks(t)
	reqs := e.mod.requests()
	req := reqs[len(reqs)-1]
	if req.Server == nil || req.Server.Credentials["password"] != password || req.Server.Params["pool"] != "ssd" || req.Server.URL != srv.URL {
		t.Fatalf("request server = %+v", req.Server)
	}

	// New credentials replace the old; the log says they changed, not
	// what they are.
	up := must[*provisioning.Server](t)(e.mgr.UpdateServer(ctx, admin(), srv.ID, provisioning.UpdateServerParams{
		Credentials: map[string]string{"password": "new-" + password}, Capacity: ptr(20),
	}))
	if up.Capacity != 20 || up.Load != 1 {
		t.Fatalf("updated = %+v", up)
	}
	if n := e.count(t, "billkit_actions", "name = ? AND CAST(changes AS TEXT) LIKE ?", "provisioning.server.update", "%sealed:%"); n != 1 {
		t.Fatalf("%d update actions mention sealed credentials", n)
	}
	if n := e.count(t, "billkit_actions", "CAST(changes AS TEXT) LIKE ?", "%"+password+"%"); n != 0 {
		t.Fatalf("the password is in %d actions", n)
	}
	_, err := e.mgr.UpdateServer(ctx, admin(), srv.ID, provisioning.UpdateServerParams{Module: ptr("manual")})
	wantCode(t, err, billkit.CodeFailedPrecondition, "provisioning.server_in_use")
	_, err = e.mgr.UpdateServer(ctx, admin(), srv.ID, provisioning.UpdateServerParams{Capacity: ptr(-1), URL: ptr("not a url")})
	wantField(t, err, "capacity", "provisioning.capacity_negative")
	wantField(t, err, "url", "provisioning.url_invalid")

	dis := must[*provisioning.Server](t)(e.mgr.SetServerEnabled(ctx, admin(), srv.ID, false))
	if dis.Enabled {
		t.Fatal("still enabled")
	}
	must[*provisioning.Server](t)(e.mgr.SetServerEnabled(ctx, admin(), srv.ID, false))
	if n := e.actions(t, "provisioning.server.disable", srv.ID.String()); n != 1 {
		t.Fatalf("%d disable actions", n)
	}

	for _, tc := range []struct {
		p             provisioning.ServerParams
		field, reason string
	}{
		{provisioning.ServerParams{ProviderID: e.prov.ID, DatacenterID: dc.ID, Module: "nope", Name: "x"}, "module", "provisioning.module_unknown"},
		{provisioning.ServerParams{ProviderID: e.prov.ID, DatacenterID: dc.ID, Module: "test"}, "name", "required"},
		{provisioning.ServerParams{ProviderID: e.prov.ID, Module: "test", Name: "x"}, "datacenter_id", "required"},
		{provisioning.ServerParams{ProviderID: e.prov.ID, DatacenterID: provisioning.DatacenterID{}, Module: "test", Name: "x", Capacity: -1}, "capacity", "provisioning.capacity_negative"},
		{provisioning.ServerParams{ProviderID: e.prov.ID, DatacenterID: dc.ID, Module: "test", Name: "x", Params: map[string]string{"a b": "c"}}, "params[a b]", "provisioning.param_key_invalid"},
	} {
		_, err := e.mgr.CreateServer(ctx, admin(), tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	_, err = e.mgr.CreateServer(ctx, customer(e.client.ID), provisioning.ServerParams{ProviderID: e.prov.ID, DatacenterID: dc.ID, Module: "test", Name: "x"})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.mgr.GetServer(ctx, customer(e.client.ID), srv.ID)
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
}

func TestServerCredentialsNeedAKey(t *testing.T) {
	e := newEnv(t, withConfig(func(c *provisioning.Config) { c.SecretKey = nil }))
	dc := must[*provisioning.Datacenter](t)(e.mgr.CreateDatacenter(ctx, admin(), provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "fra-1", Name: "Frankfurt"}))
	p := provisioning.ServerParams{ProviderID: e.prov.ID, DatacenterID: dc.ID, Module: "test", Name: "node1", Credentials: map[string]string{"password": "x"}}
	_, err := e.mgr.CreateServer(ctx, admin(), p)
	wantCode(t, err, billkit.CodeFailedPrecondition, "provisioning.secret_key_missing")
	if n := e.count(t, "billkit_servers", "1 = 1"); n != 0 {
		t.Fatalf("%d servers", n)
	}
	// Without credentials a server needs no key.
	p.Credentials = nil
	srv := must[*provisioning.Server](t)(e.mgr.CreateServer(ctx, admin(), p))
	_, err = e.mgr.UpdateServer(ctx, admin(), srv.ID, provisioning.UpdateServerParams{Credentials: map[string]string{"password": "x"}})
	wantCode(t, err, billkit.CodeFailedPrecondition, "provisioning.secret_key_missing")
}

func TestPlacement(t *testing.T) {
	e := newEnv(t)
	a := e.server(t, "a", 2)
	b := e.server(t, "b", 0)
	c := e.server(t, "c", 5, a.DatacenterID)
	off := e.server(t, "off", 0)
	must[*provisioning.Server](t)(e.mgr.SetServerEnabled(ctx, admin(), off.ID, false))
	// a holds one already; b and c none: b has no limit, so the most room.
	e.activeService(t, billkit.ClientID{}, a.ID)

	open := func(dc provisioning.DatacenterID) (*provisioning.Service, error) {
		t.Helper()
		s := e.orderedService(t, billkit.ClientID{})
		if !dc.IsZero() {
			// The client chose a datacenter for the clone's source.
			s.DatacenterID = dc
			if err := e.st.Provisioning().UpdateService(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		return e.mgr.OpenService(ctx, admin(), s.ID, "")
	}
	s := must[*provisioning.Service](t)(open(provisioning.DatacenterID{}))
	if s.ServerID != b.ID || s.DatacenterID != b.DatacenterID {
		t.Fatalf("placed on %v, want b", s.ServerID)
	}
	// b holds one now, c none.
	s = must[*provisioning.Service](t)(open(provisioning.DatacenterID{}))
	if s.ServerID != c.ID {
		t.Fatalf("placed on %v, want c", s.ServerID)
	}
	// In a's datacenter: a (1 of 2) and c (1 of 5) are as loaded; c has
	// more room.
	s = must[*provisioning.Service](t)(open(a.DatacenterID))
	if s.ServerID != c.ID {
		t.Fatalf("placed on %v, want c", s.ServerID)
	}
	// In off's datacenter nothing is enabled: no server, and nothing
	// written.
	ord := e.orderedService(t, billkit.ClientID{})
	ord.DatacenterID = off.DatacenterID
	if err := e.st.Provisioning().UpdateService(ctx, ord); err != nil {
		t.Fatal(err)
	}
	events, tasks := len(e.events(t, ord.ID)), e.count(t, "billkit_tasks", "1 = 1")
	_, err := e.mgr.OpenService(ctx, admin(), ord.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonNoServer)
	got := e.service(t, ord.ID)
	if got.Status != provisioning.StatusOrdered || !got.ServerID.IsZero() || len(e.events(t, ord.ID)) != events || e.count(t, "billkit_tasks", "1 = 1") != tasks {
		t.Fatalf("a refused open wrote: %+v", got)
	}
}

func TestNoServerWhenAllAreFull(t *testing.T) {
	e := newEnv(t)
	srv := e.server(t, "tiny", 1)
	e.activeService(t, billkit.ClientID{}, srv.ID)
	ord := e.orderedService(t, billkit.ClientID{})
	actions := e.count(t, "billkit_actions", "1 = 1")
	_, err := e.mgr.OpenService(ctx, admin(), ord.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonNoServer)
	if n := e.count(t, "billkit_actions", "1 = 1"); n != actions {
		t.Fatalf("%d actions written", n-actions)
	}
	if got := must[*provisioning.Server](t)(e.mgr.GetServer(ctx, system, srv.ID)); got.Load != 1 {
		t.Fatalf("load = %d", got.Load)
	}
	// More room, and it opens.
	must[*provisioning.Server](t)(e.mgr.UpdateServer(ctx, admin(), srv.ID, provisioning.UpdateServerParams{Capacity: ptr(2)}))
	s := must[*provisioning.Service](t)(e.mgr.OpenService(ctx, admin(), ord.ID, ""))
	if s.ServerID != srv.ID {
		t.Fatalf("service = %+v", s)
	}
}

func TestPlacementRacePostgres(t *testing.T) {
	e := newPostgresEnv(t)
	a, b := e.server(t, "a", 1), e.server(t, "b", 1)
	svcs := []*provisioning.Service{e.orderedService(t, billkit.ClientID{}), e.orderedService(t, billkit.ClientID{})}
	// Both see two empty servers and go for the same one first: the claim
	// that loses moves on to the other.
	var wg sync.WaitGroup
	start := make(chan struct{})
	placed := make([]provisioning.ServerID, len(svcs))
	errs := make([]error, len(svcs))
	for i, s := range svcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out, err := e.mgr.OpenService(ctx, admin(), s.ID, "")
			errs[i] = err
			if err == nil {
				placed[i] = out.ServerID
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if placed[0] == placed[1] || (placed[0] != a.ID && placed[0] != b.ID) || (placed[1] != a.ID && placed[1] != b.ID) {
		t.Fatalf("placed on %v, want a and b", placed)
	}
	for _, s := range []*provisioning.Server{a, b} {
		if got := must[*provisioning.Server](t)(e.mgr.GetServer(ctx, system, s.ID)); got.Load != 1 {
			t.Fatalf("%s load = %d", got.Name, got.Load)
		}
	}
}
