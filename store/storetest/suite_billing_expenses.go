package storetest

import "testing"

// runBillingExpenses checks the billing.Store methods of expenses.
func runBillingExpenses(t *testing.T, newStores func(t testing.TB) Stores) {
	t.Skip("no expenses store methods yet")
}
