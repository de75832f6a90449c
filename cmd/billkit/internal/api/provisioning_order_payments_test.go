package api

import (
	"context"
	"testing"

	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/billing/stripe/stripetest"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
)

// orderAnswerBody is the answer of POST /orders and POST
// /orders/{id}/payment.
type orderAnswerBody struct {
	provisioning.Order
	Payment *billing.Payment `json:"payment"`
}

// TestOrderByGatewayThroughTheAPI is a client's order paid by card through
// Stripe (the fake): the order answers with the payment's Checkout page,
// the payment is restarted and refused as the rights and the input say,
// and once Stripe's webhook has paid it the order is paid from the money
// it credited.
func TestOrderByGatewayThroughTheAPI(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	fake := stripetest.NewServer(t, stripetest.Config{Clock: w.clock})
	w.useMoneyCore(t, fake)
	f := w.fixtures(t)
	// The fixtures charged client A 10.00: its balance is back to zero.
	if _, err := w.bill.Post(ctx, system, billing.PostParams{ClientID: f.clientA, Amount: usd("10.00"), Kind: billing.LedgerPayment}); err != nil {
		t.Fatal(err)
	}
	card, err := w.bill.CreatePaymentMethod(ctx, system, billing.CreatePaymentMethodParams{CompanyID: f.company, Gateway: "stripe",
		Name: directory.Text{"en": "Card"}, Settings: map[string]string{"secret_key": fake.SecretKey, "webhook_secret": fake.WebhookSecret}})
	if err != nil {
		t.Fatal(err)
	}
	// Customers whose role holds provisioning's rights only: paying for
	// their orders is lent with them.
	asA := w.as(w.login(t, w.provCustomer(t, "alice@example.com", f.clientA).Email))
	asB := w.as(w.login(t, w.provCustomer(t, "bob@example.com", f.clientB).Email))
	a := f.clientA.String()
	items := `"items":[{"tariff_id":"` + f.prov.vm1.String() + `","period":"month"}]`
	order := func(payBy, method string) string {
		return `{"client_id":"` + a + `","pay_by":"` + payBy + `","method_id":"` + method + `",` + items + `,"return_url":"https://panel.example.com/paid"}`
	}

	// Bad input: 400 on method_id, nothing written.
	mustFieldError(t, call(t, asA, remote, "POST", v1+"/orders", order("gateway", f.money.balance.String())), 400, provisioning.ReasonMethodIsBalance, "method_id")
	mustFieldError(t, call(t, asA, remote, "POST", v1+"/orders", order("gateway", "nope")), 400, "", "method_id")
	mustFieldError(t, call(t, asA, remote, "POST", v1+"/orders", order("invoice", card.ID.String())), 400, provisioning.ReasonMethodWithoutGateway, "method_id")

	// The order answers with its payment, pending at Stripe.
	placed := decodeAs[orderAnswerBody](t, send(t, asA, "POST", v1+"/orders", order("gateway", card.ID.String()), 201))
	p := placed.Payment
	if placed.Status != provisioning.OrderNew || p == nil || placed.PaymentID != p.ID || p.Status != billing.PaymentPending ||
		p.RedirectURL == "" || !p.Amount.Equal(usd("5.00")) {
		t.Fatalf("placed: %+v, payment %+v", placed.Order, p)
	}
	path := v1 + "/orders/" + placed.ID.String()

	// Started again, it is the same payment and page.
	again := decodeAs[orderAnswerBody](t, send(t, asA, "POST", path+"/payment", "", 200))
	if again.Payment == nil || again.Payment.ID != p.ID || again.Payment.RedirectURL != p.RedirectURL {
		t.Fatalf("started again: %+v", again.Payment)
	}
	mustStatus(t, call(t, asB, remote, "POST", path+"/payment", `{}`), 404)
	mustFieldError(t, call(t, asA, remote, "POST", path+"/payment", `{"method_id":"`+f.money.manual.String()+`"}`), 422, provisioning.ReasonOrderPaymentOpen, "")

	// Stripe's webhook pays the payment: its money is on the balance. This
	// world wires no hook (serve's, tested in cmd/billkit), so the order
	// waits; starting its payment again pays it from the balance.
	ev, err := fake.CompleteSession(p.GatewayPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	mustStatus(t, callWith(t, w.h, "POST", v1+"/payments/callback/"+card.ID.String(), ev.Body, ev.Header), 200)
	if o := decodeAs[provisioning.Order](t, send(t, asA, "GET", path, "", 200)); o.Status != provisioning.OrderNew {
		t.Fatalf("with no hook the webhook paid the order: %+v", o)
	}
	if b := w.balance(t, f.clientA); !b.Equal(usd("5.00")) {
		t.Fatalf("balance after the webhook = %s", b)
	}
	paid := decodeAs[orderAnswerBody](t, send(t, asA, "POST", path+"/payment", "", 200))
	if paid.Status != provisioning.OrderPaid || len(paid.Items[0].ServiceIDs) != 1 || paid.Payment.Status != billing.PaymentPaid {
		t.Fatalf("paid: %+v, payment %+v", paid.Order, paid.Payment)
	}
	if b := w.balance(t, f.clientA); !b.IsZero() {
		t.Fatalf("balance = %s", b)
	}
	mustFieldError(t, call(t, asA, remote, "POST", path+"/payment", ""), 422, provisioning.ReasonOrderNotNew, "")

	// A start the gateway refuses does not undo the order: it answers 201
	// with the payment failed, to be started again.
	noReturn := decodeAs[orderAnswerBody](t, send(t, asA, "POST", v1+"/orders",
		`{"client_id":"`+a+`","pay_by":"gateway","method_id":"`+card.ID.String()+`",`+items+`}`, 201))
	if noReturn.Status != provisioning.OrderNew || noReturn.Payment == nil || noReturn.Payment.Status != billing.PaymentFailed {
		t.Fatalf("placed without a return URL: %+v, payment %+v", noReturn.Order, noReturn.Payment)
	}

	// An order by invoice has no gateway payment to start.
	inv := decodeAs[orderAnswerBody](t, send(t, asA, "POST", v1+"/orders", `{"client_id":"`+a+`","pay_by":"invoice",`+items+`}`, 201))
	if inv.Payment != nil || inv.InvoiceID.IsZero() {
		t.Fatalf("order by invoice: %+v", inv)
	}
	mustFieldError(t, call(t, asA, remote, "POST", v1+"/orders/"+inv.ID.String()+"/payment", `{"method_id":"`+card.ID.String()+`"}`), 422,
		provisioning.ReasonOrderNotByGateway, "")
	// One by gateway without a method gets one when it starts.
	later := decodeAs[orderAnswerBody](t, send(t, asA, "POST", v1+"/orders", `{"client_id":"`+a+`","pay_by":"gateway",`+items+`}`, 201))
	if later.Payment != nil || !later.PaymentID.IsZero() {
		t.Fatalf("order without a method: %+v", later)
	}
	path = v1 + "/orders/" + later.ID.String() + "/payment"
	mustFieldError(t, call(t, asA, remote, "POST", path, `{}`), 400, "required", "method_id")
	// Stripe refuses a start without a page to come back to: the payment
	// fails, and the next start makes another with the same method.
	mustFieldError(t, call(t, asA, remote, "POST", path, `{"method_id":"`+card.ID.String()+`"}`), 400, "required", "return_url")
	refused := decodeAs[provisioning.Order](t, send(t, asA, "GET", v1+"/orders/"+later.ID.String(), "", 200))
	if refused.Status != provisioning.OrderNew || refused.PaymentID.IsZero() {
		t.Fatalf("after a refused start: %+v", refused)
	}
	started := decodeAs[orderAnswerBody](t, send(t, asA, "POST", path, `{"return_url":"https://panel.example.com/paid","locale":"en"}`, 200))
	if started.Payment == nil || started.PaymentID != started.Payment.ID || started.Payment.ID == refused.PaymentID ||
		started.Payment.Status != billing.PaymentPending || started.Payment.MethodID != card.ID {
		t.Fatalf("started: %+v", started)
	}
}
