package provisioning_test

import (
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/storetest"
)

// The changes below happen on 2026-03-24, ten days into a monthly period
// ordered on 2026-03-14: 21 of its 31 days are left, so a change credits
// 21/31 of the old price and charges 21/31 of the new one.

// orderActive orders one service of tariff for period (addons as given)
// as the client's customer, pays it from the balance, opens it and returns
// it active.
func (e *env) orderActive(t *testing.T, client billkit.ClientID, tariff catalog.TariffID, period catalog.Period, addons map[string]catalog.AddonValue) *provisioning.Service {
	t.Helper()
	o, err := e.mgr.CreateOrder(ctx, customer(client), provisioning.CreateOrderParams{ClientID: client,
		Items: []provisioning.OrderItemParams{{TariffID: tariff, Period: period, Addons: addons}}})
	if err != nil {
		t.Fatal(err)
	}
	e.runTasks(t)
	s := e.service(t, o.Items[0].ServiceIDs[0])
	if s.Status != provisioning.StatusActive {
		t.Fatalf("ordered service is %s", s.Status)
	}
	return s
}

// changeTasks counts the change tasks of a service.
func (e *env) changeTasks(t *testing.T, id provisioning.ServiceID) int {
	t.Helper()
	return e.count(t, "billkit_tasks", "service_id = ? AND operation = ?", id, provisioning.OpChange)
}

