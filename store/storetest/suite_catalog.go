package storetest

import (
	"context"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
)

// catalogFixture is a store with two providers and USD enabled.
type catalogFixture struct {
	s      Stores
	c      catalog.Store
	p1, p2 billkit.ProviderID
}

func newCatalogFixture(t *testing.T, newStores func(t testing.TB) Stores) *catalogFixture {
	t.Helper()
	bf := newBillingFixture(t, newStores)
	if bf.s.Catalog == nil {
		t.Fatal("Stores.Catalog is required")
	}
	return &catalogFixture{s: bf.s, c: bf.s.Catalog, p1: bf.pid, p2: bf.provider(t, "Second").ID}
}

func (f *catalogFixture) productType(t *testing.T, p billkit.ProviderID, code string, order int) *catalog.ProductType {
	t.Helper()
	pt := &catalog.ProductType{ID: billkit.NewID[catalog.ProductType](), ProviderID: p, Code: code, Kind: catalog.KindVPS,
		Name: directory.Text{"en": "VPS " + code}, Module: "kvm", Lifecycle: catalog.Lifecycle{GraceDays: 3, ClientDelete: catalog.ClientDeleteYes},
		AllowHourly: true, DisplayOrder: order, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.c.InsertProductType(context.Background(), pt))
	return pt
}

func (f *catalogFixture) tariff(t *testing.T, pt *catalog.ProductType, code string, order int) *catalog.Tariff {
	t.Helper()
	tr := &catalog.Tariff{ID: billkit.NewID[catalog.Tariff](), ProviderID: pt.ProviderID, Code: code, Name: directory.Text{"en": code},
		Description: directory.Text{}, ProductTypeID: pt.ID, Status: catalog.TariffActive, Currency: "USD",
		Prices: []catalog.Price{
			{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec("5.50"), SetupFee: dec("1.00")},
			{Period: catalog.PeriodYear, Currency: "USD", Amount: dec("55.000")},
		},
		Addons: []catalog.Addon{
			{Code: "ram", Name: directory.Text{"en": "RAM"}, BillingType: catalog.BillingQuantity, Unit: "GB",
				Min: dec("1"), Max: dec("8"), Step: dec("1"), Included: dec("1"),
				Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec("0.75")}}},
			{Code: "panel", Name: directory.Text{"en": "Panel"}, BillingType: catalog.BillingEnum, Enumeration: "panel",
				Options: []catalog.AddonOption{{Value: "isp", Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec("2")}}}}},
		},
		TrialDays: ptr(7), Stock: ptr(10), ClientGroupIDs: []string{}, Datacenters: []string{"fra1", "ams1"},
		DisplayOrder: order, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.c.InsertTariff(context.Background(), tr))
	return tr
}

