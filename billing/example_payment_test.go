package billing_test

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// A bank transfer through the built-in manual gateway: the customer starts
// the payment and sees the bank details, staff confirm it when the money
// arrives, and the balance is credited once; part of it is refunded later.
func ExampleService_Pay() {
	ctx := context.Background()
	svc, prov, st := exampleService("example_payment_pay")
	defer st.Close()
	staff := billkit.SystemActor("example") // in a real program: the authenticated actor

	company, err := svc.CreateCompany(ctx, staff, billing.CreateCompanyParams{
		LegalName: "HostCo LLC", Country: "RU", ProviderIDs: []billkit.ProviderID{prov.ID},
	})
	if err != nil {
		panic(err)
	}
	transfer, err := svc.CreatePaymentMethod(ctx, staff, billing.CreatePaymentMethodParams{
		CompanyID: company.ID, Gateway: billing.GatewayManual,
		Name:         directory.Text{"en": "Bank transfer", "ru": "Банковский перевод"},
		Instructions: directory.Text{"en": "HostCo LLC, account 40702810000000000001, BIC 044525225"},
		MinAmount:    decimal.RequireFromString("100"),
	})
	if err != nil {
		panic(err)
	}
	client, err := svc.CreateClient(ctx, staff, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme Hosting", Locale: "en"})
	if err != nil {
		panic(err)
	}

	// The customer tops up the balance.
	p, err := svc.Pay(ctx, staff, billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{
		ClientID: client.ID, MethodID: transfer.ID, Amount: billkit.MustParseMoney("1500.00", "RUB"), Memo: "Top-up",
	}})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Status, "-", p.Instructions)

	// The money arrives at the bank; staff confirm it.
	p, err = svc.ConfirmPayment(ctx, staff, p.ID, "statement 2026-03-05 #17")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Status, p.Credited)
	// A second confirmation is refused: the money is credited once.
	_, err = svc.ConfirmPayment(ctx, staff, p.ID, "")
	fmt.Println("again:", billkit.ErrorReason(err))

	r, err := svc.RefundPayment(ctx, staff, p.ID, billing.RefundParams{Amount: billkit.MustParseMoney("500.00", "RUB"), Reason: "unused month"})
	if err != nil {
		panic(err)
	}
	fmt.Println("refund:", r.Status, r.Debited)
	balance, err := svc.Balance(ctx, staff, client.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("balance:", balance)
	// Output:
	// pending - HostCo LLC, account 40702810000000000001, BIC 044525225
	// paid 1500.00 RUB
	// again: payment.status_transition
	// refund: done 500.00 RUB
	// balance: 1000.00 RUB
}
