package catalog

import (
	"context"
	"errors"

	"github.com/billkit/billkit"
)

// ImportOptions configures Service.ImportCatalog. The zero value imports.
type ImportOptions struct {
	// DryRun applies the document in a transaction that is rolled back:
	// the result says what an import would create and update, and nothing
	// is stored, not even in the action log.
	DryRun bool
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("catalog: dry run")

// ImportCatalog imports a catalog document into the provider c.ProviderID:
// it checks the whole document with ValidateCatalog against what the
// provider already has (so a document may list only some entities and refer
// to stored ones), then applies it with ApplyCatalog, in one transaction
// with its actions recorded. A document with one bad row is an invalid
// error naming every bad field by its row ("tariffs[3].prices.month.USD.amount")
// and nothing is written. Importing the same document twice changes nothing
// the second time: the result counts no created and no updated entities.
// It needs catalog:create and catalog:edit.
func (s *Service) ImportCatalog(ctx context.Context, actor billkit.Actor, c Catalog, opts ImportOptions) (ApplyResult, error) {
	if err := actor.Validate(); err != nil {
		return ApplyResult{}, err
	}
	if c.ProviderID.IsZero() {
		return ApplyResult{}, billkit.InvalidField("provider_id", "required", "is required: name the provider in the document or in the call")
	}
	if err := authorize(actor, billkit.OpCreate); err != nil {
		return ApplyResult{}, err
	}
	if err := authorize(actor, billkit.OpEdit); err != nil {
		return ApplyResult{}, err
	}
	var known Catalog
	err := s.store.InTx(ctx, func(tx Store) error {
		sn, err := loadSnapshot(ctx, tx, c.ProviderID)
		if err != nil {
			return err
		}
		known = sn.document()
		return nil
	})
	if err != nil {
		return ApplyResult{}, err
	}
	if err := ValidateCatalog(c, known); err != nil {
		return ApplyResult{}, err
	}
	if !opts.DryRun {
		return s.ApplyCatalog(ctx, actor, c)
	}
	var res ApplyResult
	err = s.store.InTx(ctx, func(tx Store) error {
		inTx := *s
		inTx.store = tx
		var err error
		if res, err = inTx.ApplyCatalog(ctx, actor, c); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return res, nil
	}
	return ApplyResult{}, err
}

// Changed is the number of entities the import created or updated.
func (r ApplyResult) Changed() int { return r.Created + r.Updated }
