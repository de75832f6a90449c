// Package billkit is billing for hosting providers, as a Go library.
//
// billkit keeps clients and their balances, payments and invoices, a catalog
// of tariffs, the life of every service (order, open, renew, suspend, delete)
// and its provisioning, support tickets, taxes, currencies and locales. Go
// developers import its packages to put billing inside their own panels;
// hosters run its reference server, cmd/billkit; test suites run a whole
// billing system in memory in milliseconds.
//
// # The kernel
//
// This root package is the shared kernel every other package builds on. It
// imports no other billkit package.
//
//   - [Money]: an exact decimal amount in one currency. No float anywhere;
//     mixed-currency arithmetic is an error; rounding happens at named points
//     by the currency's rules; [Money.Allocate] splits an amount into parts
//     that always sum to the whole.
//   - [Error]: the one error type, with a [Code] from a small closed set and a
//     stable namespaced Reason ("money.currency_mismatch") that doubles as a
//     translation key, and [FieldError]s that name bad inputs.
//   - [Clock]: every service takes one; [FakeClock] lets tests move time by
//     months.
//   - [ID]: typed, time-ordered (UUIDv7) identifiers made by the application.
//   - [Date]: a calendar date with no zone, for everything that bills.
//   - [Actor]: who acts; every write takes one.
//   - [PageParams] and [Page]: keyset pagination for every list.
//
// # The packages
//
//	billkit          the kernel (this package)
//	directory        countries, currencies and exchange rates, units, TLDs, locales
//	access           staff, rights, customer users, credentials, the action log
//	catalog          product types, tariffs, addons, price versions, quotes
//	billing          accounts, the ledger, payments, invoices, taxes, discounts
//	provisioning     orders, services, the billing cycle, processing modules
//	support          tickets, mail, notifications
//	store/bunstore   storage on PostgreSQL and SQLite, with migrations
//	store/storetest  the storage conformance suite and one-line test stores
//	cmd/billkit      the reference server and CLI
//
// Imports point one way, down this list; domain packages never touch SQL or
// HTTP. Storage is reached through interfaces that each domain package
// defines and store/bunstore implements.
//
// # Transactions
//
// One exported write is one transaction. A Store built on an embedder's own
// transaction (bunstore.New(tx)) makes billkit's writes commit or roll back
// with the embedder's, and billkit's own transactions become savepoints inside
// it.
package billkit
