// Package billing is money and who owes it: providers, companies, clients,
// client groups, payers and contracts (the account side), and later the
// ledger, payments, invoices, taxes and discounts.
package billing
