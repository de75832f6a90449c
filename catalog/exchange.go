package catalog

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/billkit/billkit"
)

// Import and export of a whole catalog.
//
// A hoster keeps the catalog in version control as one YAML or JSON file:
// ExportCatalog writes it, ParseCatalog reads it back, ValidateCatalog checks
// it whole, and Service.ApplyCatalog writes it in one transaction. Export is
// stable (entities sorted by code, fields in a fixed order), so export →
// import → export gives the same bytes and a change shows in a diff as the
// lines it changes.

// ParseCatalog reads a catalog document in the format given. It is strict:
// an unknown field, a key given twice, a value of the wrong type or data
// after the document is an invalid *billkit.Error naming the field. It does
// not check the catalog's rules: call ValidateCatalog for that.
func ParseCatalog(r io.Reader, format Format) (Catalog, error) {
	var c Catalog
	if err := decodeStrict(r, format, &c); err != nil {
		return Catalog{}, err
	}
	return c, nil
}

// ExportCatalog writes c in the format given, sorted (see SortCatalog) so
// that the same catalog always gives the same bytes. c itself is not
// changed.
func ExportCatalog(w io.Writer, c Catalog, format Format) error {
	if !format.Valid() {
		return billkit.InvalidField("format", "catalog.format_unknown", "must be yaml or json")
	}
	return encodeDocument(w, format, SortCatalog(c))
}

// SortCatalog returns a copy of c in export order: product types,
// enumerations, groups, tariffs, OS images and agreements by code, price
// versions by tariff code and effective date. The lists inside an entity
// (prices, addons, options, values, references) keep their order: it is
// part of the entity, the order clients see and the order it was written
// in, so an exported catalog imports back unchanged.
func SortCatalog(c Catalog) Catalog {
	byCode := func(a, b string) int { return cmp.Compare(a, b) }
	c.ProductTypes = slices.Clone(c.ProductTypes)
	slices.SortStableFunc(c.ProductTypes, func(a, b ProductTypeDoc) int { return byCode(a.Code, b.Code) })
	c.Enumerations = slices.Clone(c.Enumerations)
	slices.SortStableFunc(c.Enumerations, func(a, b EnumerationDoc) int { return byCode(a.Code, b.Code) })
	c.Groups = slices.Clone(c.Groups)
	slices.SortStableFunc(c.Groups, func(a, b TariffGroupDoc) int { return byCode(a.Code, b.Code) })
	c.Tariffs = slices.Clone(c.Tariffs)
	slices.SortStableFunc(c.Tariffs, func(a, b TariffDoc) int { return byCode(a.Code, b.Code) })
	c.OSImages = slices.Clone(c.OSImages)
	slices.SortStableFunc(c.OSImages, func(a, b OSImageDoc) int { return byCode(a.Code, b.Code) })
	c.Agreements = slices.Clone(c.Agreements)
	slices.SortStableFunc(c.Agreements, func(a, b AgreementDoc) int { return byCode(a.Code, b.Code) })
	c.PriceVersions = slices.Clone(c.PriceVersions)
	slices.SortStableFunc(c.PriceVersions, func(a, b PriceVersionDoc) int {
		if n := byCode(a.Tariff, b.Tariff); n != 0 {
			return n
		}
		return a.EffectiveDate.Compare(b.EffectiveDate)
	})
	return c
}

