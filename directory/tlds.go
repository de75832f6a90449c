package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/billkit/billkit"
	"golang.org/x/net/idna"
)

// Registration periods of a TLD, in years.
const (
	DefaultMinYears = 1
	DefaultMaxYears = 10
)

// NormalizeTLD returns the Unicode and ASCII (punycode) forms of a TLD given
// in either form, in any case, with or without a leading dot: ".РФ",
// "xn--p1ai" and "рф" all give ("рф", "xn--p1ai"). Several labels ("co.uk")
// are allowed. It uses the IDNA lookup profile (UTS #46 mapping, STD3 rules,
// hyphen checks) and DNS length limits, and returns an invalid error naming
// field "name" for anything else.
func NormalizeTLD(name string) (unicode, ascii string, err error) {
	s := strings.TrimSpace(name)
	s = strings.TrimPrefix(s, ".")
	bad := func(why string) (string, string, error) {
		return "", "", billkit.InvalidField("name", "tld.name_invalid", fmt.Sprintf("%q is not a domain suffix: %s", name, why))
	}
	if s == "" {
		if strings.TrimSpace(name) == "" {
			return "", "", billkit.InvalidField("name", "required", "is required")
		}
		return bad("it is empty")
	}
	a, err := idna.Lookup.ToASCII(s)
	if err != nil {
		return bad(err.Error())
	}
	a = strings.ToLower(a)
	if len(a) > 253 {
		return bad("it is longer than 253 characters")
	}
	for _, label := range strings.Split(a, ".") {
		if label == "" {
			return bad("it has an empty label")
		}
		if len(label) > 63 {
			return bad("a label is longer than 63 characters")
		}
	}
	u, err := idna.Lookup.ToUnicode(a)
	if err != nil {
		return bad(err.Error())
	}
	return u, a, nil
}

// validYears checks 1 ≤ min ≤ max ≤ 10.
func validYears(v *billkit.FieldErrors, minY, maxY int) {
	okMin := v.Check(minY >= DefaultMinYears && minY <= DefaultMaxYears, "min_years", "tld.years_out_of_range",
		fmt.Sprintf("must be between %d and %d", DefaultMinYears, DefaultMaxYears))
	okMax := v.Check(maxY >= DefaultMinYears && maxY <= DefaultMaxYears, "max_years", "tld.years_out_of_range",
		fmt.Sprintf("must be between %d and %d", DefaultMinYears, DefaultMaxYears))
	if okMin && okMax {
		v.Check(minY <= maxY, "max_years", "tld.years_reversed", "must not be less than min_years")
	}
}

// ListTLDs lists TLDs ordered by name.
func (s *Service) ListTLDs(ctx context.Context, f TLDFilter) (billkit.Page[TLD], error) {
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[TLD]{}, err
	}
	f.Query = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(f.Query), "."))
	return s.store.ListTLDs(ctx, f)
}

// GetTLD accepts the Unicode or the ASCII (punycode) name, with or without a
// leading dot.
func (s *Service) GetTLD(ctx context.Context, name string) (*TLD, error) {
	u, _, err := NormalizeTLD(name)
	if err != nil {
		return nil, err
	}
	return s.store.GetTLD(ctx, u)
}

// CreateTLD adds a TLD that can be sold. A TLD that exists, in either form,
// gives a conflict.
func (s *Service) CreateTLD(ctx context.Context, actor billkit.Actor, p CreateTLDParams) (*TLD, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	u, a, err := NormalizeTLD(p.Name)
	v.Merge("", err)
	minY, maxY := p.MinYears, p.MaxYears
	if minY == 0 {
		minY = DefaultMinYears
	}
	if maxY == 0 {
		maxY = DefaultMaxYears
	}
	validYears(&v, minY, maxY)
	registrar := strings.TrimSpace(p.Registrar)
	v.Check(len(registrar) <= 64, "registrar", "tld.registrar_too_long", "must be at most 64 bytes")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpCreate)); err != nil {
		return nil, err
	}
	now := s.now()
	t := &TLD{
		Name:      u,
		ASCII:     a,
		MinYears:  minY,
		MaxYears:  maxY,
		Registrar: registrar,
		Enabled:   p.Enabled,
		CreatedAt: now,
		UpdatedAt: now,
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertTLD(ctx, t); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "tld", "create", t.Name, nil, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// UpdateTLD changes a TLD's registration periods, registrar or whether it is
// enabled. The resulting periods must still satisfy 1 ≤ min ≤ max ≤ 10.
func (s *Service) UpdateTLD(ctx context.Context, actor billkit.Actor, name string, p UpdateTLDParams) (*TLD, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	u, _, err := NormalizeTLD(name)
	v.Merge("", err)
	if p.MinYears != nil {
		v.Check(*p.MinYears >= DefaultMinYears && *p.MinYears <= DefaultMaxYears, "min_years", "tld.years_out_of_range",
			fmt.Sprintf("must be between %d and %d", DefaultMinYears, DefaultMaxYears))
	}
	if p.MaxYears != nil {
		v.Check(*p.MaxYears >= DefaultMinYears && *p.MaxYears <= DefaultMaxYears, "max_years", "tld.years_out_of_range",
			fmt.Sprintf("must be between %d and %d", DefaultMinYears, DefaultMaxYears))
	}
	if p.Registrar != nil {
		v.Check(len(strings.TrimSpace(*p.Registrar)) <= 64, "registrar", "tld.registrar_too_long", "must be at most 64 bytes")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *TLD
	err = s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetTLD(ctx, u)
		if err != nil {
			return err
		}
		before := *cur
		if p.MinYears != nil {
			cur.MinYears = *p.MinYears
		}
		if p.MaxYears != nil {
			cur.MaxYears = *p.MaxYears
		}
		var yv billkit.FieldErrors
		validYears(&yv, cur.MinYears, cur.MaxYears)
		if err := yv.Err(); err != nil {
			return err
		}
		if p.Registrar != nil {
			cur.Registrar = strings.TrimSpace(*p.Registrar)
		}
		if p.Enabled != nil {
			cur.Enabled = *p.Enabled
		}
		cur.UpdatedAt = s.now()
		if err := tx.UpdateTLD(ctx, cur); err != nil {
			return err
		}
		if err := s.record(ctx, tx, actor, "tld", "update", cur.Name, before, cur); err != nil {
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
