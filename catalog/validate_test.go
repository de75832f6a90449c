package catalog_test

import (
	"fmt"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

func vpsTariff() catalog.Tariff {
	return catalog.Tariff{
		ID: billkit.NewID[catalog.Tariff](), Code: "vps-1", Currency: "USD",
		Addons: []catalog.Addon{
			{Code: "cpu", BillingType: catalog.BillingNone},
			{Code: "ip", BillingType: catalog.BillingFixed, Default: dec("1")},
			{Code: "panel", BillingType: catalog.BillingEnum, Changeable: true, Options: []catalog.AddonOption{{Value: "none"}, {Value: "isp"}}},
			{Code: "ram", BillingType: catalog.BillingQuantity, Changeable: true, Min: dec("2"), Max: dec("16"), Step: dec("2"), Included: dec("2")},
			{Code: "traffic", BillingType: catalog.BillingMetered, Included: dec("100")},
		},
	}
}

func TestValidateAddonValues(t *testing.T) {
	tr := vpsTariff()
	ok := map[string]catalog.AddonValue{"ram": {Quantity: dec("8")}, "panel": {Option: "isp"}, "ip": {Quantity: dec("3")}}
	if err := catalog.ValidateAddonValues(tr, ok); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		values        map[string]catalog.AddonValue
		field, reason string
	}{
		{map[string]catalog.AddonValue{"ram": {Quantity: dec("1")}}, "addons[ram].quantity", catalog.ReasonBelowMin},
		{map[string]catalog.AddonValue{"ram": {Quantity: dec("18")}}, "addons[ram].quantity", catalog.ReasonAboveMax},
		{map[string]catalog.AddonValue{"ram": {Quantity: dec("5")}}, "addons[ram].quantity", catalog.ReasonOffStep},
		{map[string]catalog.AddonValue{"panel": {Option: "cpanel"}}, "addons[panel].option", catalog.ReasonValueUnknown},
		{map[string]catalog.AddonValue{"disk": {Quantity: dec("1")}}, "addons[disk]", catalog.ReasonAddonUnknown},
		{map[string]catalog.AddonValue{"traffic": {Quantity: dec("1")}}, "addons[traffic]", catalog.ReasonAddonNotChoosable},
		{map[string]catalog.AddonValue{"cpu": {}}, "addons[cpu]", catalog.ReasonAddonNotChoosable},
	}
	for _, tc := range cases {
		wantField(t, catalog.ValidateAddonValues(tr, tc.values), tc.field, tc.reason)
	}
	all, err := catalog.AddonValues(tr, map[string]catalog.AddonValue{"panel": {Option: "isp"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 || !all["ram"].Quantity.Equal(dec("2")) || all["panel"].Option != "isp" || !all["ip"].Quantity.Equal(dec("1")) {
		t.Fatalf("values = %v", all)
	}
}

func TestChangeAddons(t *testing.T) {
	tr := vpsTariff()
	cur := map[string]catalog.AddonValue{"ram": {Quantity: dec("4")}, "panel": {Option: "none"}, "ip": {Quantity: dec("1")}}
	next, err := catalog.ChangeAddons(tr, cur, map[string]catalog.AddonValue{"ram": {Quantity: dec("8")}, "ip": {Quantity: dec("1")}})
	if err != nil {
		t.Fatal(err)
	}
	if !next["ram"].Quantity.Equal(dec("8")) || next["panel"].Option != "none" {
		t.Fatalf("next = %v", next)
	}
	_, err = catalog.ChangeAddons(tr, cur, map[string]catalog.AddonValue{"ip": {Quantity: dec("2")}})
	wantField(t, err, "addons[ip]", catalog.ReasonAddonNotChangeable)
	_, err = catalog.ChangeAddons(tr, cur, map[string]catalog.AddonValue{"ram": {Quantity: dec("32")}})
	wantField(t, err, "addons[ram].quantity", catalog.ReasonAboveMax)
}

func TestValidateTariff(t *testing.T) {
	pt := &catalog.ProductType{Code: "hosting"}
	base := func() catalog.Tariff {
		return catalog.Tariff{Code: "web", Name: text("Web"), Currency: "usd",
			Prices: []catalog.Price{price(catalog.PeriodMonth, "USD", "1.00", "")}}
	}
	tr := base()
	if err := catalog.ValidateTariff(&tr, pt, nil); err != nil {
		t.Fatal(err)
	}
	if tr.Currency != "USD" || tr.Status != catalog.TariffActive {
		t.Fatalf("normalized = %+v", tr)
	}
	cases := []struct {
		edit          func(*catalog.Tariff)
		field, reason string
	}{
		{func(t *catalog.Tariff) { t.Prices[0].SetupFee = dec("-0.01") }, "prices.month.USD.setup_fee", catalog.ReasonPriceNegative},
		{func(t *catalog.Tariff) { t.Prices = append(t.Prices, t.Prices[0]) }, "prices.month.USD.period", catalog.ReasonPriceDuplicate},
		{func(t *catalog.Tariff) { t.Prices[0].Period = "week" }, "prices[0].period", catalog.ReasonPeriodUnknown},
		{func(t *catalog.Tariff) { t.Prices = nil }, "prices", catalog.ReasonNoPrice},
		{func(t *catalog.Tariff) { t.Stock = ptr(-1) }, "stock", catalog.ReasonNegative},
		{func(t *catalog.Tariff) { t.ClientGroupIDs = []string{"vip"} }, "client_group_ids[0]", "id.malformed"},
		{func(t *catalog.Tariff) { t.Datacenters = []string{"fra1", "Frankfurt 1"} }, "datacenters[1]", catalog.ReasonCodeMalformed},
		{func(t *catalog.Tariff) { t.Datacenters = []string{"fra1", "ams1", "fra1"} }, "datacenters[2]", catalog.ReasonCodeDuplicate},
		{func(t *catalog.Tariff) {
			for i := range 101 {
				t.Datacenters = append(t.Datacenters, fmt.Sprintf("dc%d", i))
			}
		}, "datacenters", catalog.ReasonDatacentersTooMany},
		{func(t *catalog.Tariff) {
			t.Addons = []catalog.Addon{{Code: "a", Name: text("A"), BillingType: catalog.BillingNone, Prices: t.Prices}}
		}, "addons[0].prices", catalog.ReasonPricesNotAllowed},
		{func(t *catalog.Tariff) {
			t.Addons = []catalog.Addon{{Code: "a", Name: text("A"), BillingType: "free"}}
		}, "addons[0].billing_type", "catalog.billing_type_unknown"},
		{func(t *catalog.Tariff) {
			t.Addons = []catalog.Addon{{Code: "a", Name: text("A"), BillingType: catalog.BillingQuantity, Unit: "GB", Min: dec("1"), Max: dec("4"), Step: dec("0")}}
		}, "addons[0].step", catalog.ReasonStepNotPositive},
		{func(t *catalog.Tariff) {
			t.Addons = []catalog.Addon{{Code: "a", Name: text("A"), BillingType: catalog.BillingMetered}}
		}, "addons[0].unit", "required"},
	}
	for _, tc := range cases {
		tr := base()
		tc.edit(&tr)
		wantField(t, catalog.ValidateTariff(&tr, pt, nil), tc.field, tc.reason)
	}
}

func TestCheckChange(t *testing.T) {
	small := &catalog.TariffGroup{ID: billkit.NewID[catalog.TariffGroup](), Code: "small", ChangeWithinGroup: true}
	big := &catalog.TariffGroup{ID: billkit.NewID[catalog.TariffGroup](), Code: "big"}
	small.ChangeToGroups = []catalog.TariffGroupID{big.ID}
	pt := billkit.NewID[catalog.ProductType]()
	mk := func(code string, g *catalog.TariffGroup) catalog.Tariff {
		t := catalog.Tariff{ID: billkit.NewID[catalog.Tariff](), Code: code, ProductTypeID: pt, Status: catalog.TariffActive}
		if g != nil {
			t.GroupID = g.ID
		}
		return t
	}
	s1, s2, b1, b2, none := mk("s1", small), mk("s2", small), mk("b1", big), mk("b2", big), mk("n", nil)
	for _, ok := range [][2]catalog.Tariff{{s1, s2}, {s1, b1}} {
		if err := catalog.CheckChange(ok[0], ok[1], small); err != nil {
			t.Fatalf("%s → %s: %v", ok[0].Code, ok[1].Code, err)
		}
	}
	deny := []struct {
		from, to catalog.Tariff
		group    *catalog.TariffGroup
	}{
		{b1, s1, big}, {b1, b2, big}, {s1, s1, small}, {none, s1, nil}, {s1, none, small},
	}
	for _, d := range deny {
		wantField(t, catalog.CheckChange(d.from, d.to, d.group), "tariff_id", catalog.ReasonChangeNotAllowed)
	}
	archived := b1
	archived.Status = catalog.TariffArchived
	wantField(t, catalog.CheckChange(s1, archived, small), "tariff_id", catalog.ReasonChangeNotAllowed)
	other := b1
	other.ProductTypeID = billkit.NewID[catalog.ProductType]()
	wantField(t, catalog.CheckChange(s1, other, small), "tariff_id", catalog.ReasonChangeNotAllowed)
}

func TestVersionInForce(t *testing.T) {
	tr := vpsTariff()
	tr.Prices = []catalog.Price{price(catalog.PeriodMonth, "USD", "5", "")}
	tr.Addons[3].Prices = []catalog.Price{price(catalog.PeriodMonth, "USD", "1", "")}
	tr.Addons[2].Options[1].Prices = []catalog.Price{price(catalog.PeriodMonth, "USD", "2", "")}
	vs := []catalog.PriceVersion{
		{EffectiveDate: billkit.MustDate(2026, 3, 1), Prices: []catalog.Price{price(catalog.PeriodMonth, "USD", "6", "")}},
		{EffectiveDate: billkit.MustDate(2026, 1, 1), AddonPrices: []catalog.AddonPrices{
			{Addon: "ram", Prices: []catalog.Price{price(catalog.PeriodMonth, "USD", "1.25", "")}}}},
		{EffectiveDate: billkit.MustDate(2026, 2, 28), AddonPrices: []catalog.AddonPrices{
			{Addon: "panel", Option: "isp", Prices: []catalog.Price{price(catalog.PeriodMonth, "USD", "3", "")}}}},
	}
	if v := catalog.VersionInForce(vs, billkit.MustDate(2025, 12, 31)); v != nil {
		t.Fatalf("version before all = %+v", v)
	}
	if v := catalog.VersionInForce(vs, billkit.MustDate(2026, 2, 28)); v == nil || v.EffectiveDate != billkit.MustDate(2026, 2, 28) {
		t.Fatalf("version on Feb 28 = %+v", v)
	}
	at := tr.PriceAt(vs, billkit.MustDate(2026, 2, 28))
	if p, _ := at.Price(catalog.PeriodMonth, "USD"); !p.Amount.Equal(dec("5")) {
		t.Fatalf("month = %v", p.Amount)
	}
	if a, _ := at.Addon("panel"); !a.Options[1].Prices[0].Amount.Equal(dec("3")) {
		t.Fatalf("panel isp = %v", a.Options[1].Prices)
	}
	if !tr.Addons[2].Options[1].Prices[0].Amount.Equal(dec("2")) {
		t.Fatal("WithVersion changed the tariff it was given")
	}
	at = tr.PriceAt(vs, billkit.MustDate(2026, 3, 1))
	if p, _ := at.Price(catalog.PeriodMonth, "USD"); !p.Amount.Equal(dec("6")) {
		t.Fatalf("month in March = %v", p.Amount)
	}
}

func TestValidCode(t *testing.T) {
	for _, c := range []string{"vps", "vps-1", "ssl.dv", "a_b", "1gb"} {
		if !catalog.ValidCode(c) {
			t.Errorf("%q is not valid", c)
		}
	}
	for _, c := range []string{"", "VPS", "-x", "a b", "é", string(make([]byte, 65))} {
		if catalog.ValidCode(c) {
			t.Errorf("%q is valid", c)
		}
	}
}
