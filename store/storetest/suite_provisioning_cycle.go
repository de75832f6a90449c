package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
)

// runProvCycle checks the bulk reads and writes of the billing cycle
// (provisioning.CycleStore) against their single-row twins.
func runProvCycle(t *testing.T, fixture func(t *testing.T) *provFixture) {
	ctx := context.Background()

	t.Run("bulk", func(t *testing.T) {
		f := fixture(t)
		s1 := f.service(t, f.client.ID, nil)
		s2 := f.service(t, f.client.ID, nil)
		missing := billkit.NewID[provisioning.Service]()

		got, err := f.p.GetServicesForUpdate(ctx, []provisioning.ServiceID{s2.ID, missing, s1.ID})
		must(t, err)
		want := []provisioning.ServiceID{s1.ID, s2.ID}
		slices.SortFunc(want, func(a, b provisioning.ServiceID) int { return a.Compare(b) })
		if len(got) != 2 || got[0].ID != want[0] || got[1].ID != want[1] {
			t.Fatalf("GetServicesForUpdate = %d services, want %v in ID order, the missing one left out", len(got), want)
		}

		// Reminders: one recorded already is skipped, the others recorded.
		exp := billkit.MustDate(2026, 3, 1)
		must(t, f.p.InsertNotice(ctx, &provisioning.Notice{ServiceID: s1.ID, ExpiresOn: exp, DaysBefore: 3, ClientID: f.client.ID, CreatedAt: t0}))
		recorded, err := f.p.InsertNotices(ctx, []provisioning.Notice{
			{ServiceID: s1.ID, ExpiresOn: exp, DaysBefore: 3, ClientID: f.client.ID, CreatedAt: t0},
			{ServiceID: s2.ID, ExpiresOn: exp, DaysBefore: 3, ClientID: f.client.ID, CreatedAt: t0},
		})
		must(t, err)
		if len(recorded) != 1 || recorded[0].ServiceID != s2.ID || recorded[0].DaysBefore != 3 || recorded[0].ExpiresOn != exp {
			t.Fatalf("InsertNotices recorded %+v, want s2's only", recorded)
		}
		_, err = f.p.InsertNotices(ctx, []provisioning.Notice{{ServiceID: s1.ID, ExpiresOn: exp, DaysBefore: -1, ClientID: f.client.ID}})
		wantCode(t, err, billkit.CodeInvalid, "negative")

		// Renewals: a period paid already fails the whole call, and a
		// transaction around it writes nothing.
		renewal := func(s *provisioning.Service, start billkit.Date) provisioning.Renewal {
			return provisioning.Renewal{ServiceID: s.ID, PeriodStart: start, PeriodEnd: start.AddMonths(1), ClientID: s.ClientID,
				Amount: billkit.MustParseMoney("5.00", "USD"), Kind: provisioning.RenewalRenewal, CreatedAt: t0}
		}
		taken := renewal(s1, exp)
		must(t, f.p.InsertRenewal(ctx, &taken))
		err = f.p.InTx(ctx, func(tx provisioning.Store) error {
			return tx.InsertRenewals(ctx, []provisioning.Renewal{renewal(s2, exp), renewal(s1, exp)})
		})
		wantCode(t, err, billkit.CodeConflict, "renewal.exists")
		must(t, f.p.InsertRenewals(ctx, []provisioning.Renewal{renewal(s2, exp), renewal(s1, exp.AddMonths(1))}))
		page, err := f.p.ListRenewals(ctx, provisioning.RenewalFilter{ServiceID: s2.ID, PageParams: billkit.PageParams{Limit: 10}})
		must(t, err)
		if len(page.Items) != 1 || page.Items[0].PeriodStart != exp {
			t.Fatalf("s2's renewals = %+v", page.Items)
		}

		// Expiries: only the paid fields and the time of the change move.
		paid := *s1
		paid.AnchorOn, paid.PeriodsPaid, paid.ExpiresOn, paid.UpdatedAt = exp, 2, exp.AddMonths(2), t0.Add(36e11)
		paid.Name = "not written"
		must(t, f.p.UpdateServicesPaid(ctx, []provisioning.Service{paid}))
		after, err := f.p.GetService(ctx, s1.ID)
		must(t, err)
		if after.AnchorOn != exp || after.PeriodsPaid != 2 || after.ExpiresOn != exp.AddMonths(2) || after.Name != s1.Name ||
			!after.UpdatedAt.Equal(storedTime(paid.UpdatedAt)) {
			t.Fatalf("after UpdateServicesPaid: %+v", after)
		}

		// History and the action log, in bulk.
		events := []provisioning.ServiceEvent{
			{ID: billkit.NewID[provisioning.ServiceEvent](), ServiceID: s1.ID, At: t0, ActorKind: billkit.ActorSystem, ActorID: "cycle", Kind: "renewed",
				Changes: []billkit.Change{{Field: "expires_on", Before: []byte(`"2026-03-01"`), After: []byte(`"2026-05-01"`)}}, Memo: "paid"},
			{ID: billkit.NewID[provisioning.ServiceEvent](), ServiceID: s2.ID, At: t0, ActorKind: billkit.ActorSystem, ActorID: "cycle", Kind: "notice"},
		}
		must(t, f.p.InsertServiceEvents(ctx, events))
		hist, err := f.p.ListServiceEvents(ctx, provisioning.ServiceEventFilter{ServiceID: s1.ID, PageParams: billkit.PageParams{Limit: 50}})
		must(t, err)
		last := hist.Items[len(hist.Items)-1]
		if last.ID != events[0].ID || len(last.Changes) != 1 || string(last.Changes[0].After) != `"2026-05-01"` {
			t.Fatalf("the last event of s1 = %+v", last)
		}
		act, err := billkit.NewAction(billkit.SystemActor("cycle"), t0, "provisioning.service.renew", provisioning.FunctionService, s1.ID.String(),
			map[string]int{"periods_paid": 1}, map[string]int{"periods_paid": 2})
		must(t, err)
		act.ClientID = f.client.ID
		must(t, f.p.InsertActions(ctx, []billkit.Action{*act}))
	})
}
