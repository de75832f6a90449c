package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

func (sn *snapshot) groupDoc(g *TariffGroup) TariffGroupDoc {
	d := TariffGroupDoc{Code: g.Code, Name: g.Name, DisplayOrder: g.DisplayOrder, ChangeWithinGroup: g.ChangeWithinGroup}
	for _, id := range g.ChangeToGroups {
		d.ChangeToGroups = append(d.ChangeToGroups, sn.groupCode(id))
	}
	return d
}

func (g *TariffGroup) created() time.Time { return g.CreatedAt }

// buildGroup checks d and returns the group over old. Groups it may change
// to are resolved by code in sn (which holds the document's new groups when
// a whole catalog is applied).
func (sn *snapshot) buildGroup(v *billkit.FieldErrors, prefix string, d TariffGroupDoc, old *TariffGroup, now time.Time) *TariffGroup {
	var w billkit.FieldErrors
	g := &TariffGroup{
		ProviderID:        sn.provider,
		Code:              strings.TrimSpace(d.Code),
		Name:              checkLocalized(&w, "name", d.Name, 200, true),
		DisplayOrder:      d.DisplayOrder,
		ChangeWithinGroup: d.ChangeWithinGroup,
		ChangeToGroups:    []TariffGroupID{},
	}
	checkCode(&w, "code", g.Code)
	if old == nil {
		g.ID = billkit.NewID[TariffGroup]()
	} else {
		g.ID = old.ID
	}
	seen := map[string]bool{}
	for i, code := range d.ChangeToGroups {
		f := fmt.Sprintf("change_to_groups[%d]", i)
		to, ok := sn.groups[code]
		if !w.Check(ok, f, ReasonReferenceUnknown, fmt.Sprintf("%q is not a tariff group", code)) || seen[code] {
			continue
		}
		seen[code] = true
		if to.ID == g.ID || code == g.Code {
			w.Add(f, "catalog.group_self", "use change_within_group for changes within the group")
			continue
		}
		g.ChangeToGroups = append(g.ChangeToGroups, to.ID)
	}
	v.Merge(prefix, w.Err())
	g.CreatedAt, g.UpdatedAt = stamp(createdOf(old), old == nil, now)
	return g
}

// CreateTariffGroup adds a tariff group. It needs catalog:create.
func (s *Service) CreateTariffGroup(ctx context.Context, actor billkit.Actor, provider billkit.ProviderID, d TariffGroupDoc) (*TariffGroup, error) {
	var v billkit.FieldErrors
	checkProvider(&v, provider)
	if err := s.begin(ctx, actor, billkit.OpCreate, &v, nil, nil); err != nil {
		return nil, err
	}
	var out *TariffGroup
	err := s.write(ctx, provider, func(tx Store, sn *snapshot) error {
		now := s.now()
		g := sn.buildGroup(&v, "", d, nil, now)
		if err := v.Err(); err != nil {
			return err
		}
		if _, ok := sn.groups[g.Code]; ok {
			return exists("tariff_group", g.Code)
		}
		out = g
		_, err := save(ctx, tx, actor, now, ObjectTariffGroup, g.ID.String(), nil, g, false, tx.InsertTariffGroup, tx.UpdateTariffGroup)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetTariffGroup returns a tariff group. It needs catalog:read.
func (s *Service) GetTariffGroup(ctx context.Context, actor billkit.Actor, id TariffGroupID) (*TariffGroup, error) {
	if err := read(actor); err != nil {
		return nil, err
	}
	return s.store.GetTariffGroup(ctx, id)
}

// ListTariffGroups lists groups by display order and code. It needs
// catalog:read.
func (s *Service) ListTariffGroups(ctx context.Context, actor billkit.Actor, f TariffGroupFilter) (billkit.Page[TariffGroup], error) {
	if err := read(actor); err != nil {
		return billkit.Page[TariffGroup]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[TariffGroup]{}, err
	}
	return s.store.ListTariffGroups(ctx, f)
}

// UpdateTariffGroup replaces the group's fields with d's. It needs
// catalog:edit.
func (s *Service) UpdateTariffGroup(ctx context.Context, actor billkit.Actor, id TariffGroupID, d TariffGroupDoc) (*TariffGroup, error) {
	var v billkit.FieldErrors
	if err := s.begin(ctx, actor, billkit.OpEdit, &v, nil, nil); err != nil {
		return nil, err
	}
	cur, err := s.store.GetTariffGroup(ctx, id)
	if err != nil {
		return nil, err
	}
	var out *TariffGroup
	err = s.write(ctx, cur.ProviderID, func(tx Store, sn *snapshot) error {
		old, ok := sn.groupByID[id]
		if !ok {
			return billkit.NotFound("tariff_group", id)
		}
		now := s.now()
		g := sn.buildGroup(&v, "", d, old, now)
		if o, ok := sn.groups[g.Code]; ok && o.ID != id {
			codeTaken(&v, "code", "tariff_group", g.Code, true)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if sameJSON(sn.groupDoc(old), sn.groupDoc(g)) {
			out = old
			return nil
		}
		out = g
		_, err := save(ctx, tx, actor, now, ObjectTariffGroup, g.ID.String(), old, g, false, tx.InsertTariffGroup, tx.UpdateTariffGroup)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteTariffGroup deletes a group that holds no tariff and that no other
// group allows changes to (failed_precondition catalog.tariff_group_in_use
// otherwise). It needs catalog:delete.
func (s *Service) DeleteTariffGroup(ctx context.Context, actor billkit.Actor, id TariffGroupID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := authorize(actor, billkit.OpDelete); err != nil {
		return err
	}
	cur, err := s.store.GetTariffGroup(ctx, id)
	if err != nil {
		return err
	}
	return s.write(ctx, cur.ProviderID, func(tx Store, sn *snapshot) error {
		var users []string
		for _, code := range sn.tariffOrder {
			if sn.tariffs[code].GroupID == id {
				users = append(users, "tariff "+code)
			}
		}
		for _, code := range sn.groupOrder {
			for _, to := range sn.groups[code].ChangeToGroups {
				if to == id {
					users = append(users, "tariff group "+code)
				}
			}
		}
		if len(users) > 0 {
			return inUse("tariff_group", cur.Code, users)
		}
		if err := tx.DeleteTariffGroup(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectTariffGroup, "delete", id.String(), cur, nil)
	})
}

// CheckTariffChange checks that a service may move from tariff from to
// tariff to under the tariff groups' rules (see CheckChange). It needs
// catalog:read.
func (s *Service) CheckTariffChange(ctx context.Context, actor billkit.Actor, from, to TariffID) error {
	if err := read(actor); err != nil {
		return err
	}
	f, err := s.store.GetTariff(ctx, from)
	if err != nil {
		return err
	}
	t, err := s.store.GetTariff(ctx, to)
	if err != nil {
		return err
	}
	var g *TariffGroup
	if !f.GroupID.IsZero() {
		if g, err = s.store.GetTariffGroup(ctx, f.GroupID); err != nil {
			return err
		}
	}
	return CheckChange(*f, *t, g)
}
