package catalog

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// Reasons of the catalog's validation errors. Each names the field it is
// about ("prices.month.USD.amount", "addons[2].step").
const (
	ReasonCodeMalformed      = "catalog.code_malformed"
	ReasonCodeDuplicate      = "catalog.code_duplicate"
	ReasonPriceNegative      = "catalog.price_negative"
	ReasonPeriodUnknown      = "catalog.period_unknown"
	ReasonPeriodNotAllowed   = "catalog.period_not_allowed"
	ReasonPriceDuplicate     = "catalog.price_duplicate"
	ReasonNoPrice            = "catalog.price_missing"
	ReasonNoBasePrice        = "catalog.price_not_in_tariff_currency"
	ReasonMinAboveMax        = "catalog.min_above_max"
	ReasonStepNotPositive    = "catalog.step_not_positive"
	ReasonStepNotDividing    = "catalog.step_not_dividing"
	ReasonIncludedOutOfRange = "catalog.included_out_of_range"
	ReasonDefaultOutOfRange  = "catalog.default_out_of_range"
	ReasonEnumNoValues       = "catalog.enum_no_values"
	ReasonPricesNotAllowed   = "catalog.prices_not_allowed"
	ReasonAddonUnknown       = "catalog.addon_unknown"
	ReasonAddonNotChoosable  = "catalog.addon_not_choosable"
	ReasonAddonNotChangeable = "catalog.addon_not_changeable"
	ReasonValueUnknown       = "catalog.value_unknown"
	ReasonBelowMin           = "catalog.quantity_below_min"
	ReasonAboveMax           = "catalog.quantity_above_max"
	ReasonOffStep            = "catalog.quantity_off_step"
	ReasonChangeNotAllowed   = "catalog.change_not_allowed"
	ReasonReferenceUnknown   = "catalog.reference_unknown"
	ReasonNegative           = "catalog.negative"
)

// ReasonChangePolicyUnknown is the reason of a product type's
// lifecycle.change_policy that is neither now nor at_renewal.
const ReasonChangePolicyUnknown = "catalog.change_policy_unknown"

// maxCodeLen is the longest code.
const maxCodeLen = 64

