package storetest

import "testing"

// runBillingTaxes checks the billing.Store methods of taxes.
func runBillingTaxes(t *testing.T, newStores func(t testing.TB) Stores) {
	t.Skip("no taxes store methods yet")
}