func runCatalog(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	cmpCatalog := cmp.Options{cmpOpts,
		cmp.Comparer(func(a, b billkit.ProviderID) bool { return a == b }),
		cmp.Comparer(func(a, b catalog.ProductTypeID) bool { return a == b }),
		cmp.Comparer(func(a, b catalog.TariffID) bool { return a == b }),
		cmp.Comparer(func(a, b catalog.TariffGroupID) bool { return a == b }),
		cmp.Comparer(func(a, b catalog.EnumerationID) bool { return a == b }),
		cmp.Comparer(func(a, b catalog.OSImageID) bool { return a == b }),
		cmp.Comparer(func(a, b catalog.AgreementID) bool { return a == b }),
		cmp.Comparer(func(a, b catalog.PriceVersionID) bool { return a == b }),
	}

	t.Run("product_type", func(t *testing.T) {
		f := newCatalogFixture(t, newStores)
		pt := f.productType(t, f.p1, "vps", 1)
		got, err := f.c.GetProductType(ctx, pt.ID)
		must(t, err)
		if diff := cmp.Diff(pt, got, cmpCatalog); diff != "" {
			t.Fatalf("GetProductType (-want +got):\n%s", diff)
		}
		byCode, err := f.c.GetProductTypeByCode(ctx, f.p1, "vps")
		must(t, err)
		if byCode.ID != pt.ID {
			t.Fatal("GetProductTypeByCode found another row")
		}
		_, err = f.c.GetProductTypeByCode(ctx, f.p2, "vps")
		wantCode(t, err, billkit.CodeNotFound, "product_type.not_found")
		wantCode(t, f.c.InsertProductType(ctx, got), billkit.CodeConflict, "product_type.exists")
		dup := *got
		dup.ID = billkit.NewID[catalog.ProductType]()
		wantCode(t, f.c.InsertProductType(ctx, &dup), billkit.CodeConflict, "product_type.exists")
		dup.ProviderID = f.p2 // the same code at another provider is fine
		must(t, f.c.InsertProductType(ctx, &dup))
		noProvider := dup
		noProvider.ID, noProvider.ProviderID, noProvider.Code = billkit.NewID[catalog.ProductType](), newBillingProviderID(), "x"
		wantCode(t, f.c.InsertProductType(ctx, &noProvider), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		got.Name, got.AllowHourly = directory.Text{"en": "Virtual"}, false
		must(t, f.c.UpdateProductType(ctx, got))
		again, err := f.c.GetProductType(ctx, pt.ID)
		must(t, err)
		if again.Name["en"] != "Virtual" || again.AllowHourly {
			t.Fatalf("after update: %+v", again)
		}
		f.productType(t, f.p1, "a", 2)
		f.productType(t, f.p1, "b", 0)
		all := collect(t, 1, func(p catalog.ProductType) string { return p.ID.String() }, func(pp billkit.PageParams) (billkit.Page[catalog.ProductType], error) {
			return f.c.ListProductTypes(ctx, catalog.ProductTypeFilter{ProviderID: f.p1, PageParams: pp})
		})
		if got := keys(all, func(p catalog.ProductType) string { return p.Code }); !cmp.Equal(got, []string{"b", "vps", "a"}) {
			t.Fatalf("ListProductTypes order = %v", got)
		}
		// A type with tariffs cannot be deleted.
		f.tariff(t, again, "t1", 0)
		wantCode(t, f.c.DeleteProductType(ctx, pt.ID), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		must(t, f.c.DeleteProductType(ctx, dup.ID))
		wantCode(t, f.c.DeleteProductType(ctx, dup.ID), billkit.CodeNotFound, "product_type.not_found")
	})

	t.Run("tariff", func(t *testing.T) {
		f := newCatalogFixture(t, newStores)
		pt := f.productType(t, f.p1, "vps", 0)
		tr := f.tariff(t, pt, "vps-1", 0)
		got, err := f.c.GetTariff(ctx, tr.ID)
		must(t, err)
		if diff := cmp.Diff(tr, got, cmpCatalog); diff != "" {
			t.Fatalf("GetTariff (-want +got):\n%s", diff)
		}
		// Amounts are exact and keep their decimals.
		if got.Prices[1].Money().String() != "55.000 USD" || got.Prices[0].SetupMoney().String() != "1.00 USD" {
			t.Fatalf("prices = %v", got.Prices)
		}
		wantCode(t, f.c.InsertTariff(ctx, got), billkit.CodeConflict, "tariff.exists")
		bad := *got
		bad.ID, bad.Code, bad.Currency = billkit.NewID[catalog.Tariff](), "bad", "XXX"
		wantCode(t, f.c.InsertTariff(ctx, &bad), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		g := &catalog.TariffGroup{ID: billkit.NewID[catalog.TariffGroup](), ProviderID: f.p1, Code: "g", Name: directory.Text{"en": "G"},
			ChangeToGroups: []catalog.TariffGroupID{}, CreatedAt: t0, UpdatedAt: t0}
		must(t, f.c.InsertTariffGroup(ctx, g))
		got.GroupID, got.Status, got.Stock, got.Addons = g.ID, catalog.TariffHidden, nil, nil
		must(t, f.c.UpdateTariff(ctx, got))
		again, err := f.c.GetTariff(ctx, tr.ID)
		must(t, err)
		// UpdateTariff leaves the stock alone: only the stock methods move it.
		if again.GroupID != g.ID || again.Stock == nil || *again.Stock != 10 || again.Addons == nil || len(again.Addons) != 0 {
			t.Fatalf("after update: %+v", again)
		}
		f.tariff(t, pt, "vps-2", 1)
		other := f.tariff(t, f.productType(t, f.p2, "vps", 0), "vps-1", 0)
		page, err := f.c.ListTariffs(ctx, catalog.TariffFilter{ProviderID: f.p1, Statuses: []catalog.TariffStatus{catalog.TariffActive}})
		must(t, err)
		if got := keys(page.Items, func(t catalog.Tariff) string { return t.Code }); !cmp.Equal(got, []string{"vps-2"}) {
			t.Fatalf("active tariffs = %v", got)
		}
		page, err = f.c.ListTariffs(ctx, catalog.TariffFilter{GroupID: g.ID})
		must(t, err)
		if len(page.Items) != 1 || page.Items[0].ID != tr.ID {
			t.Fatalf("tariffs of the group = %v", page.Items)
		}
		all := collect(t, 1, func(t catalog.Tariff) string { return t.ID.String() }, func(pp billkit.PageParams) (billkit.Page[catalog.Tariff], error) {
			return f.c.ListTariffs(ctx, catalog.TariffFilter{PageParams: pp})
		})
		if len(all) != 3 {
			t.Fatalf("all tariffs = %d", len(all))
		}
		// Deleting a tariff deletes its price versions.
		pv := &catalog.PriceVersion{ID: billkit.NewID[catalog.PriceVersion](), ProviderID: f.p2, TariffID: other.ID,
			EffectiveDate: billkit.MustDate(2026, 1, 31), Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: dec("6")}},
			AddonPrices: []catalog.AddonPrices{}, Policy: catalog.PolicyKeepForPeriods, KeepPeriods: 2, CreatedAt: t0, UpdatedAt: t0}
		must(t, f.c.InsertPriceVersion(ctx, pv))
		gotPV, err := f.c.GetPriceVersion(ctx, pv.ID)
		must(t, err)
		if diff := cmp.Diff(pv, gotPV, cmpCatalog); diff != "" {
			t.Fatalf("GetPriceVersion (-want +got):\n%s", diff)
		}
		same := *pv
		same.ID = billkit.NewID[catalog.PriceVersion]()
		wantCode(t, f.c.InsertPriceVersion(ctx, &same), billkit.CodeConflict, "price_version.exists")
		same.EffectiveDate = billkit.MustDate(2025, 12, 1)
		must(t, f.c.InsertPriceVersion(ctx, &same))
		vs := collect(t, 1, func(v catalog.PriceVersion) string { return v.ID.String() }, func(pp billkit.PageParams) (billkit.Page[catalog.PriceVersion], error) {
			return f.c.ListPriceVersions(ctx, catalog.PriceVersionFilter{TariffID: other.ID, PageParams: pp})
		})
		if len(vs) != 2 || vs[0].ID != same.ID {
			t.Fatalf("versions = %v", vs)
		}
		must(t, f.c.DeleteTariff(ctx, other.ID))
		_, err = f.c.GetPriceVersion(ctx, pv.ID)
		wantCode(t, err, billkit.CodeNotFound, "price_version.not_found")
		wantCode(t, f.c.DeleteTariff(ctx, other.ID), billkit.CodeNotFound, "tariff.not_found")
	})

	t.Run("tariff_stock", func(t *testing.T) { runTariffStock(t, newCatalogFixture(t, newStores)) })

	t.Run("others", func(t *testing.T) {
		f := newCatalogFixture(t, newStores)
		pt := f.productType(t, f.p1, "vps", 0)
		tr := f.tariff(t, pt, "vps-1", 0)
		g := &catalog.TariffGroup{ID: billkit.NewID[catalog.TariffGroup](), ProviderID: f.p1, Code: "g", Name: directory.Text{"en": "G"},
			ChangeWithinGroup: true, ChangeToGroups: []catalog.TariffGroupID{billkit.NewID[catalog.TariffGroup]()}, CreatedAt: t0, UpdatedAt: t0}
		e := &catalog.Enumeration{ID: billkit.NewID[catalog.Enumeration](), ProviderID: f.p1, Code: "panel", Name: directory.Text{"en": "Panel"},
			Values: []catalog.EnumValue{{Code: "isp", Name: directory.Text{"en": "ISP", "ru": "ИСП"}}}, CreatedAt: t0, UpdatedAt: t0}
		o := &catalog.OSImage{ID: billkit.NewID[catalog.OSImage](), ProviderID: f.p1, Code: "deb", Name: "Debian", Family: "linux", Version: "12",
			TariffIDs: []catalog.TariffID{tr.ID}, ProductTypeIDs: []catalog.ProductTypeID{pt.ID}, CreatedAt: t0, UpdatedAt: t0}
		a := &catalog.Agreement{ID: billkit.NewID[catalog.Agreement](), ProviderID: f.p1, Code: "tos", Title: directory.Text{"en": "ToS"},
			Text: directory.Text{"en": "Text"}, Version: 3, TariffIDs: []catalog.TariffID{tr.ID}, CreatedAt: t0, UpdatedAt: t0}
		must(t, f.c.InsertTariffGroup(ctx, g))
		must(t, f.c.InsertEnumeration(ctx, e))
		must(t, f.c.InsertOSImage(ctx, o))
		must(t, f.c.InsertAgreement(ctx, a))
		gg, err := f.c.GetTariffGroupByCode(ctx, f.p1, "g")
		must(t, err)
		ge, err := f.c.GetEnumerationByCode(ctx, f.p1, "panel")
		must(t, err)
		gotImg, err := f.c.GetOSImageByCode(ctx, f.p1, "deb")
		must(t, err)
		ga, err := f.c.GetAgreementByCode(ctx, f.p1, "tos")
		must(t, err)
		for _, d := range []string{cmp.Diff(g, gg, cmpCatalog), cmp.Diff(e, ge, cmpCatalog), cmp.Diff(o, gotImg, cmpCatalog), cmp.Diff(a, ga, cmpCatalog)} {
			if d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
		}
		wantCode(t, f.c.InsertTariffGroup(ctx, g), billkit.CodeConflict, "tariff_group.exists")
		wantCode(t, f.c.InsertEnumeration(ctx, e), billkit.CodeConflict, "enumeration.exists")
		wantCode(t, f.c.InsertOSImage(ctx, o), billkit.CodeConflict, "os_image.exists")
		wantCode(t, f.c.InsertAgreement(ctx, a), billkit.CodeConflict, "agreement.exists")
		e.Values = nil
		must(t, f.c.UpdateEnumeration(ctx, e))
		ge, err = f.c.GetEnumeration(ctx, e.ID)
		must(t, err)
		if ge.Values == nil || len(ge.Values) != 0 {
			t.Fatalf("values = %#v, want empty", ge.Values)
		}
		o.Family = "bsd"
		must(t, f.c.UpdateOSImage(ctx, o))
		page, err := f.c.ListOSImages(ctx, catalog.OSImageFilter{ProviderID: f.p1, Family: "bsd"})
		must(t, err)
		if len(page.Items) != 1 {
			t.Fatalf("bsd images = %v", page.Items)
		}
		a.Version = 4
		must(t, f.c.UpdateAgreement(ctx, a))
		g.Name = directory.Text{"en": "H"}
		must(t, f.c.UpdateTariffGroup(ctx, g))
		for _, n := range []func() (int, error){
			func() (int, error) {
				p, err := f.c.ListTariffGroups(ctx, catalog.TariffGroupFilter{ProviderID: f.p1})
				return len(p.Items), err
			},
			func() (int, error) {
				p, err := f.c.ListEnumerations(ctx, catalog.EnumerationFilter{ProviderID: f.p1})
				return len(p.Items), err
			},
			func() (int, error) {
				p, err := f.c.ListAgreements(ctx, catalog.AgreementFilter{ProviderID: f.p1})
				return len(p.Items), err
			},
			func() (int, error) {
				p, err := f.c.ListAgreements(ctx, catalog.AgreementFilter{ProviderID: f.p2})
				return 1 - len(p.Items), err
			},
		} {
			got, err := n()
			must(t, err)
			if got != 1 {
				t.Fatal("a list missed its row, or crossed providers")
			}
		}
		must(t, f.c.DeleteTariffGroup(ctx, g.ID))
		must(t, f.c.DeleteEnumeration(ctx, e.ID))
		must(t, f.c.DeleteOSImage(ctx, o.ID))
		must(t, f.c.DeleteAgreement(ctx, a.ID))
		wantCode(t, f.c.DeleteAgreement(ctx, a.ID), billkit.CodeNotFound, "agreement.not_found")
		missing := *a
		wantCode(t, f.c.UpdateAgreement(ctx, &missing), billkit.CodeNotFound, "agreement.not_found")
	})

	t.Run("tx", func(t *testing.T) {
		f := newCatalogFixture(t, newStores)
		pt := f.productType(t, f.p1, "vps", 0)
		err := f.c.InTx(ctx, func(tx catalog.Store) error {
			pt.Code = "changed"
			must(t, tx.UpdateProductType(ctx, pt))
			return billkit.Errorf(billkit.CodeInvalid, "test.rollback", "roll back")
		})
		wantCode(t, err, billkit.CodeInvalid, "test.rollback")
		got, err := f.c.GetProductType(ctx, pt.ID)
		must(t, err)
		if got.Code != "vps" {
			t.Fatalf("code = %q after a rollback", got.Code)
		}
	})
}
