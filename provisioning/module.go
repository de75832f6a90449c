package provisioning

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

// Module does the operations on a real system: a control panel, a
// hypervisor, a registrar, a department's hands. billkit calls Run from a
// task, after the change that needs it committed, never inside a
// transaction.
//
// Run must be idempotent by Request.TaskID: a task is retried after a
// timeout whose outcome billkit cannot know, so a second Open with the same
// TaskID must not open a second account. Errors say whether to retry: an
// error for which Permanent reports true (a refusal: bad input, a name
// taken) fails the task at once for staff to see; any other error (a
// timeout, a connection refused, a 5xx) is retried with backoff.
type Module interface {
	// Name is the module's name, which product types and servers refer to.
	Name() string
	// Run does one operation.
	Run(ctx context.Context, req Request) (Result, error)
}

// Request is one operation on one service, as a module receives it.
type Request struct {
	// TaskID is the idempotency key of the operation.
	TaskID    TaskID    `json:"task_id"`
	Operation Operation `json:"operation"`
	// Attempt is 1 on the first run.
	Attempt int         `json:"attempt"`
	Service ServiceInfo `json:"service"`
	// Server is the server the service lives on; nil when it has none.
	Server *ServerInfo `json:"server,omitempty"`
	// Change is the new configuration, for OpChange.
	Change *Change `json:"change,omitempty"`
	// From and To bound the usage asked for, for OpUsage.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
}

// ServiceInfo is what a module knows of a service.
type ServiceInfo struct {
	ID         ServiceID                     `json:"id"`
	ClientID   billkit.ClientID              `json:"client_id"`
	Name       string                        `json:"name"`
	Tariff     string                        `json:"tariff"`
	Period     catalog.Period                `json:"period"`
	Addons     map[string]catalog.AddonValue `json:"addons"`
	Domain     string                        `json:"domain,omitempty"`
	OSImage    string                        `json:"os_image,omitempty"`
	ExpiresOn  billkit.Date                  `json:"expires_on,omitzero"`
	Params     map[string]string             `json:"params"`
	Datacenter string                        `json:"datacenter,omitempty"`
}

// ServerInfo is what a module knows of a server, credentials decrypted.
type ServerInfo struct {
	ID          ServerID          `json:"id"`
	Name        string            `json:"name"`
	URL         string            `json:"url"`
	Params      map[string]string `json:"params"`
	Credentials map[string]string `json:"credentials"`
}

// Change is a change of tariff, period or addons.
type Change struct {
	Tariff string                        `json:"tariff,omitempty"`
	Period catalog.Period                `json:"period,omitempty"`
	Addons map[string]catalog.AddonValue `json:"addons,omitempty"`
}

// Result is a module's answer.
type Result struct {
	// Pending means the work goes on elsewhere and the answer comes later
	// (Manager.CompleteTask): a webhook's asynchronous answer, a manual
	// task. The task waits; nothing is retried.
	Pending bool `json:"pending,omitempty"`
	// Params are values to keep on the service (merged into its Params): a
	// login, an IP address, a remote ID.
	Params map[string]string `json:"params,omitempty"`
	// Status is the status the system reports, for OpSync: "active",
	// "suspended" or "deleted".
	Status Status `json:"status,omitempty"`
	// Usage is the measured usage by addon code, for OpUsage.
	Usage map[string]string `json:"usage,omitempty"`
	// LoginURL is where the client signs in, for OpLoginLink.
	LoginURL string `json:"login_url,omitempty"`
	// Message is a note for staff.
	Message string `json:"message,omitempty"`
}

// PermanentError is a module's refusal: retrying would fail the same way.
type PermanentError struct {
	Message string
	Err     error
}

func (e *PermanentError) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *PermanentError) Unwrap() error { return e.Err }

// Refuse returns a PermanentError.
func Refuse(format string, args ...any) error {
	return &PermanentError{Message: fmt.Sprintf(format, args...)}
}

// Permanent reports whether err is a refusal that retrying cannot fix: a
// *PermanentError, or a *billkit.Error whose code is invalid,
// failed_precondition, not_found, conflict or forbidden.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	var p *PermanentError
	if errors.As(err, &p) {
		return true
	}
	for _, c := range []billkit.Code{billkit.CodeInvalid, billkit.CodeFailedPrecondition, billkit.CodeNotFound, billkit.CodeConflict, billkit.CodeForbidden} {
		if billkit.IsCode(err, c) {
			return true
		}
	}
	return false
}

// Registry holds the modules a manager may call, by name. It is safe for
// concurrent use.
type Registry struct {
	mu      sync.RWMutex
	modules map[string]Module
}

// NewRegistry returns a registry of the modules given; a nil module, an
// empty name or a name given twice is an invalid error.
func NewRegistry(modules ...Module) (*Registry, error) {
	r := &Registry{modules: map[string]Module{}}
	for _, m := range modules {
		if err := r.Register(m); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds a module; a nil module, an empty name or a name taken is an
// invalid error on field "module".
func (r *Registry) Register(m Module) error {
	if m == nil {
		return billkit.InvalidField("module", "required", "is required")
	}
	name := m.Name()
	if !ValidModuleName(name) {
		return billkit.InvalidField("module", "provisioning.module_name_invalid",
			"a module's name is 1 to 64 lowercase letters, digits, '-' or '_'")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.modules[name]; ok {
		return billkit.InvalidField("module", "provisioning.module_duplicate", fmt.Sprintf("module %q is registered twice", name))
	}
	r.modules[name] = m
	return nil
}

// Get returns the module with the name; not_found "module.not_found" when
// there is none.
func (r *Registry) Get(name string) (Module, error) {
	if r != nil {
		r.mu.RLock()
		m, ok := r.modules[name]
		r.mu.RUnlock()
		if ok {
			return m, nil
		}
	}
	return nil, billkit.NotFound("module", name)
}

// Names lists the registered modules' names, sorted.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.modules))
	for n := range r.modules {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ValidModuleName reports whether s may name a module: 1 to 64 of a-z,
// 0-9, '-' and '_'.
func ValidModuleName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
