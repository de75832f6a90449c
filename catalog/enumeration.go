package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

func enumerationDoc(e *Enumeration) EnumerationDoc {
	return EnumerationDoc{Code: e.Code, Name: e.Name, Values: e.Values}
}

func (e *Enumeration) created() time.Time { return e.CreatedAt }

// buildEnumeration checks d and returns the enumeration over old.
func buildEnumeration(v *billkit.FieldErrors, prefix string, provider billkit.ProviderID, d EnumerationDoc, old *Enumeration, now time.Time) *Enumeration {
	var w billkit.FieldErrors
	e := &Enumeration{
		ProviderID: provider,
		Code:       strings.TrimSpace(d.Code),
		Name:       checkLocalized(&w, "name", d.Name, 200, true),
		Values:     make([]EnumValue, 0, len(d.Values)),
	}
	checkCode(&w, "code", e.Code)
	w.Check(len(d.Values) > 0, "values", ReasonEnumNoValues, "needs at least one value")
	seen := map[string]bool{}
	for i, val := range d.Values {
		f := fmt.Sprintf("values[%d]", i)
		val.Code = strings.TrimSpace(val.Code)
		checkCode(&w, f+".code", val.Code)
		w.Check(!seen[val.Code], f+".code", ReasonCodeDuplicate, "is used by another value")
		seen[val.Code] = true
		val.Name = checkLocalized(&w, f+".name", val.Name, 200, true)
		e.Values = append(e.Values, val)
	}
	v.Merge(prefix, w.Err())
	if old == nil {
		e.ID = billkit.NewID[Enumeration]()
	} else {
		e.ID = old.ID
	}
	e.CreatedAt, e.UpdatedAt = stamp(createdOf(old), old == nil, now)
	return e
}

// checkEnumUsers checks that the values the tariffs' enum addons offer are
// still values of e.
func checkEnumUsers(v *billkit.FieldErrors, prefix string, sn *snapshot, e *Enumeration) {
	for _, code := range sn.tariffOrder {
		t := sn.tariffs[code]
		for _, a := range t.Addons {
			if a.BillingType != BillingEnum || a.Enumeration != e.Code {
				continue
			}
			for _, o := range a.Options {
				if _, ok := e.Value(o.Value); !ok {
					v.Add(join(prefix, "values"), ReasonValueUnknown,
						fmt.Sprintf("value %q is offered by addon %s of tariff %s", o.Value, a.Code, t.Code))
				}
			}
		}
	}
}

// CreateEnumeration adds an enumeration. It needs catalog:create.
func (s *Service) CreateEnumeration(ctx context.Context, actor billkit.Actor, provider billkit.ProviderID, d EnumerationDoc) (*Enumeration, error) {
	var v billkit.FieldErrors
	checkProvider(&v, provider)
	if err := s.begin(ctx, actor, billkit.OpCreate, &v, nil, nil); err != nil {
		return nil, err
	}
	var out *Enumeration
	err := s.write(ctx, provider, func(tx Store, sn *snapshot) error {
		now := s.now()
		e := buildEnumeration(&v, "", provider, d, nil, now)
		if err := v.Err(); err != nil {
			return err
		}
		if _, ok := sn.enums[e.Code]; ok {
			return exists("enumeration", e.Code)
		}
		out = e
		_, err := save(ctx, tx, actor, now, ObjectEnumeration, e.ID.String(), nil, e, false, tx.InsertEnumeration, tx.UpdateEnumeration)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetEnumeration returns an enumeration. It needs catalog:read.
func (s *Service) GetEnumeration(ctx context.Context, actor billkit.Actor, id EnumerationID) (*Enumeration, error) {
	if err := read(actor); err != nil {
		return nil, err
	}
	return s.store.GetEnumeration(ctx, id)
}

// ListEnumerations lists enumerations by code. It needs catalog:read.
func (s *Service) ListEnumerations(ctx context.Context, actor billkit.Actor, f EnumerationFilter) (billkit.Page[Enumeration], error) {
	if err := read(actor); err != nil {
		return billkit.Page[Enumeration]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Enumeration]{}, err
	}
	return s.store.ListEnumerations(ctx, f)
}

// UpdateEnumeration replaces the enumeration's fields with d's. Its code
// cannot change while addons use it, nor can a value an addon offers go.
// It needs catalog:edit.
func (s *Service) UpdateEnumeration(ctx context.Context, actor billkit.Actor, id EnumerationID, d EnumerationDoc) (*Enumeration, error) {
	var v billkit.FieldErrors
	if err := s.begin(ctx, actor, billkit.OpEdit, &v, nil, nil); err != nil {
		return nil, err
	}
	cur, err := s.store.GetEnumeration(ctx, id)
	if err != nil {
		return nil, err
	}
	var out *Enumeration
	err = s.write(ctx, cur.ProviderID, func(tx Store, sn *snapshot) error {
		old, ok := sn.enums[cur.Code]
		if !ok || old.ID != id {
			return billkit.NotFound("enumeration", id)
		}
		now := s.now()
		e := buildEnumeration(&v, "", old.ProviderID, d, old, now)
		if e.Code != old.Code {
			if _, taken := sn.enums[e.Code]; taken {
				codeTaken(&v, "code", "enumeration", e.Code, true)
			}
			if users := enumUsers(sn, old.Code); len(users) > 0 {
				v.Add("code", "catalog.enumeration_in_use", "cannot change while "+strings.Join(users, ", ")+" use it")
			}
		}
		checkEnumUsers(&v, "", sn, e)
		if err := v.Err(); err != nil {
			return err
		}
		if sameJSON(enumerationDoc(old), enumerationDoc(e)) {
			out = old
			return nil
		}
		out = e
		_, err := save(ctx, tx, actor, now, ObjectEnumeration, e.ID.String(), old, e, false, tx.InsertEnumeration, tx.UpdateEnumeration)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// enumUsers names the tariffs whose addons use the enumeration.
func enumUsers(sn *snapshot, code string) []string {
	var users []string
	for _, tc := range sn.tariffOrder {
		for _, a := range sn.tariffs[tc].Addons {
			if a.BillingType == BillingEnum && a.Enumeration == code {
				users = append(users, "tariff "+tc)
				break
			}
		}
	}
	return users
}

// DeleteEnumeration deletes an enumeration no addon uses
// (failed_precondition catalog.enumeration_in_use otherwise). It needs
// catalog:delete.
func (s *Service) DeleteEnumeration(ctx context.Context, actor billkit.Actor, id EnumerationID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := authorize(actor, billkit.OpDelete); err != nil {
		return err
	}
	cur, err := s.store.GetEnumeration(ctx, id)
	if err != nil {
		return err
	}
	return s.write(ctx, cur.ProviderID, func(tx Store, sn *snapshot) error {
		if users := enumUsers(sn, cur.Code); len(users) > 0 {
			return inUse("enumeration", cur.Code, users)
		}
		if err := tx.DeleteEnumeration(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectEnumeration, "delete", id.String(), cur, nil)
	})
}
