package directory

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// seedLocales are the languages Bootstrap offers, disabled unless
// Config.EnabledLocales names them.
var seedLocales = []string{"en", "ru", "de", "fr", "es", "it", "pt", "uk", "kk", "tr", "zh", "pl", "ja"}

// localeNames returns the name of the language in itself, with its first
// letter capitalized as a menu shows it ("русский" → "Русский"), and its
// English name, both from CLDR. ok is false when CLDR does not know the tag.
func localeNames(tag language.Tag) (self, english string, ok bool) {
	self = display.Self.Name(tag)
	english = display.English.Tags().Name(tag)
	if self == "" || english == "" {
		return "", "", false
	}
	r, n := utf8.DecodeRuneInString(self)
	self = string(unicode.ToUpper(r)) + self[n:]
	return self, english, true
}

// normalizeLocaleCode parses a BCP 47 tag into its canonical form.
func normalizeLocaleCode(field, code string) (language.Tag, string, error) {
	c := strings.TrimSpace(code)
	if c == "" {
		return language.Tag{}, "", billkit.InvalidField(field, "required", "is required")
	}
	tag, err := language.Parse(c)
	if err != nil || tag.IsRoot() {
		return language.Tag{}, "", billkit.InvalidField(field, "locale.code_malformed", fmt.Sprintf("%q is not a BCP 47 language tag", code))
	}
	return tag, tag.String(), nil
}

// DefaultLocales returns the locales Bootstrap seeds: en, ru and a handful of
// other languages, with CLDR names. Those in enabled are enabled, and the
// first of enabled is the default (en when enabled is empty). Codes in enabled
// that are not in the handful are added.
func DefaultLocales(enabled []string) ([]Locale, error) {
	if len(enabled) == 0 {
		enabled = DefaultEnabledLocales
	}
	var v billkit.FieldErrors
	on := map[string]bool{}
	var order []string
	def := ""
	for i, code := range enabled {
		_, c, err := normalizeLocaleCode(fmt.Sprintf("enabled_locales[%d]", i), code)
		if !v.Merge("", err) {
			continue
		}
		if def == "" {
			def = c
		}
		if !on[c] {
			on[c] = true
			order = append(order, c)
		}
	}
	for _, c := range seedLocales {
		if !on[c] {
			order = append(order, c)
		}
	}
	out := make([]Locale, 0, len(order))
	for i, c := range order {
		tag := language.Make(c)
		self, english, ok := localeNames(tag)
		if !ok {
			v.Add(fmt.Sprintf("enabled_locales[%d]", i), "locale.unknown", fmt.Sprintf("no language names are known for %q", c))
			continue
		}
		out = append(out, Locale{Code: c, Name: self, EnglishName: english, Enabled: on[c], Default: c == def})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ListLocales lists locales ordered by code.
func (s *Service) ListLocales(ctx context.Context, f LocaleFilter) (billkit.Page[Locale], error) {
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Locale]{}, err
	}
	return s.store.ListLocales(ctx, f)
}

// GetLocale returns the locale with the tag, in any spelling ("pt-br").
func (s *Service) GetLocale(ctx context.Context, code string) (*Locale, error) {
	_, c, err := normalizeLocaleCode("code", code)
	if err != nil {
		return nil, err
	}
	return s.store.GetLocale(ctx, c)
}

// CreateLocale adds a language with the names CLDR gives it. A tag CLDR has
// no name for is refused, since people could not pick it from a menu.
func (s *Service) CreateLocale(ctx context.Context, actor billkit.Actor, p CreateLocaleParams) (*Locale, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	tag, c, err := normalizeLocaleCode("code", p.Code)
	if err != nil {
		return nil, err
	}
	self, english, ok := localeNames(tag)
	if !ok {
		return nil, billkit.InvalidField("code", "locale.unknown", fmt.Sprintf("no language names are known for %q", c))
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpCreate)); err != nil {
		return nil, err
	}
	now := s.now()
	l := &Locale{Code: c, Name: self, EnglishName: english, Enabled: p.Enabled, CreatedAt: now, UpdatedAt: now}
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertLocale(ctx, l); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "locale", "create", l.Code, nil, l)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// UpdateLocale enables or disables a locale, or makes it the default. The
// default must be enabled and cannot be disabled or un-defaulted directly:
// make another locale the default instead, which clears the old one in the
// same transaction.
func (s *Service) UpdateLocale(ctx context.Context, actor billkit.Actor, code string, p UpdateLocaleParams) (*Locale, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	_, c, err := normalizeLocaleCode("code", code)
	if err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *Locale
	err = s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetLocale(ctx, c)
		if err != nil {
			return err
		}
		before := *cur
		enabled := cur.Enabled
		if p.Enabled != nil {
			enabled = *p.Enabled
		}
		makeDefault := p.Default != nil && *p.Default
		var v billkit.FieldErrors
		if cur.Default {
			v.Check(enabled, "enabled", "locale.default_disable", "the default locale cannot be disabled; make another locale the default first")
			v.Check(p.Default == nil || *p.Default, "default", "locale.default_required", "make another locale the default instead")
		} else if makeDefault {
			v.Check(enabled, "default", "locale.default_disabled", "a disabled locale cannot be the default; enable it too")
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := s.now()
		if makeDefault && !cur.Default {
			if err := s.clearDefaultLocale(ctx, tx, actor, c, now); err != nil {
				return err
			}
			cur.Default = true
		}
		cur.Enabled = enabled
		cur.UpdatedAt = now
		if err := tx.UpdateLocale(ctx, cur); err != nil {
			return err
		}
		if err := s.record(ctx, tx, actor, "locale", "update", cur.Code, before, cur); err != nil {
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

// clearDefaultLocale removes the default flag from every locale but keep,
// and records each change.
func (s *Service) clearDefaultLocale(ctx context.Context, tx Store, actor billkit.Actor, keep string, now time.Time) error {
	page := billkit.PageParams{Limit: billkit.MaxPageLimit}
	for {
		res, err := tx.ListLocales(ctx, LocaleFilter{PageParams: page})
		if err != nil {
			return err
		}
		for i := range res.Items {
			l := res.Items[i]
			if l.Default && l.Code != keep {
				before := l
				l.Default = false
				l.UpdatedAt = now
				if err := tx.UpdateLocale(ctx, &l); err != nil {
					return err
				}
				if err := s.record(ctx, tx, actor, "locale", "update", l.Code, before, &l); err != nil {
					return err
				}
			}
		}
		if res.NextCursor == "" {
			return nil
		}
		page.Cursor = res.NextCursor
	}
}
