package provisioning

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// CycleOptions shape one run of the billing cycle.
type CycleOptions struct {
	// DryRun writes nothing and reports what the run would do, decided the
	// same way (Decide) from the same data, with charges checked against
	// the balances on paper.
	DryRun bool `json:"dry_run,omitempty"`
	// Now is the instant the run decides for; zero is the manager's clock.
	Now time.Time `json:"now,omitzero"`
}

// CycleReport is what one run of the cycle did, or would do.
type CycleReport struct {
	DryRun bool      `json:"dry_run,omitempty"`
	Now    time.Time `json:"now"`
	// Services is how many services the run looked at.
	Services    int `json:"services"`
	Notices     int `json:"notices"`
	Invoices    int `json:"invoices"`
	Renewals    int `json:"renewals"`
	Suspensions int `json:"suspensions"`
	Resumptions int `json:"resumptions"`
	Deletions   int `json:"deletions"`
	// Unpaid counts the renewals (and resumptions) that were due and that
	// the balance did not cover: nothing was charged for them.
	Unpaid int `json:"unpaid"`
	// Skipped counts the services another run handled meanwhile (their
	// period was paid already, or an operation started).
	Skipped int `json:"skipped"`
	// OrdersPaid are the new orders the balance now paid, OrdersCancelled
	// those unpaid past their CancelAt.
	OrdersPaid      int `json:"orders_paid"`
	OrdersCancelled int `json:"orders_cancelled"`
	// Failures are the services (and orders) the run could not handle;
	// the others went on.
	Failures []CycleFailure `json:"failures"`
	// Actions are, in a dry run, what would be done, service by service.
	Actions []CycleAction `json:"actions,omitempty"`
}

// CycleFailure is a service (or an order) a run of the cycle could not
// handle, and why.
type CycleFailure struct {
	ServiceID ServiceID    `json:"service_id,omitzero"`
	OrderID   OrderID      `json:"order_id,omitzero"`
	Code      billkit.Code `json:"code"`
	Reason    string       `json:"reason"`
	Message   string       `json:"message"`
}

// CycleAction is one thing the cycle did, or would do, to a service.
type CycleAction struct {
	ServiceID   ServiceID        `json:"service_id"`
	ServiceName string           `json:"service_name"`
	ClientID    billkit.ClientID `json:"client_id"`
	Step        Step             `json:"step"`
	// Period and Amount are the period a renewal or a resumption paid, and
	// what it cost.
	Period *PaidPeriod    `json:"period,omitempty"`
	Amount *billkit.Money `json:"amount,omitempty"`
	// Unpaid is true for a renewal or a resumption that was due and that
	// the balance did not cover.
	Unpaid bool `json:"unpaid,omitempty"`
}

// tally counts what the cycle did to services.
type tally struct {
	notices, invoices, renewals, suspensions, resumptions, deletions, unpaid, skipped int
	failures                                                                          []CycleFailure
}

func (t *tally) add(o tally) {
	t.notices += o.notices
	t.invoices += o.invoices
	t.renewals += o.renewals
	t.suspensions += o.suspensions
	t.resumptions += o.resumptions
	t.deletions += o.deletions
	t.unpaid += o.unpaid
	t.skipped += o.skipped
	t.failures = append(t.failures, o.failures...)
}

func (r *CycleReport) add(t tally) {
	r.Notices += t.notices
	r.Invoices += t.invoices
	r.Renewals += t.renewals
	r.Suspensions += t.suspensions
	r.Resumptions += t.resumptions
	r.Deletions += t.deletions
	r.Unpaid += t.unpaid
	r.Skipped += t.skipped
	r.Failures = append(r.Failures, t.failures...)
}

// cycleOps carries out what Decide asked, on the database (storeOps) or on
// paper (paperOps, for a dry run and a timeline), so that both go through
// applySteps and cannot drift apart.
type cycleOps interface {
	// notice records a reminder (or a renewal's invoice); false when it was
	// recorded already.
	notice(ctx context.Context, svc *Service, st Step) (bool, error)
	// pay charges svc's price for p and moves its expiry past p; a balance
	// that does not cover it is billing.insufficient_funds, with nothing
	// charged.
	pay(ctx context.Context, svc *Service, p PaidPeriod) (billkit.Money, error)
	// operate starts op (a suspension, a resumption, a deletion) on svc.
	operate(ctx context.Context, svc *Service, op Operation, st Step) error
}

