package directory

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"github.com/bojanz/currency"
	"github.com/shopspring/decimal"
	"golang.org/x/text/language"
)

// MaxCurrencyDigits is the most decimals a custom currency may have. Eight
// covers crypto coins quoted in their smallest practical unit (satoshi).
const MaxCurrencyDigits = 8

var (
	customCurrencyCode = regexp.MustCompile(`^[A-Z][A-Z0-9]{2,7}$`)
	isoCurrencyCode    = regexp.MustCompile(`^[A-Z]{3}$`)
	hundred            = decimal.NewFromInt(100)
)

// IsISOCurrency reports whether code is an active ISO 4217 currency.
func IsISOCurrency(code string) bool {
	return isoCurrencyCode.MatchString(code) && currency.IsValid(code)
}

// ISOCurrencies returns every active ISO 4217 currency, ordered as the CLDR
// data lists them, all disabled and without margin. Numeric codes, digits and
// symbols come from github.com/bojanz/currency (CLDR and the ISO 4217 list).
// Names in English and Russian come from currencyNames, kept by hand after
// CLDR's display names ({"en": "US Dollar", "ru": "Доллар США"}); a code
// missing there gets the code itself under "en". Staff rename currencies as
// they like.
func ISOCurrencies() []Currency {
	codes := currency.GetCurrencyCodes()
	out := make([]Currency, 0, len(codes))
	for _, code := range codes {
		numeric, _ := currency.GetNumericCode(code)
		digits, _ := currency.GetDigits(code)
		name := Text{"en": code}
		if n, ok := currencyNames[code]; ok {
			name = Text{"en": n[0], "ru": n[1]}
		}
		out = append(out, Currency{
			Code:    code,
			Numeric: numeric,
			Name:    name,
			Symbol:  currencySymbol(code),
			Digits:  int(digits),
			Margin:  decimal.Zero,
		})
	}
	return out
}

// currencySymbol picks one display symbol for an ISO currency: the English
// one when English has a sign of its own ("$", "€", "£"); else the sign used
// in the currency's home country when that is a single symbol character
// ("₽" for RUB, "₴" for UAH); else the code. Signs in other scripts ("د.ب.")
// are left out because they read poorly outside their locale.
func currencySymbol(code string) string {
	if s, ok := currency.GetSymbol(code, currency.NewLocale("en")); ok && s != code && s != "" {
		return s
	}
	country := code[:2]
	if base, conf := language.Make("und-" + country).Base(); conf != language.No {
		s, ok := currency.GetSymbol(code, currency.NewLocale(base.String()+"-"+country))
		if ok && utf8.RuneCountInString(s) == 1 {
			if r, _ := utf8.DecodeRuneInString(s); unicode.Is(unicode.Sc, r) {
				return s
			}
		}
	}
	return code
}

// normalizeCurrencyCode upper-cases and checks the shape of a currency code
// (ISO or custom).
func normalizeCurrencyCode(field, code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if c == "" {
		return "", billkit.InvalidField(field, "required", "is required")
	}
	if !customCurrencyCode.MatchString(c) {
		return "", billkit.InvalidField(field, "currency.code_malformed", fmt.Sprintf("%q is not a currency code", code))
	}
	return c, nil
}

// validMargin checks that a margin is a percentage in [0, 100).
func validMargin(v *billkit.FieldErrors, m decimal.Decimal) {
	v.Check(!m.IsNegative() && m.LessThan(hundred), "margin", "currency.margin_out_of_range", "must be at least 0 and less than 100 (percent)")
}

// ListCurrencies lists currencies ordered by code.
func (s *Service) ListCurrencies(ctx context.Context, f CurrencyFilter) (billkit.Page[Currency], error) {
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Currency]{}, err
	}
	f.Query = strings.TrimSpace(f.Query)
	return s.store.ListCurrencies(ctx, f)
}

