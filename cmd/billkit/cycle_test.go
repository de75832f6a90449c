package main

import (
	"context"
	"encoding/json"
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

// cycleStart is when the cycle's tests start: a Saturday morning, UTC.
var cycleStart = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)

// cycleWorld is the smallest world the billing cycle has work in: a
// provider (USD, UTC) with a VPS type of the manual module and a tariff of
// 10.00 a month, a client with 100.00 on its balance, and its service of
// that tariff, which expires on the day given.
type cycleWorld struct {
	bill    *billing.Service
	mgr     *provisioning.Manager
	client  billkit.ClientID
	service provisioning.ServiceID
}

// newCycleWorld builds the world on st, on clock, with a manager made by
// newManager as serve makes it.
func newCycleWorld(t *testing.T, st *bunstore.Store, clock billkit.Clock, expires billkit.Date) cycleWorld {
	t.Helper()
	ctx := context.Background()
	a := billkit.SystemActor("test")
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, a); err != nil {
		t.Fatal(err)
	}
	cat, bill := newMoney(st, dir, clock)
	mgr := testManager(t, st, bill, cat, clock)
	p, err := bill.CreateProvider(ctx, a, billing.CreateProviderParams{Name: "HostCo", Currency: "USD", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.CreateProductType(ctx, a, p.ID, catalog.ProductTypeDoc{Code: "vps", Kind: catalog.KindVPS,
		Name: directory.Text{"en": "VPS"}, Module: "manual", Lifecycle: catalog.Lifecycle{GraceDays: 3, DeleteAfterDays: 14}}); err != nil {
		t.Fatal(err)
	}
	tariff, err := cat.CreateTariff(ctx, a, p.ID, catalog.TariffDoc{Code: "vps-1", Name: directory.Text{"en": "VPS 1"},
		ProductType: "vps", Currency: "USD",
		Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: decimal.RequireFromString("10.00")}}})
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
	svcs, err := mgr.ImportServices(ctx, a, []provisioning.ImportServiceParams{{
		ClientID: c.ID, TariffID: tariff.ID, Period: catalog.PeriodMonth, Name: "vps", ExpiresOn: expires}})
	if err != nil {
		t.Fatal(err)
	}
	return cycleWorld{bill: bill, mgr: mgr, client: c.ID, service: svcs[0].ID}
}

