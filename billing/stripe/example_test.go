package stripe_test

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/billing/stripe"
	"github.com/billkit/billkit/billing/stripe/stripetest"
)

// A payment through Stripe Checkout, against the fake Stripe server: Start
// gives the page to send the customer to, the customer pays, and Stripe's
// webhook says the payment is paid.
func ExampleGateway() {
	srv := stripetest.NewServer(nil, stripetest.Config{})
	defer srv.Close()
	gw := stripe.New(stripe.Config{BackendURL: srv.URL})
	settings := srv.Settings() // secret_key and webhook_secret of the payment method

	res, err := gw.Start(context.Background(), billing.StartPaymentRequest{
		PaymentID:   billkit.NewID[billing.Payment](),
		Amount:      billkit.MustParseMoney("1500", "JPY"),
		Description: "VPS S, December",
		ReturnURL:   "https://panel.example.com/payments/done",
		Settings:    settings,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.GatewayPaymentID, res.RedirectURL != "")

	// The customer pays on the page; Stripe posts the event to the webhook.
	event, err := srv.CompleteSession(res.GatewayPaymentID)
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := gw.ParseCallback(context.Background(), billing.CallbackRequest{
		Header: event.Header, Body: event.Body, Settings: settings,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Status, rep.Amount, rep.GatewayPaymentID)
	// Output:
	// pending cs_test_000001 true
	// paid 1500 JPY cs_test_000001
}