// GetCurrency returns the currency with the code, in any case.
func (s *Service) GetCurrency(ctx context.Context, code string) (*Currency, error) {
	c, err := normalizeCurrencyCode("code", code)
	if err != nil {
		return nil, err
	}
	return s.store.GetCurrency(ctx, c)
}

// CreateCurrency creates a custom currency (bonus points, a crypto coin). Its
// code must not be an ISO 4217 code; those are seeded by Bootstrap.
func (s *Service) CreateCurrency(ctx context.Context, actor billkit.Actor, p CreateCurrencyParams) (*Currency, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	code, err := normalizeCurrencyCode("code", p.Code)
	if v.Merge("", err) && IsISOCurrency(code) {
		v.Add("code", "currency.code_reserved", fmt.Sprintf("%s is an ISO 4217 currency; enable it instead of creating it", code))
	}
	v.Merge("name", p.Name.ValidateRequired())
	v.Check(p.Digits >= 0 && p.Digits <= MaxCurrencyDigits, "digits", "currency.digits_out_of_range",
		fmt.Sprintf("must be between 0 and %d", MaxCurrencyDigits))
	symbol := strings.TrimSpace(p.Symbol)
	v.Check(utf8.RuneCountInString(symbol) <= 8, "symbol", "currency.symbol_too_long", "must be at most 8 characters")
	validMargin(&v, p.Margin)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpCreate)); err != nil {
		return nil, err
	}
	if symbol == "" {
		symbol = code
	}
	now := s.now()
	c := &Currency{
		Code:      code,
		Name:      p.Name.Normalize(),
		Symbol:    symbol,
		Digits:    p.Digits,
		Custom:    true,
		Enabled:   p.Enabled,
		Margin:    p.Margin,
		CreatedAt: now,
		UpdatedAt: now,
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertCurrency(ctx, c); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "currency", "create", c.Code, nil, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateCurrency changes a currency's name, symbol, margin or whether it is
// enabled, and the digits of a custom currency. The digits of an ISO currency
// are fixed by ISO 4217.
func (s *Service) UpdateCurrency(ctx context.Context, actor billkit.Actor, code string, p UpdateCurrencyParams) (*Currency, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	c, err := normalizeCurrencyCode("code", code)
	v.Merge("", err)
	if p.Name != nil {
		v.Merge("name", p.Name.ValidateRequired())
	}
	if p.Symbol != nil {
		sym := strings.TrimSpace(*p.Symbol)
		v.Check(sym != "", "symbol", "required", "is required")
		v.Check(utf8.RuneCountInString(sym) <= 8, "symbol", "currency.symbol_too_long", "must be at most 8 characters")
	}
	if p.Digits != nil {
		v.Check(*p.Digits >= 0 && *p.Digits <= MaxCurrencyDigits, "digits", "currency.digits_out_of_range",
			fmt.Sprintf("must be between 0 and %d", MaxCurrencyDigits))
	}
	if p.Margin != nil {
		validMargin(&v, *p.Margin)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *Currency
	err = s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetCurrency(ctx, c)
		if err != nil {
			return err
		}
		if p.Digits != nil && *p.Digits != cur.Digits && !cur.Custom {
			return billkit.InvalidField("digits", "currency.digits_fixed", fmt.Sprintf("the digits of %s are fixed by ISO 4217", c))
		}
		before := *cur
		if p.Name != nil {
			cur.Name = p.Name.Normalize()
		}
		if p.Symbol != nil {
			cur.Symbol = strings.TrimSpace(*p.Symbol)
		}
		if p.Digits != nil {
			cur.Digits = *p.Digits
		}
		if p.Margin != nil {
			cur.Margin = *p.Margin
		}
		if p.Enabled != nil {
			cur.Enabled = *p.Enabled
		}
		cur.UpdatedAt = s.now()
		if err := tx.UpdateCurrency(ctx, cur); err != nil {
			return err
		}
		if err := s.record(ctx, tx, actor, "currency", "update", cur.Code, before, cur); err != nil {
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
