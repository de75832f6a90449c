package provisioning_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/examples/gateway/examplepay"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
)

// hookMode is what billing's Config.OnPaymentPaid does in a gatewayEnv.
type hookMode int

const (
	// hookPays wires the hook to Manager.PayOrdersOfPayment, as the
	// reference server does.
	hookPays hookMode = iota
	// hookNone leaves it unset: the cycle pays the orders.
	hookNone
	// hookFails calls PayOrdersOfPayment with a context that has ended,
	// as when the process stops in between.
	hookFails
)

// gatewayEnv is the shop world paying by ExamplePay: billing has the
// ExamplePay gateway, served by its fake (an httptest server speaking its
// API) on the fake clock, and card, a method of it.
type gatewayEnv struct {
	*env
	// bill is the billing service with the gateway; the Manager uses it.
	bill *billing.Service
	pay  *examplepay.Server
	// down, when not zero, is the HTTP status ExamplePay answers every
	// request with (503: the outcome is unknown; 400: it refuses).
	down atomic.Int32
	card *billing.PaymentMethod
	mode hookMode
	// hookErrs are the errors PayOrdersOfPayment returned to the hook.
	mu       sync.Mutex
	hookErrs []error
}

// newGatewayEnv returns the shop world with ExamplePay on st (a fresh
// in-memory store when nil), its payments handed to the manager as mode
// says.
func newGatewayEnv(t *testing.T, st *bunstore.Store, mode hookMode) *gatewayEnv {
	t.Helper()
	if st == nil {
		st = storetest.NewMemory(t)
	}
	g := &gatewayEnv{pay: examplepay.NewServer("shop", "key", "whsec"), mode: mode}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code := g.down.Load(); code != 0 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(int(code))
			_, _ = w.Write([]byte(`{"code":"refused","description":"not now"}`))
			return
		}
		g.pay.ServeHTTP(w, r)
	}))
	t.Cleanup(api.Close)
	e := newShopEnv(t, onStore(st), withConfig(func(c *provisioning.Config) {
		g.pay.Now = c.Clock.Now
		gw := examplepay.New(examplepay.Config{HTTPClient: api.Client(), Now: c.Clock.Now})
		dir := directory.NewService(st.Directory(), directory.Config{Clock: c.Clock})
		cfg := billing.Config{Clock: c.Clock, Catalog: c.Catalog.(*catalog.Service), Gateways: []billing.Gateway{gw}}
		if mode != hookNone {
			cfg.OnPaymentPaid = g.paid
		}
		g.bill = billing.NewService(st.Billing(), dir, cfg)
		c.Billing = g.bill
	}))
	g.env = e
	g.card = g.method(t, "Card", examplepay.Code, "", map[string]string{
		examplepay.SettingAPIURL: api.URL, examplepay.SettingShopID: "shop",
		examplepay.SettingSecretKey: "key", examplepay.SettingWebhookSecret: "whsec",
	})
	return g
}

// paid is billing's Config.OnPaymentPaid.
func (g *gatewayEnv) paid(ctx context.Context, p *billing.Payment) {
	if g.mode == hookFails {
		ended, cancel := context.WithCancel(ctx)
		cancel()
		ctx = ended
	}
	if _, err := g.mgr.PayOrdersOfPayment(ctx, p); err != nil {
		g.mu.Lock()
		g.hookErrs = append(g.hookErrs, err)
		g.mu.Unlock()
	}
}

