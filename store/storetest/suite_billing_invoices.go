package storetest

import "testing"

// runBillingInvoices checks the billing.Store methods of invoices.
func runBillingInvoices(t *testing.T, newStores func(t testing.TB) Stores) {
	t.Skip("no invoices store methods yet")
}
