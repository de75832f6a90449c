package storetest

import "testing"

// runAccessIdentity is the conformance suite of its part of the store contract.
func runAccessIdentity(t *testing.T, newStores func(t testing.TB) Stores) {}
