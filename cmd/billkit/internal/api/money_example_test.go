package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/cmd/billkit/internal/api"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
)

// A bank transfer through the API: staff set up the payment method, the
// client's payment starts pending with the bank details to show, and once
// staff see the money arrive and confirm it, the balance is credited.
// Gateways that report by themselves (Stripe) post to
// /api/v1/payments/callback/{method_id} instead of the confirmation.
func ExampleNew_payments() {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, ":memory:", bunstore.Config{})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		panic(err)
	}
	system := billkit.SystemActor("example")
	dir := directory.NewService(st.Directory(), directory.Config{})
	if err := dir.Bootstrap(ctx, system); err != nil {
		panic(err)
	}
	acc := access.NewService(st.Access(), access.Config{})
	bill := billing.NewService(st.Billing(), dir, billing.Config{})
	admin, err := acc.CreateUser(ctx, system, access.CreateUserParams{
		Kind: access.UserKindStaff, Email: "admin@example.com", Password: "a long passphrase",
	})
	if err != nil {
		panic(err)
	}
	if err := acc.SetFullRights(ctx, system, admin.ID, true); err != nil {
		panic(err)
	}
	p, _ := bill.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Hosting", Currency: "EUR"})
	co, _ := bill.CreateCompany(ctx, system, billing.CreateCompanyParams{
		LegalName: "Hosting GmbH", Country: "DE", Address: billing.Address{City: "Berlin"}, ProviderIDs: []billkit.ProviderID{p.ID},
	})
	client, _ := bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: p.ID, Name: "Alice"})

	h, err := api.New(api.Config{Directory: dir, Access: acc, Billing: bill})
	if err != nil {
		panic(err)
	}
	var session *http.Cookie
	do := func(method, path, body string) map[string]any {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if session != nil {
			req.AddCookie(session)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if c := rec.Result().Cookies(); len(c) > 0 {
			session = c[0]
		}
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return out
	}
	amount := func(v any) string {
		m := v.(map[string]any)
		return fmt.Sprint(m["amount"], " ", m["currency"])
	}

	do("POST", "/api/v1/auth/login", `{"email":"admin@example.com","password":"a long passphrase"}`)
	method := do("POST", "/api/v1/payment-methods", `{"company_id":"`+co.ID.String()+`","gateway":"manual","name":{"en":"Bank transfer"},`+
		`"settings":{"instructions":"IBAN DE02 1203 0000 0000 2020 51"}}`)
	fmt.Println(method["gateway"], method["setting_keys"])

	paid := do("POST", "/api/v1/payments", `{"client_id":"`+client.ID.String()+`","method_id":"`+method["id"].(string)+`",`+
		`"amount":{"amount":"20.00","currency":"EUR"}}`)["payment"].(map[string]any)
	fmt.Println(paid["status"], amount(paid["amount"]), paid["instructions"])

	paid = do("POST", "/api/v1/payments/"+paid["id"].(string)+"/confirm", `{"reference":"SEPA 4711"}`)
	fmt.Println(paid["status"], amount(paid["credited"]))
	fmt.Println(amount(do("GET", "/api/v1/clients/"+client.ID.String()+"/balance", "")["balance"]))
	// Output:
	// manual [instructions]
	// pending 20.00 EUR IBAN DE02 1203 0000 0000 2020 51
	// paid 20.00 EUR
	// 20.00 EUR
}
