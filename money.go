package billkit

import "github.com/shopspring/decimal"

// Money is an exact amount in one currency.
type Money struct {
	amount   decimal.Decimal
	currency string
}

// NewMoney returns amount in currency.
func NewMoney(amount decimal.Decimal, currency string) (Money, error) {
	return Money{amount: amount, currency: currency}, nil
}

// Amount returns the decimal amount.
func (m Money) Amount() decimal.Decimal { return m.amount }

// Currency returns the currency code.
func (m Money) Currency() string { return m.currency }
