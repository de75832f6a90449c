package provisioning_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
)

// TestOrderChoosesADatacenter checks the datacenter rules of an order: a
// client chooses only among the datacenters its tariff offers (by code,
// as the storefront shows them, or by ID), staff choose any enabled one,
// and the service lands on a server of the datacenter chosen even when
// another datacenter's server is less loaded. Every refused choice is
// named and writes nothing.
func TestOrderChoosesADatacenter(t *testing.T) {
	e := newShopEnv(t)
	dc := func(code string) *provisioning.Datacenter {
		t.Helper()
		return must[*provisioning.Datacenter](t)(e.mgr.CreateDatacenter(ctx, system,
			provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: code, Name: code, Country: "DE"}))
	}
	fra, ams, lon, off, par := dc("fra1"), dc("ams1"), dc("lon1"), dc("old1"), dc("par1")
	e.server(t, "f", 10, fra.ID)
	inAms := e.server(t, "a", 10, ams.ID)
	inLon := e.server(t, "l", 10, lon.ID)
	e.server(t, "o", 10, off.ID)
	disabled := false
	must[*provisioning.Datacenter](t)(e.mgr.UpdateDatacenter(ctx, system, off.ID, provisioning.UpdateDatacenterParams{Enabled: &disabled}))
	// ams1's server is the most loaded: a choice of it must still win.
	e.activeService(t, billkit.ClientID{}, inAms.ID)
	// par1's only server is full.
	e.activeService(t, billkit.ClientID{}, e.server(t, "p", 1, par.ID).ID)

	offered, err := e.cat.CreateTariff(ctx, system, e.prov.ID, catalog.TariffDoc{
		Code: "vps-dc", Name: text("VPS DC"), ProductType: "vps", Currency: "USD",
		Prices: []catalog.Price{monthly("10.00")}, Datacenters: []string{"fra1", "ams1", "old1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	item := func(tariff catalog.TariffID, code string, id provisioning.DatacenterID) provisioning.OrderItemParams {
		return provisioning.OrderItemParams{TariffID: tariff, Period: catalog.PeriodMonth, Datacenter: code, DatacenterID: id}
	}
	order := func(actor billkit.Actor, it provisioning.OrderItemParams) (*provisioning.Order, error) {
		return e.mgr.CreateOrder(ctx, actor, provisioning.CreateOrderParams{ClientID: e.client.ID, Items: []provisioning.OrderItemParams{it}})
	}
	placed := func(o *provisioning.Order) *provisioning.Service {
		t.Helper()
		if len(o.Items) != 1 || len(o.Items[0].ServiceIDs) != 1 {
			t.Fatalf("order = %+v", o)
		}
		return e.service(t, o.Items[0].ServiceIDs[0])
	}
	client := customer(e.client.ID)

	// A client's choice by code, among those offered.
	o := must[*provisioning.Order](t)(order(client, item(offered.ID, "ams1", provisioning.DatacenterID{})))
	if o.Items[0].DatacenterID != ams.ID {
		t.Fatalf("the order's item is in %v, want ams1", o.Items[0].DatacenterID)
	}
	if s := placed(o); s.DatacenterID != ams.ID || s.ServerID != inAms.ID {
		t.Fatalf("placed in %v on %v, want ams1's server", s.DatacenterID, s.ServerID)
	}
	// By ID, and by both when they agree.
	must[*provisioning.Order](t)(order(client, item(offered.ID, "", fra.ID)))
	must[*provisioning.Order](t)(order(client, item(offered.ID, "fra1", fra.ID)))

	orders, services, renewals, tasks := e.orderRows(t)
	for _, c := range []struct {
		actor         billkit.Actor
		it            provisioning.OrderItemParams
		field, reason string
	}{
		{client, item(offered.ID, "lon1", provisioning.DatacenterID{}), "items[0].datacenter", provisioning.ReasonDatacenterNotOffered},
		{client, item(offered.ID, "", lon.ID), "items[0].datacenter_id", provisioning.ReasonDatacenterNotOffered},
		{client, item(e.tariff.ID, "fra1", provisioning.DatacenterID{}), "items[0].datacenter", provisioning.ReasonDatacenterNotOffered},
		{client, item(offered.ID, "old1", provisioning.DatacenterID{}), "items[0].datacenter", provisioning.ReasonDatacenterUnknown},
		{client, item(offered.ID, "nowhere", provisioning.DatacenterID{}), "items[0].datacenter", provisioning.ReasonDatacenterUnknown},
		{client, item(offered.ID, "ams1", fra.ID), "items[0].datacenter", provisioning.ReasonDatacenterUnknown},
		{admin(), item(offered.ID, "", off.ID), "items[0].datacenter_id", provisioning.ReasonDatacenterUnknown},
		{admin(), item(offered.ID, "", billkit.NewID[provisioning.Datacenter]()), "items[0].datacenter_id", provisioning.ReasonDatacenterUnknown},
		{admin(), item(offered.ID, "", par.ID), "items[0].datacenter_id", provisioning.ReasonNoServer},
		{admin(), item(offered.ID, "par1", provisioning.DatacenterID{}), "items[0].datacenter", provisioning.ReasonNoServer},
	} {
		_, err := order(c.actor, c.it)
		wantField(t, err, c.field, c.reason)
	}
	if o2, s2, r2, t2 := e.orderRows(t); o2 != orders || s2 != services || r2 != renewals || t2 != tasks {
		t.Fatalf("refused orders wrote: orders %d→%d, services %d→%d, renewals %d→%d, tasks %d→%d",
			orders, o2, services, s2, renewals, r2, tasks, t2)
	}

	// Staff place a service in any enabled datacenter of the provider.
	o = must[*provisioning.Order](t)(order(admin(), item(e.tariff.ID, "lon1", provisioning.DatacenterID{})))
	if s := placed(o); s.DatacenterID != lon.ID || s.ServerID != inLon.ID {
		t.Fatalf("placed in %v on %v, want lon1's server", s.DatacenterID, s.ServerID)
	}
}

// TestDatacenterKeptWithoutServers checks that a service whose module
// runs without servers (a manual one) keeps the datacenter chosen, for
// whoever opens it by hand.
func TestDatacenterKeptWithoutServers(t *testing.T) {
	e := newShopEnv(t)
	fra := must[*provisioning.Datacenter](t)(e.mgr.CreateDatacenter(ctx, system,
		provisioning.DatacenterParams{ProviderID: e.prov.ID, Code: "fra1", Name: "Frankfurt", Country: "DE"}))
	if _, err := e.cat.CreateProductType(ctx, system, e.prov.ID, catalog.ProductTypeDoc{
		Code: "colo", Kind: catalog.KindDedicated, Name: text("Colocation"), Module: "manual",
	}); err != nil {
		t.Fatal(err)
	}
	tariff, err := e.cat.CreateTariff(ctx, system, e.prov.ID, catalog.TariffDoc{
		Code: "colo-1u", Name: text("1U"), ProductType: "colo", Currency: "USD",
		Prices: []catalog.Price{monthly("50.00")}, Datacenters: []string{"fra1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	o := must[*provisioning.Order](t)(e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{
		ClientID: e.client.ID,
		Items:    []provisioning.OrderItemParams{{TariffID: tariff.ID, Period: catalog.PeriodMonth, Datacenter: "fra1"}},
	}))
	if s := e.service(t, o.Items[0].ServiceIDs[0]); s.DatacenterID != fra.ID || !s.ServerID.IsZero() {
		t.Fatalf("service in %v on %v, want fra1 without a server", s.DatacenterID, s.ServerID)
	}
}