// insufficient reports whether err is a charge the balance refused.
func insufficient(err error) bool {
	return billkit.IsCode(err, billkit.CodeFailedPrecondition) && billkit.HasReason(err, billing.ReasonInsufficientFunds)
}

// applySteps does steps (Decide's, for svc) with ops, in order: reminders;
// the renewal, then as many more periods as the service is behind while
// the balance pays them; the suspension, unless a renewal paid the service
// beyond today; the resumption when the balance pays a period; the
// deletion, unless the service was just resumed. emit, when not nil, is
// told of every action.
func applySteps(ctx context.Context, ops cycleOps, svc *Service, steps []Step, emit func(CycleAction)) (tally, error) {
	var t tally
	act := func(st Step, p *PaidPeriod, amount *billkit.Money, unpaid bool) {
		if emit != nil {
			emit(CycleAction{ServiceID: svc.ID, ServiceName: svc.Name, ClientID: svc.ClientID, Step: st, Period: p, Amount: amount, Unpaid: unpaid})
		}
	}
	// pay pays p for st and counts it; false, reported as unpaid, when the
	// balance does not cover it.
	pay := func(st Step, p PaidPeriod) (billkit.Money, bool, error) {
		amount, err := ops.pay(ctx, svc, p)
		switch {
		case insufficient(err):
			t.unpaid++
			act(st, &p, &amount, true)
			return amount, false, nil
		case err != nil:
			return amount, false, err
		}
		t.renewals++
		return amount, true, nil
	}
	resumed := false
	for _, st := range steps {
		switch st.Kind {
		case StepNotice, StepInvoice:
			ok, err := ops.notice(ctx, svc, st)
			if err != nil {
				return t, err
			}
			if ok {
				if st.Kind == StepNotice {
					t.notices++
				} else {
					t.invoices++
				}
				act(st, nil, nil, false)
			}
		case StepRenew:
			renewed := false
			for i := 0; i < maxCatchUp && svc.Status == StatusActive && !svc.ExpiresOn.After(st.On); i++ {
				p := nextPeriod(svc, st.On, false)
				amount, paid, err := pay(st, p)
				if err != nil {
					return t, err
				}
				if !paid {
					break
				}
				renewed = true
				act(st, &p, &amount, false)
			}
			// One task renews on the system whatever number of periods
			// were paid: the module brings the system's expiry to the
			// service's. A change the renewal applied is under way
			// instead, and its task carries the new expiry too.
			if renewed && st.OnSystem && svc.Status == StatusActive {
				if err := ops.operate(ctx, svc, OpRenew, st); err != nil {
					return t, err
				}
			}
		case StepSuspend:
			if svc.Status != StatusActive || svc.ExpiresOn.After(st.On) {
				continue
			}
			if err := ops.operate(ctx, svc, OpSuspend, st); err != nil {
				return t, err
			}
			t.suspensions++
			act(st, nil, nil, false)
		case StepResume:
			p := nextPeriod(svc, st.On, true)
			amount, paid, err := pay(st, p)
			if err != nil {
				return t, err
			}
			if !paid {
				continue
			}
			if err := ops.operate(ctx, svc, OpResume, st); err != nil {
				return t, err
			}
			t.resumptions++
			resumed = true
			act(st, &p, &amount, false)
		case StepDelete:
			if resumed {
				continue
			}
			if err := ops.operate(ctx, svc, OpDelete, st); err != nil {
				return t, err
			}
			t.deletions++
			act(st, nil, nil, false)
		}
	}
	return t, nil
}

// storeOps are the cycle's steps on the database, in the transaction of
// one service.
type storeOps struct {
	m     *Manager
	tx    Store
	actor billkit.Actor
}

func (o *storeOps) notice(ctx context.Context, svc *Service, st Step) (bool, error) {
	n := &Notice{ServiceID: svc.ID, ExpiresOn: st.ExpiresOn, DaysBefore: st.DaysBefore, ClientID: svc.ClientID,
		InvoiceID: renewalInvoiceID(svc, st), CreatedAt: o.m.now()}
	memo := noticeMemo(st)
	// A savepoint: on PostgreSQL a refused insert spoils the transaction
	// around it otherwise. A renewal's invoice is issued in it, after the
	// Notice whose key makes it once: a proforma billing refuses takes the
	// Notice back, and the next run tries again.
	recorded := false
	err := o.tx.InTx(ctx, func(tx Store) error {
		if err := tx.InsertNotice(ctx, n); err != nil {
			recorded = billkit.IsCode(err, billkit.CodeConflict)
			return err
		}
		if !n.InvoiceID.IsZero() {
			if err := o.m.renewalProforma(ctx, tx, o.actor, svc, st, n.InvoiceID); err != nil {
				return err
			}
		}
		return o.m.event(ctx, tx, o.actor, svc, string(st.Kind), "", "", nil, nil, memo)
	})
	if recorded {
		return false, nil
	}
	return err == nil, err
}

