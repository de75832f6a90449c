package provisioning_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/google/go-cmp/cmp"
)

// namedModule is a module that only has a name.
type namedModule string

func (n namedModule) Name() string { return string(n) }

func (n namedModule) Run(context.Context, provisioning.Request) (provisioning.Result, error) {
	return provisioning.Result{Message: string(n)}, nil
}

func TestRegistryGetAndNames(t *testing.T) {
	r, err := provisioning.NewRegistry(namedModule("script"), provisioning.ManualModule{}, namedModule("webhook"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"manual", "script", "webhook"}, r.Names()); diff != "" {
		t.Fatalf("Names (-want +got):\n%s", diff)
	}
	m, err := r.Get("script")
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := m.Run(context.Background(), provisioning.Request{}); res.Message != "script" {
		t.Fatalf("Get(script) returned module %q", res.Message)
	}
	_, err = r.Get("vmmanager")
	if !billkit.IsCode(err, billkit.CodeNotFound) || !billkit.HasReason(err, "module.not_found") {
		t.Fatalf("Get of an unknown module: %v, want not_found module.not_found", err)
	}
}

func TestRegistryRefusesBadModules(t *testing.T) {
	cases := []struct {
		name   string
		module provisioning.Module
		reason string
	}{
		{"nil", nil, "required"},
		{"empty name", namedModule(""), "provisioning.module_name_invalid"},
		{"upper case", namedModule("Script"), "provisioning.module_name_invalid"},
		{"space", namedModule("my module"), "provisioning.module_name_invalid"},
		{"too long", namedModule(strings.Repeat("a", 65)), "provisioning.module_name_invalid"},
		{"taken", provisioning.ManualModule{}, "provisioning.module_duplicate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := provisioning.NewRegistry(provisioning.ManualModule{})
			if err != nil {
				t.Fatal(err)
			}
			err = r.Register(c.module)
			var e *billkit.Error
			if !errors.As(err, &e) || e.Code != billkit.CodeInvalid {
				t.Fatalf("Register: %v, want an invalid error", err)
			}
			f, ok := e.Field("module")
			if !ok || f.Reason != c.reason {
				t.Fatalf("Register: fields %+v, want module with reason %s", e.Fields, c.reason)
			}
			// Nothing changed.
			if diff := cmp.Diff([]string{"manual"}, r.Names()); diff != "" {
				t.Fatalf("Names after a refused Register (-want +got):\n%s", diff)
			}
		})
	}
	// The longest name allowed.
	if _, err := provisioning.NewRegistry(namedModule(strings.Repeat("a", 64)), namedModule("a-b_1")); err != nil {
		t.Fatal(err)
	}
	// NewRegistry refuses a name given twice.
	if _, err := provisioning.NewRegistry(namedModule("x"), namedModule("x")); !billkit.HasReason(err, "provisioning.module_duplicate") {
		t.Fatalf("NewRegistry with a duplicate: %v", err)
	}
}

func TestRegistryNil(t *testing.T) {
	var r *provisioning.Registry
	if _, err := r.Get("manual"); !billkit.IsCode(err, billkit.CodeNotFound) {
		t.Fatalf("nil registry Get: %v, want not_found", err)
	}
	if names := r.Names(); len(names) != 0 {
		t.Fatalf("nil registry Names: %v", names)
	}
}

func TestRegistryConcurrentUse(t *testing.T) {
	r, err := provisioning.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("m%d", i)
			if err := r.Register(namedModule(name)); err != nil {
				t.Error(err)
			}
			if _, err := r.Get(name); err != nil {
				t.Error(err)
			}
			r.Names()
		}()
	}
	wg.Wait()
	if n := len(r.Names()); n != 8 {
		t.Fatalf("%d modules registered, want 8", n)
	}
}

func TestPermanent(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"refusal", provisioning.Refuse("name %q is taken", "example.com"), true},
		{"wrapped refusal", fmt.Errorf("open: %w", provisioning.Refuse("no")), true},
		{"refusal with cause", &provisioning.PermanentError{Message: "bad plan", Err: io.EOF}, true},
		{"invalid", billkit.InvalidField("domain", "invalid", "is not a domain"), true},
		{"failed precondition", billkit.Errorf(billkit.CodeFailedPrecondition, "x.y", "no"), true},
		{"not found", billkit.NotFound("account", "42"), true},
		{"conflict", billkit.Errorf(billkit.CodeConflict, "x.y", "taken"), true},
		{"forbidden", billkit.Errorf(billkit.CodeForbidden, "x.y", "no"), true},
		{"unavailable", billkit.Errorf(billkit.CodeUnavailable, "x.y", "try later"), false},
		{"internal", billkit.Errorf(billkit.CodeInternal, "x.y", "bug"), false},
		{"unauthenticated", billkit.Errorf(billkit.CodeUnauthenticated, "x.y", "who"), false},
		{"plain error", errors.New("connection refused"), false},
		{"deadline", context.DeadlineExceeded, false},
	}
	for _, c := range cases {
		if got := provisioning.Permanent(c.err); got != c.want {
			t.Errorf("%s: Permanent(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}

func TestPermanentErrorMessage(t *testing.T) {
	err := &provisioning.PermanentError{Message: "bad plan", Err: io.EOF}
	if got := err.Error(); got != "bad plan: EOF" {
		t.Fatalf("Error() = %q", got)
	}
	if !errors.Is(err, io.EOF) {
		t.Fatal("PermanentError does not unwrap to its cause")
	}
	if got := provisioning.Refuse("plan %s unknown", "xl").Error(); got != "plan xl unknown" {
		t.Fatalf("Refuse(...).Error() = %q", got)
	}
}

func TestManualModule(t *testing.T) {
	res, err := provisioning.ManualModule{}.Run(context.Background(), provisioning.Request{Operation: provisioning.OpSuspend})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pending || !strings.Contains(res.Message, "suspend") {
		t.Fatalf("Run = %+v, want pending with the operation named", res)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (provisioning.ManualModule{}).Run(ctx, provisioning.Request{Operation: provisioning.OpOpen}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run with a cancelled context: %v", err)
	}
}

// A module's error tells the task whether to retry: a refusal fails the
// task at once, anything else is retried with backoff.
func ExampleRefuse() {
	refused := provisioning.Refuse("domain %q is taken", "example.com")
	busy := billkit.Errorf(billkit.CodeUnavailable, "panel.busy", "the panel is busy")
	fmt.Println(refused, provisioning.Permanent(refused))
	fmt.Println(busy, provisioning.Permanent(busy))
	// Output:
	// domain "example.com" is taken true
	// unavailable (panel.busy): the panel is busy false
}
