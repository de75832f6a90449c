package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// MergeClients moves everything of client from to client to, in one
// transaction: its payers, contracts, users' memberships and invites (and
// later its services, payments and expenses; Store.MoveClientReferences
// knows every table). Then from gets status deleted and MergedInto = to.
// One action is recorded on each client ("billing.client.merge" on from,
// "billing.client.merge_into" on to); the action log itself is history and
// keeps naming from.
//
// Both clients must exist, differ, belong to the same provider, have the
// same currency (until the ledger can convert balances), and neither may be
// deleted; otherwise failed_precondition "client.merge_*". It needs
// billing.client:edit on both and billing.client:delete on from.
func (s *Service) MergeClients(ctx context.Context, actor billkit.Actor, from, to billkit.ClientID) (*Client, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!from.IsZero(), "from", "required", "is required")
	v.Check(!to.IsZero(), "to", "required", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if from == to {
		return nil, billkit.InvalidField("to", "client.merge_same", "must differ from the client merged")
	}
	for _, id := range []billkit.ClientID{from, to} {
		if _, err := s.clientFor(ctx, s.store, actor, id, billkit.OpEdit); err != nil {
			return nil, err
		}
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionClient, billkit.OpDelete), from, clientNotFound(from)); err != nil {
		return nil, err
	}
	var out *Client
	err := s.store.InTx(ctx, func(tx Store) error {
		src, err := tx.GetClient(ctx, from)
		if err != nil {
			return err
		}
		dst, err := tx.GetClient(ctx, to)
		if err != nil {
			return err
		}
		fail := func(reason, format string, args ...any) error {
			return billkit.Errorf(billkit.CodeFailedPrecondition, reason, format, args...)
		}
		switch {
		case src.Status == ClientStatusDeleted:
			return fail("client.merge_deleted", "client %s is deleted", clientLabel(src))
		case dst.Status == ClientStatusDeleted:
			return fail("client.merge_deleted", "client %s is deleted", clientLabel(dst))
		case src.ProviderID != dst.ProviderID:
			return fail("client.merge_provider", "clients %s and %s belong to different providers", src.Number, dst.Number)
		case src.Currency != dst.Currency:
			return fail("client.merge_currency", "clients %s (%s) and %s (%s) have different currencies", src.Number, src.Currency, dst.Number, dst.Currency)
		}
		if err := tx.MoveClientReferences(ctx, from, to); err != nil {
			return err
		}
		// The ledger is history and stays with each client; the merged
		// client's money moves by a pair of transfer entries instead.
		if err := s.transferBalance(ctx, tx, actor, src, dst); err != nil {
			return err
		}
		before := *src
		now := s.now()
		src.Status, src.MergedInto, src.UpdatedAt = ClientStatusDeleted, to, now
		if err := tx.UpdateClient(ctx, src); err != nil {
			return err
		}
		if err := record(ctx, tx, actor, now, FunctionClient, "merge", src.ID.String(), src.ID, &before, src); err != nil {
			return err
		}
		beforeDst := *dst
		dst.UpdatedAt = now
		if err := tx.UpdateClient(ctx, dst); err != nil {
			return err
		}
		a, err := billkit.NewAction(actor, now, FunctionClient+".merge_into", FunctionClient, dst.ID.String(), &beforeDst, dst)
		if err != nil {
			return err
		}
		a.ClientID = dst.ID
		a.Changes = append(a.Changes, billkit.Change{Field: "merged_from", Before: []byte("null"), After: []byte(`"` + src.ID.String() + `"`)})
		if err := tx.InsertAction(ctx, a); err != nil {
			return err
		}
		out = dst
		return nil
	})
	if err != nil {
		return nil, err
	}
	return forCustomer(actor, out), nil
}

// transferBalance posts the merged client's whole balance, debt or credit,
// as a transfer out of src and into dst, so both ledgers stay the sums of
// their entries. The credit limit does not apply: nothing is spent.
func (s *Service) transferBalance(ctx context.Context, tx Store, actor billkit.Actor, src, dst *Client) error {
	bal, err := tx.GetClientBalance(ctx, src.ID)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return nil // never posted to
	}
	if err != nil {
		return err
	}
	if bal.Balance.IsZero() {
		return nil
	}
	cause := src.ID.String()
	for _, p := range []PostParams{
		{ClientID: src.ID, Amount: bal.Balance.Neg(), Memo: "merged into " + dst.Number},
		{ClientID: dst.ID, Amount: bal.Balance, Memo: "merged from " + src.Number},
	} {
		p.Kind, p.CauseType, p.CauseID, p.AllowBelowLimit = LedgerTransfer, "billing.client.merge", cause, true
		// The right to merge implies the transfer of the money.
		if _, err := s.PostTx(ctx, tx, poster(actor, p.ClientID), p); err != nil {
			return err
		}
	}
	return nil
}