// eventsOf returns the service's history events of a kind.
func (e *env) eventsOf(t *testing.T, id provisioning.ServiceID, kind string) []provisioning.ServiceEvent {
	t.Helper()
	var out []provisioning.ServiceEvent
	for _, ev := range e.events(t, id) {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// changeState is what a refused change must leave alone.
type changeState struct {
	balance                  billkit.Money
	svc                      provisioning.Service
	tasks, renewals, entries int
	events                   int
}

func (e *env) changeState(t *testing.T, id provisioning.ServiceID) changeState {
	t.Helper()
	s := e.service(t, id)
	return changeState{
		balance: e.balance(t, s.ClientID), svc: *s, tasks: e.count(t, "billkit_tasks", "service_id = ?", id),
		renewals: len(e.renewals(t, id)), entries: e.count(t, "billkit_ledger_entries", "client_id = ?", s.ClientID),
		events: len(e.events(t, id)),
	}
}

// unchanged fails unless the service, its client's money, its tasks and
// history are as in before.
func (e *env) unchanged(t *testing.T, before changeState) {
	t.Helper()
	now := e.changeState(t, before.svc.ID)
	a, b := before.svc, now.svc
	if !now.balance.Equal(before.balance) || now.tasks != before.tasks || now.renewals != before.renewals ||
		now.entries != before.entries || now.events != before.events {
		t.Fatalf("a refused change wrote: before %+v, after %+v", before, now)
	}
	if a.TariffID != b.TariffID || a.Period != b.Period || !a.Price.Equal(b.Price) || a.Special != b.Special || a.Status != b.Status ||
		a.ExpiresOn != b.ExpiresOn || a.AnchorOn != b.AnchorOn || a.PeriodsPaid != b.PeriodsPaid || !a.UpdatedAt.Equal(b.UpdatedAt) ||
		(a.PendingChange == nil) != (b.PendingChange == nil) || len(a.Addons) != len(b.Addons) {
		t.Fatalf("a refused change changed the service:\n%+v\n%+v", a, b)
	}
}

// wantQuote checks a quote's money.
func wantQuote(t *testing.T, q *provisioning.ChangeQuote, credit, charge, net string) {
	t.Helper()
	if !q.Credit.Equal(usd(credit)) || !q.Charge.Equal(usd(charge)) || !q.Net.Equal(usd(net)) {
		t.Fatalf("quote credit %s, charge %s, net %s; want %s, %s, %s", q.Credit, q.Charge, q.Net, credit, charge, net)
	}
}

// changeAndCompare quotes a change, makes it as actor, and checks that it
// did what the quote said: the balance moved by the net, the service has
// the quoted configuration, price and expiry, and one change task is
// queued with the new configuration.
func (e *env) changeAndCompare(t *testing.T, actor billkit.Actor, id provisioning.ServiceID, p provisioning.ChangeParams) (*provisioning.ChangeQuote, *provisioning.Service) {
	t.Helper()
	before := e.service(t, id)
	bal := e.balance(t, before.ClientID)
	tasks, events, actions := e.changeTasks(t, id), len(e.eventsOf(t, id, "change")), e.actions(t, "provisioning.service.change", id.String())
	q, err := e.mgr.QuoteChange(ctx, actor, id, p)
	if err != nil {
		t.Fatal(err)
	}
	if q.ServiceID != id || !q.OldPrice.Equal(before.Price) {
		t.Fatalf("quote = %+v", q)
	}
	// Quoting writes nothing.
	if got := e.service(t, id); !got.UpdatedAt.Equal(before.UpdatedAt) || !e.balance(t, before.ClientID).Equal(bal) {
		t.Fatal("QuoteChange wrote")
	}
	svc, err := e.mgr.ChangeService(ctx, actor, id, p)
	if err != nil {
		t.Fatal(err)
	}
	moved, err := e.balance(t, before.ClientID).Sub(bal)
	if err != nil {
		t.Fatal(err)
	}
	if !moved.Equal(q.Net.Neg()) {
		t.Fatalf("the balance moved by %s, the quote's net is %s", moved, q.Net)
	}
	if q.Policy == catalog.ChangeAtRenewal {
		return q, svc
	}
	if svc.TariffID != q.TariffID || svc.Period != q.Period || !svc.Price.Equal(q.NewPrice) || svc.ExpiresOn != q.ExpiresOn ||
		svc.Special || svc.PendingChange != nil || len(svc.Addons) != len(q.Addons) {
		t.Fatalf("service %+v after the quote %+v", svc, q)
	}
	if svc.Status != provisioning.StatusProcessing || svc.Operation != provisioning.OpChange || svc.PrevStatus != before.Status {
		t.Fatalf("service is %s/%s (from %s), want processing a change", svc.Status, svc.Operation, svc.PrevStatus)
	}
	if n := e.changeTasks(t, id); n != tasks+1 {
		t.Fatalf("%d change tasks, want %d", n, tasks+1)
	}
	tk := e.task(t, svc.TaskID)
	if tk.Operation != provisioning.OpChange || tk.Status != provisioning.TaskQueued {
		t.Fatalf("task = %+v", tk)
	}
	if ev := e.eventsOf(t, id, "change"); len(ev) != events+1 || len(ev[events].Changes) == 0 {
		t.Fatalf("change events = %+v", ev)
	}
	if n := e.actions(t, "provisioning.service.change", id.String()); n != actions+1 {
		t.Fatalf("%d change actions, want %d", n, actions+1)
	}
	return q, svc
}

func TestChangeUpgradeNow(t *testing.T) {
	e := newShopEnv(t)
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	if !e.balance(t, e.client.ID).Equal(usd("990.00")) {
		t.Fatalf("balance after the order = %s", e.balance(t, e.client.ID))
	}
	e.clock.AddDate(0, 0, 10)
	bob := customer(e.client.ID)

	q, got := e.changeAndCompare(t, bob, svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID, Memo: "more CPU"})
	// 10.00 × 21/31 = 6.774… and 20.00 × 21/31 = 13.548…, each rounded once.
	wantQuote(t, q, "6.77", "13.55", "6.78")
	if q.Policy != catalog.ChangeNow || q.EffectiveOn != billkit.MustDate(2026, 3, 24) || q.ExpiresOn != billkit.MustDate(2026, 4, 14) ||
		!q.NewPrice.Equal(usd("20.00")) || len(q.Addons) != 0 {
		t.Fatalf("quote = %+v", q)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("983.22")) {
		t.Fatalf("balance = %s, want 983.22", b)
	}
	// The period's bounds stay: a tariff change reprices the days left.
	if got.AnchorOn != svc.AnchorOn || got.PeriodsPaid != 1 {
		t.Fatalf("service = %+v", got)
	}
	if rs := e.renewals(t, svc.ID); len(rs) != 1 {
		t.Fatalf("renewals = %+v, want the order's only", rs)
	}
	xs, err := e.bill.ListExpenses(ctx, system, billing.ExpenseFilter{ClientID: e.client.ID})
	if err != nil {
		t.Fatal(err)
	}
	var charge *billing.Expense
	for i := range xs.Items {
		if xs.Items[i].Amount.Equal(usd("6.78")) {
			charge = &xs.Items[i]
		}
	}
	if charge == nil || charge.CauseType != provisioning.CauseService || charge.CauseID != svc.ID.String() ||
		charge.PeriodStart != q.EffectiveOn || charge.PeriodEnd != q.ExpiresOn || !charge.TariffID.IsZero() ||
		charge.ActorKind != billkit.ActorCustomer || !strings.Contains(charge.Description, "vps-2") {
		t.Fatalf("the change's expense = %+v", charge)
	}
	ev := e.eventsOf(t, svc.ID, "change")[0]
	if ev.ActorKind != billkit.ActorCustomer || !strings.Contains(ev.Memo, "more CPU") || !strings.Contains(ev.Memo, "6.77") {
		t.Fatalf("change event = %+v", ev)
	}

	// The module applies it; the service is active again.
	e.runTasks(t)
	after := e.service(t, svc.ID)
	if after.Status != provisioning.StatusActive || after.Operation != "" || after.TariffID != e.bigger.ID {
		t.Fatalf("after the task: %+v", after)
	}
	var req *provisioning.Request
	for _, r := range e.mod.requests() {
		if r.Operation == provisioning.OpChange {
			req = &r
		}
	}
	if req == nil || req.Change == nil || req.Change.Tariff != "vps-2" || req.Change.Period != catalog.PeriodMonth || req.Service.Tariff != "vps-2" {
		t.Fatalf("the module's request = %+v", req)
	}
}

func TestChangeDowngradeNowCreditsTheBalance(t *testing.T) {
	e := newShopEnv(t)
	svc := e.orderActive(t, e.client.ID, e.bigger.ID, catalog.PeriodMonth, nil)
	e.clock.AddDate(0, 0, 10)

	q, got := e.changeAndCompare(t, customer(e.client.ID), svc.ID, provisioning.ChangeParams{TariffID: e.tariff.ID})
	wantQuote(t, q, "13.55", "6.77", "-6.78")
	if b := e.balance(t, e.client.ID); !b.Equal(usd("986.78")) {
		t.Fatalf("balance = %s, want 986.78", b)
	}
	// The new tariff's addon takes its default.
	if a, ok := got.Addons["ram"]; !ok || !a.Quantity.Equal(dec("1")) || !got.Price.Equal(usd("10.00")) {
		t.Fatalf("service = %+v", got)
	}
	es, err := e.bill.ListEntries(ctx, system, billing.LedgerFilter{ClientID: e.client.ID, Kind: billing.LedgerAdjustment})
	if err != nil {
		t.Fatal(err)
	}
	if len(es.Items) != 1 || !es.Items[0].Amount.Equal(usd("6.78")) || es.Items[0].CauseType != provisioning.CauseService ||
		es.Items[0].CauseID != svc.ID.String() {
		t.Fatalf("adjustments = %+v", es.Items)
	}
}

func TestChangeAddonsNow(t *testing.T) {
	e := newShopEnv(t)
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	e.clock.AddDate(0, 0, 10)
	bob := customer(e.client.ID)

	// Two more GB: 13.00 a month, 13.00 × 21/31 = 8.806….
	q, got := e.changeAndCompare(t, bob, svc.ID, provisioning.ChangeParams{Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec("3")}}})
	wantQuote(t, q, "6.77", "8.81", "2.04")
	if !got.Addons["ram"].Quantity.Equal(dec("3")) || !got.Price.Equal(usd("13.00")) || got.TariffID != e.tariff.ID {
		t.Fatalf("service = %+v", got)
	}
	e.runTasks(t)

	// And back to one, the next day: 20 days of 13.00 credited, of 10.00
	// charged.
	e.clock.AddDate(0, 0, 1)
	q, _ = e.changeAndCompare(t, bob, svc.ID, provisioning.ChangeParams{Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec("1")}}})
	wantQuote(t, q, "8.39", "6.45", "-1.94")
}