// ValidCode reports whether s is a well-formed code: 1 to 64 lower-case
// ASCII letters, digits, '.', '_' and '-', starting with a letter or digit.
func ValidCode(s string) bool {
	if s == "" || len(s) > maxCodeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case (c == '.' || c == '_' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

func checkCode(v *billkit.FieldErrors, field, code string) {
	if !v.Require(field, code) {
		return
	}
	v.Check(ValidCode(code), field, ReasonCodeMalformed,
		"must be 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
}

// checkText checks a free-text field: at most max bytes of UTF-8, required
// when required.
func checkText(v *billkit.FieldErrors, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	if required {
		v.Require(field, s)
	}
	v.Check(len(s) <= max, field, "too_long", fmt.Sprintf("must be at most %d bytes", max))
	v.Check(utf8.ValidString(s), field, "not_utf8", "must be UTF-8 text")
	return s
}

// checkLocalized checks a localized text: values of at most max bytes, keys
// well-formed locales, at least one non-empty value when required.
func checkLocalized(v *billkit.FieldErrors, field string, t directory.Text, max int, required bool) directory.Text {
	out := directory.Text{}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		val := checkText(v, field+"."+k, t[k], max, false)
		if val != "" {
			out[k] = val
		}
	}
	if required {
		v.Check(len(out) > 0, field, "required", "needs a text in at least one language")
	}
	return out
}

func nonNegative(v *billkit.FieldErrors, field string, n int) {
	v.Check(n >= 0, field, ReasonNegative, "must be zero or more")
}

// priceField names a price's field: prices.month.USD.amount.
func priceField(prefix string, p Price, leaf string) string {
	return fmt.Sprintf("%s.%s.%s.%s", prefix, p.Period, p.Currency, leaf)
}

// checkPrices checks a list of prices: known periods the type allows,
// well-formed currencies, amounts and setup fees at least zero, one price
// per period and currency. pt may be nil (nothing is known of hourly).
func checkPrices(v *billkit.FieldErrors, prefix string, prices []Price, pt *ProductType) []Price {
	out := make([]Price, 0, len(prices))
	seen := map[string]bool{}
	for i, p := range prices {
		p.Currency = strings.ToUpper(strings.TrimSpace(p.Currency))
		if !p.Period.Valid() {
			v.Add(fmt.Sprintf("%s[%d].period", prefix, i), ReasonPeriodUnknown, fmt.Sprintf("%q is not a period", p.Period))
			continue
		}
		if !billkit.ValidCurrencyCode(p.Currency) {
			v.Add(fmt.Sprintf("%s[%d].currency", prefix, i), "money.currency_malformed", fmt.Sprintf("%q is not a currency code", p.Currency))
			continue
		}
		if pt != nil && !pt.AllowsPeriod(p.Period) {
			v.Add(priceField(prefix, p, "period"), ReasonPeriodNotAllowed,
				fmt.Sprintf("product type %s does not allow %s prices", pt.Code, p.Period))
		}
		key := string(p.Period) + "/" + p.Currency
		v.Check(!seen[key], priceField(prefix, p, "period"), ReasonPriceDuplicate, "is priced twice in this currency")
		seen[key] = true
		v.Check(!p.Amount.IsNegative(), priceField(prefix, p, "amount"), ReasonPriceNegative, "must be zero or more")
		v.Check(!p.SetupFee.IsNegative(), priceField(prefix, p, "setup_fee"), ReasonPriceNegative, "must be zero or more")
		if _, err := billkit.NewMoney(p.Amount, p.Currency); err != nil {
			v.Add(priceField(prefix, p, "amount"), "money.amount_out_of_range", "has too many digits")
		}
		if _, err := billkit.NewMoney(p.SetupFee, p.Currency); err != nil {
			v.Add(priceField(prefix, p, "setup_fee"), "money.amount_out_of_range", "has too many digits")
		}
		out = append(out, p)
	}
	return out
}

// ValidateTariff checks a tariff against its product type and the
// enumerations its enum addons use (by code): codes, prices (see Price and
// Tariff.Prices), order limits and every addon (see ValidateAddon). It is
// pure; whether currencies are enabled and units exist is the Service's
// check. The error is an invalid *billkit.Error naming every bad field.
func ValidateTariff(t *Tariff, pt *ProductType, enums map[string]*Enumeration) error {
	var v billkit.FieldErrors
	validateTariff(&v, t, pt, enums)
	return v.Err()
}

func validateTariff(v *billkit.FieldErrors, t *Tariff, pt *ProductType, enums map[string]*Enumeration) {
	checkCode(v, "code", t.Code)
	t.Name = checkLocalized(v, "name", t.Name, 200, true)
	t.Description = checkLocalized(v, "description", t.Description, 10000, false)
	if t.Status == "" {
		t.Status = TariffActive
	}
	v.Check(t.Status.Valid(), "status", "catalog.status_unknown", "must be active, hidden or archived")
	t.Currency = strings.ToUpper(strings.TrimSpace(t.Currency))
	if v.Require("currency", t.Currency) {
		v.Check(billkit.ValidCurrencyCode(t.Currency), "currency", "money.currency_malformed", "is not a currency code")
	}
	t.Prices = checkPrices(v, "prices", t.Prices, pt)
	base := false
	for _, p := range t.Prices {
		if p.Currency == t.Currency {
			base = true
			continue
		}
		if _, ok := t.Price(p.Period, t.Currency); !ok {
			v.Add(priceField("prices", p, "period"), ReasonNoBasePrice,
				fmt.Sprintf("has no price in the tariff's currency %s for %s", t.Currency, p.Period))
		}
	}
	v.Check(base || t.Currency == "", "prices", ReasonNoPrice, "needs at least one price in the tariff's currency")
	if t.TrialDays != nil {
		nonNegative(v, "trial_days", *t.TrialDays)
	}
	nonNegative(v, "limit_per_client", t.LimitPerClient)
	if t.Stock != nil {
		nonNegative(v, "stock", *t.Stock)
	}
	groups := make([]string, 0, len(t.ClientGroupIDs))
	for i, g := range t.ClientGroupIDs {
		id, err := billkit.ParseID[struct{}](strings.TrimSpace(g))
		if v.Check(err == nil && !id.IsZero(), fmt.Sprintf("client_group_ids[%d]", i), "id.malformed", "is not a client group ID") {
			groups = append(groups, id.String())
		}
	}
	t.ClientGroupIDs = groups
	t.Datacenters = checkDatacenterCodes(v, t.Datacenters)
	seen := map[string]bool{}
	for i := range t.Addons {
		field := fmt.Sprintf("addons[%d]", i)
		validateAddon(v, field, &t.Addons[i], pt, enums)
		if c := t.Addons[i].Code; c != "" {
			v.Check(!seen[c], field+".code", ReasonCodeDuplicate, "is used by another addon of the tariff")
			seen[c] = true
		}
	}
	if t.Addons == nil {
		t.Addons = []Addon{}
	}
}

// ValidateAddon checks one addon on its own (see validateTariff for its
// place in a tariff): the billing type's fields, limits and prices. enums
// maps enumeration codes to enumerations; nil skips the check of option
// values against the enumeration.
func ValidateAddon(a *Addon, pt *ProductType, enums map[string]*Enumeration) error {
	var v billkit.FieldErrors
	validateAddon(&v, "", a, pt, enums)
	return v.Err()
}

func join(prefix, leaf string) string {
	if prefix == "" {
		return leaf
	}
	return prefix + "." + leaf
}

func validateAddon(v *billkit.FieldErrors, f string, a *Addon, pt *ProductType, enums map[string]*Enumeration) {
	checkCode(v, join(f, "code"), a.Code)
	a.Name = checkLocalized(v, join(f, "name"), a.Name, 200, true)
	if !v.Check(a.BillingType.Valid(), join(f, "billing_type"), "catalog.billing_type_unknown",
		"must be none, fixed, enum, quantity or metered") {
		return
	}
	a.Unit = strings.TrimSpace(a.Unit)
	a.Prices = checkPrices(v, join(f, "prices"), a.Prices, pt)
	switch a.BillingType {
	case BillingNone:
		v.Check(len(a.Prices) == 0, join(f, "prices"), ReasonPricesNotAllowed, "an addon that is not billed has no prices")
		v.Check(len(a.Options) == 0, join(f, "options"), "catalog.options_not_allowed", "only enum addons have options")
	case BillingFixed:
		v.Check(!a.Default.IsNegative(), join(f, "default"), ReasonNegative, "must be zero or more")
		v.Check(len(a.Options) == 0, join(f, "options"), "catalog.options_not_allowed", "only enum addons have options")
	case BillingEnum:
		v.Check(len(a.Prices) == 0, join(f, "prices"), ReasonPricesNotAllowed, "an enum addon's prices are its options'")
		v.Require(join(f, "enumeration"), a.Enumeration)
		if !v.Check(len(a.Options) > 0, join(f, "options"), ReasonEnumNoValues, "an enum addon offers at least one value") {
			return
		}
		var e *Enumeration
		if enums != nil && a.Enumeration != "" {
			e = enums[a.Enumeration]
			v.Check(e != nil, join(f, "enumeration"), ReasonReferenceUnknown, fmt.Sprintf("%q is not an enumeration", a.Enumeration))
		}
		seen := map[string]bool{}
		for i := range a.Options {
			o := &a.Options[i]
			of := join(f, fmt.Sprintf("options[%d]", i))
			if !v.Require(of+".value", o.Value) {
				continue
			}
			v.Check(!seen[o.Value], of+".value", ReasonCodeDuplicate, "is offered twice")
			seen[o.Value] = true
			if e != nil {
				_, ok := e.Value(o.Value)
				v.Check(ok, of+".value", ReasonValueUnknown, fmt.Sprintf("%q is not a value of enumeration %s", o.Value, e.Code))
			}
			o.Prices = checkPrices(v, of+".prices", o.Prices, pt)
		}
		if a.DefaultOption != "" {
			_, ok := a.Option(a.DefaultOption)
			v.Check(ok, join(f, "default_option"), ReasonValueUnknown, "is not one of the options")
		}
	case BillingQuantity:
		v.Check(len(a.Options) == 0, join(f, "options"), "catalog.options_not_allowed", "only enum addons have options")
		v.Check(!a.Min.IsNegative(), join(f, "min"), ReasonNegative, "must be zero or more")
		if !v.Check(a.Min.LessThanOrEqual(a.Max), join(f, "min"), ReasonMinAboveMax,
			fmt.Sprintf("%s is above max %s", a.Min, a.Max)) {
			return
		}
		if !v.Check(a.Step.IsPositive(), join(f, "step"), ReasonStepNotPositive, "must be above zero") {
			return
		}
		v.Check(a.Max.Sub(a.Min).Mod(a.Step).IsZero(), join(f, "step"), ReasonStepNotDividing,
			fmt.Sprintf("%s does not divide the range %s to %s", a.Step, a.Min, a.Max))
		v.Check(a.Included.GreaterThanOrEqual(a.Min) && a.Included.LessThanOrEqual(a.Max) || a.Included.IsZero(),
			join(f, "included"), ReasonIncludedOutOfRange, fmt.Sprintf("must be between %s and %s", a.Min, a.Max))
		if !a.Default.IsZero() || a.Min.IsPositive() {
			v.Check(inRange(a, a.Default) && onStep(a, a.Default) || a.Default.IsZero(),
				join(f, "default"), ReasonDefaultOutOfRange, fmt.Sprintf("must be between %s and %s on a step of %s", a.Min, a.Max, a.Step))
		}
	case BillingMetered:
		v.Check(len(a.Options) == 0, join(f, "options"), "catalog.options_not_allowed", "only enum addons have options")
		v.Require(join(f, "unit"), a.Unit)
		v.Check(!a.Included.IsNegative(), join(f, "included"), ReasonIncludedOutOfRange, "must be zero or more")
	}
	if a.BillingType == BillingQuantity {
		v.Require(join(f, "unit"), a.Unit)
	}
}

func inRange(a *Addon, q decimal.Decimal) bool {
	return q.GreaterThanOrEqual(a.Min) && q.LessThanOrEqual(a.Max)
}

func onStep(a *Addon, q decimal.Decimal) bool {
	return a.Step.IsPositive() && q.Sub(a.Min).Mod(a.Step).IsZero()
}

// DefaultValue is the value the addon gets when an order says nothing: the
// default option (or the first) of an enum addon, Default of a fixed addon,
// Default (or Min when Default is zero) of a quantity addon, and nothing for
// the others.
func (a *Addon) DefaultValue() AddonValue {
	switch a.BillingType {
	case BillingEnum:
		if a.DefaultOption != "" {
			return AddonValue{Option: a.DefaultOption}
		}
		if len(a.Options) > 0 {
			return AddonValue{Option: a.Options[0].Value}
		}
	case BillingFixed:
		return AddonValue{Quantity: a.Default}
	case BillingQuantity:
		if a.Default.IsZero() {
			return AddonValue{Quantity: a.Min}
		}
		return AddonValue{Quantity: a.Default}
	}
	return AddonValue{}
}

// ValidateAddonValues checks the values an order gives a tariff's addons,
// keyed by addon code: every key is an addon of the tariff that a client
// chooses (fixed, enum or quantity; not none or metered), an enum value is
// one of the addon's options, a quantity is between Min and Max on a step
// (a fixed addon's at least zero). Addons the map leaves out take their
// DefaultValue. Errors name the field "addons[<code>].option" or
// "addons[<code>].quantity".
func ValidateAddonValues(t Tariff, values map[string]AddonValue) error {
	var v billkit.FieldErrors
	codes := make([]string, 0, len(values))
	for c := range values {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		val := values[c]
		f := fmt.Sprintf("addons[%s]", c)
		a, ok := t.Addon(c)
		if !ok {
			v.Add(f, ReasonAddonUnknown, fmt.Sprintf("tariff %s has no addon %q", t.Code, c))
			continue
		}
		switch a.BillingType {
		case BillingNone, BillingMetered:
			v.Add(f, ReasonAddonNotChoosable, fmt.Sprintf("a %s addon takes no value", a.BillingType))
		case BillingEnum:
			if _, ok := a.Option(val.Option); !ok {
				v.Add(f+".option", ReasonValueUnknown, fmt.Sprintf("%q is not a value of addon %s", val.Option, c))
			}
			v.Check(val.Quantity.IsZero(), f+".quantity", "catalog.quantity_not_allowed", "an enum addon takes an option, not a quantity")
		case BillingFixed:
			v.Check(!val.Quantity.IsNegative(), f+".quantity", ReasonBelowMin, "must be zero or more")
			v.Check(val.Option == "", f+".option", "catalog.option_not_allowed", "only enum addons take an option")
		case BillingQuantity:
			q := val.Quantity
			switch {
			case q.LessThan(a.Min):
				v.Add(f+".quantity", ReasonBelowMin, fmt.Sprintf("must be at least %s", a.Min))
			case q.GreaterThan(a.Max):
				v.Add(f+".quantity", ReasonAboveMax, fmt.Sprintf("must be at most %s", a.Max))
			case !onStep(a, q):
				v.Add(f+".quantity", ReasonOffStep, fmt.Sprintf("must be %s plus a multiple of %s", a.Min, a.Step))
			}
			v.Check(val.Option == "", f+".option", "catalog.option_not_allowed", "only enum addons take an option")
		}
	}
	return v.Err()
}

// AddonValues returns the full set of values of the tariff's choosable
// addons (fixed, enum, quantity): values, checked by ValidateAddonValues,
// with DefaultValue for the addons values leaves out.
func AddonValues(t Tariff, values map[string]AddonValue) (map[string]AddonValue, error) {
	if err := ValidateAddonValues(t, values); err != nil {
		return nil, err
	}
	out := make(map[string]AddonValue, len(t.Addons))
	for i := range t.Addons {
		a := &t.Addons[i]
		switch a.BillingType {
		case BillingFixed, BillingEnum, BillingQuantity:
		default:
			continue
		}
		if val, ok := values[a.Code]; ok {
			out[a.Code] = val
		} else {
			out[a.Code] = a.DefaultValue()
		}
	}
	return out, nil
}

// ChangeAddons checks a change of a service's addon values after its order:
// next must be valid for the tariff (ValidateAddonValues), and only addons
// marked Changeable may differ from current. It returns the full set of
// values after the change (current, overridden by next). Errors name
// "addons[<code>]" with reason catalog.addon_not_changeable for a fixed
// value that would change.
func ChangeAddons(t Tariff, current, next map[string]AddonValue) (map[string]AddonValue, error) {
	if err := ValidateAddonValues(t, next); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	out := make(map[string]AddonValue, len(current)+len(next))
	for c, val := range current {
		out[c] = val
	}
	codes := make([]string, 0, len(next))
	for c := range next {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		a, _ := t.Addon(c)
		old, had := current[c]
		if !had {
			old = a.DefaultValue()
		}
		val := next[c]
		same := old.Option == val.Option && old.Quantity.Equal(val.Quantity)
		v.Check(same || a.Changeable, fmt.Sprintf("addons[%s]", c), ReasonAddonNotChangeable,
			fmt.Sprintf("addon %s cannot be changed after the order", c))
		out[c] = val
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// AllowsChange reports whether the group's rules allow a service to move
// from a tariff of the group to the tariff to (in group toGroup, zero for
// none).
func (g *TariffGroup) AllowsChange(toGroup TariffGroupID) bool {
	if toGroup.IsZero() {
		return false
	}
	if toGroup == g.ID {
		return g.ChangeWithinGroup
	}
	for _, id := range g.ChangeToGroups {
		if id == toGroup {
			return true
		}
	}
	return false
}

// CheckChange checks that a service may move from tariff from to tariff to:
// both of one provider and product type, to not archived, and fromGroup
// (the group of from, nil when it has none) allowing changes to to's group.
// A tariff in no group cannot change. The error is invalid on field
// "tariff_id" with reason catalog.change_not_allowed.
func CheckChange(from, to Tariff, fromGroup *TariffGroup) error {
	deny := func(why string) error {
		return billkit.InvalidField("tariff_id", ReasonChangeNotAllowed,
			fmt.Sprintf("cannot change from tariff %s to %s: %s", from.Code, to.Code, why))
	}
	switch {
	case from.ID == to.ID:
		return deny("it is the same tariff")
	case from.ProviderID != to.ProviderID:
		return deny("they belong to different providers")
	case from.ProductTypeID != to.ProductTypeID:
		return deny("they are of different product types")
	case to.Status == TariffArchived:
		return deny(to.Code + " is archived")
	case from.GroupID.IsZero() || fromGroup == nil:
		return deny(from.Code + " is in no tariff group")
	case fromGroup.ID != from.GroupID:
		return billkit.InvalidField("group", "catalog.group_mismatch", "is not the group of tariff "+from.Code)
	case !fromGroup.AllowsChange(to.GroupID):
		return deny("the tariff group " + fromGroup.Code + " does not allow it")
	}
	return nil
}

// maxTariffDatacenters bounds the datacenters one tariff offers.
const maxTariffDatacenters = 100

// ReasonDatacentersTooMany is the reason for a tariff that lists more than
// maxTariffDatacenters datacenters.
const ReasonDatacentersTooMany = "catalog.datacenters_too_many"

// checkDatacenterCodes checks the datacenter codes a tariff offers: codes
// (as ValidCode), each once, at most maxTariffDatacenters. It returns them
// trimmed, never nil.
func checkDatacenterCodes(v *billkit.FieldErrors, codes []string) []string {
	v.Check(len(codes) <= maxTariffDatacenters, "datacenters", ReasonDatacentersTooMany,
		fmt.Sprintf("must list at most %d datacenters", maxTariffDatacenters))
	out := make([]string, 0, len(codes))
	seen := map[string]bool{}
	for i, c := range codes {
		c = strings.TrimSpace(c)
		field := fmt.Sprintf("datacenters[%d]", i)
		if !v.Check(ValidCode(c), field, ReasonCodeMalformed, "must be a datacenter's code") {
			continue
		}
		if v.Check(!seen[c], field, ReasonCodeDuplicate, "is listed twice") {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
