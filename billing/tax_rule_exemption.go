package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// checkTaxExemption validates the fields of an exemption but its subject.
func checkTaxExemption(v *billkit.FieldErrors, x *TaxExemption, p TaxExemptionParams) {
	x.CompanyID = p.CompanyID
	x.Reason = text(v, "reason", p.Reason, 500, true)
	x.Certificate = text(v, "certificate", p.Certificate, 100, false)
	x.ValidFrom, x.ValidTo = p.ValidFrom, p.ValidTo
	checkValidity(v, p.ValidFrom, p.ValidTo)
}

// exemptionNotFound is the not_found error of an exemption.
func exemptionNotFound(id TaxExemptionID) error { return billkit.NotFound("tax_exemption", id) }

// authorizeExemption checks that the actor may do op on the exemption: on
// its client for a client's exemption (customers of other clients get
// not_found), on taxes otherwise.
func authorizeExemption(actor billkit.Actor, x *TaxExemption, op billkit.Operation) error {
	r := billkit.R(FunctionTax, op)
	if !x.ClientID.IsZero() {
		return actor.AuthorizeClient(r, x.ClientID, exemptionNotFound(x.ID))
	}
	return actor.Authorize(r)
}

// exemptionRefs checks, in tx, that the exemption's client or group and
// company exist.
func exemptionRefs(ctx context.Context, tx Store, x *TaxExemption) error {
	var v billkit.FieldErrors
	if !x.ClientID.IsZero() {
		if _, err := tx.GetClient(ctx, x.ClientID); billkit.IsCode(err, billkit.CodeNotFound) {
			v.Add("client_id", "client.not_found", "is not a client")
		} else if err != nil {
			return err
		}
	}
	if !x.GroupID.IsZero() {
		if _, err := tx.GetClientGroup(ctx, x.GroupID); billkit.IsCode(err, billkit.CodeNotFound) {
			v.Add("group_id", "client_group.not_found", "is not a client group")
		} else if err != nil {
			return err
		}
	}
	if !x.CompanyID.IsZero() {
		if _, err := tx.GetCompany(ctx, x.CompanyID); billkit.IsCode(err, billkit.CodeNotFound) {
			v.Add("company_id", "company.not_found", "is not a company")
		} else if err != nil {
			return err
		}
	}
	return v.Err()
}

// CreateTaxExemption exempts a client, or a client group, from taxes. It
// needs billing.tax:create (on the client, for a client's exemption).
func (s *Service) CreateTaxExemption(ctx context.Context, actor billkit.Actor, p TaxExemptionParams) (*TaxExemption, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	x := &TaxExemption{ClientID: p.ClientID, GroupID: p.GroupID}
	switch {
	case p.ClientID.IsZero() && p.GroupID.IsZero():
		v.Add("client_id", "tax_exemption.subject_required", "a client or a client group is required")
	case !p.ClientID.IsZero() && !p.GroupID.IsZero():
		v.Add("group_id", "tax_exemption.client_and_group", "an exemption is for a client or for a group, not both")
	}
	checkTaxExemption(&v, x, p)
	if err := v.Err(); err != nil {
		return nil, err
	}
	newID(&x.ID)
	if err := authorizeExemption(actor, x, billkit.OpCreate); err != nil {
		return nil, err
	}
	now := s.now()
	x.CreatedAt, x.UpdatedAt = now, now
	err := s.store.InTx(ctx, func(tx Store) error {
		if err := exemptionRefs(ctx, tx, x); err != nil {
			return err
		}
		if err := tx.InsertTaxExemption(ctx, x); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, ObjectTaxExemption, "create", x.ID.String(), x.ClientID, nil, x)
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// GetTaxExemption returns an exemption. It needs billing.tax:read (on the
// client, for a client's exemption).
func (s *Service) GetTaxExemption(ctx context.Context, actor billkit.Actor, id TaxExemptionID) (*TaxExemption, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	x, err := s.store.GetTaxExemption(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := authorizeExemption(actor, x, billkit.OpRead); err != nil {
		return nil, err
	}
	return x, nil
}

// ListTaxExemptions lists exemptions in creation order. It needs
// billing.tax:read; an actor limited to some clients sees their
// exemptions only (not the groups').
func (s *Service) ListTaxExemptions(ctx context.Context, actor billkit.Actor, f TaxExemptionFilter) (billkit.Page[TaxExemption], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[TaxExemption]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[TaxExemption]{}, err
	}
	ids, err := listScope(actor, billkit.R(FunctionTax, billkit.OpRead))
	if err != nil {
		return billkit.Page[TaxExemption]{}, err
	}
	f.ClientIDs = ids
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		return billkit.Page[TaxExemption]{Items: []TaxExemption{}}, nil
	}
	return s.store.ListTaxExemptions(ctx, f)
}

// UpdateTaxExemption replaces an exemption's reason, certificate, company
// and validity; whom it exempts stays (p.ClientID and p.GroupID must be
// zero or the same). It needs billing.tax:edit (on the client, for a
// client's exemption).
func (s *Service) UpdateTaxExemption(ctx context.Context, actor billkit.Actor, id TaxExemptionID, p TaxExemptionParams) (*TaxExemption, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	cur, err := s.store.GetTaxExemption(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := authorizeExemption(actor, cur, billkit.OpEdit); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(p.ClientID.IsZero() || p.ClientID == cur.ClientID, "client_id", "tax_exemption.subject_immutable", "whom an exemption is for cannot change")
	v.Check(p.GroupID.IsZero() || p.GroupID == cur.GroupID, "group_id", "tax_exemption.subject_immutable", "whom an exemption is for cannot change")
	next := *cur
	checkTaxExemption(&v, &next, p)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err = s.store.InTx(ctx, func(tx Store) error {
		before, err := tx.GetTaxExemption(ctx, id)
		if err != nil {
			return err
		}
		if err := exemptionRefs(ctx, tx, &next); err != nil {
			return err
		}
		now := s.now()
		next.CreatedAt, next.UpdatedAt = before.CreatedAt, now
		if err := tx.UpdateTaxExemption(ctx, &next); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, ObjectTaxExemption, "update", id.String(), next.ClientID, before, &next)
	})
	if err != nil {
		return nil, err
	}
	return &next, nil
}

// DeleteTaxExemption deletes an exemption. To end one, prefer setting its
// ValidTo, which keeps the history. It needs billing.tax:delete (on the
// client, for a client's exemption).
func (s *Service) DeleteTaxExemption(ctx context.Context, actor billkit.Actor, id TaxExemptionID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	cur, err := s.store.GetTaxExemption(ctx, id)
	if err != nil {
		return err
	}
	if err := authorizeExemption(actor, cur, billkit.OpDelete); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		before, err := tx.GetTaxExemption(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteTaxExemption(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), ObjectTaxExemption, "delete", id.String(), before.ClientID, before, nil)
	})
}
