package provisioning_test

import (
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
)

// vpsItem is an item of n services of vps-1 for a month with ram GB of RAM.
func (e *env) vpsItem(n int, ram string) provisioning.OrderItemParams {
	return provisioning.OrderItemParams{TariffID: e.tariff.ID, Period: catalog.PeriodMonth, Quantity: n,
		Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec(ram)}}}
}

// orderRows counts what an order writes.
func (e *env) orderRows(t *testing.T) (orders, services, renewals, tasks int) {
	t.Helper()
	return e.count(t, "billkit_orders", "1=1"), e.count(t, "billkit_services", "1=1"),
		e.count(t, "billkit_service_renewals", "1=1"), e.count(t, "billkit_tasks", "1=1")
}

func TestCreateOrderPaysFromBalance(t *testing.T) {
	e := newShopEnv(t)
	// Two services with 3 GB of RAM: 10.00 + 2 × 1.50 a month each.
	o, err := e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{
		ClientID: e.client.ID, Items: []provisioning.OrderItemParams{e.vpsItem(2, "3")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != provisioning.OrderPaid || !o.Total.Equal(usd("26.00")) || o.PaidAt.IsZero() {
		t.Fatalf("order = %+v", o)
	}
	it := o.Items[0]
	if !it.Price.Equal(usd("26.00")) || !it.Recurring.Equal(usd("13.00")) || len(it.ServiceIDs) != 2 {
		t.Fatalf("item = %+v", it)
	}
	if got := e.balance(t, e.client.ID); !got.Equal(usd("974.00")) {
		t.Fatalf("balance = %s, want 974.00", got)
	}
	today := billkit.DateOf(e.clock.Now())
	for i, id := range it.ServiceIDs {
		s := e.service(t, id)
		if s.Status != provisioning.StatusProcessing || s.Operation != provisioning.OpOpen || s.OrderID != o.ID {
			t.Fatalf("service %d = %+v, want opening", i, s)
		}
		if s.AnchorOn != today || s.PeriodsPaid != 1 || s.ExpiresOn != today.AddMonths(1) || !s.AutoRenew || !s.Price.Equal(usd("13.00")) {
			t.Fatalf("service %d billing = %+v", i, s)
		}
		if want := "VPS 1 #" + string(rune('1'+i)); s.Name != want {
			t.Errorf("service %d is named %q, want %q", i, s.Name, want)
		}
		rs, err := e.mgr.ListRenewals(ctx, system, provisioning.RenewalFilter{ServiceID: id})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs.Items) != 1 || rs.Items[0].Kind != "order" || rs.Items[0].PeriodStart != today || rs.Items[0].ExpenseID.IsZero() ||
			!rs.Items[0].Amount.Equal(usd("13.00")) {
			t.Fatalf("renewals = %+v", rs.Items)
		}
		x, err := e.bill.GetExpense(ctx, system, rs.Items[0].ExpenseID)
		if err != nil {
			t.Fatal(err)
		}
		// The customer charged the balance, with the right lent for it.
		if x.ActorKind != billkit.ActorCustomer || x.CauseType != "service" || x.CauseID != id.String() ||
			x.PeriodStart != today || x.PeriodEnd != today.AddMonths(1) || x.TariffID != e.tariff.ID {
			t.Fatalf("expense = %+v", x)
		}
	}
	if n := e.actions(t, "provisioning.order.create", o.ID.String()); n != 1 {
		t.Errorf("%d create actions, want 1", n)
	}
	e.runTasks(t)
	for _, id := range it.ServiceIDs {
		if s := e.service(t, id); s.Status != provisioning.StatusActive {
			t.Fatalf("after its task the service is %s", s.Status)
		}
	}
	got, err := e.mgr.GetOrder(ctx, customer(e.client.ID), o.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Every service opened: the order is complete.
	if got.Status != provisioning.OrderCompleted || !got.Total.Equal(o.Total) || len(got.Items) != 1 {
		t.Fatalf("GetOrder = %+v", got)
	}
}

func TestCreateOrderInsufficientFundsWritesNothing(t *testing.T) {
	e := newShopEnv(t)
	poor := e.newClient(t, "Poor")
	e.topUp(t, poor.ID, "15.00")
	o1, s1, r1, t1 := e.orderRows(t)
	_, err := e.mgr.CreateOrder(ctx, admin(), provisioning.CreateOrderParams{
		ClientID: poor.ID, Items: []provisioning.OrderItemParams{e.vpsItem(1, "1"), e.vpsItem(1, "1")},
	})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
	o2, s2, r2, t2 := e.orderRows(t)
	if o1 != o2 || s1 != s2 || r1 != r2 || t1 != t2 {
		t.Fatalf("rows before %d/%d/%d/%d, after %d/%d/%d/%d", o1, s1, r1, t1, o2, s2, r2, t2)
	}
	if got := e.balance(t, poor.ID); !got.Equal(usd("15.00")) {
		t.Fatalf("balance = %s", got)
	}
}

func TestCreateOrderBadInput(t *testing.T) {
	e := newShopEnv(t)
	archived, err := e.cat.CreateTariff(ctx, system, e.prov.ID, catalog.TariffDoc{
		Code: "vps-old", Name: text("VPS old"), ProductType: "vps", Currency: "USD", Prices: []catalog.Price{monthly("5.00")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cat.SetTariffStatus(ctx, system, archived.ID, catalog.TariffArchived); err != nil {
		t.Fatal(err)
	}
	before := e.balance(t, e.client.ID)
	// The shape is checked first, without the catalog.
	_, err = e.mgr.CreateOrder(ctx, admin(), provisioning.CreateOrderParams{ClientID: e.client.ID, Items: []provisioning.OrderItemParams{
		e.vpsItem(1, "1"),
		{TariffID: e.tariff.ID},
		{Period: catalog.PeriodMonth},
		{TariffID: e.tariff.ID, Period: "fortnight"},
		{TariffID: e.tariff.ID, Period: catalog.PeriodMonth, Quantity: 1000},
	}})
	for _, f := range []struct{ field, reason string }{
		{"items[1].period", "required"},
		{"items[2].tariff_id", "required"},
		{"items[3].period", catalog.ReasonPeriodUnknown},
		{"items[4].quantity", provisioning.ReasonQuantityOutOfRange},
		{"items", provisioning.ReasonOrderTooLarge},
	} {
		wantField(t, err, f.field, f.reason)
	}
	// With the shape right, the catalog's checks report every item at
	// once.
	_, err = e.mgr.CreateOrder(ctx, admin(), provisioning.CreateOrderParams{ClientID: e.client.ID, Items: []provisioning.OrderItemParams{
		{TariffID: archived.ID, Period: catalog.PeriodMonth},
		e.vpsItem(1, "17"),
		{TariffID: e.bigger.ID, Period: catalog.PeriodYear},
		{TariffID: billkit.NewID[catalog.Tariff](), Period: catalog.PeriodMonth},
		e.vpsItem(1, "2.5"),
		{TariffID: e.tariff.ID, Period: catalog.PeriodHour},
	}})
	for _, f := range []struct{ field, reason string }{
		{"items[0].tariff_id", provisioning.ReasonTariffArchived},
		{"items[1].addons[ram].quantity", catalog.ReasonAboveMax},
		{"items[2].period", provisioning.ReasonPeriodNotOffered},
		{"items[3].tariff_id", "tariff.not_found"},
		{"items[4].addons[ram].quantity", catalog.ReasonOffStep},
		{"items[5].period", provisioning.ReasonPeriodNotOffered},
	} {
		wantField(t, err, f.field, f.reason)
	}
	_, err = e.mgr.CreateOrder(ctx, admin(), provisioning.CreateOrderParams{ClientID: e.client.ID, PayBy: "cash"})
	wantField(t, err, "pay_by", provisioning.ReasonPayByUnknown)
	wantField(t, err, "items", "required")
	if got := e.balance(t, e.client.ID); !got.Equal(before) {
		t.Fatalf("balance %s, want %s", got, before)
	}
	if n := e.count(t, "billkit_orders", "1=1"); n != 0 {
		t.Fatalf("%d orders written", n)
	}
}

func TestCreateOrderLimitPerClientAndRights(t *testing.T) {
	e := newShopEnv(t)
	limited, err := e.cat.CreateTariff(ctx, system, e.prov.ID, catalog.TariffDoc{
		Code: "vps-trial", Name: text("Trial"), ProductType: "vps", Currency: "USD", Prices: []catalog.Price{monthly("1.00")}, LimitPerClient: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	item := provisioning.OrderItemParams{TariffID: limited.ID, Period: catalog.PeriodMonth}
	if _, err := e.mgr.CreateOrder(ctx, admin(), provisioning.CreateOrderParams{ClientID: e.client.ID, Items: []provisioning.OrderItemParams{item}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.mgr.CreateOrder(ctx, admin(), provisioning.CreateOrderParams{ClientID: e.client.ID, Items: []provisioning.OrderItemParams{item, item}})
	wantField(t, err, "items[1].quantity", provisioning.ReasonLimitPerClient)

	other := e.newClient(t, "Other")
	_, err = e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{ClientID: other.ID, Items: []provisioning.OrderItemParams{item}})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.mgr.CreateOrder(ctx, staff(), provisioning.CreateOrderParams{ClientID: other.ID, Items: []provisioning.OrderItemParams{item}})
	wantCode(t, err, billkit.CodeForbidden, "")
}

func TestOrderPaidByInvoiceLater(t *testing.T) {
	e := newShopEnv(t)
	c := e.newClient(t, "Later")
	o, err := e.mgr.CreateOrder(ctx, customer(c.ID), provisioning.CreateOrderParams{
		ClientID: c.ID, PayBy: provisioning.PayByInvoice, Items: []provisioning.OrderItemParams{e.vpsItem(1, "1")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != provisioning.OrderNew || !o.CancelAt.Equal(e.clock.Now().Add(72*time.Hour)) || len(o.Items[0].ServiceIDs) != 0 {
		t.Fatalf("order = %+v", o)
	}
	if n := e.count(t, "billkit_services", "client_id = ?", c.ID); n != 0 {
		t.Fatalf("%d services before payment", n)
	}
	_, err = e.mgr.PayOrder(ctx, customer(c.ID), o.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)

	// The payment credits the balance; the cycle pays the order from it.
	e.clock.Advance(24 * time.Hour)
	e.topUp(t, c.ID, "10.00")
	rep, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OrdersPaid != 1 || len(rep.Failures) != 0 {
		t.Fatalf("report = %+v", rep)
	}
	got, err := e.mgr.GetOrder(ctx, system, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != provisioning.OrderPaid || len(got.Items[0].ServiceIDs) != 1 || !got.CancelAt.IsZero() {
		t.Fatalf("order = %+v", got)
	}
	if b := e.balance(t, c.ID); !b.IsZero() {
		t.Fatalf("balance = %s", b)
	}
	_, err = e.mgr.PayOrder(ctx, system, o.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOrderNotNew)
	_, err = e.mgr.CancelOrder(ctx, system, o.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOrderNotNew)
}

func TestUnpaidOrderCancelledAfterTTL(t *testing.T) {
	e := newShopEnv(t)
	c := e.newClient(t, "Gone")
	o, err := e.mgr.CreateOrder(ctx, system, provisioning.CreateOrderParams{
		ClientID: c.ID, PayBy: provisioning.PayByGateway, Items: []provisioning.OrderItemParams{e.vpsItem(1, "1")},
	})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(71 * time.Hour)
	if n, err := e.mgr.CancelExpiredOrders(ctx, e.clock.Now()); err != nil || n != 0 {
		t.Fatalf("CancelExpiredOrders before the TTL = %d, %v", n, err)
	}
	e.clock.Advance(2 * time.Hour)
	// Money arriving after the TTL does not pay an expired order.
	e.topUp(t, c.ID, "50.00")
	_, err = e.mgr.PayOrder(ctx, system, o.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOrderExpired)
	n, err := e.mgr.CancelExpiredOrders(ctx, e.clock.Now())
	if err != nil || n != 1 {
		t.Fatalf("CancelExpiredOrders = %d, %v", n, err)
	}
	got, err := e.mgr.GetOrder(ctx, system, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != provisioning.OrderCancelled {
		t.Fatalf("status = %s", got.Status)
	}
	if n, _ := e.mgr.CancelExpiredOrders(ctx, e.clock.Now()); n != 0 {
		t.Fatalf("cancelled again: %d", n)
	}
	if b := e.balance(t, c.ID); !b.Equal(usd("50.00")) {
		t.Fatalf("balance = %s", b)
	}
	page, err := e.mgr.ListOrders(ctx, customer(c.ID), provisioning.OrderFilter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ListOrders = %+v, %v", page, err)
	}
	page, err = e.mgr.ListOrders(ctx, customer(e.client.ID), provisioning.OrderFilter{})
	if err != nil || len(page.Items) != 0 {
		t.Fatalf("another client's ListOrders = %+v, %v", page, err)
	}
}

func TestCreateOrderChecksTheCatalog(t *testing.T) {
	e := newShopEnv(t)
	if _, err := e.cat.CreateProductType(ctx, system, e.prov.ID, catalog.ProductTypeDoc{
		Code: "domain", Kind: catalog.KindDomain, Name: text("Domains"), ServiceNameTemplate: "{domain}",
	}); err != nil {
		t.Fatal(err)
	}
	com, err := e.cat.CreateTariff(ctx, system, e.prov.ID, catalog.TariffDoc{Code: "com", Name: text(".com"), ProductType: "domain", Currency: "USD",
		Prices: []catalog.Price{{Period: catalog.PeriodYear, Currency: "USD", Amount: dec("12.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.cat.CreateAgreement(ctx, system, e.prov.ID, catalog.AgreementDoc{Code: "tos", Title: text("Terms"), Text: text("Be nice."), Tariffs: []string{"vps-1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cat.CreateOSImage(ctx, system, e.prov.ID, catalog.OSImageDoc{Code: "debian-12", Name: "Debian 12", Family: "linux", Tariffs: []string{"vps-1"}}); err != nil {
		t.Fatal(err)
	}
	group, err := e.bill.CreateClientGroup(ctx, system, billing.CreateClientGroupParams{ProviderID: e.prov.ID, Name: "Resellers"})
	if err != nil {
		t.Fatal(err)
	}
	resellers, err := e.cat.CreateTariff(ctx, system, e.prov.ID, catalog.TariffDoc{Code: "vps-r", Name: text("Reseller"), ProductType: "vps", Currency: "USD",
		Prices: []catalog.Price{monthly("5.00")}, ClientGroupIDs: []string{group.ID.String()}})
	if err != nil {
		t.Fatal(err)
	}
	domain := func(name string, n int) provisioning.OrderItemParams {
		return provisioning.OrderItemParams{TariffID: com.ID, Period: catalog.PeriodYear, Domain: name, Quantity: n}
	}
	vps := func(image string, agreements ...string) provisioning.OrderItemParams {
		it := e.vpsItem(1, "1")
		it.OSImage, it.Agreements = image, agreements
		return it
	}
	unknownDC := vps("debian-12", "tos")
	unknownDC.DatacenterID = billkit.NewID[provisioning.Datacenter]()
	_, err = e.mgr.CreateOrder(ctx, admin(), provisioning.CreateOrderParams{ClientID: e.client.ID, Items: []provisioning.OrderItemParams{
		domain("", 1), domain("-bad-.com", 1), domain("example.org", 2),
		vps("windows-11", "tos"), vps("debian-12"), unknownDC,
		{TariffID: resellers.ID, Period: catalog.PeriodMonth},
	}})
	for _, f := range []struct{ field, reason string }{
		{"items[0].domain", provisioning.ReasonDomainRequired},
		{"items[1].domain", provisioning.ReasonDomainInvalid},
		{"items[2].quantity", provisioning.ReasonOneDomainPerService},
		{"items[3].os_image", provisioning.ReasonOSImageUnknown},
		{"items[4].agreements", provisioning.ReasonAgreementRequired},
		{"items[5].datacenter_id", provisioning.ReasonDatacenterUnknown},
		{"items[6].tariff_id", provisioning.ReasonTariffNotForGroup},
	} {
		wantField(t, err, f.field, f.reason)
	}
	o, err := e.mgr.CreateOrder(ctx, admin(), provisioning.CreateOrderParams{ClientID: e.client.ID, Items: []provisioning.OrderItemParams{
		domain("Example.COM.", 1), vps("debian-12", "tos"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	d := e.service(t, o.Items[0].ServiceIDs[0])
	if d.Name != "example.com" || d.Domain != "example.com" || d.ExpiresOn != e.today().AddMonths(12) {
		t.Fatalf("domain service = %+v", d)
	}
	if s := e.service(t, o.Items[1].ServiceIDs[0]); s.OSImage != "debian-12" {
		t.Fatalf("vps service = %+v", s)
	}
}

func TestCreateOrderWithPromoCode(t *testing.T) {
	e := newShopEnv(t)
	if _, err := e.bill.CreatePromoCode(ctx, system, billing.PromoCodeParams{ProviderID: e.prov.ID, Code: "HALF", Kind: billing.PromoPercent,
		Value: dec("50"), MaxUsesPerClient: 1}); err != nil {
		t.Fatal(err)
	}
	it := e.vpsItem(1, "1")
	it.PromoCode = "HALF"
	o := e.order(t, e.client.ID, it)
	// Half off the first period; the following ones cost the full price.
	if !o.Total.Equal(usd("5.00")) || !o.Items[0].Recurring.Equal(usd("10.00")) {
		t.Fatalf("order = %+v", o.Items[0])
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("995.00")) {
		t.Fatalf("balance = %s", b)
	}
	_, err := e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{ClientID: e.client.ID, Items: []provisioning.OrderItemParams{it}})
	wantField(t, err, "items[0].promo_code", "")
}
