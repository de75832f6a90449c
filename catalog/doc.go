// Package catalog is what a hoster sells: product types, tariffs with prices
// per period, addons, enumerations, OS images, tariff groups, agreements and
// price versions, and the pure pricing engine that quotes them.
//
// # Model
//
// Every entity belongs to one provider and has a Code, unique per provider
// and kind, by which documents refer to it (see ValidCode). A ProductType
// names the processing module and the lifecycle policy of its services. A
// Tariff has prices per Period and currency (an amount and a setup fee),
// addons with one of five billing types (none, fixed, enum, quantity,
// metered), order limits and the client groups that may order it. Prices
// are exact decimals with a currency code; never floats. A PriceVersion
// changes a tariff's prices from a date, with a policy for existing
// services; VersionInForce and Tariff.PriceAt give the prices on a date.
//
// # Rules
//
// The rules are pure functions: ValidateTariff and ValidateAddon (prices at
// least zero, periods the type allows, min ≤ max, a step that divides the
// range, an included amount inside it, enum addons with values),
// ValidateAddonValues and ChangeAddons (the values an order gives addons,
// and their changes after it), CheckChange (moves between tariffs under the
// tariff groups' rules). Errors name the field: "prices.month.USD.amount",
// "addons[2].step", "addons[ram].quantity".
//
// # Service and storage
//
// Service writes every entity with the right catalog:create, catalog:edit or
// catalog:delete (reads need catalog:read) and records each change in the
// action log in the same transaction; writes take documents that refer to
// other entities by code. ApplyCatalog applies a whole Catalog document in
// one transaction, validated whole before anything is written, and is
// idempotent; ExportCatalog returns the document back. PublicCatalog is the
// unauthenticated storefront view. Store is implemented by store/bunstore,
// which keeps an entity's parts (prices, addons, values, reference lists)
// as JSON columns with amounts as decimal strings; store/storetest is its
// conformance suite.
package catalog
