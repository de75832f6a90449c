package billkit_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/billkit/billkit"
)

func TestNewDate(t *testing.T) {
	good := []billkit.Date{{2024, 2, 29}, {1, 1, 1}, {9999, 12, 31}, {2023, 12, 31}}
	for _, d := range good {
		got, err := billkit.NewDate(d.Year, d.Month, d.Day)
		if err != nil || got != d || !d.Valid() {
			t.Errorf("NewDate(%v) = %v, %v", d, got, err)
		}
	}
	bad := []billkit.Date{{2023, 2, 29}, {2024, 2, 30}, {2024, 4, 31}, {0, 1, 1}, {10000, 1, 1}, {2024, 0, 1}, {2024, 13, 1}, {2024, 1, 0}, {2024, 1, -1}, {}}
	for _, d := range bad {
		_, err := billkit.NewDate(d.Year, d.Month, d.Day)
		wantInvalid(t, err, "date", "date.out_of_range")
		if d.Valid() {
			t.Errorf("%v is Valid", d)
		}
	}
}

func TestMustDate(t *testing.T) {
	if got := billkit.MustDate(2024, 3, 1).String(); got != "2024-03-01" {
		t.Errorf("MustDate = %s", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustDate(2023, 2, 29) did not panic")
		}
	}()
	billkit.MustDate(2023, 2, 29)
}

func TestParseDate(t *testing.T) {
	d, err := billkit.ParseDate("2024-02-29")
	if err != nil || d != (billkit.Date{Year: 2024, Month: 2, Day: 29}) {
		t.Errorf("ParseDate = %v, %v", d, err)
	}
	for _, s := range []string{"", "2024-2-29", "2024/02/29", "24-02-29", "2024-02-29T00:00:00Z", " 2024-02-29", "2024-13-01", "2023-02-29", "abcd-ef-gh"} {
		_, err := billkit.ParseDate(s)
		if billkit.ErrorCode(err) != billkit.CodeInvalid {
			t.Errorf("ParseDate(%q): %v", s, err)
		}
		var e *billkit.Error
		if !errors.As(err, &e) {
			continue
		}
		if _, ok := e.Field("date"); !ok {
			t.Errorf("ParseDate(%q): no field: %v", s, err)
		}
	}
	_, err = billkit.ParseDate("0000-01-01")
	wantInvalid(t, err, "date", "date.out_of_range")
}

func TestDateOfIn(t *testing.T) {
	moscow := time.FixedZone("MSK", 3*3600)
	instant := time.Date(2024, 12, 31, 22, 30, 0, 0, time.UTC)
	if got := billkit.DateOf(instant); got.String() != "2024-12-31" {
		t.Errorf("DateOf = %s", got)
	}
	if got := billkit.DateIn(instant, moscow); got.String() != "2025-01-01" {
		t.Errorf("DateIn(Moscow) = %s", got)
	}
	if got := billkit.MustDate(2024, 3, 31).In(moscow); !got.Equal(time.Date(2024, 3, 30, 21, 0, 0, 0, time.UTC)) {
		t.Errorf("In = %v", got)
	}
}

