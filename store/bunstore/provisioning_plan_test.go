package bunstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/storetest"
	"github.com/uptrace/bun"
)

// lastSelect is a query hook that keeps the last SELECT bun ran.
type lastSelect struct {
	mu    sync.Mutex
	query string
}

func (h *lastSelect) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (h *lastSelect) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.HasPrefix(strings.TrimSpace(e.Query), "SELECT") {
		h.mu.Lock()
		h.query = e.Query
		h.mu.Unlock()
	}
}

func (h *lastSelect) last() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.query
}

// TestProvisioningQueriesUseTheirIndexes checks, on SQLite, that the scans
// the billing cycle, the task workers and the order reaper make, and the
// per-client reads, search their indexes rather than the whole table. The
// queries are the ones the store sends, caught by a query hook.
func TestProvisioningQueriesUseTheirIndexes(t *testing.T) {
	st := storetest.NewMemory(t)
	db, ok := st.DB().(*bun.DB)
	if !ok {
		t.Fatalf("the store runs on %T", st.DB())
	}
	hook := &lastSelect{}
	db.AddQueryHook(hook)
	ctx := context.Background()
	p := st.Provisioning()
	client := billkit.ClientID{}
	if err := client.UnmarshalText([]byte(billkit.NewID[struct{}]().String())); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		run   func() error
		index string
	}{
		{"cycle", func() error {
			_, err := p.ListServices(ctx, provisioning.ServiceFilter{ExpiresBefore: billkit.MustDate(2026, 3, 1),
				Statuses: []provisioning.Status{provisioning.StatusActive, provisioning.StatusSuspended}})
			return err
		}, "billkit_services_cycle_idx"},
		{"client_services", func() error {
			_, err := p.ListServices(ctx, provisioning.ServiceFilter{ClientID: client})
			return err
		}, "billkit_services_client_idx"},
		{"limit_per_client", func() error {
			_, err := p.CountClientServices(ctx, client, billkit.NewID[catalog.Tariff]())
			return err
		}, "billkit_services_client_tariff_idx"},
		{"due_tasks", func() error {
			_, err := p.ListTasks(ctx, provisioning.TaskFilter{DueBy: now})
			return err
		}, "billkit_tasks_due_idx"},
		{"leased_tasks", func() error {
			_, err := p.ListTasks(ctx, provisioning.TaskFilter{DueBy: now})
			return err
		}, "billkit_tasks_lease_idx"},
		{"service_tasks", func() error {
			_, err := p.ListTasks(ctx, provisioning.TaskFilter{ServiceID: billkit.NewID[provisioning.Service]()})
			return err
		}, "billkit_tasks_service_idx"},
		{"orders_to_cancel", func() error {
			_, err := p.ListOrders(ctx, provisioning.OrderFilter{Statuses: []provisioning.OrderStatus{provisioning.OrderNew}, CancelBefore: now})
			return err
		}, "billkit_orders_cancel_idx"},
		{"client_orders", func() error {
			_, err := p.ListOrders(ctx, provisioning.OrderFilter{ClientID: client})
			return err
		}, "billkit_orders_client_idx"},
		{"client_renewals", func() error {
			_, err := p.ListRenewals(ctx, provisioning.RenewalFilter{ClientID: client})
			return err
		}, "billkit_service_renewals_client_idx"},
		{"service_events", func() error {
			_, err := p.ListServiceEvents(ctx, provisioning.ServiceEventFilter{ServiceID: billkit.NewID[provisioning.Service]()})
			return err
		}, "billkit_service_events_service_idx"},
	} {
		if err := tc.run(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		query := hook.last()
		rows, err := st.DB().QueryContext(ctx, "EXPLAIN QUERY PLAN "+query)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if p := strings.Join(plan, "; "); !strings.Contains(p, "USING INDEX "+tc.index) || strings.Contains(p, "SCAN ") {
			t.Errorf("%s: %s\nplan: %s\nwant a search of %s", tc.name, query, p, tc.index)
		}
	}
}
