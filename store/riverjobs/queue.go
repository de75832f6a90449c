package riverjobs

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/uptrace/bun"
)

// Kind is the River job kind of a provisioning task's run.
const Kind = "billkit.provisioning.task"

// The defaults of Config.
const (
	// DefaultQueue is Config.Queue's default.
	DefaultQueue = "billkit_provisioning"
	// DefaultWorkers is Config.Workers's default.
	DefaultWorkers = 4
	// DefaultPollInterval is Config.PollInterval's default.
	DefaultPollInterval = time.Second
	// DefaultMaxAttempts is Config.MaxAttempts's default.
	DefaultMaxAttempts = 10
	// DefaultJobTimeout is Config.JobTimeout's default.
	DefaultJobTimeout = 10 * time.Minute
	// DefaultRecheck is Config.Recheck's default.
	DefaultRecheck = time.Second
)

// Reasons of the package's errors.
const (
	// ReasonStarted: Start was called on a Queue that is working already.
	ReasonStarted = "riverjobs.started"
	// ReasonEnqueue: River could not write a job.
	ReasonEnqueue = "riverjobs.enqueue_failed"
	// ReasonRiver: River refused its configuration or could not start.
	ReasonRiver = "riverjobs.river_failed"
	// ReasonMigrate: River's migrations failed.
	ReasonMigrate = "riverjobs.migrate_failed"
	// ReasonNeedsDB: the store runs on a transaction, not a database.
	ReasonNeedsDB = "riverjobs.store_in_tx"
	// ReasonUnconfigured: the Queue was not made by New, or has no runner.
	ReasonUnconfigured = "riverjobs.unconfigured"
)

// Runner runs one attempt of a task. *provisioning.Manager satisfies it;
// its RunTask claims the task first, so a run of a task that is not due, or
// that another worker holds, does nothing.
type Runner interface {
	RunTask(ctx context.Context, id provisioning.TaskID) error
}

var _ Runner = (*provisioning.Manager)(nil)

// Config configures a Queue. The zero value works.
type Config struct {
	// Workers is how many tasks this process runs at once. Default:
	// DefaultWorkers (4). On SQLite they take turns on its one connection
	// whenever they write.
	Workers int
	// PollInterval is how often River looks for jobs that are due; a job
	// written in a transaction is found by the next poll after it
	// commits. Default: DefaultPollInterval (1s).
	PollInterval time.Duration
	// Logger receives River's logs. Default: slog.Default().
	Logger *slog.Logger
	// MaxAttempts is how many times River runs one job whose run fails
	// (the database is down) before it discards it. A module's failure is
	// not one: the task's own retries are the manager's, each with its
	// own job. Default: DefaultMaxAttempts (10, about four hours of
	// River's backoff).
	MaxAttempts int
	// JobTimeout bounds one job; its context is cancelled then, and the
	// manager records the attempt as failed. Keep it above the manager's
	// ModuleTimeout. Default: DefaultJobTimeout (10 minutes, the manager's
	// default task lease).
	JobTimeout time.Duration
	// Queue is the River queue the jobs go to, so that an embedder's own
	// River clients on other queues leave them alone. Default:
	// DefaultQueue.
	Queue string
	// Recheck is how long a job waits before it looks again at a task
	// the manager did not find due, although River did: the clocks of
	// two machines disagree. Default: DefaultRecheck (1s).
	Recheck time.Duration
}

// Queue runs provisioning's tasks on River: it is the manager's
// provisioning.Queue (Enqueue) and, once started, River's worker of the
// jobs. It is safe for concurrent use.
type Queue struct {
	client  *river.Client[*sql.Tx]
	tasks   provisioning.Store
	cfg     Config
	runner  atomic.Pointer[Runner]
	mu      sync.Mutex // serializes Start and Stop
	running bool
}

var _ provisioning.Queue = (*Queue)(nil)

