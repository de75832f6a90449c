// Package storetest is the conformance suite of billkit's store contracts,
// and the one-line stores tests use.
//
// [NewMemory] returns a migrated bunstore.Store on a fresh in-memory SQLite
// database, closed when the test ends; any test, billkit's or an
// embedder's, gets a working, isolated billkit with it. [NewPostgres] does
// the same on a fresh PostgreSQL database created on the server named by
// BILLKIT_TEST_POSTGRES_DSN and dropped afterwards; without that variable it
// skips, except in CI (CI=true), where it fails.
//
// [Run] checks that an implementation keeps the contracts of the domain
// Store interfaces (directory.Store, ...): keys, error codes, seeding,
// filters, keyset pagination, exact decimals, texts and instants, and
// transactions, including savepoints and a transaction owned by the caller.
// It owns no storage code of its own: it tests what it is given.
package storetest
