package storetest

import "testing"

// runAccessRights is the conformance suite of its part of the store contract.
func runAccessRights(t *testing.T, newStores func(t testing.TB) Stores) {}
