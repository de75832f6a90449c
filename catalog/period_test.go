package catalog

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/billkit/billkit"
)

func TestPeriodLengths(t *testing.T) {
	for _, tc := range []struct {
		p             Period
		months, hours int
	}{
		{PeriodHour, 0, 1}, {PeriodDay, 0, 24}, {PeriodMonth, 1, 0}, {Period3Months, 3, 0},
		{Period6Months, 6, 0}, {PeriodYear, 12, 0}, {Period2Years, 24, 0}, {Period3Years, 36, 0},
		{"week", 0, 0}, {"", 0, 0},
	} {
		if got := tc.p.Months(); got != tc.months {
			t.Errorf("%q.Months() = %d, want %d", tc.p, got, tc.months)
		}
		if got := tc.p.Hours(); got != tc.hours {
			t.Errorf("%q.Hours() = %d, want %d", tc.p, got, tc.hours)
		}
	}
	for _, p := range Periods() {
		if !p.Valid() {
			t.Errorf("%q is listed but not valid", p)
		}
	}
}

func TestPeriodAddTo(t *testing.T) {
	d := billkit.MustDate
	for _, tc := range []struct {
		p        Period
		from, to billkit.Date
	}{
		{PeriodMonth, d(2027, 1, 31), d(2027, 2, 28)},
		{PeriodMonth, d(2028, 1, 31), d(2028, 2, 29)},
		{PeriodMonth, d(2027, 3, 31), d(2027, 4, 30)},
		{PeriodMonth, d(2027, 12, 15), d(2028, 1, 15)},
		{Period3Months, d(2027, 11, 30), d(2028, 2, 29)},
		{Period6Months, d(2027, 8, 31), d(2028, 2, 29)},
		{PeriodYear, d(2028, 2, 29), d(2029, 2, 28)},
		{Period2Years, d(2028, 2, 29), d(2030, 2, 28)},
		{Period3Years, d(2025, 2, 28), d(2028, 2, 28)},
		{PeriodDay, d(2028, 2, 28), d(2028, 2, 29)},
		{PeriodDay, d(2027, 12, 31), d(2028, 1, 1)},
		{PeriodHour, d(2027, 5, 5), d(2027, 5, 5)},
		{"week", d(2027, 5, 5), d(2027, 5, 5)},
	} {
		if got := tc.p.AddTo(tc.from); got != tc.to {
			t.Errorf("%s.AddTo(%s) = %s, want %s", tc.p, tc.from, got, tc.to)
		}
	}
}

func TestPeriodAdvanceDoesNotDrift(t *testing.T) {
	d := billkit.MustDate
	start := d(2027, 1, 31)
	want := []billkit.Date{d(2027, 2, 28), d(2027, 3, 31), d(2027, 4, 30), d(2027, 5, 31)}
	for i, w := range want {
		if got := PeriodMonth.Advance(start, i+1); got != w {
			t.Errorf("period %d from %s ends %s, want %s", i+1, start, got, w)
		}
	}
	// Chaining AddTo drifts to the 28th, which is why renewals count from
	// the anchor.
	if got := PeriodMonth.AddTo(PeriodMonth.AddTo(start)); got != d(2027, 3, 28) {
		t.Errorf("chained = %s", got)
	}
	if got := PeriodYear.Advance(d(2028, 2, 29), 4); got != d(2032, 2, 29) {
		t.Errorf("four years from a leap day = %s", got)
	}
	if got := PeriodMonth.Advance(d(2027, 3, 31), -1); got != d(2027, 2, 28) {
		t.Errorf("a month back = %s", got)
	}
	if got := PeriodDay.Advance(d(2028, 2, 27), 3); got != d(2028, 3, 1) {
		t.Errorf("three days = %s", got)
	}
}

func TestPeriodAddToTime(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	for _, tc := range []struct {
		p        Period
		from, to time.Time
	}{
		{PeriodMonth, time.Date(2027, 1, 31, 10, 30, 0, 0, time.UTC), time.Date(2027, 2, 28, 10, 30, 0, 0, time.UTC)},
		{PeriodYear, time.Date(2028, 2, 29, 23, 0, 0, 0, berlin), time.Date(2029, 2, 28, 23, 0, 0, 0, berlin)},
		// A day across the spring change is 23 hours long.
		{PeriodDay, time.Date(2027, 3, 28, 0, 0, 0, 0, berlin), time.Date(2027, 3, 29, 0, 0, 0, 0, berlin)},
		{PeriodHour, time.Date(2027, 3, 28, 1, 30, 0, 0, berlin), time.Date(2027, 3, 28, 3, 30, 0, 0, berlin)},
	} {
		if got := tc.p.AddToTime(tc.from); !got.Equal(tc.to) {
			t.Errorf("%s.AddToTime(%s) = %s, want %s", tc.p, tc.from, got, tc.to)
		}
	}
	if got := PeriodDay.AddToTime(time.Date(2027, 3, 28, 0, 0, 0, 0, berlin)); got.Sub(time.Date(2027, 3, 28, 0, 0, 0, 0, berlin)) != 23*time.Hour {
		t.Errorf("the spring day is %s long", got.Sub(time.Date(2027, 3, 28, 0, 0, 0, 0, berlin)))
	}
}

func TestParsePeriod(t *testing.T) {
	for _, p := range Periods() {
		got, err := ParsePeriod(string(p))
		if err != nil || got != p {
			t.Errorf("ParsePeriod(%q) = %q, %v", p, got, err)
		}
	}
	for _, s := range []string{"", "Month", "monthly", "1month", "week", "3 months"} {
		_, err := ParsePeriod(s)
		if !billkit.HasReason(err, "catalog.period_unknown") {
			t.Errorf("ParsePeriod(%q) = %v, want catalog.period_unknown", s, err)
			continue
		}
		if _, ok := err.(*billkit.Error).Field("period"); !ok {
			t.Errorf("ParsePeriod(%q) does not name the field: %v", s, err)
		}
	}
}

func TestPeriodJSON(t *testing.T) {
	type doc struct {
		Period Period `json:"period"`
	}
	b, err := json.Marshal(doc{PeriodYear})
	if err != nil || string(b) != `{"period":"year"}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"period":"3months"}`), &d); err != nil || d.Period != Period3Months {
		t.Fatalf("unmarshal = %+v, %v", d, err)
	}
	// An unknown name decodes as it is, for validation to name its place.
	if err := json.Unmarshal([]byte(`{"period":"week"}`), &d); err != nil || d.Period.Valid() {
		t.Fatalf("unknown = %+v, %v", d, err)
	}
}
