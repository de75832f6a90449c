package access_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/store/bunstore"
)

// exampleIdentity returns an access Service on a fresh, migrated in-memory
// SQLite database called name, and the function that closes it.
func exampleIdentity(name string) (*access.Service, func()) {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, "file:"+name+"?mode=memory&cache=shared", bunstore.Config{})
	if err != nil {
		panic(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		panic(err)
	}
	clock := billkit.NewFakeClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	svc := access.NewService(st.Access(), access.Config{
		Clock: clock,
		// Cheap hashing for the example; leave Argon2 zero in production.
		Identity: access.IdentityConfig{Argon2: access.Argon2Params{Memory: 64, Time: 1, Threads: 1}},
	})
	return svc, func() { _ = st.Close() }
}

// Create the first staff user (as the CLI does, acting as the system) and
// sign in with it.
func ExampleService_Login() {
	svc, done := exampleIdentity("example_login")
	defer done()
	ctx := context.Background()

	admin, err := svc.CreateUser(ctx, billkit.SystemActor("cli"), access.CreateUserParams{
		Kind: access.UserKindStaff, Email: "Admin@Example.com", Name: "Admin", Password: "violet-otter-7-canyon",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(admin.Email, admin.Kind, admin.Status)

	_, err = svc.Login(ctx, access.LoginParams{Email: "admin@example.com", Password: "wrong password"})
	fmt.Println(billkit.ErrorReason(err))

	res, err := svc.Login(ctx, access.LoginParams{Email: "admin@example.com", Password: "violet-otter-7-canyon", IP: "192.0.2.1"})
	if err != nil {
		panic(err)
	}
	// The token goes into a cookie; only its hash is stored.
	user, _, err := svc.AuthenticateSession(ctx, res.Token, "192.0.2.1", "")
	if err != nil {
		panic(err)
	}
	fmt.Println(user.Email, user.FailedLogins)
	// Output:
	// admin@example.com staff active
	// access.invalid_credentials
	// admin@example.com 0
}

// Create an API key, shown once, and authenticate a program with it.
func ExampleService_AuthenticateAPIKey() {
	svc, done := exampleIdentity("example_apikey")
	defer done()
	ctx := context.Background()

	owner, err := svc.Register(ctx, access.RegisterParams{Email: "dev@example.com", Password: "violet-otter-7-canyon"})
	if err != nil {
		panic(err)
	}
	me := billkit.Actor{Kind: billkit.ActorCustomer, ID: owner.ID.String(), Name: owner.Email}
	created, err := svc.CreateAPIKey(ctx, me, access.CreateAPIKeyParams{
		Name:   "deploy script",
		Scopes: []billkit.Right{billkit.R("billing.client", billkit.OpRead)},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(created.Secret, "bk_"+created.Key.Prefix+"_"))

	key, user, err := svc.AuthenticateAPIKey(ctx, created.Secret)
	if err != nil {
		panic(err)
	}
	fmt.Println(key.Name, key.Scopes, user.Email)

	if err := svc.RevokeAPIKey(ctx, me, key.ID); err != nil {
		panic(err)
	}
	_, _, err = svc.AuthenticateAPIKey(ctx, created.Secret)
	fmt.Println(billkit.ErrorReason(err))
	// Output:
	// true
	// deploy script [billing.client:read] dev@example.com
	// access.apikey_invalid
}
