package api

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// Prefix is the path under which the API is served.
const Prefix = "/api/v1"

// Config configures New. Directory is required; the zero value of every
// other field works.
type Config struct {
	// Directory serves the reference data. Required.
	Directory *directory.Service
	// Access authenticates callers and serves users, rights, sessions, API
	// keys and the logs. Default: none, and every credential is refused, so
	// only public operations (directory reads) work.
	Access *access.Service
	// Billing serves providers, companies, clients, payers and contracts.
	// Default: none, and the billing operations are not registered.
	Billing *billing.Service
	// Catalog serves the catalog: product types, tariffs, addons, groups,
	// enumerations, OS images, agreements, price versions, import and
	// export, quotes and the public storefront. Default: none, and the
	// catalog operations are not registered.
	Catalog *catalog.Service
	// Provisioning serves orders, services, their tasks, servers,
	// datacenters and the billing cycle. Default: none, and those
	// operations are not registered.
	Provisioning *provisioning.Manager
	// WebhookSecrets are the secrets of the webhook modules by module
	// name: a signed callback to POST /provisioning/callbacks/{module}
	// completes a task of that module. Default: none, and callbacks are
	// refused.
	WebhookSecrets map[string][]byte
	// RateSource is used by POST /exchange-rates/refresh. Default: none, and
	// the endpoint answers failed_precondition.
	RateSource directory.RateSource
	// Logger receives internal errors and recovered panics. Default: discard.
	Logger *slog.Logger
	// Version is the API version shown in the OpenAPI document. Default: "dev".
	Version string
	// PasswordResetSender delivers a password reset token to the address it
	// was asked for (by mail, in a real installation). It is called only
	// when the address belongs to a user; the API answers 202 either way.
	// Default: none, and reset tokens are made but not delivered.
	PasswordResetSender func(ctx context.Context, email, token string) error
	// Clock tells the time, for the expiry of idempotency keys. Default:
	// billkit.SystemClock().
	Clock billkit.Clock
	// Idempotency keeps the calls made with an Idempotency-Key and their
	// answers (the server passes its *bunstore.Store). Default: none, and
	// mutating calls with the header are refused with
	// idempotency.not_supported.
	Idempotency IdempotencyStore
	// CookieSecure marks the session cookie Secure even when the connection
	// is plain HTTP, for a server behind a TLS-terminating proxy. The cookie
	// is Secure on TLS connections anyway.
	CookieSecure bool
}

var installOnce sync.Once

// New returns the handler of the JSON API. It serves every path under
// Prefix, including the OpenAPI document at Prefix+"/openapi.json" and
// ".yaml"; paths that match no route get a not_found error in the API's
// shape. New returns an error when Directory is nil.
func New(cfg Config) (http.Handler, error) {
	if cfg.Directory == nil {
		return nil, billkit.InvalidField("directory", "required", "is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	installOnce.Do(installErrorModel)

	mux := http.NewServeMux()
	hc := huma.DefaultConfig("billkit API", cfg.Version)
	// No docs page (it loads scripts from elsewhere), no $schema links in
	// bodies: responses carry exactly the documented fields.
	hc.DocsPath = ""
	hc.SchemasPath = ""
	hc.CreateHooks = nil
	hc.Servers = []*huma.Server{{URL: Prefix}}
	hc.Info.Description = "The API of the billkit reference server.\n\n" + describeRules()
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"session": {Type: "apiKey", In: "cookie", Name: SessionCookie, Description: "The session cookie POST /auth/login sets."},
		"apiKey":  {Type: "http", Scheme: "bearer", Description: "An API key, as Authorization: Bearer <key>."},
	}
	registerTypes(hc.Components.Schemas)
	registerMoneyTypes(hc.Components.Schemas)
	hapi := humago.NewWithPrefix(mux, Prefix, hc)

	h := &handlers{svc: cfg.Directory, rates: cfg.RateSource, cookieSecure: cfg.CookieSecure, resetSender: cfg.PasswordResetSender}
	var auth authenticator
	if cfg.Access != nil {
		auth = accessAuth{cfg.Access}
		h.access = cfg.Access
	}
	h.billing = cfg.Billing
	h.catalog = cfg.Catalog
	h.provisioning = cfg.Provisioning
	h.webhookSecrets = cfg.WebhookSecrets
	if cfg.Clock == nil {
		cfg.Clock = billkit.SystemClock()
	}
	h.clock = cfg.Clock
	hapi.UseMiddleware(authMiddleware(hapi, auth))
	hapi.UseMiddleware(idempotencyMiddleware(hapi, cfg.Idempotency, cfg.Clock))
	h.register(hapi)

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, billkit.Errorf(billkit.CodeNotFound, "api.route_not_found", "no route for %s %s", r.Method, r.URL.Path))
	})
	return routeCallbacks(&server{mux: mux, log: cfg.Logger, csrf: csrf{cop: http.NewCrossOriginProtection()}}), nil
}

// MustNew is New that panics on error, for tests and examples.
func MustNew(cfg Config) http.Handler {
	h, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return h
}

type server struct {
	mux  *http.ServeMux
	log  *slog.Logger
	csrf csrf
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	info := InfoFrom(r.Context())
	if info == nil {
		r, info = WithInfo(r)
	}
	// A method and path that exist under another method, or not at all, get
	// the API's not_found rather than the mux's plain-text answers.
	if _, pattern := s.mux.Handler(r); pattern == "" || pattern == "/" {
		WriteError(w, r, billkit.Errorf(billkit.CodeNotFound, "api.route_not_found", "no route for %s %s", r.Method, r.URL.Path))
		return
	}
	if err := s.csrf.check(r); err != nil {
		WriteError(w, r, err)
		return
	}

	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err := fmt.Errorf("panic: %v", v)
			info.Err = err
			s.log.ErrorContext(r.Context(), "api panic", "method", r.Method, "path", r.URL.Path, "route", info.Route, "err", err)
			if !rec.wrote {
				WriteError(rec, r, err)
			}
			return
		}
		if info.Err != nil {
			s.log.ErrorContext(r.Context(), "api error", "method", r.Method, "path", r.URL.Path, "route", info.Route, "err", info.Err)
		}
	}()
	s.mux.ServeHTTP(rec, r)
	info.Route = r.Pattern
}

// statusRecorder remembers whether the response was started, so a panic
// after the first byte does not try to write a second status.
type statusRecorder struct {
	http.ResponseWriter
	wrote bool
}

func (w *statusRecorder) WriteHeader(code int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }
