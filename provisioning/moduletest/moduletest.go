package moduletest

import (
	"errors"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

// WantRetryable fails the test unless err is a transient failure the
// manager retries: an unavailable *billkit.Error with reason, not a
// refusal, whose message holds each of texts.
func WantRetryable(t testing.TB, err error, reason string, texts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Run succeeded, want a %s error", reason)
	}
	t.Logf("error: %v", err)
	if provisioning.Permanent(err) {
		t.Fatalf("error %v is permanent, want retryable", err)
	}
	if !billkit.IsCode(err, billkit.CodeUnavailable) || !billkit.HasReason(err, reason) {
		t.Fatalf("error = %v, want unavailable %s", err, reason)
	}
	for _, s := range texts {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

// WantRefusal fails the test unless err is a refusal
// (*provisioning.PermanentError) whose message holds text.
func WantRefusal(t testing.TB, err error, text string) {
	t.Helper()
	var p *provisioning.PermanentError
	if !errors.As(err, &p) || !provisioning.Permanent(err) {
		t.Fatalf("error = %v, want a refusal", err)
	}
	t.Logf("refusal: %v", err)
	if !strings.Contains(err.Error(), text) {
		t.Fatalf("refusal %q does not contain %q", err, text)
	}
}