// yearly adds vps-y to the group: 10.00 a month or 100.00 a year, no
// addons.
func (e *env) yearly(t *testing.T) *catalog.Tariff {
	t.Helper()
	return e.extraTariff(t, catalog.TariffDoc{Code: "vps-y", Group: "vps",
		Prices: []catalog.Price{monthly("10.00"), {Period: catalog.PeriodYear, Currency: "USD", Amount: dec("100.00")}}})
}

func TestChangePeriodNow(t *testing.T) {
	e := newShopEnv(t)
	svc := e.orderActive(t, e.client.ID, e.yearly(t).ID, catalog.PeriodMonth, nil)
	e.clock.AddDate(0, 0, 10)
	today := billkit.MustDate(2026, 3, 24)

	q, got := e.changeAndCompare(t, customer(e.client.ID), svc.ID, provisioning.ChangeParams{Period: catalog.PeriodYear})
	// The month's 21 days left are credited; a year from today is charged
	// whole.
	wantQuote(t, q, "6.77", "100.00", "93.23")
	if got.AnchorOn != today || got.PeriodsPaid != 1 || got.ExpiresOn != billkit.MustDate(2027, 3, 24) || got.Period != catalog.PeriodYear {
		t.Fatalf("service = %+v", got)
	}
	rs := e.renewals(t, svc.ID)
	if len(rs) != 2 || rs[1].Kind != provisioning.RenewalChange || rs[1].PeriodStart != today || rs[1].PeriodEnd != got.ExpiresOn ||
		!rs[1].Amount.Equal(usd("93.23")) || rs[1].ExpenseID.IsZero() {
		t.Fatalf("renewals = %+v", rs)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("896.77")) {
		t.Fatalf("balance = %s, want 896.77", b)
	}
}

func TestChangePeriodOnTheFirstDay(t *testing.T) {
	changePeriodOnTheFirstDay(t, newShopEnv(t))
}

// On PostgreSQL the refused insert of the period's key must not spoil the
// change's transaction.
func TestChangePeriodOnTheFirstDayPostgres(t *testing.T) {
	changePeriodOnTheFirstDay(t, newShopEnv(t, onStore(storetest.NewPostgres(t))))
}

