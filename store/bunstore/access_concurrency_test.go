package bunstore_test

import (
	"context"
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/store/storetest"
)

// Concurrent failed logins on PostgreSQL must each count: the counter that
// locks a user is read and written under a row lock, so none is lost.
func TestConcurrentFailedLoginsAllCount(t *testing.T) {
	st := storetest.NewPostgres(t)
	ctx := context.Background()
	svc := access.NewService(st.Access(), access.Config{Identity: access.IdentityConfig{
		Argon2:          access.Argon2Params{Memory: 64, Time: 1, Threads: 1},
		MaxFailedLogins: 1000, // count, never lock, so every attempt checks the password
	}})
	u, err := svc.CreateUser(ctx, billkit.SystemActor("test"), access.CreateUserParams{
		Kind: access.UserKindCustomer, Email: "race@example.com", Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	const n = 12
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.Login(ctx, access.LoginParams{Email: u.Email, Password: "wrong password, surely"})
			if !billkit.IsCode(err, billkit.CodeUnauthenticated) {
				t.Errorf("login = %v, want unauthenticated", err)
			}
		}()
	}
	wg.Wait()
	got, err := st.Access().GetUser(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FailedLogins != n {
		t.Fatalf("FailedLogins = %d after %d concurrent failures", got.FailedLogins, n)
	}
}
