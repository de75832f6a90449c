package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
)

func runProvServices(t *testing.T, fixture func(t *testing.T) *provFixture) {
	ctx := context.Background()

	t.Run("crud", func(t *testing.T) {
		f := fixture(t)
		o := f.order(t, f.client.ID, nil)
		srv := f.server(t, "proxmox", 10, true)
		svc := f.newService(f.client.ID, func(s *provisioning.Service) {
			s.OrderID, s.Name, s.Period = o.ID, "VPS-2 #12", catalog.PeriodYear
			s.Status, s.Operation, s.TaskID, s.PrevStatus = provisioning.StatusProcessing, provisioning.OpSuspend, billkit.NewID[provisioning.Task](), provisioning.StatusActive
			s.SuspendReason, s.SuspendedOn = provisioning.SuspendNonPayment, billkit.MustDate(2026, 3, 1)
			s.AnchorOn, s.PeriodsPaid, s.ExpiresOn = billkit.MustDate(2025, 1, 31), 14, billkit.MustDate(2026, 3, 31)
			s.Price, s.Special = billkit.MustParseMoney("1234.50", "USD"), true
			s.Addons = map[string]catalog.AddonValue{"ram": {Quantity: dec("4.5")}, "panel": {Option: "isp"}}
			s.Domain, s.OSImage, s.DatacenterID, s.ServerID = "example.com", "debian-12", f.dc.ID, srv.ID
			s.Params = map[string]string{"ip": "10.0.0.1", "login": "u12"}
			s.DeleteAtPeriodEnd, s.UpdatedAt = true, t0.Add(time.Hour)
		})
		must(t, f.p.InsertService(ctx, svc))
		got, err := f.p.GetService(ctx, svc.ID)
		must(t, err)
		want := *svc
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0.Add(time.Hour))
		if diff := cmp.Diff(&want, got, cmpProv); diff != "" {
			t.Fatalf("GetService (-want +got):\n%s", diff)
		}
		locked, err := f.p.GetServiceForUpdate(ctx, svc.ID)
		must(t, err)
		if diff := cmp.Diff(got, locked, cmpProv); diff != "" {
			t.Fatalf("GetServiceForUpdate (-get +locked):\n%s", diff)
		}

		// The optional fields read back zero.
		plain := f.newService(f.client.ID, func(s *provisioning.Service) {
			s.AnchorOn, s.PeriodsPaid, s.ExpiresOn, s.Status = billkit.Date{}, 0, billkit.Date{}, provisioning.StatusOrdered
			s.Addons, s.Params = nil, nil
		})
		must(t, f.p.InsertService(ctx, plain))
		gotPlain, err := f.p.GetService(ctx, plain.ID)
		must(t, err)
		wantPlain := *plain
		wantPlain.Addons, wantPlain.Params = map[string]catalog.AddonValue{}, map[string]string{}
		wantPlain.CreatedAt, wantPlain.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&wantPlain, gotPlain, cmpProv); diff != "" {
			t.Fatalf("plain service (-want +got):\n%s", diff)
		}

		wantCode(t, f.p.InsertService(ctx, svc), billkit.CodeConflict, "service.exists")
		for name, mut := range map[string]func(*provisioning.Service){
			"client":       func(s *provisioning.Service) { s.ClientID = newBillingClientID() },
			"provider":     func(s *provisioning.Service) { s.ProviderID = newBillingProviderID() },
			"tariff":       func(s *provisioning.Service) { s.TariffID = billkit.NewID[catalog.Tariff]() },
			"product_type": func(s *provisioning.Service) { s.ProductTypeID = billkit.NewID[catalog.ProductType]() },
			"order":        func(s *provisioning.Service) { s.OrderID = billkit.NewID[provisioning.Order]() },
			"datacenter":   func(s *provisioning.Service) { s.DatacenterID = billkit.NewID[provisioning.Datacenter]() },
			"server":       func(s *provisioning.Service) { s.ServerID = billkit.NewID[provisioning.Server]() },
		} {
			bad := f.newService(f.client.ID, mut)
			err := f.p.InsertService(ctx, bad)
			var be *billkit.Error
			if !billkit.IsCode(err, billkit.CodeFailedPrecondition) || !asError(err, &be) || be.Reason != bunstore.ReasonReferenceMissing {
				t.Errorf("a service with a missing %s: %v", name, err)
			}
		}
		for field, mut := range map[string]func(*provisioning.Service){
			"id":              func(s *provisioning.Service) { s.ID = provisioning.ServiceID{} },
			"client_id":       func(s *provisioning.Service) { s.ClientID = billkit.ClientID{} },
			"provider_id":     func(s *provisioning.Service) { s.ProviderID = billkit.ProviderID{} },
			"tariff_id":       func(s *provisioning.Service) { s.TariffID = catalog.TariffID{} },
			"product_type_id": func(s *provisioning.Service) { s.ProductTypeID = catalog.ProductTypeID{} },
			"price":           func(s *provisioning.Service) { s.Price = billkit.Money{} },
		} {
			err := f.p.InsertService(ctx, f.newService(f.client.ID, mut))
			if !hasField(err, field) {
				t.Errorf("a service without %s: %v, want invalid naming the field", field, err)
			}
		}
		wantCode(t, f.p.InsertService(ctx, nil), billkit.CodeInvalid, "")

		got.Status, got.Operation, got.TaskID, got.PrevStatus = provisioning.StatusSuspended, "", provisioning.TaskID{}, ""
		got.ServerID, got.DatacenterID, got.OrderID = provisioning.ServerID{}, provisioning.DatacenterID{}, provisioning.OrderID{}
		got.Price, got.Addons, got.Params = billkit.MustParseMoney("7", "USD"), map[string]catalog.AddonValue{}, map[string]string{"ip": "10.0.0.2"}
		got.ExpiresOn, got.PeriodsPaid, got.UpdatedAt = billkit.MustDate(2027, 3, 31), 15, t0.Add(2*time.Hour)
		must(t, f.p.UpdateService(ctx, got))
		again, err := f.p.GetService(ctx, svc.ID)
		must(t, err)
		want = *got
		want.UpdatedAt = storedTime(got.UpdatedAt)
		if diff := cmp.Diff(&want, again, cmpProv); diff != "" {
			t.Fatalf("after UpdateService (-want +got):\n%s", diff)
		}
		again.TariffID = billkit.NewID[catalog.Tariff]()
		wantCode(t, f.p.UpdateService(ctx, again), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)

		_, err = f.p.GetService(ctx, billkit.NewID[provisioning.Service]())
		wantCode(t, err, billkit.CodeNotFound, "service.not_found")
		_, err = f.p.GetServiceForUpdate(ctx, billkit.NewID[provisioning.Service]())
		wantCode(t, err, billkit.CodeNotFound, "service.not_found")
		missing := f.newService(f.client.ID, nil)
		wantCode(t, f.p.UpdateService(ctx, missing), billkit.CodeNotFound, "service.not_found")
	})

	// A change waiting for the next renewal is kept whole with its
	// service, and a service without one reads back nil (SQL NULL).
	t.Run("pending_change", func(t *testing.T) {
		f := fixture(t)
		pc := &provisioning.PendingChange{
			TariffID: f.tariff.ID, Tariff: f.tariff.Code, Period: catalog.PeriodYear,
			Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec("4.5")}, "panel": {Option: "isp"}},
			Price:  billkit.MustParseMoney("99.90", "USD"), EffectiveOn: billkit.MustDate(2026, 2, 28),
			ActorKind: billkit.ActorCustomer, ActorID: "bob", At: t0.Add(90 * time.Minute), Memo: "bigger disk",
		}
		svc := f.service(t, f.client.ID, func(s *provisioning.Service) { s.PendingChange = pc })
		got, err := f.p.GetService(ctx, svc.ID)
		must(t, err)
		if diff := cmp.Diff(pc, got.PendingChange, cmpProv); diff != "" {
			t.Fatalf("pending change (-want +got):\n%s", diff)
		}
		nulls := func() int {
			if f.s.Bun == nil {
				return -1
			}
			n, err := f.s.Bun.DB().NewSelect().TableExpr("billkit_services").
				Where("id = ?", svc.ID).Where("pending_change IS NULL").Count(ctx)
			must(t, err)
			return int(n)
		}
		if n := nulls(); n == 1 {
			t.Fatal("a pending change is stored as NULL")
		}

		got.PendingChange, got.UpdatedAt = nil, t0.Add(2*time.Hour)
		must(t, f.p.UpdateService(ctx, got))
		again, err := f.p.GetServiceForUpdate(ctx, svc.ID)
		must(t, err)
		if again.PendingChange != nil {
			t.Fatalf("pending change after dropping it = %+v", again.PendingChange)
		}
		if n := nulls(); n == 0 {
			t.Fatal("a dropped pending change is not SQL NULL")
		}

		// Replaced by another: the new one reads back, not a mix.
		other := *pc
		other.Period, other.Addons, other.Price, other.Memo = catalog.PeriodMonth, map[string]catalog.AddonValue{}, billkit.MustParseMoney("7", "USD"), ""
		again.PendingChange = &other
		must(t, f.p.UpdateService(ctx, again))
		last, err := f.p.GetService(ctx, svc.ID)
		must(t, err)
		if diff := cmp.Diff(&other, last.PendingChange, cmpProv); diff != "" {
			t.Fatalf("replaced pending change (-want +got):\n%s", diff)
		}
	})

	t.Run("list", func(t *testing.T) {
		f := fixture(t)
		a, b := f.client, f.billingFixture.client(t, "B")
		tariff2 := f.cat.tariff(t, f.pt, "vps-2", 2)
		srv := f.server(t, "proxmox", 0, true)
		type spec struct {
			client  billkit.ClientID
			status  provisioning.Status
			expires billkit.Date
			tariff  catalog.TariffID
			server  provisioning.ServerID
		}
		var all []provisioning.Service
		for _, sp := range []spec{
			{a.ID, provisioning.StatusActive, billkit.MustDate(2026, 4, 1), f.tariff.ID, provisioning.ServerID{}},
			{a.ID, provisioning.StatusSuspended, billkit.MustDate(2026, 3, 15), f.tariff.ID, srv.ID},
			{b.ID, provisioning.StatusActive, billkit.MustDate(2026, 5, 1), f.tariff.ID, srv.ID},
			{b.ID, provisioning.StatusDeleted, billkit.MustDate(2026, 2, 1), f.tariff.ID, provisioning.ServerID{}},
			{a.ID, provisioning.StatusOrdered, billkit.Date{}, f.tariff.ID, provisioning.ServerID{}},
			{a.ID, provisioning.StatusActive, billkit.MustDate(2026, 3, 31), tariff2.ID, provisioning.ServerID{}},
			{b.ID, provisioning.StatusProcessing, billkit.MustDate(2026, 3, 1), tariff2.ID, srv.ID},
		} {
			all = append(all, *f.service(t, sp.client, func(s *provisioning.Service) {
				s.Status, s.ExpiresOn, s.TariffID, s.ServerID = sp.status, sp.expires, sp.tariff, sp.server
				if sp.expires.IsZero() {
					s.AnchorOn, s.PeriodsPaid = billkit.Date{}, 0
				}
			}))
		}
		id := func(s provisioning.Service) string { return s.ID.String() }
		april := billkit.MustDate(2026, 4, 1)
		cases := []filterCase[provisioning.Service, provisioning.ServiceFilter]{
			{"all", provisioning.ServiceFilter{}, func(provisioning.Service) bool { return true }},
			{"provider", provisioning.ServiceFilter{ProviderID: f.pid}, func(provisioning.Service) bool { return true }},
			{"other_provider", provisioning.ServiceFilter{ProviderID: newBillingProviderID()}, func(provisioning.Service) bool { return false }},
			{"client", provisioning.ServiceFilter{ClientID: a.ID}, func(s provisioning.Service) bool { return s.ClientID == a.ID }},
			{"client_ids", provisioning.ServiceFilter{ClientIDs: []billkit.ClientID{b.ID}}, func(s provisioning.Service) bool { return s.ClientID == b.ID }},
			{"client_ids_both", provisioning.ServiceFilter{ClientIDs: []billkit.ClientID{a.ID, b.ID}}, func(provisioning.Service) bool { return true }},
			{"client_ids_empty", provisioning.ServiceFilter{ClientIDs: []billkit.ClientID{}}, func(provisioning.Service) bool { return false }},
			{"statuses", provisioning.ServiceFilter{Statuses: []provisioning.Status{provisioning.StatusActive, provisioning.StatusSuspended}},
				func(s provisioning.Service) bool {
					return s.Status == provisioning.StatusActive || s.Status == provisioning.StatusSuspended
				}},
			{"tariff", provisioning.ServiceFilter{TariffID: tariff2.ID}, func(s provisioning.Service) bool { return s.TariffID == tariff2.ID }},
			{"server", provisioning.ServiceFilter{ServerID: srv.ID}, func(s provisioning.Service) bool { return s.ServerID == srv.ID }},
			{"expires_before", provisioning.ServiceFilter{ExpiresBefore: april},
				func(s provisioning.Service) bool { return !s.ExpiresOn.IsZero() && s.ExpiresOn.Before(april) }},
			{"cycle", provisioning.ServiceFilter{ExpiresBefore: april, Statuses: []provisioning.Status{provisioning.StatusActive, provisioning.StatusSuspended}},
				func(s provisioning.Service) bool {
					return !s.ExpiresOn.IsZero() && s.ExpiresOn.Before(april) &&
						(s.Status == provisioning.StatusActive || s.Status == provisioning.StatusSuspended)
				}},
			{"client_and_cycle", provisioning.ServiceFilter{ClientID: b.ID, ExpiresBefore: april},
				func(s provisioning.Service) bool {
					return s.ClientID == b.ID && !s.ExpiresOn.IsZero() && s.ExpiresOn.Before(april)
				}},
		}
		checkFilters(t, "services", all, id, cases, func(fl provisioning.ServiceFilter, pp billkit.PageParams) (billkit.Page[provisioning.Service], error) {
			fl.PageParams = pp
			return f.p.ListServices(ctx, fl)
		})
		// ListServiceIDs selects as ListServices does, all in one go,
		// whatever the page parameters say.
		for _, tc := range cases {
			tc.f.PageParams = billkit.PageParams{Limit: 1}
			ids, err := f.p.ListServiceIDs(ctx, tc.f)
			must(t, err)
			got := make([]string, len(ids))
			for i := range ids {
				got[i] = ids[i].String()
			}
			var kept []provisioning.Service
			for _, s := range all {
				if tc.keep(s) {
					kept = append(kept, s)
				}
			}
			if want := sortedIDs(kept, id); !slices.Equal(got, want) {
				t.Errorf("%s: service IDs = %v, want %v", tc.name, got, want)
			}
		}
		byID, err := f.p.GetServices(ctx, []provisioning.ServiceID{all[2].ID, billkit.NewID[provisioning.Service](), all[0].ID})
		must(t, err)
		if want := sortedIDs([]provisioning.Service{all[0], all[2]}, id); !slices.Equal(keys(byID, id), want) {
			t.Fatalf("GetServices = %v, want %v in ID order, the missing one left out", keys(byID, id), want)
		}
		for _, s := range byID {
			if s.ClientID.IsZero() || s.Name == "" || s.Addons == nil {
				t.Fatalf("GetServices read %+v, not whole", s)
			}
		}
		// Listed services read back whole.
		page, err := f.p.ListServices(ctx, provisioning.ServiceFilter{ClientID: a.ID, TariffID: tariff2.ID})
		must(t, err)
		if len(page.Items) != 1 || !page.Items[0].Price.Equal(billkit.MustParseMoney("5.5", "USD")) || page.Items[0].Addons == nil {
			t.Fatalf("listed service = %+v", page.Items)
		}
		_, err = f.p.ListServices(ctx, provisioning.ServiceFilter{PageParams: billkit.PageParams{Cursor: "!"}})
		wantCode(t, err, billkit.CodeInvalid, "")
		_, err = f.p.ListServices(ctx, provisioning.ServiceFilter{ClientIDs: []billkit.ClientID{}, PageParams: billkit.PageParams{Limit: -1}})
		wantCode(t, err, billkit.CodeInvalid, "")

		n, err := f.p.CountClientServices(ctx, a.ID, f.tariff.ID)
		must(t, err)
		if n != 3 {
			t.Fatalf("a's services of the tariff = %d, want 3", n)
		}
		// Deleted services do not count.
		n, err = f.p.CountClientServices(ctx, b.ID, f.tariff.ID)
		must(t, err)
		if n != 1 {
			t.Fatalf("b's services of the tariff = %d, want 1", n)
		}
		n, err = f.p.CountClientServices(ctx, newBillingClientID(), f.tariff.ID)
		must(t, err)
		if n != 0 {
			t.Fatalf("a stranger's services = %d", n)
		}
	})

	// The cycle reads due services page by page and renews each, moving it
	// out of the filter as it goes: every due service is seen exactly once.
	t.Run("cycle_scan", func(t *testing.T) {
		f := fixture(t)
		due := map[provisioning.ServiceID]bool{}
		for i := 0; i < 9; i++ {
			s := f.service(t, f.client.ID, func(s *provisioning.Service) {
				s.ExpiresOn = billkit.MustDate(2026, 3, 1).AddDays(i - 4)
			})
			if i < 4 {
				due[s.ID] = true
			}
		}
		filter := provisioning.ServiceFilter{ExpiresBefore: billkit.MustDate(2026, 3, 1),
			Statuses:   []provisioning.Status{provisioning.StatusActive, provisioning.StatusSuspended},
			PageParams: billkit.PageParams{Limit: 1}}
		seen := map[provisioning.ServiceID]bool{}
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("the scan does not end")
			}
			page, err := f.p.ListServices(ctx, filter)
			must(t, err)
			for i := range page.Items {
				s := &page.Items[i]
				if seen[s.ID] {
					t.Fatalf("service %s seen twice", s.ID)
				}
				seen[s.ID] = true
				s.PeriodsPaid++
				s.ExpiresOn = s.ExpiresOn.AddMonths(1)
				must(t, f.p.UpdateService(ctx, s))
			}
			if page.NextCursor == "" {
				break
			}
			filter.Cursor = page.NextCursor
		}
		if len(seen) != len(due) {
			t.Fatalf("the scan saw %d services, want %d", len(seen), len(due))
		}
		for id := range due {
			if !seen[id] {
				t.Fatalf("due service %s not seen", id)
			}
		}
	})
}

