package catalog

import (
	"context"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

func (sn *snapshot) agreementDoc(a *Agreement) AgreementDoc {
	d := AgreementDoc{Code: a.Code, Title: a.Title, Text: a.Text, Version: a.Version}
	for _, id := range a.TariffIDs {
		d.Tariffs = append(d.Tariffs, sn.tariffCode(id))
	}
	return d
}

// sameAgreement compares what a document sets (not Version).
func (sn *snapshot) sameAgreement(a, b *Agreement) bool {
	x, y := sn.agreementDoc(a), sn.agreementDoc(b)
	x.Version, y.Version = 0, 0
	return sameJSON(x, y)
}

func (a *Agreement) created() time.Time { return a.CreatedAt }

// buildAgreement checks d and returns the agreement over old; Version is
// old's, plus one when Text changes.
func (sn *snapshot) buildAgreement(v *billkit.FieldErrors, prefix string, d AgreementDoc, old *Agreement, now time.Time) *Agreement {
	var w billkit.FieldErrors
	a := &Agreement{
		ProviderID: sn.provider,
		Code:       strings.TrimSpace(d.Code),
		Title:      checkLocalized(&w, "title", d.Title, 200, true),
		Text:       checkLocalized(&w, "text", d.Text, 200000, true),
		TariffIDs:  sn.resolveTariffs(&w, "tariffs", d.Tariffs),
		Version:    1,
	}
	checkCode(&w, "code", a.Code)
	v.Merge(prefix, w.Err())
	if old == nil {
		a.ID = billkit.NewID[Agreement]()
	} else {
		a.ID = old.ID
		a.Version = old.Version
		if !sameJSON(old.Text, a.Text) {
			a.Version++
		}
	}
	a.CreatedAt, a.UpdatedAt = stamp(createdOf(old), old == nil, now)
	return a
}

// CreateAgreement adds an agreement, at version 1. It needs catalog:create.
func (s *Service) CreateAgreement(ctx context.Context, actor billkit.Actor, provider billkit.ProviderID, d AgreementDoc) (*Agreement, error) {
	var v billkit.FieldErrors
	checkProvider(&v, provider)
	if err := s.begin(ctx, actor, billkit.OpCreate, &v, nil, nil); err != nil {
		return nil, err
	}
	var out *Agreement
	err := s.write(ctx, provider, func(tx Store, sn *snapshot) error {
		now := s.now()
		a := sn.buildAgreement(&v, "", d, nil, now)
		if err := v.Err(); err != nil {
			return err
		}
		if _, ok := sn.agreements[a.Code]; ok {
			return exists("agreement", a.Code)
		}
		out = a
		_, err := save(ctx, tx, actor, now, ObjectAgreement, a.ID.String(), nil, a, false, tx.InsertAgreement, tx.UpdateAgreement)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetAgreement returns an agreement. It needs catalog:read.
func (s *Service) GetAgreement(ctx context.Context, actor billkit.Actor, id AgreementID) (*Agreement, error) {
	if err := read(actor); err != nil {
		return nil, err
	}
	return s.store.GetAgreement(ctx, id)
}

// ListAgreements lists agreements by code. It needs catalog:read.
func (s *Service) ListAgreements(ctx context.Context, actor billkit.Actor, f AgreementFilter) (billkit.Page[Agreement], error) {
	if err := read(actor); err != nil {
		return billkit.Page[Agreement]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Agreement]{}, err
	}
	return s.store.ListAgreements(ctx, f)
}

// UpdateAgreement replaces the agreement's fields with d's (d.Version is
// ignored); a new text makes a new version. It needs catalog:edit.
func (s *Service) UpdateAgreement(ctx context.Context, actor billkit.Actor, id AgreementID, d AgreementDoc) (*Agreement, error) {
	var v billkit.FieldErrors
	if err := s.begin(ctx, actor, billkit.OpEdit, &v, nil, nil); err != nil {
		return nil, err
	}
	cur, err := s.store.GetAgreement(ctx, id)
	if err != nil {
		return nil, err
	}
	var out *Agreement
	err = s.write(ctx, cur.ProviderID, func(tx Store, sn *snapshot) error {
		old, ok := sn.agreements[cur.Code]
		if !ok || old.ID != id {
			return billkit.NotFound("agreement", id)
		}
		now := s.now()
		a := sn.buildAgreement(&v, "", d, old, now)
		if x, ok := sn.agreements[a.Code]; ok && x.ID != id {
			codeTaken(&v, "code", "agreement", a.Code, true)
		}
		if err := v.Err(); err != nil {
			return err
		}
		if sn.sameAgreement(old, a) {
			out = old
			return nil
		}
		out = a
		_, err := save(ctx, tx, actor, now, ObjectAgreement, a.ID.String(), old, a, false, tx.InsertAgreement, tx.UpdateAgreement)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteAgreement deletes an agreement. It needs catalog:delete.
func (s *Service) DeleteAgreement(ctx context.Context, actor billkit.Actor, id AgreementID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := authorize(actor, billkit.OpDelete); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetAgreement(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteAgreement(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectAgreement, "delete", id.String(), cur, nil)
	})
}
