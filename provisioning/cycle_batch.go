package provisioning

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// The billing cycle's fast lane. Most services a run handles on a given
// day need the same two things: a reminder, and the renewal of one period
// from a balance that covers it. For those, a batch is read, locked,
// decided, charged (billing's ChargeBatchTx) and written with a few
// statements per kind of row, instead of a dozen statements and three
// savepoints per service. Everything else (suspensions, resumptions,
// deletions, invoices, services behind by more than a period, changes
// waiting for the renewal) takes the slow lane: applySteps, one service at
// a time, which the fast lane must agree with exactly (the year-long and
// crash tests run both).
//
// Exactly once still rests on the database: the renewals' primary key. A
// batch whose renewals meet one paid already fails whole, in its
// savepoint, and its services go through the slow lane, which skips what
// is paid.

// noticeMemo is the history's memo of a reminder (or a renewal invoice).
func noticeMemo(st Step) string {
	memo := fmt.Sprintf("expires on %s, in %d days", st.ExpiresOn, st.DaysBefore)
	if st.Kind == StepInvoice {
		memo = "renewal invoice: " + memo
	}
	return memo
}

// renewalMemo is the history's memo of a paid period.
func renewalMemo(p PaidPeriod, amount billkit.Money) string {
	return fmt.Sprintf("paid %s – %s: %s", p.Start, p.End.AddDays(-1), amount)
}

// periodCharge is the charge that pays the period [start, end) of svc.
func periodCharge(svc *Service, start, end billkit.Date, amount billkit.Money) billing.ChargeParams {
	return billing.ChargeParams{
		ID: billkit.NewID[billing.Expense](), ClientID: svc.ClientID, Kind: billing.ExpensePeriod, Amount: amount,
		Description: periodDescription(svc, start, end),
		CauseType:   CauseService, CauseID: svc.ID.String(), PeriodStart: start, PeriodEnd: end,
		TariffID: svc.TariffID, Period: svc.Period, PriceDate: svc.AnchorOn,
	}
}

// fastPlan is what the fast lane does to one service.
type fastPlan struct {
	svc    *Service
	notice *Step
	renew  *PaidPeriod
}

// planFast returns the plan of svc for steps, or false when the steps need
// the slow lane: the fast lane takes reminders and the renewal of one
// period of an active service, paid at its price, that the module need
// not make on its system (a renew task is the slow lane's).
func planFast(svc *Service, steps []Step) (fastPlan, bool) {
	plan := fastPlan{svc: svc}
	for i := range steps {
		st := &steps[i]
		switch {
		case st.Kind == StepNotice && plan.notice == nil && plan.renew == nil:
			plan.notice = st
		case st.Kind == StepRenew && plan.renew == nil:
			if svc.Status != StatusActive || svc.PendingChange != nil || !svc.Price.IsPositive() || st.OnSystem {
				return plan, false
			}
			p := nextPeriod(svc, st.On, false)
			// A service more than a period behind is caught up period by
			// period, in the slow lane.
			if !p.End.After(st.On) {
				return plan, false
			}
			plan.renew = &p
		default:
			return plan, false
		}
	}
	return plan, true
}

// cycleFast locks and decides batch in tx and does what the fast lane
// takes, in a savepoint. It returns the services left for the slow lane
// (all of them when the fast lane gave up) and what it did.
func (m *Manager) cycleFast(ctx context.Context, tx Store, actor billkit.Actor, pols *cyclePolicies, now time.Time, batch []Service) ([]Service, tally, error) {
	var (
		t    tally
		slow []Service
	)
	err := tx.InTx(ctx, func(tx Store) error {
		t, slow = tally{}, nil
		ids := make([]ServiceID, len(batch))
		for i := range batch {
			ids[i] = batch[i].ID
		}
		svcs, err := tx.GetServicesForUpdate(ctx, ids)
		if err != nil {
			return err
		}
		var plans []fastPlan
		for i := range svcs {
			svc := &svcs[i]
			loc, lc, pol, err := pols.policy(ctx, tx.Billing(), svc, now)
			if err != nil {
				slow = append(slow, *svc)
				continue
			}
			steps := Decide(now, loc, *svc, lc, pol)
			if len(steps) == 0 {
				continue
			}
			plan, ok := planFast(svc, steps)
			if !ok {
				slow = append(slow, *svc)
				continue
			}
			plans = append(plans, plan)
		}
		plans, slow = keepClientsTogether(plans, slow)
		return m.doFast(ctx, tx, actor, plans, &t)
	})
	switch {
	case err == nil:
		return slow, t, nil
	case billkit.IsCode(err, billkit.CodeConflict):
		return batch, tally{}, nil
	default:
		return nil, tally{}, err
	}
}

// keepClientsTogether sends to the slow lane the fast plans of every client
// that has a service there too, so that each client's services are paid
// in service order, from one balance, as a dry run pays them: were the
// fast lane to pay one client's renewals first, its resumption in the
// slow lane might find the money gone that the dry run gave it. Clients
// whose services all take the fast lane (nearly all of them) keep it. The
// slow lane's services stay in ID order.
func keepClientsTogether(plans []fastPlan, slow []Service) ([]fastPlan, []Service) {
	if len(slow) == 0 {
		return plans, slow
	}
	slowClients := make(map[billkit.ClientID]bool, len(slow))
	for i := range slow {
		slowClients[slow[i].ClientID] = true
	}
	kept := plans[:0]
	moved := false
	for _, p := range plans {
		if slowClients[p.svc.ClientID] {
			slow = append(slow, *p.svc)
			moved = true
			continue
		}
		kept = append(kept, p)
	}
	if moved {
		slices.SortFunc(slow, func(a, b Service) int { return a.ID.Compare(b.ID) })
	}
	return kept, slow
}

