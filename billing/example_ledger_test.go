package billing_test

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/shopspring/decimal"
)

// A payment in, a charge out, and a charge the credit limit refuses: the
// balance is the sum of the entries.
func ExampleService_Post() {
	ctx := context.Background()
	svc, prov, st := exampleService("example_ledger_post")
	defer st.Close()
	staff := billkit.SystemActor("example") // in a real program: the authenticated actor

	client, err := svc.CreateClient(ctx, staff, billing.CreateClientParams{
		ProviderID: prov.ID, Name: "Acme Hosting", CreditLimit: decimal.RequireFromString("100"),
	})
	if err != nil {
		panic(err)
	}
	payment, err := svc.Post(ctx, staff, billing.PostParams{
		ClientID: client.ID, Amount: billkit.MustParseMoney("1500.00", "RUB"),
		Kind: billing.LedgerPayment, CauseType: "payment", CauseID: "bank-2026-0042",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("after the payment:", payment.BalanceAfter)
	charge, err := svc.Post(ctx, staff, billing.PostParams{
		ClientID: client.ID, Amount: billkit.MustParseMoney("-1599.99", "RUB"),
		Kind: billing.LedgerExpense, Memo: "VPS L, March",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("after the charge:", charge.BalanceAfter)
	_, err = svc.Post(ctx, staff, billing.PostParams{
		ClientID: client.ID, Amount: billkit.MustParseMoney("-0.02", "RUB"), Kind: billing.LedgerExpense,
	})
	fmt.Println("one more charge:", billkit.ErrorReason(err))

	balance, err := svc.Balance(ctx, staff, client.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("balance:", balance)
	problems, err := svc.AuditLedger(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("audit discrepancies:", len(problems))
	// Output:
	// after the payment: 1500.00 RUB
	// after the charge: -99.99 RUB
	// one more charge: billing.insufficient_funds
	// balance: -99.99 RUB
	// audit discrepancies: 0
}
