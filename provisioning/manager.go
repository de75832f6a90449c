package provisioning

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// Billing is what provisioning asks of billing: prices, charges, credits
// and the proformas of orders and renewals in the caller's transaction,
// clients, and the gateway payments of orders (created in the order's
// transaction, started after it). *billing.Service satisfies it.
type Billing interface {
	PriceOrder(ctx context.Context, actor billkit.Actor, p billing.OrderPriceParams) (*billing.OrderPrice, error)
	ChargeTx(ctx context.Context, tx billing.Store, actor billkit.Actor, p billing.ChargeParams) (*billing.Expense, error)
	PostTx(ctx context.Context, tx billing.Store, actor billkit.Actor, p billing.PostParams) (*billing.LedgerEntry, error)
	ChargeBatchTx(ctx context.Context, tx billing.Store, charges []billing.BatchCharge) ([]billing.ChargeOutcome, error)
	GetClient(ctx context.Context, actor billkit.Actor, id billkit.ClientID) (*billing.Client, error)
	GetProvider(ctx context.Context, actor billkit.Actor, id billkit.ProviderID) (*billing.Provider, error)
	Balance(ctx context.Context, actor billkit.Actor, client billkit.ClientID) (billkit.Money, error)
	RedeemPromoTx(ctx context.Context, tx billing.Store, actor billkit.Actor, code string, client billkit.ClientID, ref string) (*billing.PromoRedemption, error)
	IssueProformaTx(ctx context.Context, tx billing.Store, actor billkit.Actor, p billing.CreateInvoiceParams) (*billing.Invoice, error)
	VoidInvoiceTx(ctx context.Context, tx billing.Store, actor billkit.Actor, id billing.InvoiceID) (*billing.Invoice, error)
	CreatePaymentTx(ctx context.Context, tx billing.Store, actor billkit.Actor, p billing.CreatePaymentParams) (*billing.Payment, error)
	StartPayment(ctx context.Context, actor billkit.Actor, id billing.PaymentID, o billing.StartOptions) (*billing.Payment, error)
	GetPayment(ctx context.Context, actor billkit.Actor, id billing.PaymentID) (*billing.Payment, error)
}

var _ Billing = (*billing.Service)(nil)

// Catalog is what provisioning reads of the catalog. *catalog.Service
// satisfies it.
type Catalog interface {
	GetTariff(ctx context.Context, actor billkit.Actor, id catalog.TariffID) (*catalog.Tariff, error)
	// GetTariffByCode resolves the tariff codes of imports and listings.
	GetTariffByCode(ctx context.Context, actor billkit.Actor, provider billkit.ProviderID, code string) (*catalog.Tariff, error)
	GetProductType(ctx context.Context, actor billkit.Actor, id catalog.ProductTypeID) (*catalog.ProductType, error)
	GetTariffGroup(ctx context.Context, actor billkit.Actor, id catalog.TariffGroupID) (*catalog.TariffGroup, error)
	CheckTariffChange(ctx context.Context, actor billkit.Actor, from, to catalog.TariffID) error
	ListAgreements(ctx context.Context, actor billkit.Actor, f catalog.AgreementFilter) (billkit.Page[catalog.Agreement], error)
	ListOSImages(ctx context.Context, actor billkit.Actor, f catalog.OSImageFilter) (billkit.Page[catalog.OSImage], error)
}

var _ Catalog = (*catalog.Service)(nil)

// Queue hands a task to whatever runs it. Enqueue is called inside the
// transaction that wrote the task (tx), so the task runs if and only if the
// change commits. A nil Config.Queue leaves tasks in the store for
// Manager.RunDueTasks, which the scheduler and tests call; store/riverjobs
// runs them on River.
type Queue interface {
	Enqueue(ctx context.Context, tx Store, t *Task) error
}

