package catalog_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
)

var (
	ctx    = context.Background()
	system = billkit.SystemActor("test")
	start  = time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func ptr[T any](v T) *T            { return &v }

// perms grants the rights listed on every client.
type perms []billkit.Right

func (p perms) Allows(r billkit.Right, _ billkit.ClientID) bool { return slices.Contains(p, r) }
func (p perms) Clients() ([]billkit.ClientID, bool)             { return nil, true }

func staff(rights ...billkit.Right) billkit.Actor {
	return billkit.Actor{Kind: billkit.ActorStaff, ID: "alice", Name: "alice@example.com", Permissions: perms(rights)}
}

type env struct {
	svc   *catalog.Service
	st    *bunstore.Store
	dir   *directory.Service
	clock *billkit.FakeClock
	prov  billkit.ProviderID
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := storetest.NewMemory(t)
	clock := billkit.NewFakeClock(start)
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, system); err != nil {
		t.Fatal(err)
	}
	bill := billing.NewService(st.Billing(), dir, billing.Config{Clock: clock})
	p, err := bill.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "HostCo", Currency: "USD", Locale: "en", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	return &env{svc: catalog.NewService(st.Catalog(), dir, catalog.Config{Clock: clock}), st: st, dir: dir, clock: clock, prov: p.ID}
}