// ValidateCatalog checks a whole catalog document before anything is
// written: every entity by the rules its service method applies (codes,
// texts, prices, addons, limits, policies), codes unique per kind, and every
// reference by code (a tariff's product type and group, an enum addon's
// enumeration and values, the tariffs of an OS image, an agreement or a
// price version) resolving to an entity of the document or of known, the
// catalog already stored (pass what the provider has, exported, so that a
// document listing only some entities validates). Whether currencies are
// enabled and units exist is the service's check, in ApplyCatalog.
//
// The error is one invalid *billkit.Error listing every bad field by its row
// in the document, "tariffs[3].prices.month.USD.amount", with the code of
// the row's entity at the start of the message ("tariff vps-start: must be
// zero or more").
func ValidateCatalog(c Catalog, known ...Catalog) error {
	var v billkit.FieldErrors
	r := newRefs(c, known)

	seen := map[string]bool{}
	for i, d := range c.ProductTypes {
		row := rowErrors{v: &v, prefix: fmt.Sprintf("product_types[%d]", i), who: "product type " + d.Code}
		row.unique(seen, d.Code)
		row.merge(validateProductTypeDoc(d))
	}
	clear(seen)
	for i, d := range c.Enumerations {
		row := rowErrors{v: &v, prefix: fmt.Sprintf("enumerations[%d]", i), who: "enumeration " + d.Code}
		row.unique(seen, d.Code)
		row.merge(validateEnumerationDoc(d))
	}
	clear(seen)
	for i, d := range c.Groups {
		row := rowErrors{v: &v, prefix: fmt.Sprintf("groups[%d]", i), who: "tariff group " + d.Code}
		row.unique(seen, d.Code)
		var fe billkit.FieldErrors
		checkCode(&fe, "code", d.Code)
		checkLocalized(&fe, "name", d.Name, 200, true)
		for j, g := range d.ChangeToGroups {
			fe.Check(r.groups[g], fmt.Sprintf("change_to_groups[%d]", j), ReasonReferenceUnknown, fmt.Sprintf("%q is not a tariff group", g))
		}
		row.merge(fe.Err())
	}
	clear(seen)
	for i, d := range c.Tariffs {
		row := rowErrors{v: &v, prefix: fmt.Sprintf("tariffs[%d]", i), who: "tariff " + d.Code}
		row.unique(seen, d.Code)
		var fe billkit.FieldErrors
		pt := r.productTypes[d.ProductType]
		if fe.Require("product_type", d.ProductType) {
			fe.Check(pt != nil, "product_type", ReasonReferenceUnknown, fmt.Sprintf("%q is not a product type", d.ProductType))
		}
		if d.Group != "" {
			fe.Check(r.groups[d.Group], "group", ReasonReferenceUnknown, fmt.Sprintf("%q is not a tariff group", d.Group))
		}
		t := tariffOfDoc(d)
		validateTariff(&fe, &t, pt, r.enums)
		row.merge(fe.Err())
	}
	clear(seen)
	for i, d := range c.OSImages {
		row := rowErrors{v: &v, prefix: fmt.Sprintf("os_images[%d]", i), who: "OS image " + d.Code}
		row.unique(seen, d.Code)
		var fe billkit.FieldErrors
		checkCode(&fe, "code", d.Code)
		checkText(&fe, "name", d.Name, 200, true)
		checkText(&fe, "family", d.Family, 64, false)
		checkText(&fe, "version", d.Version, 64, false)
		for j, t := range d.Tariffs {
			fe.Check(r.tariffs[t] != nil, fmt.Sprintf("tariffs[%d]", j), ReasonReferenceUnknown, fmt.Sprintf("%q is not a tariff", t))
		}
		for j, p := range d.ProductTypes {
			fe.Check(r.productTypes[p] != nil, fmt.Sprintf("product_types[%d]", j), ReasonReferenceUnknown, fmt.Sprintf("%q is not a product type", p))
		}
		row.merge(fe.Err())
	}
	clear(seen)
	for i, d := range c.Agreements {
		row := rowErrors{v: &v, prefix: fmt.Sprintf("agreements[%d]", i), who: "agreement " + d.Code}
		row.unique(seen, d.Code)
		var fe billkit.FieldErrors
		checkCode(&fe, "code", d.Code)
		checkLocalized(&fe, "title", d.Title, 200, true)
		checkLocalized(&fe, "text", d.Text, 100000, true)
		fe.Check(d.Version >= 0, "version", ReasonNegative, "must be zero or more")
		for j, t := range d.Tariffs {
			fe.Check(r.tariffs[t] != nil, fmt.Sprintf("tariffs[%d]", j), ReasonReferenceUnknown, fmt.Sprintf("%q is not a tariff", t))
		}
		row.merge(fe.Err())
	}
	clear(seen)
	for i, d := range c.PriceVersions {
		row := rowErrors{v: &v, prefix: fmt.Sprintf("price_versions[%d]", i), who: fmt.Sprintf("price version of %s on %s", d.Tariff, d.EffectiveDate)}
		if !d.EffectiveDate.IsZero() {
			row.unique(seen, d.Tariff+" "+d.EffectiveDate.String())
		}
		row.merge(validatePriceVersionDoc(d, r))
	}
	return v.Err()
}

