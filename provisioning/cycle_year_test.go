package provisioning_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/shopspring/decimal"
)

// yearWorld is the state "a year in a test" keeps beside the database, to
// check the database against after every day.
type yearWorld struct {
	t     *testing.T
	e     *env
	rnd   *rand.Rand
	loc   *time.Location
	types map[catalog.ProductTypeID]catalog.Lifecycle
	// tariffs are what the clients order from.
	tariffs []*catalog.Tariff
	clients []*yearClient
	byID    map[billkit.ClientID]*yearClient
	svcs    map[provisioning.ServiceID]*yearService
	// renewals is how many renewal rows the services' chains hold.
	renewals int
	// waiting are the orders by invoice never paid in: the cycle pays them
	// when the balance covers them anyway, or cancels them.
	waiting map[provisioning.OrderID]*yearClient
	// ledger is each client's sum and count of ledger entries, read a
	// day at a time: the ledger only grows.
	ledger   map[billkit.ClientID]*ledgerTotal
	ledgerTo time.Time
}

// ledgerTotal is what a client's ledger entries add up to.
type ledgerTotal struct {
	sum     decimal.Decimal
	entries int64
}

type yearClient struct {
	id billkit.ClientID
	// topUp is the chance of a payment on a day, and its most.
	topUp float64
	most  int
	// paid is what the client paid in; limit its credit limit.
	paid, limit billkit.Money
	// orders is how many services it is yet to order, and when.
	orderOn []billkit.Date
}

type yearService struct {
	svc   provisioning.Service
	chain []provisioning.Renewal
}

// TestCycleYear is "a year in a test", two of them: a thousand services
// (two hundred with -short) of random tariffs and periods, ordered by
// clients who pay in at random, some too little; the clock moves a day at
// a time for 24 months at 23:30 UTC (already the next day in Berlin, the
// provider's zone), across month ends, the leap day 2028-02-29 and four
// changes of daylight saving time. The cycle runs every day, after a dry
// run whose counts it must match, then the tasks it queued. After every
// day:
//
//   - every service is charged exactly once for every period it ran:
//     its renewals follow each other without a gap or an overlap (a
//     resumption after a long stop starts a new count, from its day), and
//     those since its anchor are exactly Period.Advance(AnchorOn, k);
//   - every client's balance is what it paid in less its renewals;
//   - statuses agree with balances: no service past its expiry is active
//     while its client could pay it, none is active past its grace, none
//     suspended for non-payment that its client could pay, none suspended
//     past the deletion period, none still processing;
//   - the ledger is conserved: every client's cached balance is the sum
//     of its ledger entries, over as many entries as it counts (the day's
//     new entries added to what the days before summed: the ledger only
//     grows, and an entry changed or lost on the way is caught by the
//     full audit);
//   - every three months, billing's auditor finds nothing (and at the
//     end): it reads the whole ledger, every invoice and every expense
//     again.
func TestCycleYear(t *testing.T) {
	// 1,000 services; 200 under -short and under the race detector, which
	// makes the run ten times slower (CI runs the full size without it).
	n := 1000
	if testing.Short() || raceDetector {
		n = 200
	}
	loc := berlin(t)
	e := newShopEnv(t,
		withProvider(billing.CreateProviderParams{Name: "HostCo", Currency: "USD", Locale: "en", TimeZone: "Europe/Berlin"}),
		withConfig(func(c *provisioning.Config) { c.NoticeDays = []int{7, 0}; c.CycleBatch = 150 }))
	w := &yearWorld{t: t, e: e, rnd: rand.New(rand.NewPCG(2027, 2029)), loc: loc,
		types: map[catalog.ProductTypeID]catalog.Lifecycle{e.vps.ID: e.vps.Lifecycle},
		byID:  map[billkit.ClientID]*yearClient{}, svcs: map[provisioning.ServiceID]*yearService{},
		waiting: map[provisioning.OrderID]*yearClient{}, ledger: map[billkit.ClientID]*ledgerTotal{}}
	w.buildCatalog()
	// 23:30 UTC on January 9th, 2027: the 10th in Berlin.
	e.clock.Set(time.Date(2027, 1, 9, 23, 30, 0, 0, time.UTC))
	first := w.today()
	w.buildClients(n, first)
	last := first.AddMonths(24)
	days := 0
	for d := first; d.Before(last); d = w.today() {
		w.dayOf(d)
		dry, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{DryRun: true})
		if err != nil {
			t.Fatalf("%s: dry run: %v", d, err)
		}
		rep, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
		if err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if len(rep.Failures) > 0 {
			t.Fatalf("%s: failures %+v", d, rep.Failures)
		}
		w.sameAsDry(d, dry, rep)
		e.drainTasks(t)
		w.settle(d)
		w.check(d)
		if d.Day == 1 && d.Month%3 == 1 {
			w.audit(d)
		}
		days++
		e.clock.Advance(24 * time.Hour)
	}
	w.audit(last)
	var renewed, suspended, deleted int
	for _, s := range w.svcs {
		renewed += len(s.chain) - 1
		switch s.svc.Status {
		case provisioning.StatusSuspended:
			suspended++
		case provisioning.StatusDeleted:
			deleted++
		}
	}
	t.Logf("%d days, %d services, %d renewals after the orders; at the end %d suspended, %d deleted", days, len(w.svcs), renewed, suspended, deleted)
	if len(w.svcs) != n || renewed < n || deleted == 0 {
		t.Fatalf("the year did not exercise the cycle: %d services, %d renewals, %d deleted", len(w.svcs), renewed, deleted)
	}
}

