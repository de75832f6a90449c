package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/billkit/billkit"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// euMembers are the member states of the European Union, for VAT rules. No
// library publishes membership, and it changes rarely, so it is kept by hand.
var euMembers = map[string]bool{
	"AT": true, "BE": true, "BG": true, "CY": true, "CZ": true, "DE": true,
	"DK": true, "EE": true, "ES": true, "FI": true, "FR": true, "GR": true,
	"HR": true, "HU": true, "IE": true, "IT": true, "LT": true, "LU": true,
	"LV": true, "MT": true, "NL": true, "PL": true, "PT": true, "RO": true,
	"SE": true, "SI": true, "SK": true,
}

// IsEU reports whether the alpha-2 country code is a member of the European
// Union.
func IsEU(code string) bool { return euMembers[strings.ToUpper(code)] }

// Countries returns every ISO 3166-1 country, ordered by code, enabled, with
// English and Russian names. The list is derived at run time from the CLDR
// data in golang.org/x/text: every two-letter region that CLDR marks as a
// country, keeping only those that are current ISO 3166-1 entries. It drops
// user-assigned codes (XK for Kosovo), deprecated codes that CLDR maps to a
// successor (DD → DE), exceptional reservations with no numeric code (AC, CP,
// DG, EA, IC, TA), and formerly used codes that CLDR no longer names (AN, CS,
// SU, YU). The result has 249 entries.
func Countries() []Country {
	en := display.English.Regions()
	ru := display.Russian.Regions()
	var out []Country
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.IsPrivateUse() || r.Canonicalize() != r {
				continue
			}
			iso3 := r.ISO3()
			if r.M49() <= 0 || iso3 == "ZZZ" || len(iso3) != 3 {
				continue
			}
			enName, ruName := en.Name(r), ru.Name(r)
			if enName == "" {
				continue
			}
			name := Text{"en": enName}
			if ruName != "" {
				name["ru"] = ruName
			}
			out = append(out, Country{
				Code:    code,
				Alpha3:  iso3,
				Numeric: fmt.Sprintf("%03d", r.M49()),
				Name:    name,
				EU:      euMembers[code],
				Enabled: true,
			})
		}
	}
	return out
}

// normalizeCountryCode upper-cases and checks an alpha-2 code.
func normalizeCountryCode(field, code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if len(c) != 2 || !isUpperAlpha(c) {
		return "", billkit.InvalidField(field, "country.code_malformed", fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code", code))
	}
	return c, nil
}

func isUpperAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// ListCountries lists countries ordered by code.
func (s *Service) ListCountries(ctx context.Context, f CountryFilter) (billkit.Page[Country], error) {
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Country]{}, err
	}
	f.Query = strings.TrimSpace(f.Query)
	return s.store.ListCountries(ctx, f)
}

// GetCountry returns the country with the alpha-2 code, in any case.
func (s *Service) GetCountry(ctx context.Context, code string) (*Country, error) {
	c, err := normalizeCountryCode("code", code)
	if err != nil {
		return nil, err
	}
	return s.store.GetCountry(ctx, c)
}

// UpdateCountry renames, enables or disables a country. A given Name replaces
// the whole name, so a translation can be removed; it must keep at least one.
func (s *Service) UpdateCountry(ctx context.Context, actor billkit.Actor, code string, p UpdateCountryParams) (*Country, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	c, err := normalizeCountryCode("code", code)
	v.Merge("", err)
	name := p.Name.Normalize()
	if p.Name != nil {
		v.Merge("name", p.Name.ValidateRequired())
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *Country
	err = s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetCountry(ctx, c)
		if err != nil {
			return err
		}
		before := *cur
		if p.Name != nil {
			cur.Name = name
		}
		if p.Enabled != nil {
			cur.Enabled = *p.Enabled
		}
		cur.UpdatedAt = s.now()
		if err := tx.UpdateCountry(ctx, cur); err != nil {
			return err
		}
		if err := s.record(ctx, tx, actor, "country", "update", cur.Code, before, cur); err != nil {
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

// ListSubdivisions lists subdivisions ordered by code.
func (s *Service) ListSubdivisions(ctx context.Context, f SubdivisionFilter) (billkit.Page[Subdivision], error) {
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	if f.Country != "" {
		c, err := normalizeCountryCode("country", f.Country)
		v.Merge("", err)
		f.Country = c
	}
	if err := v.Err(); err != nil {
		return billkit.Page[Subdivision]{}, err
	}
	return s.store.ListSubdivisions(ctx, f)
}

// GetSubdivision returns the subdivision with the ISO 3166-2 code ("US-CA"),
// in any case.
func (s *Service) GetSubdivision(ctx context.Context, code string) (*Subdivision, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if !validSubdivisionCode(c) {
		return nil, billkit.InvalidField("code", "subdivision.code_malformed", fmt.Sprintf("%q is not an ISO 3166-2 code", code))
	}
	return s.store.GetSubdivision(ctx, c)
}

// validSubdivisionCode checks the ISO 3166-2 form: the alpha-2 country code,
// a hyphen, and one to three letters or digits.
func validSubdivisionCode(c string) bool {
	if len(c) < 4 || len(c) > 6 || c[2] != '-' || !isUpperAlpha(c[:2]) {
		return false
	}
	for i := 3; i < len(c); i++ {
		if !(c[i] >= 'A' && c[i] <= 'Z' || c[i] >= '0' && c[i] <= '9') {
			return false
		}
	}
	return true
}
