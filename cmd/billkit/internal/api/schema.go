package api

import (
	"errors"
	"reflect"
	"regexp"

	"github.com/billkit/billkit"
	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"
)

// decimalPattern is the only form of a decimal number the API accepts: plain
// digits with an optional sign and fraction. Exponents ("1e999"), "NaN",
// grouping separators ("1,2.3") and JSON numbers are refused, because an
// amount must round-trip exactly and read the same to people and programs.
const decimalPattern = `^-?[0-9]{1,30}(\.[0-9]{1,30})?$`

// decimalSchema stands in for decimal.Decimal in the OpenAPI document and in
// request validation: a string in decimalPattern.
type decimalSchema struct{}

func (decimalSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Type:        huma.TypeString,
		Pattern:     decimalPattern,
		Description: "An exact decimal number as a string, such as \"1234.50\".",
		Examples:    []any{"1234.50"},
	}
}

// dateSchema stands in for billkit.Date: a calendar date "2006-01-02".
type dateSchema struct{}

func (dateSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "date", Examples: []any{"2025-01-31"}}
}

// registerTypes tells the schema generator how billkit's value types look on
// the wire: they encode as strings, which it cannot see from their fields.
func registerTypes(r huma.Registry) {
	r.RegisterTypeAlias(reflect.TypeFor[decimal.Decimal](), reflect.TypeFor[decimalSchema]())
	r.RegisterTypeAlias(reflect.TypeFor[billkit.Date](), reflect.TypeFor[dateSchema]())
}

var decimalRe = regexp.MustCompile(decimalPattern)

func asBillkit(err error, target **billkit.Error) bool { return errors.As(err, target) }
