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
	"github.com/billkit/billkit/cmd/billkit/internal/api"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
)

// The API is an http.Handler over the services; mount it on any mux.
// Reading the directory is public; changing it needs a signed-in user with
// the right.
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
	system := billkit.SystemActor("example")
	dir := directory.NewService(st.Directory(), directory.Config{})
	if err := dir.Bootstrap(ctx, system); err != nil {
		panic(err)
	}
	acc := access.NewService(st.Access(), access.Config{})
	admin, err := acc.CreateUser(ctx, system, access.CreateUserParams{
		Kind: access.UserKindStaff, Email: "admin@example.com", Password: "a long passphrase",
	})
	if err != nil {
		panic(err)
	}
	if err := acc.SetFullRights(ctx, system, admin.ID, true); err != nil {
		panic(err)
	}
	h, err := api.New(api.Config{Directory: dir, Access: acc})
	if err != nil {
		panic(err)
	}
	do := func(method, path, body string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	rec := do("GET", "/api/v1/currencies/EUR", "")
	var c directory.Currency
	_ = json.NewDecoder(rec.Body).Decode(&c)
	fmt.Println(rec.Code, c.Code, c.Digits, c.Enabled)

	// Anonymous writes are refused.
	rec = do("POST", "/api/v1/currencies/JPY/enable", "")
	fmt.Print(rec.Code, " ", rec.Body.String())

	// Signing in sets the session cookie; with it, the write is allowed.
	rec = do("POST", "/api/v1/auth/login", `{"email":"admin@example.com","password":"a long passphrase"}`)
	session := rec.Result().Cookies()[0]
	fmt.Println(rec.Code, session.Name, session.HttpOnly)
	rec = do("POST", "/api/v1/currencies/JPY/enable", "", session)
	_ = json.NewDecoder(rec.Body).Decode(&c)
	fmt.Println(rec.Code, c.Code, c.Enabled)
	// Output:
	// 200 EUR 2 true
	// 401 {"code":"unauthenticated","reason":"auth.required","message":"sign in or send an API key","fields":[]}
	// 200 billkit_session true
	// 200 JPY true
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
