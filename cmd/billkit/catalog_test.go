package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
)

// newProvider creates a provider in the database at dsn, as staff would
// through the API.
func newProvider(t *testing.T, dsn, name string) billkit.ProviderID {
	t.Helper()
	ctx := context.Background()
	st, err := bunstore.Open(ctx, dsn, bunstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	dir := directory.NewService(st.Directory(), directory.Config{})
	if err := dir.Bootstrap(ctx, billkit.SystemActor("test")); err != nil {
		t.Fatal(err)
	}
	p, err := billing.NewService(st.Billing(), dir, billing.Config{}).CreateProvider(ctx, billkit.SystemActor("test"), billing.CreateProviderParams{Name: name, Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func TestCatalogImportExportCLI(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "c.db")
	env := []string{"BILLKIT_DSN=" + dsn}
	starter := filepath.Join("..", "..", "examples", "catalog", "catalog.yaml")

	// A new installation starts with one provider, so the catalog needs
	// nothing set up first.
	if code, out, errOut := runCLI(t, env, "catalog", "export"); code != 0 || strings.Contains(out, "tariffs:") {
		t.Fatalf("export of a new installation: %d %s %s", code, out, errOut)
	}

	// A dry run stores nothing.
	code, out, errOut := runCLI(t, env, "catalog", "import", starter, "--dry-run")
	if code != 0 || !strings.Contains(out, "dry run, nothing stored") || !strings.Contains(out, "tariff vps-start: created") {
		t.Fatalf("dry run: %d %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, env, "catalog", "export")
	if code != 0 || strings.Contains(out, "tariffs:") {
		t.Fatalf("export after a dry run: %d %s %s", code, out, errOut)
	}

	code, out, errOut = runCLI(t, env, "catalog", "import", starter)
	if code != 0 || !strings.Contains(out, "imported") || strings.Contains(out, " 0 changes") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	// The same file twice: 0 changes.
	code, out, _ = runCLI(t, env, "catalog", "import", starter)
	if code != 0 || !strings.Contains(out, ": 0 changes") {
		t.Fatalf("second import: %d %s", code, out)
	}

	// Export to a file, import it back: nothing changes, and the export
	// after it is the same bytes.
	exported := filepath.Join(dir, "catalog.yaml")
	if code, _, errOut := runCLI(t, env, "catalog", "export", "-o", exported); code != 0 {
		t.Fatalf("export: %d %s", code, errOut)
	}
	first, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCLI(t, env, "catalog", "import", exported); code != 0 || !strings.Contains(out, ": 0 changes") {
		t.Fatalf("importing the export: %d %s", code, out)
	}
	code, second, _ := runCLI(t, env, "catalog", "export")
	if code != 0 || second != string(first) {
		t.Fatalf("export → import → export differs")
	}
	code, js, _ := runCLI(t, env, "catalog", "export", "--format", "json")
	if code != 0 || !strings.HasPrefix(js, "{") || !strings.Contains(js, `"code": "vps-start"`) {
		t.Fatalf("JSON export: %d %.200s", code, js)
	}

	// One bad row: refused whole, naming the row.
	bad := filepath.Join(dir, "bad.yaml")
	edited := strings.Replace(string(first), "Hosting Lite", "Hosting Light", 1)
	edited = strings.Replace(edited, "amount: \"240.00\"", "amount: \"-240.00\"", 1)
	if err := os.WriteFile(bad, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if edited == strings.Replace(string(first), "Hosting Lite", "Hosting Light", 1) {
		t.Fatalf("no price to break in %s", first)
	}
	code, _, errOut = runCLI(t, env, "catalog", "import", bad)
	if code != 1 || !strings.Contains(errOut, "tariffs[") || !strings.Contains(errOut, "vps-pro") {
		t.Fatalf("bad row: %d %s", code, errOut)
	}
	if _, out, _ := runCLI(t, env, "catalog", "export"); out != string(first) {
		t.Fatal("a refused import changed the catalog")
	}

	// Usage errors.
	if code, _, _ := runCLI(t, env, "catalog", "import"); code != 2 {
		t.Fatalf("import without FILE: %d", code)
	}
	if code, _, _ := runCLI(t, env, "catalog", "export", "--format", "xml"); code != 2 {
		t.Fatalf("--format xml: %d", code)
	}
	newProvider(t, dsn, "Second brand")
	if code, _, errOut := runCLI(t, env, "catalog", "export"); code != 2 || !strings.Contains(errOut, "--provider") {
		t.Fatalf("two providers, none named: %d %s", code, errOut)
	}
}
