package provisioning_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// newShopEnv is newEnv with a company that sells the provider's services,
// which billing needs to price an order.
func newShopEnv(t *testing.T, opts ...envOption) *env {
	t.Helper()
	e := newEnv(t, opts...)
	if _, err := e.bill.CreateCompany(ctx, system, billing.CreateCompanyParams{
		LegalName: "HostCo GmbH", Country: "DE", ProviderIDs: []billkit.ProviderID{e.prov.ID},
	}); err != nil {
		t.Fatal(err)
	}
	return e
}
