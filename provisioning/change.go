package provisioning

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// Reasons of the errors of changes.
const (
	// ReasonChangeNotAllowed: the service cannot be changed now. It is
	// ordered (its order is what configures it), deleted, suspended (only
	// staff change a suspended service), never paid, billed by the hour,
	// or, where changes wait for the renewal, to be deleted when its
	// period ends.
	ReasonChangeNotAllowed = "provisioning.change_not_allowed"
	// ReasonChangeEmpty: the change asks for the configuration the service
	// has.
	ReasonChangeEmpty = "provisioning.change_empty"
	// ReasonChangeSpecialPrice: a client asked to change a service whose
	// price staff set; the change would drop that price, so staff make it.
	ReasonChangeSpecialPrice = "provisioning.change_special_price"
)

// ChangeParams asks for another configuration of a service: another
// tariff, another period, other addon values. A zero field keeps what the
// service has; Addons lists only the addons that change.
type ChangeParams struct {
	TariffID catalog.TariffID              `json:"tariff_id,omitzero"`
	Period   catalog.Period                `json:"period,omitempty"`
	Addons   map[string]catalog.AddonValue `json:"addons,omitempty"`
	Memo     string                        `json:"memo,omitempty"`
}

// ChangeQuote is what a change costs, computed by the same code that
// applies it.
type ChangeQuote struct {
	ServiceID ServiceID `json:"service_id"`
	// Policy is the product type's change policy: now, or at_renewal.
	Policy catalog.ChangePolicy `json:"policy"`
	// TariffID, Period and Addons are the configuration after the change,
	// with every addon value of the tariff.
	TariffID catalog.TariffID              `json:"tariff_id"`
	Period   catalog.Period                `json:"period"`
	Addons   map[string]catalog.AddonValue `json:"addons"`
	// OldPrice is what one period costs the client now; NewPrice what one
	// period of the new configuration costs, priced as an order is
	// (discounts, currency conversion and taxes included, no setup fees).
	OldPrice billkit.Money `json:"old_price"`
	NewPrice billkit.Money `json:"new_price"`
	// Credit is the part of the paid time from EffectiveOn to the expiry,
	// at the old price, that is given back. Charge is what the new
	// configuration costs for the same days, or, when the period changes,
	// for one whole new period from EffectiveOn. Both are zero for a
	// change that waits for the renewal.
	Credit billkit.Money `json:"credit"`
	Charge billkit.Money `json:"charge"`
	// Net is Charge − Credit: charged from the balance when above zero,
	// credited to it when below.
	Net billkit.Money `json:"net"`
	// EffectiveOn is the day the change takes effect: today for the
	// policy now (the expiry, for a period change of a service past it),
	// the expiry for at_renewal.
	EffectiveOn billkit.Date `json:"effective_on"`
	// ExpiresOn is the service's expiry once the change is made.
	ExpiresOn billkit.Date `json:"expires_on"`
	// SpecialPriceDropped is true when the service's special price gives
	// way to NewPrice.
	SpecialPriceDropped bool `json:"special_price_dropped,omitempty"`
}

// changePlan is a change checked and priced before its transaction: what
// needs the catalog and billing's prices is read first, since a store with
// one connection (SQLite) cannot serve them while a transaction holds it.
type changePlan struct {
	// svc is the service as the plan read it; the transaction checks that
	// what the plan depends on is still so.
	svc      *Service
	pt       *catalog.ProductType
	tariff   *catalog.Tariff
	period   catalog.Period
	addons   map[string]catalog.AddonValue
	price    billkit.Money
	policy   catalog.ChangePolicy
	provider *billing.Provider
	staff    bool
	memo     string
}

// QuoteChange prices a change without making it: the same checks and the
// same arithmetic as ChangeService, on the service as it is now, and no
// write. It needs provisioning.service:edit on the service's client (a
// customer asking about another client's service gets service.not_found).
func (m *Manager) QuoteChange(ctx context.Context, actor billkit.Actor, id ServiceID, p ChangeParams) (*ChangeQuote, error) {
	pl, err := m.planChange(ctx, actor, id, p)
	if err != nil {
		return nil, err
	}
	return pl.quote(pl.svc, pl.provider.Today(m.now()))
}

