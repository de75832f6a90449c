package provisioning

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// The kinds of renewals (Renewal.Kind).
const (
	// RenewalOrder is a service's first period, paid by its order.
	RenewalOrder = "order"
	// RenewalRenewal is a period paid by the cycle or by the client.
	RenewalRenewal = "renewal"
	// RenewalChange is a period bought by a change of tariff or period.
	RenewalChange = "change"
)

// CauseService is the CauseType of the expenses that pay a service's
// periods; their CauseID is the service's ID.
const CauseService = "service"

// Reasons of the errors of renewals.
const (
	// ReasonRenewNotAllowed: the service cannot be renewed by hand now (not
	// active nor suspended for non-payment, never paid, billed by the
	// hour, or to be deleted at the end of its period).
	ReasonRenewNotAllowed = "provisioning.renew_not_allowed"
)

// chargePeriod pays the period [start, end) of svc in tx: it charges
// amount to the client's balance (billing's ChargeTx in the same
// transaction, CauseType "service", with the period and the service's
// tariff as the expense's pricing reference) and records the Renewal with
// the expense's ID. A zero amount (a free service) records the renewal
// without a charge. A charge the balance refuses (billing's
// failed_precondition billing.insufficient_funds) writes nothing and
// leaves tx usable: billing charges in a savepoint.
//
// The renewal's key (service, period start) is unique in the store: a
// period paid already fails with conflict "renewal.exists", whoever paid
// it, and the caller abandons its transaction or savepoint, which takes
// the charge back (on PostgreSQL the refused insert spoils the
// transaction anyway). The row is written after the charge because it
// refers to the expense; both commit together or not at all.
func (m *Manager) chargePeriod(ctx context.Context, tx Store, actor billkit.Actor, svc *Service, kind string, start, end billkit.Date, amount billkit.Money) (*Renewal, error) {
	if !end.After(start) {
		return nil, billkit.InvalidField("period_end", "provisioning.period_empty", "must be after the period's start")
	}
	if amount.Currency() == "" || amount.IsNegative() {
		return nil, billkit.InvalidField("amount", "provisioning.amount_negative", "must be zero or more, in the client's currency")
	}
	r := &Renewal{
		ServiceID: svc.ID, PeriodStart: start, PeriodEnd: end, ClientID: svc.ClientID,
		Amount: amount, Kind: kind, CreatedAt: m.now(),
	}
	if amount.IsPositive() {
		charge := periodCharge(svc, start, end, amount)
		// A renewal's action names its expense (renewedView); an order's
		// and a change's leave the expense its own.
		charge.RecordedByCaller = kind == RenewalRenewal
		x, err := m.cfg.Billing.ChargeTx(ctx, tx.Billing(), chargeActor(actor, svc.ClientID), charge)
		if err != nil {
			return nil, err
		}
		r.ExpenseID = x.ID
	}
	if err := tx.InsertRenewal(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

// periodDescription is the text of a period's expense.
func periodDescription(svc *Service, start, end billkit.Date) string {
	name := svc.Name
	if len(name) > 200 {
		name = name[:200] + "…"
	}
	return fmt.Sprintf("%s: %s – %s", name, start, end.AddDays(-1))
}

// expiryView is what a renewal changes of a service, for its history and
// the action log.
type expiryView struct {
	AnchorOn    billkit.Date `json:"anchor_on"`
	PeriodsPaid int          `json:"periods_paid"`
	ExpiresOn   billkit.Date `json:"expires_on"`
}

func expiryOf(svc *Service) expiryView {
	return expiryView{AnchorOn: svc.AnchorOn, PeriodsPaid: svc.PeriodsPaid, ExpiresOn: svc.ExpiresOn}
}

// renewedView is a service's expiry after a renewal, with the renewal's
// amount and expense: the renewal's history event and its action (which
// stands for the expense's creation too) name what was charged.
type renewedView struct {
	expiryView
	Amount    billkit.Money     `json:"amount"`
	ExpenseID billing.ExpenseID `json:"expense_id,omitzero"`
}

func renewedOf(svc *Service, r *Renewal) renewedView {
	return renewedView{expiryView: expiryOf(svc), Amount: r.Amount, ExpenseID: r.ExpenseID}
}

// payPeriod pays p for svc (read for update in tx) at its price, moves its
// expiry past p, and records the change in its history and the action
// log, and voids the period's renewal proforma when nothing was paid on
// it (voidRenewalProformas). A pending change the renewal applies (see dueChange) comes first:
// the service takes the change's tariff, period, addons and price, the
// renewal is charged at that price (for one period of the new length,
// from p's start), and the change's OpChange task is queued, all in tx.
// Errors are chargePeriod's; svc is left as it was then.
func (m *Manager) payPeriod(ctx context.Context, tx Store, actor billkit.Actor, svc *Service, kind string, p PaidPeriod) (*Renewal, error) {
	before := expiryOf(svc)
	var was *Service
	pc := dueChange(svc, p)
	if pc != nil {
		was = cloneService(svc)
		p = switchToPending(svc, pc, p)
	}
	r, err := m.chargePeriod(ctx, tx, actor, svc, kind, p.Start, p.End, svc.Price)
	if err != nil {
		if was != nil {
			// The cycle goes on with svc (a suspension, say): it must not
			// write a change the renewal did not pay for.
			*svc = *was
		}
		return nil, err
	}
	svc.paidThrough(p)
	svc.UpdatedAt = m.now()
	if err := tx.UpdateService(ctx, svc); err != nil {
		return nil, err
	}
	after := renewedOf(svc, r)
	memo := renewalMemo(p, r.Amount)
	if err := m.event(ctx, tx, actor, svc, "renewed", "", "", before, after, memo); err != nil {
		return nil, err
	}
	if err := record(ctx, tx, actor, svc.UpdatedAt, FunctionService, "renew", svc.ID.String(), svc.ClientID, before, after); err != nil {
		return nil, err
	}
	if was != nil {
		memo := fmt.Sprintf("change asked on %s applied at the renewal of %s", pc.At.Format("2006-01-02"), p.Start)
		if err := m.event(ctx, tx, actor, svc, "change", "", "", changeViewOf(was), changeViewOf(svc), memo); err != nil {
			return nil, err
		}
		if _, err := m.startOperation(ctx, tx, actor, svc, OpChange, changeInput(pc.Tariff, pc.Period, pc.Addons)); err != nil {
			return nil, err
		}
	}
	if err := m.voidRenewalProformas(ctx, tx, actor, []Renewal{*r}); err != nil {
		return nil, err
	}
	return r, nil
}

// RenewService pays the next period of a service now, from its client's
// balance (within the credit limit), at the service's price: a client or
// staff renewing early, or paying for a service the cycle could not renew.
// A service suspended for non-payment is resumed once paid (a period from
// today when it has been stopped for more than a whole period). It needs
// provisioning.service:edit on the service's client (customers: their own;
// others get service.not_found); the charge is made with billing's right
// to charge that client lent for it.
//
// When the product type renews on the system (Lifecycle.RenewOnSystem),
// the renewal queues a renew task for the module in the same transaction.
//
// A service that is not active nor suspended for non-payment, was never
// paid, is billed by the hour or is to be deleted at the end of its period
// is failed_precondition ReasonRenewNotAllowed; insufficient funds are
// billing.insufficient_funds; either way nothing is written.
func (m *Manager) RenewService(ctx context.Context, actor billkit.Actor, id ServiceID) (*Service, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	cur, err := m.store.GetService(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionService, billkit.OpEdit), cur.ClientID, billkit.NotFound("service", id)); err != nil {
		return nil, err
	}
	var out *Service
	err = m.store.InTx(ctx, func(tx Store) error {
		svc, err := tx.GetServiceForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if svc.ClientID != cur.ClientID {
			// Moved to another client meanwhile: check again.
			if err := actor.AuthorizeClient(billkit.R(FunctionService, billkit.OpEdit), svc.ClientID, billkit.NotFound("service", id)); err != nil {
				return err
			}
		}
		today, err := m.today(ctx, tx, svc.ProviderID)
		if err != nil {
			return err
		}
		resume := svc.Status == StatusSuspended && svc.SuspendReason == SuspendNonPayment
		switch {
		case svc.Status != StatusActive && !resume:
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonRenewNotAllowed,
				"service %s is %s: only an active service, or one suspended for non-payment, is renewed", svc.ID, describeStatus(svc.Status))
		case svc.ExpiresOn.IsZero() || svc.AnchorOn.IsZero():
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonRenewNotAllowed, "service %s was never paid: its order pays it", svc.ID)
		case !datePeriod(svc.Period):
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonRenewNotAllowed, "service %s is billed by the hour", svc.ID)
		case svc.DeleteAtPeriodEnd:
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonRenewNotAllowed,
				"service %s is to be deleted when its period ends: cancel the deletion first", svc.ID)
		}
		if _, err := m.payPeriod(ctx, tx, actor, svc, RenewalRenewal, nextPeriod(svc, today, resume)); err != nil {
			return err
		}
		op, err := afterRenewal(ctx, tx, svc, resume)
		if err != nil {
			return err
		}
		if op != "" {
			if _, err := m.startOperation(ctx, tx, actor, svc, op, nil); err != nil {
				return err
			}
		}
		out = svc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// afterRenewal is the operation a renewal by hand starts on svc, in tx:
