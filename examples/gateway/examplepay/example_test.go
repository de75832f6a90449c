package examplepay_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/examples/gateway/examplepay"
	"github.com/billkit/billkit/store/bunstore"
)

// A card payment through ExamplePay, end to end: billkit starts the payment
// and gets the page to send the customer to; the customer pays; ExamplePay's
// signed webhook credits the balance; the same webhook delivered again
// changes nothing; a forged one is refused; staff refund part of it.
func Example() {
	ctx := context.Background()
	// ExamplePay itself, in memory, behind a real HTTP server.
	service := examplepay.NewServer("shop_1", "sk_test_1", "whsec_1")
	api := httptest.NewServer(service)
	defer api.Close()

	st, err := bunstore.Open(ctx, "file:examplepay_example?mode=memory&cache=shared", bunstore.Config{})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		panic(err)
	}
	admin := billkit.SystemActor("example") // in a real program: the authenticated actor
	dir := directory.NewService(st.Directory(), directory.Config{})
	if err := dir.Bootstrap(ctx, admin); err != nil {
		panic(err)
	}
	// The gateway is passed in the configuration, like any third-party one.
	svc := billing.NewService(st.Billing(), dir, billing.Config{
		Gateways: []billing.Gateway{examplepay.New(examplepay.Config{HTTPClient: api.Client()})},
	})

	prov, err := svc.CreateProvider(ctx, admin, billing.CreateProviderParams{Name: "HostCo", Currency: "RUB"})
	if err != nil {
		panic(err)
	}
	company, err := svc.CreateCompany(ctx, admin, billing.CreateCompanyParams{LegalName: "HostCo LLC", Country: "RU", ProviderIDs: []billkit.ProviderID{prov.ID}})
	if err != nil {
		panic(err)
	}
	card, err := svc.CreatePaymentMethod(ctx, admin, billing.CreatePaymentMethodParams{
		CompanyID: company.ID, Gateway: examplepay.Code, Name: directory.Text{"en": "Card"},
		Settings: map[string]string{
			examplepay.SettingAPIURL: api.URL, examplepay.SettingShopID: "shop_1",
			examplepay.SettingSecretKey: "sk_test_1", examplepay.SettingWebhookSecret: "whsec_1",
		},
	})
	if err != nil {
		panic(err)
	}
	client, err := svc.CreateClient(ctx, admin, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme Hosting"})
	if err != nil {
		panic(err)
	}

	p, err := svc.Pay(ctx, admin, billing.PayParams{
		CreatePaymentParams: billing.CreatePaymentParams{ClientID: client.ID, MethodID: card.ID, Amount: billkit.MustParseMoney("1000.00", "RUB"), Memo: "Top-up"},
		StartOptions:        billing.StartOptions{ReturnURL: "https://panel.hostco.test/payments", SaveMethod: true},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("started:", p.Status, strings.HasPrefix(p.RedirectURL, "https://checkout.examplepay.test/pay/"))

	// The customer pays on ExamplePay's page; ExamplePay posts a webhook,
	// which the HTTP layer hands to HandleCallback.
	hook, err := service.Pay(p.GatewayPaymentID)
	if err != nil {
		panic(err)
	}
	deliver := func(h examplepay.Webhook) (*billing.Payment, error) {
		return svc.HandleCallback(ctx, card.ID, billing.CallbackRequest{Header: h.Header, Body: h.Body})
	}
	p, err = deliver(hook)
	if err != nil {
		panic(err)
	}
	fmt.Println("webhook:", p.Status, p.Credited)
	p, err = deliver(hook)
	if err != nil {
		panic(err)
	}
	fmt.Println("again:", p.Status, p.Credited)
	forged := examplepay.Webhook{Header: hook.Header, Body: []byte(strings.Replace(string(hook.Body), "1000.00", "9000.00", 1))}
	_, err = deliver(forged)
	fmt.Println("forged:", billkit.ErrorReason(err))

	r, err := svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: billkit.MustParseMoney("300.00", "RUB"), Reason: "unused days"})
	if err != nil {
		panic(err)
	}
	fmt.Println("refund:", r.Status, r.Debited)
	// ExamplePay's own webhook about that refund changes nothing more.
	refunded, err := service.RefundedWebhook(p.GatewayPaymentID)
	if err != nil {
		panic(err)
	}
	if p, err = deliver(refunded); err != nil {
		panic(err)
	}
	fmt.Println("after the refund:", p.Status, p.Refunded)

	balance, err := svc.Balance(ctx, admin, client.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("balance:", balance)
	saved, err := svc.ListSavedMethods(ctx, admin, client.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("saved:", saved[0].Label)
	// Output:
	// started: pending true
	// webhook: paid 1000.00 RUB
	// again: paid 1000.00 RUB
	// forged: payment.callback_signature
	// refund: done 300.00 RUB
	// after the refund: partly_refunded 300.00 RUB
	// balance: 700.00 RUB
	// saved: Bank card *4444
}
