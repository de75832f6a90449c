package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/script"
	"github.com/billkit/billkit/provisioning/webhook"
	"go.yaml.in/yaml/v3"
)

// The kinds of module a modules file may list.
const (
	moduleKindScript  = "script"
	moduleKindWebhook = "webhook"
	moduleKindManual  = "manual"
)

// Bounds of a module's timeout.
const (
	// defaultModuleTimeout is the manager's own bound on one module call
	// (provisioning.Config.ModuleTimeout's default); a longer module
	// timeout raises it.
	defaultModuleTimeout = 2 * time.Minute
	// maxModuleTimeout stays below the manager's task lease (10 minutes),
	// so that no other worker takes a task over while its module still
	// runs.
	maxModuleTimeout = 5 * time.Minute
	// maxModulesFile bounds the modules file read: it lists modules, not
	// data.
	maxModulesFile = 1 << 20
)

// modulesFile is the document of BILLKIT_MODULES.
type modulesFile struct {
	Modules []moduleEntry `yaml:"modules"`
}

// moduleEntry is one module of the file. Which fields apply depends on
// Kind; a field of the other kind is an error, so that a typo is not
// silently ignored.
type moduleEntry struct {
	Name string `yaml:"name"`
	Kind string `yaml:"kind"`
	// Timeout is a Go duration ("90s", "2m"); empty for the module's
	// default (60 seconds for both kinds).
	Timeout string `yaml:"timeout"`

	Command   string            `yaml:"command"`
	Args      []string          `yaml:"args"`
	Env       map[string]string `yaml:"env"`
	Dir       string            `yaml:"dir"`
	MaxOutput int64             `yaml:"max_output"`

	URL        string `yaml:"url"`
	Secret     string `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`
	SecretEnv  string `yaml:"secret_env"`

	// Department is a manual module's: the ID of the access department
	// whose queue its tasks go to.
	Department string `yaml:"department"`
}

// loadedModules are the modules of a modules file, ready for the manager.
type loadedModules struct {
	// registry holds the manual module and those of the file.
	registry *provisioning.Registry
	// webhookSecrets are the webhook modules' secrets by name, for their
	// signed callbacks.
	webhookSecrets map[string][]byte
	// longestTimeout is the longest timeout the file gives; zero when it
	// gives none.
	longestTimeout time.Duration
}

// loadModules reads the modules file at path ("" for none) and returns the
// registry of its modules with the manual module, which is always there.
// getenv looks up the variables that secret_env names. Every bad entry is
// reported at once, as fields "modules[<index>].<field>" whose messages
// name the module.
func loadModules(path string, getenv func(string) (string, bool)) (loadedModules, error) {
	if getenv == nil {
		return loadedModules{}, billkit.InvalidField("getenv", "required", "is required")
	}
	var doc modulesFile
	if path != "" {
		data, err := readModulesFile(path)
		if err != nil {
			return loadedModules{}, fmt.Errorf("BILLKIT_MODULES: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
			return loadedModules{}, fmt.Errorf("BILLKIT_MODULES %s: %w", path, err)
		}
	}
	// Paths in the file are relative to its directory, made absolute so
	// that a script's own working directory (dir) does not move them.
	base, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return loadedModules{}, fmt.Errorf("BILLKIT_MODULES %s: %w", path, err)
	}
	out := loadedModules{webhookSecrets: map[string][]byte{}}
	modules := []provisioning.Module{provisioning.ManualModule{}}
	var v billkit.FieldErrors
	seen := map[string]int{}
	for i, e := range doc.Modules {
		field := fmt.Sprintf("modules[%d]", i)
		label := fmt.Sprintf("module %q", e.Name)
		if e.Name == "" {
			label = fmt.Sprintf("module #%d", i+1)
		}
		var ev billkit.FieldErrors
		if ev.Require("name", e.Name) && ev.Check(provisioning.ValidModuleName(e.Name), "name", "provisioning.module_name_invalid",
			"is 1 to 64 lowercase letters, digits, '-' or '_'") {
			if first, ok := seen[e.Name]; ok {
				ev.Add("name", "provisioning.module_duplicate", fmt.Sprintf("is the name of modules[%d] too", first))
			} else if e.Name == provisioning.ManualModuleName {
				ev.Add("name", "provisioning.module_duplicate", "is the built-in manual module's")
			} else {
				seen[e.Name] = i
			}
		}
		timeout := moduleTimeout(&ev, e.Timeout)
		var mod provisioning.Module
		switch e.Kind {
		case moduleKindScript:
			mod = scriptModule(&ev, e, timeout, base)
		case moduleKindWebhook:
			var secret []byte
			mod, secret = webhookModule(&ev, e, timeout, base, getenv)
			if mod != nil {
				out.webhookSecrets[e.Name] = secret
			}
		case moduleKindManual:
			mod = manualModule(&ev, e)
		case "":
			ev.Add("kind", "required", "is required: script, webhook or manual")
		default:
			ev.Add("kind", "provisioning.module_kind_unknown", fmt.Sprintf("%q is not script, webhook or manual", e.Kind))
		}
		if err := ev.Err(); err != nil {
			mergeModuleErrors(&v, field, label, err)
			continue
		}
		out.longestTimeout = max(out.longestTimeout, timeout)
		modules = append(modules, mod)
	}
	if err := v.Err(); err != nil {
		return loadedModules{}, fmt.Errorf("BILLKIT_MODULES %s: %w", path, err)
	}
	reg, err := provisioning.NewRegistry(modules...)
	if err != nil {
		return loadedModules{}, fmt.Errorf("BILLKIT_MODULES %s: %w", path, err)
	}
	out.registry = reg
	return out, nil
}

