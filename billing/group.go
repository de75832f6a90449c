package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// CreateClientGroupParams creates a client group.
type CreateClientGroupParams struct {
	ProviderID billkit.ProviderID `json:"provider_id"`
	Name       string             `json:"name"`
	Settings   Settings           `json:"settings,omitempty"`
}

// UpdateClientGroupParams changes a group; nil fields stay, and Settings,
// when not nil, replace the group's overrides whole.
type UpdateClientGroupParams struct {
	Name     *string  `json:"name,omitempty"`
	Settings Settings `json:"settings,omitempty"`
}

// CreateClientGroup creates a group of a provider's clients. It needs
// billing.client_group:create.
func (s *Service) CreateClientGroup(ctx context.Context, actor billkit.Actor, p CreateClientGroupParams) (*ClientGroup, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	g := &ClientGroup{
		ID:         billkit.NewID[ClientGroup](),
		ProviderID: p.ProviderID,
		Name:       text(&v, "name", p.Name, 200, true),
		Settings:   validSettings(&v, "settings", p.Settings),
	}
	v.Check(!p.ProviderID.IsZero(), "provider_id", "required", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionClientGroup, billkit.OpCreate)); err != nil {
		return nil, err
	}
	now := s.now()
	g.CreatedAt, g.UpdatedAt = now, now
	err := s.store.InTx(ctx, func(tx Store) error {
		if _, err := tx.GetProvider(ctx, g.ProviderID); billkit.IsCode(err, billkit.CodeNotFound) {
			return billkit.InvalidField("provider_id", "provider.not_found", "is not a provider")
		} else if err != nil {
			return err
		}
		if err := tx.InsertClientGroup(ctx, g); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionClientGroup, "create", g.ID.String(), billkit.ClientID{}, nil, g)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// GetClientGroup returns a group. It needs billing.client_group:read.
func (s *Service) GetClientGroup(ctx context.Context, actor billkit.Actor, id ClientGroupID) (*ClientGroup, error) {
	return read(actor, FunctionClientGroup, func() (*ClientGroup, error) { return s.store.GetClientGroup(ctx, id) })
}

// ListClientGroups lists groups in creation order. It needs
// billing.client_group:read.
func (s *Service) ListClientGroups(ctx context.Context, actor billkit.Actor, f ClientGroupFilter) (billkit.Page[ClientGroup], error) {
	return readList(actor, FunctionClientGroup, f.PageParams, func() (billkit.Page[ClientGroup], error) { return s.store.ListClientGroups(ctx, f) })
}

// UpdateClientGroup renames a group or replaces its settings overrides. It
// needs billing.client_group:edit.
func (s *Service) UpdateClientGroup(ctx context.Context, actor billkit.Actor, id ClientGroupID, p UpdateClientGroupParams) (*ClientGroup, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var (
		v    billkit.FieldErrors
		name string
	)
	if p.Name != nil {
		name = text(&v, "name", *p.Name, 200, true)
	}
	settings := validSettings(&v, "settings", p.Settings)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionClientGroup, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *ClientGroup
	err := s.store.InTx(ctx, func(tx Store) error {
		g, err := tx.GetClientGroup(ctx, id)
		if err != nil {
			return err
		}
		before := *g
		if p.Name != nil {
			g.Name = name
		}
		if p.Settings != nil {
			g.Settings = settings
		}
		now := s.now()
		g.UpdatedAt = now
		if err := tx.UpdateClientGroup(ctx, g); err != nil {
			return err
		}
		out = g
		return record(ctx, tx, actor, now, FunctionClientGroup, "update", g.ID.String(), billkit.ClientID{}, &before, g)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
