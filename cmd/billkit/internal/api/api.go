package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
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
	// RateSource is used by POST /exchange-rates/refresh. Default: none, and
	// the endpoint answers failed_precondition.
	RateSource directory.RateSource
	// Logger receives internal errors and recovered panics. Default: discard.
	Logger *slog.Logger
	// Version is the API version shown in the OpenAPI document. Default: "dev".
	Version string
}

// LoopbackActorID is the ID of the actor of every write until access control
// exists: writes are accepted only from loopback addresses, and are recorded
// as made by the system component "api-loopback", with the caller's IP and
// User-Agent.
const LoopbackActorID = "api-loopback"

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
	hc.Info.Description = "Reference data of billkit: countries, subdivisions, currencies, exchange rates, units, TLDs and locales.\n\n" +
		"Writes (any method other than GET, HEAD and OPTIONS) are accepted only from loopback addresses until access control exists."
	registerTypes(hc.Components.Schemas)
	hapi := humago.NewWithPrefix(mux, Prefix, hc)

	h := &handlers{svc: cfg.Directory, rates: cfg.RateSource}
	h.register(hapi)

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, billkit.Errorf(billkit.CodeNotFound, "api.route_not_found", "no route for %s %s", r.Method, r.URL.Path))
	})
	return &server{mux: mux, log: cfg.Logger}, nil
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
	mux *http.ServeMux
	log *slog.Logger
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
	if isWrite(r.Method) && !isLoopback(r.RemoteAddr) {
		WriteError(w, r, billkit.Errorf(billkit.CodeForbidden, "api.writes_loopback_only",
			"writes are accepted only from loopback addresses until access control is configured"))
		return
	}
	r = r.WithContext(withActor(r.Context(), loopbackActor(r)))

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

func isWrite(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// isLoopback reports whether the connection's peer is a loopback address.
// It reads the address of the connection itself; headers such as
// X-Forwarded-For are set by the client and prove nothing.
func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

type actorKey struct{}

func withActor(ctx context.Context, a billkit.Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// actorFrom returns the actor of the request. Every request the handlers see
// has one; the fallback keeps a missing one from writing anonymously.
func actorFrom(ctx context.Context) (billkit.Actor, error) {
	a, ok := ctx.Value(actorKey{}).(billkit.Actor)
	if !ok {
		return billkit.Actor{}, errors.New("api: request without actor")
	}
	return a, nil
}

func loopbackActor(r *http.Request) billkit.Actor {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return billkit.Actor{
		Kind:      billkit.ActorSystem,
		ID:        LoopbackActorID,
		Name:      LoopbackActorID,
		IP:        host,
		UserAgent: r.UserAgent(),
	}
}