// readModulesFile reads a modules file, refusing one too large to be one.
func readModulesFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxModulesFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxModulesFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxModulesFile)
	}
	return data, nil
}

// mergeModuleErrors adds a module's field errors to v under prefix, each
// message naming the module, so that an error in a long file is found by
// name as well as by place.
func mergeModuleErrors(v *billkit.FieldErrors, prefix, label string, err error) {
	var e *billkit.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		v.Add(prefix, billkit.ErrorReason(err), label+": "+err.Error())
		return
	}
	for _, f := range e.Fields {
		v.Add(prefix+"."+f.Field, f.Reason, label+": "+f.Message)
	}
}

// moduleTimeout parses an entry's timeout; "" is zero, the module's
// default.
func moduleTimeout(v *billkit.FieldErrors, s string) time.Duration {
	if s == "" {
		return 0
	}
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		v.Add("timeout", "provisioning.timeout_invalid", fmt.Sprintf("%q is not a duration such as 90s or 2m", s))
	case d <= 0:
		v.Add("timeout", "provisioning.timeout_invalid", "must be positive")
	case d > maxModuleTimeout:
		v.Add("timeout", "provisioning.timeout_too_long", fmt.Sprintf("must be at most %s, below the task lease", maxModuleTimeout))
	default:
		return d
	}
	return 0
}