// method creates a payment method of the provider's company.
func (g *gatewayEnv) method(t *testing.T, name, gateway, currency string, settings map[string]string) *billing.PaymentMethod {
	t.Helper()
	m, err := g.bill.CreatePaymentMethod(ctx, system, billing.CreatePaymentMethodParams{CompanyID: g.company(t).ID,
		Gateway: gateway, Name: directory.Text{"en": name}, Currency: currency, Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// place orders one vps-1 for c by gateway with method, as the client, and
// returns the order and its payment.
func (g *gatewayEnv) place(t *testing.T, c billkit.ClientID, method billing.PaymentMethodID) *provisioning.OrderPayment {
	t.Helper()
	out, err := g.mgr.PlaceOrder(ctx, customer(c), provisioning.CreateOrderParams{ClientID: c, PayBy: provisioning.PayByGateway,
		MethodID: method, Items: []provisioning.OrderItemParams{g.vpsItem(1, "1")}}, billing.StartOptions{ReturnURL: "https://panel.example.com/paid"})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// payAtGateway plays the client paying p on ExamplePay's page, and returns
// the signed webhook ExamplePay sends.
func (g *gatewayEnv) payAtGateway(t *testing.T, p *billing.Payment) examplepay.Webhook {
	t.Helper()
	wh, err := g.pay.Pay(p.GatewayPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	return wh
}

// deliver hands a webhook to billing as the server's callback route does.
func (g *gatewayEnv) deliver(t *testing.T, wh examplepay.Webhook) *billing.Payment {
	t.Helper()
	p, err := g.bill.HandleCallback(ctx, g.card.ID, billing.CallbackRequest{Header: wh.Header, Body: wh.Body})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// order reads an order.
func (g *gatewayEnv) order(t *testing.T, id provisioning.OrderID) *provisioning.Order {
	t.Helper()
	return must[*provisioning.Order](t)(g.mgr.GetOrder(ctx, system, id))
}

// payment reads a payment.
func (g *gatewayEnv) payment(t *testing.T, id billing.PaymentID) *billing.Payment {
	t.Helper()
	return must[*billing.Payment](t)(g.bill.GetPayment(ctx, system, id))
}

// wantOrder checks an order's status.
func (g *gatewayEnv) wantOrder(t *testing.T, id provisioning.OrderID, want provisioning.OrderStatus) *provisioning.Order {
	t.Helper()
	o := g.order(t, id)
	if o.Status != want {
		t.Fatalf("order %s is %s, want %s", id, o.Status, want)
	}
	return o
}

// orderOnly is a customer of c who may order and nothing else: paying for
// the order is lent with it.
func orderOnly(c billkit.ClientID) billkit.Actor {
	return billkit.Actor{Kind: billkit.ActorCustomer, ID: "carol", Name: "carol@example.com",
		Permissions: perms{rights: rightsOn(provisioning.FunctionOrder), clients: []billkit.ClientID{c}}}
}

func TestOrderByGatewayPaidWhenItsPaymentIs(t *testing.T) {
	g := newGatewayEnv(t, nil, hookPays)
	c := g.newClient(t, "Beta") // no money on the balance
	g.setStock(t, g.tariff.ID, 5)

	out, err := g.mgr.PlaceOrder(ctx, orderOnly(c.ID), provisioning.CreateOrderParams{ClientID: c.ID, PayBy: provisioning.PayByGateway,
		MethodID: g.card.ID, Items: []provisioning.OrderItemParams{g.vpsItem(1, "1")}}, billing.StartOptions{ReturnURL: "https://panel.example.com/paid"})
	if err != nil {
		t.Fatal(err)
	}
	o, p := out.Order, out.Payment
	if o.Status != provisioning.OrderNew || o.PaymentID != p.ID || o.CancelAt.IsZero() {
		t.Fatalf("order = %+v", o)
	}
	if p.Status != billing.PaymentPending || p.RedirectURL == "" || !p.Amount.Equal(usd("10.00")) || p.MethodID != g.card.ID ||
		p.Memo != "Order "+o.ID.String() || p.ClientID != c.ID {
		t.Fatalf("payment = %+v", p)
	}
	g.wantStock(t, g.tariff.ID, 4)
	if n := g.count(t, "billkit_services", "client_id = ?", c.ID); n != 0 {
		t.Fatalf("%d services before the payment", n)
	}

	// ExamplePay's signed webhook: the payment is paid, and with it the
	// order, at once.
	wh := g.payAtGateway(t, p)
	if got := g.deliver(t, wh); got.Status != billing.PaymentPaid {
		t.Fatalf("payment after the webhook = %+v", got)
	}
	paid := g.wantOrder(t, o.ID, provisioning.OrderPaid)
	ids := paid.Items[0].ServiceIDs
	if len(ids) != 1 {
		t.Fatalf("services = %v", ids)
	}
	svc := g.service(t, ids[0])
	if svc.Status != provisioning.StatusProcessing || svc.Operation != provisioning.OpOpen || svc.OrderID != o.ID {
		t.Fatalf("service = %+v, want opening", svc)
	}
	if b := g.balance(t, c.ID); !b.IsZero() {
		t.Fatalf("balance = %s, want 0: the payment's 10.00 paid the order", b)
	}
	if g.actions(t, "provisioning.order.pay", o.ID.String()) != 1 {
		t.Fatal("the order's payment is not in the action log")
	}

	// The webhook again: the payment is applied once, the order paid once.
	g.deliver(t, wh)
	if n := g.count(t, "billkit_services", "client_id = ?", c.ID); n != 1 {
		t.Fatalf("%d services after a repeated webhook", n)
	}
	if n := g.expenses(t, c.ID); n != 1 {
		t.Fatalf("%d charges, want 1", n)
	}
	if b := g.balance(t, c.ID); !b.IsZero() {
		t.Fatalf("balance after a repeated webhook = %s", b)
	}
	// The cycle finds nothing left to pay, and the service opens.
	if rep := g.cycle(t); rep.OrdersPaid != 0 {
		t.Fatalf("the cycle paid %d orders again", rep.OrdersPaid)
	}
	if s := g.service(t, ids[0]); s.Status != provisioning.StatusActive {
		t.Fatalf("service = %s, want active", s.Status)
	}
	g.wantOrder(t, o.ID, provisioning.OrderCompleted)
	g.wantStock(t, g.tariff.ID, 4)
	if len(g.hookErrs) != 0 {
		t.Fatalf("hook errors: %v", g.hookErrs)
	}
}

func TestOrderByGatewayWithoutTheHookPaidByTheCycle(t *testing.T) {
	for _, mode := range []hookMode{hookNone, hookFails} {
		g := newGatewayEnv(t, nil, mode)
		c := g.newClient(t, "Beta")
		out := g.place(t, c.ID, g.card.ID)
		g.deliver(t, g.payAtGateway(t, out.Payment))

		// The money is on the balance; the order waits for the cycle.
		g.wantOrder(t, out.Order.ID, provisioning.OrderNew)
		if b := g.balance(t, c.ID); !b.Equal(usd("10.00")) {
			t.Fatalf("mode %d: balance = %s", mode, b)
		}
		if mode == hookFails && len(g.hookErrs) != 1 {
			t.Fatalf("hook errors = %v, want one", g.hookErrs)
		}
		if rep := g.cycle(t); rep.OrdersPaid != 1 {
			t.Fatalf("mode %d: the cycle paid %d orders", mode, rep.OrdersPaid)
		}
		// Paid, and (its task run) opened.
		g.wantOrder(t, out.Order.ID, provisioning.OrderCompleted)
		if b := g.balance(t, c.ID); !b.IsZero() || g.expenses(t, c.ID) != 1 {
			t.Fatalf("mode %d: balance = %s, %d charges", mode, b, g.expenses(t, c.ID))
		}
	}
}

func TestOrderByGatewayFailedPaymentLeavesItNew(t *testing.T) {
	g := newGatewayEnv(t, nil, hookPays)
	c := g.newClient(t, "Beta")
	g.setStock(t, g.tariff.ID, 2)
	out := g.place(t, c.ID, g.card.ID)
	g.wantStock(t, g.tariff.ID, 1)

	// The client leaves ExamplePay's page until it expires.
	wh, err := g.pay.Abandon(out.Payment.GatewayPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	if p := g.deliver(t, wh); p.Status != billing.PaymentCancelled {
		t.Fatalf("payment = %+v", p)
	}
	o := g.wantOrder(t, out.Order.ID, provisioning.OrderNew)
	if b := g.balance(t, c.ID); !b.IsZero() {
		t.Fatalf("balance = %s", b)
	}

	// Unpaid until its CancelAt: cancelled, its unit back in stock.
	g.clock.Set(o.CancelAt.Add(-time.Minute))
	if rep := g.cycle(t); rep.OrdersCancelled != 0 {
		t.Fatalf("cancelled before its time: %+v", rep)
	}
	g.clock.Set(o.CancelAt.Add(time.Minute))
	if rep := g.cycle(t); rep.OrdersCancelled != 1 {
		t.Fatalf("cycle = %+v, want one order cancelled", rep)
	}
	g.wantOrder(t, o.ID, provisioning.OrderCancelled)
	g.wantStock(t, g.tariff.ID, 2)
	if n := g.count(t, "billkit_services", "client_id = ?", c.ID); n != 0 {
		t.Fatalf("%d services", n)
	}
	_, err = g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOrderNotNew)
}

func TestStartOrderPaymentIsIdempotent(t *testing.T) {
	g := newGatewayEnv(t, nil, hookPays)
	c := g.newClient(t, "Beta")

	// ExamplePay does not answer: the order is placed all the same, its
	// payment new, waiting to be started again.
	g.down.Store(http.StatusServiceUnavailable)
	out := g.place(t, c.ID, g.card.ID)
	o, p := out.Order, out.Payment
	if o.Status != provisioning.OrderNew || o.PaymentID != p.ID || p.Status != billing.PaymentNew || p.RedirectURL != "" || p.Attempts != 1 {
		t.Fatalf("placed while the gateway is down: %+v, %+v", o, p)
	}
	_, err := g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{})
	wantCode(t, err, billkit.CodeUnavailable, billing.ReasonOutcomeUnknown)

	// Back up: started again, twice, it is the same payment and page.
	g.down.Store(0)
	first := must[*provisioning.OrderPayment](t)(g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{}))
	again := must[*provisioning.OrderPayment](t)(g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{MethodID: g.card.ID}))
	if first.Payment.ID != p.ID || again.Payment.ID != p.ID || first.Payment.Status != billing.PaymentPending ||
		first.Payment.RedirectURL == "" || again.Payment.RedirectURL != first.Payment.RedirectURL {
		t.Fatalf("started = %+v, then %+v", first.Payment, again.Payment)
	}
	if n := g.count(t, "billkit_payments", "client_id = ?", c.ID); n != 1 {
		t.Fatalf("%d payments for one order", n)
	}
	// Another method while it may still be paid: refused.
	manual := g.method(t, "Transfer", billing.GatewayManual, "", nil)
	_, err = g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{MethodID: manual.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOrderPaymentOpen)

	// Cancelled, it is replaced: by the transfer, which staff confirm.
	if _, err := g.bill.CancelPayment(ctx, customer(c.ID), p.ID); err != nil {
		t.Fatal(err)
	}
	byTransfer := must[*provisioning.OrderPayment](t)(g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{MethodID: manual.ID}))
	q := byTransfer.Payment
	if q.ID == p.ID || q.Status != billing.PaymentPending || q.MethodID != manual.ID || byTransfer.Order.PaymentID != q.ID {
		t.Fatalf("replaced by %+v, order %+v", q, byTransfer.Order)
	}
	if g.actions(t, "provisioning.order.payment", o.ID.String()) != 1 {
		t.Fatal("the order's new payment is not in the action log")
	}
	if _, err := g.bill.ConfirmPayment(ctx, system, q.ID, "transfer 42"); err != nil {
		t.Fatal(err)
	}
	g.wantOrder(t, o.ID, provisioning.OrderPaid)
	_, err = g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOrderNotNew)
}

func TestStartOrderPaymentOfAnOrderWithoutOne(t *testing.T) {
	g := newGatewayEnv(t, nil, hookNone)
	c := g.newClient(t, "Beta")
	o := must[*provisioning.Order](t)(g.mgr.CreateOrder(ctx, customer(c.ID), provisioning.CreateOrderParams{ClientID: c.ID,
		PayBy: provisioning.PayByGateway, Items: []provisioning.OrderItemParams{g.vpsItem(1, "1")}}))
	if !o.PaymentID.IsZero() {
		t.Fatalf("order = %+v", o)
	}
	_, err := g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{})
	wantField(t, err, "method_id", "required")
	// Another client's order is not found.
	_, err = g.mgr.StartOrderPayment(ctx, customer(g.client.ID), o.ID, provisioning.StartOrderPaymentParams{MethodID: g.card.ID})
	wantCode(t, err, billkit.CodeNotFound, "")
	out := must[*provisioning.OrderPayment](t)(g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{MethodID: g.card.ID}))
	if out.Order.PaymentID != out.Payment.ID || out.Payment.Status != billing.PaymentPending {
		t.Fatalf("started = %+v, %+v", out.Order, out.Payment)
	}
	// Paid without the hook: starting it again pays the order from the
	// balance the payment credited.
	g.deliver(t, g.payAtGateway(t, out.Payment))
	again := must[*provisioning.OrderPayment](t)(g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{}))
	if again.Order.Status != provisioning.OrderPaid || again.Payment.Status != billing.PaymentPaid || again.Payment.ID != out.Payment.ID {
		t.Fatalf("again = %+v, %+v", again.Order, again.Payment)
	}
	// An order by invoice has no gateway payment.
	inv := g.orderByInvoice(t, c.ID, g.vpsItem(1, "1"))
	_, err = g.mgr.StartOrderPayment(ctx, customer(c.ID), inv.ID, provisioning.StartOrderPaymentParams{MethodID: g.card.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOrderNotByGateway)
}

