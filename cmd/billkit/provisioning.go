package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/billing/stripe"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/riverjobs"
)

// secretKeyLength is the length of BILLKIT_SECRET_KEY once decoded:
// provisioning encrypts servers' credentials with AES-256-GCM.
const secretKeyLength = 32

// errSecretKey is BILLKIT_SECRET_KEY's one error: it never quotes the
// value, which is a secret even when malformed.
var errSecretKey = errors.New("BILLKIT_SECRET_KEY: must be 32 bytes, written as 64 hex digits or in base64 (make one with: openssl rand -hex 32)")

// parseSecretKey decodes BILLKIT_SECRET_KEY: "" is no key (nil), else 64
// hex digits or base64 (standard or URL alphabet, padded or not) of 32
// bytes.
func parseSecretKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if len(s) == 2*secretKeyLength {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == secretKeyLength {
			return b, nil
		}
	}
	return nil, errSecretKey
}

// provisioningSetup is what the configuration says of provisioning, read
// once before anything opens: the modules of BILLKIT_MODULES with the
// manual module, the webhook modules' secrets for their callbacks, and the
// key of servers' credentials.
type provisioningSetup struct {
	modules *provisioning.Registry
	// webhookSecrets are the webhook modules' secrets by module name.
	webhookSecrets map[string][]byte
	// moduleTimeout is the longest timeout a module of the file asks for;
	// zero when none does.
	moduleTimeout time.Duration
	// secretKey is nil when BILLKIT_SECRET_KEY is unset.
	secretKey []byte
	// settings are the manager's settings the configuration gives
	// (--order-ttl, --notice-days, --invoice-days-before, --task-attempts).
	settings provisioningSettings
}

// loadProvisioning reads the provisioning part of cfg: the key and the
// modules file. Its errors are the configuration's (exit status 2).
func (m *Main) loadProvisioning(cfg *config) (provisioningSetup, error) {
	key, err := parseSecretKey(cfg.SecretKey)
	if err != nil {
		return provisioningSetup{}, usageError(err)
	}
	settings, err := cfg.provisioningSettings()
	if err != nil {
		return provisioningSetup{}, usageError(err)
	}
	mods, err := loadModules(cfg.Modules, m.getenv)
	if err != nil {
		return provisioningSetup{}, usageError(err)
	}
	return provisioningSetup{modules: mods.registry, webhookSecrets: mods.webhookSecrets,
		moduleTimeout: mods.longestTimeout, secretKey: key, settings: settings}, nil
}

