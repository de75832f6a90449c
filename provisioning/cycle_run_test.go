package provisioning_test

import (
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
)

// order orders items for the client from its balance, as the client.
func (e *env) order(t *testing.T, client billkit.ClientID, items ...provisioning.OrderItemParams) *provisioning.Order {
	t.Helper()
	o, err := e.mgr.CreateOrder(ctx, customer(client), provisioning.CreateOrderParams{ClientID: client, Items: items})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// cycle runs the billing cycle now, then the tasks it queued, and fails
// the test on a failure.
func (e *env) cycle(t *testing.T) provisioning.CycleReport {
	t.Helper()
	rep, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) > 0 {
		t.Fatalf("cycle failures: %+v", rep.Failures)
	}
	e.drainTasks(t)
	return rep
}

// drainTasks runs tasks until none is due.
func (e *env) drainTasks(t *testing.T) {
	t.Helper()
	for {
		n, err := e.mgr.RunDueTasks(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// renewals lists a service's paid periods.
func (e *env) renewals(t *testing.T, id provisioning.ServiceID) []provisioning.Renewal {
	t.Helper()
	p, err := e.mgr.ListRenewals(ctx, system, provisioning.RenewalFilter{ServiceID: id, PageParams: billkit.PageParams{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return p.Items
}

// today is the clock's day in the provider's zone (UTC in newEnv).
func (e *env) today() billkit.Date { return billkit.DateOf(e.clock.Now()) }

// upTo moves the clock a day at a time to the day d, running the cycle on
// each day, and returns the reports added up.
func (e *env) upTo(t *testing.T, d billkit.Date) provisioning.CycleReport {
	t.Helper()
	var sum provisioning.CycleReport
	for e.today().Before(d) {
		e.clock.Advance(24 * time.Hour)
		r := e.cycle(t)
		sum.Notices += r.Notices
		sum.Invoices += r.Invoices
		sum.Renewals += r.Renewals
		sum.Suspensions += r.Suspensions
		sum.Resumptions += r.Resumptions
		sum.Deletions += r.Deletions
		sum.Unpaid += r.Unpaid
	}
	return sum
}

func TestCycleRenewsOncePerPeriod(t *testing.T) {
	e := newShopEnv(t)
	o := e.order(t, e.client.ID, e.vpsItem(1, "1"))
	e.drainTasks(t)
	id := o.Items[0].ServiceIDs[0]
	expires := e.today().AddMonths(1)
	sum := e.upTo(t, expires.AddDays(-1))
	// Reminders 10, 5, 3 and 1 days before, nothing else.
	if sum.Notices != 4 || sum.Renewals != 0 {
		t.Fatalf("before expiry: %+v", sum)
	}
	sum = e.upTo(t, expires)
	if sum.Notices != 1 || sum.Renewals != 1 {
		t.Fatalf("on expiry: %+v", sum)
	}
	// Again, and again on the same day: nothing more.
	for range 2 {
		if r := e.cycle(t); r.Renewals != 0 || r.Notices != 0 {
			t.Fatalf("second run: %+v", r)
		}
	}
	s := e.service(t, id)
	if s.ExpiresOn != expires.AddMonths(1) || s.PeriodsPaid != 2 || s.Status != provisioning.StatusActive {
		t.Fatalf("service = %+v", s)
	}
	rs := e.renewals(t, id)
	if len(rs) != 2 || rs[1].Kind != "renewal" || rs[1].PeriodStart != expires || rs[1].PeriodEnd != expires.AddMonths(1) || !rs[1].Amount.Equal(usd("10.00")) {
		t.Fatalf("renewals = %+v", rs)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("980.00")) {
		t.Fatalf("balance = %s", b)
	}
	if n := e.count(t, "billkit_service_notices", "service_id = ?", id); n != 5 {
		t.Fatalf("%d notices recorded, want 5", n)
	}
	if n := e.actions(t, "provisioning.service.renew", id.String()); n != 1 {
		t.Fatalf("%d renew actions, want 1", n)
	}
	// One renewal, one action: it names the expense, which writes none.
	if n := e.actions(t, "billing.expense.create", rs[1].ExpenseID.String()); n != 0 {
		t.Fatalf("%d expense.create actions for the renewal's expense, want 0", n)
	}
	if n := e.count(t, "billkit_actions", "name = 'provisioning.service.renew' AND object_id = ? AND CAST(changes AS text) LIKE ?", id.String(), "%"+rs[1].ExpenseID.String()+"%"); n != 1 {
		t.Fatalf("the renew action does not name expense %s", rs[1].ExpenseID)
	}
}

func TestCycleSuspendsResumesDeletes(t *testing.T) {
	e := newShopEnv(t)
	c := e.newClient(t, "Tight")
	e.topUp(t, c.ID, "10.00")
	keep := e.order(t, c.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	e.drainTasks(t)
	expires := e.today().AddMonths(1)
	// Nothing to renew with: unpaid on the day, suspended after the 3
	// days of grace.
	sum := e.upTo(t, expires)
	if sum.Renewals != 0 || sum.Unpaid != 1 {
		t.Fatalf("on expiry: %+v", sum)
	}
	e.upTo(t, expires.AddDays(2))
	if s := e.service(t, keep); s.Status != provisioning.StatusActive {
		t.Fatalf("in the grace days the service is %s", s.Status)
	}
	sum = e.upTo(t, expires.AddDays(3))
	s := e.service(t, keep)
	if sum.Suspensions != 1 || s.Status != provisioning.StatusSuspended || s.SuspendReason != provisioning.SuspendNonPayment ||
		s.SuspendedOn != expires.AddDays(3) {
		t.Fatalf("after the grace days: %+v, service %+v", sum, s)
	}
	if r := e.cycle(t); r.Suspensions != 0 {
		t.Fatalf("suspended twice: %+v", r)
	}
	// The payment resumes it, for the period after the old expiry.
	e.clock.Advance(24 * time.Hour)
	e.topUp(t, c.ID, "10.00")
	if r := e.cycle(t); r.Resumptions != 1 || r.Renewals != 1 {
		t.Fatalf("after the payment: %+v", r)
	}
	s = e.service(t, keep)
	if s.Status != provisioning.StatusActive || s.ExpiresOn != expires.AddMonths(1) || s.SuspendReason != "" {
		t.Fatalf("resumed service = %+v", s)
	}
	if e.mod.callsOf(provisioning.OpSuspend) != 1 || e.mod.callsOf(provisioning.OpResume) != 1 {
		t.Fatalf("module calls: %+v", e.mod.requests())
	}
	// Unpaid again, suspended, and deleted 14 days later.
	next := expires.AddMonths(1)
	e.upTo(t, next.AddDays(3))
	if s := e.service(t, keep); s.Status != provisioning.StatusSuspended {
		t.Fatalf("not suspended again: %s", s.Status)
	}
	e.upTo(t, next.AddDays(3+13))
	if s := e.service(t, keep); s.Status != provisioning.StatusSuspended {
		t.Fatalf("deleted early: %s", s.Status)
	}
	sum = e.upTo(t, next.AddDays(3+14))
	if s := e.service(t, keep); sum.Deletions != 1 || s.Status != provisioning.StatusDeleted {
		t.Fatalf("after the deletion period: %+v, %s", sum, s.Status)
	}
	if b := e.balance(t, c.ID); !b.IsZero() {
		t.Fatalf("balance = %s", b)
	}
	if got := len(e.renewals(t, keep)); got != 2 {
		t.Fatalf("%d periods paid, want 2", got)
	}
}

func TestCycleStaffSuspensionStays(t *testing.T) {
	e := newShopEnv(t)
	id := e.order(t, e.client.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	e.drainTasks(t)
	if _, err := e.mgr.SuspendService(ctx, admin(), id, provisioning.SuspendAbuse, "spam"); err != nil {
		t.Fatal(err)
	}
	e.drainTasks(t)
	sum := e.upTo(t, e.today().AddMonths(2))
	if sum.Renewals != 0 || sum.Resumptions != 0 || sum.Deletions != 0 {
		t.Fatalf("an abuse suspension was acted on: %+v", sum)
	}
	_, err := e.mgr.RenewService(ctx, customer(e.client.ID), id)
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonRenewNotAllowed)
}

func TestCycleDeletesAtPeriodEnd(t *testing.T) {
	e := newShopEnv(t)
	id := e.order(t, e.client.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	e.drainTasks(t)
	if _, err := e.mgr.DeleteService(ctx, customer(e.client.ID), id, provisioning.DeleteParams{AtPeriodEnd: true}); err != nil {
		t.Fatal(err)
	}
	expires := e.today().AddMonths(1)
	_, err := e.mgr.RenewService(ctx, customer(e.client.ID), id)
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonRenewNotAllowed)
	sum := e.upTo(t, expires.AddDays(-1))
	if sum.Notices != 0 || sum.Deletions != 0 {
		t.Fatalf("before expiry: %+v", sum)
	}
	sum = e.upTo(t, expires)
	if sum.Deletions != 1 || sum.Renewals != 0 || e.service(t, id).Status != provisioning.StatusDeleted {
		t.Fatalf("on expiry: %+v", sum)
	}
}

func TestRenewServiceByHand(t *testing.T) {
	e := newShopEnv(t)
	id := e.order(t, e.client.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	e.drainTasks(t)
	today := e.today()
	other := e.newClient(t, "Other")
	_, err := e.mgr.RenewService(ctx, customer(other.ID), id)
	wantCode(t, err, billkit.CodeNotFound, "service.not_found")
	s, err := e.mgr.RenewService(ctx, customer(e.client.ID), id)
	if err != nil {
		t.Fatal(err)
	}
	if s.ExpiresOn != today.AddMonths(2) || s.PeriodsPaid != 2 {
		t.Fatalf("renewed early: %+v", s)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("980.00")) {
		t.Fatalf("balance = %s", b)
	}
	// The cycle does not charge the period paid by hand again.
	if sum := e.upTo(t, today.AddMonths(1)); sum.Renewals != 0 {
		t.Fatalf("the cycle renewed a paid service: %+v", sum)
	}
	poor := e.newClient(t, "Poor")
	e.topUp(t, poor.ID, "10.00")
	pid := e.order(t, poor.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	e.drainTasks(t)
	before := e.count(t, "billkit_service_renewals", "1=1")
	_, err = e.mgr.RenewService(ctx, customer(poor.ID), pid)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
	if after := e.count(t, "billkit_service_renewals", "1=1"); after != before {
		t.Fatalf("a refused renewal wrote %d rows", after-before)
	}
}

func TestCycleDryRunWritesNothing(t *testing.T) {
	e := newShopEnv(t)
	tight := e.newClient(t, "Tight")
	e.topUp(t, tight.ID, "15.00")
	e.order(t, e.client.ID, e.vpsItem(2, "1"))
	e.order(t, tight.ID, e.vpsItem(1, "1"))
	e.drainTasks(t)
	e.clock.Set(e.clock.Now().AddDate(0, 1, 0))
	rows := func() [4]int {
		return [4]int{e.count(t, "billkit_service_renewals", "1=1"), e.count(t, "billkit_service_notices", "1=1"),
			e.count(t, "billkit_ledger_entries", "1=1"), e.count(t, "billkit_tasks", "1=1")}
	}
	before := rows()
	dry, err := e.mgr.RunCycle(ctx, admin(), provisioning.CycleOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rows() != before {
		t.Fatalf("a dry run wrote: %v → %v", before, rows())
	}
	if dry.Renewals != 2 || dry.Unpaid != 1 || dry.Notices != 3 || len(dry.Actions) != 6 {
		t.Fatalf("dry run = %+v", dry)
	}
	real := e.cycle(t)
	if real.Renewals != dry.Renewals || real.Unpaid != dry.Unpaid || real.Notices != dry.Notices || real.Suspensions != dry.Suspensions {
		t.Fatalf("the run %+v did not do what the dry run said %+v", real, dry)
	}
	_, err = e.mgr.RunCycle(ctx, staff(), provisioning.CycleOptions{DryRun: true})
	wantCode(t, err, billkit.CodeForbidden, "")
	_, err = e.mgr.RunCycle(ctx, staff(billkit.R(provisioning.FunctionCycle, billkit.OpRead)), provisioning.CycleOptions{})
	wantCode(t, err, billkit.CodeForbidden, "")
}

// TestCycleDryRunPaysOrdersFirst checks that a dry run spends a balance
// as the run does: the new orders it pays first, then the renewals from
// what is left.
func TestCycleDryRunPaysOrdersFirst(t *testing.T) {
	e := newShopEnv(t)
	c := e.newClient(t, "Both")
	e.payer(t, c.ID)
	e.topUp(t, c.ID, "10.00")
	e.order(t, c.ID, e.vpsItem(1, "1"))
	e.drainTasks(t)
	// On the day the service expires, the client orders another by
	// invoice and pays in enough for one of the two.
	e.clock.Set(e.clock.Now().AddDate(0, 1, 0))
	o, err := e.mgr.CreateOrder(ctx, customer(c.ID), provisioning.CreateOrderParams{
		ClientID: c.ID, PayBy: provisioning.PayByInvoice, Items: []provisioning.OrderItemParams{e.vpsItem(1, "1")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != provisioning.OrderNew {
		t.Fatalf("order = %+v", o)
	}
	e.topUp(t, c.ID, "10.00")
	dry, err := e.mgr.RunCycle(ctx, admin(), provisioning.CycleOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.OrdersPaid != 1 || dry.Renewals != 0 || dry.Unpaid != 1 {
		t.Fatalf("dry run = %+v, want the order paid and the renewal unpaid", dry)
	}
	real := e.cycle(t)
	if real.OrdersPaid != dry.OrdersPaid || real.Renewals != dry.Renewals || real.Unpaid != dry.Unpaid {
		t.Fatalf("the run %+v did not do what the dry run said %+v", real, dry)
	}
}

func TestCycleInvoiceForClientsWhoPayByInvoice(t *testing.T) {
	e := newShopEnv(t, withConfig(func(c *provisioning.Config) { c.NoticeDays = []int{3} }))
	byInvoice, err := e.bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: e.prov.ID, Name: "Invoiced",
		Settings: billing.Settings{provisioning.SettingRenewalPayBy: []byte(`"invoice"`)}})
	if err != nil {
		t.Fatal(err)
	}
	e.payer(t, byInvoice.ID)
	e.topUp(t, byInvoice.ID, "100.00")
	inv := e.order(t, byInvoice.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	bal := e.order(t, e.client.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	e.drainTasks(t)
	expires := e.today().AddMonths(1)
	sum := e.upTo(t, expires.AddDays(-1))
	if sum.Invoices != 1 || sum.Notices != 2 {
		t.Fatalf("reminders: %+v", sum)
	}
	for _, c := range []struct {
		id   provisioning.ServiceID
		want []string
	}{{inv, []string{"invoice", "notice"}}, {bal, []string{"notice"}}} {
		var kinds []string
		for _, ev := range e.events(t, c.id) {
			if ev.Kind == "invoice" || ev.Kind == "notice" {
				kinds = append(kinds, ev.Kind)
			}
		}
		if len(kinds) != len(c.want) || kinds[0] != c.want[0] {
			t.Fatalf("service %s history kinds %v, want %v", c.id, kinds, c.want)
		}
	}
}

func TestTimeline(t *testing.T) {
	e := newShopEnv(t)
	c := e.newClient(t, "Planner")
	e.topUp(t, c.ID, "30.00")
	id := e.order(t, c.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	e.drainTasks(t)
	today := e.today()
	tl, err := e.mgr.Timeline(ctx, customer(c.ID), c.ID, 120)
	if err != nil {
		t.Fatal(err)
	}
	if len(tl.Days) != 120 || tl.From != today || !tl.Balance.Equal(usd("20.00")) {
		t.Fatalf("timeline from %s, %d days, balance %s", tl.From, len(tl.Days), tl.Balance)
	}
	type event struct {
		on   billkit.Date
		kind provisioning.StepKind
		paid bool
	}
	var got []event
	for _, d := range tl.Days {
		for _, ev := range d.Events {
			if ev.ServiceID != id {
				t.Fatalf("event of another service: %+v", ev)
			}
			if ev.Step.Kind != provisioning.StepNotice {
				got = append(got, event{d.Date, ev.Step.Kind, !ev.Unpaid})
			}
		}
	}
	first, second := today.AddMonths(1), today.AddMonths(2)
	third := today.AddMonths(3)
	want := []event{
		{first, provisioning.StepRenew, true},
		{second, provisioning.StepRenew, true},
		{third, provisioning.StepRenew, false},
		{third.AddDays(3), provisioning.StepSuspend, true},
		{third.AddDays(3 + 14), provisioning.StepDelete, true},
	}
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if last := tl.Days[len(tl.Days)-1]; !last.Balance.IsZero() {
		t.Fatalf("balance at the end = %s", last.Balance)
	}
	// Nothing was written, and the real cycle does what the timeline said.
	if n := e.count(t, "billkit_service_renewals", "service_id = ?", id); n != 1 {
		t.Fatalf("%d renewals after the timeline", n)
	}
	sum := e.upTo(t, third.AddDays(3+14))
	if sum.Renewals != 2 || sum.Suspensions != 1 || sum.Deletions != 1 {
		t.Fatalf("the cycle did %+v", sum)
	}
	_, err = e.mgr.Timeline(ctx, customer(e.client.ID), c.ID, 30)
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.mgr.Timeline(ctx, system, c.ID, 400)
	wantField(t, err, "days", "provisioning.days_out_of_range")
}

// TestCycleCatchesUp renews every period a service fell behind while the
// cycle did not run, in one run, each once.
func TestCycleCatchesUp(t *testing.T) {
	e := newShopEnv(t, withConfig(func(c *provisioning.Config) { c.NoticeDays = []int{} }))
	it := e.vpsItem(1, "1")
	it.Period = catalog.PeriodMonth
	id := e.order(t, e.client.ID, it).Items[0].ServiceIDs[0]
	e.drainTasks(t)
	start := e.today()
	// Three months without a run: the balance pays each period missed,
	// each once, and the service is never suspended.
	e.clock.Set(e.clock.Now().AddDate(0, 3, 0))
	r := e.cycle(t)
	if r.Renewals != 3 || r.Suspensions != 0 {
		t.Fatalf("catch-up run: %+v", r)
	}
	s := e.service(t, id)
	if s.ExpiresOn != start.AddMonths(4) || s.PeriodsPaid != 4 {
		t.Fatalf("service = %+v", s)
	}
}

// TestNewManagerRefusesBadConfig: each bad setting is an invalid error
// that names it.
func TestNewManagerRefusesBadConfig(t *testing.T) {
	e := newShopEnv(t)
	good := func() provisioning.Config {
		return provisioning.Config{Clock: e.clock, Billing: e.bill, Catalog: e.cat}
	}
	for _, tc := range []struct {
		field, reason string
		change        func(c *provisioning.Config)
	}{
		{"billing", "required", func(c *provisioning.Config) { c.Billing = nil }},
		{"catalog", "required", func(c *provisioning.Config) { c.Catalog = nil }},
		{"secret_key", "provisioning.secret_key_length", func(c *provisioning.Config) { c.SecretKey = make([]byte, 16) }},
		{"max_attempts", "negative", func(c *provisioning.Config) { c.MaxAttempts = -1 }},
		{"invoice_days_before", "negative", func(c *provisioning.Config) { c.InvoiceDaysBefore = -1 }},
		{"cycle_batch", "negative", func(c *provisioning.Config) { c.CycleBatch = -1 }},
		{"cycle_workers", "out_of_range", func(c *provisioning.Config) { c.CycleWorkers = -1 }},
		{"cycle_workers", "out_of_range", func(c *provisioning.Config) { c.CycleWorkers = 65 }},
		{"notice_days", "provisioning.notice_day_out_of_range", func(c *provisioning.Config) { c.NoticeDays = []int{3, 400} }},
	} {
		cfg := good()
		tc.change(&cfg)
		m, err := provisioning.NewManager(e.st.Provisioning(), cfg)
		if m != nil {
			t.Fatalf("%s: a manager was made", tc.field)
		}
		wantField(t, err, tc.field, tc.reason)
	}
	if _, err := provisioning.NewManager(nil, good()); err == nil {
		t.Fatal("a manager without a store was made")
	}
	if _, err := provisioning.NewManager(e.st.Provisioning(), provisioning.Config{Billing: e.bill, Catalog: e.cat, CycleWorkers: 64}); err != nil {
		t.Fatalf("64 workers: %v", err)
	}
}
