package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
)

// payment inserts a payment of the fixture's client, for an order to refer
// to.
func (f *provFixture) payment(t *testing.T) *billing.Payment {
	t.Helper()
	ctx := context.Background()
	m := &billing.PaymentMethod{
		ID: billkit.NewID[billing.PaymentMethod](), CompanyID: f.company.ID, ProviderIDs: []billkit.ProviderID{f.pid}, Gateway: "card",
		Name: directory.Text{"en": "Card"}, Currency: "USD", MinAmount: dec("1"), MaxAmount: dec("1000"), Enabled: true,
		Settings: map[string]string{}, Instructions: directory.Text{}, CreatedAt: t0, UpdatedAt: t0,
	}
	must(t, f.b.InsertPaymentMethod(ctx, m))
	p := &billing.Payment{
		ID: billkit.NewID[billing.Payment](), ClientID: f.client.ID, CompanyID: f.company.ID, MethodID: m.ID, Gateway: m.Gateway,
		Amount: billkit.MustParseMoney("10.00", "USD"), Refunded: billkit.MustParseMoney("0.00", "USD"), Status: billing.PaymentNew,
		CreatedAt: t0, UpdatedAt: t0,
	}
	must(t, f.b.InsertPayment(ctx, p))
	return p
}

func runProvOrders(t *testing.T, fixture func(t *testing.T) *provFixture) {
	ctx := context.Background()

	t.Run("crud", func(t *testing.T) {
		f := fixture(t)
		inv := f.draft("10.00")
		must(t, f.b.InsertInvoice(ctx, inv))
		o := &provisioning.Order{
			ID: billkit.NewID[provisioning.Order](), ProviderID: f.pid, ClientID: f.client.ID, Status: provisioning.OrderNew,
			PayBy: provisioning.PayByInvoice, Total: billkit.MustParseMoney("17.600", "USD"), InvoiceID: inv.ID,
			CancelAt: t0.Add(72 * time.Hour), CreatedAt: t0, UpdatedAt: t0,
			Items: []provisioning.OrderItem{
				{ID: billkit.NewID[provisioning.OrderItem](), TariffID: f.tariff.ID, Period: catalog.PeriodMonth, Quantity: 2,
					Addons:  map[string]catalog.AddonValue{"ram": {Quantity: dec("2")}, "panel": {Option: "isp"}},
					OSImage: "debian-12", DatacenterID: f.dc.ID, Agreements: []string{"tos", "aup"}, PromoCode: "SPRING",
					Price: billkit.MustParseMoney("11.00", "USD"), Recurring: billkit.MustParseMoney("5.50", "USD")},
				{ID: billkit.NewID[provisioning.OrderItem](), TariffID: f.tariff.ID, Period: catalog.PeriodYear, Quantity: 1,
					Domain: "example.com", Price: billkit.MustParseMoney("6.6", "USD"), Recurring: billkit.MustParseMoney("55", "USD")},
			},
		}
		must(t, f.p.InsertOrder(ctx, o))
		got, err := f.p.GetOrder(ctx, o.ID)
		must(t, err)
		want := *o
		want.CancelAt, want.CreatedAt, want.UpdatedAt = storedTime(o.CancelAt), storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpProv); diff != "" {
			t.Fatalf("GetOrder (-want +got):\n%s", diff)
		}
		locked, err := f.p.GetOrderForUpdate(ctx, o.ID)
		must(t, err)
		if diff := cmp.Diff(got, locked, cmpProv); diff != "" {
			t.Fatalf("GetOrderForUpdate (-get +locked):\n%s", diff)
		}
		wantCode(t, f.p.InsertOrder(ctx, o), billkit.CodeConflict, "order.exists")

		// Paid: the services are made and the order points at the payment.
		svc := f.service(t, f.client.ID, func(s *provisioning.Service) { s.OrderID = o.ID })
		pay := f.payment(t)
		got.Status, got.PaymentID, got.InvoiceID = provisioning.OrderPaid, pay.ID, billing.InvoiceID{}
		got.CancelAt, got.PaidAt, got.UpdatedAt = time.Time{}, t0.Add(time.Hour), t0.Add(time.Hour)
		got.Items[1].ServiceIDs = []provisioning.ServiceID{svc.ID}
		must(t, f.p.UpdateOrder(ctx, got))
		again, err := f.p.GetOrder(ctx, o.ID)
		must(t, err)
		want = *got
		want.PaidAt, want.UpdatedAt = storedTime(got.PaidAt), storedTime(got.UpdatedAt)
		if diff := cmp.Diff(&want, again, cmpProv); diff != "" {
			t.Fatalf("after UpdateOrder (-want +got):\n%s", diff)
		}
		if !again.CancelAt.IsZero() {
			t.Fatalf("cancel_at = %v, want zero", again.CancelAt)
		}

		// Without items an order reads back with an empty list.
		empty := f.order(t, f.client.ID, func(o *provisioning.Order) { o.Items = nil })
		gotEmpty, err := f.p.GetOrder(ctx, empty.ID)
		must(t, err)
		if gotEmpty.Items == nil || len(gotEmpty.Items) != 0 {
			t.Fatalf("items = %#v, want empty", gotEmpty.Items)
		}

		for name, mut := range map[string]func(*provisioning.Order){
			"client":  func(o *provisioning.Order) { o.ClientID = newBillingClientID() },
			"payment": func(o *provisioning.Order) { o.PaymentID = billkit.NewID[billing.Payment]() },
		} {
			bad := *empty
			bad.ID = billkit.NewID[provisioning.Order]()
			mut(&bad)
			if err := f.p.InsertOrder(ctx, &bad); !billkit.IsCode(err, billkit.CodeFailedPrecondition) {
				t.Errorf("an order with a missing %s: %v", name, err)
			}
		}
		for field, mut := range map[string]func(*provisioning.Order){
			"id":          func(o *provisioning.Order) { o.ID = provisioning.OrderID{} },
			"provider_id": func(o *provisioning.Order) { o.ProviderID = billkit.ProviderID{} },
			"client_id":   func(o *provisioning.Order) { o.ClientID = billkit.ClientID{} },
			"total":       func(o *provisioning.Order) { o.Total = billkit.Money{} },
		} {
			bad := *empty
			bad.ID = billkit.NewID[provisioning.Order]()
			mut(&bad)
			if err := f.p.InsertOrder(ctx, &bad); !hasField(err, field) {
				t.Errorf("an order without %s: %v", field, err)
			}
		}
		_, err = f.p.GetOrder(ctx, billkit.NewID[provisioning.Order]())
		wantCode(t, err, billkit.CodeNotFound, "order.not_found")
		_, err = f.p.GetOrderForUpdate(ctx, provisioning.OrderID{})
		wantCode(t, err, billkit.CodeNotFound, "order.not_found")
		missing := *empty
		missing.ID = billkit.NewID[provisioning.Order]()
		wantCode(t, f.p.UpdateOrder(ctx, &missing), billkit.CodeNotFound, "order.not_found")
	})

	t.Run("list", func(t *testing.T) {
		f := fixture(t)
		a, b := f.client, f.billingFixture.client(t, "B")
		type spec struct {
			client billkit.ClientID
			status provisioning.OrderStatus
			cancel time.Time
		}
		var all []provisioning.Order
		for _, sp := range []spec{
			{a.ID, provisioning.OrderNew, t0.Add(time.Hour)},
			{a.ID, provisioning.OrderNew, t0.Add(3 * time.Hour)},
			{b.ID, provisioning.OrderNew, t0.Add(30 * time.Minute)},
			{a.ID, provisioning.OrderPaid, time.Time{}},
			{b.ID, provisioning.OrderCancelled, t0},
			{a.ID, provisioning.OrderCompleted, time.Time{}},
		} {
			all = append(all, *f.order(t, sp.client, func(o *provisioning.Order) { o.Status, o.CancelAt = sp.status, sp.cancel }))
		}
		id := func(o provisioning.Order) string { return o.ID.String() }
		bound := t0.Add(2 * time.Hour)
		checkFilters(t, "orders", all, id, []filterCase[provisioning.Order, provisioning.OrderFilter]{
			{"all", provisioning.OrderFilter{}, func(provisioning.Order) bool { return true }},
			{"client", provisioning.OrderFilter{ClientID: b.ID}, func(o provisioning.Order) bool { return o.ClientID == b.ID }},
			{"client_ids", provisioning.OrderFilter{ClientIDs: []billkit.ClientID{a.ID}}, func(o provisioning.Order) bool { return o.ClientID == a.ID }},
			{"client_ids_empty", provisioning.OrderFilter{ClientIDs: []billkit.ClientID{}}, func(provisioning.Order) bool { return false }},
			{"statuses", provisioning.OrderFilter{Statuses: []provisioning.OrderStatus{provisioning.OrderPaid, provisioning.OrderCompleted}},
				func(o provisioning.Order) bool {
					return o.Status == provisioning.OrderPaid || o.Status == provisioning.OrderCompleted
				}},
			{"cancel_before", provisioning.OrderFilter{CancelBefore: bound},
				func(o provisioning.Order) bool { return !o.CancelAt.IsZero() && o.CancelAt.Before(bound) }},
			{"to_cancel", provisioning.OrderFilter{Statuses: []provisioning.OrderStatus{provisioning.OrderNew}, CancelBefore: bound},
				func(o provisioning.Order) bool {
					return o.Status == provisioning.OrderNew && !o.CancelAt.IsZero() && o.CancelAt.Before(bound)
				}},
		}, func(fl provisioning.OrderFilter, pp billkit.PageParams) (billkit.Page[provisioning.Order], error) {
			fl.PageParams = pp
			return f.p.ListOrders(ctx, fl)
		})
	})
}

