package api

import (
	"context"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

func TestExpensesDebtAndMonths(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	staff := w.as(w.login(t, w.admin.Email))
	cust := w.as(w.login(t, w.payingCustomer(t, "payer-a@example.com", f.clientA).Email))
	a := f.clientA.String()

	r := send(t, staff, "POST", "/api/v1/expenses", `{"client_id":"`+a+`","amount":{"amount":"31.00","currency":"USD"},"description":"Backup, 15 March to 15 April",`+
		`"period_start":"2025-03-15","period_end":"2025-04-15","allow_below_limit":true}`, 201)
	x := r.object(t)
	id, _ := x["id"].(string)
	if x["kind"] != "manual" || money(x["covered"]) != "0.00 USD" {
		t.Fatalf("charged: %s", r.Body)
	}
	// 15.00 arrives: it pays the oldest debt first, the fixtures' 10.00
	// charge, then 5.00 of this one.
	send(t, staff, "POST", "/api/v1/ledger-entries", `{"client_id":"`+a+`","amount":{"amount":"15.00","currency":"USD"},"memo":"Transfer"}`, 201)

	r = send(t, cust, "GET", "/api/v1/expenses/"+id, "", 200)
	var detail struct {
		Covered   Money `json:"covered"`
		Debt      Money `json:"debt"`
		CoveredBy []struct {
			Amount Money `json:"amount"`
		} `json:"covered_by"`
	}
	r.decode(t, &detail)
	if detail.Covered.String() != "5.00 USD" || detail.Debt.String() != "26.00 USD" || len(detail.CoveredBy) != 1 || detail.CoveredBy[0].Amount.String() != "5.00 USD" {
		t.Fatalf("expense: %s", r.Body)
	}
	r = send(t, cust, "GET", "/api/v1/clients/"+a+"/debt", "", 200)
	if got := r.object(t); money(got["total"]) != "26.00 USD" || len(got["debts"].([]any)) != 1 {
		t.Fatalf("debt: %s", r.Body)
	}
	r = send(t, cust, "GET", "/api/v1/expenses?client_id="+a+"&only_debt=true", "", 200)
	if got := listCodes(t, r, "id"); len(got) != 1 || got[0] != id {
		t.Fatalf("expenses in debt: %s", r.Body)
	}

	// 17 days of March's 31 and 14 of April's 30.
	r = send(t, cust, "GET", "/api/v1/expenses/"+id+"/months", "", 200)
	var split struct {
		Months []struct {
			Month  string `json:"month"`
			Days   int    `json:"days"`
			Amount Money  `json:"amount"`
		} `json:"months"`
	}
	r.decode(t, &split)
	if len(split.Months) != 2 || split.Months[0].Month != "2025-03-01" || split.Months[0].Days != 17 || split.Months[1].Days != 14 {
		t.Fatalf("months: %s", r.Body)
	}
	sum, err := split.Months[0].Amount.Add(split.Months[1].Amount.Money)
	if err != nil || sum.String() != "31.00 USD" {
		t.Fatalf("months add up to %s: %s", sum, r.Body)
	}

	// Customers read, staff charge; another client's customer sees nothing.
	mustFieldError(t, call(t, cust, loopback, "POST", "/api/v1/expenses", `{"client_id":"`+a+`","amount":{"amount":"1.00","currency":"USD"},"description":"x"}`),
		403, "billing.staff_only", "")
	other := w.as(w.login(t, w.payingCustomer(t, "payer-b@example.com", f.clientB).Email))
	mustStatus(t, get(t, other, "/api/v1/expenses/"+id), 404)
	mustStatus(t, get(t, other, "/api/v1/expenses/"+id+"/months"), 404)
	mustStatus(t, get(t, other, "/api/v1/clients/"+a+"/debt"), 404)
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/expenses", `{"client_id":"`+a+`","amount":{"amount":"0.00","currency":"USD"},"description":"x"}`),
		400, "expense.amount_not_positive", "amount")
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/expenses", `{"client_id":"`+a+`","amount":{"amount":"1.00","currency":"USD"},"description":"x",`+
		`"period_start":"2025-04-01","period_end":"2025-03-01"}`), 400, "expense.period_end_not_after_start", "period_end")
}

func TestRecalculationPreviewAndApply(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	staff := w.as(w.login(t, w.admin.Email))
	a := f.clientA.String()
	// A month of VPS 1 charged at 7.00 instead of its 5.00.
	x, err := w.bill.Charge(context.Background(), system, billing.ChargeParams{
		ClientID: f.clientA, Kind: billing.ExpensePeriod, Amount: usd("7.00"), Description: "VPS 1, March",
		PeriodStart: billkit.MustDate(2025, 3, 1), PeriodEnd: billkit.MustDate(2025, 4, 1), AllowBelowLimit: true,
		TariffID: f.tariff, Period: catalog.PeriodMonth, PriceDate: billkit.MustDate(2025, 3, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	balance := func() string {
		t.Helper()
		return money(send(t, staff, "GET", "/api/v1/clients/"+a+"/balance", "", 200).object(t)["balance"])
	}
	if got := balance(); got != "-17.00 USD" {
		t.Fatalf("balance before: %s", got)
	}

	r := send(t, staff, "POST", "/api/v1/recalculations/preview", `{"client_id":"`+a+`","from":"2025-03-01","memo":"Price error"}`, 200)
	preview := r.Body
	var p struct {
		ID    string `json:"id"`
		Lines []struct {
			ExpenseID  string `json:"expense_id"`
			Difference Money  `json:"difference"`
		} `json:"lines"`
		Total   Money `json:"total"`
		Applied bool  `json:"applied"`
	}
	r.decode(t, &p)
	if len(p.Lines) != 1 || p.Lines[0].ExpenseID != x.ID.String() || p.Lines[0].Difference.String() != "-2.00 USD" || p.Applied {
		t.Fatalf("preview: %s", preview)
	}
	if got := balance(); got != "-17.00 USD" {
		t.Fatalf("a preview changed the balance: %s", got)
	}

	// A preview whose figures were changed is not what the service
	// computes: nothing is posted.
	forged := strings.Replace(preview, `"difference":{"amount":"-2.00"`, `"difference":{"amount":"-200.00"`, 1)
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/recalculations", forged), 422, "recalculation.stale", "")

	// The preview sent back as it came is applied, once.
	r = send(t, staff, "POST", "/api/v1/recalculations", preview, 201)
	if got := r.object(t); got["applied"] != true || got["id"] != p.ID {
		t.Fatalf("applied: %s", r.Body)
	}
	if got := balance(); got != "-15.00 USD" {
		t.Fatalf("balance after: %s", got)
	}
	r = send(t, staff, "POST", "/api/v1/recalculations", preview, 201)
	if got := r.object(t); got["id"] != p.ID || balance() != "-15.00 USD" {
		t.Fatalf("applied again: %s, balance %s", r.Body, balance())
	}
	r = send(t, staff, "GET", "/api/v1/clients/"+a+"/recalculations", "", 200)
	if got := listCodes(t, r, "id"); !contains(got, p.ID) {
		t.Fatalf("recalculations: %s", r.Body)
	}
	send(t, staff, "GET", "/api/v1/recalculations/"+p.ID, "", 200)

	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/recalculations/preview", `{"client_id":"`+a+`","from":"2025-02-30"}`), 400, "", "from")
	owner := w.as(w.login(t, w.userFor(t, "owner-a", f.clientA, nil).Email))
	mustStatus(t, call(t, owner, loopback, "POST", "/api/v1/recalculations/preview", `{"client_id":"`+a+`","from":"2025-03-01"}`), 403)
}
