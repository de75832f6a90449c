package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/cmd/billkit/internal/api"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
)

// The API is an http.Handler over a directory.Service; mount it on any mux.
func ExampleNew() {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, ":memory:", bunstore.Config{})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		panic(err)
	}
	svc := directory.NewService(st.Directory(), directory.Config{})
	if err := svc.Bootstrap(ctx, billkit.SystemActor("example")); err != nil {
		panic(err)
	}
	h, err := api.New(api.Config{Directory: svc})
	if err != nil {
		panic(err)
	}

	req := httptest.NewRequest("GET", "/api/v1/currencies/EUR", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var c directory.Currency
	_ = json.NewDecoder(rec.Body).Decode(&c)
	fmt.Println(rec.Code, c.Code, c.Digits, c.Enabled)

	// Writes from other than loopback addresses are refused.
	req = httptest.NewRequest("POST", "/api/v1/currencies/JPY/enable", strings.NewReader(""))
	req.RemoteAddr = "198.51.100.4:5000"
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// 200 EUR 2 true
	// 403 {"code":"forbidden","reason":"api.writes_loopback_only","message":"writes are accepted only from loopback addresses until access control is configured","fields":[]}
}

// Every error code has one HTTP status.
func ExampleStatus() {
	for _, c := range billkit.Codes() {
		fmt.Println(c, api.Status(c))
	}
	// Output:
	// invalid 400
	// not_found 404
	// conflict 409
	// forbidden 403
	// unauthenticated 401
	// failed_precondition 422
	// unavailable 503
	// internal 500
}

// FromError keeps what a client may act on and hides the rest.
func ExampleFromError() {
	e := api.FromError(billkit.InvalidField("digits", "currency.digits_out_of_range", "must be between 0 and 8"))
	b, _ := json.Marshal(e)
	fmt.Println(e.GetStatus(), string(b))

	e = api.FromError(fmt.Errorf("dial tcp 10.0.0.5:5432: connection refused"))
	b, _ = json.Marshal(e)
	fmt.Println(e.GetStatus(), string(b))
	// Output:
	// 400 {"code":"invalid","reason":"currency.digits_out_of_range","message":"invalid input","fields":[{"field":"digits","reason":"currency.digits_out_of_range","message":"must be between 0 and 8"}]}
	// 500 {"code":"internal","reason":"internal","message":"internal error","fields":[]}
}