// rowErrors collects the errors of one row of a document.
type rowErrors struct {
	v      *billkit.FieldErrors
	prefix string // "tariffs[3]"
	who    string // "tariff vps-start"
}

func (r rowErrors) unique(seen map[string]bool, key string) {
	if key == "" {
		return
	}
	r.v.Check(!seen[key], r.prefix+".code", ReasonCodeDuplicate, r.who+": is given twice in the document")
	seen[key] = true
}

// merge adds the field errors of err under the row, naming the row's
// entity in each message.
func (r rowErrors) merge(err error) {
	if err == nil {
		return
	}
	var sub billkit.FieldErrors
	sub.Merge(r.prefix, err)
	be, _ := sub.Err().(*billkit.Error)
	if be == nil {
		return
	}
	for _, f := range be.Fields {
		r.v.Add(f.Field, f.Reason, r.who+": "+f.Message)
	}
}

// refs are the codes a document's references may resolve to.
type refs struct {
	productTypes map[string]*ProductType
	groups       map[string]bool
	tariffs      map[string]*Tariff
	enums        map[string]*Enumeration
	// tariffTypes maps a tariff's code to its product type's.
	tariffTypes map[string]string
}

func newRefs(c Catalog, known []Catalog) refs {
	r := refs{productTypes: map[string]*ProductType{}, groups: map[string]bool{}, tariffs: map[string]*Tariff{}, enums: map[string]*Enumeration{}, tariffTypes: map[string]string{}}
	// The known catalogs first, so the document's own entities win.
	for _, k := range append(slices.Clone(known), c) {
		for _, d := range k.ProductTypes {
			r.productTypes[d.Code] = &ProductType{Code: d.Code, Kind: d.Kind, AllowHourly: d.AllowHourly}
		}
		for _, d := range k.Groups {
			r.groups[d.Code] = true
		}
		for _, d := range k.Enumerations {
			r.enums[d.Code] = &Enumeration{Code: d.Code, Name: d.Name, Values: d.Values}
		}
		for _, d := range k.Tariffs {
			t := tariffOfDoc(d)
			r.tariffs[d.Code] = &t
			r.tariffTypes[d.Code] = d.ProductType
		}
	}
	return r
}

// tariffOfDoc is the tariff a document's row describes, without IDs.
func tariffOfDoc(d TariffDoc) Tariff {
	return Tariff{
		Code: d.Code, Name: d.Name.Clone(), Description: d.Description.Clone(), Status: d.Status, Currency: d.Currency,
		Prices: slices.Clone(d.Prices), Addons: cloneAddons(d.Addons), TrialDays: d.TrialDays,
		LimitPerClient: d.LimitPerClient, Stock: d.Stock, ClientGroupIDs: slices.Clone(d.ClientGroupIDs),
		Datacenters: slices.Clone(d.Datacenters), DisplayOrder: d.DisplayOrder,
	}
}

func cloneAddons(as []Addon) []Addon {
	out := slices.Clone(as)
	for i := range out {
		out[i].Name = out[i].Name.Clone()
		out[i].Prices = slices.Clone(out[i].Prices)
		out[i].Options = slices.Clone(out[i].Options)
	}
	return out
}

