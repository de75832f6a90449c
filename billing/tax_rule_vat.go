package billing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/billkit/billkit"
)

// euVATOf returns the VAT prefix and national number of a payer's EU VAT
// ID, and false when the payer has none or it is malformed.
func euVATOf(p *Payer) (prefix, number string, ok bool) {
	if p == nil || strings.TrimSpace(p.TaxID) == "" {
		return "", "", false
	}
	n, scheme, err := NormalizeTaxID(p.Country, p.TaxID)
	if err != nil || scheme != TaxIDEUVAT || len(n) < 3 {
		return "", "", false
	}
	return n[:2], n[2:], true
}

// CheckPayerVAT asks Config.VATChecker (VIES) whether the payer's EU VAT
// ID is valid, and stores the answer as evidence for later reverse
// charges (see DecideTax). The checker is called outside any transaction;
// the answer is stored, with its action, in one. A payer without a
// well-formed EU VAT ID is failed_precondition ReasonNotEUVAT; no checker
// is failed_precondition ReasonVATCheckerMissing; a checker that fails is
// unavailable ReasonVATCheckFailed (a *billkit.Error it returns is passed
// on as is), and nothing is stored. It needs billing.payer:edit on the
// payer's client (customers: their own payers).
func (s *Service) CheckPayerVAT(ctx context.Context, actor billkit.Actor, payer PayerID) (*VATCheck, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	py, err := s.payerFor(ctx, s.store, actor, payer, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	prefix, number, ok := euVATOf(py)
	if !ok {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonNotEUVAT, "payer %s has no EU VAT ID", py.Name)
	}
	if s.cfg.VATChecker == nil {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonVATCheckerMissing, "the billing service has no VAT checker (Config.VATChecker)")
	}
	answer, err := s.cfg.VATChecker.CheckVAT(ctx, prefix, number)
	if err != nil {
		var be *billkit.Error
		if errors.As(err, &be) || ctx.Err() != nil {
			return nil, err
		}
		return nil, billkit.WrapError(err, billkit.CodeUnavailable, ReasonVATCheckFailed, fmt.Sprintf("the VAT check of %s%s failed; try again later", prefix, number))
	}
	c := &VATCheck{
		PayerID: py.ID, CountryCode: prefix, Number: number, Valid: answer.Valid, Confirmed: true,
		Name:      limitText(answer.Name, 300),
		Address:   limitText(answer.Address, 1000),
		Reference: limitText(answer.Reference, 100),
		CheckedAt: s.now(),
	}
	newID(&c.ID)
	err = s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertVATCheck(ctx, c); err != nil {
			return err
		}
		return record(ctx, tx, actor, c.CheckedAt, ObjectVATCheck, "create", c.ID.String(), py.ClientID, nil, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// limitText trims an outside system's text and cuts it to at most max
// bytes, on a character boundary.
func limitText(s string, max int) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "\uFFFD"))
	if len(s) <= max {
		return s
	}
	for max > 0 && !isRuneStart(s[max]) {
		max--
	}
	return s[:max]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// ListVATChecks lists the stored checks of a payer's VAT ID, newest
// first. It needs billing.payer:read on the payer's client.
func (s *Service) ListVATChecks(ctx context.Context, actor billkit.Actor, f VATCheckFilter) (billkit.Page[VATCheck], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[VATCheck]{}, err
	}
	var v billkit.FieldErrors
	v.Check(!f.PayerID.IsZero(), "payer_id", "required", "is required")
	v.Merge("", f.PageParams.Validate())
	if err := v.Err(); err != nil {
		return billkit.Page[VATCheck]{}, err
	}
	if _, err := s.payerFor(ctx, s.store, actor, f.PayerID, billkit.OpRead); err != nil {
		return billkit.Page[VATCheck]{}, err
	}
	return s.store.ListVATChecks(ctx, f)
}
