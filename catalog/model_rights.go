package catalog

// Function is the one function of the catalog's rights
// (billkit.R(catalog.Function, billkit.OpEdit)) and the prefix of its
// actions' names ("catalog.tariff.create"). An action's ObjectType names the
// entity: "catalog.product_type", "catalog.tariff", "catalog.tariff_group",
// "catalog.enumeration", "catalog.os_image", "catalog.agreement",
// "catalog.price_version". ApplyCatalog records one action per entity it
// creates or updates.
const Function = "catalog"

// The object types of the catalog's actions.
const (
	ObjectProductType  = "catalog.product_type"
	ObjectTariff       = "catalog.tariff"
	ObjectTariffGroup  = "catalog.tariff_group"
	ObjectEnumeration  = "catalog.enumeration"
	ObjectOSImage      = "catalog.os_image"
	ObjectAgreement    = "catalog.agreement"
	ObjectPriceVersion = "catalog.price_version"
)

// Functions lists the catalog's functions, for the access package's right
// editors and for checks that every function has rules.
func Functions() []string { return []string{Function} }
