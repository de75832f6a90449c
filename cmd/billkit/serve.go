package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/cmd/billkit/internal/api"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/directory/ecb"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/riverjobs"
	"github.com/spf13/cobra"
)

// shutdownTimeout bounds how long serve waits for requests in flight when
// asked to stop.
const shutdownTimeout = 10 * time.Second

func (m *Main) serveCommand(cfg *config) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Migrate the database, seed reference data and serve HTTP",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return m.serve(cmd.Context(), cfg)
		},
	}
}

func (m *Main) serve(ctx context.Context, cfg *config) (err error) {
	log := cfg.logger(m.Stderr)
	// The modules file and the key are checked before the database opens,
	// so that a mistake in them changes nothing.
	setup, err := m.loadProvisioning(cfg)
	if err != nil {
		return err
	}
	if setup.secretKey == nil {
		log.Warn("BILLKIT_SECRET_KEY is not set: servers cannot be given credentials until it is")
	}
	st, svc, err := openDirectory(ctx, cfg, log, "serve")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the database: %w", cerr)
		}
	}()

	clock := m.clock()
	acc := access.NewService(st.Access(), access.Config{Rights: rightsConfig()})
	// The manual modules' departments are access's, so they are checked
	// once the database is open.
	if err := checkManualDepartments(ctx, acc, cfg.Modules, setup.modules); err != nil {
		return err
	}
	// A payment, once paid, pays the orders it was for at once.
	payer := newOrderPayer(log)
	cat, bill := newPayingMoney(st, svc, clock, payer)
	// Tasks run on River as soon as they commit; the scheduler's
	// run-due-tasks stays as the net for a job River gave up on.
	queue, err := riverjobs.New(st, riverjobs.Config{Logger: log})
	if err != nil {
		return err
	}
	mgr, err := newManager(managerParams{Store: st, Billing: bill, Catalog: cat, Clock: clock, Setup: setup, Queue: queue})
	if err != nil {
		return err
	}
	payer.use(mgr)
	if err := queue.Start(ctx, mgr); err != nil {
		return fmt.Errorf("starting the job queue: %w", err)
	}
	// The queue stops before the store closes (defers run last first).
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		if qerr := queue.Stop(sctx); qerr != nil && err == nil {
			err = fmt.Errorf("stopping the job queue: %w", qerr)
		}
	}()
	if err := ensureFirstAdmin(ctx, acc, log, m.Stderr); err != nil {
		return err
	}

	h, err := newHandler(handlerConfig{
		Directory:      svc,
		Access:         acc,
		Billing:        bill,
		Catalog:        cat,
		Provisioning:   mgr,
		WebhookSecrets: setup.webhookSecrets,
		RateSource:     rateSource(cfg),
		Ping:           st.Ping,
		Logger:         log,
		CookieSecure:   cfg.CookieSecure,
		Idempotency:    st,
	})
	if err != nil {
		return err
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	log.Info("listening", "addr", ln.Addr().String(), "dsn_kind", dsnKind(cfg.DSN))
	if m.OnListen != nil {
		m.OnListen(ln.Addr())
	}

	// The scheduler runs beside the server and stops before the store
	// closes.
	sched := newScheduler(clock, log, serverTasks(bill, mgr, st, log)...)
	schedCtx, stopScheduler := context.WithCancel(context.WithoutCancel(ctx))
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		sched.loop(schedCtx, schedulerTick)
	}()
	defer func() {
		stopScheduler()
		<-schedDone
	}()

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()

	select {
	case err := <-done:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	stopScheduler()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving: %w", err)
	}
	log.Info("stopped")
	return nil
}

// rightsConfig is the access configuration of the server's rights: the
// default functions, billing's money core, whose payments, invoices and
// expenses belong to clients, and provisioning, whose orders, services and
// tasks belong to clients (so a custom customer role may hold rights on
// them).
func rightsConfig() access.RightsConfig {
	return access.RightsConfig{
		Functions: union(union(access.DefaultFunctions(), billing.Functions()), provisioning.Functions()),
		ClientFunctions: union(union(access.DefaultClientFunctions(),
			[]string{billing.FunctionPayment, billing.FunctionInvoice, billing.FunctionExpense}),
			provisioning.ClientFunctions()),
	}
}

// union returns a and the elements of b that a lacks, in order.
func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// dsnKind names the database without showing the DSN, which may hold a
// password.
func dsnKind(dsn string) string {
	for _, p := range []string{"postgres://", "postgresql://"} {
		if len(dsn) >= len(p) && dsn[:len(p)] == p {
			return "postgres"
		}
	}
	return "sqlite"
}

// rateSource is the exchange rate feed of cfg.
func rateSource(cfg *config) directory.RateSource {
	return ecb.Source{URL: cfg.RatesURL}
}

// handlerConfig is what newHandler serves.
type handlerConfig struct {
	Directory *directory.Service
	Access    *access.Service
	Billing   *billing.Service
	Catalog   *catalog.Service
	// Provisioning serves orders, services, tasks, servers and the cycle.
	Provisioning *provisioning.Manager
	// WebhookSecrets are the webhook modules' secrets by module name, for
	// their signed callbacks.
	WebhookSecrets map[string][]byte
	CookieSecure   bool
	RateSource     directory.RateSource
	// Idempotency keeps Idempotency-Key answers (the server's store).
	Idempotency api.IdempotencyStore
	// Ping checks the database for /healthz.
	Ping   func(context.Context) error
	Logger *slog.Logger
}

// newHandler returns the server's whole HTTP handler: the API under
// /api/v1, /healthz and /metrics, wrapped in request logging and metrics.
func newHandler(c handlerConfig) (http.Handler, error) {
	apiHandler, err := api.New(api.Config{
		Directory:      c.Directory,
		Access:         c.Access,
		Billing:        c.Billing,
		Catalog:        c.Catalog,
		Provisioning:   c.Provisioning,
		WebhookSecrets: c.WebhookSecrets,
		RateSource:     c.RateSource,
		Logger:         c.Logger,
		Version:        buildVersion().Version,
		CookieSecure:   c.CookieSecure,
		Idempotency:    c.Idempotency,
	})
	if err != nil {
		return nil, err
	}
	met := newMetrics()
	mux := http.NewServeMux()
	mux.Handle("/api/", apiHandler)
	mux.Handle("GET /healthz", healthHandler(c.Ping))
	mux.Handle("GET /metrics", met.handler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		api.WriteError(w, r, notFound(r))
	})
	return observe(mux, met, c.Logger), nil
}
