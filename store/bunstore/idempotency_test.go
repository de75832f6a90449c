package bunstore_test

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
)

func TestIdempotencyKeys(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testIdempotencyKeys(t, storetest.NewMemory(t)) })
	t.Run("postgres", func(t *testing.T) { testIdempotencyKeys(t, storetest.NewPostgres(t)) })
}

func testIdempotencyKeys(t *testing.T, st *bunstore.Store) {
	ctx := t.Context()
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	call := bunstore.IdempotentCall{Caller: "staff:alice", Key: "k", Fingerprint: []byte("fp"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}

	if _, _, err := st.ClaimIdempotencyKey(ctx, bunstore.IdempotentCall{Caller: "staff:alice"}, now); err == nil {
		t.Fatal("a claim without key and fingerprint was accepted")
	}

	// Ten concurrent claims of one key: one wins.
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, claimed, err := st.ClaimIdempotencyKey(ctx, call, now)
			if err != nil {
				t.Error(err)
				return
			}
			if claimed {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d claims won, want 1", won)
	}

	got, claimed, err := st.ClaimIdempotencyKey(ctx, call, now)
	if err != nil || claimed || got.Done || !bytes.Equal(got.Fingerprint, []byte("fp")) {
		t.Fatalf("running call: %+v %v %v", got, claimed, err)
	}
	if err := st.FinishIdempotencyKey(ctx, "staff:alice", "k", 201, map[string][]string{"Location": {"/x"}}, []byte(`{"id":1}`)); err != nil {
		t.Fatal(err)
	}
	// A finished answer is not abandoned by a late cleanup.
	if err := st.AbandonIdempotencyKey(ctx, "staff:alice", "k"); err != nil {
		t.Fatal(err)
	}
	got, claimed, err = st.ClaimIdempotencyKey(ctx, call, now.Add(time.Minute))
	if err != nil || claimed || !got.Done || got.Status != 201 || string(got.Body) != `{"id":1}` || got.Header["Location"][0] != "/x" {
		t.Fatalf("finished call: %+v %v %v", got, claimed, err)
	}
	// Another caller's key of the same name is its own.
	other := call
	other.Caller = "staff:bob"
	if _, claimed, err := st.ClaimIdempotencyKey(ctx, other, now); err != nil || !claimed {
		t.Fatalf("other caller: %v %v", claimed, err)
	}
	// An abandoned running call frees its key.
	if err := st.AbandonIdempotencyKey(ctx, "staff:bob", "k"); err != nil {
		t.Fatal(err)
	}
	if _, claimed, err := st.ClaimIdempotencyKey(ctx, other, now); err != nil || !claimed {
		t.Fatalf("after abandon: %v %v", claimed, err)
	}
	// Expired answers free their keys and are purged.
	later := now.Add(2 * time.Hour)
	fresh := call
	fresh.CreatedAt, fresh.ExpiresAt = later, later.Add(time.Hour)
	if _, claimed, err := st.ClaimIdempotencyKey(ctx, fresh, later); err != nil || !claimed {
		t.Fatalf("after expiry: %v %v", claimed, err)
	}
	n, err := st.PurgeIdempotencyKeys(ctx, later)
	if err != nil || n != 1 { // bob's; alice's was replaced
		t.Fatalf("purged %d, %v", n, err)
	}
}
