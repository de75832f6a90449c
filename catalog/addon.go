package catalog

import (
	"context"

	"github.com/billkit/billkit"
)

// SetAddon adds the addon to the tariff, or replaces the tariff's addon
// with the same code. Errors name the addon's fields as
// "addons[<index>].<field>". It needs catalog:edit.
func (s *Service) SetAddon(ctx context.Context, actor billkit.Actor, tariff TariffID, a Addon) (*Tariff, error) {
	var v billkit.FieldErrors
	cs, us := addonRefs("addons", []Addon{a})
	if err := s.begin(ctx, actor, billkit.OpEdit, &v, cs, us); err != nil {
		return nil, err
	}
	return s.updateTariff(ctx, actor, tariff, &v, func(sn *snapshot, old *Tariff) TariffDoc {
		d := sn.tariffDoc(old)
		d.Addons = append([]Addon{}, d.Addons...)
		for i := range d.Addons {
			if d.Addons[i].Code == a.Code {
				d.Addons[i] = a
				return d
			}
		}
		d.Addons = append(d.Addons, a)
		return d
	})
}

// RemoveAddon removes the tariff's addon with the code (not_found
// "addon.not_found" when it has none). It needs catalog:edit.
func (s *Service) RemoveAddon(ctx context.Context, actor billkit.Actor, tariff TariffID, code string) (*Tariff, error) {
	var v billkit.FieldErrors
	if err := s.begin(ctx, actor, billkit.OpEdit, &v, nil, nil); err != nil {
		return nil, err
	}
	var missing error
	t, err := s.updateTariff(ctx, actor, tariff, &v, func(sn *snapshot, old *Tariff) TariffDoc {
		d := sn.tariffDoc(old)
		d.Addons = nil
		for _, a := range old.Addons {
			if a.Code != code {
				d.Addons = append(d.Addons, a)
			}
		}
		if len(d.Addons) == len(old.Addons) {
			missing = billkit.NotFound("addon", code)
			v.Merge("addon", missing)
		}
		return d
	})
	if missing != nil {
		return nil, missing
	}
	return t, err
}