// the resumption of a service suspended for non-payment, whose request
// carries the new expiry (which a module that renews on its system brings
// the system to); a renew when the product type renews on the system;
// none otherwise, nor when a change the renewal applied is under way (it
// carries the new expiry too). The product type is read through tx: on
// SQLite the catalog's own store would wait for the connection tx holds.
func afterRenewal(ctx context.Context, tx Store, svc *Service, resume bool) (Operation, error) {
	if resume {
		return OpResume, nil
	}
	if svc.Status != StatusActive {
		return "", nil
	}
	pt, err := tx.Catalog().GetProductType(ctx, svc.ProductTypeID)
	if err != nil || !pt.Lifecycle.RenewOnSystem {
		return "", err
	}
	return OpRenew, nil
}

// ListRenewals lists the periods paid for a service, or for a client's
// services, by period start. It needs provisioning.service:read on the
// client (customers: their own, and not the periods a former owner of a
// moved service paid); f.ServiceID or f.ClientID is required.
func (m *Manager) ListRenewals(ctx context.Context, actor billkit.Actor, f RenewalFilter) (billkit.Page[Renewal], error) {
	var none billkit.Page[Renewal]
	if err := actor.Validate(); err != nil {
		return none, err
	}
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	v.Check(!f.ServiceID.IsZero() || !f.ClientID.IsZero(), "service_id", "required", "is required without client_id")
	if err := v.Err(); err != nil {
		return none, err
	}
	read := billkit.R(FunctionService, billkit.OpRead)
	if !f.ServiceID.IsZero() {
		svc, err := m.store.GetService(ctx, f.ServiceID)
		if err != nil {
			return none, err
		}
		if err := actor.AuthorizeClient(read, svc.ClientID, billkit.NotFound("service", f.ServiceID)); err != nil {
			return none, err
		}
		if !f.ClientID.IsZero() && f.ClientID != svc.ClientID {
			return billkit.Page[Renewal]{Items: []Renewal{}}, nil
		}
		// A client sees the periods it paid, not those a former owner
		// of a moved service paid (its renewals keep their client).
		if _, all := actor.VisibleClients(); !all {
			f.ClientID = svc.ClientID
		}
	}
	if !f.ClientID.IsZero() {
		if err := actor.AuthorizeClient(read, f.ClientID, billkit.NotFound("client", f.ClientID)); err != nil {
			return none, err
		}
	}
	return m.store.ListRenewals(ctx, f)
}

// chargeActor is actor, allowed to charge client.
func chargeActor(actor billkit.Actor, client billkit.ClientID) billkit.Actor {
	return actor.WithRights(client, billkit.R(billing.FunctionExpense, billkit.OpCreate))
}