func changePeriodOnTheFirstDay(t *testing.T, e *env) {
	svc := e.orderActive(t, e.client.ID, e.yearly(t).ID, catalog.PeriodMonth, nil)
	today := billkit.MustDate(2026, 3, 14)

	// The whole month is unused: 10.00 back, a year charged.
	q, got := e.changeAndCompare(t, customer(e.client.ID), svc.ID, provisioning.ChangeParams{Period: catalog.PeriodYear})
	wantQuote(t, q, "10.00", "100.00", "90.00")
	if got.AnchorOn != today || got.PeriodsPaid != 1 || got.ExpiresOn != billkit.MustDate(2027, 3, 14) {
		t.Fatalf("service = %+v", got)
	}
	// The period's key (service, today) is the order's: the change is
	// netted into the charge of 90.00 and leaves that row as it is.
	rs := e.renewals(t, svc.ID)
	if len(rs) != 1 || rs[0].Kind != provisioning.RenewalOrder || rs[0].PeriodStart != today {
		t.Fatalf("renewals = %+v", rs)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("900.00")) {
		t.Fatalf("balance = %s, want 900.00", b)
	}
	e.runTasks(t)

	// A year on, the cycle renews the yearly service once, at its price.
	e.clock.Set(start.AddDate(1, 0, 0))
	rep, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Renewals != 1 || len(rep.Failures) != 0 {
		t.Fatalf("cycle = %+v", rep)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("800.00")) {
		t.Fatalf("balance after the renewal = %s, want 800.00", b)
	}
	if s := e.service(t, svc.ID); s.ExpiresOn != billkit.MustDate(2028, 3, 14) || s.PeriodsPaid != 2 {
		t.Fatalf("renewed service = %+v", s)
	}
}

// atRenewal makes the vps product type's changes wait for the renewal.
func (e *env) atRenewal(t *testing.T) {
	t.Helper()
	doc := vpsDoc()
	doc.Lifecycle.ChangePolicy = catalog.ChangeAtRenewal
	if _, err := e.cat.UpdateProductType(ctx, system, e.vps.ID, doc); err != nil {
		t.Fatal(err)
	}
}

func TestChangeAtRenewal(t *testing.T) {
	e := newShopEnv(t)
	e.atRenewal(t)
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	e.clock.AddDate(0, 0, 10)
	bob := customer(e.client.ID)
	expiry := billkit.MustDate(2026, 4, 14)

	// A first wish, replaced by a second.
	if _, err := e.mgr.ChangeService(ctx, bob, svc.ID, provisioning.ChangeParams{Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec("4")}}}); err != nil {
		t.Fatal(err)
	}
	q, got := e.changeAndCompare(t, bob, svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID, Memo: "from next month"})
	wantQuote(t, q, "0", "0", "0")
	if q.Policy != catalog.ChangeAtRenewal || q.EffectiveOn != expiry || q.ExpiresOn != expiry || !q.NewPrice.Equal(usd("20.00")) {
		t.Fatalf("quote = %+v", q)
	}
	pc := got.PendingChange
	if got.TariffID != e.tariff.ID || !got.Price.Equal(usd("10.00")) || got.Status != provisioning.StatusActive || pc == nil ||
		pc.TariffID != e.bigger.ID || pc.Tariff != "vps-2" || !pc.Price.Equal(usd("20.00")) || pc.EffectiveOn != expiry ||
		pc.ActorKind != billkit.ActorCustomer || pc.Memo != "from next month" || len(pc.Addons) != 0 {
		t.Fatalf("service = %+v, pending %+v", got, pc)
	}
	if n := e.changeTasks(t, svc.ID); n != 0 {
		t.Fatalf("%d change tasks before the renewal", n)
	}
	if ev := e.eventsOf(t, svc.ID, "change_pending"); len(ev) != 2 {
		t.Fatalf("pending events = %+v", ev)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("990.00")) {
		t.Fatalf("balance = %s", b)
	}

	// The renewal is charged at the new price and switches the tariff; a
	// dry run says so first, and writes nothing.
	e.clock.Set(start.AddDate(0, 1, 0))
	dry, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	var dryAmount *billkit.Money
	for _, a := range dry.Actions {
		if a.Step.Kind == provisioning.StepRenew {
			dryAmount = a.Amount
		}
	}
	if dry.Renewals != 1 || dryAmount == nil || !dryAmount.Equal(usd("20.00")) {
		t.Fatalf("dry run = %+v, renewal amount %v; want one renewal at 20.00", dry, dryAmount)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("990.00")) {
		t.Fatalf("balance after the dry run = %s", b)
	}
	rep, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Renewals != 1 || len(rep.Failures) != 0 {
		t.Fatalf("cycle = %+v", rep)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("970.00")) {
		t.Fatalf("balance after the renewal = %s, want 970.00", b)
	}
	renewed := e.service(t, svc.ID)
	if renewed.TariffID != e.bigger.ID || !renewed.Price.Equal(usd("20.00")) || renewed.PendingChange != nil ||
		renewed.ExpiresOn != billkit.MustDate(2026, 5, 14) || renewed.PeriodsPaid != 2 ||
		renewed.Status != provisioning.StatusProcessing || renewed.Operation != provisioning.OpChange {
		t.Fatalf("renewed service = %+v", renewed)
	}
	rs := e.renewals(t, svc.ID)
	if len(rs) != 2 || rs[1].PeriodStart != expiry || !rs[1].Amount.Equal(usd("20.00")) || rs[1].Kind != provisioning.RenewalRenewal {
		t.Fatalf("renewals = %+v", rs)
	}
	x, err := e.bill.GetExpense(ctx, system, rs[1].ExpenseID)
	if err != nil {
		t.Fatal(err)
	}
	if x.TariffID != e.bigger.ID {
		t.Fatalf("the renewal's expense is priced on tariff %s, want vps-2", x.TariffID)
	}
	if n := e.changeTasks(t, svc.ID); n != 1 {
		t.Fatalf("%d change tasks, want 1", n)
	}
	if ev := e.eventsOf(t, svc.ID, "change"); len(ev) != 1 || ev[0].ActorKind != billkit.ActorSystem {
		t.Fatalf("change events = %+v", ev)
	}

	// Another run the same day charges nothing more; the task switches
	// the system over and the service is active again.
	if rep, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{}); err != nil || rep.Renewals != 0 {
		t.Fatalf("second run: %+v, %v", rep, err)
	}
	e.runTasks(t)
	if s := e.service(t, svc.ID); s.Status != provisioning.StatusActive || s.TariffID != e.bigger.ID {
		t.Fatalf("after the task: %+v", s)
	}
	if n := e.mod.callsOf(provisioning.OpChange); n != 1 {
		t.Fatalf("%d change calls", n)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("970.00")) {
		t.Fatalf("balance = %s, want 970.00", b)
	}
}

