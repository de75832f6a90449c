package provisioning_test

import (
	"context"
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
)

// newShopEnv is newEnv with a company that sells the provider's services,
// which billing needs to price an order.
func newShopEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	var o envOptions
	for _, f := range opts {
		f(&o)
	}
	opts = append(opts, withConfig(func(c *provisioning.Config) {
		if o.config != nil {
			o.config(c)
		}
		c.Catalog = &typeCache{Catalog: c.Catalog}
	}))
	e := newEnv(t, opts...)
	if _, err := e.bill.CreateCompany(ctx, system, billing.CreateCompanyParams{
		LegalName: "HostCo GmbH", Country: "DE", ProviderIDs: []billkit.ProviderID{e.prov.ID},
	}); err != nil {
		t.Fatal(err)
	}
	return e
}

// typeCache keeps the product types it read. Starting an operation reads
// the service's product type inside the transaction, which a store with
// one connection (SQLite) cannot serve beside the transaction; an order
// reads its product types before, so they are found here.
type typeCache struct {
	provisioning.Catalog
	mu    sync.Mutex
	types map[catalog.ProductTypeID]*catalog.ProductType
}

func (c *typeCache) GetProductType(ctx context.Context, actor billkit.Actor, id catalog.ProductTypeID) (*catalog.ProductType, error) {
	c.mu.Lock()
	pt, ok := c.types[id]
	c.mu.Unlock()
	if ok {
		cp := *pt
		return &cp, nil
	}
	pt, err := c.Catalog.GetProductType(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.types == nil {
		c.types = map[catalog.ProductTypeID]*catalog.ProductType{}
	}
	c.types[id] = pt
	c.mu.Unlock()
	cp := *pt
	return &cp, nil
}

// The lists orders check, passed through.
func (c *typeCache) ListAgreements(ctx context.Context, actor billkit.Actor, f catalog.AgreementFilter) (billkit.Page[catalog.Agreement], error) {
	return c.Catalog.(*catalog.Service).ListAgreements(ctx, actor, f)
}

func (c *typeCache) ListOSImages(ctx context.Context, actor billkit.Actor, f catalog.OSImageFilter) (billkit.Page[catalog.OSImage], error) {
	return c.Catalog.(*catalog.Service).ListOSImages(ctx, actor, f)
}
