package catalog

import "github.com/billkit/billkit"

// VersionsForService returns the price versions that apply to a service of
// the tariff when it is priced for the period starting on periodStart: the
// versions to pass as QuoteRequest.Versions, with the period start as the
// quote's date. A service ordered on or after a version's EffectiveDate pays
// it like any new order. For a service ordered before it, the version's
// Policy decides:
//
//   - PolicyNow and PolicyNextRenewal: from the first period starting on or
//     after the EffectiveDate. (Under PolicyNow the period running on that
//     date is also recalculated; that is the lifecycle's business, which
//     prorates it with the version in force.)
//   - PolicyKeepForPeriods: the service keeps the old prices for KeepPeriods
//     more periods starting on or after the EffectiveDate, and moves at the
//     one after them.
//
// Periods are counted from orderedOn with Period.Advance, so month ends do
// not drift. Hourly services count hours by whole days since the
// EffectiveDate (a date carries no hour). Versions that are not in force on
// periodStart are left out either way; the order of versions is kept.
func VersionsForService(versions []PriceVersion, period Period, orderedOn, periodStart billkit.Date) []PriceVersion {
	out := make([]PriceVersion, 0, len(versions))
	for _, v := range versions {
		if v.EffectiveDate.After(periodStart) {
			continue
		}
		if !orderedOn.Before(v.EffectiveDate) || appliesToExisting(v, period, orderedOn, periodStart) {
			out = append(out, v)
		}
	}
	return out
}

// appliesToExisting says whether v, effective after the service was
// ordered, has reached the service by the period starting on periodStart.
func appliesToExisting(v PriceVersion, period Period, orderedOn, periodStart billkit.Date) bool {
	switch v.Policy {
	case PolicyNow, PolicyNextRenewal:
		return true // v.EffectiveDate <= periodStart, checked by the caller
	case PolicyKeepForPeriods:
		return periodsSince(period, orderedOn, v.EffectiveDate, periodStart) > v.KeepPeriods
	}
	return false
}

// periodsSince counts the periods of a service ordered on orderedOn that
// start on or after from and on or before through.
func periodsSince(period Period, orderedOn, from, through billkit.Date) int {
	if period.Months() == 0 && period != PeriodDay {
		// Hourly: whole days since from, in hours, plus the hour starting at
		// from's midnight.
		return from.DaysUntil(through)*24 + 1
	}
	n := 0
	for k := 1; ; k++ {
		start := period.Advance(orderedOn, k)
		if start.After(through) {
			return n
		}
		if !start.Before(from) {
			n++
		}
	}
}