// New returns a Queue on st's database: River through database/sql on
// PostgreSQL, River's SQLite driver on SQLite. It does not start working
// (Start does) and does not migrate (Migrate does). st must be a Store on
// a database, not on a transaction.
//
// A nil st or a negative setting is an invalid error naming the field; a
// store on a transaction is failed_precondition ReasonNeedsDB.
func New(st *bunstore.Store, cfg Config) (*Queue, error) {
	var v billkit.FieldErrors
	v.Check(st != nil, "store", "required", "is required")
	v.Check(cfg.Workers >= 0, "workers", "negative", "must not be negative")
	v.Check(cfg.Workers <= 10000, "workers", "riverjobs.workers_too_many", "must be at most 10000")
	v.Check(cfg.PollInterval >= 0, "poll_interval", "negative", "must not be negative")
	v.Check(cfg.MaxAttempts >= 0, "max_attempts", "negative", "must not be negative")
	v.Check(cfg.JobTimeout >= 0, "job_timeout", "negative", "must not be negative")
	v.Check(cfg.Recheck >= 0, "recheck", "negative", "must not be negative")
	v.Check(cfg.Queue == "" || validQueueName(cfg.Queue), "queue", "riverjobs.queue_name",
		"must be lowercase letters and digits, separated by single underscores or hyphens, at most 64 characters")
	if err := v.Err(); err != nil {
		return nil, err
	}
	driver, err := driverFor(st)
	if err != nil {
		return nil, err
	}
	cfg = withDefaults(cfg)
	q := &Queue{tasks: st.Provisioning(), cfg: cfg}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &taskWorker{q: q}); err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, ReasonRiver, "registering the task worker")
	}
	client, err := river.NewClient(driver, &river.Config{
		Queues:            map[string]river.QueueConfig{cfg.Queue: {MaxWorkers: cfg.Workers}},
		Workers:           workers,
		Logger:            cfg.Logger,
		MaxAttempts:       cfg.MaxAttempts,
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     min(cfg.PollInterval, 100*time.Millisecond),
		JobTimeout:        cfg.JobTimeout,
		// River's database/sql driver has no LISTEN and polls anyway; on
		// SQLite, polling leaves the one connection to billkit between
		// polls instead of checking for notifications every 50ms.
		PollOnly: true,
	})
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, ReasonRiver, "configuring River")
	}
	q.client = client
	return q, nil
}

// withDefaults fills the zero settings of cfg.
func withDefaults(cfg Config) Config {
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.JobTimeout == 0 {
		cfg.JobTimeout = DefaultJobTimeout
	}
	if cfg.Queue == "" {
		cfg.Queue = DefaultQueue
	}
	if cfg.Recheck == 0 {
		cfg.Recheck = DefaultRecheck
	}
	return cfg
}

// validQueueName is River's rule for queue names, checked here so that a
// bad name is a field error rather than River's message.
func validQueueName(s string) bool {
	if len(s) > 64 {
		return false
	}
	sep := true // no separator first
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			sep = false
		case c == '_' || c == '-':
			if sep {
				return false
			}
			sep = true
		default:
			return false
		}
	}
	return !sep
}

// sqlDB returns the *sql.DB under st, which River runs on beside bun.
func sqlDB(st *bunstore.Store) (*sql.DB, error) {
	db, ok := st.DB().(*bun.DB)
	if !ok || db == nil || db.DB == nil {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonNeedsDB,
			"River runs on a database, not on a transaction (%T)", st.DB())
	}
	return db.DB, nil
}

// driverFor returns River's driver for st's dialect.
func driverFor(st *bunstore.Store) (riverdriver.Driver[*sql.Tx], error) {
	db, err := sqlDB(st)
	if err != nil {
		return nil, err
	}
	switch st.Dialect() {
	case bunstore.DialectPostgres:
		return riverdatabasesql.New(db), nil
	case bunstore.DialectSQLite:
		return riversqlite.New(db), nil
	}
	return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "store.dialect_unsupported",
		"River runs on PostgreSQL or SQLite, not %q", st.Dialect())
}

