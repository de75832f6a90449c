// Package catalog is what a hoster sells: product types, tariffs with prices
// per period, addons, enumerations, OS images, tariff groups, agreements and
// price versions, and the pure pricing engine that quotes them.
package catalog