func TestChangeAtRenewalToAnotherPeriod(t *testing.T) {
	e := newShopEnv(t)
	e.atRenewal(t)
	svc := e.orderActive(t, e.client.ID, e.yearly(t).ID, catalog.PeriodMonth, nil)
	if _, err := e.mgr.ChangeService(ctx, customer(e.client.ID), svc.ID, provisioning.ChangeParams{Period: catalog.PeriodYear}); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(start.AddDate(0, 1, 0))
	if _, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{}); err != nil {
		t.Fatal(err)
	}
	s := e.service(t, svc.ID)
	// A year from the old expiry, counted from there.
	if s.Period != catalog.PeriodYear || s.AnchorOn != billkit.MustDate(2026, 4, 14) || s.PeriodsPaid != 1 ||
		s.ExpiresOn != billkit.MustDate(2027, 4, 14) || !s.Price.Equal(usd("100.00")) {
		t.Fatalf("service = %+v", s)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("890.00")) {
		t.Fatalf("balance = %s, want 890.00", b)
	}
}

func TestChangeAtRenewalUnpaidChangesNothing(t *testing.T) {
	e := newShopEnv(t)
	e.atRenewal(t)
	poor := e.newClient(t, "Poor")
	e.topUp(t, poor.ID, "10.00")
	svc := e.orderActive(t, poor.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	if _, err := e.mgr.ChangeService(ctx, customer(poor.ID), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID}); err != nil {
		t.Fatal(err)
	}
	// The renewal is not paid, and the grace days pass: the service is
	// suspended on its old tariff, the change still waiting.
	e.clock.Set(start.AddDate(0, 1, 3))
	rep, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Unpaid != 1 || rep.Suspensions != 1 {
		t.Fatalf("cycle = %+v", rep)
	}
	s := e.service(t, svc.ID)
	if s.TariffID != e.tariff.ID || !s.Price.Equal(usd("10.00")) || s.PendingChange == nil || s.Operation != provisioning.OpSuspend {
		t.Fatalf("service = %+v", s)
	}
	if n := e.changeTasks(t, svc.ID); n != 0 {
		t.Fatalf("%d change tasks", n)
	}
}