// Config configures a Manager. Only Billing and Catalog are required.
type Config struct {
	// Clock tells the time. Default: billkit.SystemClock().
	Clock billkit.Clock
	// Billing prices orders and charges renewals.
	Billing Billing
	// Catalog reads tariffs and product types.
	Catalog Catalog
	// Modules are the processing modules tasks call. Default: a registry
	// with the manual module only.
	Modules *Registry
	// Queue runs tasks; nil leaves them for RunDueTasks.
	Queue Queue
	// SecretKey encrypts servers' credentials (AES-256-GCM): 32 bytes.
	// Without it, servers cannot be given credentials.
	SecretKey []byte
	// MaxAttempts is how many times a task runs before it fails for staff.
	// Default: 8.
	MaxAttempts int
	// Backoff is the wait before retry n (1, 2, ...). Default: 1m, 5m,
	// 15m, 1h, then every 3h.
	Backoff func(attempt int) time.Duration
	// TaskLease is how long a claimed task is presumed running before
	// another worker may claim it. Default: 10 minutes.
	TaskLease time.Duration
	// ModuleTimeout bounds one module call. Default: 2 minutes.
	ModuleTimeout time.Duration
	// OrderTTL is how long an unpaid order waits before it is cancelled.
	// Default: 72 hours.
	OrderTTL time.Duration
	// NoticeDays are the days before expiry a client is reminded. Default:
	// 10, 5, 3, 1, 0.
	NoticeDays []int
	// InvoiceDaysBefore is how many days before expiry a client who pays
	// by invoice gets the renewal's invoice. Default: 10.
	InvoiceDaysBefore int
	// CycleBatch is how many services one transaction of the cycle
	// handles. Default: 500.
	CycleBatch int
	// CycleWorkers is how many of the cycle's batches run at once, each
	// in its own transaction on its own connection. Default: 1. On
	// PostgreSQL a second worker keeps the database busy while the first
	// computes its batch; SQLite has one connection and gains nothing.
	CycleWorkers int
}

// Manager is provisioning's entry point: orders, services, tasks, servers
// and the billing cycle. It is safe for concurrent use.
type Manager struct {
	store Store
	cfg   Config
	clock billkit.Clock
}

// NewManager returns a Manager on store. A Config without Billing or
// Catalog, or with a SecretKey that is not 32 bytes, is an invalid error.
func NewManager(store Store, cfg Config) (*Manager, error) {
	var v billkit.FieldErrors
	v.Check(store != nil, "store", "required", "is required")
	v.Check(cfg.Billing != nil, "billing", "required", "is required")
	v.Check(cfg.Catalog != nil, "catalog", "required", "is required")
	v.Check(cfg.SecretKey == nil || len(cfg.SecretKey) == 32, "secret_key", "provisioning.secret_key_length", "must be 32 bytes")
	v.Check(cfg.MaxAttempts >= 0, "max_attempts", "negative", "must not be negative")
	v.Check(cfg.InvoiceDaysBefore >= 0, "invoice_days_before", "negative", "must not be negative")
	v.Check(cfg.CycleBatch >= 0, "cycle_batch", "negative", "must not be negative")
	v.Check(cfg.CycleWorkers >= 0 && cfg.CycleWorkers <= 64, "cycle_workers", "out_of_range", "must be between 0 and 64")
	for _, d := range cfg.NoticeDays {
		v.Check(d >= 0 && d <= 366, "notice_days", "provisioning.notice_day_out_of_range", "must be between 0 and 366")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if cfg.Clock == nil {
		cfg.Clock = billkit.SystemClock()
	}
	if cfg.Modules == nil {
		r, err := NewRegistry(ManualModule{})
		if err != nil {
			return nil, err
		}
		cfg.Modules = r
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 8
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.TaskLease == 0 {
		cfg.TaskLease = 10 * time.Minute
	}
	if cfg.ModuleTimeout == 0 {
		cfg.ModuleTimeout = 2 * time.Minute
	}
	if cfg.OrderTTL == 0 {
		cfg.OrderTTL = 72 * time.Hour
	}
	if cfg.NoticeDays == nil {
		cfg.NoticeDays = []int{10, 5, 3, 1, 0}
	}
	if cfg.InvoiceDaysBefore == 0 {
		cfg.InvoiceDaysBefore = 10
	}
	if cfg.CycleBatch == 0 {
		cfg.CycleBatch = 500
	}
	if cfg.CycleWorkers == 0 {
		cfg.CycleWorkers = 1
	}
	return &Manager{store: store, cfg: cfg, clock: cfg.Clock}, nil
}

// DefaultBackoff is Config.Backoff's default: 1m, 5m, 15m, 1h, then 3h.
func DefaultBackoff(attempt int) time.Duration {
	switch {
	case attempt <= 1:
		return time.Minute
	case attempt == 2:
		return 5 * time.Minute
	case attempt == 3:
		return 15 * time.Minute
	case attempt == 4:
		return time.Hour
	}
	return 3 * time.Hour
}

// now is the manager's clock in the form billkit stores instants.
func (m *Manager) now() time.Time { return billkit.Instant(m.clock.Now()) }

// Modules returns the manager's module registry.
func (m *Manager) Modules() *Registry { return m.cfg.Modules }

// record appends the action "<function>.<verb>" on the object to the log,
// in tx.
func record(ctx context.Context, tx Store, actor billkit.Actor, now time.Time, function, verb, id string, client billkit.ClientID, before, after any) error {
	return billkit.RecordAction(ctx, tx, actor, now, function+"."+verb, function, id, client, before, after)
}
