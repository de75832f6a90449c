package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/provisioning/webhook"
)

// A remote system receives the operation, checks its signature, accepts it
// with 202 and answers later with a signed callback, which billkit reads
// with VerifyCallback.
func ExampleVerifyCallback() {
	key := []byte("a-shared-secret-of-32-bytes-----")
	clock := billkit.NewFakeClock(time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC))

	var taskID string
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(key, r.Header.Get(webhook.SignatureHeader), body, clock.Now(), 0); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		taskID = r.Header.Get(webhook.IdempotencyHeader)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer remote.Close()

	m, err := webhook.New(webhook.Config{URL: remote.URL, Secret: key, Clock: clock})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := m.Run(context.Background(), provisioning.Request{
		TaskID:    billkit.NewID[provisioning.Task](),
		Operation: provisioning.OpOpen,
		Attempt:   1,
	})
	fmt.Println(res.Pending, err)

	// Later, the remote system's callback.
	body := []byte(`{"task_id":"` + taskID + `","status":"ok","params":{"ip":"192.0.2.10"}}`)
	header := webhook.Sign(key, clock.Now(), body)
	cb, err := webhook.VerifyCallback(key, header, body, clock.Now(), 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cb.TaskID.String() == taskID, cb.OK(), cb.Result().Params["ip"])
	// Output:
	// true <nil>
	// true true 192.0.2.10
}
