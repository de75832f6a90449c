// Package bunstore is billkit's storage on bun, for PostgreSQL and SQLite.
//
// It owns the SQL: the schema and its migrations, the queries, the mapping of
// database errors to *billkit.Error, and the transactions. It does not own
// any rule of the domain: the domain packages (directory, ...) define the
// Store interfaces they need, and validate their input, and bunstore
// implements those interfaces, one adapter per package ([Store.Directory]).
//
// # Opening and migrating
//
// [Open] takes a DSN: a "postgres://" URL (through pgx, simple protocol) or an
// SQLite file, "file:" URI or ":memory:" (through the pure-Go modernc driver,
// no cgo). Migrations are embedded SQL, one folder per dialect with the same
// names, applied by an explicit [Store.Migrate]. billkit's tables, and the
// tables that record its migrations, are prefixed "billkit_", so they live
// beside an embedder's own.
//
// # Transactions
//
// One exported write is one transaction. An adapter's InTx runs a function in
// a transaction with a store bound to it; nested InTx calls become
// savepoints, and a failing one rolls back only itself. A top-level
// transaction that meets a serialization failure, a deadlock or a busy
// SQLite database is run again a few times before the call returns
// unavailable.
//
// An embedder that wants billkit's writes to commit with its own passes its
// transaction to [New]:
//
//	tx, err := db.BeginTx(ctx, nil) // db is the embedder's *bun.DB
//	...
//	dir := bunstore.New(tx).Directory()
//	err = dir.InsertCurrency(ctx, c) // part of tx; InTx becomes a savepoint
//	...
//	err = tx.Commit() // or Rollback, which undoes billkit's writes too
//
// # Types
//
// Amounts and rates are NUMERIC in PostgreSQL and exact decimal TEXT in
// SQLite, where SQL never sums them. Instants are stored in UTC with
// microseconds and come back equal to [billkit.Instant] of what was written.
// Dates are date (PostgreSQL) or "YYYY-MM-DD" TEXT, IDs uuid or TEXT, and
// texts per locale jsonb or JSON TEXT.
//
// For tests, package store/storetest gives a migrated in-memory store in one
// line and the conformance suite every store implementation passes.
package bunstore
