package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/script"
	"github.com/billkit/billkit/provisioning/webhook"
	"github.com/billkit/billkit/store/storetest"
)

// writeModules writes a modules file in a new directory and returns its
// path.
func writeModules(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "modules.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// envOf is a getenv over the pairs given.
func envOf(kv ...string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1], true
			}
		}
		return "", false
	}
}

func TestLoadModules(t *testing.T) {
	p := writeModules(t, `
modules:
  - name: proxmox
    kind: script
    command: bin/proxmox.sh
    args: ["--cluster", "main"]
    env:
      API_URL: https://pve.example.com
      API_USER: billkit
    timeout: 3m
  - name: panel
    kind: webhook
    url: https://panel.example.com/billkit
    secret_env: PANEL_SECRET
    timeout: 30s
  - name: dns
    kind: webhook
    url: https://dns.example.com/hook
    secret_file: dns.secret
`)
	if err := os.WriteFile(filepath.Join(filepath.Dir(p), "dns.secret"), []byte("0123456789abcdef-dns\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := loadModules(p, envOf("PANEL_SECRET", "0123456789abcdef-panel"))
	if err != nil {
		t.Fatal(err)
	}
	if names := got.registry.Names(); !slices.Equal(names, []string{"dns", "manual", "panel", "proxmox"}) {
		t.Fatalf("modules %v", names)
	}
	if string(got.webhookSecrets["panel"]) != "0123456789abcdef-panel" || string(got.webhookSecrets["dns"]) != "0123456789abcdef-dns" || len(got.webhookSecrets) != 2 {
		t.Fatalf("webhook secrets %q", got.webhookSecrets)
	}
	if got.longestTimeout != 3*time.Minute {
		t.Fatalf("longest timeout %s", got.longestTimeout)
	}
	if m, err := got.registry.Get("proxmox"); err != nil {
		t.Fatal(err)
	} else if _, ok := m.(*script.Module); !ok {
		t.Fatalf("proxmox is a %T", m)
	}
	if m, err := got.registry.Get("panel"); err != nil {
		t.Fatal(err)
	} else if _, ok := m.(*webhook.Module); !ok {
		t.Fatalf("panel is a %T", m)
	}

	// Without a file, or with one that lists nothing, the manual module is
	// alone.
	none, err := loadModules("", envOf())
	if err != nil {
		t.Fatal(err)
	}
	if names := none.registry.Names(); !slices.Equal(names, []string{"manual"}) || len(none.webhookSecrets) != 0 {
		t.Fatalf("no file: %v %v", names, none.webhookSecrets)
	}
	empty, err := loadModules(writeModules(t, "# no modules yet\n"), envOf())
	if err != nil || !slices.Equal(empty.registry.Names(), []string{"manual"}) {
		t.Fatalf("an empty file: %v", err)
	}
}

// TestScriptModuleFromFile runs a script module of a file: its relative
// command is found beside the file although its working directory is
// elsewhere, and it gets the environment the file gives.
func TestScriptModuleFromFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the script is a shell script")
	}
	p := writeModules(t, "modules:\n  - name: hello\n    kind: script\n    command: bin/hello.sh\n    dir: "+t.TempDir()+
		"\n    env:\n      GREETING: hi\n    timeout: 20s\n")
	bin := filepath.Join(filepath.Dir(p), "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	sh := "#!/bin/sh\ncat >/dev/null\nprintf '{\"status\":\"ok\",\"params\":{\"greeting\":\"%s\",\"op\":\"%s\"}}' \"$GREETING\" \"$BILLKIT_OPERATION\"\n"
	if err := os.WriteFile(filepath.Join(bin, "hello.sh"), []byte(sh), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := loadModules(p, envOf())
	if err != nil {
		t.Fatal(err)
	}
	m, err := got.registry.Get("hello")
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Run(t.Context(), provisioning.Request{Operation: provisioning.OpOpen, Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Params["greeting"] != "hi" || res.Params["op"] != "open" {
		t.Fatalf("result %+v", res)
	}
}

// deptID is the ID of a department, for manual modules that are to load.
const deptID = "0193f1c2-5b7e-7d4a-9c1e-2f8a6b4d3e10"

func TestLoadModulesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		// want are the fields of the error, each with the module it names.
		want []string
	}{
		{"no command", "modules:\n  - name: s\n    kind: script\n", []string{`modules[0].command: module "s": is required`}},
		{"no kind", "modules:\n  - name: s\n", []string{`modules[0].kind: module "s": is required`}},
		{"unknown kind", "modules:\n  - name: s\n    kind: ssh\n", []string{`modules[0].kind: module "s": "ssh" is not script, webhook or manual`}},
		{"bad name", "modules:\n  - name: My Panel\n    kind: script\n    command: x\n", []string{`modules[0].name: module "My Panel"`}},
		{"no name", "modules:\n  - kind: script\n    command: x\n", []string{`modules[0].name: module #1: is required`}},
		{"manual taken", "modules:\n  - name: manual\n    kind: script\n    command: x\n", []string{`modules[0].name: module "manual": is the built-in`}},
		{"twice", "modules:\n  - name: a\n    kind: script\n    command: x\n  - name: a\n    kind: script\n    command: y\n",
			[]string{`modules[1].name: module "a": is the name of modules[0] too`}},
		{"bad timeout", "modules:\n  - name: a\n    kind: script\n    command: x\n    timeout: 90\n", []string{`modules[0].timeout: module "a": "90" is not a duration`}},
		{"long timeout", "modules:\n  - name: a\n    kind: script\n    command: x\n    timeout: 1h\n", []string{`modules[0].timeout: module "a": must be at most 5m0s`}},
		{"webhook field on a script", "modules:\n  - name: a\n    kind: script\n    command: x\n    url: https://x.example\n",
			[]string{`modules[0].url: module "a": is not a setting of a script module`}},
		{"script field on a webhook", "modules:\n  - name: w\n    kind: webhook\n    url: https://x.example\n    secret: 0123456789abcdef\n    command: x\n",
			[]string{`modules[0].command: module "w": is not a setting of a webhook module`}},
		{"no secret", "modules:\n  - name: w\n    kind: webhook\n    url: https://x.example\n", []string{`modules[0].secret: module "w": is required`}},
		{"two secrets", "modules:\n  - name: w\n    kind: webhook\n    url: https://x.example\n    secret: 0123456789abcdef\n    secret_env: W\n",
			[]string{`modules[0].secret: module "w": give only one`}},
		{"unset variable", "modules:\n  - name: w\n    kind: webhook\n    url: https://x.example\n    secret_env: NOT_SET\n",
			[]string{`modules[0].secret_env: module "w": NOT_SET is not set`}},
		{"missing file", "modules:\n  - name: w\n    kind: webhook\n    url: https://x.example\n    secret_file: nowhere.secret\n",
			[]string{`modules[0].secret_file: module "w": cannot be read`}},
		{"short secret", "modules:\n  - name: w\n    kind: webhook\n    url: https://x.example\n    secret: short\n",
			[]string{`modules[0].secret: module "w": must be at least 16 bytes`}},
		{"bad url", "modules:\n  - name: w\n    kind: webhook\n    url: ftp://x.example\n    secret: 0123456789abcdef\n",
			[]string{`modules[0].url: module "w": must be an absolute http or https URL`}},
		{"bad env name", "modules:\n  - name: s\n    kind: script\n    command: x\n    env:\n      \"A=B\": c\n", []string{`modules[0].env: module "s": "A=B" is not a variable name`}},
		{"manual without a department", "modules:\n  - name: dns-desk\n    kind: manual\n",
			[]string{`modules[0].department: module "dns-desk": is required`}},
		{"blank department", "modules:\n  - name: dns-desk\n    kind: manual\n    department: \"  \"\n",
			[]string{`modules[0].department: module "dns-desk": is required`}},
		{"department by name", "modules:\n  - name: dns-desk\n    kind: manual\n    department: DNS desk\n",
			[]string{`modules[0].department: module "dns-desk": "DNS desk" is not a department's ID; GET /api/v1/departments lists them`}},
		{"zero department", "modules:\n  - name: dns-desk\n    kind: manual\n    department: 00000000-0000-0000-0000-000000000000\n",
			[]string{`modules[0].department: module "dns-desk": "00000000-0000-0000-0000-000000000000" is not a department's ID`}},
		{"bad manual name", "modules:\n  - name: DNS desk\n    kind: manual\n    department: " + deptID + "\n",
			[]string{`modules[0].name: module "DNS desk": is 1 to 64 lowercase letters`}},
		{"manual named manual", "modules:\n  - name: manual\n    kind: manual\n    department: " + deptID + "\n",
			[]string{`modules[0].name: module "manual": is the built-in`}},
		{"manual twice", "modules:\n  - name: desk\n    kind: manual\n    department: " + deptID + "\n  - name: desk\n    kind: manual\n    department: " + deptID + "\n",
			[]string{`modules[1].name: module "desk": is the name of modules[0] too`}},
		{"script field on a manual", "modules:\n  - name: desk\n    kind: manual\n    department: " + deptID + "\n    command: x\n    timeout: 30s\n",
			[]string{`modules[0].command: module "desk": is not a setting of a manual module`, `modules[0].timeout: module "desk": is not a setting of a manual module`}},
		{"department on a script", "modules:\n  - name: a\n    kind: script\n    command: x\n    department: DNS\n",
			[]string{`modules[0].department: module "a": is not a setting of a script module`}},
		{"department on a webhook", "modules:\n  - name: w\n    kind: webhook\n    url: https://x.example\n    secret: 0123456789abcdef\n    department: DNS\n",
			[]string{`modules[0].department: module "w": is not a setting of a webhook module`}},
		{"every bad entry at once", "modules:\n  - name: a\n    kind: script\n  - name: b\n    kind: webhook\n    url: https://x.example\n",
			[]string{`modules[0].command: module "a"`, `modules[1].secret: module "b"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeModules(t, tc.body)
			_, err := loadModules(p, envOf())
			if err == nil {
				t.Fatal("no error")
			}
			if !billkit.IsCode(err, billkit.CodeInvalid) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %v: want invalid, naming the file", err)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}

	// A key the file does not define is refused, so that a typo is not
	// silently ignored.
	p := writeModules(t, "modules:\n  - name: w\n    kind: webhook\n    url: https://x.example\n    secret-file: x\n")
	if _, err := loadModules(p, envOf()); err == nil || !strings.Contains(err.Error(), "secret-file") {
		t.Errorf("unknown key: %v", err)
	}
	p = writeModules(t, "modules:\n  - name: desk\n    kind: manual\n    departement: "+deptID+"\n")
	if _, err := loadModules(p, envOf()); err == nil || !strings.Contains(err.Error(), "departement") {
		t.Errorf("unknown key of a manual module: %v", err)
	}
	if _, err := loadModules(filepath.Join(t.TempDir(), "none.yaml"), envOf()); err == nil || !strings.Contains(err.Error(), "BILLKIT_MODULES") {
		t.Errorf("missing file: %v", err)
	}
}

func TestParseSecretKey(t *testing.T) {
	raw := []byte("0123456789abcdef0123456789abcdef")
	for _, s := range []string{
		"3031323334353637383961626364656630313233343536373839616263646566",
		"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY",
		" 3031323334353637383961626364656630313233343536373839616263646566\n",
	} {
		got, err := parseSecretKey(s)
		if err != nil || string(got) != string(raw) {
			t.Errorf("parseSecretKey(%q) = %q, %v", s, got, err)
		}
	}
	if got, err := parseSecretKey(""); got != nil || err != nil {
		t.Errorf("empty: %q %v", got, err)
	}
	for _, s := range []string{"short", "30313233343536373839616263646566", "zz31323334353637383961626364656630313233343536373839616263646566"} {
		if _, err := parseSecretKey(s); err == nil || strings.Contains(err.Error(), s) {
			t.Errorf("parseSecretKey(%q): %v", s, err)
		}
	}
}

// TestServeConfigErrors checks that a bad key or modules file stops serve
// before it opens the database, with exit status 2 and the reason.
func TestServeConfigErrors(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "s.db")
	code, _, errOut := runCLI(t, []string{"BILLKIT_DSN=" + dsn, "BILLKIT_SECRET_KEY=not-a-key"}, "serve", "--addr", "127.0.0.1:0")
	if code != 2 || !strings.Contains(errOut, "BILLKIT_SECRET_KEY") || strings.Contains(errOut, "not-a-key") {
		t.Fatalf("bad key: %d %s", code, errOut)
	}
	bad := writeModules(t, "modules:\n  - name: a\n    kind: script\n")
	code, _, errOut = runCLI(t, []string{"BILLKIT_DSN=" + dsn, "BILLKIT_MODULES=" + bad}, "serve", "--addr", "127.0.0.1:0")
	if code != 2 || !strings.Contains(errOut, `modules[0].command: module "a"`) {
		t.Fatalf("bad modules file: %d %s", code, errOut)
	}
	code, _, errOut = runCLI(t, []string{"BILLKIT_DSN=" + dsn}, "cycle", "run", "--modules", bad)
	if code != 2 || !strings.Contains(errOut, "modules[0].command") {
		t.Fatalf("cycle run with a bad modules file: %d %s", code, errOut)
	}
	if _, err := os.Stat(dsn); !os.IsNotExist(err) {
		t.Fatalf("the database was opened: %v", err)
	}
}

// TestManualModulesFromFile loads manual modules of a file and checks
// their departments against the database's, as serve does once it has
// opened it: a department is an ID, kept in its canonical form, and one
// that does not exist stops serve with an error naming the module and the
// departments there are.
func TestManualModulesFromFile(t *testing.T) {
	ctx := t.Context()
	st := storetest.NewMemory(t)
	acc := access.NewService(st.Access(), access.Config{})
	system := billkit.SystemActor("test")
	dns, err := acc.CreateDepartment(ctx, system, access.CreateDepartmentParams{Name: "DNS desk"})
	if err != nil {
		t.Fatal(err)
	}
	colo, err := acc.CreateDepartment(ctx, system, access.CreateDepartmentParams{Name: "Colocation"})
	if err != nil {
		t.Fatal(err)
	}

	p := writeModules(t, "modules:\n"+
		"  - {name: dns-desk, kind: manual, department: "+dns.ID.String()+"}\n"+
		"  - name: colo-desk\n    kind: manual\n    department: \" "+strings.ToUpper(colo.ID.String())+"\"\n"+
		"  - name: proxmox\n    kind: script\n    command: bin/proxmox.sh\n")
	got, err := loadModules(p, envOf())
	if err != nil {
		t.Fatal(err)
	}
	if names := got.registry.Names(); !slices.Equal(names, []string{"colo-desk", "dns-desk", "manual", "proxmox"}) {
		t.Fatalf("modules %v", names)
	}
	for name, want := range map[string]provisioning.Module{
		"dns-desk":  provisioning.ManualModule{Module: "dns-desk", Department: dns.ID.String()},
		"colo-desk": provisioning.ManualModule{Module: "colo-desk", Department: colo.ID.String()},
		"manual":    provisioning.ManualModule{},
	} {
		if m, err := got.registry.Get(name); err != nil || m != want {
			t.Errorf("%s: %#v, %v; want %#v", name, m, err, want)
		}
	}
	if err := checkManualDepartments(ctx, acc, p, got.registry); err != nil {
		t.Fatal(err)
	}
	// Without manual modules of a department nothing is read: not even a
	// database without departments.
	none, err := loadModules("", envOf())
	if err != nil {
		t.Fatal(err)
	}
	empty := access.NewService(storetest.NewMemory(t).Access(), access.Config{})
	if err := checkManualDepartments(ctx, empty, "", none.registry); err != nil {
		t.Fatalf("no manual department: %v", err)
	}

	// A department that does not exist stops serve: exit status 2.
	gone := billkit.NewID[access.Department]().String()
	p = writeModules(t, "modules:\n  - {name: dns-desk, kind: manual, department: "+dns.ID.String()+"}\n"+
		"  - {name: sales-desk, kind: manual, department: "+gone+"}\n")
	bad, err := loadModules(p, envOf())
	if err != nil {
		t.Fatal(err)
	}
	err = checkManualDepartments(ctx, acc, p, bad.registry)
	var exit *exitError
	if !errors.As(err, &exit) || exit.code != 2 {
		t.Fatalf("an unknown department: %v, want a usage error", err)
	}
	for _, want := range []string{"BILLKIT_MODULES " + p, `module "sales-desk": ` + gone + ` is not a department's ID`,
		`the departments are ` + colo.ID.String() + ` ("Colocation"), ` + dns.ID.String() + ` ("DNS desk")`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "dns-desk") {
		t.Errorf("error %q blames a module whose department exists", err)
	}
	// With no department at all, the error says to create one first.
	if err := checkManualDepartments(ctx, empty, p, bad.registry); err == nil || !strings.Contains(err.Error(), "there are no departments yet") {
		t.Fatalf("no departments: %v", err)
	}
}

// TestServeRefusesUnknownDepartment starts serve with a manual module
// whose department the database does not have: it stops with exit status
// 2 before it listens.
func TestServeRefusesUnknownDepartment(t *testing.T) {
	dir := t.TempDir()
	mods := writeModules(t, "modules:\n  - {name: dns-desk, kind: manual, department: "+deptID+"}\n")
	code, _, errOut := runCLI(t, []string{"BILLKIT_DSN=" + filepath.Join(dir, "d.db"), "BILLKIT_MODULES=" + mods}, "serve", "--addr", "127.0.0.1:0")
	if code != 2 || !strings.Contains(errOut, `module "dns-desk": `+deptID+` is not a department's ID; there are no departments yet`) {
		t.Fatalf("serve: %d %s", code, errOut)
	}
}
