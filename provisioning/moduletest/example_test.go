package moduletest_test

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/moduletest"
)

// A module answers a panel that is down with a retryable error, and a
// request the panel will never accept with a refusal; the checks tell
// them apart.
func Example() {
	down := billkit.Errorf(billkit.CodeUnavailable, "panel.down", "the panel answered 503")
	refused := &provisioning.PermanentError{Message: "the panel has no such plan"}

	fmt.Println(moduletest.CheckRetryable(down, "panel.down", "503"))
	fmt.Println(moduletest.CheckRefusal(refused, "no such plan"))
	fmt.Println(moduletest.CheckRetryable(refused, "panel.down"))
	// Output:
	// <nil>
	// <nil>
	// error the panel has no such plan is a refusal, want a retryable panel.down error
}

// A test's module lists two accounts on a server, then fails as a panel
// that is down.
func ExampleListing() {
	l, err := moduletest.NewListing(provisioning.ManualModule{},
		provisioning.ListedService{RemoteID: "u1042", Plan: "vps-1"},
		provisioning.ListedService{RemoteID: "u1043", Status: provisioning.StatusSuspended})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	listed, err := l.List(ctx, provisioning.ListRequest{Operation: provisioning.OpList})
	fmt.Println(len(listed), listed[0].RemoteID, err)

	l.Fail(billkit.Errorf(billkit.CodeUnavailable, "panel.down", "the panel answered 503"))
	_, err = l.List(ctx, provisioning.ListRequest{Operation: provisioning.OpList})
	fmt.Println(moduletest.CheckRetryable(err, "panel.down"), len(l.Requests()))
	// Output:
	// 2 u1042 <nil>
	// <nil> 2
}
