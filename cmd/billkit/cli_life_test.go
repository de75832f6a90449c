package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/shopspring/decimal"
)

// lifeWorld is a SQLite file with a provider (USD, UTC) and its company, a VPS type of the
// manual module, the tariff vps-1 (10.00 a month, with 1 to 4 IPs, one
// included, 2.00 a month each beyond), and the client Acme with 100.00 on
// its balance, at a fixed time.
type lifeWorld struct {
	env      []string
	dsn      string
	clock    *billkit.FakeClock
	provider billkit.ProviderID
	client   billkit.ClientID
	tariff   catalog.TariffID
}

func newLifeWorld(t *testing.T, env ...string) lifeWorld {
	t.Helper()
	ctx := context.Background()
	w := lifeWorld{dsn: filepath.Join(t.TempDir(), "life.db"), clock: billkit.NewFakeClock(cycleStart)}
	w.env = append([]string{"BILLKIT_DSN=" + w.dsn}, env...)
	st, cat, bill := seededMoney(t, w.dsn, w.clock)
	defer st.Close()
	a := billkit.SystemActor("test")
	p, err := bill.CreateProvider(ctx, a, billing.CreateProviderParams{Name: "HostCo", Currency: "USD", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	// Billing prices orders for the company that sells the provider's services.
	if _, err := bill.CreateCompany(ctx, a, billing.CreateCompanyParams{
		LegalName: "HostCo Inc.", Country: "US", ProviderIDs: []billkit.ProviderID{p.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.CreateProductType(ctx, a, p.ID, catalog.ProductTypeDoc{Code: "vps", Kind: catalog.KindVPS,
		Name: directory.Text{"en": "VPS"}, Module: "manual", Lifecycle: catalog.Lifecycle{GraceDays: 3, DeleteAfterDays: 14}}); err != nil {
		t.Fatal(err)
	}
	dec := decimal.RequireFromString
	month := func(amount string) []catalog.Price {
		return []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec(amount)}}
	}
	tariff, err := cat.CreateTariff(ctx, a, p.ID, catalog.TariffDoc{Code: "vps-1", Name: directory.Text{"en": "VPS 1"},
		ProductType: "vps", Currency: "USD", Prices: month("10.00"),
		Addons: []catalog.Addon{{Code: "ip", Name: directory.Text{"en": "IPs"}, BillingType: catalog.BillingQuantity, Unit: "piece",
			Min: dec("1"), Max: dec("4"), Step: dec("1"), Included: dec("1"), Prices: month("2.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := bill.CreateClient(ctx, a, billing.CreateClientParams{ProviderID: p.ID, Name: "Acme", Email: "billing@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bill.Post(ctx, a, billing.PostParams{ClientID: c.ID, Amount: billkit.MustParseMoney("100.00", "USD"), Kind: billing.LedgerPayment}); err != nil {
		t.Fatal(err)
	}
	w.provider, w.client, w.tariff = p.ID, c.ID, tariff.ID
	return w
}

// seededMoney opens the SQLite file at dsn, migrated and with its
// reference data, and the catalog and billing services on it; the caller
// closes the store.
func seededMoney(t *testing.T, dsn string, clock billkit.Clock) (*bunstore.Store, *catalog.Service, *billing.Service) {
	t.Helper()
	ctx := context.Background()
	st, err := bunstore.Open(ctx, dsn, bunstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if _, err = st.Migrate(ctx); err == nil {
		err = dir.Bootstrap(ctx, billkit.SystemActor("test"))
	}
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	cat, bill := newMoney(st, dir, clock)
	return st, cat, bill
}

// run runs the command line on the world and fails the test unless it
// succeeds; it returns the standard output.
func (w lifeWorld) run(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runCLIAt(t, w.clock, w.env, args...)
	if code != 0 {
		t.Fatalf("billkit %s: exit %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// runJSON runs the command line with --json and decodes its output into v.
func (w lifeWorld) runJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := w.run(t, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("billkit %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// service reads a service through the command line.
func (w lifeWorld) service(t *testing.T, id provisioning.ServiceID) provisioning.Service {
	t.Helper()
	var s provisioning.Service
	w.runJSON(t, &s, "services", "show", id.String())
	return s
}

// waitingTask runs the due tasks and returns the service's task, which the
// manual module leaves waiting for staff.
func (w lifeWorld) waitingTask(t *testing.T, svc provisioning.ServiceID, op provisioning.Operation) provisioning.TaskID {
	t.Helper()
	if out := w.run(t, "tasks", "run-due"); !strings.Contains(out, "ran 1 task") {
		t.Fatalf("run-due: %s", out)
	}
	var page billkit.Page[provisioning.Task]
	w.runJSON(t, &page, "tasks", "list", "--service", svc.String(), "--status", "waiting")
	if len(page.Items) != 1 || page.Items[0].Operation != op {
		t.Fatalf("waiting tasks of %s: %+v; want one %s", svc, page.Items, op)
	}
	return page.Items[0].ID
}

// hasLine reports whether out has the line want, spaces aside.
func hasLine(out, want string) bool {
	for line := range strings.SplitSeq(out, "\n") {
		if strings.Join(strings.Fields(line), " ") == want {
			return true
		}
	}
	return false
}

// TestServiceLifeCLI drives a service's life through the command line:
// an order paid from the balance creates it, the manual module's task is
// completed by hand, it is suspended and resumed, a change is quoted, it is
// to be deleted at the end of its period, and its history tells it all.
func TestServiceLifeCLI(t *testing.T) {
	w := newLifeWorld(t)
	c := w.client.String()

	out := w.run(t, "orders", "create", "--client", c, "--tariff-code", "vps-1", "--period", "month", "--addon", "ip=2")
	if !strings.Contains(out, " paid") || !strings.Contains(out, "12.00 USD") || !strings.Contains(out, "pay by") {
		t.Fatalf("orders create:\n%s", out)
	}
	var orders billkit.Page[provisioning.Order]
	w.runJSON(t, &orders, "orders", "list", "--client", c, "--status", "paid")
	if len(orders.Items) != 1 || len(orders.Items[0].Items) != 1 || len(orders.Items[0].Items[0].ServiceIDs) != 1 {
		t.Fatalf("orders: %+v", orders)
	}
	order := orders.Items[0]
	svc := order.Items[0].ServiceIDs[0]
	if s := w.service(t, svc); s.Status != provisioning.StatusProcessing || s.Operation != provisioning.OpOpen ||
		s.Price.String() != "12.00 USD" || s.Addons["ip"].Quantity.String() != "2" {
		t.Fatalf("the ordered service: %+v", s)
	}
	if out := w.run(t, "orders", "show", order.ID.String()); !strings.Contains(out, svc.String()) || !strings.Contains(out, "ip=2") {
		t.Fatalf("orders show:\n%s", out)
	}

	// The manual module waits for staff, who open it by hand.
	task := w.waitingTask(t, svc, provisioning.OpOpen)
	if out := w.run(t, "tasks", "show", task.String()); !strings.Contains(out, "open waiting") || !strings.Contains(out, "manual") {
		t.Fatalf("tasks show:\n%s", out)
	}
	out = w.run(t, "tasks", "complete", task.String(), "--param", "ip_address=192.0.2.10", "--message", "opened by hand")
	if !strings.Contains(out, "open done") {
		t.Fatalf("tasks complete:\n%s", out)
	}
	var attempts billkit.Page[provisioning.TaskAttempt]
	w.runJSON(t, &attempts, "tasks", "attempts", task.String())
	if len(attempts.Items) != 1 || attempts.Items[0].Outcome != "waiting" {
		t.Fatalf("attempts: %+v", attempts.Items)
	}
	s := w.service(t, svc)
	if s.Status != provisioning.StatusActive || s.Params["ip_address"] != "192.0.2.10" || s.ExpiresOn != billkit.DateOf(cycleStart).AddMonths(1) {
		t.Fatalf("the opened service: %+v", s)
	}
	if out := w.run(t, "services", "list", "--client", c, "--status", "active"); !strings.Contains(out, svc.String()) || !strings.Contains(out, "12.00 USD") {
		t.Fatalf("services list:\n%s", out)
	}

	out = w.run(t, "services", "suspend", svc.String(), "--reason", "abuse", "--memo", "spam complaint")
	if !strings.Contains(out, "processing (suspend)") {
		t.Fatalf("services suspend:\n%s", out)
	}
	w.run(t, "tasks", "complete", w.waitingTask(t, svc, provisioning.OpSuspend).String())
	if s := w.service(t, svc); s.Status != provisioning.StatusSuspended || s.SuspendReason != provisioning.SuspendAbuse {
		t.Fatalf("the suspended service: %+v", s)
	}

	w.run(t, "services", "resume", svc.String(), "--memo", "cleaned up")
	w.run(t, "tasks", "complete", w.waitingTask(t, svc, provisioning.OpResume).String())
	if s := w.service(t, svc); s.Status != provisioning.StatusActive || s.SuspendReason != "" {
		t.Fatalf("the resumed service: %+v", s)
	}

	// Ten days on, a third IP for the 20 days left: quoted, not made.
	w.clock.Advance(10 * 24 * time.Hour)
	out = w.run(t, "services", "change", svc.String(), "--addon", "ip=3", "--quote")
	if !strings.Contains(out, "nothing was changed") || !hasLine(out, "new price 14.00 USD") || !hasLine(out, "old price 12.00 USD") {
		t.Fatalf("services change --quote:\n%s", out)
	}
	var q provisioning.ChangeQuote
	w.runJSON(t, &q, "services", "change", svc.String(), "--addon", "ip=3", "--quote")
	if q.ServiceID != svc || q.NewPrice.String() != "14.00 USD" || !q.Net.IsPositive() {
		t.Fatalf("the quote: %+v", q)
	}
	if s := w.service(t, svc); s.Price.String() != "12.00 USD" || s.Addons["ip"].Quantity.String() != "2" {
		t.Fatalf("a quote changed the service: %+v", s)
	}

	out = w.run(t, "services", "delete", svc.String(), "--at-period-end", "--memo", "the client leaves")
	if !hasLine(out, "delete at period end yes") {
		t.Fatalf("services delete --at-period-end:\n%s", out)
	}
	if s := w.service(t, svc); s.Status != provisioning.StatusActive || !s.DeleteAtPeriodEnd {
		t.Fatalf("the service to delete: %+v", s)
	}

	out = w.run(t, "services", "history", svc.String())
	for _, want := range []string{"processing → active", "active → processing", "processing → suspended", "spam complaint",
		"cleaned up", "delete_at_period_end", "the client leaves", "system:cli"} {
		if !strings.Contains(out, want) {
			t.Errorf("history lacks %q:\n%s", want, out)
		}
	}
	var events billkit.Page[provisioning.ServiceEvent]
	w.runJSON(t, &events, "services", "history", svc.String())
	if last := events.Items[len(events.Items)-1]; last.Kind != "delete_at_period_end" || last.Memo != "the client leaves" {
		t.Fatalf("the last event: %+v", last)
	}

	// The timeline sees the deletion at the end of the period.
	out = w.run(t, "timeline", c, "--days", "30")
	if !strings.Contains(out, "delete") || !strings.Contains(out, svc.String()) {
		t.Fatalf("timeline:\n%s", out)
	}
}

// TestLifeCLIJSON checks that --json prints the objects as the library
// has them, and the lists as pages.
func TestLifeCLIJSON(t *testing.T) {
	w := newLifeWorld(t)
	var o provisioning.Order
	w.runJSON(t, &o, "orders", "create", "--client", w.client.String(), "--tariff", w.tariff.String(), "--period", "month", "--quantity", "2")
	if o.Status != provisioning.OrderPaid || o.ClientID != w.client || o.Total.String() != "20.00 USD" ||
		len(o.Items) != 1 || o.Items[0].TariffID != w.tariff || len(o.Items[0].ServiceIDs) != 2 {
		t.Fatalf("the order: %+v", o)
	}
	var got provisioning.Order
	w.runJSON(t, &got, "orders", "show", o.ID.String())
	if got.ID != o.ID || !got.Total.Equal(o.Total) {
		t.Fatalf("orders show: %+v", got)
	}
	var page billkit.Page[provisioning.Service]
	w.runJSON(t, &page, "services", "list", "--limit", "1")
	if len(page.Items) != 1 || page.NextCursor == "" || page.Items[0].ID != o.Items[0].ServiceIDs[0] {
		t.Fatalf("the first page: %+v", page)
	}
	w.runJSON(t, &page, "services", "list", "--limit", "1", "--cursor", page.NextCursor)
	if len(page.Items) != 1 || page.Items[0].ID != o.Items[0].ServiceIDs[1] {
		t.Fatalf("the second page: %+v", page)
	}
	if out := w.run(t, "services", "list", "--limit", "1"); !strings.Contains(out, "more: --cursor ") {
		t.Fatalf("a table with more:\n%s", out)
	}
	var tasks billkit.Page[provisioning.Task]
	w.runJSON(t, &tasks, "tasks", "list", "--client", w.client.String())
	if len(tasks.Items) != 2 || tasks.Items[0].Status != provisioning.TaskQueued || tasks.Items[0].Operation != provisioning.OpOpen {
		t.Fatalf("tasks: %+v", tasks.Items)
	}
	var ran taskRun
	w.runJSON(t, &ran, "tasks", "run-due")
	if ran.Ran != 2 {
		t.Fatalf("run-due: %+v", ran)
	}
	var tl provisioning.Timeline
	w.runJSON(t, &tl, "timeline", w.client.String(), "--days", "7")
	if tl.ClientID != w.client || len(tl.Days) != 7 || tl.Balance.String() != "80.00 USD" {
		t.Fatalf("the timeline: %+v", tl)
	}

	// A datacenter and a server of the manual module; the credentials are
	// stored and never printed.
	var dc provisioning.Datacenter
	w.runJSON(t, &dc, "datacenters", "create", "--provider", w.provider.String(), "--code", "fra-1", "--name", "Frankfurt", "--country", "de")
	if dc.Code != "fra-1" || dc.Country != "DE" || !dc.Enabled || dc.ProviderID != w.provider {
		t.Fatalf("the datacenter: %+v", dc)
	}
	w.runJSON(t, &dc, "datacenters", "update", dc.ID.String(), "--enabled=false")
	if dc.Enabled || dc.Name != "Frankfurt" {
		t.Fatalf("the datacenter disabled: %+v", dc)
	}
	var dc2 provisioning.Datacenter
	w.runJSON(t, &dc2, "datacenters", "create", "--code", "ams-1", "--name", "Amsterdam", "--disabled")
	if dc2.Enabled || dc2.ProviderID != w.provider {
		t.Fatalf("a datacenter created disabled, of the only provider: %+v", dc2)
	}
	key := "BILLKIT_SECRET_KEY=" + strings.Repeat("ab", 32)
	creds := filepath.Join(t.TempDir(), "creds")
	if err := os.WriteFile(creds, []byte("# the panel\ntoken = s3cret-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withKey := w
	withKey.env = append(append([]string{}, w.env...), key)
	args := []string{"servers", "create", "--datacenter", dc.ID.String(), "--module", "manual", "--name", "node-1",
		"--url", "https://node-1.example.com", "--param", "zone=a", "--credentials-file", creds, "--capacity", "10"}
	out := withKey.run(t, append(args, "--json")...)
	var srv provisioning.Server
	if err := json.Unmarshal([]byte(out), &srv); err != nil || strings.Contains(out, "s3cret") {
		t.Fatalf("servers create: %v\n%s", err, out)
	}
	if srv.ProviderID != w.provider || srv.Module != "manual" || srv.Capacity != 10 || srv.Params["zone"] != "a" || !srv.Enabled {
		t.Fatalf("the server: %+v", srv)
	}
	if out := withKey.run(t, "servers", "show", srv.ID.String()); strings.Contains(out, "s3cret") || !strings.Contains(out, "0/10") {
		t.Fatalf("servers show:\n%s", out)
	}
	withKey.runJSON(t, &srv, "servers", "disable", srv.ID.String())
	if srv.Enabled {
		t.Fatalf("the server disabled: %+v", srv)
	}
	withKey.runJSON(t, &srv, "servers", "update", srv.ID.String(), "--name", "node-one", "--capacity", "20")
	if srv.Name != "node-one" || srv.Capacity != 20 || srv.URL != "https://node-1.example.com" || srv.Params["zone"] != "a" {
		t.Fatalf("the server updated: %+v", srv)
	}
	var servers billkit.Page[provisioning.Server]
	w.runJSON(t, &servers, "servers", "list", "--datacenter", dc.ID.String())
	if len(servers.Items) != 1 || servers.Items[0].ID != srv.ID {
		t.Fatalf("servers list: %+v", servers)
	}
	// Without the key, credentials are refused and nothing is created.
	code, _, errOut := runCLIAt(t, w.clock, w.env, args...)
	if code != 1 || !strings.Contains(errOut, "provisioning.secret_key_missing") || strings.Contains(errOut, "s3cret") {
		t.Fatalf("credentials without the key: %d\n%s", code, errOut)
	}
	w.runJSON(t, &servers, "servers", "list")
	if len(servers.Items) != 1 {
		t.Fatalf("%d servers after a refused create", len(servers.Items))
	}
}

// lifeCounts are what the commands of the life of services write.
type lifeCounts struct{ orders, services, events, tasks, servers, datacenters int }

func (w lifeWorld) counts(t *testing.T) lifeCounts {
	t.Helper()
	ctx := context.Background()
	st, err := bunstore.Open(ctx, w.dsn, bunstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ps := st.Provisioning()
	all := billkit.PageParams{Limit: billkit.MaxPageLimit}
	var n lifeCounts
	orders, err1 := ps.ListOrders(ctx, provisioning.OrderFilter{PageParams: all})
	svcs, err2 := ps.ListServices(ctx, provisioning.ServiceFilter{PageParams: all})
	tasks, err3 := ps.ListTasks(ctx, provisioning.TaskFilter{PageParams: all})
	srvs, err4 := ps.ListServers(ctx, provisioning.ServerFilter{PageParams: all})
	dcs, err5 := ps.ListDatacenters(ctx, provisioning.DatacenterFilter{PageParams: all})
	for _, err := range []error{err1, err2, err3, err4, err5} {
		if err != nil {
			t.Fatal(err)
		}
	}
	n.orders, n.services, n.tasks, n.servers, n.datacenters = len(orders.Items), len(svcs.Items), len(tasks.Items), len(srvs.Items), len(dcs.Items)
	for _, s := range svcs.Items {
		es, err := ps.ListServiceEvents(ctx, provisioning.ServiceEventFilter{ServiceID: s.ID, PageParams: all})
		if err != nil {
			t.Fatal(err)
		}
		n.events += len(es.Items)
	}
	return n
}

// TestLifeCLIBadInput gives commands bad input: each is a usage error
// (exit status 2) that names what is wrong, and writes nothing; an error
// of the library (exit status 1) shows its code and reason, and writes
// nothing either.
func TestLifeCLIBadInput(t *testing.T) {
	w := newLifeWorld(t)
	var o provisioning.Order
	w.runJSON(t, &o, "orders", "create", "--client", w.client.String(), "--tariff-code", "vps-1", "--period", "month")
	svc := o.Items[0].ServiceIDs[0].String()
	before := w.counts(t)
	c := w.client.String()
	missing := filepath.Join(t.TempDir(), "none")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"services", "show", "svc-1"}, `"svc-1" is not a service ID`},
		{[]string{"services", "show"}, "takes ID"},
		{[]string{"services", "show", svc, "extra"}, "takes ID"},
		{[]string{"services", "list", "--status", "frozen"}, `--status: "frozen" is not one of ordered, processing`},
		{[]string{"services", "list", "--client", "acme"}, `--client: "acme" is not a client ID`},
		{[]string{"services", "list", "--limit", "0"}, "--limit: 0 is not between 1 and 1000"},
		{[]string{"services", "suspend", svc}, "--reason: a reason is required"},
		{[]string{"services", "suspend", svc, "--reason", "non_payment"}, `--reason: "non_payment" is not one of staff, abuse, client, temporary`},
		{[]string{"services", "special-price", svc, "12,50", "USD"}, `AMOUNT: "12,50" is not an amount`},
		{[]string{"services", "special-price", svc, "--", "-1", "USD"}, "AMOUNT: -1 is negative"},
		{[]string{"services", "special-price", svc, "5", "us$"}, `CURRENCY: "US$" is not a currency code`},
		{[]string{"services", "auto-renew", svc, "maybe"}, `on|off: "maybe" is not on or off`},
		{[]string{"services", "move", svc}, "--to: a client ID is required"},
		{[]string{"services", "change", svc, "--quote"}, "say what changes"},
		{[]string{"services", "change", svc, "--addon", "ip"}, `--addon: "ip" is not key=value`},
		{[]string{"services", "change", svc, "--tariff", w.tariff.String(), "--tariff-code", "vps-1"}, "not both"},
		{[]string{"orders", "create", "--tariff-code", "vps-1", "--period", "month"}, "--client: a client ID is required"},
		{[]string{"orders", "create", "--client", c, "--period", "month"}, "--tariff or --tariff-code: a tariff is required"},
		{[]string{"orders", "create", "--client", c, "--tariff-code", "vps-1", "--period", "fortnight"}, `--period: "fortnight" is not one of hour`},
		{[]string{"orders", "create", "--client", c, "--tariff-code", "vps-1", "--period", "month", "--pay-by", "cash"}, `--pay-by: "cash" is not one of balance, invoice, gateway`},
		{[]string{"orders", "create", "--client", c, "--tariff-code", "vps-1", "--period", "month", "--quantity", "0"}, "--quantity: 0 is not between 1 and 100"},
		{[]string{"orders", "create", "--client", c, "--tariff-code", "vps-1", "--period", "month", "--datacenter", "Frankfurt 1"}, `--datacenter: "Frankfurt 1" is neither a datacenter's ID nor its code`},
		{[]string{"orders", "create", "--client", c, "--tariff-code", "vps-1", "--period", "month", "--pay-by", "gateway", "--method", "stripe"}, `--method: "stripe" is not a payment method ID`},
		{[]string{"orders", "list", "--status", "open"}, `--status: "open" is not one of new, paid, completed, cancelled`},
		{[]string{"orders", "pay", "42"}, `"42" is not an order ID`},
		{[]string{"tasks", "list", "--status", "stuck"}, `--status: "stuck" is not one of queued`},
		{[]string{"tasks", "complete", "t-1"}, `"t-1" is not a task ID`},
		{[]string{"tasks", "fail", "0195f3a0-0000-7000-8000-000000000001"}, "--message: the error is required"},
		{[]string{"tasks", "complete", "0195f3a0-0000-7000-8000-000000000001", "--param", "=x"}, `--param: "=x" is not key=value`},
		{[]string{"tasks", "run-due", "--limit", "5000"}, "--limit: 5000 is not between 1 and 1000"},
		{[]string{"timeline", c, "--days", "0"}, "--days: 0 is not between 1 and 366"},
		{[]string{"timeline", "acme"}, `"acme" is not a client ID`},
		{[]string{"datacenters", "create", "--provider", "p1", "--code", "x", "--name", "X"}, `--provider: "p1" is not a provider ID`},
		{[]string{"servers", "create", "--module", "manual", "--name", "n"}, "--datacenter: a datacenter ID is required"},
		{[]string{"servers", "create", "--datacenter", "0195f3a0-0000-7000-8000-000000000001", "--credentials-file", missing}, "--credentials-file: cannot read " + missing},
		{[]string{"servers", "update", "0195f3a0-0000-7000-8000-000000000001", "--capacity", "-1"}, "--capacity: -1 is negative"},
	} {
		code, out, errOut := runCLIAt(t, w.clock, w.env, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) || out != "" {
			t.Errorf("billkit %s: exit %d, stderr %q, stdout %q; want 2 and %q", strings.Join(tc.args, " "), code, errOut, out, tc.want)
		}
	}

	// The library's refusals: the service is busy opening, the tariff code
	// is unknown, the balance does not cover 20 services.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"services", "suspend", svc, "--reason", "staff"}, "services suspend " + svc + ": failed_precondition (provisioning.service_busy)"},
		{[]string{"orders", "create", "--client", c, "--tariff-code", "vps-9", "--period", "month"}, `tariff "vps-9": not_found`},
		{[]string{"orders", "create", "--client", c, "--tariff-code", "vps-1", "--period", "month", "--quantity", "20"}, "billing.insufficient_funds"},
		{[]string{"orders", "create", "--client", c, "--tariff-code", "vps-1", "--period", "year"}, "items[0].period"},
		{[]string{"services", "special-price", svc, "5", "EUR"}, "provisioning.currency_mismatch"},
		{[]string{"timeline", "0195f3a0-0000-7000-8000-000000000001"}, "billkit: timeline 0195f3a0-0000-7000-8000-000000000001: not_found"},
	} {
		code, _, errOut := runCLIAt(t, w.clock, w.env, tc.args...)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("billkit %s: exit %d, stderr %q; want 1 and %q", strings.Join(tc.args, " "), code, errOut, tc.want)
		}
	}
	if after := w.counts(t); after != before {
		t.Fatalf("bad input wrote: %+v, was %+v", after, before)
	}
}

// TestProvisioningSettingsCLI sets the order time, the reminder days and
// the task attempts and sees the manager use them, reads all four settings
// (the invoice days too, passed to the manager beside them), and checks
// that bad values stop every command with exit status 2 and the setting's
// name.
func TestProvisioningSettingsCLI(t *testing.T) {
	w := newLifeWorld(t, "BILLKIT_ORDER_TTL=2h", "BILLKIT_NOTICE_DAYS=7, 2", "BILLKIT_TASK_ATTEMPTS=3")
	var o provisioning.Order
	w.runJSON(t, &o, "orders", "create", "--client", w.client.String(), "--tariff-code", "vps-1", "--period", "month", "--pay-by", "gateway")
	if o.Status != provisioning.OrderNew || !o.CancelAt.Equal(cycleStart.Add(2*time.Hour)) {
		t.Fatalf("an order waiting for payment: %+v; want cancel_at %s", o, cycleStart.Add(2*time.Hour))
	}
	// A flag wins over the environment.
	w.runJSON(t, &o, "orders", "create", "--client", w.client.String(), "--tariff-code", "vps-1", "--period", "month", "--pay-by", "gateway", "--order-ttl", "30m")
	if !o.CancelAt.Equal(cycleStart.Add(30 * time.Minute)) {
		t.Fatalf("--order-ttl 30m: cancel_at %s", o.CancelAt)
	}
	w.runJSON(t, &o, "orders", "pay", o.ID.String())
	svc := o.Items[0].ServiceIDs[0]
	var task provisioning.Task
	var tasks billkit.Page[provisioning.Task]
	w.runJSON(t, &tasks, "tasks", "list", "--service", svc.String())
	w.runJSON(t, &task, "tasks", "show", tasks.Items[0].ID.String())
	if task.MaxAttempts != 3 {
		t.Fatalf("the task's attempts: %d, want 3", task.MaxAttempts)
	}
	w.run(t, "tasks", "run-due")
	w.run(t, "tasks", "complete", task.ID.String())

	// The reminders come 7 and 2 days before the expiry, a month ahead.
	var tl provisioning.Timeline
	w.runJSON(t, &tl, "timeline", w.client.String(), "--days", "40")
	var notices []int
	for _, d := range tl.Days {
		for _, e := range d.Events {
			if e.Step.Kind == provisioning.StepNotice {
				notices = append(notices, e.Step.DaysBefore)
			}
		}
	}
	if len(notices) != 2 || notices[0] != 7 || notices[1] != 2 {
		t.Fatalf("notices %v, want [7 2]", notices)
	}
	w.env = append(w.env, "BILLKIT_NOTICE_DAYS=none")
	w.runJSON(t, &tl, "timeline", w.client.String(), "--days", "40")
	for _, d := range tl.Days {
		for _, e := range d.Events {
			if e.Step.Kind == provisioning.StepNotice {
				t.Fatalf("a notice with none: %+v", e)
			}
		}
	}

	s, err := (config{OrderTTL: "90m", NoticeDays: "10,0", InvoiceDaysBefore: "4", TaskAttempts: "12"}).provisioningSettings()
	if err != nil || s.orderTTL != 90*time.Minute || len(s.noticeDays) != 2 || s.noticeDays[1] != 0 || s.invoiceDaysBefore != 4 || s.maxAttempts != 12 {
		t.Fatalf("settings %+v, %v", s, err)
	}
	if s, err := (config{}).provisioningSettings(); err != nil || s.orderTTL != 0 || s.noticeDays != nil || s.invoiceDaysBefore != 0 || s.maxAttempts != 0 {
		t.Fatalf("the defaults: %+v, %v", s, err)
	}

	for _, tc := range []struct {
		env  string
		args []string
		want string
	}{
		{"BILLKIT_ORDER_TTL=soon", nil, `--order-ttl (BILLKIT_ORDER_TTL): "soon" is not a duration`},
		{"BILLKIT_ORDER_TTL=30s", nil, "--order-ttl (BILLKIT_ORDER_TTL): 30s is not between 1m and 8784h"},
		{"", []string{"--order-ttl", "-1h"}, "--order-ttl (BILLKIT_ORDER_TTL): -1h is not between"},
		{"BILLKIT_NOTICE_DAYS=5,x", nil, `--notice-days (BILLKIT_NOTICE_DAYS): "x" is not a whole number from 0 to 366`},
		{"", []string{"--notice-days", "400"}, `"400" is not a whole number from 0 to 366`},
		{"", []string{"--notice-days", "5,,1"}, "has an empty day"},
		{"", []string{"--notice-days", "5,5"}, "5 is given twice"},
		{"BILLKIT_INVOICE_DAYS_BEFORE=0", nil, `--invoice-days-before (BILLKIT_INVOICE_DAYS_BEFORE): "0" is not a whole number from 1 to 366`},
		{"", []string{"--invoice-days-before", "ten"}, `"ten" is not a whole number from 1 to 366`},
		{"BILLKIT_TASK_ATTEMPTS=0", nil, `--task-attempts (BILLKIT_TASK_ATTEMPTS): "0" is not a whole number from 1 to 100`},
		{"", []string{"--task-attempts", "101"}, `"101" is not a whole number from 1 to 100`},
	} {
		env := []string{"BILLKIT_DSN=" + w.dsn}
		if tc.env != "" {
			env = append(env, tc.env)
		}
		args := append([]string{"orders", "list"}, tc.args...)
		if code, _, errOut := runCLIAt(t, w.clock, env, args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s %v: exit %d, %q; want 2 and %q", tc.env, tc.args, code, errOut, tc.want)
		}
	}
}