func (e *env) count(t *testing.T, table string) int {
	t.Helper()
	n, err := e.st.DB().NewSelect().TableExpr(table).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func (e *env) actions(t *testing.T, name string) int {
	t.Helper()
	n, err := e.st.DB().NewSelect().TableExpr("billkit_actions").Where("name = ?", name).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func wantField(t *testing.T, err error, field, reason string) {
	t.Helper()
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid {
		t.Fatalf("err = %v, want invalid on %s", err, field)
	}
	f, ok := e.Field(field)
	if !ok {
		t.Fatalf("err = %v, want field %q", err, field)
	}
	if reason != "" && f.Reason != reason {
		t.Fatalf("field %s reason = %q, want %q (%v)", field, f.Reason, reason, err)
	}
}

func wantCode(t *testing.T, err error, code billkit.Code) {
	t.Helper()
	if !billkit.IsCode(err, code) {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

func text(en string) directory.Text { return directory.Text{"en": en} }

func price(p catalog.Period, cur, amount, setup string) catalog.Price {
	pr := catalog.Price{Period: p, Currency: cur, Amount: dec(amount)}
	if setup != "" {
		pr.SetupFee = dec(setup)
	}
	return pr
}

// sample is a small catalog: a VPS type, a panel enumeration, two groups,
// a VPS tariff with every kind of addon, an OS image, an agreement and a
// price version.
func sample(prov billkit.ProviderID) catalog.Catalog {
	return catalog.Catalog{
		ProviderID: prov,
		ProductTypes: []catalog.ProductTypeDoc{
			{Code: "vps", Kind: catalog.KindVPS, Name: text("VPS"), Module: "kvm", AllowHourly: true,
				Lifecycle: catalog.Lifecycle{GraceDays: 3, DeleteAfterDays: 14, ClientDelete: catalog.ClientDeleteAtPeriodEnd}},
			{Code: "hosting", Kind: catalog.KindHosting, Name: text("Hosting")},
		},
		Enumerations: []catalog.EnumerationDoc{
			{Code: "panel", Name: text("Control panel"), Values: []catalog.EnumValue{
				{Code: "none", Name: text("None")}, {Code: "ispmanager", Name: text("ISPmanager")}}},
		},
		Groups: []catalog.TariffGroupDoc{
			{Code: "vps-small", Name: text("Small VPS"), ChangeWithinGroup: true, ChangeToGroups: []string{"vps-big"}},
			{Code: "vps-big", Name: text("Big VPS"), DisplayOrder: 1},
		},
		Tariffs: []catalog.TariffDoc{
			{Code: "vps-1", Name: text("VPS 1"), ProductType: "vps", Group: "vps-small", Currency: "USD",
				Prices: []catalog.Price{
					price(catalog.PeriodHour, "USD", "0.01", ""),
					price(catalog.PeriodMonth, "USD", "5.00", "1.00"),
					price(catalog.PeriodYear, "USD", "50.00", ""),
					price(catalog.PeriodMonth, "EUR", "4.50", ""),
				},
				Addons: []catalog.Addon{
					{Code: "cpu", Name: text("CPU"), BillingType: catalog.BillingNone},
					{Code: "ip", Name: text("IP"), BillingType: catalog.BillingFixed, Default: dec("1"),
						Prices: []catalog.Price{price(catalog.PeriodMonth, "USD", "2.00", "")}},
					{Code: "panel", Name: text("Panel"), BillingType: catalog.BillingEnum, Enumeration: "panel", Changeable: true,
						Options: []catalog.AddonOption{
							{Value: "none"},
							{Value: "ispmanager", Prices: []catalog.Price{price(catalog.PeriodMonth, "USD", "3.00", "")}},
						}},
					{Code: "ram", Name: text("RAM"), BillingType: catalog.BillingQuantity, Unit: "GB", Changeable: true,
						Min: dec("1"), Max: dec("16"), Step: dec("1"), Included: dec("1"),
						Prices: []catalog.Price{price(catalog.PeriodMonth, "USD", "1.50", "")}},
					{Code: "traffic", Name: text("Traffic"), BillingType: catalog.BillingMetered, Unit: "GB", Included: dec("1000"),
						Prices: []catalog.Price{price(catalog.PeriodMonth, "USD", "0.01", "")}},
				}},
			{Code: "vps-2", Name: text("VPS 2"), ProductType: "vps", Group: "vps-big", Currency: "USD",
				Prices: []catalog.Price{price(catalog.PeriodMonth, "USD", "10.00", "")}},
			{Code: "web-1", Name: text("Web 1"), ProductType: "hosting", Currency: "USD", Status: catalog.TariffHidden,
				Prices: []catalog.Price{price(catalog.PeriodMonth, "USD", "2.00", "")}},
		},
		OSImages: []catalog.OSImageDoc{
			{Code: "debian-12", Name: "Debian 12", Family: "linux", Version: "12", ProductTypes: []string{"vps"}},
		},
		Agreements: []catalog.AgreementDoc{
			{Code: "tos", Title: text("Terms"), Text: text("Be nice."), Tariffs: []string{"vps-1"}},
		},
		PriceVersions: []catalog.PriceVersionDoc{
			{Tariff: "vps-1", EffectiveDate: billkit.MustDate(2026, 4, 1), Policy: catalog.PolicyNextRenewal,
				Prices: []catalog.Price{price(catalog.PeriodHour, "USD", "0.02", ""), price(catalog.PeriodMonth, "USD", "6.00", "1.00"), price(catalog.PeriodYear, "USD", "60.00", "")}},
		},
	}
}

func TestApplyCatalogIdempotent(t *testing.T) {
	e := newEnv(t)
	res, err := e.svc.ApplyCatalog(ctx, system, sample(e.prov))
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 11 || res.Updated != 0 || res.Unchanged != 0 {
		t.Fatalf("first apply = %+v", res)
	}
	actions := e.count(t, "billkit_actions")
	res, err = e.svc.ApplyCatalog(ctx, system, sample(e.prov))
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 0 || res.Updated != 0 || res.Unchanged != 11 {
		t.Fatalf("second apply = %+v", res)
	}
	if n := e.count(t, "billkit_actions"); n != actions {
		t.Fatalf("second apply recorded %d actions", n-actions)
	}
	// The export applies back unchanged, and equals the document.
	doc, err := e.svc.ExportCatalog(ctx, system, e.prov)
	if err != nil {
		t.Fatal(err)
	}
	if res, err = e.svc.ApplyCatalog(ctx, system, doc); err != nil || res.Unchanged != 11 {
		t.Fatalf("apply of export = %+v, %v", res, err)
	}
	// A change updates only what changed.
	c := sample(e.prov)
	c.Tariffs[1].Prices[0].Amount = dec("11.00")
	c.Agreements[0].Text = text("Be very nice.")
	res, err = e.svc.ApplyCatalog(ctx, system, c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 2 || !slices.Contains(res.Changes, "tariff vps-2: updated") {
		t.Fatalf("third apply = %+v", res)
	}
	a, err := e.st.Catalog().GetAgreementByCode(ctx, e.prov, "tos")
	if err != nil || a.Version != 2 {
		t.Fatalf("agreement = %+v, %v; want version 2", a, err)
	}
	// References resolve to the stored entities.
	small, _ := e.st.Catalog().GetTariffGroupByCode(ctx, e.prov, "vps-small")
	big, _ := e.st.Catalog().GetTariffGroupByCode(ctx, e.prov, "vps-big")
	if len(small.ChangeToGroups) != 1 || small.ChangeToGroups[0] != big.ID {
		t.Fatalf("change_to_groups = %v, want [%v]", small.ChangeToGroups, big.ID)
	}
}

func TestApplyCatalogBadRowWritesNothing(t *testing.T) {
	e := newEnv(t)
	c := sample(e.prov)
	c.Tariffs[1].Prices[0].Amount = dec("-1")
	_, err := e.svc.ApplyCatalog(ctx, system, c)
	wantField(t, err, "tariffs[1].prices.month.USD.amount", catalog.ReasonPriceNegative)
	if n := e.actions(t, "catalog.tariff.create"); n != 0 {
		t.Fatalf("%d actions recorded for a bad import", n)
	}
	for _, tbl := range []string{"billkit_catalog_product_types", "billkit_catalog_tariffs", "billkit_catalog_enumerations", "billkit_catalog_price_versions"} {
		if n := e.count(t, tbl); n != 0 {
			t.Fatalf("%s has %d rows after a bad import", tbl, n)
		}
	}
	cases := []struct {
		name          string
		edit          func(c *catalog.Catalog)
		field, reason string
	}{
		{"hourly not allowed", func(c *catalog.Catalog) { c.ProductTypes[0].AllowHourly = false }, "tariffs[0].prices.hour.USD.period", catalog.ReasonPeriodNotAllowed},
		{"min above max", func(c *catalog.Catalog) { c.Tariffs[0].Addons[3].Min = dec("32") }, "tariffs[0].addons[3].min", catalog.ReasonMinAboveMax},
		{"step", func(c *catalog.Catalog) { c.Tariffs[0].Addons[3].Step = dec("2") }, "tariffs[0].addons[3].step", catalog.ReasonStepNotDividing},
		{"included", func(c *catalog.Catalog) { c.Tariffs[0].Addons[3].Included = dec("17") }, "tariffs[0].addons[3].included", catalog.ReasonIncludedOutOfRange},
		{"enum without values", func(c *catalog.Catalog) { c.Tariffs[0].Addons[2].Options = nil }, "tariffs[0].addons[2].options", catalog.ReasonEnumNoValues},
		{"value outside enumeration", func(c *catalog.Catalog) { c.Tariffs[0].Addons[2].Options[1].Value = "cpanel" }, "tariffs[0].addons[2].options[1].value", catalog.ReasonValueUnknown},
		{"currency not enabled", func(c *catalog.Catalog) { c.Tariffs[0].Prices[3].Currency = "JPY" }, "tariffs[0].prices.month.JPY.currency", "currency.disabled"},
		{"tariff currency not enabled", func(c *catalog.Catalog) { c.Tariffs[2].Currency = "GBP" }, "tariffs[2].currency", "currency.disabled"},
		{"unknown unit", func(c *catalog.Catalog) { c.Tariffs[0].Addons[3].Unit = "parsec" }, "tariffs[0].addons[3].unit", "unit.unknown"},
		{"unknown type", func(c *catalog.Catalog) { c.Tariffs[0].ProductType = "nope" }, "tariffs[0].product_type", catalog.ReasonReferenceUnknown},
		{"duplicate code", func(c *catalog.Catalog) { c.Tariffs[1].Code = "vps-1" }, "tariffs[1].code", catalog.ReasonCodeDuplicate},
		{"bad code", func(c *catalog.Catalog) { c.ProductTypes[1].Code = "Web Hosting" }, "product_types[1].code", catalog.ReasonCodeMalformed},
		{"version policy", func(c *catalog.Catalog) { c.PriceVersions[0].Policy = "later" }, "price_versions[0].policy", "catalog.policy_unknown"},
		{"keep periods", func(c *catalog.Catalog) { c.PriceVersions[0].Policy = catalog.PolicyKeepForPeriods }, "price_versions[0].keep_periods", "catalog.keep_periods_missing"},
		{"unknown group", func(c *catalog.Catalog) { c.Groups[0].ChangeToGroups = []string{"gone"} }, "groups[0].change_to_groups[0]", catalog.ReasonReferenceUnknown},
		{"foreign price without base", func(c *catalog.Catalog) {
			c.Tariffs[1].Prices = append(c.Tariffs[1].Prices, price(catalog.PeriodYear, "EUR", "90", ""))
		}, "tariffs[1].prices.year.EUR.period", catalog.ReasonNoBasePrice},
		{"negative grace", func(c *catalog.Catalog) { c.ProductTypes[0].Lifecycle.GraceDays = -1 }, "product_types[0].lifecycle.grace_days", catalog.ReasonNegative},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := sample(e.prov)
			tc.edit(&c)
			_, err := e.svc.ApplyCatalog(ctx, system, c)
			wantField(t, err, tc.field, tc.reason)
			if n := e.count(t, "billkit_catalog_tariffs"); n != 0 {
				t.Fatalf("%d tariffs written", n)
			}
		})
	}
}

func TestRights(t *testing.T) {
	e := newEnv(t)
	nobody := billkit.Actor{Kind: billkit.ActorStaff, ID: "eve", Name: "eve"}
	_, err := e.svc.ApplyCatalog(ctx, nobody, sample(e.prov))
	wantCode(t, err, billkit.CodeForbidden)
	_, err = e.svc.ApplyCatalog(ctx, staff(billkit.R(catalog.Function, billkit.OpCreate)), sample(e.prov))
	wantCode(t, err, billkit.CodeForbidden)
	_, err = e.svc.CreateProductType(ctx, staff(billkit.R(catalog.Function, billkit.OpRead)), e.prov, sample(e.prov).ProductTypes[0])
	wantCode(t, err, billkit.CodeForbidden)
	_, err = e.svc.ListTariffs(ctx, nobody, catalog.TariffFilter{})
	wantCode(t, err, billkit.CodeForbidden)

	editor := staff(billkit.R(catalog.Function, billkit.OpCreate), billkit.R(catalog.Function, billkit.OpEdit), billkit.R(catalog.Function, billkit.OpRead))
	if _, err := e.svc.ApplyCatalog(ctx, editor, sample(e.prov)); err != nil {
		t.Fatal(err)
	}
	tr, err := e.svc.GetTariffByCode(ctx, editor, e.prov, "vps-2")
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.svc.DeleteTariff(ctx, editor, tr.ID), billkit.CodeForbidden)
	// Invalid actors are refused before anything else.
	_, err = e.svc.GetTariff(ctx, billkit.Actor{}, tr.ID)
	if err == nil {
		t.Fatal("zero actor read the catalog")
	}
}

func TestEntityCRUD(t *testing.T) {
	e := newEnv(t)
	pt, err := e.svc.CreateProductType(ctx, system, e.prov, catalog.ProductTypeDoc{Code: "ssl", Kind: catalog.KindSSL, Name: text("SSL")})
	if err != nil {
		t.Fatal(err)
	}
	if pt.Lifecycle.ClientDelete != catalog.ClientDeleteNever {
		t.Fatalf("client delete = %q, want never", pt.Lifecycle.ClientDelete)
	}
	_, err = e.svc.CreateProductType(ctx, system, e.prov, catalog.ProductTypeDoc{Code: "ssl", Name: text("SSL")})
	wantCode(t, err, billkit.CodeConflict)
	if e.actions(t, "catalog.product_type.create") != 1 {
		t.Fatal("no create action")
	}

	g, err := e.svc.CreateTariffGroup(ctx, system, e.prov, catalog.TariffGroupDoc{Code: "ssl", Name: text("Certificates"), ChangeWithinGroup: true})
	if err != nil {
		t.Fatal(err)
	}
	doc := catalog.TariffDoc{Code: "dv", Name: text("DV"), ProductType: "ssl", Group: "ssl", Currency: "USD",
		Prices: []catalog.Price{price(catalog.PeriodYear, "USD", "10", "")}}
	dv, err := e.svc.CreateTariff(ctx, system, e.prov, doc)
	if err != nil {
		t.Fatal(err)
	}
	doc.Code, doc.Name = "ov", text("OV")
	ov, err := e.svc.CreateTariff(ctx, system, e.prov, doc)
	if err != nil {
		t.Fatal(err)
	}
	doc.Prices = []catalog.Price{price(catalog.PeriodHour, "USD", "1", "")}
	_, err = e.svc.CreateTariff(ctx, system, e.prov, doc)
	wantField(t, err, "prices.hour.USD.period", catalog.ReasonPeriodNotAllowed)

	// Addons.
	tr, err := e.svc.SetAddon(ctx, system, dv.ID, catalog.Addon{Code: "domains", Name: text("Domains"), BillingType: catalog.BillingQuantity,
		Unit: "piece", Min: dec("1"), Max: dec("10"), Step: dec("1"), Included: dec("1"), Changeable: true,
		Prices: []catalog.Price{price(catalog.PeriodYear, "USD", "5", "")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Addons) != 1 {
		t.Fatalf("addons = %v", tr.Addons)
	}
	_, err = e.svc.SetAddon(ctx, system, dv.ID, catalog.Addon{Code: "x", Name: text("X"), BillingType: catalog.BillingQuantity,
		Unit: "piece", Min: dec("1"), Max: dec("10"), Step: dec("4")})
	wantField(t, err, "addons[1].step", catalog.ReasonStepNotDividing)
	if tr, err = e.svc.RemoveAddon(ctx, system, dv.ID, "domains"); err != nil || len(tr.Addons) != 0 {
		t.Fatalf("remove = %v, %v", tr, err)
	}
	_, err = e.svc.RemoveAddon(ctx, system, dv.ID, "domains")
	wantCode(t, err, billkit.CodeNotFound)

	// Update with no change records nothing.
	before := e.actions(t, "catalog.tariff.update")
	if _, err := e.svc.UpdateTariff(ctx, system, ov.ID, catalog.TariffDoc{Code: "ov", Name: text("OV"), ProductType: "ssl", Group: "ssl",
		Currency: "USD", Prices: []catalog.Price{price(catalog.PeriodYear, "USD", "10", "")}}); err != nil {
		t.Fatal(err)
	}
	if e.actions(t, "catalog.tariff.update") != before {
		t.Fatal("an update that changes nothing was recorded")
	}
	// Tariff changes.
	if err := e.svc.CheckTariffChange(ctx, system, dv.ID, ov.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetTariffStatus(ctx, system, ov.ID, catalog.TariffArchived); err != nil {
		t.Fatal(err)
	}
	wantField(t, e.svc.CheckTariffChange(ctx, system, dv.ID, ov.ID), "tariff_id", catalog.ReasonChangeNotAllowed)

	// Deleting what is in use is refused.
	wantCode(t, e.svc.DeleteProductType(ctx, system, pt.ID), billkit.CodeFailedPrecondition)
	wantCode(t, e.svc.DeleteTariffGroup(ctx, system, g.ID), billkit.CodeFailedPrecondition)
	pv, err := e.svc.CreatePriceVersion(ctx, system, e.prov, catalog.PriceVersionDoc{Tariff: "ov", EffectiveDate: billkit.MustDate(2026, 5, 1),
		Policy: catalog.PolicyKeepForPeriods, KeepPeriods: 2, Prices: []catalog.Price{price(catalog.PeriodYear, "USD", "12", "")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []catalog.TariffID{dv.ID, ov.ID} {
		if err := e.svc.DeleteTariff(ctx, system, id); err != nil {
			t.Fatal(err)
		}
	}
	_, err = e.svc.GetPriceVersion(ctx, system, pv.ID)
	wantCode(t, err, billkit.CodeNotFound)
	if err := e.svc.DeleteTariffGroup(ctx, system, g.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteProductType(ctx, system, pt.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.svc.DeleteProductType(ctx, system, pt.ID), billkit.CodeNotFound)
	if e.actions(t, "catalog.product_type.delete") != 1 || e.actions(t, "catalog.tariff.delete") != 2 {
		t.Fatal("deletes not recorded")
	}
}

func TestEnumerationsImagesAgreements(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.ApplyCatalog(ctx, system, sample(e.prov)); err != nil {
		t.Fatal(err)
	}
	en, err := e.st.Catalog().GetEnumerationByCode(ctx, e.prov, "panel")
	if err != nil {
		t.Fatal(err)
	}
	// A value an addon offers cannot go.
	_, err = e.svc.UpdateEnumeration(ctx, system, en.ID, catalog.EnumerationDoc{Code: "panel", Name: text("Panel"), Values: []catalog.EnumValue{{Code: "none", Name: text("None")}}})
	wantField(t, err, "values", catalog.ReasonValueUnknown)
	wantCode(t, e.svc.DeleteEnumeration(ctx, system, en.ID), billkit.CodeFailedPrecondition)
	_, err = e.svc.CreateEnumeration(ctx, system, e.prov, catalog.EnumerationDoc{Code: "empty", Name: text("Empty")})
	wantField(t, err, "values", catalog.ReasonEnumNoValues)

	img, err := e.svc.CreateOSImage(ctx, system, e.prov, catalog.OSImageDoc{Code: "win", Name: "Windows", Family: "Windows", Tariffs: []string{"vps-2"}})
	if err != nil || img.Family != "windows" {
		t.Fatalf("image = %+v, %v", img, err)
	}
	vps2, _ := e.st.Catalog().GetTariffByCode(ctx, e.prov, "vps-2")
	wantCode(t, e.svc.DeleteTariff(ctx, system, vps2.ID), billkit.CodeFailedPrecondition)
	if _, err := e.svc.UpdateOSImage(ctx, system, img.ID, catalog.OSImageDoc{Code: "win", Name: "Windows Server"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteOSImage(ctx, system, img.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.DeleteTariff(ctx, system, vps2.ID); err != nil {
		t.Fatal(err)
	}

	ag, err := e.svc.CreateAgreement(ctx, system, e.prov, catalog.AgreementDoc{Code: "aup", Title: text("AUP"), Text: text("No spam.")})
	if err != nil || ag.Version != 1 {
		t.Fatalf("agreement = %+v, %v", ag, err)
	}
	ag, err = e.svc.UpdateAgreement(ctx, system, ag.ID, catalog.AgreementDoc{Code: "aup", Title: text("AUP"), Text: text("No spam, ever."), Tariffs: []string{"vps-1"}})
	if err != nil || ag.Version != 2 {
		t.Fatalf("agreement = %+v, %v", ag, err)
	}
	_, err = e.svc.UpdateAgreement(ctx, system, ag.ID, catalog.AgreementDoc{Code: "aup", Title: text("AUP"), Text: text("x"), Tariffs: []string{"nope"}})
	wantField(t, err, "tariffs[0]", catalog.ReasonReferenceUnknown)
	if err := e.svc.DeleteAgreement(ctx, system, ag.ID); err != nil {
		t.Fatal(err)
	}
}

func TestPublicCatalog(t *testing.T) {
	e := newEnv(t)
	c := sample(e.prov)
	c.Tariffs[1].ClientGroupIDs = []string{billkit.NewID[struct{}]().String()}
	c.Tariffs[0].Datacenters = []string{"fra1", " ams1 "}
	if _, err := e.svc.ApplyCatalog(ctx, system, c); err != nil {
		t.Fatal(err)
	}
	sf, err := e.svc.PublicCatalog(ctx, e.prov, "ru")
	if err != nil {
		t.Fatal(err)
	}
	// vps-2 is for one client group only, web-1 is hidden.
	if len(sf.Tariffs) != 1 || sf.Tariffs[0].Code != "vps-1" {
		t.Fatalf("tariffs = %+v", sf.Tariffs)
	}
	tr := sf.Tariffs[0]
	if p, _ := catalog.FindPrice(tr.Prices, catalog.PeriodMonth, "USD"); !p.Amount.Equal(dec("5")) {
		t.Fatalf("month price before the version = %v", p.Amount)
	}
	if len(tr.Agreements) != 1 || len(tr.OSImages) != 1 || len(tr.Addons) != 5 || tr.Addons[2].Options[1].Name != "ISPmanager" {
		t.Fatalf("tariff = %+v", tr)
	}
	if !slices.Equal(tr.Datacenters, []string{"fra1", "ams1"}) {
		t.Fatalf("datacenters offered = %q", tr.Datacenters)
	}
	if len(sf.Groups) != 1 || sf.Groups[0].Code != "vps-small" {
		t.Fatalf("groups = %+v", sf.Groups)
	}
	e.clock.Advance(31 * 24 * time.Hour)
	sf, err = e.svc.PublicCatalog(ctx, e.prov, "")
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := catalog.FindPrice(sf.Tariffs[0].Prices, catalog.PeriodMonth, "USD"); !p.Amount.Equal(dec("6")) {
		t.Fatalf("month price after the version = %v", p.Amount)
	}
	_, err = e.svc.PublicCatalog(ctx, billkit.ProviderID{}, "")
	wantField(t, err, "provider_id", "required")
}

// A provider that does not exist is a bad provider_id, not a database error.
func TestUnknownProviderIsAFieldError(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.CreateProductType(context.Background(), system, billkit.NewProviderID(),
		catalog.ProductTypeDoc{Code: "ssl", Kind: catalog.KindSSL, Name: text("SSL")})
	wantField(t, err, "provider_id", "provider.not_found")
	if n := e.count(t, "billkit_catalog_product_types"); n != 0 {
		t.Fatalf("%d product types written", n)
	}
}