func TestCancelPendingChange(t *testing.T) {
	e := newShopEnv(t)
	e.atRenewal(t)
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	bob := customer(e.client.ID)
	if _, err := e.mgr.ChangeService(ctx, bob, svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID}); err != nil {
		t.Fatal(err)
	}
	// Another client's customer does not see it.
	other := e.newClient(t, "Other")
	if _, err := e.mgr.CancelPendingChange(ctx, customer(other.ID), svc.ID); billkit.ErrorCode(err) != billkit.CodeNotFound {
		t.Fatalf("another client's cancel: %v", err)
	}
	got, err := e.mgr.CancelPendingChange(ctx, bob, svc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PendingChange != nil || e.service(t, svc.ID).PendingChange != nil {
		t.Fatalf("pending change after cancelling it: %+v", got.PendingChange)
	}
	if ev := e.eventsOf(t, svc.ID, "change_cancelled"); len(ev) != 1 {
		t.Fatalf("cancel events = %+v", ev)
	}
	// Cancelling again changes nothing.
	if _, err := e.mgr.CancelPendingChange(ctx, bob, svc.ID); err != nil {
		t.Fatal(err)
	}
	if ev := e.eventsOf(t, svc.ID, "change_cancelled"); len(ev) != 1 {
		t.Fatalf("cancel events = %+v", ev)
	}
	// The renewal is the old tariff's.
	e.clock.Set(start.AddDate(0, 1, 0))
	if _, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{}); err != nil {
		t.Fatal(err)
	}
	if s := e.service(t, svc.ID); s.TariffID != e.tariff.ID || s.Status != provisioning.StatusActive || s.PeriodsPaid != 2 {
		t.Fatalf("service = %+v", s)
	}
	if b := e.balance(t, e.client.ID); !b.Equal(usd("980.00")) || e.changeTasks(t, svc.ID) != 0 {
		t.Fatalf("balance = %s, %d change tasks", b, e.changeTasks(t, svc.ID))
	}
}

