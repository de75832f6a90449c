package stripetest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/billkit/billkit/billing/stripe/stripetest"
)

// The fake speaks Stripe's form-encoded API: here a Checkout Session is
// created with plain HTTP, then paid as a customer would pay it, which gives
// the signed webhook event Stripe would post.
func ExampleServer() {
	srv := stripetest.NewServer(nil, stripetest.Config{})
	defer srv.Close()

	form := url.Values{
		"mode":                                          {"payment"},
		"line_items[0][price_data][currency]":           {"eur"},
		"line_items[0][price_data][unit_amount]":        {"990"},
		"line_items[0][price_data][product_data][name]": {"Domain renewal"},
		"line_items[0][quantity]":                       {"1"},
		"success_url":                                   {"https://panel.example.com/paid"},
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/checkout/sessions", strings.NewReader(form.Encode()))
	req.Header.Set("Authorization", "Bearer "+srv.SecretKey)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	var session struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&session)
	resp.Body.Close()
	fmt.Println(session.ID, session.Status)

	event, err := srv.CompleteSession(session.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	paid, _ := srv.Session(session.ID)
	fmt.Println(event.Type, paid.PaymentStatus, event.Header.Get("Stripe-Signature") != "")
	// Output:
	// cs_test_000001 open
	// checkout.session.completed paid true
}