// testManager is newManager with the modules of no file: the manual
// module alone.
func testManager(t *testing.T, st *bunstore.Store, bill *billing.Service, cat *catalog.Service, clock billkit.Clock) *provisioning.Manager {
	t.Helper()
	mods, err := loadModules("", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := newManager(managerParams{Store: st, Billing: bill, Catalog: cat, Clock: clock,
		Setup: provisioningSetup{modules: mods.registry, webhookSecrets: mods.webhookSecrets}})
	if err != nil {
		t.Fatal(err)
	}
	return mgr
}

// expiryAndBalance reads the world's service's expiry and its client's
// balance.
func (w cycleWorld) expiryAndBalance(t *testing.T) (billkit.Date, string) {
	t.Helper()
	ctx := context.Background()
	a := billkit.SystemActor("test")
	svc, err := w.mgr.GetService(ctx, a, w.service)
	if err != nil {
		t.Fatal(err)
	}
	bal, err := w.bill.Balance(ctx, a, w.client)
	if err != nil {
		t.Fatal(err)
	}
	return svc.ExpiresOn, bal.String()
}

// openWorld opens the SQLite file at dsn and reads the world's service's
// expiry and balance, as they are between two runs of the command.
func openWorld(t *testing.T, dsn string, clock billkit.Clock, w cycleWorld) (billkit.Date, string) {
	t.Helper()
	st, err := bunstore.Open(context.Background(), dsn, bunstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	cat, bill := newMoney(st, dir, clock)
	w.bill, w.mgr = bill, testManager(t, st, bill, cat, clock)
	return w.expiryAndBalance(t)
}

// runCLIAt is runCLI with the program's clock fixed.
func runCLIAt(t *testing.T, clock billkit.Clock, environ []string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr syncBuffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Environ: environ, Clock: clock}
	code := m.Run(t.Context(), args)
	return code, stdout.String(), stderr.String()
}

// TestCycleRunCLI runs `billkit cycle run` on a SQLite file whose one
// service expires today: a dry run says it would renew it and writes
// nothing, a run renews it once, and a second run renews nothing more.
func TestCycleRunCLI(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "cycle.db")
	env := []string{"BILLKIT_DSN=" + dsn}
	clock := billkit.NewFakeClock(cycleStart)
	today := billkit.DateOf(cycleStart)

	st, err := bunstore.Open(context.Background(), dsn, bunstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := newCycleWorld(t, st, clock, today)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLIAt(t, clock, env, "cycle", "run", "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run") || !containsRow(out, "renewed", "1") ||
		!strings.Contains(out, "renew") || !strings.Contains(out, w.service.String()) || !strings.Contains(out, "10.00") {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errOut)
	}
	if exp, bal := openWorld(t, dsn, clock, w); exp != today || bal != "100.00 USD" {
		t.Fatalf("after the dry run: expires %s, balance %s; want %s and 100.00 USD", exp, bal, today)
	}
	code, out, _ = runCLIAt(t, clock, env, "cycle", "run", "--dry-run", "--json")
	var rep provisioning.CycleReport
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil {
		t.Fatalf("--json: %d %v\n%s", code, err, out)
	}
	renews := 0
	for _, a := range rep.Actions {
		if a.Step.Kind == provisioning.StepRenew && a.ServiceID == w.service && !a.Unpaid {
			renews++
		}
	}
	if !rep.DryRun || rep.Renewals != 1 || renews != 1 || !rep.Now.Equal(cycleStart) {
		t.Fatalf("--json report: %+v", rep)
	}

	code, out, errOut = runCLIAt(t, clock, env, "cycle", "run", "--batch", "1")
	if code != 0 || strings.Contains(out, "dry run") || !containsRow(out, "renewed", "1") || !containsRow(out, "failures", "0") {
		t.Fatalf("run: %d\n%s\n%s", code, out, errOut)
	}
	wantExp := today.AddMonths(1)
	if exp, bal := openWorld(t, dsn, clock, w); exp != wantExp || bal != "90.00 USD" {
		t.Fatalf("after the run: expires %s, balance %s; want %s and 90.00 USD", exp, bal, wantExp)
	}

	// Workers beyond the one SQLite connection only wait their turn.
	clock.Advance(time.Hour)
	code, out, errOut = runCLIAt(t, clock, env, "cycle", "run", "--workers", "3")
	if code != 0 || !containsRow(out, "renewed", "0") {
		t.Fatalf("second run: %d\n%s\n%s", code, out, errOut)
	}
	if exp, bal := openWorld(t, dsn, clock, w); exp != wantExp || bal != "90.00 USD" {
		t.Fatalf("after the second run: expires %s, balance %s", exp, bal)
	}

	if code, _, errOut := runCLIAt(t, clock, env, "cycle", "run", "--batch", "-1"); code != 2 || !strings.Contains(errOut, "--batch") {
		t.Fatalf("--batch -1: %d %s", code, errOut)
	}
	if code, _, errOut := runCLIAt(t, clock, env, "cycle", "run", "--workers", "65"); code != 2 || !strings.Contains(errOut, "--workers") {
		t.Fatalf("--workers 65: %d %s", code, errOut)
	}
	if code, _, _ := runCLIAt(t, clock, env, "cycle", "run", "extra"); code != 2 {
		t.Fatalf("an argument: exit %d", code)
	}
}

// containsRow reports whether the report out has the row "name  value".
func containsRow(out, name, value string) bool {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && strings.Join(f[:len(f)-1], " ") == name && f[len(f)-1] == value {
			return true
		}
	}
	return false
}

func TestPrintCycleReportFailures(t *testing.T) {
	var svc provisioning.ServiceID
	if err := svc.UnmarshalText([]byte("0195f3a0-0000-7000-8000-000000000001")); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err := printCycleReport(&b, provisioning.CycleReport{Now: cycleStart, Services: 2, Renewals: 1, Failures: []provisioning.CycleFailure{
		{ServiceID: svc, Code: billkit.CodeFailedPrecondition, Reason: "provisioning.tariff_gone", Message: "the tariff is archived"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !containsRow(out, "failures", "1") || !containsRow(out, "services looked at", "2") ||
		!strings.Contains(out, "failed: service "+svc.String()+": failed_precondition (provisioning.tariff_gone): the tariff is archived") {
		t.Fatalf("report:\n%s", out)
	}
}