func TestOrderByGatewayBadMethodWritesNothing(t *testing.T) {
	g := newGatewayEnv(t, nil, hookPays)
	c := g.newClient(t, "Beta")
	g.setStock(t, g.tariff.ID, 3)
	disabled := g.method(t, "Old card", examplepay.Code, "", g.card.Settings)
	if _, err := g.bill.UpdatePaymentMethod(ctx, system, disabled.ID, billing.UpdatePaymentMethodParams{Enabled: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	balance := g.method(t, "Balance", billing.GatewayBalance, "", nil)
	eur := g.method(t, "Card in EUR", examplepay.Code, "EUR", g.card.Settings)
	orderWith := func(payBy provisioning.PayBy, method billing.PaymentMethodID) error {
		_, err := g.mgr.PlaceOrder(ctx, customer(c.ID), provisioning.CreateOrderParams{ClientID: c.ID, PayBy: payBy,
			MethodID: method, Items: []provisioning.OrderItemParams{g.vpsItem(1, "1")}}, billing.StartOptions{})
		return err
	}
	before := g.count(t, "billkit_actions", "1=1")
	wantField(t, orderWith(provisioning.PayByGateway, billkit.NewID[billing.PaymentMethod]()), "method_id", "payment_method.not_found")
	wantField(t, orderWith(provisioning.PayByGateway, disabled.ID), "method_id", "payment_method.disabled")
	wantField(t, orderWith(provisioning.PayByGateway, balance.ID), "method_id", provisioning.ReasonMethodIsBalance)
	wantField(t, orderWith(provisioning.PayByGateway, eur.ID), "method_id", "payment.currency_mismatch")
	wantField(t, orderWith(provisioning.PayByInvoice, g.card.ID), "method_id", provisioning.ReasonMethodWithoutGateway)
	wantField(t, orderWith(provisioning.PayByBalance, g.card.ID), "method_id", provisioning.ReasonMethodWithoutGateway)
	if n := g.count(t, "billkit_orders", "client_id = ?", c.ID); n != 0 {
		t.Fatalf("%d orders written", n)
	}
	if n := g.count(t, "billkit_payments", "client_id = ?", c.ID); n != 0 {
		t.Fatalf("%d payments written", n)
	}
	if n := g.count(t, "billkit_actions", "1=1"); n != before {
		t.Fatalf("%d actions recorded", n-before)
	}
	g.wantStock(t, g.tariff.ID, 3)

	// On a new order, the same errors change nothing either.
	o := must[*provisioning.Order](t)(g.mgr.CreateOrder(ctx, customer(c.ID), provisioning.CreateOrderParams{ClientID: c.ID,
		PayBy: provisioning.PayByGateway, Items: []provisioning.OrderItemParams{g.vpsItem(1, "1")}}))
	for method, reason := range map[billing.PaymentMethodID]string{disabled.ID: "payment_method.disabled", balance.ID: provisioning.ReasonMethodIsBalance,
		eur.ID: "payment.currency_mismatch"} {
		_, err := g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{MethodID: method})
		wantField(t, err, "method_id", reason)
	}
	if got := g.order(t, o.ID); !got.PaymentID.IsZero() || g.count(t, "billkit_payments", "client_id = ?", c.ID) != 0 {
		t.Fatalf("order = %+v", got)
	}
}

// Money that came another way paid the order first: the gateway's payment,
// when it arrives, only credits the balance.
func TestOrderByGatewayPaidMeanwhile(t *testing.T) {
	g := newGatewayEnv(t, nil, hookPays)
	c := g.newClient(t, "Beta")
	out := g.place(t, c.ID, g.card.ID)
	g.topUp(t, c.ID, "15.00")
	must[*provisioning.Order](t)(g.mgr.PayOrder(ctx, customer(c.ID), out.Order.ID))

	g.deliver(t, g.payAtGateway(t, out.Payment))
	g.wantOrder(t, out.Order.ID, provisioning.OrderPaid)
	if n := g.count(t, "billkit_services", "client_id = ?", c.ID); n != 1 || g.expenses(t, c.ID) != 1 {
		t.Fatalf("%d services, %d charges", n, g.expenses(t, c.ID))
	}
	if b := g.balance(t, c.ID); !b.Equal(usd("15.00")) {
		t.Fatalf("balance = %s, want 15.00 - 10.00 + 10.00", b)
	}
	if len(g.hookErrs) != 0 {
		t.Fatalf("hook errors: %v", g.hookErrs)
	}
}

// The hook also pays an order by invoice once its proforma is paid, here
// by card.
func TestOrderByInvoicePaidWhenItsProformaIs(t *testing.T) {
	g := newGatewayEnv(t, nil, hookPays)
	c := g.newClient(t, "Beta")
	o := g.orderByInvoice(t, c.ID, g.vpsItem(1, "1"))
	p, err := g.bill.Pay(ctx, customer(c.ID), billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{
		ClientID: c.ID, MethodID: g.card.ID, Amount: usd("10.00"), InvoiceID: o.InvoiceID}})
	if err != nil {
		t.Fatal(err)
	}
	g.deliver(t, g.payAtGateway(t, p))
	g.wantOrder(t, o.ID, provisioning.OrderPaid)
	if inv := g.invoice(t, o.InvoiceID); inv.Status != billing.InvoicePaid {
		t.Fatalf("proforma = %s", inv.Status)
	}
	if b := g.balance(t, c.ID); !b.IsZero() {
		t.Fatalf("balance = %s", b)
	}
}

