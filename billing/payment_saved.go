package billing

import (
	"context"
	"time"

	"github.com/billkit/billkit"
)

// SavedMethodID identifies a SavedMethod.
type SavedMethodID = billkit.ID[SavedMethod]

// SavedMethod is a payment method a gateway keeps for a client (a card),
// which recurring charges use without the customer (ChargeSavedMethod). It
// is kept when a paid payment's report carries one.
type SavedMethod struct {
	ID       SavedMethodID    `json:"id" bun:"id,pk"`
	ClientID billkit.ClientID `json:"client_id" bun:"client_id,notnull"`
	MethodID PaymentMethodID  `json:"method_id" bun:"method_id,notnull"`
	Gateway  string           `json:"gateway" bun:"gateway,notnull"`
	// Ref is the gateway's reference ("pm_123").
	Ref string `json:"ref" bun:"ref,notnull"`
	// Label is what the customer recognizes ("Visa •••• 4242").
	Label     string    `json:"label" bun:"label,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
}

// SavedMethodFilter selects saved methods.
type SavedMethodFilter struct {
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	MethodID PaymentMethodID  `json:"method_id,omitzero"`
	billkit.PageParams
}

// savedMethodNotFound is the error of a saved method that does not exist
// or is not the client's.
func savedMethodNotFound(id SavedMethodID) error { return billkit.NotFound("saved_payment_method", id) }

// keepSavedMethod stores, in tx, the method a gateway saved with cur; one
// saved already is left as it is.
func (s *Service) keepSavedMethod(ctx context.Context, tx Store, actor billkit.Actor, cur *Payment, ref SavedMethodRef) error {
	sm := &SavedMethod{
		ClientID: cur.ClientID, MethodID: cur.MethodID, Gateway: cur.Gateway,
		Ref: truncate(ref.Ref, 200), Label: truncate(ref.Label, 200), CreatedAt: s.now(),
	}
	newID(&sm.ID)
	// A savepoint: on PostgreSQL a refused insert would end the whole
	// transaction otherwise.
	err := tx.InTx(ctx, func(tx Store) error { return tx.InsertSavedMethod(ctx, sm) })
	if billkit.IsCode(err, billkit.CodeConflict) {
		return nil
	}
	if err != nil {
		return err
	}
	return record(ctx, tx, actor, sm.CreatedAt, FunctionPayment, "save_method", sm.ID.String(), cur.ClientID, nil, sm)
}

// ListSavedMethods lists a client's saved methods, oldest first. It needs
// billing.payment:read on the client.
func (s *Service) ListSavedMethods(ctx context.Context, actor billkit.Actor, client billkit.ClientID) ([]SavedMethod, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.paymentClient(ctx, s.store, actor, client, billkit.OpRead); err != nil {
		return nil, err
	}
	out := []SavedMethod{}
	for cursor := ""; ; {
		page, err := s.store.ListSavedMethods(ctx, SavedMethodFilter{ClientID: client, PageParams: billkit.PageParams{Cursor: cursor, Limit: billkit.MaxPageLimit}})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			return out, nil
		}
	}
}

// DeleteSavedMethod forgets a saved method, so recurring charges stop using
// it. It needs billing.payment:edit on its client; customers delete their
// own clients'. The gateway keeps its copy until its own retention ends.
func (s *Service) DeleteSavedMethod(ctx context.Context, actor billkit.Actor, id SavedMethodID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	sm, err := s.store.GetSavedMethod(ctx, id)
	if err != nil {
		return err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionPayment, billkit.OpEdit), sm.ClientID, savedMethodNotFound(id)); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		if err := tx.DeleteSavedMethod(ctx, id); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.now(), FunctionPayment, "delete_saved_method", id.String(), sm.ClientID, sm, nil)
	})
}

// ChargeSavedMethod charges a client's saved method without the customer:
// for recurring charges and renewals. It creates the payment as
// CreatePayment does (with the saved method's payment method), asks the
// gateway's ChargeSaved outside any transaction, and applies the answer:
// paid (credited at once), failed, or pending (a callback or
// ReconcilePayments settles it). A gateway that cannot charge saved
// methods is failed_precondition "payment.saved_method_unsupported"; no
// answer is unavailable ReasonOutcomeUnknown, with the payment kept for
// ReconcilePayments. It needs billing.payment:create on the client.
func (s *Service) ChargeSavedMethod(ctx context.Context, actor billkit.Actor, client billkit.ClientID, saved SavedMethodID, amount billkit.Money, invoice InvoiceID) (*Payment, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if saved.IsZero() {
		return nil, billkit.InvalidField("saved_method_id", "required", "is required")
	}
	if _, err := s.paymentClient(ctx, s.store, actor, client, billkit.OpCreate); err != nil {
		return nil, err
	}
	sm, err := s.store.GetSavedMethod(ctx, saved)
	if err != nil {
		return nil, err
	}
	if sm.ClientID != client {
		return nil, savedMethodNotFound(saved)
	}
	pp, err := s.preparePayment(ctx, s.store, actor, CreatePaymentParams{ClientID: client, MethodID: sm.MethodID, Amount: amount, InvoiceID: invoice, Memo: "Charge of " + sm.Label})
	if err != nil {
		return nil, err
	}
	charger, ok := pp.gateway.(SavedMethodCharger)
	if !ok || !pp.gateway.Capabilities().SaveMethod {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "payment.saved_method_unsupported", "gateway %s cannot charge saved methods", pp.gateway.Code())
	}
	pp.p.SavedMethodRef = sm.Ref
	if err := s.insertPayment(ctx, s.store, actor, pp, true); err != nil {
		return nil, err
	}
	req := StartPaymentRequest{
		PaymentID: pp.p.ID, Amount: pp.p.Amount, Description: pp.p.Memo, ClientID: client, ClientEmail: pp.client.Email,
		ClientName: pp.client.Name, Locale: pp.client.Locale, SavedMethod: sm.Ref, Settings: settingsOf(pp.method),
	}
	rep, err := callGateway(ctx, func(ctx context.Context) (GatewayReport, error) { return charger.ChargeSaved(ctx, req) })
	wctx := context.WithoutCancel(ctx)
	if err != nil {
		if !gatewayRefused(err) {
			return nil, outcomeUnknown(pp.p.ID, err)
		}
		if _, aerr := s.applyOutcome(wctx, actor, pp.p.ID, outcome{status: PaymentFailed, message: err.Error()}); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	if rep.Status == "" || rep.Status == PaymentNew {
		rep.Status = PaymentPending
	}
	return s.applyOutcome(wctx, actor, pp.p.ID, reportOutcome(rep))
}