// notFor records an error for each field given that a module of kind does
// not take.
func notFor(v *billkit.FieldErrors, kind string, fields map[string]bool) {
	names := make([]string, 0, len(fields))
	for name, set := range fields {
		if set {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		v.Add(name, "provisioning.module_field_unused", "is not a setting of a "+kind+" module")
	}
}

// relativeTo resolves a relative path against the modules file's
// directory, so that the file means the same whatever directory billkit
// starts in.
func relativeTo(base, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(base, p)
}

// scriptModule builds a script module of an entry, recording its errors in
// v; nil when there are any.
func scriptModule(v *billkit.FieldErrors, e moduleEntry, timeout time.Duration, base string) provisioning.Module {
	notFor(v, moduleKindScript, map[string]bool{"url": e.URL != "", "secret": e.Secret != "",
		"secret_file": e.SecretFile != "", "secret_env": e.SecretEnv != "", "department": e.Department != ""})
	v.Require("command", e.Command)
	v.Check(e.MaxOutput >= 0, "max_output", "negative", "must not be negative")
	keys := make([]string, 0, len(e.Env))
	for k := range e.Env {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	env := make([]string, 0, len(keys))
	for _, k := range keys {
		if !v.Check(k != "" && !strings.ContainsAny(k, "=\x00") && strings.TrimSpace(k) == k, "env", "script.env_malformed",
			fmt.Sprintf("%q is not a variable name", k)) {
			continue
		}
		env = append(env, k+"="+e.Env[k])
	}
	if v.Len() > 0 {
		return nil
	}
	// A command with a directory in it is a path, relative to the file; a
	// bare name is looked up in PATH.
	command := e.Command
	if strings.ContainsRune(command, filepath.Separator) || strings.ContainsRune(command, '/') {
		command = relativeTo(base, command)
	}
	m, err := script.New(script.Config{Name: e.Name, Command: command, Args: e.Args, Env: env,
		Dir: relativeTo(base, e.Dir), Timeout: timeout, MaxOutput: e.MaxOutput})
	if err != nil {
		v.Merge("", err)
		return nil
	}
	return m
}

// manualModule builds a manual module of an entry, recording its errors in
// v; nil when there are any. Its department is an access department's ID,
// kept in its canonical form, so that every task of the module carries the
// same text whoever runs it; serve checks that the department exists once
// the database is open (checkManualDepartments).
func manualModule(v *billkit.FieldErrors, e moduleEntry) provisioning.Module {
	notFor(v, moduleKindManual, map[string]bool{"timeout": e.Timeout != "", "command": e.Command != "", "args": len(e.Args) > 0,
		"env": len(e.Env) > 0, "dir": e.Dir != "", "max_output": e.MaxOutput != 0, "url": e.URL != "", "secret": e.Secret != "",
		"secret_file": e.SecretFile != "", "secret_env": e.SecretEnv != ""})
	dept := strings.TrimSpace(e.Department)
	var id access.DepartmentID
	if v.Check(dept != "", "department", "required", "is required: the ID of the department whose queue the tasks go to (GET /api/v1/departments)") {
		var err error
		id, err = billkit.ParseID[access.Department](dept)
		v.Check(err == nil && !id.IsZero(), "department", "provisioning.department_malformed",
			fmt.Sprintf("%q is not a department's ID; GET /api/v1/departments lists them", dept))
	}
	if v.Len() > 0 {
		return nil
	}
	return provisioning.ManualModule{Module: e.Name, Department: id.String()}
}

// maxListedDepartments bounds the departments an error about a manual
// module's department lists.
const maxListedDepartments = 20

// checkManualDepartments checks that the department of every manual module
// of reg is one of access's departments. The modules file is read before
// the database opens, so serve calls it once the database is open; a
// department that does not exist stops serve with a usage error naming the
// module and the departments there are. Without manual modules of a
// department it reads nothing.
func checkManualDepartments(ctx context.Context, acc *access.Service, path string, reg *provisioning.Registry) error {
	var manual []provisioning.ManualModule
	for _, n := range reg.Names() {
		m, _ := reg.Get(n) // a name the registry lists is one it holds
		if mm, ok := m.(provisioning.ManualModule); ok && mm.Department != "" {
			manual = append(manual, mm)
		}
	}
	if len(manual) == 0 {
		return nil
	}
	depts, err := billkit.CollectPages(func(cursor string) (billkit.Page[access.Department], error) {
		return acc.ListDepartments(ctx, billkit.SystemActor("serve"), access.DepartmentFilter{
			PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
	})
	if err != nil {
		return fmt.Errorf("reading the departments of the manual modules: %w", err)
	}
	var v billkit.FieldErrors
	for _, mm := range manual {
		v.Check(slices.ContainsFunc(depts, func(d access.Department) bool { return d.ID.String() == mm.Department }),
			"department", "provisioning.department_unknown",
			fmt.Sprintf("module %q: %s is not a department's ID; %s", mm.Name(), mm.Department, listDepartments(depts)))
	}
	if err := v.Err(); err != nil {
		return usageError(fmt.Errorf("BILLKIT_MODULES %s: %w", path, err))
	}
	return nil
}

// listDepartments says which departments there are, for an error about a
// department that is not one of them.
func listDepartments(depts []access.Department) string {
	if len(depts) == 0 {
		return "there are no departments yet: create the department first (POST /api/v1/departments)"
	}
	var b strings.Builder
	b.WriteString("the departments are ")
	for i, d := range depts {
		if i == maxListedDepartments {
			fmt.Fprintf(&b, " and %d more", len(depts)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s (%q)", d.ID, d.Name)
	}
	return b.String()
}

// webhookModule builds a webhook module of an entry and returns it with its
// secret, recording its errors in v; nil when there are any.
func webhookModule(v *billkit.FieldErrors, e moduleEntry, timeout time.Duration, base string, getenv func(string) (string, bool)) (provisioning.Module, []byte) {
	notFor(v, moduleKindWebhook, map[string]bool{"command": e.Command != "", "args": len(e.Args) > 0,
		"env": len(e.Env) > 0, "dir": e.Dir != "", "max_output": e.MaxOutput != 0, "department": e.Department != ""})
	secret := webhookSecret(v, e, base, getenv)
	if v.Len() > 0 {
		return nil, nil
	}
	if timeout == 0 {
		timeout = webhook.DefaultTimeout
	}
	m, err := webhook.New(webhook.Config{Name: e.Name, URL: e.URL, Secret: secret, Client: &http.Client{
		Timeout: timeout,
		// A signed POST is not resent elsewhere: a URL that moved is a
		// setting to fix, as the module's own default client has it.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}})
	if err != nil {
		v.Merge("", err)
		return nil, nil
	}
	return m, secret
}

// webhookSecret reads a webhook entry's secret from the one of secret,
// secret_file and secret_env it gives. A file's trailing newline is not
// part of the secret.
func webhookSecret(v *billkit.FieldErrors, e moduleEntry, base string, getenv func(string) (string, bool)) []byte {
	given := 0
	for _, s := range []string{e.Secret, e.SecretFile, e.SecretEnv} {
		if s != "" {
			given++
		}
	}
	switch {
	case given == 0:
		v.Add("secret", "required", "is required: give one of secret, secret_file or secret_env")
		return nil
	case given > 1:
		v.Add("secret", "provisioning.secret_ambiguous", "give only one of secret, secret_file or secret_env")
		return nil
	case e.SecretFile != "":
		data, err := os.ReadFile(relativeTo(base, e.SecretFile))
		if err != nil {
			v.Add("secret_file", "provisioning.secret_unreadable", fmt.Sprintf("cannot be read: %v", errors.Unwrap(err)))
			return nil
		}
		s := strings.TrimRight(string(data), "\r\n")
		v.Check(s != "", "secret_file", "required", "is empty")
		return []byte(s)
	case e.SecretEnv != "":
		s, ok := getenv(e.SecretEnv)
		v.Check(ok && s != "", "secret_env", "required", fmt.Sprintf("%s is not set", e.SecretEnv))
		return []byte(s)
	}
	return []byte(e.Secret)
}
