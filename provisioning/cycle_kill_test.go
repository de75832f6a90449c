//go:build unix

package provisioning_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
)

// The environment of a child process of TestCycleKilledProcess.
const (
	killChildDSN     = "BILLKIT_KILL_CHILD_DSN"     // the database the child runs the cycle on
	killChildAfter   = "BILLKIT_KILL_CHILD_AFTER"   // the store call at which it kills itself
	killChildNow     = "BILLKIT_KILL_CHILD_NOW"     // the instant its clock shows
	killChildWorkers = "BILLKIT_KILL_CHILD_WORKERS" // Config.CycleWorkers
)

// TestCycleKilledProcess runs the billing cycle in child processes that
// kill themselves (SIGKILL: no deferred call, no rollback sent, the
// connection simply gone) at a random store call, mid-transaction
// included, then once more to the end; then checks that every due period
// was charged exactly once, none skipped, every balance right, and that a
// further run finds nothing to do. On an SQLite file always, and on
// PostgreSQL when BILLKIT_TEST_POSTGRES_DSN is set.
func TestCycleKilledProcess(t *testing.T) {
	if os.Getenv(killChildDSN) != "" {
		t.Skip("a child of TestCycleKilledProcess")
	}
	t.Run("sqlite-file", func(t *testing.T) {
		st, dsn := storetest.NewFileDSN(t)
		testCycleKilledProcess(t, st, dsn, 1)
	})
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.PostgresDSNEnv) == "" {
			t.Skip(storetest.PostgresDSNEnv + " is not set")
		}
		st, dsn := storetest.NewPostgresDSN(t)
		testCycleKilledProcess(t, st, dsn, 2)
	})
}

func testCycleKilledProcess(t *testing.T, st *bunstore.Store, dsn string, workers int) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 11))
	e := newShopEnv(t, onStore(st), withConfig(func(c *provisioning.Config) { c.NoticeDays = []int{0} }))
	w := e.dueServices(t, rnd, 8, 3)

	kills := 0
	for attempt := 1; ; attempt++ {
		if attempt > 60 {
			t.Fatal("no run completed")
		}
		after := 1 + rnd.IntN(4*attempt)
		cmd := exec.Command(os.Args[0], "-test.run=^TestCycleKilledChild$", "-test.v")
		cmd.Env = append(os.Environ(),
			killChildDSN+"="+dsn,
			killChildAfter+"="+strconv.Itoa(after),
			killChildNow+"="+e.clock.Now().Format(time.RFC3339Nano),
			killChildWorkers+"="+strconv.Itoa(workers),
		)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil:
			t.Logf("run %d completed (it would have died at call %d)", attempt, after)
		case errors.As(err, &exit) && killedBySignal(exit, syscall.SIGKILL):
			kills++
			continue
		default:
			t.Fatalf("run %d (to die at call %d): %v\n%s", attempt, after, err, out)
		}
		break
	}
	e.checkAfterCrashes(t, w, kills)
}

// killedBySignal reports whether a child process ended by sig.
func killedBySignal(exit *exec.ExitError, sig syscall.Signal) bool {
	ws, ok := exit.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == sig
}

// TestCycleKilledChild is the child process of TestCycleKilledProcess:
// it runs the cycle on the database the parent prepared, and kills
// itself at the store call it was told.
func TestCycleKilledChild(t *testing.T) {
	dsn := os.Getenv(killChildDSN)
	if dsn == "" {
		t.Skip("run by TestCycleKilledProcess")
	}
	after, err1 := strconv.Atoi(os.Getenv(killChildAfter))
	now, err2 := time.Parse(time.RFC3339Nano, os.Getenv(killChildNow))
	workers, err3 := strconv.Atoi(os.Getenv(killChildWorkers))
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	st, err := bunstore.Open(ctx, dsn, bunstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	clock := billkit.NewFakeClock(now)
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	cat := catalog.NewService(st.Catalog(), dir, catalog.Config{Clock: clock})
	bill := billing.NewService(st.Billing(), dir, billing.Config{Clock: clock, Catalog: cat})
	reg, err := provisioning.NewRegistry(newTestModule("test"), provisioning.ManualModule{Department: "ops"})
	if err != nil {
		t.Fatal(err)
	}
	// The process dies at the after-th call: what it has not committed is
	// the database's to throw away.
	counter := &crashCounter{}
	counter.arm(after, func() { _ = syscall.Kill(os.Getpid(), syscall.SIGKILL) })
	mgr, err := provisioning.NewManager(crashStore{st.Provisioning(), counter}, provisioning.Config{
		Clock: clock, Billing: bill, Catalog: cat, Modules: reg,
		NoticeDays: []int{0}, CycleBatch: 4, CycleWorkers: workers,
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := mgr.RunCycle(context.Background(), system, provisioning.CycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) > 0 {
		t.Fatalf("failures: %+v", rep.Failures)
	}
	b, _ := json.Marshal(rep)
	fmt.Println(string(b))
}