// extraTariff adds a tariff of the vps type to the catalog.
func (e *env) extraTariff(t *testing.T, d catalog.TariffDoc) *catalog.Tariff {
	t.Helper()
	d.ProductType, d.Currency = "vps", "USD"
	if d.Name == nil {
		d.Name = text(d.Code)
	}
	if d.Prices == nil {
		d.Prices = []catalog.Price{monthly("30.00")}
	}
	tr, err := e.cat.CreateTariff(ctx, system, e.prov.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestChangeBadInput(t *testing.T) {
	e := newShopEnv(t)
	loose := e.extraTariff(t, catalog.TariffDoc{Code: "vps-loose"}) // in no group
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	e.clock.AddDate(0, 0, 10)
	ram := func(q string) map[string]catalog.AddonValue {
		return map[string]catalog.AddonValue{"ram": {Quantity: dec(q)}}
	}
	for _, tc := range []struct {
		name          string
		p             provisioning.ChangeParams
		field, reason string
	}{
		{"unknown tariff", provisioning.ChangeParams{TariffID: billkit.NewID[catalog.Tariff]()}, "tariff_id", "tariff.not_found"},
		{"tariff the group does not allow", provisioning.ChangeParams{TariffID: loose.ID}, "tariff_id", catalog.ReasonChangeNotAllowed},
		{"period the tariff is not sold for", provisioning.ChangeParams{TariffID: e.bigger.ID, Period: catalog.PeriodYear}, "period", provisioning.ReasonPeriodNotOffered},
		{"unknown period", provisioning.ChangeParams{Period: "decade"}, "period", catalog.ReasonPeriodUnknown},
		{"addon above its max", provisioning.ChangeParams{Addons: ram("99")}, "addons[ram].quantity", catalog.ReasonAboveMax},
		{"addon off its step", provisioning.ChangeParams{Addons: ram("2.5")}, "addons[ram].quantity", catalog.ReasonOffStep},
		{"addon the tariff has not", provisioning.ChangeParams{Addons: map[string]catalog.AddonValue{"disk": {Quantity: dec("1")}}}, "addons[disk]", catalog.ReasonAddonUnknown},
		{"period the addon is not priced for", provisioning.ChangeParams{Period: catalog.PeriodYear}, "addons[ram].prices", catalog.ReasonNoPrice},
		{"addon the new tariff has not", provisioning.ChangeParams{TariffID: e.bigger.ID, Addons: ram("2")}, "addons[ram]", catalog.ReasonAddonUnknown},
		{"nothing", provisioning.ChangeParams{}, "tariff_id", provisioning.ReasonChangeEmpty},
		{"the values it has", provisioning.ChangeParams{TariffID: e.tariff.ID, Period: catalog.PeriodMonth, Addons: ram("1")}, "addons", provisioning.ReasonChangeEmpty},
		{"memo too long", provisioning.ChangeParams{TariffID: e.bigger.ID, Memo: strings.Repeat("x", 2001)}, "memo", "too_long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.changeState(t, svc.ID)
			for _, actor := range []billkit.Actor{customer(e.client.ID), admin()} {
				_, err := e.mgr.QuoteChange(ctx, actor, svc.ID, tc.p)
				wantField(t, err, tc.field, tc.reason)
				_, err = e.mgr.ChangeService(ctx, actor, svc.ID, tc.p)
				wantField(t, err, tc.field, tc.reason)
			}
			e.unchanged(t, before)
		})
	}
}

func TestChangeForbidden(t *testing.T) {
	e := newShopEnv(t)
	old := e.extraTariff(t, catalog.TariffDoc{Code: "vps-old", Group: "vps", Status: catalog.TariffArchived})
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	e.clock.AddDate(0, 0, 10)
	bob := customer(e.client.ID)

	// Another client's customer: not found, as for reading it.
	other := e.newClient(t, "Other")
	before := e.changeState(t, svc.ID)
	_, err := e.mgr.ChangeService(ctx, customer(other.ID), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantCode(t, err, billkit.CodeNotFound, "service.not_found")
	// Without the right to edit services.
	_, err = e.mgr.ChangeService(ctx, staff(billkit.R(provisioning.FunctionService, billkit.OpRead)), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantCode(t, err, billkit.CodeForbidden, "")
	// An archived tariff is no longer sold to clients.
	_, err = e.mgr.ChangeService(ctx, bob, svc.ID, provisioning.ChangeParams{TariffID: old.ID})
	wantField(t, err, "tariff_id", provisioning.ReasonTariffArchived)
	e.unchanged(t, before)

	// Staff may move a service there: 30.00 a month, 20.32 for 21 days.
	q, _ := e.changeAndCompare(t, admin(), svc.ID, provisioning.ChangeParams{TariffID: old.ID})
	wantQuote(t, q, "6.77", "20.32", "13.55")
}

func TestChangeAddonNotChangeable(t *testing.T) {
	e := newShopEnv(t)
	ipTariff := e.extraTariff(t, catalog.TariffDoc{Code: "vps-ip", Group: "vps",
		Addons: []catalog.Addon{{Code: "ip", Name: text("IPs"), BillingType: catalog.BillingQuantity, Unit: "piece",
			Min: dec("1"), Max: dec("4"), Step: dec("1"), Included: dec("1"), Prices: []catalog.Price{monthly("2.00")}}}})
	svc := e.orderActive(t, e.client.ID, ipTariff.ID, catalog.PeriodMonth, nil)
	e.clock.AddDate(0, 0, 10)
	two := provisioning.ChangeParams{Addons: map[string]catalog.AddonValue{"ip": {Quantity: dec("2")}}}

	before := e.changeState(t, svc.ID)
	_, err := e.mgr.ChangeService(ctx, customer(e.client.ID), svc.ID, two)
	wantField(t, err, "addons[ip]", catalog.ReasonAddonNotChangeable)
	e.unchanged(t, before)

	// Staff may: 32.00 a month for 21 days, 30.00 credited.
	q, _ := e.changeAndCompare(t, admin(), svc.ID, two)
	wantQuote(t, q, "20.32", "21.68", "1.36")
}

func TestChangeInsufficientFunds(t *testing.T) {
	e := newShopEnv(t)
	poor := e.newClient(t, "Poor")
	e.topUp(t, poor.ID, "10.00")
	svc := e.orderActive(t, poor.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	e.clock.AddDate(0, 0, 10)

	before := e.changeState(t, svc.ID)
	_, err := e.mgr.ChangeService(ctx, customer(poor.ID), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
	if !strings.Contains(err.Error(), "6.78") {
		t.Fatalf("error %q does not say what the change costs", err)
	}
	e.unchanged(t, before)
	if n := e.count(t, "billkit_expenses", "client_id = ?", poor.ID); n != 1 {
		t.Fatalf("%d expenses, want the order's only", n)
	}

}

func TestChangeBusyService(t *testing.T) {
	e := newShopEnv(t)
	o, err := e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{ClientID: e.client.ID,
		Items: []provisioning.OrderItemParams{{TariffID: e.tariff.ID, Period: catalog.PeriodMonth}}})
	if err != nil {
		t.Fatal(err)
	}
	id := o.Items[0].ServiceIDs[0] // opening, its task not run
	before := e.changeState(t, id)
	for _, actor := range []billkit.Actor{customer(e.client.ID), admin()} {
		_, err := e.mgr.QuoteChange(ctx, actor, id, provisioning.ChangeParams{TariffID: e.bigger.ID})
		wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonServiceBusy)
		_, err = e.mgr.ChangeService(ctx, actor, id, provisioning.ChangeParams{TariffID: e.bigger.ID})
		wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonServiceBusy)
	}
	e.unchanged(t, before)

	// An ordered service is its order's to configure.
	ordered := e.orderedService(t, e.client.ID)
	_, err = e.mgr.ChangeService(ctx, admin(), ordered.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonChangeNotAllowed)

	// While a change runs, the next waits.
	e.runTasks(t)
	if _, err := e.mgr.ChangeService(ctx, customer(e.client.ID), id, provisioning.ChangeParams{TariffID: e.bigger.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = e.mgr.ChangeService(ctx, customer(e.client.ID), id, provisioning.ChangeParams{TariffID: e.tariff.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonServiceBusy)
}

func TestChangeSuspendedService(t *testing.T) {
	e := newShopEnv(t)
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	if _, err := e.mgr.SuspendService(ctx, admin(), svc.ID, provisioning.SuspendAbuse, "spam"); err != nil {
		t.Fatal(err)
	}
	e.runTasks(t)
	e.clock.AddDate(0, 0, 10)

	before := e.changeState(t, svc.ID)
	_, err := e.mgr.ChangeService(ctx, customer(e.client.ID), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonChangeNotAllowed)
	e.unchanged(t, before)

	// Staff may; the service goes back to suspended, its reason kept.
	q, _ := e.changeAndCompare(t, admin(), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantQuote(t, q, "6.77", "13.55", "6.78")
	e.runTasks(t)
	if s := e.service(t, svc.ID); s.Status != provisioning.StatusSuspended || s.SuspendReason != provisioning.SuspendAbuse || s.TariffID != e.bigger.ID {
		t.Fatalf("after the change: %+v", s)
	}
}

func TestChangeSuspendedForNonPayment(t *testing.T) {
	e := newShopEnv(t)
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	if _, err := e.mgr.SuspendService(ctx, system, svc.ID, provisioning.SuspendNonPayment, ""); err != nil {
		t.Fatal(err)
	}
	e.runTasks(t)
	before := e.changeState(t, svc.ID)
	_, err := e.mgr.ChangeService(ctx, customer(e.client.ID), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonChangeNotAllowed)
	if !strings.Contains(err.Error(), "non-payment") {
		t.Fatalf("error %q does not say why", err)
	}
	e.unchanged(t, before)
}

func TestChangeSpecialPrice(t *testing.T) {
	e := newShopEnv(t)
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	if _, err := e.mgr.SetSpecialPrice(ctx, admin(), svc.ID, usd("5.00")); err != nil {
		t.Fatal(err)
	}
	e.clock.AddDate(0, 0, 10)

	before := e.changeState(t, svc.ID)
	_, err := e.mgr.QuoteChange(ctx, customer(e.client.ID), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonChangeSpecialPrice)
	_, err = e.mgr.ChangeService(ctx, customer(e.client.ID), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonChangeSpecialPrice)
	e.unchanged(t, before)

	// Staff may: what the client paid (5.00 a month) is credited, and the
	// special price gives way to the tariff's.
	q, got := e.changeAndCompare(t, admin(), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantQuote(t, q, "3.39", "13.55", "10.16")
	if !q.SpecialPriceDropped || got.Special || !got.Price.Equal(usd("20.00")) {
		t.Fatalf("quote %+v, service %+v", q, got)
	}
}

func TestChangeNowDropsAPendingChange(t *testing.T) {
	e := newShopEnv(t)
	e.atRenewal(t)
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	if _, err := e.mgr.ChangeService(ctx, customer(e.client.ID), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID}); err != nil {
		t.Fatal(err)
	}
	// The type's policy turns to now; the next change is made at once and
	// the waiting one is gone.
	if _, err := e.cat.UpdateProductType(ctx, system, e.vps.ID, vpsDoc()); err != nil {
		t.Fatal(err)
	}
	e.clock.AddDate(0, 0, 10)
	_, got := e.changeAndCompare(t, customer(e.client.ID), svc.ID, provisioning.ChangeParams{Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec("2")}}})
	if got.PendingChange != nil || got.TariffID != e.tariff.ID {
		t.Fatalf("service = %+v", got)
	}
}

func TestChangeAtRenewalOfAServiceToBeDeleted(t *testing.T) {
	e := newShopEnv(t)
	e.atRenewal(t)
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	if _, err := e.mgr.DeleteService(ctx, customer(e.client.ID), svc.ID, provisioning.DeleteParams{AtPeriodEnd: true}); err != nil {
		t.Fatal(err)
	}
	before := e.changeState(t, svc.ID)
	_, err := e.mgr.ChangeService(ctx, customer(e.client.ID), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonChangeNotAllowed)
	e.unchanged(t, before)
}

func TestChangeImportedService(t *testing.T) {
	// An imported service has no anchor of its own: its periods count back
	// from its expiry.
	e := newShopEnv(t)
	svc := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	e.clock.AddDate(0, 0, 10)
	q, _ := e.changeAndCompare(t, admin(), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantQuote(t, q, "6.77", "13.55", "6.78")
}

func TestNextPeriodPrice(t *testing.T) {
	svc := &provisioning.Service{Status: provisioning.StatusActive, ExpiresOn: billkit.MustDate(2026, 4, 14), Price: usd("10.00")}
	if got := provisioning.NextPeriodPrice(svc); !got.Equal(usd("10.00")) {
		t.Fatalf("without a pending change: %s", got)
	}
	svc.PendingChange = &provisioning.PendingChange{Price: usd("20.00"), EffectiveOn: billkit.MustDate(2026, 4, 14)}
	if got := provisioning.NextPeriodPrice(svc); !got.Equal(usd("20.00")) {
		t.Fatalf("with a pending change: %s", got)
	}
	// A resumption keeps the change for the next renewal.
	svc.Status = provisioning.StatusSuspended
	if got := provisioning.NextPeriodPrice(svc); !got.Equal(usd("10.00")) {
		t.Fatalf("suspended: %s", got)
	}
}
