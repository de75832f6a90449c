package storetest

import "testing"

// runBillingAccounts is the conformance suite of its part of the store contract.
func runBillingAccounts(t *testing.T, newStores func(t testing.TB) Stores) {}