func (o *storeOps) pay(ctx context.Context, svc *Service, p PaidPeriod) (billkit.Money, error) {
	r, err := o.m.payPeriod(ctx, o.tx, o.actor, svc, RenewalRenewal, p)
	if err != nil {
		return nextPeriodPrice(svc), err
	}
	return r.Amount, nil
}

func (o *storeOps) operate(ctx context.Context, svc *Service, op Operation, st Step) error {
	if op == OpSuspend {
		svc.SuspendReason, svc.SuspendedOn = SuspendNonPayment, st.On
	}
	_, err := o.m.startOperation(ctx, o.tx, o.actor, svc, op, nil)
	return err
}

// funds is a client's money on paper: its balance and how low it may go.
type funds struct {
	balance billkit.Money
	floor   billkit.Money
}

// noticeKey is a reminder's key.
type noticeKey struct {
	service ServiceID
	expires billkit.Date
	days    int
}

// paperOps are the cycle's steps on paper: charges against balances read
// once, operations that take effect at once, reminders checked against
// those recorded. A dry run and Timeline use them.
type paperOps struct {
	m        *Manager
	funds    map[billkit.ClientID]*funds
	sent     map[noticeKey]bool
	recorded map[ServiceID]map[noticeKey]bool
}

func newPaperOps(m *Manager) *paperOps {
	return &paperOps{m: m, funds: map[billkit.ClientID]*funds{}, sent: map[noticeKey]bool{}, recorded: map[ServiceID]map[noticeKey]bool{}}
}

// fundsOf reads a client's balance and credit limit once.
func (o *paperOps) fundsOf(ctx context.Context, client billkit.ClientID) (*funds, error) {
	if f, ok := o.funds[client]; ok {
		return f, nil
	}
	c, err := o.m.cfg.Billing.GetClient(ctx, selfActor, client)
	if err != nil {
		return nil, err
	}
	bal, err := o.m.cfg.Billing.Balance(ctx, selfActor, client)
	if err != nil {
		return nil, err
	}
	limit, err := billkit.NewMoney(c.CreditLimit, c.Currency)
	if err != nil {
		return nil, err
	}
	f := &funds{balance: bal, floor: limit.Neg()}
	o.funds[client] = f
	return f, nil
}

func (o *paperOps) notice(ctx context.Context, svc *Service, st Step) (bool, error) {
	k := noticeKey{svc.ID, st.ExpiresOn, st.DaysBefore}
	if o.sent[k] {
		return false, nil
	}
	rec, ok := o.recorded[svc.ID]
	if !ok {
		rec = map[noticeKey]bool{}
		f := NoticeFilter{ServiceID: svc.ID, PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit}}
		for {
			page, err := o.m.store.ListNotices(ctx, f)
			if err != nil {
				return false, err
			}
			for _, n := range page.Items {
				rec[noticeKey{n.ServiceID, n.ExpiresOn, n.DaysBefore}] = true
			}
			if f.Cursor = page.NextCursor; f.Cursor == "" {
				break
			}
		}
		o.recorded[svc.ID] = rec
	}
	o.sent[k] = true
	return !rec[k], nil
}

func (o *paperOps) pay(ctx context.Context, svc *Service, p PaidPeriod) (billkit.Money, error) {
	// As payPeriod does: a change waiting for this renewal switches the
	// service first, and the period is paid at the new price. svc is the
	// paper copy.
	if pc := dueChange(svc, p); pc != nil {
		p = switchToPending(svc, pc, p)
	}
	amount := svc.Price
	if amount.IsPositive() {
		f, err := o.fundsOf(ctx, svc.ClientID)
		if err != nil {
			return amount, err
		}
		after, err := f.balance.Sub(amount)
		if err != nil {
			return amount, err
		}
		if c, err := after.Cmp(f.floor); err != nil || c < 0 {
			return amount, billkit.Errorf(billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds,
				"the balance of %s does not cover %s", f.balance, amount)
		}
		f.balance = after
	}
	svc.paidThrough(p)
	return amount, nil
}

