package api

import (
	"net/http"
	"strings"
	"testing"
)

func TestLedgerAdjustmentAndBalance(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	staff := w.as(w.login(t, w.admin.Email))
	cust := w.as(w.login(t, w.payingCustomer(t, "payer-a@example.com", f.clientA).Email))
	a, b := f.clientA.String(), f.clientB.String()

	r := send(t, staff, "POST", "/api/v1/ledger-entries", `{"client_id":"`+a+`","amount":{"amount":"25.00","currency":"USD"},"memo":"Goodwill"}`, 201)
	e := r.object(t)
	if e["kind"] != "adjustment" || e["memo"] != "Goodwill" || money(e["balance_after"]) != "15.00 USD" {
		t.Fatalf("posted: %s", r.Body)
	}

	// The fixtures charged client A 10.00 by hand: 25.00 - 10.00.
	for _, h := range []http.Handler{staff, cust} {
		r = send(t, h, "GET", "/api/v1/clients/"+a+"/balance", "", 200)
		if got := r.object(t); money(got["balance"]) != "15.00 USD" || got["client_id"] != a {
			t.Fatalf("balance %s", r.Body)
		}
	}
	r = send(t, cust, "GET", "/api/v1/ledger-entries?kind=adjustment", "", 200)
	if ids := listCodes(t, r, "client_id"); len(ids) != 1 || ids[0] != a {
		t.Fatalf("customer's adjustments: %s", r.Body)
	}
	r = send(t, staff, "GET", "/api/v1/ledger-entries?client_id="+a+"&from=2025-01-01T00:00:00Z", "", 200)
	if kinds := listCodes(t, r, "kind"); len(kinds) != 2 || kinds[0] != "adjustment" || kinds[1] != "expense" {
		t.Fatalf("client A's entries, newest first: %v", kinds)
	}

	// Customers read their own balance only, and never post.
	mustFieldError(t, call(t, cust, loopback, "GET", "/api/v1/clients/"+b+"/balance", ""), 404, "client.not_found", "")
	mustFieldError(t, call(t, cust, loopback, "POST", "/api/v1/ledger-entries", `{"client_id":"`+a+`","amount":{"amount":"100.00","currency":"USD"},"memo":"free money"}`),
		403, "access.denied", "")

	// Bad input names the field and changes nothing.
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/ledger-entries", `{"client_id":"`+a+`","amount":{"amount":"1.00","currency":"USD"},"memo":" "}`), 400, "required", "memo")
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/ledger-entries", `{"client_id":"`+a+`","amount":{"amount":"1.001","currency":"USD"},"memo":"x"}`),
		400, "ledger.too_many_decimals", "amount")
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/ledger-entries", `{"client_id":"`+a+`","amount":{"amount":"1e3","currency":"USD"},"memo":"x"}`),
		400, "", "amount.amount")
	mustFieldError(t, call(t, staff, loopback, "GET", "/api/v1/ledger-entries?kind=gift", ""), 400, "", "kind")
	// A debit below the credit limit is refused.
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/ledger-entries", `{"client_id":"`+a+`","amount":{"amount":"-100.00","currency":"USD"},"memo":"x"}`),
		422, "billing.insufficient_funds", "")
	r = send(t, staff, "GET", "/api/v1/clients/"+a+"/balance", "", 200)
	if got := r.object(t); money(got["balance"]) != "15.00 USD" {
		t.Fatalf("balance after refusals: %s", r.Body)
	}
}

// money reads a Money object of a decoded body as "amount currency".
func money(v any) string {
	m, _ := v.(map[string]any)
	a, _ := m["amount"].(string)
	c, _ := m["currency"].(string)
	return strings.TrimSpace(a + " " + c)
}
