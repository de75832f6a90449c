// Package billing is money and who owes it. This part is the account side:
// providers, companies, client groups, clients, payers and contracts, the
// number series documents are numbered from, and merging clients. The
// ledger, payments, invoices, taxes and discounts come later and build on
// it.
//
// # What it owns and what it does not
//
// It owns the account types and their rules: validation (tax IDs, IBANs,
// emails, number formats), status transitions, the settings overlay, and
// the Service that checks rights and records every change in the action log
// in the same transaction. It stores nothing itself: a Store does
// (store/bunstore on PostgreSQL and SQLite; store/storetest is the
// conformance suite). It reads currencies, countries, subdivisions and
// locales through the narrow Directory interface, which *directory.Service
// satisfies. Users, logins, roles and rights are the access package's:
// billing only asks the billkit.Actor. It makes no network calls: VIES
// lookups of EU VAT numbers come with taxes.
//
// # Who is who
//
//   - A Provider is a brand or storefront with its currency, locale, time
//     zone and settings. Dates that bill (a contract's date, later period
//     starts) are calendar dates in its time zone.
//   - A Company is a legal entity with its address, tax IDs and bank
//     accounts (IBANs are checked with MOD 97-10); it serves one or more
//     providers and issues documents from its number series.
//   - A Client is an account of one provider: a number ("C-000042"), a
//     status (active, blocked, deleted; nothing is ever erased), a currency
//     and locale (the provider's by default), a group, a credit limit
//     (stored exactly, used by the ledger later) and staff's notes, which
//     customers never see.
//   - A ClientGroup overrides settings for its clients.
//   - A Payer is who pays for a client: an individual, a company or a sole
//     proprietor, with a country, a region where the directory lists the
//     country's subdivisions, and a tax ID. A client has several and exactly
//     one default: the first payer, or the last one made default.
//   - A Contract is an agreement between a company and a client's payer,
//     made from a ContractTemplate, numbered from the template's series,
//     and moved draft → sent → signed; it can be cancelled from any of those
//     (cancelling a signed contract records its termination). See
//     ContractTransition.
//
// # Settings
//
// Settings map dotted keys to JSON values. The settings in effect for a
// client are the provider's, overlaid by its group's, overlaid by its own
// (EffectiveSettings, Service.ClientSettings): a key an override sets
// replaces the value, a key it sets to null removes it. The keys themselves
// arrive with the features that read them.
//
// # Tax IDs
//
// NormalizeTaxID checks a tax ID against the country of its payer or
// company and returns its canonical form. EU VAT numbers of all 27 member
// states are checked by format and check digits (TaxIDChecksumCountries
// lists the few forms checked by format only); Russian INNs (10 and 12
// digits) by their check digits; US EINs by format and IRS prefix. Other
// countries' IDs are accepted as printable text with a digit. Errors name
// the field "tax_id" with reason "taxid.invalid_format" or
// "taxid.bad_checksum".
//
// # Number series
//
// FormatNumber renders formats such as "INV-{YYYY}-{NNNNN}" or
// "{YY}{MM}-{N}"; a ResetPolicy (never, yearly, monthly) picks the period
// whose counter is used, and ValidateNumberFormat makes sure a series that
// resets shows its period, so numbers never repeat. NumberSeries.Next draws
// from Store.NextNumber inside the caller's transaction: numbers are unique
// under concurrency and gapless, since a rolled-back transaction gives its
// number back. Client numbers come from one series (Config.ClientNumberFormat);
// contract numbers from a series per company and format.
//
// # Merging clients
//
// Service.MergeClients moves everything of one client to another in one
// transaction, through Store.MoveClientReferences (payers, contracts,
// users' memberships and invites, and the tables later features add), then
// marks the merged client deleted with MergedInto set, and records an
// action on each client. Both must belong to the same provider and, until
// the ledger can convert balances, have the same currency.
//
// # Rights, actions and errors
//
// Every method takes the acting billkit.Actor. Writes need the right
// "<function>:<op>" of the object's function (FunctionClient, ...; see
// Functions); objects of a client (the client, its payers and contracts)
// are checked with Actor.AuthorizeClient, so a customer asking for another
// client's object gets the same not_found a missing object gives, and lists
// show a customer only its own clients' objects. Customers may change a
// client's name, email and locale, never its credit limit, group, currency,
// notes or settings (forbidden, "billing.staff_only"). Every write records a
// billkit.Action "<function>.<verb>" with the changed fields, in the same
// transaction.
//
// Every method returns *billkit.Error: bad input is invalid, naming each
// wrong field, and writes nothing; a missing object is not_found; a status
// that forbids the call is failed_precondition with a reason such as
// "contract.status_transition" or "client.deleted"; a missing right is
// forbidden.
//
// # The money core
//
// The ledger (Post, PostTx, Balance, ListEntries) is the truth of a
// client's money: immutable entries, a cached balance kept in the same
// transaction, a credit limit checked atomically with the write. Everything
// else posts through it, in the transaction of its cause:
//
//   - payments (CreatePayment, StartPayment, Pay, HandleCallback,
//     ReconcilePayments, ConfirmPayment, RefundPayment) through payment
//     methods of companies and their Gateway: "manual" and "balance" built
//     in, others in Config.Gateways (billing/stripe; examples/gateway). A
//     gateway is never called inside a transaction; a callback is applied
//     once, keyed by the gateway's payment ID under a row lock; an unknown
//     outcome is queried again until it is known;
//   - expenses (Charge, ChargeTx), covered by the money that pays them,
//     oldest debt first (ClientDebt, ExpensePayments), split by month
//     (SplitByMonth), recalculated with a preview (PreviewRecalculation,
//     ApplyRecalculation);
//   - invoices and credit notes (CreateInvoice, IssueInvoice,
//     PayInvoiceFromBalance, CreateCreditNote), frozen at issue, numbered
//     gaplessly per company and document type (SetInvoiceSeries), rendered
//     by billing/render; proformas whose advance lines ask for what an
//     order or a renewal will charge (IssueProformaTx, VoidInvoiceTx, in
//     the caller's transaction);
//   - taxes (tax rules, exemptions, DecideTax, CalculateTaxes, CheckPayerVAT),
//     discounts and promo codes, and PriceOrder, the one place an order's
//     price is assembled: catalog quote, discounts, promo code, tax.
//
// Audit checks the invariants of all of it: balances equal their entries,
// invoices their lines and taxes, no expense covered beyond its amount.
package billing