// Webhooks delivered at once, with the cycle running beside them, pay the
// order once; orders started at once from several tabs share one payment.
func TestOrderByGatewayConcurrentPostgres(t *testing.T) {
	g := newGatewayEnv(t, storetest.NewPostgres(t), hookPays)
	c := g.newClient(t, "Beta")

	o := must[*provisioning.Order](t)(g.mgr.CreateOrder(ctx, customer(c.ID), provisioning.CreateOrderParams{ClientID: c.ID,
		PayBy: provisioning.PayByGateway, Items: []provisioning.OrderItemParams{g.vpsItem(2, "1")}}))
	const n = 8
	started := make([]*provisioning.OrderPayment, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			started[i], errs[i] = g.mgr.StartOrderPayment(ctx, customer(c.ID), o.ID, provisioning.StartOrderPaymentParams{MethodID: g.card.ID})
		}()
	}
	close(gate)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		if started[i].Payment.ID != started[0].Payment.ID {
			t.Fatalf("start %d made payment %s, start 0 %s", i, started[i].Payment.ID, started[0].Payment.ID)
		}
	}
	if k := g.count(t, "billkit_payments", "client_id = ?", c.ID); k != 1 {
		t.Fatalf("%d payments for one order", k)
	}

	wh := g.payAtGateway(t, g.payment(t, started[0].Payment.ID))
	cycleErrs := make([]error, 2)
	gate = make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			_, errs[i] = g.bill.HandleCallback(ctx, g.card.ID, billing.CallbackRequest{Header: wh.Header, Body: wh.Body})
		}()
	}
	for i := range cycleErrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			_, cycleErrs[i] = g.mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
		}()
	}
	close(gate)
	wg.Wait()
	for i, err := range append(errs, cycleErrs...) {
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	got := g.wantOrder(t, o.ID, provisioning.OrderPaid)
	if len(got.Items[0].ServiceIDs) != 2 {
		t.Fatalf("services = %v", got.Items[0].ServiceIDs)
	}
	if k := g.count(t, "billkit_services", "client_id = ?", c.ID); k != 2 || g.expenses(t, c.ID) != 2 {
		t.Fatalf("%d services, %d charges, want 2 and 2", k, g.expenses(t, c.ID))
	}
	if k := g.count(t, "billkit_tasks", "client_id = ?", c.ID); k != 2 {
		t.Fatalf("%d tasks, want 2 openings", k)
	}
	if b := g.balance(t, c.ID); !b.IsZero() {
		t.Fatalf("balance = %s", b)
	}
	if len(g.hookErrs) != 0 {
		t.Fatalf("hook errors: %v", g.hookErrs)
	}
}

