package moduletest_test

import (
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
