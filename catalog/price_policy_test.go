package catalog_test

import (
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

func TestVersionsForService(t *testing.T) {
	d := func(y int, m time.Month, day int) billkit.Date { return billkit.MustDate(y, m, day) }
	eff := d(2027, 3, 10)
	version := func(p catalog.PricePolicy, keep int) []catalog.PriceVersion {
		return []catalog.PriceVersion{{EffectiveDate: eff, Policy: p, KeepPeriods: keep}}
	}
	cases := []struct {
		name        string
		versions    []catalog.PriceVersion
		period      catalog.Period
		ordered     billkit.Date
		periodStart billkit.Date
		applies     bool
	}{
		{"not yet in force", version(catalog.PolicyNow, 0), catalog.PeriodMonth, d(2027, 1, 31), d(2027, 2, 28), false},
		{"ordered after the change pays it", version(catalog.PolicyKeepForPeriods, 12), catalog.PeriodMonth, d(2027, 3, 10), d(2027, 3, 10), true},
		{"now: first period after the date", version(catalog.PolicyNow, 0), catalog.PeriodMonth, d(2027, 1, 31), d(2027, 3, 31), true},
		{"next renewal: the renewal on the date", version(catalog.PolicyNextRenewal, 0), catalog.PeriodMonth, d(2027, 1, 10), d(2027, 3, 10), true},
		{"next renewal: the one after it", version(catalog.PolicyNextRenewal, 0), catalog.PeriodMonth, d(2027, 1, 31), d(2027, 3, 31), true},
		// Ordered 2027-01-31: periods start 02-28, 03-31, 04-30, 05-31.
		{"keep 2: first kept", version(catalog.PolicyKeepForPeriods, 2), catalog.PeriodMonth, d(2027, 1, 31), d(2027, 3, 31), false},
		{"keep 2: second kept", version(catalog.PolicyKeepForPeriods, 2), catalog.PeriodMonth, d(2027, 1, 31), d(2027, 4, 30), false},
		{"keep 2: third moves", version(catalog.PolicyKeepForPeriods, 2), catalog.PeriodMonth, d(2027, 1, 31), d(2027, 5, 31), true},
		// Ordered on a leap day: periods start 2027-02-28, 2028-02-29, 2029-02-28.
		{"keep 1 yearly: the first period after the date kept", version(catalog.PolicyKeepForPeriods, 1), catalog.PeriodYear, d(2024, 2, 29), d(2028, 2, 29), false},
		{"keep 1 yearly: the second moves", version(catalog.PolicyKeepForPeriods, 1), catalog.PeriodYear, d(2024, 2, 29), d(2029, 2, 28), true},
		{"keep 3 daily", version(catalog.PolicyKeepForPeriods, 3), catalog.PeriodDay, d(2027, 3, 1), d(2027, 3, 12), false},
		{"keep 3 daily, moved", version(catalog.PolicyKeepForPeriods, 3), catalog.PeriodDay, d(2027, 3, 1), d(2027, 3, 13), true},
		{"keep 48 hourly", version(catalog.PolicyKeepForPeriods, 48), catalog.PeriodHour, d(2027, 3, 1), d(2027, 3, 11), false},
		{"keep 48 hourly, moved", version(catalog.PolicyKeepForPeriods, 48), catalog.PeriodHour, d(2027, 3, 1), d(2027, 3, 12), true},
	}
	for _, c := range cases {
		got := catalog.VersionsForService(c.versions, c.period, c.ordered, c.periodStart)
		if (len(got) == 1) != c.applies {
			t.Errorf("%s: applies = %v, want %v", c.name, len(got) == 1, c.applies)
		}
	}
}

// Versions accumulate: a later version that has not reached the service
// does not hide an earlier one that has.
func TestVersionsForServiceKeepsOrderAndFilters(t *testing.T) {
	d := billkit.MustDate
	vs := []catalog.PriceVersion{
		{EffectiveDate: d(2027, 1, 1), Policy: catalog.PolicyNextRenewal, Note: "a"},
		{EffectiveDate: d(2027, 2, 1), Policy: catalog.PolicyKeepForPeriods, KeepPeriods: 6, Note: "b"},
		{EffectiveDate: d(2027, 3, 1), Policy: catalog.PolicyNow, Note: "c"},
	}
	got := catalog.VersionsForService(vs, catalog.PeriodMonth, d(2026, 12, 15), d(2027, 3, 15))
	var notes string
	for _, v := range got {
		notes += v.Note
	}
	if notes != "ac" {
		t.Fatalf("versions = %q, want a and c", notes)
	}
}
