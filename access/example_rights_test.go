package access_test

import (
	"context"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/store/bunstore"
)

// Example_rights gives a department a right, puts a staff user in it, and
// checks what the user may do: everything not granted is denied.
func Example_rights() {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, ":memory:", bunstore.Config{})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		panic(err)
	}
	clock := billkit.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc := access.NewService(st.Access(), access.Config{Clock: clock})
	system := billkit.SystemActor("setup")

	// A staff user, stored directly here; the identity side of access
	// creates users with passwords.
	bob := access.User{ID: billkit.NewID[access.User](), Kind: access.UserKindStaff, Email: "bob@example.com",
		Name: "Bob", Locale: "en", Status: access.UserStatusActive, CreatedAt: clock.Now(), UpdatedAt: clock.Now()}
	if err := st.Access().InsertUser(ctx, &bob); err != nil {
		panic(err)
	}

	billingDept, err := svc.CreateDepartment(ctx, system, access.CreateDepartmentParams{Name: "Billing"})
	if err != nil {
		panic(err)
	}
	if _, err := svc.AddDepartmentMember(ctx, system, billingDept.ID, bob.ID); err != nil {
		panic(err)
	}
	if _, err := svc.Grant(ctx, system, access.GrantParams{DepartmentID: billingDept.ID, Right: billkit.R("billing.client", billkit.OpRead)}); err != nil {
		panic(err)
	}

	perms, err := svc.PermissionsForStaff(ctx, bob.ID)
	if err != nil {
		panic(err)
	}
	actor := billkit.Actor{Kind: billkit.ActorStaff, ID: bob.ID.String(), Name: bob.Email, Permissions: perms}
	fmt.Println("read clients:", actor.Authorize(billkit.R("billing.client", billkit.OpRead)) == nil)
	fmt.Println("edit clients:", actor.Authorize(billkit.R("billing.client", billkit.OpEdit)))
	_, err = svc.CreateDepartment(ctx, actor, access.CreateDepartmentParams{Name: "Sales"})
	fmt.Println("create a department:", billkit.ErrorCode(err))
	// Output:
	// read clients: true
	// edit clients: forbidden (access.denied): the right billing.client:edit is required
	// create a department: forbidden
}

// ExamplePermissionsForAPIKey scopes a key to two rights; it gets only the
// one its owner holds.
func ExamplePermissionsForAPIKey() {
	var owner billkit.Permissions = staffRights{billkit.R("billing.client", billkit.OpRead)}
	key := access.PermissionsForAPIKey(owner, []billkit.Right{
		billkit.R("billing.client", billkit.OpRead),
		billkit.R("billing.client", billkit.OpEdit),
	})
	fmt.Println(key.Allows(billkit.R("billing.client", billkit.OpRead), billkit.ClientID{}))
	fmt.Println(key.Allows(billkit.R("billing.client", billkit.OpEdit), billkit.ClientID{}))
	// Output:
	// true
	// false
}

// staffRights stands in for what PermissionsForStaff returns.
type staffRights []billkit.Right

func (s staffRights) Allows(r billkit.Right, _ billkit.ClientID) bool {
	for _, x := range s {
		if x == r {
			return true
		}
	}
	return false
}

func (s staffRights) Clients() ([]billkit.ClientID, bool) { return nil, true }
