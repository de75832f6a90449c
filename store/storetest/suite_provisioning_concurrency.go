package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

// race runs fn n times at once, each in its own goroutine, released
// together so that they contend, and returns their errors in order.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// runProvConcurrency checks the guarantees provisioning relies on when
// several workers or processes share one database. On SQLite they hold
// because transactions run one at a time; on PostgreSQL they must come
// from the unique keys, conditional updates and row locks.
func runProvConcurrency(t *testing.T, fixture func(t *testing.T) *provFixture) {
	ctx := context.Background()

	// The exactly-once guarantee of the billing cycle: of transactions that
	// renew the same period at once, one commits and the others roll back
	// with conflict "renewal.exists", leaving nothing of theirs behind.
	t.Run("renewal_once", func(t *testing.T) {
		f := fixture(t)
		svc := f.service(t, f.client.ID, nil)
		start := billkit.MustDate(2026, 2, 28)
		const n = 8
		errs := race(n, func(i int) error {
			return f.p.InTx(ctx, func(tx provisioning.Store) error {
				e := &provisioning.ServiceEvent{ID: billkit.NewID[provisioning.ServiceEvent](), ServiceID: svc.ID, At: t0,
					ActorKind: billkit.ActorSystem, ActorID: "cycle", Kind: "renewed", Memo: itoa(int64(i))}
				if err := tx.InsertServiceEvent(ctx, e); err != nil {
					return err
				}
				return tx.InsertRenewal(ctx, &provisioning.Renewal{ServiceID: svc.ID, PeriodStart: start, PeriodEnd: start.AddMonths(1),
					ClientID: svc.ClientID, Amount: billkit.MustParseMoney("5.50", "USD"), Kind: "renewal", CreatedAt: t0})
			})
		})
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won >= 0:
				t.Fatalf("renewals %d and %d both committed", won, i)
			case err == nil:
				won = i
			default:
				wantCode(t, err, billkit.CodeConflict, "renewal.exists")
			}
		}
		if won < 0 {
			t.Fatal("no renewal committed")
		}
		rs, err := f.p.ListRenewals(ctx, provisioning.RenewalFilter{ServiceID: svc.ID})
		must(t, err)
		events, err := f.p.ListServiceEvents(ctx, provisioning.ServiceEventFilter{ServiceID: svc.ID})
		must(t, err)
		if len(rs.Items) != 1 || len(events.Items) != 1 || events.Items[0].Memo != itoa(int64(won)) {
			t.Fatalf("%d renewals and %d events remain, want the winner's one of each", len(rs.Items), len(events.Items))
		}
	})

	t.Run("notice_once", func(t *testing.T) {
		f := fixture(t)
		svc := f.service(t, f.client.ID, nil)
		errs := race(6, func(int) error {
			return f.p.InsertNotice(ctx, &provisioning.Notice{ServiceID: svc.ID, ExpiresOn: svc.ExpiresOn, DaysBefore: 3, ClientID: svc.ClientID, CreatedAt: t0})
		})
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				wantCode(t, err, billkit.CodeConflict, "notice.exists")
			}
		}
		if ok != 1 {
			t.Fatalf("%d notices recorded, want 1", ok)
		}
	})

	t.Run("server_slots", func(t *testing.T) {
		f := fixture(t)
		s := f.server(t, "proxmox", 5, true)
		const n = 20
		got := make([]bool, n)
		errs := race(n, func(i int) error {
			ok, err := f.p.ClaimServerSlot(ctx, s.ID)
			got[i] = ok
			return err
		})
		claimed := 0
		for i, err := range errs {
			must(t, err)
			if got[i] {
				claimed++
			}
		}
		srv, err := f.p.GetServer(ctx, s.ID)
		must(t, err)
		if claimed != 5 || srv.Load != 5 {
			t.Fatalf("%d of %d claims won, load %d; want 5 and 5", claimed, n, srv.Load)
		}
		// Releases at once never take the load below zero.
		for _, err := range race(8, func(int) error { return f.p.ReleaseServerSlot(ctx, s.ID) }) {
			must(t, err)
		}
		srv, err = f.p.GetServer(ctx, s.ID)
		must(t, err)
		if srv.Load != 0 {
			t.Fatalf("load after releases = %d, want 0", srv.Load)
		}
	})

	t.Run("task_claim", func(t *testing.T) {
		f := fixture(t)
		svc := f.service(t, f.client.ID, nil)
		k := f.task(t, svc, nil)
		now := t0.Add(time.Hour)
		const n = 10
		claimed := make([]*provisioning.Task, n)
		errs := race(n, func(i int) error {
			got, err := f.p.ClaimTask(ctx, k.ID, now, now.Add(time.Minute))
			claimed[i] = got
			return err
		})
		winners := 0
		for i, err := range errs {
			must(t, err)
			if claimed[i] != nil {
				winners++
				if claimed[i].Attempts != 1 || claimed[i].Status != provisioning.TaskRunning {
					t.Fatalf("winner's task = %+v", claimed[i])
				}
			}
		}
		if winners != 1 {
			t.Fatalf("%d workers claimed the task, want 1", winners)
		}
	})

	// Read-modify-write under GetServiceForUpdate and GetOrderForUpdate
	// loses no update: each transaction sees the one before it committed.
	t.Run("locked_updates", func(t *testing.T) {
		f := fixture(t)
		svc := f.service(t, f.client.ID, func(s *provisioning.Service) { s.PeriodsPaid = 0 })
		o := f.order(t, f.client.ID, func(o *provisioning.Order) { o.Total = billkit.MustParseMoney("0", "USD") })
		const n = 10
		one := billkit.MustParseMoney("1", "USD")
		// Two races, so that neither lock hides behind the other.
		for _, err := range race(n, func(int) error {
			return f.p.InTx(ctx, func(tx provisioning.Store) error {
				s, err := tx.GetServiceForUpdate(ctx, svc.ID)
				if err != nil {
					return err
				}
				s.PeriodsPaid++
				return tx.UpdateService(ctx, s)
			})
		}) {
			must(t, err)
		}
		for _, err := range race(n, func(int) error {
			return f.p.InTx(ctx, func(tx provisioning.Store) error {
				ord, err := tx.GetOrderForUpdate(ctx, o.ID)
				if err != nil {
					return err
				}
				if ord.Total, err = ord.Total.Add(one); err != nil {
					return err
				}
				return tx.UpdateOrder(ctx, ord)
			})
		}) {
			must(t, err)
		}
		got, err := f.p.GetService(ctx, svc.ID)
		must(t, err)
		gotOrder, err := f.p.GetOrder(ctx, o.ID)
		must(t, err)
		if got.PeriodsPaid != n || !gotOrder.Total.Equal(billkit.MustParseMoney("10", "USD")) {
			t.Fatalf("periods paid %d, total %s; want %d and 10 USD", got.PeriodsPaid, gotOrder.Total, n)
		}
	})
}