// ChangeService changes a service's tariff, period or addons, as its
// product type's Lifecycle.ChangePolicy says.
//
// Staff (an actor who sees every client) may change an active or a
// suspended service; a client only an active one of its own, as
// provisioning.service:edit allows. The new tariff must be one the tariff
// group allows (Catalog.CheckTariffChange) and, for a client, not archived,
// sold to its group and within its limit per client; the period one the
// tariff is priced for; the addon values within their limits, and, for a
// client, only Changeable addons may take other values. A client may not
// change a service with a special price; staff may, and the special price
// gives way to the new configuration's. Bad input is invalid and names the
// field: "tariff_id", "period", "addons[<code>].quantity"; a change that
// changes nothing is invalid ReasonChangeEmpty on the three. A service that
// cannot change now is failed_precondition ReasonChangeNotAllowed (or
// provisioning.service_busy while an operation is under way).
//
// The new configuration is priced as an order is (billing's PriceOrder for
// the client, without setup fees). Under the policy now, the days from
// today to the expiry are credited at the old price and charged at the new
// one, each prorated by catalog.ProrateDates; a new period starts today
// instead and is charged whole, and is recorded as a Renewal of kind
// "change". A net above zero is charged from the balance (within the
// credit limit: else billing.insufficient_funds and nothing is written), a
// net below zero is credited to it (a ledger adjustment). The service
// takes its new configuration, a pending change is dropped, and an
// OpChange task applies the change on the system: all in one transaction.
// Under at_renewal nothing is charged: the change is kept on the service
// (Service.PendingChange, replacing one already there) and the next
// renewal charges the new price and switches the service.
//
// A change onto another tariff takes one unit of its Stock, made now or
// kept, in the same transaction; none left is invalid "tariff_id"
// ReasonOutOfStock. A kept change that is withdrawn, replaced or dropped
// gives its unit back.
func (m *Manager) ChangeService(ctx context.Context, actor billkit.Actor, id ServiceID, p ChangeParams) (*Service, error) {
	pl, err := m.planChange(ctx, actor, id, p)
	if err != nil {
		return nil, err
	}
	// The charge's ID is made once: a transaction the store runs again
	// charges under the same ID, and billing refuses a second expense
	// with it.
	expense := billkit.NewID[billing.Expense]()
	var out *Service
	err = m.store.InTx(ctx, func(tx Store) error {
		svc, err := tx.GetServiceForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if !pl.stillHolds(svc) {
			return billkit.Errorf(billkit.CodeConflict, "provisioning.service_changed", "service %s changed meanwhile; try again", id)
		}
		if err := pl.allowed(svc); err != nil {
			return err
		}
		q, err := pl.quote(svc, pl.provider.Today(m.now()))
		if err != nil {
			return err
		}
		if err := takeChangeStock(ctx, tx, svc, pl.tariff); err != nil {
			return err
		}
		if pl.policy == catalog.ChangeAtRenewal {
			err = m.keepPendingChange(ctx, tx, actor, svc, pl)
		} else {
			err = m.changeNow(ctx, tx, actor, svc, pl, q, expense)
		}
		if err != nil {
			return err
		}
		out = svc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CancelPendingChange drops a change waiting for the next renewal, and
// gives back the unit of stock it took; a service with none is returned
// as it is. A client may cancel its own. It needs
// provisioning.service:edit.
func (m *Manager) CancelPendingChange(ctx context.Context, actor billkit.Actor, id ServiceID) (*Service, error) {
	return m.editService(ctx, actor, id, billkit.OpEdit, nil, func(tx Store, svc *Service, _ *catalog.ProductType, now time.Time) error {
		if err := notDeleted(svc); err != nil {
			return err
		}
		if svc.PendingChange == nil {
			return nil
		}
		if err := returnPendingStock(ctx, tx, svc); err != nil {
			return err
		}
		before := cloneService(svc)
		svc.PendingChange, svc.UpdatedAt = nil, now
		return m.saveService(ctx, tx, actor, before, svc, "change_cancelled", "")
	})
}

// planChange checks a change and prices it, outside any transaction.
func (m *Manager) planChange(ctx context.Context, actor billkit.Actor, id ServiceID, p ChangeParams) (*changePlan, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	memo := memoText(&v, "memo", p.Memo)
	if p.Period != "" {
		v.Check(p.Period.Valid(), "period", catalog.ReasonPeriodUnknown, fmt.Sprintf("%q is not a period", string(p.Period)))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	svc, err := m.serviceFor(ctx, m.store, actor, id, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	_, staff := actor.VisibleClients()
	pl := &changePlan{svc: svc, staff: staff, memo: memo}
	if err := changeableStatus(svc, staff); err != nil {
		return nil, err
	}
	if pl.pt, err = m.productTypeOf(ctx, svc); err != nil {
		return nil, err
	}
	pl.policy = pl.pt.Lifecycle.EffectiveChangePolicy()
	if err := pl.allowed(svc); err != nil {
		return nil, err
	}
	plan, err := m.orderClient(ctx, svc.ClientID)
	if err != nil {
		return nil, err
	}
	pl.provider = plan.provider
	from, err := m.cfg.Catalog.GetTariff(ctx, selfActor, svc.TariffID)
	if err != nil {
		return nil, err
	}
	to := from
	if !p.TariffID.IsZero() && p.TariffID != svc.TariffID {
		t, err := m.cfg.Catalog.GetTariff(ctx, selfActor, p.TariffID)
		switch {
		case billkit.IsCode(err, billkit.CodeNotFound) || err == nil && t.ProviderID != svc.ProviderID:
			v.Add("tariff_id", "tariff.not_found", "is not a tariff of the service's provider")
			return nil, v.Err()
		case err != nil:
			return nil, err
		}
		if err := m.checkChangeTarget(ctx, &v, plan.client, from, t, staff); err != nil {
			return nil, err
		}
		checkChangeStock(&v, svc, t)
		to = t
	}
	pl.tariff = to
	pl.period = svc.Period
	if p.Period != "" {
		pl.period = p.Period
	}
	if _, ok := to.Price(pl.period, to.Currency); !ok || !datePeriod(pl.period) || !pl.pt.AllowsPeriod(pl.period) {
		v.Add("period", ReasonPeriodNotOffered, fmt.Sprintf("tariff %s is not sold for %s (it is for %v)", to.Code, pl.period, orderablePeriods(to)))
	}
	// The values the service has carry over to the tariff where it has the
	// same addons; those given replace them.
	values := map[string]catalog.AddonValue{}
	for code, val := range svc.Addons {
		if _, ok := to.Addon(code); ok {
			values[code] = val
		}
	}
	maps.Copy(values, p.Addons)
	var fixed map[string]catalog.AddonValue
	if !staff {
		fixed = maps.Clone(svc.Addons)
		if fixed == nil {
			fixed = map[string]catalog.AddonValue{}
		}
	}
	pl.addons = checkAddons(&v, "", to, fixed, values)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if to.ID == svc.TariffID && pl.period == svc.Period && sameAddons(pl.addons, svc.Addons) {
		msg := "the service has this tariff, period and addon values already"
		v.Add("tariff_id", ReasonChangeEmpty, msg)
		v.Add("period", ReasonChangeEmpty, msg)
		v.Add("addons", ReasonChangeEmpty, msg)
		return nil, v.Err()
	}
	if !staff && to.ID != svc.TariffID && to.LimitPerClient > 0 {
		n, err := m.store.CountClientServices(ctx, svc.ClientID, to.ID)
		if err != nil {
			return nil, err
		}
		if !v.Check(n+1 <= to.LimitPerClient, "tariff_id", ReasonLimitPerClient,
			fmt.Sprintf("a client has at most %d services of tariff %s; it has %d", to.LimitPerClient, to.Code, n)) {
			return nil, v.Err()
		}
	}
	price, err := m.cfg.Billing.PriceOrder(ctx, selfActor, billing.OrderPriceParams{
		ClientID: svc.ClientID, TariffID: to.ID, Period: pl.period, Quantity: 1, Addons: pl.addons,
		Date: pl.provider.Today(m.now()), Renewal: true,
	})
	if billkit.IsCode(err, billkit.CodeInvalid) {
		v.Merge("", err)
		return nil, v.Err()
	}
	if err != nil {
		return nil, err
	}
	if pl.price, err = recurringPerService(price, 1); err != nil {
		return nil, err
	}
	if pl.price.Currency() != svc.Price.Currency() {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonChangeNotAllowed,
			"service %s is priced in %s and its client pays in %s: set its price first", svc.ID, svc.Price.Currency(), pl.price.Currency())
	}
	return pl, nil
}

// checkChangeTarget checks that a service of tariff from may move to
// tariff to: the group's rules (Catalog.CheckTariffChange) for everyone,
// and for a client a tariff on sale to its group. Problems go to v.
func (m *Manager) checkChangeTarget(ctx context.Context, v *billkit.FieldErrors, client *billing.Client, from, to *catalog.Tariff, staff bool) error {
	if !staff {
		n := v.Len()
		v.Check(to.Status != catalog.TariffArchived, "tariff_id", ReasonTariffArchived, fmt.Sprintf("tariff %s is no longer sold", to.Code))
		group := ""
		if !client.GroupID.IsZero() {
			group = client.GroupID.String()
		}
		v.Check(to.AllowsClientGroup(group), "tariff_id", ReasonTariffNotForGroup, fmt.Sprintf("tariff %s is not sold to the client's group", to.Code))
		if v.Len() > n {
			return nil
		}
	}
	var err error
	if to.Status == catalog.TariffArchived {
		// Staff may move a service to a tariff no longer sold; the group's
		// rules still hold, which the catalog's check would not let pass.
		var g *catalog.TariffGroup
		if !from.GroupID.IsZero() {
			if g, err = m.cfg.Catalog.GetTariffGroup(ctx, selfActor, from.GroupID); err != nil {
				return err
			}
		}
		sold := *to
		sold.Status = catalog.TariffActive
		err = catalog.CheckChange(*from, sold, g)
	} else {
		err = m.cfg.Catalog.CheckTariffChange(ctx, selfActor, from.ID, to.ID)
	}
	if billkit.IsCode(err, billkit.CodeInvalid) {
		v.Merge("", err)
		return nil
	}
	return err
}

// changeableStatus refuses a service whose status, or whose paid time,
// allows no change: busy, deleted, ordered, suspended (but for staff),
// never paid, or billed by the hour.
func changeableStatus(svc *Service, staff bool) error {
	if err := busy(svc); err != nil {
		return err
	}
	if err := notDeleted(svc); err != nil {
		return err
	}
	deny := func(format string, args ...any) error {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonChangeNotAllowed, format, args...)
	}
	switch {
	case svc.Status == StatusSuspended && !staff && svc.SuspendReason == SuspendNonPayment:
		return deny("service %s is suspended for non-payment: renew it first", svc.ID)
	case svc.Status == StatusSuspended && !staff:
		return deny("service %s is suspended: it changes once it is resumed", svc.ID)
	case svc.Status != StatusActive && svc.Status != StatusSuspended:
		return deny("service %s is %s: only an active service changes", svc.ID, describeStatus(svc.Status))
	case svc.ExpiresOn.IsZero() || svc.AnchorOn.IsZero():
		return deny("service %s was never paid", svc.ID)
	case !datePeriod(svc.Period):
		return deny("service %s is billed by the hour", svc.ID)
	}
	return nil
}

// allowed checks what the plan's policy and actor forbid of svc: a
// client's change of a special price, a change at the renewal of a service
// that will not renew.
func (pl *changePlan) allowed(svc *Service) error {
	if err := changeableStatus(svc, pl.staff); err != nil {
		return err
	}
	if svc.Special && !pl.staff {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonChangeSpecialPrice,
			"service %s has a price agreed with staff, which a change would drop: ask support to change it", svc.ID)
	}
	if pl.policy == catalog.ChangeAtRenewal && svc.DeleteAtPeriodEnd {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonChangeNotAllowed,
			"service %s is to be deleted when its period ends, and its changes wait for a renewal: cancel the deletion first", svc.ID)
	}
	return nil
}

// stillHolds reports whether svc, read again in the transaction, is what
// the plan was checked and priced against.
func (pl *changePlan) stillHolds(svc *Service) bool {
	old := pl.svc
	return svc.ClientID == old.ClientID && svc.ProductTypeID == old.ProductTypeID && svc.TariffID == old.TariffID &&
		svc.Period == old.Period && svc.Special == old.Special && sameAddons(svc.Addons, old.Addons)
}

// sameAddons reports whether a and b hold the same values.
func sameAddons(a, b map[string]catalog.AddonValue) bool {
	if len(a) != len(b) {
		return false
	}
	for code, x := range a {
		y, ok := b[code]
		if !ok || x.Option != y.Option || !x.Quantity.Equal(y.Quantity) {
			return false
		}
	}
	return true
}

// quote is what the change does to svc on today: the one computation of a
// change's money, which QuoteChange shows and ChangeService makes.
func (pl *changePlan) quote(svc *Service, today billkit.Date) (*ChangeQuote, error) {
	zero := billkit.Zero(svc.Price.Currency())
	q := &ChangeQuote{
		ServiceID: svc.ID, Policy: pl.policy, TariffID: pl.tariff.ID, Period: pl.period, Addons: maps.Clone(pl.addons),
		OldPrice: svc.Price, NewPrice: pl.price, Credit: zero, Charge: zero, Net: zero,
		EffectiveOn: svc.ExpiresOn, ExpiresOn: svc.ExpiresOn, SpecialPriceDropped: svc.Special,
	}
	if pl.policy == catalog.ChangeAtRenewal {
		return q, nil
	}
	periodChange := pl.period != svc.Period
	if today.Before(svc.ExpiresOn) {
		q.EffectiveOn = today
		start, end, after := paidPeriodAt(svc, today)
		var err error
		if q.Credit, err = unusedValue(svc.Price, start, end, today, after); err != nil {
			return nil, err
		}
		if !periodChange {
			if q.Charge, err = unusedValue(pl.price, start, end, today, after); err != nil {
				return nil, err
			}
		}
	} else if !periodChange {
		// Past its expiry nothing paid is left to reprice: the next
		// renewal charges the new price.
		q.EffectiveOn = today
	}
	// A service past its expiry starts its new period there, so that the
	// days it has not paid for are not given away.
	if periodChange {
		q.Charge = pl.price
		q.ExpiresOn = pl.period.AddTo(q.EffectiveOn)
	}
	net, err := q.Charge.Sub(q.Credit)
	if err != nil {
		return nil, err
	}
	q.Net = net
	return q, nil
}

// paidPeriodAt returns the period of svc's paid time that day falls in,
// [start, end), and how many whole paid periods follow it until the
// expiry. Periods count from the anchor, as renewals do; a service whose
// expiry is not where its anchor and periods put it (imported, or changed
// by hand) counts them back from its expiry. A day before the paid time
// falls in its first period.
func paidPeriodAt(svc *Service, day billkit.Date) (start, end billkit.Date, after int) {
	if svc.PeriodsPaid >= 1 && svc.Period.Advance(svc.AnchorOn, svc.PeriodsPaid) == svc.ExpiresOn {
		for k := svc.PeriodsPaid - 1; ; k-- {
			start = svc.Period.Advance(svc.AnchorOn, k)
			if k == 0 || !day.Before(start) {
				return start, svc.Period.Advance(svc.AnchorOn, k+1), svc.PeriodsPaid - 1 - k
			}
		}
	}
	for k := 0; ; k++ {
		start = svc.Period.Advance(svc.ExpiresOn, -(k + 1))
		if k >= maxCatchUp || !day.Before(start) {
			return start, svc.Period.Advance(svc.ExpiresOn, -k), k
		}
	}
}

// unusedValue is what the paid time from day on is worth at price: the
// rest of the period [start, end) prorated by day, and after whole periods.
func unusedValue(price billkit.Money, start, end, day billkit.Date, after int) (billkit.Money, error) {
	if day.Before(start) {
		day = start
	}
	part, err := catalog.ProrateDates(price, start, end, day, end, billkit.RoundHalfUp)
	if err != nil {
		return billkit.Money{}, err
	}
	return part.Amount.Add(price.MulInt(int64(after)))
}

// changeView is what a change changes of a service, for its history.
type changeView struct {
	TariffID      catalog.TariffID              `json:"tariff_id"`
	Period        catalog.Period                `json:"period"`
	Addons        map[string]catalog.AddonValue `json:"addons"`
	Price         billkit.Money                 `json:"price"`
	Special       bool                          `json:"special_price"`
	AnchorOn      billkit.Date                  `json:"anchor_on"`
	PeriodsPaid   int                           `json:"periods_paid"`
	ExpiresOn     billkit.Date                  `json:"expires_on"`
	PendingChange *PendingChange                `json:"pending_change,omitempty"`
}

func changeViewOf(svc *Service) changeView {
	return changeView{
		TariffID: svc.TariffID, Period: svc.Period, Addons: maps.Clone(svc.Addons), Price: svc.Price, Special: svc.Special,
		AnchorOn: svc.AnchorOn, PeriodsPaid: svc.PeriodsPaid, ExpiresOn: svc.ExpiresOn, PendingChange: svc.PendingChange,
	}
}

// changeNow makes a change under the policy now, in tx, on svc (locked):
// the net charged or credited, the period bought recorded, the service
// switched and its OpChange task queued.
func (m *Manager) changeNow(ctx context.Context, tx Store, actor billkit.Actor, svc *Service, pl *changePlan, q *ChangeQuote, expense billing.ExpenseID) error {
	periodChange := pl.period != svc.Period
	memo := fmt.Sprintf("change from %s: credited %s, charged %s", q.EffectiveOn, q.Credit, q.Charge)
	if pl.memo != "" {
		memo += "; " + pl.memo
	}
	var charged billing.ExpenseID
	switch {
	case q.Net.IsPositive():
		x, err := m.cfg.Billing.ChargeTx(ctx, tx.Billing(), chargeActor(actor, svc.ClientID), billing.ChargeParams{
			ID: expense, ClientID: svc.ClientID, Kind: billing.ExpensePeriod, Amount: q.Net,
			Description: changeDescription(svc, pl, q), CauseType: CauseService, CauseID: svc.ID.String(),
			PeriodStart: q.EffectiveOn, PeriodEnd: q.ExpiresOn,
		})
		if billkit.HasReason(err, billing.ReasonInsufficientFunds) {
			return billkit.WrapError(err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds,
				fmt.Sprintf("the balance does not cover the change's %s", q.Net))
		}
		if err != nil {
			return err
		}
		charged = x.ID
	case q.Net.IsNegative():
		// What the client paid for and no longer gets is money on its
		// balance, as an adjustment of what the service cost.
		credit := actor.WithRights(svc.ClientID, billkit.R(billing.FunctionLedger, billkit.OpCreate))
		if _, err := m.cfg.Billing.PostTx(ctx, tx.Billing(), credit, billing.PostParams{
			ClientID: svc.ClientID, Amount: q.Net.Neg(), Kind: billing.LedgerAdjustment, CauseType: CauseService,
			CauseID: svc.ID.String(), Memo: changeDescription(svc, pl, q),
		}); err != nil {
			return err
		}
	}
	if periodChange {
		amount := q.Net
		if amount.IsNegative() {
			amount = billkit.Zero(amount.Currency())
		}
		r := &Renewal{
			ServiceID: svc.ID, PeriodStart: q.EffectiveOn, PeriodEnd: q.ExpiresOn, ClientID: svc.ClientID,
			Amount: amount, ExpenseID: charged, Kind: RenewalChange, CreatedAt: m.now(),
		}
		// On the first day of a period, the period's own row holds the
		// key: the change leaves it as the record of that day, and its
		// charge, credit and history tell the rest. A savepoint, since on
		// PostgreSQL a refused insert spoils the transaction around it.
		err := tx.InTx(ctx, func(tx Store) error { return tx.InsertRenewal(ctx, r) })
		if err != nil && !billkit.HasReason(err, "renewal.exists") {
			return err
		}
	}
	was := cloneService(svc)
	_, err := m.startOp(ctx, tx, actor, svc, OpChange, changeInput(pl.tariff.Code, pl.period, pl.addons), memo, moduleOf(pl.pt), func(s *Service) error {
		s.TariffID, s.Period, s.Addons, s.Price, s.Special, s.PendingChange = pl.tariff.ID, pl.period, maps.Clone(pl.addons), pl.price, false, nil
		if periodChange {
			s.AnchorOn, s.PeriodsPaid, s.ExpiresOn = q.EffectiveOn, 1, q.ExpiresOn
		}
		return m.event(ctx, tx, actor, s, "change", "", "", changeViewOf(was), changeViewOf(s), memo)
	})
	return err
}

// changeInput is what the module receives of a change (Request.Change).
func changeInput(tariff string, period catalog.Period, addons map[string]catalog.AddonValue) Change {
	return Change{Tariff: tariff, Period: period, Addons: maps.Clone(addons)}
}

// changeDescription is the text of a change's charge or credit.
func changeDescription(svc *Service, pl *changePlan, q *ChangeQuote) string {
	name := svc.Name
	if len(name) > 200 {
		name = name[:200] + "…"
	}
	var to []string
	if pl.tariff.ID != svc.TariffID {
		to = append(to, pl.tariff.Code)
	}
	if pl.period != svc.Period {
		to = append(to, string(pl.period))
	}
	if !sameAddons(pl.addons, svc.Addons) {
		to = append(to, "addons")
	}
	return fmt.Sprintf("%s: change to %s from %s (credit %s, charge %s)", name, strings.Join(to, ", "), q.EffectiveOn, q.Credit, q.Charge)
}

// keepPendingChange stores the change on svc (locked) for its next
// renewal, replacing one that waits already.
func (m *Manager) keepPendingChange(ctx context.Context, tx Store, actor billkit.Actor, svc *Service, pl *changePlan) error {
	now := m.now()
	before := cloneService(svc)
	svc.PendingChange = &PendingChange{
		TariffID: pl.tariff.ID, Tariff: pl.tariff.Code, Period: pl.period, Addons: maps.Clone(pl.addons), Price: pl.price,
		EffectiveOn: svc.ExpiresOn, ActorKind: actor.Kind, ActorID: actor.ID, At: now, Memo: pl.memo,
	}
	svc.UpdatedAt = now
	return m.saveService(ctx, tx, actor, before, svc, "change_pending", pl.memo)
}

// dueChange returns the pending change that the renewal of p applies: one
// waiting for a renewal that starts on or after its day, of a service
// that is active (a service resumed by its renewal keeps the change for
// the next one: the resumption is the operation under way).
func dueChange(svc *Service, p PaidPeriod) *PendingChange {
	pc := svc.PendingChange
	if pc == nil || svc.Status != StatusActive || p.Start.Before(pc.EffectiveOn) {
		return nil
	}
	return pc
}

// switchToPending gives svc the configuration of its pending change pc
// for the renewal of p, and returns the period the renewal pays: p, or,
// when the change brings another period, one new period from p's start.
func switchToPending(svc *Service, pc *PendingChange, p PaidPeriod) PaidPeriod {
	if pc.Period != svc.Period {
		p = PaidPeriod{Start: p.Start, End: pc.Period.AddTo(p.Start), Reanchor: true}
	}
	svc.TariffID, svc.Period, svc.Addons, svc.Price, svc.Special, svc.PendingChange =
		pc.TariffID, pc.Period, maps.Clone(pc.Addons), pc.Price, false, nil
	if svc.Addons == nil {
		svc.Addons = map[string]catalog.AddonValue{}
	}
	return p
}

// nextPeriodPrice is what svc's next renewal charges: the price of a
// pending change the renewal applies, else the service's price. The
// cycle's paper runs (a dry run, Timeline) price a renewal with it.
func nextPeriodPrice(svc *Service) billkit.Money {
	if pc := dueChange(svc, PaidPeriod{Start: svc.ExpiresOn}); pc != nil {
		return pc.Price
	}
	return svc.Price
}
