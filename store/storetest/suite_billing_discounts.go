package storetest

import "testing"

// runBillingDiscounts checks the billing.Store methods of discounts.
func runBillingDiscounts(t *testing.T, newStores func(t testing.TB) Stores) {
	t.Skip("no discounts store methods yet")
}
