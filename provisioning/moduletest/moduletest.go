package moduletest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

// CheckRetryable returns nil when err is a transient failure the manager
// retries (an unavailable *billkit.Error with reason, not a refusal) whose
// message holds each of texts, and otherwise says what err is instead.
func CheckRetryable(err error, reason string, texts ...string) error {
	switch {
	case err == nil:
		return fmt.Errorf("no error, want a %s error", reason)
	case provisioning.Permanent(err):
		return fmt.Errorf("error %v is a refusal, want a retryable %s error", err, reason)
	case !billkit.IsCode(err, billkit.CodeUnavailable) || !billkit.HasReason(err, reason):
		return fmt.Errorf("error = %v, want unavailable %s", err, reason)
	}
	return contains(err, texts)
}

// CheckRefusal returns nil when err is a refusal
// (*provisioning.PermanentError), which fails the task at once, whose
// message holds each of texts, and otherwise says what err is instead.
func CheckRefusal(err error, texts ...string) error {
	var p *provisioning.PermanentError
	if !errors.As(err, &p) || !provisioning.Permanent(err) {
		return fmt.Errorf("error = %v, want a refusal", err)
	}
	return contains(err, texts)
}

func contains(err error, texts []string) error {
	for _, s := range texts {
		if !strings.Contains(err.Error(), s) {
			return fmt.Errorf("error %q does not contain %q", err, s)
		}
	}
	return nil
}

// WantRetryable fails the test unless CheckRetryable accepts err.
func WantRetryable(t testing.TB, err error, reason string, texts ...string) {
	t.Helper()
	if e := CheckRetryable(err, reason, texts...); e != nil {
		t.Fatal(e)
	}
}

// WantRefusal fails the test unless CheckRefusal accepts err.
func WantRefusal(t testing.TB, err error, texts ...string) {
	t.Helper()
	if e := CheckRefusal(err, texts...); e != nil {
		t.Fatal(e)
	}
}