// doFast carries out plans: reminders first, then the charges, then the
// renewals, the services' new expiries, their history and the action log.
func (m *Manager) doFast(ctx context.Context, tx Store, actor billkit.Actor, plans []fastPlan, t *tally) error {
	now := billkit.Instant(m.now())
	var (
		notices []Notice
		events  []ServiceEvent
		actions []billkit.Action
	)
	event := func(svc *Service, kind string, changes []billkit.Change, memo string) {
		events = append(events, ServiceEvent{
			ID: billkit.NewID[ServiceEvent](), ServiceID: svc.ID, At: now, ActorKind: actor.Kind, ActorID: actor.ID,
			Kind: kind, Changes: changes, Memo: memo,
		})
	}
	byService := make(map[ServiceID]*fastPlan, len(plans))
	for i := range plans {
		p := &plans[i]
		byService[p.svc.ID] = p
		if st := p.notice; st != nil {
			notices = append(notices, Notice{ServiceID: p.svc.ID, ExpiresOn: st.ExpiresOn, DaysBefore: st.DaysBefore, ClientID: p.svc.ClientID, CreatedAt: now})
		}
	}
	if len(notices) > 0 {
		recorded, err := tx.InsertNotices(ctx, notices)
		if err != nil {
			return err
		}
		for _, n := range recorded {
			p := byService[n.ServiceID]
			event(p.svc, string(StepNotice), nil, noticeMemo(*p.notice))
			t.notices++
		}
	}

	var (
		charges []billing.BatchCharge
		renewed []*fastPlan
	)
	for i := range plans {
		p := &plans[i]
		if p.renew == nil {
			continue
		}
		params := periodCharge(p.svc, p.renew.Start, p.renew.End, p.svc.Price)
		params.RecordedByCaller = true // by the renewal's action, as in chargePeriod
		charges = append(charges, billing.BatchCharge{Actor: chargeActor(actor, p.svc.ClientID), Params: params})
		renewed = append(renewed, p)
	}
	if len(charges) == 0 {
		return m.writeFast(ctx, tx, nil, nil, events, actions)
	}
	outcomes, err := m.cfg.Billing.ChargeBatchTx(ctx, tx.Billing(), charges)
	if err != nil {
		return err
	}
	var (
		rs   []Renewal
		paid []Service
	)
	for i, o := range outcomes {
		p := renewed[i]
		svc := p.svc
		switch {
		case insufficient(o.Err):
			t.unpaid++
			continue
		case o.Err != nil:
			t.failures = append(t.failures, serviceFailure(svc.ID, o.Err))
			continue
		}
		rs = append(rs, Renewal{
			ServiceID: svc.ID, PeriodStart: p.renew.Start, PeriodEnd: p.renew.End, ClientID: svc.ClientID,
			Amount: o.Expense.Amount, ExpenseID: o.Expense.ID, Kind: RenewalRenewal, CreatedAt: now,
		})
		before := expiryOf(svc)
		svc.paidThrough(*p.renew)
		svc.UpdatedAt = now
		after := renewedOf(svc, &rs[len(rs)-1])
		changes, err := billkit.Diff(before, after)
		if err != nil {
			return err
		}
		event(svc, "renewed", changes, renewalMemo(*p.renew, o.Expense.Amount))
		act := billkit.ActionOf(actor, now, FunctionService+".renew", FunctionService, svc.ID.String(), changes)
		act.ClientID = svc.ClientID
		actions = append(actions, *act)
		paid = append(paid, *svc)
		t.renewals++
	}
	if err := m.voidRenewalProformas(ctx, tx, actor, rs); err != nil {
		return err
	}
	return m.writeFast(ctx, tx, rs, paid, events, actions)
}

// writeFast writes what doFast decided, after the charges: a renewal
// refers to its expense. A period paid meanwhile fails the insert of the
// renewals, and the savepoint takes the charges back.
func (m *Manager) writeFast(ctx context.Context, tx Store, rs []Renewal, paid []Service, events []ServiceEvent, actions []billkit.Action) error {
	if len(rs) > 0 {
		if err := tx.InsertRenewals(ctx, rs); err != nil {
			return err
		}
	}
	if len(paid) > 0 {
		if err := tx.UpdateServicesPaid(ctx, paid); err != nil {
			return err
		}
	}
	if len(events) > 0 {
		if err := tx.InsertServiceEvents(ctx, events); err != nil {
			return err
		}
	}
	if len(actions) > 0 {
		return tx.InsertActions(ctx, actions)
	}
	return nil
}

// ActionFields is expiryView's JSON without reflection
// (billkit.ActionFielder): the history and the action log record one for
// every renewal.
func (v expiryView) ActionFields() (map[string]json.RawMessage, error) {
	date := func(d billkit.Date) json.RawMessage {
		b, _ := d.MarshalText()
		return billkit.AppendJSONString(nil, string(b))
	}
	return map[string]json.RawMessage{
		"anchor_on":    date(v.AnchorOn),
		"periods_paid": strconv.AppendInt(nil, int64(v.PeriodsPaid), 10),
		"expires_on":   date(v.ExpiresOn),
	}, nil
}

// ActionFields is renewedView's JSON without reflection.
func (v renewedView) ActionFields() (map[string]json.RawMessage, error) {
	out, err := v.expiryView.ActionFields()
	if err != nil {
		return nil, err
	}
	amount, err := v.Amount.MarshalJSON()
	if err != nil {
		return nil, err
	}
	out["amount"] = amount
	if !v.ExpenseID.IsZero() {
		out["expense_id"] = billkit.AppendJSONString(nil, v.ExpenseID.String())
	}
	return out, nil
}
