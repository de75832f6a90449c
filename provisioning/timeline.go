package provisioning

import (
	"context"
	"slices"
	"time"

	"github.com/billkit/billkit"
)

// MaxTimelineDays is the longest Timeline looks ahead.
const MaxTimelineDays = 366

// Timeline is what the billing cycle will do to a client's services and
// balance in the days ahead, if nothing else happens (no payment, no
// order, no change): the cycle's own decisions (Decide), run forward day
// by day on copies of the services, with charges taken from the balance on
// paper.
type Timeline struct {
	ClientID billkit.ClientID `json:"client_id"`
	// From is today in the provider's time zone: the first day.
	From billkit.Date `json:"from"`
	// Balance is the balance now, and CreditLimit how far below zero the
	// charges may take it.
	Balance     billkit.Money `json:"balance"`
	CreditLimit billkit.Money `json:"credit_limit"`
	Days        []TimelineDay `json:"days"`
}

// TimelineDay is one day of a Timeline.
type TimelineDay struct {
	Date billkit.Date `json:"date"`
	// Events are what the cycle does that day: reminders, renewals (and
	// those the balance will not cover, once per period), suspensions,
	// resumptions, deletions.
	Events []CycleAction `json:"events"`
	// Balance is the balance at the end of the day.
	Balance billkit.Money `json:"balance"`
}

// Timeline returns what will happen to the client's services and balance
// in the next days (1 to MaxTimelineDays), day by day, today first. It
// runs the cycle's decisions forward on copies of the services: operations
// under way are taken as done, and a service the balance cannot renew is
// suspended and deleted on the days the cycle would. It writes nothing.
// It needs provisioning.service:read on the client (customers: their own;
// others get client.not_found).
func (m *Manager) Timeline(ctx context.Context, actor billkit.Actor, client billkit.ClientID, days int) (*Timeline, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!client.IsZero(), "client_id", "required", "is required")
	v.Check(days >= 1 && days <= MaxTimelineDays, "days", "provisioning.days_out_of_range", "must be from 1 to 366")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionService, billkit.OpRead), client, billkit.NotFound("client", client)); err != nil {
		return nil, err
	}
	var svcs []*Service
	f := ServiceFilter{ClientID: client, Statuses: []Status{StatusActive, StatusSuspended, StatusProcessing},
		PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit}}
	var page []Service
	for {
		p, err := m.store.ListServices(ctx, f)
		if err != nil {
			return nil, err
		}
		page = append(page, p.Items...)
		if f.Cursor = p.NextCursor; f.Cursor == "" {
			break
		}
	}
	for i := range page {
		if s := projected(&page[i]); s != nil {
			svcs = append(svcs, s)
		}
	}
	pols := newCyclePolicies(m)
	if err := pols.loadTypes(ctx, page); err != nil {
		return nil, err
	}
	paper := newPaperOps(m)
	fu, err := paper.fundsOf(ctx, client)
	if err != nil {
		return nil, err
	}
	c, err := m.cfg.Billing.GetClient(ctx, selfActor, client)
	if err != nil {
		return nil, err
	}
	pr, err := m.cfg.Billing.GetProvider(ctx, selfActor, c.ProviderID)
	if err != nil {
		return nil, err
	}
	loc := pr.Location()
	now := m.now()
	tl := &Timeline{ClientID: client, From: billkit.DateIn(now, loc), Balance: fu.balance, CreditLimit: fu.floor.Neg(),
		Days: make([]TimelineDay, 0, days)}
	bst := m.store.Billing()
	// A service the balance does not pay is told once, not on every day
	// it stays unpaid (nor again when it is suspended): again only after
	// a period of it was paid.
	unpaid := map[ServiceID]bool{}
	for d := 0; d < days; d++ {
		date := tl.From.AddDays(d)
		// Noon: a day's every hour is that day, DST or not.
		at := time.Date(date.Year, date.Month, date.Day, 12, 0, 0, 0, loc)
		if d == 0 {
			at = now
		}
		day := TimelineDay{Date: date, Events: []CycleAction{}}
		for _, svc := range svcs {
			loc, lc, pol, err := pols.policy(ctx, bst, svc, at)
			if err != nil {
				return nil, err
			}
			steps := Decide(at, loc, *svc, lc, pol)
			if len(steps) == 0 {
				continue
			}
			_, err = applySteps(ctx, paper, svc, steps, func(a CycleAction) {
				switch {
				case a.Unpaid && unpaid[a.ServiceID]:
					return
				case a.Unpaid:
					unpaid[a.ServiceID] = true
				case a.Period != nil:
					delete(unpaid, a.ServiceID)
				}
				day.Events = append(day.Events, a)
			})
			if err != nil {
				return nil, err
			}
		}
		svcs = slices.DeleteFunc(svcs, func(s *Service) bool { return s.Status == StatusDeleted })
		day.Balance = fu.balance
		tl.Days = append(tl.Days, day)
	}
	return tl, nil
}

// projected is a copy of svc as it will be once the operation under way
// is done; nil for one being deleted.
func projected(svc *Service) *Service {
	s := cloneService(svc)
	if s.Status != StatusProcessing {
		return s
	}
	to, err := Transition(s.PrevStatus, s.Operation)
	if err != nil || to == StatusDeleted {
		return nil
	}
	if s.Operation == OpResume {
		s.SuspendReason, s.SuspendedOn = "", billkit.Date{}
	}
	s.Status, s.Operation, s.PrevStatus = to, "", ""
	return s
}
