package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// CreateProviderParams creates a provider.
type CreateProviderParams struct {
	Name     string `json:"name"`
	Currency string `json:"currency"`
	// Locale defaults to "en".
	Locale string `json:"locale,omitempty"`
	// TimeZone defaults to "UTC".
	TimeZone string   `json:"time_zone,omitempty"`
	Settings Settings `json:"settings,omitempty"`
}

// UpdateProviderParams changes a provider; nil fields stay. Settings, when
// not nil, replace the provider's settings whole.
type UpdateProviderParams struct {
	Name     *string  `json:"name,omitempty"`
	Currency *string  `json:"currency,omitempty"`
	Locale   *string  `json:"locale,omitempty"`
	TimeZone *string  `json:"time_zone,omitempty"`
	Settings Settings `json:"settings,omitempty"`
}

// CreateProvider creates a provider. It needs the right billing.provider:create.
func (s *Service) CreateProvider(ctx context.Context, actor billkit.Actor, p CreateProviderParams) (*Provider, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	if p.Locale == "" {
		p.Locale = "en"
	}
	pr := &Provider{
		Name:     text(&v, "name", p.Name, 200, true),
		TimeZone: timeZone(&v, "time_zone", p.TimeZone),
		Settings: validSettings(&v, "settings", p.Settings),
	}
	newID(&pr.ID)
	var err error
	if pr.Currency, err = s.currency(ctx, &v, "currency", p.Currency); err != nil {
		return nil, err
	}
	if pr.Locale, err = s.locale(ctx, &v, "locale", p.Locale); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionProvider, billkit.OpCreate)); err != nil {
		return nil, err
	}
	now := s.now()
	pr.CreatedAt, pr.UpdatedAt = now, now
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertProvider(ctx, pr); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionProvider, "create", pr.ID.String(), billkit.ClientID{}, nil, pr)
	})
	if err != nil {
		return nil, err
	}
	return pr, nil
}

// GetProvider returns a provider. It needs billing.provider:read.
func (s *Service) GetProvider(ctx context.Context, actor billkit.Actor, id billkit.ProviderID) (*Provider, error) {
	return read(actor, FunctionProvider, func() (*Provider, error) { return s.store.GetProvider(ctx, id) })
}

// ListProviders lists providers in creation order. It needs
// billing.provider:read.
func (s *Service) ListProviders(ctx context.Context, actor billkit.Actor, f ProviderFilter) (billkit.Page[Provider], error) {
	return readList(actor, FunctionProvider, f.PageParams, func() (billkit.Page[Provider], error) { return s.store.ListProviders(ctx, f) })
}

// UpdateProvider changes a provider. It needs billing.provider:edit. A new
// currency applies to clients created afterwards; existing clients keep
// theirs.
func (s *Service) UpdateProvider(ctx context.Context, actor billkit.Actor, id billkit.ProviderID, p UpdateProviderParams) (*Provider, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var (
		v                    billkit.FieldErrors
		name, cur, loc, zone string
		err                  error
	)
	if p.Name != nil {
		name = text(&v, "name", *p.Name, 200, true)
	}
	if p.TimeZone != nil {
		zone = timeZone(&v, "time_zone", *p.TimeZone)
	}
	settings := validSettings(&v, "settings", p.Settings)
	if p.Currency != nil {
		if cur, err = s.currency(ctx, &v, "currency", *p.Currency); err != nil {
			return nil, err
		}
	}
	if p.Locale != nil {
		if loc, err = s.locale(ctx, &v, "locale", *p.Locale); err != nil {
			return nil, err
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionProvider, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *Provider
	err = s.store.InTx(ctx, func(tx Store) error {
		pr, err := tx.GetProvider(ctx, id)
		if err != nil {
			return err
		}
		before := *pr
		if p.Name != nil {
			pr.Name = name
		}
		if p.Currency != nil {
			pr.Currency = cur
		}
		if p.Locale != nil {
			pr.Locale = loc
		}
		if p.TimeZone != nil {
			pr.TimeZone = zone
		}
		if p.Settings != nil {
			pr.Settings = settings
		}
		now := s.now()
		pr.UpdatedAt = now
		if err := tx.UpdateProvider(ctx, pr); err != nil {
			return err
		}
		out = pr
		return record(ctx, tx, actor, now, FunctionProvider, "update", pr.ID.String(), billkit.ClientID{}, &before, pr)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
