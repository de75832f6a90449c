package billkit

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
)

// moneyJSON is the JSON form. The amount is a string so that no JSON reader
// on the other side turns it into a float.
type moneyJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// MarshalJSON implements json.Marshaler: {"amount":"1234.50","currency":"USD"},
// the amount as stored, as a string. The zero Money is null.
func (m Money) MarshalJSON() ([]byte, error) {
	if m.currency == "" {
		return []byte("null"), nil
	}
	return json.Marshal(moneyJSON{Amount: amountString(m.amount), Currency: m.currency})
}

// UnmarshalJSON implements json.Unmarshaler. It reads the form MarshalJSON
// writes, and for the convenience of hand-written requests also a JSON number
// as the amount ({"amount":1234.50,...}). A number is read from its literal
// text, never through a float, with the grammar of ParseMoney, so exponent
// forms such as 1e3 are refused. null is the zero Money. Other fields are
// ignored. Errors are invalid *Errors on field "amount" or "currency".
func (m *Money) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*m = Money{}
		return nil
	}
	var raw struct {
		Amount   json.RawMessage `json:"amount"`
		Currency *string         `json:"currency"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return &Error{Code: CodeInvalid, Reason: "money.malformed", Message: "invalid input",
			Fields: []FieldError{{Field: "", Reason: "money.malformed", Message: `must be an object {"amount":"1234.50","currency":"USD"}`}}, Err: err}
	}
	// Both fields are checked, so that a request with two mistakes hears of
	// both at once.
	var v FieldErrors
	amount, err := jsonAmount(raw.Amount)
	v.Merge("", err)
	if raw.Currency == nil {
		v.Add("currency", "money.currency_malformed", "is required")
	} else if !ValidCurrencyCode(*raw.Currency) {
		v.Merge("", currencyMalformed(*raw.Currency))
	}
	if err == nil {
		v.Merge("", checkAmountSyntax(amount))
	}
	if err := v.Err(); err != nil {
		return err
	}
	parsed, err := ParseMoney(amount, *raw.Currency)
	if err != nil {
		return err
	}
	*m = parsed
	return nil
}

// jsonAmount returns the text of a JSON string or number.
func jsonAmount(raw json.RawMessage) (string, error) {
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return "", InvalidField("amount", "money.amount_malformed", "is required")
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", InvalidField("amount", "money.amount_malformed", "is not a valid JSON string")
		}
		return s, nil
	case raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'):
		// RawMessage holds the number exactly as written.
		return string(raw), nil
	default:
		return "", InvalidField("amount", "money.amount_malformed", "must be a string such as \"1234.50\"")
	}
}

// MarshalText implements encoding.TextMarshaler with the String form,
// "1234.50 USD"; the zero Money is empty text.
func (m Money) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. It accepts exactly the
// String form: an amount as ParseMoney reads it, one space, a currency code.
// Empty text is the zero Money. Text without exactly one space gives an
// invalid *Error with reason "money.malformed" on the field "" (the value as
// a whole, so that FieldErrors.Merge names it by its prefix).
func (m *Money) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = Money{}
		return nil
	}
	s := string(b)
	amount, code, ok := strings.Cut(s, " ")
	if !ok || strings.Contains(code, " ") {
		return InvalidField("", "money.malformed",
			fmt.Sprintf("%s is not an amount and a currency code separated by one space, as in \"1234.50 USD\"", quoteShort(s)))
	}
	v, err := ParseMoney(amount, code)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Value implements driver.Valuer with the text form "1234.50 USD", for
// embedders that keep a Money in one column; the zero Money is NULL.
// billkit's own tables store the amount as NUMERIC and the currency in a
// column of its own, so that the database can sum and index amounts.
func (m Money) Value() (driver.Value, error) {
	if m.currency == "" {
		return nil, nil
	}
	return m.String(), nil
}

// Scan implements sql.Scanner for the text form Value writes; NULL is the
// zero Money.
func (m *Money) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*m = Money{}
		return nil
	case string:
		return m.UnmarshalText([]byte(v))
	case []byte:
		return m.UnmarshalText(v)
	default:
		return InvalidField("", "money.malformed", fmt.Sprintf("cannot scan a %T into a Money; the column must hold text such as \"1234.50 USD\"", src))
	}
}
