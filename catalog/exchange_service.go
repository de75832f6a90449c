package catalog

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
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
	// The rolled-back transaction holds a connection: read what the
	// document needs of the directory before it, so that a store with one
	// connection (SQLite in memory) does not wait on itself.
	dir, err := prefetchDirectory(ctx, s.dir, c)
	if err != nil {
		return ApplyResult{}, err
	}
	var res ApplyResult
	err = s.store.InTx(ctx, func(tx Store) error {
		inTx := *s
		inTx.store, inTx.dir = tx, dir
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

// fixedDirectory answers from what was read before a dry run.
type fixedDirectory struct {
	currencies map[string]*directory.Currency
	units      map[string]*directory.Unit
	errs       map[string]error
}

func (d fixedDirectory) GetCurrency(_ context.Context, code string) (*directory.Currency, error) {
	if c, ok := d.currencies[code]; ok {
		return c, nil
	}
	if err, ok := d.errs["currency "+code]; ok {
		return nil, err
	}
	return nil, billkit.NotFound("currency", code)
}

func (d fixedDirectory) GetUnit(_ context.Context, code string) (*directory.Unit, error) {
	if u, ok := d.units[code]; ok {
		return u, nil
	}
	if err, ok := d.errs["unit "+code]; ok {
		return nil, err
	}
	return nil, billkit.NotFound("unit", code)
}

// prefetchDirectory reads every currency and unit the document names.
func prefetchDirectory(ctx context.Context, dir Directory, c Catalog) (fixedDirectory, error) {
	d := fixedDirectory{currencies: map[string]*directory.Currency{}, units: map[string]*directory.Unit{}, errs: map[string]error{}}
	var currencies, units []ref
	for i, t := range c.Tariffs {
		cs, us := tariffRefs(fmt.Sprintf("tariffs[%d]", i), t)
		currencies, units = append(currencies, cs...), append(units, us...)
	}
	for i, v := range c.PriceVersions {
		currencies = append(currencies, versionRefs(fmt.Sprintf("price_versions[%d]", i), v)...)
	}
	for _, r := range currencies {
		code := strings.ToUpper(strings.TrimSpace(r.code))
		if _, ok := d.currencies[code]; ok || code == "" {
			continue
		}
		cur, err := dir.GetCurrency(ctx, code)
		switch {
		case err == nil:
			d.currencies[code] = cur
		case billkit.IsCode(err, billkit.CodeNotFound) || billkit.IsCode(err, billkit.CodeInvalid):
			d.errs["currency "+code] = err
		default:
			return d, err
		}
	}
	for _, r := range units {
		code := strings.TrimSpace(r.code)
		if _, ok := d.units[code]; ok || code == "" {
			continue
		}
		u, err := dir.GetUnit(ctx, code)
		switch {
		case err == nil:
			d.units[code] = u
		case billkit.IsCode(err, billkit.CodeNotFound) || billkit.IsCode(err, billkit.CodeInvalid):
			d.errs["unit "+code] = err
		default:
			return d, err
		}
	}
	return d, nil
}
