package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/riverjobs"
)

// openStore opens the database of cfg and applies pending migrations, so the
// zero-setup default (a SQLite file in the working directory) works on the
// first run. The caller closes the store.
func openStore(ctx context.Context, cfg *config, log *slog.Logger) (*bunstore.Store, error) {
	st, err := bunstore.Open(ctx, cfg.DSN, bunstore.Config{})
	if err != nil {
		return nil, fmt.Errorf("opening the database: %w", err)
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("migrating the database: %w", err)
	}
	for _, name := range applied {
		log.Info("migration applied", "name", name)
	}
	// River's tables, where provisioning's tasks wait for a worker.
	if err := riverjobs.Migrate(ctx, st); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrating the job queue: %w", err)
	}
	return st, nil
}

// openDirectory opens and migrates the store and seeds the reference data
// that is missing, acting as the named system component.
func openDirectory(ctx context.Context, cfg *config, log *slog.Logger, component string) (*bunstore.Store, *directory.Service, error) {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	svc := directory.NewService(st.Directory(), directory.Config{})
	if err := svc.Bootstrap(ctx, billkit.SystemActor(component)); err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("seeding reference data: %w", err)
	}
	if err := ensureFirstProvider(ctx, st, svc, log, component); err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, svc, nil
}

// The provider a new installation starts with, so that a catalog can be
// imported and clients created with nothing else set up. Staff rename it
// (PATCH /api/v1/providers/{id}) or add others.
const (
	firstProviderName     = "My hosting"
	firstProviderCurrency = "USD"
)

// ensureFirstProvider creates the first provider when there is none.
func ensureFirstProvider(ctx context.Context, st *bunstore.Store, dir *directory.Service, log *slog.Logger, component string) error {
	ps, err := st.Billing().ListProviders(ctx, billing.ProviderFilter{PageParams: billkit.PageParams{Limit: 1}})
	if err != nil {
		return fmt.Errorf("listing providers: %w", err)
	}
	if len(ps.Items) > 0 {
		return nil
	}
	svc := billing.NewService(st.Billing(), dir, billing.Config{})
	p, err := svc.CreateProvider(ctx, billkit.SystemActor(component), billing.CreateProviderParams{
		Name: firstProviderName, Currency: firstProviderCurrency})
	if err != nil {
		return fmt.Errorf("creating the first provider: %w", err)
	}
	log.Info("created the first provider; rename it or change its currency as you like", "provider_id", p.ID.String(), "name", p.Name, "currency", p.Currency)
	return nil
}

// systemCLI is the actor of writes made from the command line.
func systemCLI() billkit.Actor { return billkit.SystemActor("cli") }