func (o *paperOps) operate(_ context.Context, svc *Service, op Operation, st Step) error {
	switch op {
	case OpSuspend:
		svc.Status, svc.SuspendReason, svc.SuspendedOn = StatusSuspended, SuspendNonPayment, st.On
	case OpResume:
		svc.Status, svc.SuspendReason, svc.SuspendedOn = StatusActive, "", billkit.Date{}
	case OpDelete:
		svc.Status = StatusDeleted
	}
	return nil
}

// cyclePolicies finds what Decide needs of a service besides itself: the
// lifecycle of its product type (read from the catalog before any
// transaction), its provider's time zone and its client's way of paying
// (read from billing's store, in the transaction when there is one). It
// keeps what it read for the run.
type cyclePolicies struct {
	// mu guards the maps (the workers of a run share them) and the
	// run's report.
	mu        sync.Mutex
	m         *Manager
	types     map[catalog.ProductTypeID]catalog.Lifecycle
	providers map[billkit.ProviderID]cycleProvider
	invoice   map[billkit.ClientID]bool
}

// cycleProvider is what the cycle keeps of a provider: its settings and
// its time zone, loaded once.
type cycleProvider struct {
	settings billing.Settings
	loc      *time.Location
}

func newCyclePolicies(m *Manager) *cyclePolicies {
	return &cyclePolicies{m: m, types: map[catalog.ProductTypeID]catalog.Lifecycle{},
		providers: map[billkit.ProviderID]cycleProvider{}, invoice: map[billkit.ClientID]bool{}}
}