// Enqueue writes the River job of t's next attempt in tx, the transaction
// that wrote or requeued t, so that the job exists if and only if the
// change commits. The job carries the task's ID and the number of the
// attempt it is for (t.Attempts+1), so a retry's job is a job of its own;
// it is scheduled at t.NextRunAt when that is in the future by the system
// clock, which is River's.
//
// tx must be the provisioning store InTx hands its function, of a
// bunstore.Store (see bunstore.SQLTx): another implementation is an
// invalid error naming "store", and a store outside a transaction is
// failed_precondition. A nil or ID-less task is invalid "task".
func (q *Queue) Enqueue(ctx context.Context, tx provisioning.Store, t *provisioning.Task) error {
	if ctx == nil {
		return billkit.InvalidField("ctx", "required", "is required")
	}
	if q == nil || q.client == nil {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonUnconfigured, "the Queue was not made by riverjobs.New")
	}
	if t == nil {
		return billkit.InvalidField("task", "required", "is required")
	}
	if t.ID.IsZero() {
		return billkit.InvalidField("task.id", "required", "is required")
	}
	sqlTx, err := bunstore.SQLTx(tx)
	if err != nil {
		return err
	}
	opts := &river.InsertOpts{Queue: q.cfg.Queue, MaxAttempts: q.cfg.MaxAttempts}
	if t.NextRunAt.After(time.Now()) {
		opts.ScheduledAt = t.NextRunAt
	}
	if _, err := q.client.InsertTx(ctx, sqlTx, TaskArgs{TaskID: t.ID, Attempt: t.Attempts + 1}, opts); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return billkit.WrapError(err, billkit.CodeUnavailable, ReasonEnqueue, "queueing task "+t.ID.String()+" on River")
	}
	return nil
}

// Start starts working the jobs: each runs runner.RunTask (the Manager
// that was given this Queue). Jobs run with contexts derived from ctx, so
// cancelling ctx stops the Queue at once, cancelling running tasks (their
// attempts are still recorded); Stop is the graceful way. A Queue that is
// working already is failed_precondition ReasonStarted; a nil runner is
// invalid "runner".
func (q *Queue) Start(ctx context.Context, runner Runner) error {
	if ctx == nil {
		return billkit.InvalidField("ctx", "required", "is required")
	}
	if runner == nil {
		return billkit.InvalidField("runner", "required", "is required")
	}
	if q == nil || q.client == nil {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonUnconfigured, "the Queue was not made by riverjobs.New")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running {
		select {
		case <-q.client.Stopped():
			// Its Start context was cancelled: it stopped on its own.
		default:
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonStarted, "the queue is working already")
		}
	}
	q.runner.Store(&runner)
	if err := q.client.Start(ctx); err != nil {
		return billkit.WrapError(err, billkit.CodeUnavailable, ReasonRiver, "starting River")
	}
	q.running = true
	return nil
}

// Stop stops the Queue gracefully: no new job is fetched, and the running
// ones finish. When ctx ends first, the running tasks' contexts are
// cancelled (their modules are abandoned and their attempts recorded, to
// be retried) and Stop returns ctx's error once they have ended. Stopping
// a Queue that is not working does nothing; a stopped Queue may be started
// again.
//
// On an in-memory SQLite database, stop the Queue only when done with the
// store: as it stops, River's SQLite driver may discard the connection it
// was beginning a transaction on, and an in-memory database lives only as
// long as its connection. A database file just opens a new connection.
func (q *Queue) Stop(ctx context.Context) error {
	if ctx == nil {
		return billkit.InvalidField("ctx", "required", "is required")
	}
	if q == nil || q.client == nil {
		return nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.running {
		return nil
	}
	err := q.client.Stop(ctx)
	if err != nil {
		err = errors.Join(err, q.client.StopAndCancel(context.WithoutCancel(ctx)))
	}
	q.running = false
	return err
}

// Client returns the River client, for what this package does not wrap:
// subscribing to job events, listing jobs for an operator's view.
func (q *Queue) Client() *river.Client[*sql.Tx] {
	if q == nil {
		return nil
	}
	return q.client
}