// An order by gateway that a promo code made free has nothing to pay at a
// gateway: it is paid at once, without a payment.
func TestFreeOrderByGatewayPaidAtOnce(t *testing.T) {
	g := newGatewayEnv(t, nil, hookPays)
	c := g.newClient(t, "Beta")
	if _, err := g.bill.CreatePromoCode(ctx, system, billing.PromoCodeParams{ProviderID: g.prov.ID, Code: "FREE", Kind: billing.PromoPercent,
		Value: dec("100")}); err != nil {
		t.Fatal(err)
	}
	it := g.vpsItem(1, "1")
	it.PromoCode = "FREE"
	out, err := g.mgr.PlaceOrder(ctx, customer(c.ID), provisioning.CreateOrderParams{ClientID: c.ID, PayBy: provisioning.PayByGateway,
		MethodID: g.card.ID, Items: []provisioning.OrderItemParams{it}}, billing.StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out.Order.Status != provisioning.OrderPaid || !out.Order.Total.IsZero() || out.Payment != nil || !out.Order.PaymentID.IsZero() {
		t.Fatalf("free order = %+v, payment %+v", out.Order, out.Payment)
	}
	if n := g.count(t, "billkit_payments", "client_id = ?", c.ID); n != 0 {
		t.Fatalf("%d payments for a free order", n)
	}
}

// TestOrderByGatewayWhoseMoneyWasSpent checks that an order whose payment
// came in but whose money went elsewhere before the order was paid (the
// hook failed, and the client's next order took the balance) can be paid
// by a new payment, and by nothing twice.
func TestOrderByGatewayWhoseMoneyWasSpent(t *testing.T) {
	g := newGatewayEnv(t, nil, hookFails)
	c := g.newClient(t, "Gamma")
	first := g.place(t, c.ID, g.card.ID)
	g.deliver(t, g.payAtGateway(t, first.Payment))
	// The 10.00 are on the balance; an order paid from the balance takes them.
	o := g.order2(t, c.ID)
	if o.Status != provisioning.OrderPaid {
		t.Fatalf("the order by balance = %+v", o)
	}
	again, err := g.mgr.StartOrderPayment(ctx, customer(c.ID), first.Order.ID, provisioning.StartOrderPaymentParams{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Order.Status != provisioning.OrderNew || again.Payment == nil || again.Payment.ID == first.Payment.ID ||
		again.Order.PaymentID != again.Payment.ID {
		t.Fatalf("restart = order %+v, payment %+v", again.Order, again.Payment)
	}
	// Starting it again gives the same new payment; paying it pays the order.
	same, err := g.mgr.StartOrderPayment(ctx, customer(c.ID), first.Order.ID, provisioning.StartOrderPaymentParams{})
	if err != nil || same.Payment.ID != again.Payment.ID {
		t.Fatalf("a second restart = %+v, %v", same, err)
	}
	g.deliver(t, g.payAtGateway(t, again.Payment))
	if rep := g.cycle(t); rep.OrdersPaid != 1 {
		t.Fatalf("the cycle paid %d orders", rep.OrdersPaid)
	}
	g.wantOrder(t, first.Order.ID, provisioning.OrderCompleted)
	if b := g.balance(t, c.ID); !b.IsZero() || g.expenses(t, c.ID) != 2 {
		t.Fatalf("balance = %s, %d charges", b, g.expenses(t, c.ID))
	}
}

// order2 orders one service for client c, paid from its balance.
func (g *gatewayEnv) order2(t *testing.T, c billkit.ClientID) *provisioning.Order {
	t.Helper()
	o, err := g.mgr.CreateOrder(ctx, customer(c), provisioning.CreateOrderParams{ClientID: c, Items: []provisioning.OrderItemParams{g.vpsItem(1, "1")}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// TestCycleLeavesAGatewayOrderToItsPayment checks that the cycle does not
// pay from the balance an order whose own payment is still open at the
// gateway (the client, finishing there, would pay twice), and pays it from
// the balance once that payment is given up.
func TestCycleLeavesAGatewayOrderToItsPayment(t *testing.T) {
	for _, finish := range []string{"pays", "abandons"} {
		g := newGatewayEnv(t, nil, hookPays)
		c := g.newClient(t, "Delta")
		g.topUp(t, c.ID, "10.00")
		out := g.place(t, c.ID, g.card.ID)
		dry, err := g.mgr.RunCycle(ctx, system, provisioning.CycleOptions{DryRun: true})
		if err != nil {
			t.Fatal(err)
		}
		if rep := g.cycle(t); rep.OrdersPaid != 0 || dry.OrdersPaid != 0 {
			t.Fatalf("%s: the cycle paid %d orders (its dry run %d) while the order's payment is open", finish, rep.OrdersPaid, dry.OrdersPaid)
		}
		switch finish {
		case "pays":
			g.deliver(t, g.payAtGateway(t, out.Payment))
			g.wantOrder(t, out.Order.ID, provisioning.OrderPaid)
			// The order charged once; the balance keeps what was there.
			if b := g.balance(t, c.ID); !b.Equal(usd("10.00")) || g.expenses(t, c.ID) != 1 {
				t.Fatalf("balance = %s, %d charges", b, g.expenses(t, c.ID))
			}
		case "abandons":
			wh, err := g.pay.Abandon(out.Payment.GatewayPaymentID)
			if err != nil {
				t.Fatal(err)
			}
			g.deliver(t, wh)
			if rep := g.cycle(t); rep.OrdersPaid != 1 {
				t.Fatalf("after the payment was given up the cycle paid %d orders", rep.OrdersPaid)
			}
			if b := g.balance(t, c.ID); !b.IsZero() || g.expenses(t, c.ID) != 1 {
				t.Fatalf("balance = %s, %d charges", b, g.expenses(t, c.ID))
			}
		}
	}
}
