package catalog

// Period is a billing period a tariff can be priced for.
type Period string

// The periods. Hourly prices exist only where the product type allows them.
const (
	PeriodHour    Period = "hour"
	PeriodDay     Period = "day"
	PeriodMonth   Period = "month"
	Period3Months Period = "3months"
	Period6Months Period = "6months"
	PeriodYear    Period = "year"
	Period2Years  Period = "2years"
	Period3Years  Period = "3years"
)

// Periods lists every period, shortest first.
func Periods() []Period {
	return []Period{PeriodHour, PeriodDay, PeriodMonth, Period3Months, Period6Months, PeriodYear, Period2Years, Period3Years}
}

// Valid reports whether p is a known period.
func (p Period) Valid() bool {
	for _, q := range Periods() {
		if p == q {
			return true
		}
	}
	return false
}