func (w *yearWorld) today() billkit.Date { return billkit.DateIn(w.e.clock.Now(), w.loc) }

func (w *yearWorld) buildCatalog() {
	t, e := w.t, w.e
	web, err := e.cat.CreateProductType(ctx, system, e.prov.ID, catalog.ProductTypeDoc{
		Code: "web", Kind: catalog.KindHosting, Name: text("Web hosting"), Module: "test", ServiceNameTemplate: "{tariff} #{number}",
		Lifecycle: catalog.Lifecycle{GraceDays: 0, DeleteAfterDays: 30, NoSuspendOnWeekends: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.types[web.ID] = web.Lifecycle
	prices := func(month, quarter, year string) []catalog.Price {
		return []catalog.Price{monthly(month),
			{Period: catalog.Period3Months, Currency: "USD", Amount: dec(quarter)},
			{Period: catalog.PeriodYear, Currency: "USD", Amount: dec(year)}}
	}
	for _, d := range []catalog.TariffDoc{
		{Code: "y-small", Name: text("Small"), ProductType: "vps", Currency: "USD", Prices: prices("7.00", "20.00", "75.00")},
		{Code: "y-big", Name: text("Big"), ProductType: "vps", Currency: "USD", Prices: prices("19.99", "57.00", "215.00")},
		{Code: "w-basic", Name: text("Basic"), ProductType: "web", Currency: "USD", Prices: prices("3.50", "10.00", "36.00")},
	} {
		tr, err := e.cat.CreateTariff(ctx, system, e.prov.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		w.tariffs = append(w.tariffs, tr)
	}
}

// buildClients makes a client for every four services, each with a way of
// paying (most pay enough, some too little, a few hardly at all), some
// with a credit limit, and the days they order on, in the first 45 days.
func (w *yearWorld) buildClients(services int, first billkit.Date) {
	t, e := w.t, w.e
	for i := 0; services > 0; i++ {
		c := e.newClient(t, fmt.Sprintf("Client %d", i))
		yc := &yearClient{id: c.ID, paid: usd("0.00"), limit: usd("0.00")}
		switch r := w.rnd.Float64(); {
		case r < 0.6:
			yc.topUp, yc.most = 0.04, 450
		case r < 0.9:
			yc.topUp, yc.most = 0.02, 120
		default:
			yc.topUp, yc.most = 0.004, 80
		}
		if w.rnd.IntN(5) == 0 {
			limit := dec("25")
			if _, err := e.bill.UpdateClient(ctx, system, c.ID, billing.UpdateClientParams{CreditLimit: &limit}); err != nil {
				t.Fatal(err)
			}
			yc.limit = usd("25.00")
		}
		k := min(services, 1+w.rnd.IntN(7))
		services -= k
		for range k {
			yc.orderOn = append(yc.orderOn, first.AddDays(w.rnd.IntN(45)))
		}
		w.clients = append(w.clients, yc)
		w.byID[c.ID] = yc
	}
}

// pay puts money on a client's balance.
func (w *yearWorld) pay(c *yearClient, amount billkit.Money) {
	w.e.topUp(w.t, c.id, amount.Amount().StringFixed(2))
	sum, err := c.paid.Add(amount)
	if err != nil {
		w.t.Fatal(err)
	}
	c.paid = sum
}

// dayOf is what the clients do on a day before the cycle runs: they pay
// in, order, and now and then renew by hand, stop renewing, or ask to
// delete at the end of the period.
func (w *yearWorld) dayOf(d billkit.Date) {
	t, e := w.t, w.e
	for _, c := range w.clients {
		if w.rnd.Float64() < c.topUp {
			w.pay(c, usd(fmt.Sprintf("%d.%02d", 5+w.rnd.IntN(c.most), w.rnd.IntN(100))))
		}
		due := 0
		c.orderOn = slices.DeleteFunc(c.orderOn, func(on billkit.Date) bool {
			if on == d {
				due++
			}
			return on == d
		})
		for range due {
			w.orderFor(c)
		}
	}
	if d.Day%7 != 3 || len(w.svcs) == 0 {
		return
	}
	ids := make([]provisioning.ServiceID, 0, len(w.svcs))
	for id := range w.svcs {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, compare)
	id := ids[w.rnd.IntN(len(ids))]
	s := w.svcs[id]
	actor := customer(s.svc.ClientID)
	var err error
	switch w.rnd.IntN(3) {
	case 0:
		_, err = e.mgr.RenewService(ctx, actor, id)
		if billkit.IsCode(err, billkit.CodeFailedPrecondition) {
			err = nil
		}
	case 1:
		_, err = e.mgr.SetAutoRenew(ctx, actor, id, !s.svc.AutoRenew)
	case 2:
		if s.svc.Status == provisioning.StatusActive {
			_, err = e.mgr.DeleteService(ctx, admin(), id, provisioning.DeleteParams{AtPeriodEnd: true})
		}
	}
	if err != nil && !billkit.IsCode(err, billkit.CodeFailedPrecondition) {
		t.Fatalf("%s: changing %s: %v", d, id, err)
	}
}

func compare(a, b provisioning.ServiceID) int {
	x, y := a.String(), b.String()
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// orderFor orders one service of a random tariff and period for c: from
// the balance, paid in first; or, one time in five, by invoice, paid in
// afterwards (or, now and then, never: the order is cancelled).
func (w *yearWorld) orderFor(c *yearClient) {
	t, e := w.t, w.e
	tr := w.tariffs[w.rnd.IntN(len(w.tariffs))]
	period := []catalog.Period{catalog.PeriodMonth, catalog.PeriodMonth, catalog.PeriodMonth, catalog.Period3Months, catalog.PeriodYear}[w.rnd.IntN(5)]
	price, _ := tr.Price(period, "USD")
	amount := price.Money()
	item := provisioning.OrderItemParams{TariffID: tr.ID, Period: period}
	payBy := provisioning.PayByBalance
	if w.rnd.IntN(5) == 0 {
		payBy = provisioning.PayByInvoice
	} else {
		w.pay(c, amount)
	}
	o, err := e.mgr.CreateOrder(ctx, customer(c.id), provisioning.CreateOrderParams{ClientID: c.id, PayBy: payBy, Items: []provisioning.OrderItemParams{item}})
	if err != nil {
		t.Fatalf("ordering %s for %s: %v", tr.Code, period, err)
	}
	if payBy == provisioning.PayByInvoice {
		if w.rnd.IntN(10) == 0 {
			w.waiting[o.ID] = c
			return
		}
		w.pay(c, amount)
		if o, err = e.mgr.PayOrder(ctx, customer(c.id), o.ID); err != nil {
			t.Fatalf("paying order %s: %v", o.ID, err)
		}
	}
	w.ordered(o)
}

// ordered keeps the services of a paid order.
func (w *yearWorld) ordered(o *provisioning.Order) {
	for _, id := range o.Items[0].ServiceIDs {
		s, err := w.e.mgr.GetService(ctx, system, id)
		if err != nil {
			w.t.Fatal(err)
		}
		w.svcs[id] = &yearService{svc: *s}
	}
}

// settle follows the orders left unpaid: paid by the cycle from the
// balance, or cancelled after their TTL (the client orders again).
func (w *yearWorld) settle(d billkit.Date) {
	for id, c := range w.waiting {
		o, err := w.e.mgr.GetOrder(ctx, system, id)
		if err != nil {
			w.t.Fatal(err)
		}
		switch o.Status {
		case provisioning.OrderNew:
			continue
		case provisioning.OrderCancelled:
			c.orderOn = append(c.orderOn, d.AddDays(1))
		default:
			w.ordered(o)
		}
		delete(w.waiting, id)
	}
}

// check compares the database with what a day should have left.
func (w *yearWorld) check(d billkit.Date) {
	t, e := w.t, w.e
	all := w.services()
	if len(all) != len(w.svcs) {
		t.Fatalf("%s: %d services in the store, %d ordered", d, len(all), len(w.svcs))
	}
	charged := map[billkit.ClientID]billkit.Money{}
	byClient := map[billkit.ClientID][]provisioning.Service{}
	for id, ys := range w.svcs {
		s := all[id]
		if s.ExpiresOn != ys.svc.ExpiresOn || s.AnchorOn != ys.svc.AnchorOn || s.PeriodsPaid != ys.svc.PeriodsPaid || len(ys.chain) == 0 {
			w.checkChain(d, ys, s)
		}
		ys.svc = s
		byClient[s.ClientID] = append(byClient[s.ClientID], s)
		for _, r := range ys.chain {
			sum, err := charged[s.ClientID].Add(r.Amount)
			if charged[s.ClientID].Currency() == "" {
				sum, err = r.Amount, nil
			}
			if err != nil {
				t.Fatal(err)
			}
			charged[s.ClientID] = sum
		}
	}
	balances := w.balances()
	if n := e.count(t, "billkit_service_renewals", "1=1"); n != w.renewals {
		t.Fatalf("%s: %d renewals in the store, %d in the services' chains", d, n, w.renewals)
	}
	for _, c := range w.clients {
		spent := charged[c.id]
		if spent.Currency() == "" {
			spent = usd("0.00")
		}
		want, err := c.paid.Sub(spent)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := balances[c.id]
		if !ok {
			got = usd("0.00")
		}
		if !got.Equal(want) {
			t.Fatalf("%s: client %s has %s, paid %s and was charged %s", d, c.id, got, c.paid, spent)
		}
		w.checkStatuses(d, c, got, byClient[c.id])
	}
	w.checkLedger(d)
}

// sameAsDry checks that the day's run did what its dry run, just before,
// said it would: the same decisions on the same data, whichever lane the
// run took them in.
func (w *yearWorld) sameAsDry(d billkit.Date, dry, real provisioning.CycleReport) {
	counts := func(r provisioning.CycleReport) [9]int {
		return [9]int{r.Notices, r.Invoices, r.Renewals, r.Unpaid, r.Suspensions, r.Resumptions, r.Deletions, r.OrdersPaid, r.OrdersCancelled}
	}
	if counts(dry) != counts(real) {
		w.t.Fatalf("%s: the run did %v (notices, invoices, renewals, unpaid, suspensions, resumptions, deletions, orders paid, cancelled); its dry run said %v",
			d, counts(real), counts(dry))
	}
}

// checkLedger adds the ledger entries made since the last check to each
// client's totals and checks them against the cached balances: billing's
// AuditLedger, a day at a time.
func (w *yearWorld) checkLedger(d billkit.Date) {
	t := w.t
	to := w.e.clock.Now().Add(time.Microsecond)
	f := billing.LedgerFilter{From: w.ledgerTo, To: to, PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit}}
	for {
		page, err := w.e.bill.ListEntries(ctx, system, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range page.Items {
			lt := w.ledger[en.ClientID]
			if lt == nil {
				lt = &ledgerTotal{}
				w.ledger[en.ClientID] = lt
			}
			lt.sum, lt.entries = lt.sum.Add(en.Amount.Amount()), lt.entries+1
		}
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			break
		}
	}
	w.ledgerTo = to
	rows, err := w.e.st.DB().QueryContext(ctx, `SELECT client_id, balance, entries FROM billkit_client_balances`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var (
			id      billkit.ClientID
			balance string
			entries int64
		)
		if err := rows.Scan(&id, &balance, &entries); err != nil {
			t.Fatal(err)
		}
		seen++
		lt := w.ledger[id]
		if lt == nil {
			lt = &ledgerTotal{}
		}
		if b := decimal.RequireFromString(balance); !b.Equal(lt.sum) || entries != lt.entries {
			t.Fatalf("%s: client %s's balance is %s over %d entries; its ledger sums %s over %d", d, id, b, entries, lt.sum, lt.entries)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != len(w.ledger) {
		t.Fatalf("%s: %d cached balances, %d clients with ledger entries", d, seen, len(w.ledger))
	}
}

// services reads every service's billing fields with one plain query: the
// check runs every day, and the services' other fields do not matter to it.
func (w *yearWorld) services() map[provisioning.ServiceID]provisioning.Service {
	rows, err := w.e.st.DB().QueryContext(ctx, `SELECT id, client_id, product_type_id, period, status, operation,
		suspend_reason, suspended_on, anchor_on, periods_paid, expires_on, auto_renew, price, currency, delete_at_period_end
		FROM billkit_services`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	out := map[provisioning.ServiceID]provisioning.Service{}
	for rows.Next() {
		var (
			s               provisioning.Service
			price, currency string
		)
		if err := rows.Scan(&s.ID, &s.ClientID, &s.ProductTypeID, &s.Period, &s.Status, &s.Operation, &s.SuspendReason,
			&s.SuspendedOn, &s.AnchorOn, &s.PeriodsPaid, &s.ExpiresOn, &s.AutoRenew, &price, &currency, &s.DeleteAtPeriodEnd); err != nil {
			w.t.Fatal(err)
		}
		s.Price = billkit.MustParseMoney(price, currency)
		out[s.ID] = s
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	return out
}

// balances reads every client's cached balance with one plain query;
// billing's auditor checks them against the ledger.
func (w *yearWorld) balances() map[billkit.ClientID]billkit.Money {
	rows, err := w.e.st.DB().QueryContext(ctx, `SELECT client_id, balance, currency FROM billkit_client_balances`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	out := map[billkit.ClientID]billkit.Money{}
	for rows.Next() {
		var (
			id               billkit.ClientID
			amount, currency string
		)
		if err := rows.Scan(&id, &amount, &currency); err != nil {
			w.t.Fatal(err)
		}
		out[id] = billkit.MustParseMoney(amount, currency)
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	return out
}

// checkChain reads a service's renewals again and checks them.
func (w *yearWorld) checkChain(d billkit.Date, ys *yearService, s provisioning.Service) {
	t := w.t
	rs := w.e.renewals(t, s.ID)
	if len(rs) < len(ys.chain) {
		t.Fatalf("%s: service %s lost renewals", d, s.ID)
	}
	for i, r := range rs {
		if i < len(ys.chain) && (r.PeriodStart != ys.chain[i].PeriodStart || r.PeriodEnd != ys.chain[i].PeriodEnd) {
			t.Fatalf("%s: service %s renewal %d changed: %+v → %+v", d, s.ID, i, ys.chain[i], r)
		}
		if r.Amount.IsPositive() == r.ExpenseID.IsZero() {
			t.Fatalf("%s: renewal %+v and its expense disagree", d, r)
		}
		if i == 0 {
			if r.Kind != "order" {
				t.Fatalf("%s: service %s's first period is %+v", d, s.ID, r)
			}
			continue
		}
		prev := rs[i-1]
		switch {
		case r.Kind != "renewal" || !r.Amount.Equal(s.Price):
			t.Fatalf("%s: service %s renewal %+v, price %s", d, s.ID, r, s.Price)
		case r.PeriodStart.Before(prev.PeriodEnd):
			t.Fatalf("%s: service %s paid twice: %+v overlaps %+v", d, s.ID, r, prev)
		case r.PeriodStart != prev.PeriodEnd && i >= len(ys.chain) && r.PeriodStart != d:
			// Only a resumption after a long stop starts elsewhere: on
			// its own day.
			t.Fatalf("%s: service %s renewal %+v leaves a gap after %+v", d, s.ID, r, prev)
		}
	}
	if s.PeriodsPaid < 1 || s.PeriodsPaid > len(rs) {
		t.Fatalf("%s: service %s has %d periods paid and %d renewals", d, s.ID, s.PeriodsPaid, len(rs))
	}
	tail := rs[len(rs)-s.PeriodsPaid:]
	for k, r := range tail {
		if r.PeriodStart != s.Period.Advance(s.AnchorOn, k) || r.PeriodEnd != s.Period.Advance(s.AnchorOn, k+1) {
			t.Fatalf("%s: service %s period %d since %s is %s – %s", d, s.ID, k+1, s.AnchorOn, r.PeriodStart, r.PeriodEnd)
		}
	}
	if rs[len(rs)-1].PeriodEnd != s.ExpiresOn {
		t.Fatalf("%s: service %s expires on %s, paid until %s", d, s.ID, s.ExpiresOn, rs[len(rs)-1].PeriodEnd)
	}
	w.renewals += len(rs) - len(ys.chain)
	ys.chain = rs
}

// checkStatuses checks that a client's services' statuses agree with its
// balance after the day's run.
func (w *yearWorld) checkStatuses(d billkit.Date, c *yearClient, balance billkit.Money, svcs []provisioning.Service) {
	t := w.t
	funds, err := balance.Add(c.limit)
	if err != nil {
		t.Fatal(err)
	}
	covers := func(price billkit.Money) bool {
		cmp, err := funds.Cmp(price)
		return err == nil && cmp >= 0
	}
	for _, s := range svcs {
		lc := w.types[s.ProductTypeID]
		due := !d.Before(s.ExpiresOn)
		switch s.Status {
		case provisioning.StatusProcessing, provisioning.StatusOrdered:
			t.Fatalf("%s: service %s still %s (%s)", d, s.ID, s.Status, s.Operation)
		case provisioning.StatusActive:
			switch {
			case due && s.DeleteAtPeriodEnd:
				t.Fatalf("%s: service %s outlived its last period", d, s.ID)
			case due && s.AutoRenew && covers(s.Price):
				t.Fatalf("%s: service %s expired on %s unrenewed, its client has %s", d, s.ID, s.ExpiresOn, funds)
			case due && !d.Before(provisioning.SuspendOn(s.ExpiresOn, lc)):
				t.Fatalf("%s: service %s expired on %s and is active past its grace", d, s.ID, s.ExpiresOn)
			}
		case provisioning.StatusSuspended:
			if s.SuspendReason != provisioning.SuspendNonPayment {
				t.Fatalf("%s: service %s suspended for %s", d, s.ID, s.SuspendReason)
			}
			if s.AutoRenew && covers(s.Price) {
				t.Fatalf("%s: service %s suspended while its client has %s", d, s.ID, funds)
			}
			if lc.DeleteAfterDays > 0 && !d.Before(s.SuspendedOn.AddDays(lc.DeleteAfterDays)) {
				t.Fatalf("%s: service %s suspended on %s outlived its deletion", d, s.ID, s.SuspendedOn)
			}
		}
	}
}

// audit runs billing's auditor.
func (w *yearWorld) audit(d billkit.Date) {
	found, err := w.e.bill.Audit(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, f := range found {
		w.t.Errorf("%s: audit: %+v", d, f)
	}
	if len(found) > 0 {
		w.t.FailNow()
	}
}
