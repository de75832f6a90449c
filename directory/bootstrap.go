package directory

import (
	"context"
	"fmt"
	"strings"

	"github.com/billkit/billkit"
)

// SeedResult counts what one Seed call inserted.
type SeedResult struct {
	Countries    int `json:"countries"`
	Subdivisions int `json:"subdivisions"`
	Currencies   int `json:"currencies"`
	Units        int `json:"units"`
	Locales      int `json:"locales"`
}

// Total is the sum of the counts.
func (r SeedResult) Total() int {
	return r.Countries + r.Subdivisions + r.Currencies + r.Units + r.Locales
}

// Bootstrap seeds the reference data that is missing: countries, subdivisions,
// ISO currencies, units and locales. It is idempotent and never overwrites what
// staff changed. It runs in one transaction, and records one summary action
// ("directory.seed.create") when it inserted anything. It needs
// directory:create.
func (s *Service) Bootstrap(ctx context.Context, actor billkit.Actor) error {
	_, err := s.Seed(ctx, actor)
	return err
}

// Seed is Bootstrap that reports how many rows of each kind it inserted; a
// second run inserts none. Currencies named in Config.EnabledCurrencies and
// locales named in Config.EnabledLocales are enabled when first inserted;
// rows that exist are left exactly as they are. When a default locale exists
// already, newly seeded locales are never made the default, so there is
// always exactly one.
func (s *Service) Seed(ctx context.Context, actor billkit.Actor) (SeedResult, error) {
	if err := actor.Validate(); err != nil {
		return SeedResult{}, err
	}
	var v billkit.FieldErrors
	enabledCur := map[string]bool{}
	for i, code := range s.cfg.EnabledCurrencies {
		c := strings.ToUpper(strings.TrimSpace(code))
		if !IsISOCurrency(c) {
			v.Add(fmt.Sprintf("config.enabled_currencies[%d]", i), "currency.not_iso", fmt.Sprintf("%q is not an ISO 4217 currency", code))
			continue
		}
		enabledCur[c] = true
	}
	locales, err := DefaultLocales(s.cfg.EnabledLocales)
	v.Merge("config", err)
	if err := v.Err(); err != nil {
		return SeedResult{}, err
	}
	if err := actor.Authorize(billkit.R(Function, billkit.OpCreate)); err != nil {
		return SeedResult{}, err
	}

	now := s.now()
	countries := Countries()
	for i := range countries {
		countries[i].UpdatedAt = now
	}
	currencies := ISOCurrencies()
	for i := range currencies {
		currencies[i].Enabled = enabledCur[currencies[i].Code]
		currencies[i].CreatedAt, currencies[i].UpdatedAt = now, now
	}
	units := DefaultUnits()
	for i := range units {
		units[i].CreatedAt, units[i].UpdatedAt = now, now
	}
	for i := range locales {
		locales[i].CreatedAt, locales[i].UpdatedAt = now, now
	}
	subdivisions := Subdivisions()

	var res SeedResult
	err = s.store.InTx(ctx, func(tx Store) error {
		res = SeedResult{}
		var err error
		if res.Countries, err = tx.SeedCountries(ctx, countries); err != nil {
			return err
		}
		if res.Subdivisions, err = tx.SeedSubdivisions(ctx, subdivisions); err != nil {
			return err
		}
		if res.Currencies, err = tx.SeedCurrencies(ctx, currencies); err != nil {
			return err
		}
		if res.Units, err = tx.SeedUnits(ctx, units); err != nil {
			return err
		}
		hasDefault, err := hasDefaultLocale(ctx, tx)
		if err != nil {
			return err
		}
		if hasDefault {
			for i := range locales {
				locales[i].Default = false
			}
		}
		if res.Locales, err = tx.SeedLocales(ctx, locales); err != nil {
			return err
		}
		if res.Total() == 0 {
			return nil // nothing changed, nothing to record
		}
		// One summary action: the seeded rows are billkit's own data.
		return s.record(ctx, tx, actor, "seed", "create", "", nil, res)
	})
	if err != nil {
		return SeedResult{}, err
	}
	return res, nil
}

// hasDefaultLocale reports whether some stored locale is the default.
func hasDefaultLocale(ctx context.Context, st Store) (bool, error) {
	page := billkit.PageParams{Limit: billkit.MaxPageLimit}
	for {
		res, err := st.ListLocales(ctx, LocaleFilter{PageParams: page})
		if err != nil {
			return false, err
		}
		for _, l := range res.Items {
			if l.Default {
				return true, nil
			}
		}
		if res.NextCursor == "" {
			return false, nil
		}
		page.Cursor = res.NextCursor
	}
}
