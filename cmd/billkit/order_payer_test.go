package main

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/storetest"
)

// As serve builds them, billing and the manager pay an order the moment
// its payment is paid: here a bank transfer staff confirm.
func TestServePaysAnOrderWhenItsPaymentIs(t *testing.T) {
	ctx := context.Background()
	a := billkit.SystemActor("test")
	st := storetest.NewMemory(t)
	clock := billkit.NewFakeClock(cycleStart)
	w := newCycleWorld(t, st, clock, billkit.DateOf(cycleStart).AddDays(10))

	payer := newOrderPayer(slog.New(slog.NewTextHandler(io.Discard, nil)))
	cat, bill := newPayingMoney(st, directory.NewService(st.Directory(), directory.Config{Clock: clock}), clock, payer)
	mods, err := loadModules("", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := newManager(managerParams{Store: st, Billing: bill, Catalog: cat, Clock: clock,
		Setup: provisioningSetup{modules: mods.registry}})
	if err != nil {
		t.Fatal(err)
	}
	payer.use(mgr) // as serve does

	c, err := bill.GetClient(ctx, a, w.client)
	if err != nil {
		t.Fatal(err)
	}
	co, err := bill.CreateCompany(ctx, a, billing.CreateCompanyParams{LegalName: "HostCo LLC", Country: "US", ProviderIDs: []billkit.ProviderID{c.ProviderID}})
	if err != nil {
		t.Fatal(err)
	}
	transfer, err := bill.CreatePaymentMethod(ctx, a, billing.CreatePaymentMethodParams{CompanyID: co.ID, Gateway: billing.GatewayManual,
		Name: directory.Text{"en": "Bank transfer"}})
	if err != nil {
		t.Fatal(err)
	}
	tariff, err := cat.GetTariffByCode(ctx, a, c.ProviderID, "vps-1")
	if err != nil {
		t.Fatal(err)
	}
	out, err := mgr.PlaceOrder(ctx, a, provisioning.CreateOrderParams{ClientID: c.ID, PayBy: provisioning.PayByGateway, MethodID: transfer.ID,
		Items: []provisioning.OrderItemParams{{TariffID: tariff.ID, Period: catalog.PeriodMonth}}}, billing.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Order.Status != provisioning.OrderNew || out.Payment.Status != billing.PaymentPending {
		t.Fatalf("placed = %+v, %+v", out.Order, out.Payment)
	}
	if _, err := bill.ConfirmPayment(ctx, a, out.Payment.ID, "transfer 1"); err != nil {
		t.Fatal(err)
	}
	o, err := mgr.GetOrder(ctx, a, out.Order.ID)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != provisioning.OrderPaid {
		t.Fatalf("order = %s after its payment, want paid", o.Status)
	}
	if _, balance := w.expiryAndBalance(t); balance != "100.00 USD" {
		t.Fatalf("balance = %s, want 100.00 + 10.00 - 10.00", balance)
	}
}