func TestDateArithmetic(t *testing.T) {
	d := billkit.MustDate
	months := []struct {
		from billkit.Date
		n    int
		want billkit.Date
	}{
		{d(2024, 1, 31), 1, d(2024, 2, 29)},
		{d(2023, 1, 31), 1, d(2023, 2, 28)},
		{d(2024, 1, 31), 2, d(2024, 3, 31)},
		{d(2024, 3, 31), -1, d(2024, 2, 29)},
		{d(2024, 12, 15), 1, d(2025, 1, 15)},
		{d(2024, 1, 15), -1, d(2023, 12, 15)},
		{d(2024, 1, 15), -13, d(2022, 12, 15)},
		{d(2024, 2, 29), 12, d(2025, 2, 28)},
		{d(2024, 5, 10), 0, d(2024, 5, 10)},
		{d(1, 3, 1), -2, d(1, 1, 1)},
	}
	for _, tt := range months {
		if got := tt.from.AddMonths(tt.n); got != tt.want {
			t.Errorf("%s.AddMonths(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
	// Months before year 1 still land on a real month, not month 0.
	if got := d(1, 1, 15).AddMonths(-1); got.Month != time.December {
		t.Errorf("AddMonths before year 1: month %d", got.Month)
	}
	days := []struct {
		from billkit.Date
		n    int
		want billkit.Date
	}{
		{d(2024, 2, 28), 1, d(2024, 2, 29)},
		{d(2024, 2, 29), 1, d(2024, 3, 1)},
		{d(2024, 12, 31), 1, d(2025, 1, 1)},
		{d(2024, 1, 1), -1, d(2023, 12, 31)},
		{d(2024, 1, 1), 366, d(2025, 1, 1)},
	}
	for _, tt := range days {
		if got := tt.from.AddDays(tt.n); got != tt.want {
			t.Errorf("%s.AddDays(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
		if got := tt.from.DaysUntil(tt.want); got != tt.n {
			t.Errorf("%s.DaysUntil(%s) = %d, want %d", tt.from, tt.want, got, tt.n)
		}
	}
	// The whole range, which is longer than a time.Duration can hold.
	if got := d(1, 1, 1).DaysUntil(d(9999, 12, 31)); got != 3652058 {
		t.Errorf("DaysUntil over the whole range = %d, want 3652058", got)
	}
	if got := d(9999, 12, 31).DaysUntil(d(1, 1, 1)); got != -3652058 {
		t.Errorf("DaysUntil backwards over the whole range = %d", got)
	}
	if billkit.DaysIn(2024, time.February) != 29 || billkit.DaysIn(2100, time.February) != 28 || billkit.DaysIn(2000, time.February) != 29 || billkit.DaysIn(2024, time.April) != 30 {
		t.Error("DaysIn is wrong")
	}
}

func TestDateCompare(t *testing.T) {
	a, b := billkit.MustDate(2024, 5, 10), billkit.MustDate(2024, 5, 11)
	c := billkit.MustDate(2023, 12, 31)
	if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 || c.Compare(a) != -1 || billkit.MustDate(2024, 6, 1).Compare(b) != 1 {
		t.Error("Compare is wrong")
	}
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Before(a) {
		t.Error("Before/After are wrong")
	}
}

func TestDateEncodings(t *testing.T) {
	d := billkit.MustDate(2024, 2, 9)
	b, err := json.Marshal(struct {
		D billkit.Date `json:"d"`
		Z billkit.Date `json:"z"`
	}{D: d})
	if err != nil || string(b) != `{"d":"2024-02-09","z":""}` {
		t.Errorf("JSON = %s, %v", b, err)
	}
	var back struct {
		D billkit.Date `json:"d"`
		Z billkit.Date `json:"z"`
	}
	if err := json.Unmarshal(b, &back); err != nil || back.D != d || !back.Z.IsZero() {
		t.Errorf("JSON back = %+v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"d":"2024-02-30"}`), &back); err == nil {
		t.Error("JSON with a bad date: no error")
	}
	if v, err := d.Value(); err != nil || v != "2024-02-09" {
		t.Errorf("Value = %v, %v", v, err)
	}
	if v, err := (billkit.Date{}).Value(); err != nil || v != nil {
		t.Errorf("zero Value = %v, %v", v, err)
	}
	scans := []any{"2024-02-09", []byte("2024-02-09"), "2024-02-09T00:00:00Z", "2024-02-09 00:00:00", time.Date(2024, 2, 9, 0, 0, 0, 0, time.UTC)}
	for _, src := range scans {
		var got billkit.Date
		if err := got.Scan(src); err != nil || got != d {
			t.Errorf("Scan(%v) = %v, %v", src, got, err)
		}
	}
	var got billkit.Date = d
	if err := got.Scan(nil); err != nil || !got.IsZero() {
		t.Errorf("Scan(nil) = %v, %v", got, err)
	}
	for _, src := range []any{42, "not a date", "2024-02-30"} {
		if err := got.Scan(src); err == nil {
			t.Errorf("Scan(%v): no error", src)
		}
	}
	if (billkit.Date{}).String() != "" || !(billkit.Date{}).IsZero() || d.IsZero() {
		t.Error("zero Date")
	}
}