func validateProductTypeDoc(d ProductTypeDoc) error {
	var v billkit.FieldErrors
	checkCode(&v, "code", d.Code)
	v.Check(d.Kind.Valid(), "kind", "catalog.kind_unknown", "must be one of "+joinKinds())
	checkLocalized(&v, "name", d.Name, 200, true)
	checkText(&v, "module", d.Module, 64, false)
	checkText(&v, "service_name_template", d.ServiceNameTemplate, 200, false)
	nonNegative(&v, "lifecycle.grace_days", d.Lifecycle.GraceDays)
	nonNegative(&v, "lifecycle.delete_after_days", d.Lifecycle.DeleteAfterDays)
	nonNegative(&v, "lifecycle.trial_days", d.Lifecycle.TrialDays)
	v.Check(d.Lifecycle.ClientDelete == "" || d.Lifecycle.ClientDelete.Valid(), "lifecycle.client_delete",
		"catalog.client_delete_unknown", "must be never, yes or at_period_end")
	v.Check(d.Lifecycle.ChangePolicy == "" || d.Lifecycle.ChangePolicy.Valid(), "lifecycle.change_policy",
		ReasonChangePolicyUnknown, "must be now or at_renewal")
	return v.Err()
}

func joinKinds() string {
	var s []string
	for _, k := range Kinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func validateEnumerationDoc(d EnumerationDoc) error {
	var v billkit.FieldErrors
	checkCode(&v, "code", d.Code)
	checkLocalized(&v, "name", d.Name, 200, true)
	v.Check(len(d.Values) > 0, "values", ReasonEnumNoValues, "an enumeration has at least one value")
	seen := map[string]bool{}
	for i, val := range d.Values {
		f := fmt.Sprintf("values[%d]", i)
		checkCode(&v, f+".code", val.Code)
		v.Check(val.Code == "" || !seen[val.Code], f+".code", ReasonCodeDuplicate, "is given twice")
		seen[val.Code] = true
		checkLocalized(&v, f+".name", val.Name, 200, false)
	}
	return v.Err()
}

func validatePriceVersionDoc(d PriceVersionDoc, r refs) error {
	var v billkit.FieldErrors
	var t *Tariff
	if v.Require("tariff", d.Tariff) {
		t = r.tariffs[d.Tariff]
		v.Check(t != nil, "tariff", ReasonReferenceUnknown, fmt.Sprintf("%q is not a tariff", d.Tariff))
	}
	v.Check(!d.EffectiveDate.IsZero(), "effective_date", "required", "is required")
	if v.Check(d.Policy.Valid(), "policy", "catalog.policy_unknown", "must be keep_for_periods, next_renewal or now") {
		if d.Policy == PolicyKeepForPeriods {
			v.Check(d.KeepPeriods >= 1, "keep_periods", "catalog.keep_periods_missing", "must be 1 or more with keep_for_periods")
		} else {
			v.Check(d.KeepPeriods == 0, "keep_periods", "catalog.keep_periods_not_allowed", "is only for keep_for_periods")
		}
	}
	checkText(&v, "note", d.Note, 1000, false)
	v.Check(len(d.Prices) > 0 || len(d.AddonPrices) > 0, "prices", ReasonNoPrice, "a price version changes at least one price")
	var pt *ProductType
	if t != nil {
		pt = r.productTypes[r.tariffTypes[t.Code]]
	}
	checkPrices(&v, "prices", d.Prices, pt)
	for i, ap := range d.AddonPrices {
		f := fmt.Sprintf("addon_prices[%d]", i)
		checkPrices(&v, f+".prices", ap.Prices, pt)
		if !v.Require(f+".addon", ap.Addon) || t == nil {
			continue
		}
		a, ok := t.Addon(ap.Addon)
		if !v.Check(ok, f+".addon", ReasonAddonUnknown, fmt.Sprintf("tariff %s has no addon %q", t.Code, ap.Addon)) {
			continue
		}
		if ap.Option != "" {
			_, ok := a.Option(ap.Option)
			v.Check(ok, f+".option", ReasonValueUnknown, fmt.Sprintf("%q is not an option of addon %s", ap.Option, a.Code))
		}
	}
	return v.Err()
}
