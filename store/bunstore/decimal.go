package bunstore

import (
	"database/sql/driver"

	"github.com/shopspring/decimal"
)

// exactDecimal is an amount stored with every decimal it has: "10.50"
// stays "10.50" and "10.00" stays "10.00". decimal.Decimal's own Value
// drops trailing zeros, which SQLite's TEXT would then lose (and
// PostgreSQL's numeric, which keeps the scale it is given, too), so a
// price, a document or a payment reads back as it was written, on either
// database.
type exactDecimal struct{ decimal.Decimal }

// Value writes the decimal in full.
func (d exactDecimal) Value() (driver.Value, error) {
	if e := d.Exponent(); e < 0 {
		return d.StringFixed(-e), nil
	}
	return d.String(), nil
}

// Scan reads the text or number the database returns.
func (d *exactDecimal) Scan(src any) error { return d.Decimal.Scan(src) }
