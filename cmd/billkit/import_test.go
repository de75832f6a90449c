package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/shopspring/decimal"
)

// importWorld is a SQLite file with a provider, a client (Acme,
// billing@example.com), a hosting type of the script module "panel" with
// the tariff host-1 (5.00 a month), a server of that module and one of the
// manual module, and the modules file that names "panel".
type importWorld struct {
	env           []string
	dsn           string
	client        billkit.ClientID
	tariff        catalog.TariffID
	panel, manual provisioning.ServerID
}

// panelScript lists two accounts: one the world's client has, on host-1,
// and one nobody can place.
const panelScript = `#!/bin/sh
cat >/dev/null
if [ "$BILLKIT_OPERATION" != list ]; then echo '{"status":"ok"}'; exit 0; fi
echo '{"services":[{"remote_id":"acct-1","domain":"a.example","plan":"host-1","expires_on":"2026-04-14","client_hint":"billing@example.com"},{"remote_id":"acct-2","plan":"gold"}]}'
`

func newImportWorld(t *testing.T) importWorld {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	script := filepath.Join(dir, "panel.sh")
	if err := os.WriteFile(script, []byte(panelScript), 0o755); err != nil {
		t.Fatal(err)
	}
	modules := writeModules(t, "modules:\n  - name: panel\n    kind: script\n    command: /bin/sh\n    args: ["+script+"]\n")
	w := importWorld{dsn: filepath.Join(dir, "import.db")}
	w.env = []string{"BILLKIT_DSN=" + w.dsn, "BILLKIT_MODULES=" + modules}

	st, err := bunstore.Open(ctx, w.dsn, bunstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a := billkit.SystemActor("test")
	clock := billkit.NewFakeClock(cycleStart)
	d := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := d.Bootstrap(ctx, a); err != nil {
		t.Fatal(err)
	}
	cat, bill := newMoney(st, d, clock)
	mods, err := loadModules(modules, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := newManager(managerParams{Store: st, Billing: bill, Catalog: cat, Clock: clock, Setup: provisioningSetup{modules: mods.registry}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := bill.CreateProvider(ctx, a, billing.CreateProviderParams{Name: "HostCo", Currency: "USD", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cat.CreateProductType(ctx, a, p.ID, catalog.ProductTypeDoc{Code: "hosting", Kind: catalog.KindOther,
		Name: directory.Text{"en": "Hosting"}, Module: "panel"}); err != nil {
		t.Fatal(err)
	}
	tariff, err := cat.CreateTariff(ctx, a, p.ID, catalog.TariffDoc{Code: "host-1", Name: directory.Text{"en": "Host 1"},
		ProductType: "hosting", Currency: "USD",
		Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: decimal.RequireFromString("5.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := bill.CreateClient(ctx, a, billing.CreateClientParams{ProviderID: p.ID, Name: "Acme", Email: "billing@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := mgr.CreateDatacenter(ctx, a, provisioning.DatacenterParams{ProviderID: p.ID, Code: "fra", Name: "Frankfurt", Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		module string
		id     *provisioning.ServerID
	}{{"panel", &w.panel}, {"manual", &w.manual}} {
		srv, err := mgr.CreateServer(ctx, a, provisioning.ServerParams{ProviderID: p.ID, DatacenterID: dc.ID, Module: s.module,
			Name: s.module + "-1", URL: "https://" + s.module + ".example.com"})
		if err != nil {
			t.Fatal(err)
		}
		*s.id = srv.ID
	}
	w.client, w.tariff = c.ID, tariff.ID
	return w
}

// services lists the services of the world's file.
func (w importWorld) services(t *testing.T) []provisioning.Service {
	t.Helper()
	st, err := bunstore.Open(context.Background(), w.dsn, bunstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	page, err := st.Provisioning().ListServices(context.Background(), provisioning.ServiceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// TestServicesImportCLI checks a file with --dry-run (nothing written),
// imports it, and reports a bad one problem by problem.
func TestServicesImportCLI(t *testing.T) {
	w := newImportWorld(t)
	clock := billkit.NewFakeClock(cycleStart)
	c := w.client.String()
	file := filepath.Join(t.TempDir(), "services.csv")
	body := "client_id,tariff_code,period,name,expires_on,server_id,param.remote_id\r\n" +
		c + ",host-1,month,a.example,2026-04-14," + w.panel.String() + ",acct-1\r\n" +
		c + ",host-1,month,b.example,2026-05-01,,acct-9\r\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runCLIAt(t, clock, w.env, "services", "import", file, "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run") || !strings.Contains(out, "2 services") {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errOut)
	}
	if n := len(w.services(t)); n != 0 {
		t.Fatalf("the dry run wrote %d services", n)
	}

	code, out, errOut = runCLIAt(t, clock, w.env, "services", "import", file)
	if code != 0 || !strings.Contains(out, "imported "+file+": 2 services") || !strings.Contains(out, "a.example") || !strings.Contains(out, "5.00 USD") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	svcs := w.services(t)
	if len(svcs) != 2 || svcs[0].TariffID != w.tariff || svcs[0].ServerID != w.panel || svcs[1].Params["remote_id"] != "acct-9" {
		t.Fatalf("imported %+v", svcs)
	}

	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("client_id,tariff_code,period,name,expires_on,colour\n"+
		c+",host-1,month,x,2026-02-30,red\n"+c+",host-9,month,y,2026-05-01,blue\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLIAt(t, clock, w.env, "services", "import", bad, "--dry-run")
	if code != 1 || !strings.Contains(errOut, "rows[1].colour") || !strings.Contains(errOut, "rows[2].expires_on") ||
		!strings.Contains(errOut, "2 problems; nothing was imported") {
		t.Fatalf("a bad file: %d\n%s", code, errOut)
	}
	// What only the database knows is found by the import.
	if err := os.WriteFile(bad, []byte("client_id,tariff_code,period,name,expires_on\n"+c+",host-9,month,y,2026-05-01\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLIAt(t, clock, w.env, "services", "import", bad, "--dry-run"); code != 0 || !strings.Contains(out, "1 service to import") {
		t.Fatalf("dry run of an unknown tariff code: %d %s", code, out)
	}
	code, _, errOut = runCLIAt(t, clock, w.env, "services", "import", bad)
	if code != 1 || !strings.Contains(errOut, "rows[2].tariff_code") || !strings.Contains(errOut, "1 problem;") {
		t.Fatalf("an unknown tariff code: %d\n%s", code, errOut)
	}
	if n := len(w.services(t)); n != 2 {
		t.Fatalf("%d services after a refused import", n)
	}

	if code, _, errOut := runCLIAt(t, clock, w.env, "services", "import"); code != 2 || !strings.Contains(errOut, "FILE.csv") {
		t.Fatalf("no file: %d %s", code, errOut)
	}
	if code, _, errOut := runCLIAt(t, clock, w.env, "services", "import", filepath.Join(t.TempDir(), "none.csv")); code != 1 || !strings.Contains(errOut, "none.csv") {
		t.Fatalf("a missing file: %d %s", code, errOut)
	}
}

// TestServersListingCLI lists the script module's server as a table and as
// JSON, then after importing its first account, which it then knows.
func TestServersListingCLI(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the module is a shell script")
	}
	w := newImportWorld(t)
	clock := billkit.NewFakeClock(cycleStart)

	code, out, errOut := runCLIAt(t, clock, w.env, "servers", "listing", w.panel.String())
	if code != 0 || !strings.Contains(out, "acct-1") || !strings.Contains(out, w.tariff.String()) || !strings.Contains(out, w.client.String()) ||
		!strings.Contains(out, `acct-2: plan "gold" is not the code of a tariff`) || !strings.Contains(out, "2 services on the server") {
		t.Fatalf("listing: %d\n%s\n%s", code, out, errOut)
	}

	code, out, errOut = runCLIAt(t, clock, w.env, "servers", "listing", w.panel.String(), "--json")
	var cands []provisioning.ImportCandidate
	if err := json.Unmarshal([]byte(out), &cands); code != 0 || err != nil || len(cands) != 2 {
		t.Fatalf("--json: %d %v\n%s\n%s", code, err, out, errOut)
	}
	c0 := cands[0]
	if c0.Service.ClientID != w.client || c0.Service.TariffID != w.tariff || c0.Service.Period != catalog.PeriodMonth ||
		len(c0.Missing) != 0 || c0.Known || c0.Service.Params["remote_id"] != "acct-1" {
		t.Fatalf("candidate 0: %+v", c0)
	}

	// Imported as listed, the account is known.
	file := filepath.Join(t.TempDir(), "listed.csv")
	if err := os.WriteFile(file, []byte("client_id,tariff_id,period,name,expires_on,server_id,param.remote_id\n"+
		c0.Service.ClientID.String()+","+c0.Service.TariffID.String()+",month,"+c0.Service.Name+","+c0.Service.ExpiresOn.String()+","+
		c0.Service.ServerID.String()+",acct-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLIAt(t, clock, w.env, "services", "import", file); code != 0 {
		t.Fatalf("import: %d\n%s\n%s", code, out, errOut)
	}
	_, out, _ = runCLIAt(t, clock, w.env, "servers", "listing", w.panel.String(), "--json")
	if err := json.Unmarshal([]byte(out), &cands); err != nil || !cands[0].Known || cands[1].Known {
		t.Fatalf("after the import: %v %+v", err, cands)
	}

	if code, _, errOut := runCLIAt(t, clock, w.env, "servers", "listing", w.manual.String()); code != 1 || !strings.Contains(errOut, "cannot list") {
		t.Fatalf("a manual server: %d %s", code, errOut)
	}
	if code, _, errOut := runCLIAt(t, clock, w.env, "servers", "listing", "node-1"); code != 2 || !strings.Contains(errOut, "not a server ID") {
		t.Fatalf("a bad ID: %d %s", code, errOut)
	}
}
