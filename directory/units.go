package directory

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

var unitCode = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,31}$`)

// Valid reports whether d is one of the defined dimensions.
func (d Dimension) Valid() bool {
	switch d {
	case DimensionData, DimensionTime, DimensionCount:
		return true
	}
	return false
}

// DefaultUnits returns the units Bootstrap seeds: MB, GB, TB (data, binary
// multiples of MB); hour, day, month (time; a month is 30 days for metering);
// piece (count).
func DefaultUnits() []Unit {
	u := func(code string, dim Dimension, factor int64, en, ru string) Unit {
		return Unit{Code: code, Name: Text{"en": en, "ru": ru}, Dimension: dim, Factor: decimal.NewFromInt(factor)}
	}
	return []Unit{
		u("MB", DimensionData, 1, "megabyte", "мегабайт"),
		u("GB", DimensionData, 1024, "gigabyte", "гигабайт"),
		u("TB", DimensionData, 1024*1024, "terabyte", "терабайт"),
		u("hour", DimensionTime, 1, "hour", "час"),
		u("day", DimensionTime, 24, "day", "день"),
		u("month", DimensionTime, 720, "month", "месяц"),
		u("piece", DimensionCount, 1, "piece", "штука"),
	}
}

// ConvertUnit converts value from one unit to another of the same dimension:
// value × from.Factor / to.Factor. The result is exact when the division is
// (MB to GB is, since factors are powers of two); otherwise it is rounded
// half-up to RatePrecision decimal places. Units of different dimensions give
// an invalid error with reason "unit.dimension_mismatch".
func ConvertUnit(value decimal.Decimal, from, to Unit) (decimal.Decimal, error) {
	if from.Dimension != to.Dimension {
		return decimal.Zero, billkit.InvalidField("to", "unit.dimension_mismatch",
			fmt.Sprintf("%s measures %s and %s measures %s", from.Code, from.Dimension, to.Code, to.Dimension))
	}
	if !from.Factor.IsPositive() || !to.Factor.IsPositive() {
		return decimal.Zero, billkit.Errorf(billkit.CodeInternal, "unit.factor_invalid", "unit factors must be positive")
	}
	if from.Code == to.Code {
		return value, nil
	}
	n := value.Mul(from.Factor)
	if to.Factor.Equal(one) {
		return n, nil
	}
	// A quotient with at most RatePrecision places (all of MB, GB and TB,
	// being powers of two) comes out exact; only repeating ones are rounded.
	return n.DivRound(to.Factor, RatePrecision), nil
}

// normalizeUnitCode trims and checks a unit code. Codes are case-sensitive
// ("MB" and "mb" would be different units), as metric prefixes are.
func normalizeUnitCode(field, code string) (string, error) {
	c := strings.TrimSpace(code)
	if c == "" {
		return "", billkit.InvalidField(field, "required", "is required")
	}
	if !unitCode.MatchString(c) {
		return "", billkit.InvalidField(field, "unit.code_malformed",
			fmt.Sprintf("%q must start with a letter and have at most 32 letters, digits, '_', '.' or '-'", code))
	}
	return c, nil
}

// ListUnits lists units ordered by dimension, then factor.
func (s *Service) ListUnits(ctx context.Context, f UnitFilter) (billkit.Page[Unit], error) {
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	if f.Dimension != "" {
		v.Check(f.Dimension.Valid(), "dimension", "unit.dimension_unknown", fmt.Sprintf("unknown dimension %q", f.Dimension))
	}
	if err := v.Err(); err != nil {
		return billkit.Page[Unit]{}, err
	}
	return s.store.ListUnits(ctx, f)
}

// GetUnit returns the unit with the code.
func (s *Service) GetUnit(ctx context.Context, code string) (*Unit, error) {
	c, err := normalizeUnitCode("code", code)
	if err != nil {
		return nil, err
	}
	return s.store.GetUnit(ctx, c)
}

// CreateUnit creates a custom unit in one of the dimensions.
func (s *Service) CreateUnit(ctx context.Context, actor billkit.Actor, p CreateUnitParams) (*Unit, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	code, err := normalizeUnitCode("code", p.Code)
	v.Merge("", err)
	v.Merge("name", p.Name.ValidateRequired())
	v.Check(p.Dimension.Valid(), "dimension", "unit.dimension_unknown", fmt.Sprintf("unknown dimension %q", p.Dimension))
	v.Check(p.Factor.IsPositive(), "factor", "unit.factor_not_positive", "must be greater than zero")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpCreate)); err != nil {
		return nil, err
	}
	now := s.now()
	u := &Unit{
		Code:      code,
		Name:      p.Name.Normalize(),
		Dimension: p.Dimension,
		Factor:    p.Factor,
		Custom:    true,
		CreatedAt: now,
		UpdatedAt: now,
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertUnit(ctx, u); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "unit", "create", u.Code, nil, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UpdateUnit renames a unit, or changes the factor of a custom one; the
// factors of seeded units are what metering relies on and stay fixed.
func (s *Service) UpdateUnit(ctx context.Context, actor billkit.Actor, code string, p UpdateUnitParams) (*Unit, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	c, err := normalizeUnitCode("code", code)
	v.Merge("", err)
	if p.Name != nil {
		v.Merge("name", p.Name.ValidateRequired())
	}
	if p.Factor != nil {
		v.Check(p.Factor.IsPositive(), "factor", "unit.factor_not_positive", "must be greater than zero")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *Unit
	err = s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetUnit(ctx, c)
		if err != nil {
			return err
		}
		if p.Factor != nil && !p.Factor.Equal(cur.Factor) && !cur.Custom {
			return billkit.InvalidField("factor", "unit.factor_fixed", fmt.Sprintf("the factor of %s is fixed", c))
		}
		before := *cur
		if p.Name != nil {
			cur.Name = p.Name.Normalize()
		}
		if p.Factor != nil {
			cur.Factor = *p.Factor
		}
		cur.UpdatedAt = s.now()
		if err := tx.UpdateUnit(ctx, cur); err != nil {
			return err
		}
		if err := s.record(ctx, tx, actor, "unit", "update", cur.Code, before, cur); err != nil {
			return err
		}
		out = cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ConvertUnits converts value from one unit to another of the same dimension
// (see ConvertUnit).
func (s *Service) ConvertUnits(ctx context.Context, value decimal.Decimal, from, to string) (decimal.Decimal, error) {
	var v billkit.FieldErrors
	fc, err := normalizeUnitCode("from", from)
	v.Merge("", err)
	tc, err := normalizeUnitCode("to", to)
	v.Merge("", err)
	if err := v.Err(); err != nil {
		return decimal.Zero, err
	}
	units := make([]*Unit, 2)
	for i, c := range []struct{ field, code string }{{"from", fc}, {"to", tc}} {
		u, err := s.store.GetUnit(ctx, c.code)
		if billkit.IsCode(err, billkit.CodeNotFound) {
			v.Add(c.field, "unit.not_found", fmt.Sprintf("unit %s does not exist", c.code))
			continue
		}
		if err != nil {
			return decimal.Zero, err
		}
		units[i] = u
	}
	if err := v.Err(); err != nil {
		return decimal.Zero, err
	}
	return ConvertUnit(value, *units[0], *units[1])
}
