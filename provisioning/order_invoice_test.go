package provisioning_test

import (
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
)

// company returns the company that sells the provider's services.
func (e *env) company(t *testing.T) *billing.Company {
	t.Helper()
	page, err := e.bill.ListCompanies(ctx, system, billing.CompanyFilter{ProviderID: e.prov.ID})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("companies = %+v, %v", page.Items, err)
	}
	return &page.Items[0]
}

// invoice reads a document.
func (e *env) invoice(t *testing.T, id billing.InvoiceID) *billing.Invoice {
	t.Helper()
	inv, err := e.bill.GetInvoice(ctx, system, id)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// payInvoice pays amount for the invoice by bank transfer: the client's
// payment, confirmed by staff, credits the balance and counts towards the
// invoice.
func (e *env) payInvoice(t *testing.T, client billkit.ClientID, id billing.InvoiceID, amount string) {
	t.Helper()
	m, err := e.bill.CreatePaymentMethod(ctx, system, billing.CreatePaymentMethodParams{CompanyID: e.company(t).ID,
		Gateway: billing.GatewayManual, Name: directory.Text{"en": "Bank transfer"}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := e.bill.CreatePayment(ctx, customer(client), billing.CreatePaymentParams{ClientID: client, MethodID: m.ID,
		Amount: usd(amount), InvoiceID: id})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.bill.ConfirmPayment(ctx, system, p.ID, "transfer 1"); err != nil {
		t.Fatal(err)
	}
}

// expenses counts the client's charges on the ledger.
func (e *env) expenses(t *testing.T, client billkit.ClientID) int {
	t.Helper()
	return e.count(t, "billkit_ledger_entries", "client_id = ? AND kind = ?", client, billing.LedgerExpense)
}

// orderByInvoice orders items for c by invoice, as the client.
func (e *env) orderByInvoice(t *testing.T, c billkit.ClientID, items ...provisioning.OrderItemParams) *provisioning.Order {
	t.Helper()
	o, err := e.mgr.CreateOrder(ctx, customer(c), provisioning.CreateOrderParams{ClientID: c, PayBy: provisioning.PayByInvoice, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOrderByInvoiceIssuesProforma(t *testing.T) {
	e := newShopEnv(t)
	// 19 % VAT on VPS for German payers: the order's prices include it.
	if _, err := e.bill.CreateTaxRule(ctx, system, billing.TaxRuleParams{CompanyID: e.company(t).ID, Code: "vat",
		Name: directory.Text{"en": "VAT"}, Country: "DE", ProductTypes: []string{"vps"}, Rate: dec("19")}); err != nil {
		t.Fatal(err)
	}
	c := e.newClient(t, "Invoiced")
	// Two services with 3 GB of RAM (13.00 + 2.47 VAT each), and one with
	// 2 GB (11.50 + 2.19 VAT).
	o := e.orderByInvoice(t, c.ID, e.vpsItem(2, "3"), e.vpsItem(1, "2"))
	if o.Status != provisioning.OrderNew || o.InvoiceID.IsZero() || !o.Total.Equal(usd("44.63")) {
		t.Fatalf("order = %+v", o)
	}
	if stored := must[*provisioning.Order](t)(e.mgr.GetOrder(ctx, system, o.ID)); stored.InvoiceID != o.InvoiceID {
		t.Fatalf("stored order's invoice = %s, want %s", stored.InvoiceID, o.InvoiceID)
	}
	inv := e.invoice(t, o.InvoiceID)
	if inv.Type != billing.InvoiceProforma || inv.Status != billing.InvoiceIssued || inv.ClientID != c.ID || inv.Number == "" ||
		!inv.Totals.Gross.Equal(o.Total) || !inv.Totals.Net.Equal(usd("37.50")) || !inv.Totals.Tax.Equal(usd("7.13")) {
		t.Fatalf("proforma = %+v", inv)
	}
	want := []struct {
		desc, qty, unit, gross string
	}{{"VPS 1, month: VPS 1 #1, VPS 1 #2", "2", "15.47", "30.94"}, {"VPS 1, month: VPS 1 #3", "1", "13.69", "13.69"}}
	if len(inv.Lines) != len(want) {
		t.Fatalf("lines = %+v", inv.Lines)
	}
	for i, w := range want {
		l := inv.Lines[i]
		if !l.Advance || l.ProductType != "vps" || l.Description != w.desc || !l.Quantity.Equal(dec(w.qty)) ||
			!l.UnitPrice.Equal(usd(w.unit)) || !l.Gross.Equal(usd(w.gross)) || !l.Gross.Equal(o.Items[i].Price) {
			t.Fatalf("line %d = %+v, want %+v", i, l, w)
		}
	}

	// The client pays the proforma by bank transfer: the money waits on
	// the balance, nothing is charged, until the cycle pays the order.
	e.payInvoice(t, c.ID, inv.ID, "44.63")
	if inv := e.invoice(t, inv.ID); inv.Status != billing.InvoicePaid || e.expenses(t, c.ID) != 0 || !e.balance(t, c.ID).Equal(usd("44.63")) {
		t.Fatalf("paid proforma = %s, %d charges, balance %s", inv.Status, e.expenses(t, c.ID), e.balance(t, c.ID))
	}
	rep := e.cycle(t)
	if rep.OrdersPaid != 1 {
		t.Fatalf("report = %+v", rep)
	}
	paid := must[*provisioning.Order](t)(e.mgr.GetOrder(ctx, system, o.ID))
	if paid.Status != provisioning.OrderCompleted || len(paid.Items[0].ServiceIDs) != 2 || len(paid.Items[1].ServiceIDs) != 1 {
		t.Fatalf("order = %+v", paid)
	}
	for _, it := range paid.Items {
		for _, id := range it.ServiceIDs {
			if s := e.service(t, id); s.Status != provisioning.StatusActive {
				t.Fatalf("service %s is %s", s.Name, s.Status)
			}
		}
	}
	// Charged once: one period per service, from the money the proforma
	// brought, which stays paid.
	if n := e.expenses(t, c.ID); n != 3 || !e.balance(t, c.ID).IsZero() || e.invoice(t, inv.ID).Status != billing.InvoicePaid {
		t.Fatalf("%d charges, balance %s, proforma %s", n, e.balance(t, c.ID), e.invoice(t, inv.ID).Status)
	}
}

func TestOrderByInvoicePaidFromBalanceVoidsProforma(t *testing.T) {
	e := newShopEnv(t)
	c := e.newClient(t, "Prepaid")
	o := e.orderByInvoice(t, c.ID, e.vpsItem(1, "1"))
	// The money came another way: a top-up, and the client pays the order.
	e.topUp(t, c.ID, "10.00")
	if _, err := e.mgr.PayOrder(ctx, customer(c.ID), o.ID); err != nil {
		t.Fatal(err)
	}
	inv := e.invoice(t, o.InvoiceID)
	if inv.Status != billing.InvoiceVoid || inv.VoidedAt.IsZero() {
		t.Fatalf("proforma of an order paid from the balance = %+v", inv)
	}
	if n := e.actions(t, "billing.invoice.void", inv.ID.String()); n != 1 {
		t.Fatalf("%d void actions", n)
	}
	if n := e.expenses(t, c.ID); n != 1 || !e.balance(t, c.ID).IsZero() {
		t.Fatalf("%d charges, balance %s", n, e.balance(t, c.ID))
	}
}

func TestCancelledOrderVoidsProforma(t *testing.T) {
	e := newShopEnv(t)
	c := e.newClient(t, "Undecided")
	cancelled := e.orderByInvoice(t, c.ID, e.vpsItem(1, "1"))
	expired := e.orderByInvoice(t, c.ID, e.vpsItem(1, "1"))
	paidIn := e.orderByInvoice(t, c.ID, e.vpsItem(1, "1"))
	if _, err := e.mgr.CancelOrder(ctx, customer(c.ID), cancelled.ID); err != nil {
		t.Fatal(err)
	}
	if s := e.invoice(t, cancelled.InvoiceID).Status; s != billing.InvoiceVoid {
		t.Fatalf("cancelled order's proforma is %s", s)
	}
	if s := e.invoice(t, expired.InvoiceID).Status; s != billing.InvoiceIssued {
		t.Fatalf("waiting order's proforma is %s", s)
	}
	// Partly paid, the third proforma's money stays on the balance.
	e.payInvoice(t, c.ID, paidIn.InvoiceID, "4.00")
	e.clock.Advance(73 * time.Hour)
	if n, err := e.mgr.CancelExpiredOrders(ctx, e.clock.Now()); err != nil || n != 2 {
		t.Fatalf("CancelExpiredOrders = %d, %v", n, err)
	}
	if s := e.invoice(t, expired.InvoiceID).Status; s != billing.InvoiceVoid {
		t.Fatalf("expired order's proforma is %s", s)
	}
	if inv := e.invoice(t, paidIn.InvoiceID); inv.Status != billing.InvoicePartlyPaid || !e.balance(t, c.ID).Equal(usd("4.00")) {
		t.Fatalf("partly paid proforma = %s, balance %s", inv.Status, e.balance(t, c.ID))
	}
}

func TestOrderByInvoiceWithoutPayer(t *testing.T) {
	e := newShopEnv(t)
	c, err := e.bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: e.prov.ID, Name: "Nobody pays"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.mgr.CreateOrder(ctx, customer(c.ID), provisioning.CreateOrderParams{ClientID: c.ID, PayBy: provisioning.PayByInvoice,
		Items: []provisioning.OrderItemParams{e.vpsItem(1, "1")}})
	wantCode(t, err, billkit.CodeFailedPrecondition, "invoice.no_payer")
	if n := e.count(t, "billkit_orders", "client_id = ?", c.ID) + e.count(t, "billkit_invoices", "client_id = ?", c.ID); n != 0 {
		t.Fatalf("%d rows written", n)
	}
	// By gateway, no document is issued: the order waits as before.
	o, err := e.mgr.CreateOrder(ctx, customer(c.ID), provisioning.CreateOrderParams{ClientID: c.ID, PayBy: provisioning.PayByGateway,
		Items: []provisioning.OrderItemParams{e.vpsItem(1, "1")}})
	if err != nil || !o.InvoiceID.IsZero() {
		t.Fatalf("order by gateway = %+v, %v", o, err)
	}
}

func TestOrderByInvoiceLendsTheRightToInvoice(t *testing.T) {
	e := newShopEnv(t)
	c := e.newClient(t, "Shopper")
	// A customer who may order, and nothing of billing.
	shopper := billkit.Actor{Kind: billkit.ActorCustomer, ID: "carol", Name: "carol@example.com",
		Permissions: perms{rights: rightsOn(provisioning.FunctionOrder), clients: []billkit.ClientID{c.ID}}}
	o, err := e.mgr.CreateOrder(ctx, shopper, provisioning.CreateOrderParams{ClientID: c.ID, PayBy: provisioning.PayByInvoice,
		Items: []provisioning.OrderItemParams{e.vpsItem(1, "1")}})
	if err != nil {
		t.Fatal(err)
	}
	if inv := e.invoice(t, o.InvoiceID); inv.Status != billing.InvoiceIssued || !strings.HasPrefix(inv.Memo, "Order ") {
		t.Fatalf("proforma = %+v", inv)
	}
	if _, err := e.mgr.CancelOrder(ctx, shopper, o.ID); err != nil {
		t.Fatal(err)
	}
	if s := e.invoice(t, o.InvoiceID).Status; s != billing.InvoiceVoid {
		t.Fatalf("proforma is %s", s)
	}
}
