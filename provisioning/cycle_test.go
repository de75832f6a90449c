package provisioning_test

import (
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/google/go-cmp/cmp"
)

func day(s string) billkit.Date {
	d, err := billkit.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// noon is midday UTC of a day.
func noon(s string) time.Time { return day(s).In(time.UTC).Add(12 * time.Hour) }

// paid is an active monthly service anchored on anchor with n periods paid.
func paid(anchor string, period catalog.Period, n int) provisioning.Service {
	a := day(anchor)
	return provisioning.Service{
		Status: provisioning.StatusActive, Period: period, AnchorOn: a, PeriodsPaid: n,
		ExpiresOn: period.Advance(a, n), AutoRenew: true, Price: usd("10.00"),
	}
}

func suspended(s provisioning.Service, reason provisioning.SuspendReason, on string) provisioning.Service {
	s.Status, s.SuspendReason, s.SuspendedOn = provisioning.StatusSuspended, reason, day(on)
	return s
}

func with(s provisioning.Service, f func(*provisioning.Service)) provisioning.Service {
	f(&s)
	return s
}

func renewStep(on, start, end string) provisioning.Step {
	return provisioning.Step{Kind: provisioning.StepRenew, On: day(on), Period: &provisioning.PaidPeriod{Start: day(start), End: day(end)}}
}

func TestDecide(t *testing.T) {
	pol := provisioning.CyclePolicy{NoticeDays: []int{10, 5, 3, 1, 0}, InvoiceDaysBefore: 10}
	lc := catalog.Lifecycle{GraceDays: 3, DeleteAfterDays: 14}
	month := catalog.PeriodMonth
	// Anchored on January 31st, two periods paid: expires on March 31st,
	// not on the 28th: periods count from the anchor.
	jan31 := paid("2027-01-31", month, 2)
	notice := func(on, expires string, days int) provisioning.Step {
		return provisioning.Step{Kind: provisioning.StepNotice, On: day(on), ExpiresOn: day(expires), DaysBefore: days}
	}
	suspend := func(on string) provisioning.Step {
		return provisioning.Step{Kind: provisioning.StepSuspend, On: day(on), Reason: "non_payment"}
	}
	cases := []struct {
		name string
		now  time.Time
		loc  *time.Location
		svc  provisioning.Service
		lc   catalog.Lifecycle
		pol  provisioning.CyclePolicy
		want []provisioning.Step
	}{
		{name: "nothing due", now: noon("2027-03-10"), svc: jan31, lc: lc, pol: pol},
		{name: "ten days before", now: noon("2027-03-21"), svc: jan31, lc: lc, pol: pol,
			want: []provisioning.Step{notice("2027-03-21", "2027-03-31", 10)}},
		// A reminder missed on its day is replaced by the one due now.
		{name: "between reminders", now: noon("2027-03-24"), svc: jan31, lc: lc, pol: pol,
			want: []provisioning.Step{notice("2027-03-24", "2027-03-31", 10)}},
		{name: "five days before", now: noon("2027-03-26"), svc: jan31, lc: lc, pol: pol,
			want: []provisioning.Step{notice("2027-03-26", "2027-03-31", 5)}},
		{name: "expiry: reminder and renewal, the month end kept", now: noon("2027-03-31"), svc: jan31, lc: lc, pol: pol,
			want: []provisioning.Step{notice("2027-03-31", "2027-03-31", 0), renewStep("2027-03-31", "2027-03-31", "2027-04-30")}},
		{name: "in the grace days", now: noon("2027-04-02"), svc: jan31, lc: lc, pol: pol,
			want: []provisioning.Step{renewStep("2027-04-02", "2027-03-31", "2027-04-30")}},
		{name: "grace over", now: noon("2027-04-03"), svc: jan31, lc: lc, pol: pol,
			want: []provisioning.Step{renewStep("2027-04-03", "2027-03-31", "2027-04-30"), suspend("2027-04-03")}},
		{name: "no auto-renew: only the suspension", now: noon("2027-04-05"), lc: lc, pol: pol,
			svc:  with(jan31, func(s *provisioning.Service) { s.AutoRenew = false }),
			want: []provisioning.Step{suspend("2027-04-05")}},
		{name: "no grace", now: noon("2027-03-31"), lc: catalog.Lifecycle{}, pol: provisioning.CyclePolicy{},
			svc:  jan31,
			want: []provisioning.Step{renewStep("2027-03-31", "2027-03-31", "2027-04-30"), suspend("2027-03-31")}},
		// Grace ends on Saturday April 3rd, 2027: not on the weekend.
		{name: "not on Saturday", now: noon("2027-04-03"), svc: jan31, lc: catalog.Lifecycle{GraceDays: 3, NoSuspendOnWeekends: true},
			want: []provisioning.Step{renewStep("2027-04-03", "2027-03-31", "2027-04-30")}},
		{name: "not on Sunday", now: noon("2027-04-04"), svc: jan31, lc: catalog.Lifecycle{GraceDays: 3, NoSuspendOnWeekends: true},
			want: []provisioning.Step{renewStep("2027-04-04", "2027-03-31", "2027-04-30")}},
		{name: "on Monday", now: noon("2027-04-05"), svc: jan31, lc: catalog.Lifecycle{GraceDays: 3, NoSuspendOnWeekends: true},
			want: []provisioning.Step{renewStep("2027-04-05", "2027-03-31", "2027-04-30"), suspend("2027-04-05")}},
		{name: "deleted at the end of its period", now: noon("2027-03-31"), lc: lc, pol: pol,
			svc:  with(jan31, func(s *provisioning.Service) { s.DeleteAtPeriodEnd = true }),
			want: []provisioning.Step{{Kind: provisioning.StepDelete, On: day("2027-03-31"), Reason: "period_end"}}},
		{name: "to be deleted: no reminders", now: noon("2027-03-21"), lc: lc, pol: pol,
			svc: with(jan31, func(s *provisioning.Service) { s.DeleteAtPeriodEnd = true })},
		{name: "invoice and reminder on one day are one", now: noon("2027-03-21"), svc: jan31, lc: lc,
			pol:  provisioning.CyclePolicy{NoticeDays: []int{10, 5}, InvoiceDaysBefore: 10, PaysByInvoice: true},
			want: []provisioning.Step{{Kind: provisioning.StepInvoice, On: day("2027-03-21"), ExpiresOn: day("2027-03-31"), DaysBefore: 10}}},
		{name: "invoice before the reminders", now: noon("2027-03-17"), svc: jan31, lc: lc,
			pol:  provisioning.CyclePolicy{NoticeDays: []int{5}, InvoiceDaysBefore: 14, PaysByInvoice: true},
			want: []provisioning.Step{{Kind: provisioning.StepInvoice, On: day("2027-03-17"), ExpiresOn: day("2027-03-31"), DaysBefore: 14}}},
		{name: "no invoice on the day of expiry", now: noon("2027-03-31"), svc: jan31, lc: lc,
			pol:  provisioning.CyclePolicy{InvoiceDaysBefore: 10, PaysByInvoice: true},
			want: []provisioning.Step{renewStep("2027-03-31", "2027-03-31", "2027-04-30")}},
		{name: "resumed when paid", now: noon("2027-04-10"), lc: lc, pol: pol,
			svc: suspended(jan31, provisioning.SuspendNonPayment, "2027-04-03"),
			want: []provisioning.Step{{Kind: provisioning.StepResume, On: day("2027-04-10"),
				Period: &provisioning.PaidPeriod{Start: day("2027-03-31"), End: day("2027-04-30")}}}},
		// Stopped for more than a whole period: it pays from the day it
		// resumes, not for the time it was stopped.
		{name: "resumed late, from today", now: noon("2027-05-02"), lc: catalog.Lifecycle{GraceDays: 3}, pol: pol,
			svc: suspended(jan31, provisioning.SuspendNonPayment, "2027-04-03"),
			want: []provisioning.Step{{Kind: provisioning.StepResume, On: day("2027-05-02"),
				Period: &provisioning.PaidPeriod{Start: day("2027-05-02"), End: day("2027-06-02"), Reanchor: true}}}},
		{name: "deleted after the deletion period", now: noon("2027-04-17"), lc: lc, pol: pol,
			svc: suspended(jan31, provisioning.SuspendNonPayment, "2027-04-03"),
			want: []provisioning.Step{
				{Kind: provisioning.StepResume, On: day("2027-04-17"), Period: &provisioning.PaidPeriod{Start: day("2027-03-31"), End: day("2027-04-30")}},
				{Kind: provisioning.StepDelete, On: day("2027-04-17"), Reason: "non_payment"}}},
		{name: "not before", now: noon("2027-04-16"), lc: lc, pol: pol,
			svc: with(suspended(jan31, provisioning.SuspendNonPayment, "2027-04-03"), func(s *provisioning.Service) { s.AutoRenew = false })},
		{name: "never deleted without a deletion period", now: noon("2028-01-01"), lc: catalog.Lifecycle{GraceDays: 3}, pol: pol,
			svc: with(suspended(jan31, provisioning.SuspendNonPayment, "2027-04-03"), func(s *provisioning.Service) { s.AutoRenew = false })},
		{name: "staff suspension stays", now: noon("2027-05-01"), lc: lc, pol: pol,
			svc: suspended(jan31, provisioning.SuspendStaff, "2027-04-03")},
		{name: "suspended by hand while paid", now: noon("2027-03-10"), lc: lc, pol: pol,
			svc: suspended(jan31, provisioning.SuspendNonPayment, "2027-03-09")},
		{name: "processing", now: noon("2027-04-05"), lc: lc, pol: pol,
			svc: with(jan31, func(s *provisioning.Service) {
				s.Status, s.Operation = provisioning.StatusProcessing, provisioning.OpChange
			})},
		{name: "ordered", now: noon("2027-04-05"), lc: lc, pol: pol,
			svc: with(jan31, func(s *provisioning.Service) { s.Status = provisioning.StatusOrdered })},
		{name: "deleted", now: noon("2027-04-05"), lc: lc, pol: pol,
			svc: with(jan31, func(s *provisioning.Service) { s.Status = provisioning.StatusDeleted })},
		{name: "never paid", now: noon("2027-04-05"), lc: lc, pol: pol,
			svc: with(jan31, func(s *provisioning.Service) { s.ExpiresOn, s.AnchorOn = billkit.Date{}, billkit.Date{} })},
		{name: "hourly", now: noon("2027-04-05"), lc: lc, pol: pol,
			svc: with(jan31, func(s *provisioning.Service) { s.Period = catalog.PeriodHour })},
		{name: "leap day, yearly", now: noon("2029-02-28"), lc: lc, svc: paid("2028-02-29", catalog.PeriodYear, 1),
			want: []provisioning.Step{renewStep("2029-02-28", "2029-02-28", "2030-02-28")}},
		{name: "leap year, monthly from January 31st", now: noon("2028-02-29"), lc: lc, svc: paid("2028-01-31", month, 1),
			want: []provisioning.Step{renewStep("2028-02-29", "2028-02-29", "2028-03-31")}},
		{name: "daily", now: noon("2027-03-02"), lc: lc, svc: paid("2027-03-01", catalog.PeriodDay, 1),
			want: []provisioning.Step{renewStep("2027-03-02", "2027-03-02", "2027-03-03")}},
		// An expiry that is not where the anchor puts it (set by hand)
		// restarts the count there.
		{name: "expiry off its anchor", now: noon("2027-03-15"), lc: lc,
			svc: with(jan31, func(s *provisioning.Service) { s.ExpiresOn = day("2027-03-15") }),
			want: []provisioning.Step{{Kind: provisioning.StepRenew, On: day("2027-03-15"),
				Period: &provisioning.PaidPeriod{Start: day("2027-03-15"), End: day("2027-04-15"), Reanchor: true}}}},
		// 23:30 UTC on March 30th is already the 31st in Berlin.
		{name: "the provider's day, not UTC's", now: time.Date(2027, 3, 30, 23, 30, 0, 0, time.UTC), loc: berlin(t), svc: jan31, lc: lc,
			want: []provisioning.Step{renewStep("2027-03-31", "2027-03-31", "2027-04-30")}},
		{name: "UTC's day", now: time.Date(2027, 3, 30, 23, 30, 0, 0, time.UTC), svc: jan31, lc: lc},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := provisioning.Decide(c.now, c.loc, c.svc, c.lc, c.pol)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("Decide (-want +got):\n%s", diff)
			}
		})
	}
}

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	return loc
}