// asError is errors.As for *billkit.Error.
func asError(err error, be **billkit.Error) bool {
	return errors.As(err, be)
}

// hasField reports whether err is an invalid *billkit.Error naming field.
func hasField(err error, field string) bool {
	var be *billkit.Error
	if !asError(err, &be) || be.Code != billkit.CodeInvalid {
		return false
	}
	for _, fe := range be.Fields {
		if fe.Field == field {
			return true
		}
	}
	return false
}

func runProvHistory(t *testing.T, fixture func(t *testing.T) *provFixture) {
	ctx := context.Background()

	t.Run("events", func(t *testing.T) {
		f := fixture(t)
		svc := f.service(t, f.client.ID, nil)
		other := f.service(t, f.client.ID, nil)
		event := func(s *provisioning.Service, at time.Time, kind string) *provisioning.ServiceEvent {
			return &provisioning.ServiceEvent{ID: billkit.NewID[provisioning.ServiceEvent](), ServiceID: s.ID, At: at,
				ActorKind: billkit.ActorStaff, ActorID: "alice", Kind: kind}
		}
		first := event(svc, t0, "status")
		first.From, first.To, first.Memo = provisioning.StatusActive, provisioning.StatusSuspended, "unpaid"
		first.Changes = []billkit.Change{
			{Field: "status", Before: json.RawMessage(`"active"`), After: json.RawMessage(`"suspended"`)},
			{Field: "params", Before: nil, After: json.RawMessage(`{"b": 1, "a": [1, 2]}`)},
		}
		// Inserted out of order; two share an instant.
		later := event(svc, t0.Add(time.Hour), "renewed")
		same1, same2 := event(svc, t0.Add(time.Minute), "price"), event(svc, t0.Add(time.Minute), "tariff")
		for _, e := range []*provisioning.ServiceEvent{later, same2, first, same1, event(other, t0, "created")} {
			must(t, f.p.InsertServiceEvent(ctx, e))
		}
		id := func(e provisioning.ServiceEvent) string { return e.ID.String() }
		got := collect(t, 1, id, func(pp billkit.PageParams) (billkit.Page[provisioning.ServiceEvent], error) {
			return f.p.ListServiceEvents(ctx, provisioning.ServiceEventFilter{ServiceID: svc.ID, PageParams: pp})
		})
		sameOrder := []string{same1.ID.String(), same2.ID.String()}
		slices.Sort(sameOrder)
		if ids, want := keys(got, id), append(append([]string{first.ID.String()}, sameOrder...), later.ID.String()); !slices.Equal(ids, want) {
			t.Fatalf("events = %v, want %v", ids, want)
		}
		want := *first
		want.At = storedTime(t0)
		if diff := cmp.Diff(want, got[0], cmpProv); diff != "" {
			t.Fatalf("event (-want +got):\n%s", diff)
		}
		if got[0].Changes[1].Before != nil {
			t.Fatalf("an absent side reads back as %q", got[0].Changes[1].Before)
		}
		if len(got[1].Changes) != 0 || got[1].Changes == nil {
			t.Fatalf("an event without changes reads back %#v, want empty", got[1].Changes)
		}
		all, err := f.p.ListServiceEvents(ctx, provisioning.ServiceEventFilter{})
		must(t, err)
		if len(all.Items) != 5 {
			t.Fatalf("every event: %d, want 5", len(all.Items))
		}

		wantCode(t, f.p.InsertServiceEvent(ctx, first), billkit.CodeConflict, "service_event.exists")
		orphan := event(svc, t0, "x")
		orphan.ServiceID = billkit.NewID[provisioning.Service]()
		wantCode(t, f.p.InsertServiceEvent(ctx, orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		bad := event(svc, t0, "x")
		bad.Changes = []billkit.Change{{Field: "x", After: json.RawMessage(`{`)}}
		wantCode(t, f.p.InsertServiceEvent(ctx, bad), billkit.CodeInvalid, "")
		if err := f.p.InsertServiceEvent(ctx, &provisioning.ServiceEvent{ID: billkit.NewID[provisioning.ServiceEvent]()}); !hasField(err, "service_id") {
			t.Fatalf("an event without a service: %v", err)
		}
	})

	t.Run("renewals", func(t *testing.T) {
		f := fixture(t)
		b := f.billingFixture.client(t, "B")
		s1 := f.service(t, f.client.ID, nil)
		s2 := f.service(t, f.client.ID, nil)
		s3 := f.service(t, b.ID, nil)
		x := f.expense(t, f.client.ID)
		renewal := func(s *provisioning.Service, start billkit.Date, amount string) *provisioning.Renewal {
			return &provisioning.Renewal{ServiceID: s.ID, PeriodStart: start, PeriodEnd: start.AddMonths(1), ClientID: s.ClientID,
				Amount: billkit.MustParseMoney(amount, "USD"), Kind: "renewal", CreatedAt: t0}
		}
		r1 := renewal(s1, billkit.MustDate(2026, 1, 31), "5.50")
		r1.ExpenseID, r1.Kind = x.ID, "order"
		must(t, f.p.InsertRenewal(ctx, r1))
		// The same period again is refused by the key, whatever else differs.
		again := renewal(s1, billkit.MustDate(2026, 1, 31), "7")
		wantCode(t, f.p.InsertRenewal(ctx, again), billkit.CodeConflict, "renewal.exists")

		rs := []*provisioning.Renewal{
			renewal(s1, billkit.MustDate(2026, 2, 28), "5.5"),
			renewal(s2, billkit.MustDate(2026, 2, 28), "0.00"),
			renewal(s2, billkit.MustDate(2026, 1, 15), "12"),
			renewal(s3, billkit.MustDate(2026, 2, 1), "1"),
		}
		for _, r := range rs {
			must(t, f.p.InsertRenewal(ctx, r))
		}
		key := func(r provisioning.Renewal) string { return r.ServiceID.String() + "/" + r.PeriodStart.String() }
		list := func(fl provisioning.RenewalFilter) []provisioning.Renewal {
			return collect(t, 1, key, func(pp billkit.PageParams) (billkit.Page[provisioning.Renewal], error) {
				fl.PageParams = pp
				return f.p.ListRenewals(ctx, fl)
			})
		}
		got := list(provisioning.RenewalFilter{ServiceID: s1.ID})
		want := []provisioning.Renewal{*r1, *rs[0]}
		for i := range want {
			want[i].CreatedAt = storedTime(t0)
		}
		if diff := cmp.Diff(want, got, cmpProv); diff != "" {
			t.Fatalf("s1's renewals (-want +got):\n%s", diff)
		}
		// A client's renewals by period start, then service.
		feb := []string{key(*rs[0]), key(*rs[1])}
		slices.Sort(feb)
		wantKeys := append([]string{key(*rs[2]), key(*r1)}, feb...)
		if got := keys(list(provisioning.RenewalFilter{ClientID: f.client.ID}), key); !slices.Equal(got, wantKeys) {
			t.Fatalf("client's renewals = %v, want %v", got, wantKeys)
		}
		if got := list(provisioning.RenewalFilter{}); len(got) != 5 {
			t.Fatalf("every renewal: %d, want 5", len(got))
		}

		orphan := renewal(s1, billkit.MustDate(2027, 1, 1), "1")
		orphan.ServiceID = billkit.NewID[provisioning.Service]()
		wantCode(t, f.p.InsertRenewal(ctx, orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		orphan = renewal(s1, billkit.MustDate(2027, 1, 1), "1")
		orphan.ExpenseID = billkit.NewID[billing.Expense]()
		wantCode(t, f.p.InsertRenewal(ctx, orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		for field, mut := range map[string]func(*provisioning.Renewal){
			"service_id":   func(r *provisioning.Renewal) { r.ServiceID = provisioning.ServiceID{} },
			"period_start": func(r *provisioning.Renewal) { r.PeriodStart = billkit.Date{} },
			"period_end":   func(r *provisioning.Renewal) { r.PeriodEnd = billkit.Date{} },
			"client_id":    func(r *provisioning.Renewal) { r.ClientID = billkit.ClientID{} },
			"amount":       func(r *provisioning.Renewal) { r.Amount = billkit.Money{} },
		} {
			r := renewal(s1, billkit.MustDate(2027, 1, 1), "1")
			mut(r)
			if err := f.p.InsertRenewal(ctx, r); !hasField(err, field) {
				t.Errorf("a renewal without %s: %v", field, err)
			}
		}
		wantCode(t, f.p.InsertRenewal(ctx, nil), billkit.CodeInvalid, "")
	})

	t.Run("notices", func(t *testing.T) {
		f := fixture(t)
		b := f.billingFixture.client(t, "B")
		s1, s2 := f.service(t, f.client.ID, nil), f.service(t, b.ID, nil)
		notice := func(s *provisioning.Service, on billkit.Date, days int) *provisioning.Notice {
			return &provisioning.Notice{ServiceID: s.ID, ExpiresOn: on, DaysBefore: days, ClientID: s.ClientID, CreatedAt: t0}
		}
		apr, may := billkit.MustDate(2026, 4, 1), billkit.MustDate(2026, 5, 1)
		// Days before 10 after 5 and 3: the order is numeric.
		all := []*provisioning.Notice{notice(s1, may, 10), notice(s1, apr, 10), notice(s1, apr, 3), notice(s1, apr, 5), notice(s2, apr, 0)}
		// A renewal's invoice keeps the proforma it issued.
		all[1].InvoiceID = billkit.NewID[billing.Invoice]()
		for _, n := range all {
			must(t, f.p.InsertNotice(ctx, n))
		}
		wantCode(t, f.p.InsertNotice(ctx, notice(s1, apr, 5)), billkit.CodeConflict, "notice.exists")
		orphan := notice(s1, apr, 1)
		orphan.ServiceID = billkit.NewID[provisioning.Service]()
		wantCode(t, f.p.InsertNotice(ctx, orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		if err := f.p.InsertNotice(ctx, notice(s1, billkit.Date{}, 1)); !hasField(err, "expires_on") {
			t.Fatalf("a notice without an expiry: %v", err)
		}
		if err := f.p.InsertNotice(ctx, notice(s1, apr, -1)); !hasField(err, "days_before") {
			t.Fatalf("a notice with negative days: %v", err)
		}

		key := func(n provisioning.Notice) string {
			return fmt.Sprintf("%s/%s/%d", n.ServiceID, n.ExpiresOn, n.DaysBefore)
		}
		list := func(fl provisioning.NoticeFilter) []provisioning.Notice {
			return collect(t, 1, key, func(pp billkit.PageParams) (billkit.Page[provisioning.Notice], error) {
				fl.PageParams = pp
				return f.p.ListNotices(ctx, fl)
			})
		}
		got := list(provisioning.NoticeFilter{ServiceID: s1.ID})
		want := []provisioning.Notice{*all[2], *all[3], *all[1], *all[0]}
		for i := range want {
			want[i].CreatedAt = storedTime(t0)
		}
		if diff := cmp.Diff(want, got, cmpProv); diff != "" {
			t.Fatalf("s1's notices (-want +got):\n%s", diff)
		}
		if got := keys(list(provisioning.NoticeFilter{ClientID: b.ID}), key); !slices.Equal(got, []string{key(*all[4])}) {
			t.Fatalf("b's notices = %v", got)
		}
		if got := list(provisioning.NoticeFilter{}); len(got) != 5 {
			t.Fatalf("every notice: %d, want 5", len(got))
		}
		// The renewals' invoices of a set of services.
		if got := keys(list(provisioning.NoticeFilter{ServiceIDs: []provisioning.ServiceID{s1.ID, s2.ID}, WithInvoice: true}), key); !slices.Equal(got, []string{key(*all[1])}) {
			t.Fatalf("invoices of s1 and s2 = %v", got)
		}
		if got := list(provisioning.NoticeFilter{ServiceIDs: []provisioning.ServiceID{s2.ID}}); len(got) != 1 {
			t.Fatalf("s2's notices by ServiceIDs: %d, want 1", len(got))
		}
		if got := list(provisioning.NoticeFilter{ServiceIDs: []provisioning.ServiceID{}}); len(got) != 0 {
			t.Fatalf("no services: %d notices, want 0", len(got))
		}
	})
}
