package access

import (
	"context"

	"github.com/billkit/billkit"
)

// UserID identifies a User: a staff member or a customer user.
type UserID = billkit.ID[User]

// Store keeps what access owns. billkit's implementation is store/bunstore;
// store/storetest is its conformance suite. Error conventions are those of
// directory.Store: not_found, conflict, failed_precondition as *billkit.Error.
type Store interface {
	// InTx runs fn in one transaction, or a savepoint when already in one.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// InsertAction appends an entry to the action log; call it inside the
	// transaction of the change it records.
	InsertAction(ctx context.Context, a *billkit.Action) error

	IdentityStore
	RightsStore
}

// Config configures a Service. The zero value works.
type Config struct {
	// Clock tells the time. Default: billkit.SystemClock().
	Clock billkit.Clock
	// Identity configures logins, passwords, 2FA, sessions and API keys.
	Identity IdentityConfig
	// Rights configures departments, rights and customer roles.
	Rights RightsConfig
}

// Service is access control: who the users are, how they prove it, and what
// each may do. It is safe for concurrent use.
type Service struct {
	store Store
	clock billkit.Clock
	cfg   Config
}

// NewService returns a Service on store.
func NewService(store Store, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = billkit.SystemClock()
	}
	cfg.Identity = cfg.Identity.withDefaults()
	cfg.Rights = cfg.Rights.withDefaults()
	return &Service{store: store, clock: cfg.Clock, cfg: cfg}
}
