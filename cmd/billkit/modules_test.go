package main

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/script"
	"github.com/billkit/billkit/provisioning/webhook"
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

func TestLoadModulesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		// want are the fields of the error, each with the module it names.
		want []string
	}{
		{"no command", "modules:\n  - name: s\n    kind: script\n", []string{`modules[0].command: module "s": is required`}},
		{"no kind", "modules:\n  - name: s\n", []string{`modules[0].kind: module "s": is required`}},
		{"unknown kind", "modules:\n  - name: s\n    kind: ssh\n", []string{`modules[0].kind: module "s": "ssh" is not script or webhook`}},
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