// loadTypes reads the product types of svcs that are not read yet.
func (c *cyclePolicies) loadTypes(ctx context.Context, svcs []Service) error {
	for i := range svcs {
		id := svcs[i].ProductTypeID
		if _, err := cached(&c.mu, c.types, id, func() (catalog.Lifecycle, error) {
			pt, err := c.m.cfg.Catalog.GetProductType(ctx, selfActor, id)
			if err != nil {
				return catalog.Lifecycle{}, err
			}
			return pt.Lifecycle, nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// cached returns m[k], loading it first when absent. mu guards m but not
// load: a store call made under it could wait for a connection that a
// worker holds while that worker waits for mu.
func cached[K comparable, V any](mu *sync.Mutex, m map[K]V, k K, load func() (V, error)) (V, error) {
	mu.Lock()
	v, ok := m[k]
	mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	mu.Lock()
	m[k] = v
	mu.Unlock()
	return v, nil
}

// errTypeUnread is a service whose product type changed since its page
// was read: the next run handles it.
var errTypeUnread = billkit.Errorf(billkit.CodeConflict, "provisioning.cycle_stale", "the service changed while the cycle ran")

// policy returns the provider's time zone, the lifecycle and the policy of
// svc, reading billing through bst.
func (c *cyclePolicies) policy(ctx context.Context, bst billing.Store, svc *Service, now time.Time) (*time.Location, catalog.Lifecycle, CyclePolicy, error) {
	c.mu.Lock()
	lc, ok := c.types[svc.ProductTypeID]
	c.mu.Unlock()
	if !ok {
		return nil, lc, CyclePolicy{}, errTypeUnread
	}
	pr, err := cached(&c.mu, c.providers, svc.ProviderID, func() (cycleProvider, error) {
		p, err := bst.GetProvider(ctx, svc.ProviderID)
		if err != nil {
			return cycleProvider{}, err
		}
		return cycleProvider{settings: p.Settings, loc: p.Location()}, nil
	})
	if err != nil {
		return nil, lc, CyclePolicy{}, err
	}
	loc := pr.loc
	pol := CyclePolicy{NoticeDays: c.m.cfg.NoticeDays, InvoiceDaysBefore: c.m.cfg.InvoiceDaysBefore}
	// Whether the client pays by invoice matters only while an invoice
	// could be due: the client is read then, and not for every renewal.
	if svc.Status == StatusActive && svc.AutoRenew && invoiceDue(billkit.DateIn(now, loc), svc.ExpiresOn, pol.InvoiceDaysBefore) {
		byInvoice, err := cached(&c.mu, c.invoice, svc.ClientID, func() (bool, error) {
			cl, err := bst.GetClient(ctx, svc.ClientID)
			if err != nil {
				return false, err
			}
			return paysByInvoice(pr.settings, cl.Settings), nil
		})
		if err != nil {
			return nil, lc, CyclePolicy{}, err
		}
		pol.PaysByInvoice = byInvoice
	}
	return loc, lc, pol, nil
}

// paysByInvoice reads SettingRenewalPayBy: the client's, else the
// provider's.
func paysByInvoice(provider, client billing.Settings) bool {
	for _, s := range []billing.Settings{client, provider} {
		if v := s.String(SettingRenewalPayBy); v != "" {
			return v == string(PayByInvoice)
		}
	}
	return false
}

// RunCycle runs the billing cycle once at opts.Now: it cancels the orders
// left unpaid past their CancelAt, pays the new orders that the balance
// now covers, then reads the IDs of the services that may need something
// (active or suspended, expiring before today plus the longest notice),
// and goes through them a batch at a time: it decides for each (Decide)
// and does it, in transactions of Config.CycleBatch services,
// Config.CycleWorkers of them at once, each service in its own savepoint:
// a service that fails is reported in CycleReport.Failures and the others
// go on.
//
// Each service is read again, locked, in its transaction, and decided
// from that: a period is charged exactly once however many runs go at
// once and whatever crashed before, since a second charge for a period
// is refused by the renewals' unique key, and a second suspension by the
// service's status. A run stopped halfway (its context cancelled, the
// process killed) loses the batch under way, which the next run does.
// Renewals, suspensions, resumptions and deletions are made by actor
// (the scheduler's system actor, or staff running it by hand), with the
// right to charge the client lent for the charge; operations on real
// systems are queued as tasks, in the same transaction.
//
// It needs provisioning.cycle:create, or provisioning.cycle:read for a dry
// run, which writes nothing.
func (m *Manager) RunCycle(ctx context.Context, actor billkit.Actor, opts CycleOptions) (CycleReport, error) {
	if err := actor.Validate(); err != nil {
		return CycleReport{}, err
	}
	op := billkit.OpCreate
	if opts.DryRun {
		op = billkit.OpRead
	}
	if err := actor.Authorize(billkit.R(FunctionCycle, op)); err != nil {
		return CycleReport{}, err
	}
	now := opts.Now
	if now.IsZero() {
		now = m.now()
	}
	now = billkit.Instant(now)
	rep := CycleReport{DryRun: opts.DryRun, Now: now, Failures: []CycleFailure{}}
	// The orders come first, from the same money: in a dry run, what the
	// orders it would pay take is not there for the renewals after them.
	orderFunds := newPaperOps(m)
	if err := m.cycleOrders(ctx, actor, now, &rep, orderFunds); err != nil {
		return rep, err
	}
	pols := newCyclePolicies(m)
	var paper *paperOps
	if opts.DryRun {
		paper = orderFunds
	}
	// The scan reaches as far ahead as a reminder can be, in the zone
	// furthest ahead of UTC.
	horizon := billkit.DateOf(now).AddDays(CyclePolicy{NoticeDays: m.cfg.NoticeDays, InvoiceDaysBefore: m.cfg.InvoiceDaysBefore}.maxNoticeDays() + 2)
	ids, err := m.store.ListServiceIDs(ctx, ServiceFilter{Statuses: []Status{StatusActive, StatusSuspended}, ExpiresBefore: horizon})
	if err != nil {
		return rep, err
	}
	if paper != nil || m.cfg.CycleWorkers == 1 {
		for lo := 0; lo < len(ids); lo += m.cfg.CycleBatch {
			page, err := m.cyclePage(ctx, pols, ids[lo:min(lo+m.cfg.CycleBatch, len(ids))], &rep)
			if err != nil {
				return rep, err
			}
			if paper != nil {
				err = m.cyclePaper(ctx, pols, paper, now, page, &rep)
			} else if due := m.cycleDue(ctx, pols, now, page); len(due) > 0 {
				var t tally
				t, err = m.cycleBatch(ctx, actor, pols, now, due)
				rep.add(t)
			}
			if err != nil {
				return rep, err
			}
		}
		return rep, nil
	}
	return rep, m.cycleWorkers(ctx, actor, pols, now, ids, &rep)
}

// cyclePage reads the services of ids (one batch of the scan) and the
// product types they need, and counts them in rep.
func (m *Manager) cyclePage(ctx context.Context, pols *cyclePolicies, ids []ServiceID, rep *CycleReport) ([]Service, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	page, err := m.store.GetServices(ctx, ids)
	if err != nil {
		return nil, err
	}
	pols.mu.Lock()
	rep.Services += len(page)
	pols.mu.Unlock()
	return page, pols.loadTypes(ctx, page)
}

// cycleWorkers is the scan of RunCycle with Config.CycleWorkers batches at
// once: one goroutine reads the pages and keeps what is due, the workers
// each take a batch and run it in its own transaction. The batches lock
// their services in ID order and their clients' balances in client order,
// so two of them sharing a client wait for each other rather than
// deadlock. The first error stops the run; the batches already committed
// stay done, as when one worker stops. Failures are reported in service
// order.
func (m *Manager) cycleWorkers(ctx context.Context, actor billkit.Actor, pols *cyclePolicies, now time.Time, ids []ServiceID, rep *CycleReport) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		wg      sync.WaitGroup
		jobs    = make(chan []Service)
		scanned = len(rep.Failures)
	)
	for range m.cfg.CycleWorkers {
		wg.Go(func() {
			for batch := range jobs {
				t, err := m.cycleBatch(ctx, actor, pols, now, batch)
				if err != nil {
					cancel(err)
					continue
				}
				pols.mu.Lock()
				rep.add(t)
				pols.mu.Unlock()
			}
		})
	}
	var err error
	for lo := 0; lo < len(ids) && err == nil; lo += m.cfg.CycleBatch {
		var page []Service
		if page, err = m.cyclePage(ctx, pols, ids[lo:min(lo+m.cfg.CycleBatch, len(ids))], rep); err != nil {
			break
		}
		if due := m.cycleDue(ctx, pols, now, page); len(due) > 0 {
			select {
			case jobs <- due:
			case <-ctx.Done():
				err = context.Cause(ctx)
			}
		}
	}
	close(jobs)
	wg.Wait()
	slices.SortFunc(rep.Failures[scanned:], func(a, b CycleFailure) int { return a.ServiceID.Compare(b.ServiceID) })
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return err
}

// cycleDue keeps the services of a page that, as the page shows them,
// need something: most services the scan reaches wait for a later day, and
// need neither a lock nor a savepoint. The services kept are read again,
// locked, and decided again from what they are then.
func (m *Manager) cycleDue(ctx context.Context, pols *cyclePolicies, now time.Time, page []Service) []Service {
	bst := m.store.Billing()
	due := page[:0:0]
	for i := range page {
		svc := &page[i]
		loc, lc, pol, err := pols.policy(ctx, bst, svc, now)
		if err != nil || len(Decide(now, loc, *svc, lc, pol)) > 0 {
			// An error is met again, and reported, in the transaction.
			due = append(due, *svc)
		}
	}
	return due
}

// cycleBatch handles one batch of services in one transaction, each in its
// own savepoint. The counts join the report once the batch commits: a
// batch the database retries counts once.
func (m *Manager) cycleBatch(ctx context.Context, actor billkit.Actor, pols *cyclePolicies, now time.Time, batch []Service) (tally, error) {
	var done tally
	err := m.store.InTx(ctx, func(tx Store) error {
		slow, fast, err := m.cycleFast(ctx, tx, actor, pols, now, batch)
		if err != nil {
			return err
		}
		done = fast
		for i := range slow {
			id := slow[i].ID
			var t tally
			err := tx.InTx(ctx, func(tx Store) error {
				svc, err := tx.GetServiceForUpdate(ctx, id)
				if err != nil {
					return err
				}
				loc, lc, pol, err := pols.policy(ctx, tx.Billing(), svc, now)
				if err != nil {
					return err
				}
				steps := Decide(now, loc, *svc, lc, pol)
				if len(steps) == 0 {
					return nil
				}
				t, err = applySteps(ctx, &storeOps{m: m, tx: tx, actor: actor}, svc, steps, nil)
				return err
			})
			switch {
			case err == nil:
				done.add(t)
			case ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
				return err
			case billkit.IsCode(err, billkit.CodeUnavailable):
				// A deadlock or a busy database: the store runs the whole
				// batch again.
				return err
			case billkit.HasReason(err, "renewal.exists") || billkit.HasReason(err, ReasonOperationNotAllowed) || err == errTypeUnread:
				done.skipped++
			default:
				done.failures = append(done.failures, serviceFailure(id, err))
			}
		}
		return nil
	})
	if err != nil {
		return tally{}, err
	}
	return done, nil
}

// cyclePaper decides a batch of services and does it on paper.
func (m *Manager) cyclePaper(ctx context.Context, pols *cyclePolicies, paper *paperOps, now time.Time, batch []Service, rep *CycleReport) error {
	bst := m.store.Billing()
	for i := range batch {
		svc := cloneService(&batch[i])
		loc, lc, pol, err := pols.policy(ctx, bst, svc, now)
		if err != nil {
			rep.Failures = append(rep.Failures, serviceFailure(svc.ID, err))
			continue
		}
		steps := Decide(now, loc, *svc, lc, pol)
		if len(steps) == 0 {
			continue
		}
		t, err := applySteps(ctx, paper, svc, steps, func(a CycleAction) { rep.Actions = append(rep.Actions, a) })
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			t.failures = append(t.failures, serviceFailure(svc.ID, err))
		}
		rep.add(t)
	}
	return nil
}

func serviceFailure(id ServiceID, err error) CycleFailure {
	return CycleFailure{ServiceID: id, Code: billkit.ErrorCode(err), Reason: billkit.ErrorReason(err), Message: err.Error()}
}

// cycleOrders cancels the orders unpaid past their CancelAt and pays the
// new orders the balance covers (in a dry run: counts them), keeping in
// paper what the balances have left.
func (m *Manager) cycleOrders(ctx context.Context, actor billkit.Actor, now time.Time, rep *CycleReport, paper *paperOps) error {
	if !rep.DryRun {
		n, err := m.CancelExpiredOrders(ctx, now)
		rep.OrdersCancelled += n
		if err != nil {
			return err
		}
	}
	f := OrderFilter{Statuses: []OrderStatus{OrderNew}, PageParams: billkit.PageParams{Limit: 200}}
	for {
		page, err := m.store.ListOrders(ctx, f)
		if err != nil {
			return err
		}
		for i := range page.Items {
			o := &page.Items[i]
			if !o.CancelAt.IsZero() && !now.Before(o.CancelAt) {
				if rep.DryRun {
					rep.OrdersCancelled++
				}
				continue
			}
			// Read the balance first: most waiting orders wait for money.
			fu, err := paper.fundsOf(ctx, o.ClientID)
			if err != nil {
				rep.Failures = append(rep.Failures, orderFailure(o.ID, err))
				continue
			}
			after, err := fu.balance.Sub(o.Total)
			if c, cerr := after.Cmp(fu.floor); err != nil || cerr != nil || c < 0 {
				continue
			}
			waiting, err := m.waitsForItsPayment(ctx, o)
			if err != nil {
				rep.Failures = append(rep.Failures, orderFailure(o.ID, err))
				continue
			}
			if waiting {
				continue
			}
			if rep.DryRun {
				fu.balance = after
				rep.OrdersPaid++
				continue
			}
			_, err = m.payOrder(ctx, actor, o)
			switch {
			case err == nil:
				fu.balance = after
				rep.OrdersPaid++
			case ctx.Err() != nil:
				return ctx.Err()
			case orderNotPayableNow(err):
			default:
				rep.Failures = append(rep.Failures, orderFailure(o.ID, err))
			}
		}
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			return nil
		}
	}
}

// waitsForItsPayment reports whether o is paid by a gateway whose payment
// may still be paid (new, or pending at the gateway): the cycle leaves it
// to that payment rather than pay it from the balance, or the client,
// finishing at the gateway, would pay for it twice. Its payment paid, the
// order is paid at once (PayOrdersOfPayment) or by the next run; failed
// or cancelled, the order is the balance's to pay again.
func (m *Manager) waitsForItsPayment(ctx context.Context, o *Order) (bool, error) {
	if o.PayBy != PayByGateway || o.PaymentID.IsZero() {
		return false, nil
	}
	pay, err := m.cfg.Billing.GetPayment(ctx, paymentRights(selfActor, o.ClientID), o.PaymentID)
	if err != nil {
		return false, err
	}
	return pay.Status.Unpaid(), nil
}

func orderFailure(id OrderID, err error) CycleFailure {
	return CycleFailure{OrderID: id, Code: billkit.ErrorCode(err), Reason: billkit.ErrorReason(err), Message: err.Error()}
}