func runProvTasks(t *testing.T, fixture func(t *testing.T) *provFixture) {
	ctx := context.Background()

	t.Run("crud", func(t *testing.T) {
		f := fixture(t)
		svc := f.service(t, f.client.ID, nil)
		// The input is kept byte for byte, spacing and key order included.
		input := json.RawMessage(`{"tariff_id": "x",  "addons": {"b": 1, "a": 2}}`)
		k := &provisioning.Task{ID: billkit.NewID[provisioning.Task](), ServiceID: svc.ID, ClientID: svc.ClientID, Operation: provisioning.OpChange,
			Module: "proxmox", Status: provisioning.TaskWaiting, Input: input, Attempts: 2, MaxAttempts: 8, NextRunAt: t0.Add(time.Minute),
			LeaseUntil: t0.Add(10 * time.Minute), LastError: "timeout", Department: "noc", CreatedAt: t0, UpdatedAt: t0}
		must(t, f.p.InsertTask(ctx, k))
		got, err := f.p.GetTask(ctx, k.ID)
		must(t, err)
		want := *k
		want.NextRunAt, want.LeaseUntil, want.CreatedAt, want.UpdatedAt = storedTime(k.NextRunAt), storedTime(k.LeaseUntil), storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpProv); diff != "" {
			t.Fatalf("GetTask (-want +got):\n%s", diff)
		}
		if string(got.Input) != string(input) {
			t.Fatalf("input = %s, want %s byte for byte", got.Input, input)
		}
		wantCode(t, f.p.InsertTask(ctx, k), billkit.CodeConflict, "task.exists")

		got.Status, got.Input, got.LeaseUntil, got.FinishedAt = provisioning.TaskDone, nil, time.Time{}, t0.Add(time.Hour)
		got.LastError, got.UpdatedAt = "", t0.Add(time.Hour)
		must(t, f.p.UpdateTask(ctx, got))
		again, err := f.p.GetTask(ctx, k.ID)
		must(t, err)
		want = *got
		want.FinishedAt, want.UpdatedAt = storedTime(got.FinishedAt), storedTime(got.UpdatedAt)
		if diff := cmp.Diff(&want, again, cmpProv); diff != "" {
			t.Fatalf("after UpdateTask (-want +got):\n%s", diff)
		}
		if again.Input != nil || !again.LeaseUntil.IsZero() {
			t.Fatalf("input %q, lease %v; want nil and zero", again.Input, again.LeaseUntil)
		}
		// An empty input is no input.
		empty := f.task(t, svc, func(k *provisioning.Task) { k.Input = json.RawMessage{} })
		gotEmpty, err := f.p.GetTask(ctx, empty.ID)
		must(t, err)
		if gotEmpty.Input != nil {
			t.Fatalf("empty input reads back %q", gotEmpty.Input)
		}

		bad := *k
		bad.ID, bad.Input = billkit.NewID[provisioning.Task](), json.RawMessage(`{"a":`)
		if err := f.p.InsertTask(ctx, &bad); !hasField(err, "input") {
			t.Fatalf("a task with malformed input: %v", err)
		}
		bad.Input, bad.ServiceID = nil, billkit.NewID[provisioning.Service]()
		wantCode(t, f.p.InsertTask(ctx, &bad), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		bad.ServiceID = provisioning.ServiceID{}
		if err := f.p.InsertTask(ctx, &bad); !hasField(err, "service_id") {
			t.Fatalf("a task without a service: %v", err)
		}
		_, err = f.p.GetTask(ctx, billkit.NewID[provisioning.Task]())
		wantCode(t, err, billkit.CodeNotFound, "task.not_found")
		missing := *k
		missing.ID = billkit.NewID[provisioning.Task]()
		wantCode(t, f.p.UpdateTask(ctx, &missing), billkit.CodeNotFound, "task.not_found")
	})

	t.Run("list", func(t *testing.T) {
		f := fixture(t)
		b := f.billingFixture.client(t, "B")
		s1, s2 := f.service(t, f.client.ID, nil), f.service(t, b.ID, nil)
		now := t0.Add(time.Hour)
		type spec struct {
			svc    *provisioning.Service
			status provisioning.TaskStatus
			next   time.Time
			lease  time.Time
		}
		var all []provisioning.Task
		for _, sp := range []spec{
			{s1, provisioning.TaskQueued, now, time.Time{}},                      // due now
			{s1, provisioning.TaskQueued, now.Add(time.Second), time.Time{}},     // not yet
			{s2, provisioning.TaskRunning, t0, now.Add(-time.Minute)},            // lease over
			{s2, provisioning.TaskRunning, t0, now.Add(time.Minute)},             // still leased
			{s1, provisioning.TaskWaiting, t0, time.Time{}},                      // waits for an answer
			{s2, provisioning.TaskFailed, t0, time.Time{}},                       // for staff
			{s1, provisioning.TaskDone, t0, time.Time{}},                         // over
			{s2, provisioning.TaskQueued, now.Add(-24 * time.Hour), time.Time{}}, // overdue
			{s1, provisioning.TaskRunning, t0, time.Time{}},                      // no lease: never claimable
		} {
			all = append(all, *f.task(t, sp.svc, func(k *provisioning.Task) { k.Status, k.NextRunAt, k.LeaseUntil = sp.status, sp.next, sp.lease }))
		}
		id := func(k provisioning.Task) string { return k.ID.String() }
		due := func(k provisioning.Task) bool {
			return (k.Status == provisioning.TaskQueued && !k.NextRunAt.After(now)) ||
				(k.Status == provisioning.TaskRunning && !k.LeaseUntil.IsZero() && !k.LeaseUntil.After(now))
		}
		checkFilters(t, "tasks", all, id, []filterCase[provisioning.Task, provisioning.TaskFilter]{
			{"all", provisioning.TaskFilter{}, func(provisioning.Task) bool { return true }},
			{"service", provisioning.TaskFilter{ServiceID: s2.ID}, func(k provisioning.Task) bool { return k.ServiceID == s2.ID }},
			{"client_ids", provisioning.TaskFilter{ClientIDs: []billkit.ClientID{f.client.ID}}, func(k provisioning.Task) bool { return k.ClientID == f.client.ID }},
			{"client_ids_empty", provisioning.TaskFilter{ClientIDs: []billkit.ClientID{}}, func(provisioning.Task) bool { return false }},
			{"statuses", provisioning.TaskFilter{Statuses: []provisioning.TaskStatus{provisioning.TaskFailed, provisioning.TaskWaiting}},
				func(k provisioning.Task) bool {
					return k.Status == provisioning.TaskFailed || k.Status == provisioning.TaskWaiting
				}},
			{"due", provisioning.TaskFilter{DueBy: now}, due},
			{"due_of_service", provisioning.TaskFilter{DueBy: now, ServiceID: s1.ID}, func(k provisioning.Task) bool { return due(k) && k.ServiceID == s1.ID }},
			{"due_queued", provisioning.TaskFilter{DueBy: now, Statuses: []provisioning.TaskStatus{provisioning.TaskQueued}},
				func(k provisioning.Task) bool { return due(k) && k.Status == provisioning.TaskQueued }},
		}, func(fl provisioning.TaskFilter, pp billkit.PageParams) (billkit.Page[provisioning.Task], error) {
			fl.PageParams = pp
			return f.p.ListTasks(ctx, fl)
		})
	})

	t.Run("claim", func(t *testing.T) {
		f := fixture(t)
		svc := f.service(t, f.client.ID, nil)
		now := t0.Add(time.Hour)
		lease := now.Add(10 * time.Minute)
		k := f.task(t, svc, func(k *provisioning.Task) { k.NextRunAt = now.Add(time.Second) })

		// Not due yet.
		got, err := f.p.ClaimTask(ctx, k.ID, now, lease)
		must(t, err)
		if got != nil {
			t.Fatalf("a task not due was claimed: %+v", got)
		}
		later := now.Add(time.Second)
		got, err = f.p.ClaimTask(ctx, k.ID, later, lease)
		must(t, err)
		if got == nil {
			t.Fatal("a due task was not claimed")
		}
		if got.Status != provisioning.TaskRunning || got.Attempts != 1 || !got.LeaseUntil.Equal(storedTime(lease)) || !got.UpdatedAt.Equal(storedTime(later)) {
			t.Fatalf("claimed task = %+v", got)
		}
		// Leased: nobody else gets it until the lease ends.
		if again, err := f.p.ClaimTask(ctx, k.ID, later, lease.Add(time.Minute)); err != nil || again != nil {
			t.Fatalf("second claim = %+v, %v", again, err)
		}
		if again, err := f.p.ClaimTask(ctx, k.ID, lease.Add(-time.Microsecond), lease.Add(time.Hour)); err != nil || again != nil {
			t.Fatalf("claim before the lease ends = %+v, %v", again, err)
		}
		// The worker is presumed dead at the end of the lease.
		got, err = f.p.ClaimTask(ctx, k.ID, lease, lease.Add(10*time.Minute))
		must(t, err)
		if got == nil || got.Attempts != 2 || !got.LeaseUntil.Equal(storedTime(lease.Add(10*time.Minute))) {
			t.Fatalf("claim after the lease = %+v", got)
		}
		// Final and waiting tasks are not claimable.
		for _, st := range []provisioning.TaskStatus{provisioning.TaskDone, provisioning.TaskWaiting, provisioning.TaskFailed, provisioning.TaskCancelled} {
			got.Status = st
			must(t, f.p.UpdateTask(ctx, got))
			if c, err := f.p.ClaimTask(ctx, k.ID, lease.Add(24*time.Hour), lease.Add(25*time.Hour)); err != nil || c != nil {
				t.Fatalf("claim of a %s task = %+v, %v", st, c, err)
			}
		}
		_, err = f.p.ClaimTask(ctx, billkit.NewID[provisioning.Task](), now, lease)
		wantCode(t, err, billkit.CodeNotFound, "task.not_found")
		_, err = f.p.ClaimTask(ctx, k.ID, now, now)
		wantCode(t, err, billkit.CodeInvalid, "")
	})

	t.Run("attempts", func(t *testing.T) {
		f := fixture(t)
		svc := f.service(t, f.client.ID, nil)
		k, other := f.task(t, svc, nil), f.task(t, svc, nil)
		attempt := func(task *provisioning.Task, n int, outcome string) *provisioning.TaskAttempt {
			return &provisioning.TaskAttempt{TaskID: task.ID, Attempt: n, StartedAt: t0.Add(time.Duration(n) * time.Minute),
				FinishedAt: t0.Add(time.Duration(n)*time.Minute + time.Second), Outcome: outcome, Error: "e" + itoa(int64(n))}
		}
		// Attempt 10 after 9 and 2: the order is numeric.
		for _, n := range []int{10, 2, 1, 9} {
			must(t, f.p.InsertTaskAttempt(ctx, attempt(k, n, "retry")))
		}
		must(t, f.p.InsertTaskAttempt(ctx, attempt(other, 1, "done")))
		wantCode(t, f.p.InsertTaskAttempt(ctx, attempt(k, 2, "done")), billkit.CodeConflict, "task_attempt.exists")
		orphan := attempt(k, 1, "done")
		orphan.TaskID = billkit.NewID[provisioning.Task]()
		wantCode(t, f.p.InsertTaskAttempt(ctx, orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		orphan.TaskID = provisioning.TaskID{}
		if err := f.p.InsertTaskAttempt(ctx, orphan); !hasField(err, "task_id") {
			t.Fatalf("an attempt without a task: %v", err)
		}

		key := func(a provisioning.TaskAttempt) string { return a.TaskID.String() + "/" + itoa(int64(a.Attempt)) }
		got := collect(t, 1, key, func(pp billkit.PageParams) (billkit.Page[provisioning.TaskAttempt], error) {
			return f.p.ListTaskAttempts(ctx, provisioning.TaskAttemptFilter{TaskID: k.ID, PageParams: pp})
		})
		var want []provisioning.TaskAttempt
		for _, n := range []int{1, 2, 9, 10} {
			a := attempt(k, n, "retry")
			a.StartedAt, a.FinishedAt = storedTime(a.StartedAt), storedTime(a.FinishedAt)
			want = append(want, *a)
		}
		if diff := cmp.Diff(want, got, cmpProv); diff != "" {
			t.Fatalf("attempts (-want +got):\n%s", diff)
		}
	})
}