func TestSuspendOn(t *testing.T) {
	lc := catalog.Lifecycle{GraceDays: 3, NoSuspendOnWeekends: true}
	for _, c := range []struct{ expires, want string }{
		{"2027-03-29", "2027-04-01"}, // Thursday
		{"2027-03-31", "2027-04-05"}, // Saturday → Monday
		{"2027-04-01", "2027-04-05"}, // Sunday → Monday
		{"2027-04-02", "2027-04-05"}, // Monday
	} {
		if got := provisioning.SuspendOn(day(c.expires), lc); got != day(c.want) {
			t.Errorf("SuspendOn(%s) = %s, want %s", c.expires, got, c.want)
		}
	}
	if got := provisioning.SuspendOn(day("2027-03-31"), catalog.Lifecycle{GraceDays: 3}); got != day("2027-04-03") {
		t.Errorf("SuspendOn without the weekend rule = %s, want 2027-04-03", got)
	}
}

// TestDecideWalk walks services day by day across two years, paying every
// renewal at once, and checks that the periods follow each other without a
// gap or an overlap and that month ends never drift.
func TestDecideWalk(t *testing.T) {
	for _, c := range []struct {
		anchor string
		period catalog.Period
	}{
		{"2027-01-31", catalog.PeriodMonth}, {"2027-08-30", catalog.PeriodMonth}, {"2027-11-30", catalog.Period3Months},
		{"2028-02-29", catalog.PeriodYear}, {"2027-05-31", catalog.Period6Months}, {"2027-12-31", catalog.PeriodDay},
	} {
		svc := paid(c.anchor, c.period, 1)
		loc := berlin(t)
		for d := day(c.anchor); d.Before(day("2029-12-31")); d = d.AddDays(1) {
			at := time.Date(d.Year, d.Month, d.Day, 0, 30, 0, 0, loc)
			for _, st := range provisioning.Decide(at, loc, svc, catalog.Lifecycle{}, provisioning.CyclePolicy{}) {
				if st.Kind != provisioning.StepRenew {
					continue
				}
				if st.Period.Start != svc.ExpiresOn || st.Period.Reanchor {
					t.Fatalf("%s %s on %s: period %+v after expiry %s", c.anchor, c.period, d, st.Period, svc.ExpiresOn)
				}
				want := c.period.Advance(day(c.anchor), svc.PeriodsPaid+1)
				if st.Period.End != want {
					t.Fatalf("%s %s: period %d ends %s, want %s", c.anchor, c.period, svc.PeriodsPaid+1, st.Period.End, want)
				}
				svc.PeriodsPaid++
				svc.ExpiresOn = st.Period.End
			}
			if !svc.ExpiresOn.After(d) {
				t.Fatalf("%s %s: on %s the service expired on %s unrenewed", c.anchor, c.period, d, svc.ExpiresOn)
			}
		}
	}
}
