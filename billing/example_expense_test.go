package billing_test

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// Two charges a client cannot pay yet are debt; a payment pays the oldest
// first, and a recalculation after a wrong price gives the difference back
// as an adjustment, without editing the expense.
func ExampleService_Charge() {
	ctx := context.Background()
	svc, prov, st := exampleService("example_expense_charge")
	defer st.Close()
	staff := billkit.SystemActor("example") // in a real program: the authenticated actor

	client, err := svc.CreateClient(ctx, staff, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme Hosting"})
	if err != nil {
		panic(err)
	}
	charge := func(desc, amount string, start billkit.Date) *billing.Expense {
		x, err := svc.Charge(ctx, staff, billing.ChargeParams{
			ClientID: client.ID, Kind: billing.ExpensePeriod, Amount: billkit.MustParseMoney(amount, "RUB"),
			Description: desc, PeriodStart: start, PeriodEnd: start.AddMonths(1),
			AllowBelowLimit: true, // renewals the business decides to give on credit
		})
		if err != nil {
			panic(err)
		}
		return x
	}
	march := charge("VPS, March", "1000.00", billkit.MustDate(2026, 3, 1))
	april := charge("VPS, April", "1000.00", billkit.MustDate(2026, 4, 1))

	_, err = svc.Post(ctx, staff, billing.PostParams{
		ClientID: client.ID, Amount: billkit.MustParseMoney("1500.00", "RUB"), Kind: billing.LedgerPayment,
		CauseType: "payment", CauseID: billkit.NewID[billing.Payment]().String(),
	})
	if err != nil {
		panic(err)
	}
	for _, id := range []billing.ExpenseID{march.ID, april.ID} {
		x, err := svc.GetExpense(ctx, staff, id)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s: covered %s, owed %s\n", x.Description, x.Covered, x.Debt())
	}

	// April should have cost 800.00: preview, then apply.
	preview, err := svc.PreviewRecalculation(ctx, staff, billing.RecalcParams{
		ClientID: client.ID, From: billkit.MustDate(2026, 4, 1), Memo: "April price error",
		Repricer: billing.RepricerFunc(func(_ context.Context, x billing.Expense) (billkit.Money, bool, error) {
			return billkit.MustParseMoney("800.00", "RUB"), true, nil
		}),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("recalculation:", preview.Total)
	if _, err := svc.ApplyRecalculation(ctx, staff, preview); err != nil {
		panic(err)
	}
	debt, err := svc.ClientDebt(ctx, staff, client.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println("owed after it:", debt.Total)

	parts, err := march.SplitByMonth()
	if err != nil {
		panic(err)
	}
	fmt.Println("March by month:", parts[0].Month, parts[0].Amount)
	found, err := svc.Audit(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("audit findings:", len(found))
	// Output:
	// VPS, March: covered 1000.00 RUB, owed 0.00 RUB
	// VPS, April: covered 500.00 RUB, owed 500.00 RUB
	// recalculation: -200.00 RUB
	// owed after it: 300.00 RUB
	// March by month: 2026-03-01 1000.00 RUB
	// audit findings: 0
}