// getenv looks a variable up in the program's environment (Main.Environ),
// never the process's own, so that tests set it.
func (m *Main) getenv(key string) (string, bool) {
	for i := len(m.Environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(m.Environ[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// newMoney returns the catalog and billing services on st as every command
// builds them. Billing reads tariffs from the catalog (order prices,
// discounts by tariff, recalculations), so the catalog comes first.
func newMoney(st *bunstore.Store, dir *directory.Service, clock billkit.Clock) (*catalog.Service, *billing.Service) {
	return newPayingMoney(st, dir, clock, nil)
}

// newPayingMoney is newMoney whose billing hands each payment, once paid,
// to payer, which pays the orders it was for (nil: nobody; the cycle
// does).
func newPayingMoney(st *bunstore.Store, dir *directory.Service, clock billkit.Clock, payer *orderPayer) (*catalog.Service, *billing.Service) {
	cat := catalog.NewService(st.Catalog(), dir, catalog.Config{Clock: clock})
	cfg := billing.Config{
		Clock:    clock,
		Gateways: []billing.Gateway{stripe.New(stripe.Config{})},
		Catalog:  cat,
	}
	if payer != nil {
		cfg.OnPaymentPaid = payer.paymentPaid
	}
	return cat, billing.NewService(st.Billing(), dir, cfg)
}

// managerParams are what newManager builds a provisioning.Manager from.
type managerParams struct {
	Store   *bunstore.Store
	Billing *billing.Service
	Catalog *catalog.Service
	Clock   billkit.Clock
	Setup   provisioningSetup
	// Queue runs tasks as soon as they commit; nil leaves them to the
	// scheduler's run-due-tasks.
	Queue provisioning.Queue
	// CycleBatch is how many services one transaction of the cycle
	// handles; 0 is the manager's default.
	CycleBatch int
	// CycleWorkers is how many batches of the cycle run at once; 0 is 2
	// on PostgreSQL (a batch is computed while another is written) and 1
	// on SQLite (one connection: a second worker would only wait).
	CycleWorkers int
}

// newManager builds the provisioning manager of serve and of the command
// line, the one place where it is made, so that serve and `billkit cycle
// run` decide the same way.
func newManager(p managerParams) (*provisioning.Manager, error) {
	var v billkit.FieldErrors
	v.Check(p.Store != nil, "store", "required", "is required")
	v.Check(p.Billing != nil, "billing", "required", "is required")
	v.Check(p.Catalog != nil, "catalog", "required", "is required")
	v.Check(p.CycleBatch >= 0, "cycle_batch", "negative", "must not be negative")
	if err := v.Err(); err != nil {
		return nil, err
	}
	workers := p.CycleWorkers
	if workers == 0 && p.Store.Dialect() == bunstore.DialectPostgres {
		workers = 2
	}
	cfg := provisioning.Config{
		Clock:        p.Clock,
		Billing:      p.Billing,
		Catalog:      p.Catalog,
		Modules:      p.Setup.modules,
		Queue:        p.Queue,
		SecretKey:    p.Setup.secretKey,
		CycleBatch:   p.CycleBatch,
		CycleWorkers: workers,
		// Zero values leave provisioning's defaults.
		OrderTTL:          p.Setup.settings.orderTTL,
		NoticeDays:        p.Setup.settings.noticeDays,
		InvoiceDaysBefore: p.Setup.settings.invoiceDaysBefore,
		MaxAttempts:       p.Setup.settings.maxAttempts,
	}
	// A module's own timeout is honoured only if the manager's bound on a
	// call is at least as long.
	if p.Setup.moduleTimeout > defaultModuleTimeout {
		cfg.ModuleTimeout = p.Setup.moduleTimeout
	}
	mgr, err := provisioning.NewManager(p.Store.Provisioning(), cfg)
	if err != nil {
		return nil, fmt.Errorf("starting provisioning: %w", err)
	}
	return mgr, nil
}

// managerOptions are what a command changes of the manager serve builds.
type managerOptions struct {
	// cycleBatch and cycleWorkers are the cycle's (0: the defaults).
	cycleBatch, cycleWorkers int
	// queued puts the operations the command starts on River, for the
	// server's workers; without it a command must start none.
	queued bool
}

// withManager opens the store and runs fn with the provisioning manager
// serve builds, changed by o.
func (m *Main) withManager(ctx context.Context, cfg *config, o managerOptions, fn func(context.Context, *provisioning.Manager) error) error {
	return m.withProvisioning(ctx, cfg, o, func(ctx context.Context, p provisioningStack) error { return fn(ctx, p.mgr) })
}

// provisioningStack is the manager withProvisioning builds, with the store,
// catalog and billing it stands on.
type provisioningStack struct {
	st   *bunstore.Store
	mgr  *provisioning.Manager
	cat  *catalog.Service
	bill *billing.Service
}

// withProvisioning is withManager for the commands that also read the
// catalog or billing (a tariff by its code, a client's provider).
func (m *Main) withProvisioning(ctx context.Context, cfg *config, o managerOptions, fn func(context.Context, provisioningStack) error) (err error) {
	log := cfg.logger(m.Stderr)
	setup, err := m.loadProvisioning(cfg)
	if err != nil {
		return err
	}
	st, dir, err := openDirectory(ctx, cfg, log, "cli")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the database: %w", cerr)
		}
	}()
	// No command applies a payment, so none needs billing's hook that pays
	// orders (serve's): the cycle pays what the balance covers.
	clock := m.clock()
	cat, bill := newMoney(st, dir, clock)
	p := managerParams{Store: st, Billing: bill, Catalog: cat, Clock: clock, Setup: setup, CycleBatch: o.cycleBatch, CycleWorkers: o.cycleWorkers}
	if o.queued {
		// A command that starts or runs operations records a manual
		// module's department on its tasks: the department must exist, as
		// serve checks at its start.
		acc := access.NewService(st.Access(), access.Config{Rights: rightsConfig()})
		if err := checkManualDepartments(ctx, acc, cfg.Modules, setup.modules); err != nil {
			return err
		}
		if p.Queue, err = riverjobs.New(st, riverjobs.Config{Logger: log}); err != nil {
			return err
		}
	}
	mgr, err := newManager(p)
	if err != nil {
		return err
	}
	return fn(ctx, provisioningStack{st: st, mgr: mgr, cat: cat, bill: bill})
}
