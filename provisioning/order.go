package provisioning

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// Limits of an order.
const (
	// MaxOrderItems is the most lines one order has.
	MaxOrderItems = 50
	// MaxOrderServices is the most services one order creates, all lines
	// together: they are all created, charged and queued in one
	// transaction.
	MaxOrderServices = 100
)

// Reasons of the errors of orders.
const (
	ReasonTariffArchived      = "provisioning.tariff_archived"
	ReasonPeriodNotOffered    = "provisioning.period_not_offered"
	ReasonDomainRequired      = "provisioning.domain_required"
	ReasonDomainInvalid       = "provisioning.domain_invalid"
	ReasonOSImageUnknown      = "provisioning.os_image_unknown"
	ReasonDatacenterUnknown   = "provisioning.datacenter_unknown"
	ReasonAgreementRequired   = "provisioning.agreement_required"
	ReasonTariffNotForGroup   = "provisioning.tariff_not_for_group"
	ReasonLimitPerClient      = "provisioning.limit_per_client"
	ReasonOutOfStock          = "provisioning.out_of_stock"
	ReasonOrderTooLarge       = "provisioning.order_too_large"
	ReasonClientNotActive     = "provisioning.client_not_active"
	ReasonOrderNotNew         = "provisioning.order_not_new"
	ReasonOrderExpired        = "provisioning.order_expired"
	ReasonPayByUnknown        = "provisioning.pay_by_unknown"
	ReasonQuantityOutOfRange  = "provisioning.quantity_out_of_range"
	ReasonOneDomainPerService = "provisioning.domain_quantity"
)

// ReasonDatacenterNotOffered is the reason for a client's choice of a
// datacenter its tariff does not offer (catalog.Tariff.Datacenters).
const ReasonDatacenterNotOffered = "provisioning.datacenter_not_offered"

// CreateOrderParams order services for a client.
type CreateOrderParams struct {
	ClientID billkit.ClientID `json:"client_id"`
	// PayBy is how the order is paid; "" is PayByBalance.
	PayBy PayBy `json:"pay_by,omitempty"`
	// MethodID is, with PayByGateway, the payment method the client pays
	// with: the order's payment is created with it (see CreateOrder). It
	// may be left out and named later, to StartOrderPayment.
	MethodID billing.PaymentMethodID `json:"method_id,omitzero"`
	Items    []OrderItemParams       `json:"items"`
}

// OrderItemParams are one line of an order: Quantity services of a tariff
// for a period, configured alike.
type OrderItemParams struct {
	TariffID catalog.TariffID `json:"tariff_id"`
	Period   catalog.Period   `json:"period"`
	// Quantity is how many services; 0 is 1.
	Quantity int `json:"quantity,omitempty"`
	// Addons are the values of the tariff's addons by code; those left out
	// take their defaults.
	Addons map[string]catalog.AddonValue `json:"addons,omitempty"`
	// OSImage is the code of an OS image the tariff offers.
	OSImage string `json:"os_image,omitempty"`
	// Domain is required where the product type needs one (a domain, or a
	// type whose service names are made of it).
	Domain string `json:"domain,omitempty"`
	// DatacenterID is the datacenter chosen; zero (and no Datacenter)
	// lets the placement choose. A client chooses only among the
	// datacenters its tariff offers (catalog.Tariff.Datacenters); staff
	// may choose any enabled datacenter of the provider.
	DatacenterID DatacenterID `json:"datacenter_id,omitzero"`
	// Datacenter is the chosen datacenter by its code, as the storefront
	// shows the tariff's (catalog.PublicTariff.Datacenters); given with
	// DatacenterID, both must name the same datacenter.
	Datacenter string `json:"datacenter,omitempty"`
	// Agreements are the codes of the agreements the client accepted: all
	// those the tariff requires.
	Agreements []string `json:"agreements,omitempty"`
	PromoCode  string   `json:"promo_code,omitempty"`
}

// orderLine is what paying an item needs of the catalog, read before the
// transaction (the catalog may live elsewhere, and a store may have one
// connection).
type orderLine struct {
	tariff *catalog.Tariff
	pt     *catalog.ProductType
}

// orderPlan is an order's client and the catalog of its items.
type orderPlan struct {
	client   *billing.Client
	provider *billing.Provider
	lines    []orderLine
}

// CreateOrder orders services for a client, priced by billing's
// PriceOrder (the one place prices are assembled), item by item; the
// order's Total is the sum of the items' prices.
//
// Every item is checked, and every problem reported at once, as an invalid
// error naming the field ("items[2].period", "items[0].addons[ram].quantity"):
// a tariff that is not the provider's, archived, or not for the client's
// group; a period the tariff has no price for (or hourly: hourly services
// are billed by their usage); addon values outside the addon's limits; a
// missing or malformed domain where the product type needs one; an OS
// image the tariff does not offer; a datacenter that is not the
// provider's or is disabled, or (for a client) that the tariff does not
// offer; an agreement the tariff requires and the
// client did not accept; more services than Tariff.LimitPerClient or
// Tariff.Stock allow; a promo code that cannot be used.
//
// The items' quantities are taken from their tariffs' Stock in the order's
// transaction, atomically: of clients ordering the last units at once one
// gets them, and the others get the same invalid error on
// "items[i].quantity" (ReasonOutOfStock) with nothing written. Cancelling
// the order while it is new (CancelOrder, or its expiry) gives them back;
// a paid order keeps them.
//
// PayByBalance pays the order at once, in the same transaction, from the
// client's balance within its credit limit (see PayOrder); when the
// balance does not cover it the error is billing's failed_precondition
// billing.insufficient_funds and nothing is written. PayByInvoice and
// PayByGateway leave the order new until Config.OrderTTL has passed: the
// client's payment credits the balance, and the order is paid from there,
// by PayOrder, by PayOrdersOfPayment as soon as the payment it was for is
// paid, or by the cycle once the balance covers it. PayByGateway with
// p.MethodID also creates, in the same transaction, billing's payment of
// the order's Total with that method (Order.PaymentID), new, for
// StartOrderPayment to start at the gateway (PlaceOrder does both); a
// method that cannot pay the order (unknown, disabled, the balance, in
// another currency than the order's, outside its limits) is an invalid
// error on "method_id" and nothing is written. A gateway order that costs
// nothing is paid at once, as by balance. PayByInvoice also
// issues, in the same transaction, a proforma of one advance line per item
// whose gross is the order's Total (Order.InvoiceID): paying it credits the
// balance and charges nothing, the order charges once when it is paid. A
// client billing cannot invoice (billing's invoice.no_payer, say) gets
// billing's error and nothing is written. The proforma is voided when the
// order is cancelled, or paid while nothing was paid on it.
//
// It needs provisioning.order:create on the client (customers: their own
// clients; others get client.not_found). A client that is not active is
// failed_precondition ReasonClientNotActive.
func (m *Manager) CreateOrder(ctx context.Context, actor billkit.Actor, p CreateOrderParams) (*Order, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required")
	if p.PayBy == "" {
		p.PayBy = PayByBalance
	}
	v.Check(slices.Contains(PayBys(), p.PayBy), "pay_by", ReasonPayByUnknown,
		"must be balance, invoice or gateway")
	v.Check(p.MethodID.IsZero() || p.PayBy == PayByGateway, "method_id", ReasonMethodWithoutGateway, "is only for pay_by gateway")
	checkOrderShape(&v, p.Items)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionOrder, billkit.OpCreate), p.ClientID, billkit.NotFound("client", p.ClientID)); err != nil {
		return nil, err
	}
	plan, err := m.orderClient(ctx, p.ClientID)
	if err != nil {
		return nil, err
	}
	if plan.client.Status != billing.ClientStatusActive {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonClientNotActive, "client %s is %s and cannot order", plan.client.Number, plan.client.Status)
	}
	now := m.now()
	today := plan.provider.Today(now)
	o := &Order{
		ID: billkit.NewID[Order](), ProviderID: plan.client.ProviderID, ClientID: plan.client.ID, Status: OrderNew, PayBy: p.PayBy,
		Items: make([]OrderItem, len(p.Items)), Total: billkit.Zero(plan.client.Currency), CreatedAt: now, UpdatedAt: now,
	}
	_, staff := actor.VisibleClients()
	ck := &orderChecks{m: m, plan: plan, today: today, counts: map[catalog.TariffID]int{}, staff: staff}
	for i, it := range p.Items {
		line, item, err := ck.item(ctx, &v, fmt.Sprintf("items[%d]", i), it)
		if err != nil {
			return nil, err
		}
		plan.lines = append(plan.lines, line)
		if item != nil {
			item.ID = billkit.NewID[OrderItem]()
			o.Items[i] = *item
			if sum, err := o.Total.Add(item.Price); err == nil {
				o.Total = sum
			} else {
				v.Add(fmt.Sprintf("items[%d]", i), "provisioning.currency_mismatch", err.Error())
			}
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if p.PayBy != PayByBalance {
		o.CancelAt = now.Add(m.cfg.OrderTTL)
	}
	err = m.store.InTx(ctx, func(tx Store) error {
		if err := takeOrderStock(ctx, tx, o, plan); err != nil {
			return err
		}
		if err := m.orderProforma(ctx, tx, actor, o, plan); err != nil {
			return err
		}
		if err := m.orderPaymentTx(ctx, tx, actor, o, p.MethodID); err != nil {
			return err
		}
		if err := tx.InsertOrder(ctx, o); err != nil {
			return err
		}
		if err := record(ctx, tx, actor, now, FunctionOrder, "create", o.ID.String(), o.ClientID, nil, o); err != nil {
			return err
		}
		if p.PayBy == PayByBalance || freeByGateway(o) {
			return m.payOrderTx(ctx, tx, actor, o, plan, today)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// checkOrderShape checks what needs no catalog: the number of items and
// services, periods, quantities.
func checkOrderShape(v *billkit.FieldErrors, items []OrderItemParams) {
	if !v.Check(len(items) > 0, "items", "required", "at least one item is required") {
		return
	}
	if !v.Check(len(items) <= MaxOrderItems, "items", ReasonOrderTooLarge, fmt.Sprintf("at most %d items", MaxOrderItems)) {
		return
	}
	total := 0
	for i, it := range items {
		f := fmt.Sprintf("items[%d]", i)
		v.Check(!it.TariffID.IsZero(), f+".tariff_id", "required", "is required")
		if v.Check(it.Period != "", f+".period", "required", "is required") {
			v.Check(it.Period.Valid(), f+".period", catalog.ReasonPeriodUnknown, fmt.Sprintf("%q is not a period", string(it.Period)))
		}
		q := it.Quantity
		if q == 0 {
			q = 1
		}
		v.Check(q >= 1 && q <= MaxOrderServices, f+".quantity", ReasonQuantityOutOfRange, fmt.Sprintf("must be from 1 to %d", MaxOrderServices))
		total += max(q, 0)
	}
	v.Check(total <= MaxOrderServices, "items", ReasonOrderTooLarge, fmt.Sprintf("an order creates at most %d services", MaxOrderServices))
}

// orderClient reads an order's client and its provider.
func (m *Manager) orderClient(ctx context.Context, id billkit.ClientID) (*orderPlan, error) {
	c, err := m.cfg.Billing.GetClient(ctx, selfActor, id)
	if err != nil {
		return nil, err
	}
	pr, err := m.cfg.Billing.GetProvider(ctx, selfActor, c.ProviderID)
	if err != nil {
		return nil, err
	}
	return &orderPlan{client: c, provider: pr}, nil
}

// orderChecks checks an order's items against the catalog, one after the
// other, remembering what the earlier items took (a tariff's limit per
// client counts the whole order).
type orderChecks struct {
	m      *Manager
	plan   *orderPlan
	today  billkit.Date
	counts map[catalog.TariffID]int
	// staff may choose any datacenter; a client, those the tariff offers.
	staff bool
	// agreements and images are the provider's, read once; datacenters
	// too, when an item chooses one.
	agreements  []catalog.Agreement
	images      []catalog.OSImage
	datacenters []Datacenter
	read        bool
}

// item checks one item and prices it. Problems with the input are added to
// v, and the item is nil when there were any; the error is for the rest.
func (ck *orderChecks) item(ctx context.Context, v *billkit.FieldErrors, f string, it OrderItemParams) (orderLine, *OrderItem, error) {
	m, c := ck.m, ck.plan.client
	errs := v.Len()
	t, err := m.cfg.Catalog.GetTariff(ctx, selfActor, it.TariffID)
	switch {
	case billkit.IsCode(err, billkit.CodeNotFound) || err == nil && t.ProviderID != c.ProviderID:
		v.Add(f+".tariff_id", "tariff.not_found", "is not a tariff of the client's provider")
		return orderLine{}, nil, nil
	case err != nil:
		return orderLine{}, nil, err
	}
	pt, err := m.cfg.Catalog.GetProductType(ctx, selfActor, t.ProductTypeID)
	if err != nil {
		return orderLine{}, nil, err
	}
	line := orderLine{tariff: t, pt: pt}
	q := max(it.Quantity, 1)

	v.Check(t.Status != catalog.TariffArchived, f+".tariff_id", ReasonTariffArchived, fmt.Sprintf("tariff %s is no longer sold", t.Code))
	group := ""
	if !c.GroupID.IsZero() {
		group = c.GroupID.String()
	}
	v.Check(t.AllowsClientGroup(group), f+".tariff_id", ReasonTariffNotForGroup, fmt.Sprintf("tariff %s is not sold to the client's group", t.Code))
	if _, ok := t.Price(it.Period, t.Currency); !ok || !datePeriod(it.Period) || !pt.AllowsPeriod(it.Period) {
		v.Add(f+".period", ReasonPeriodNotOffered, fmt.Sprintf("tariff %s is not sold for %s (it is for %v)", t.Code, it.Period, orderablePeriods(t)))
	}
	addons := checkAddons(v, f, t, nil, it.Addons)

	domain := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(it.Domain)), ".")
	switch {
	case needsDomain(pt) && domain == "":
		v.Add(f+".domain", ReasonDomainRequired, "is required for "+string(pt.Kind)+" services")
	case domain != "" && !validDomainName(domain):
		v.Add(f+".domain", ReasonDomainInvalid, fmt.Sprintf("%q is not a domain name", it.Domain))
	}
	v.Check(domain == "" || q == 1, f+".quantity", ReasonOneDomainPerService, "a domain names one service: order it once")

	if err := ck.readLists(ctx); err != nil {
		return orderLine{}, nil, err
	}
	if it.OSImage != "" {
		v.Check(slices.ContainsFunc(ck.images, func(o catalog.OSImage) bool { return o.Code == it.OSImage && o.Offers(t) }),
			f+".os_image", ReasonOSImageUnknown, fmt.Sprintf("%q is not an OS image of tariff %s", it.OSImage, t.Code))
	}
	for _, a := range ck.agreements {
		if a.Requires(t.ID) {
			v.Check(slices.Contains(it.Agreements, a.Code), f+".agreements", ReasonAgreementRequired,
				fmt.Sprintf("agreement %s must be accepted to order tariff %s", a.Code, t.Code))
		}
	}
	if it.DatacenterID, err = ck.datacenter(ctx, v, f, t, pt, it); err != nil {
		return orderLine{}, nil, err
	}

	taken := ck.counts[t.ID] + q
	ck.counts[t.ID] = taken
	if t.LimitPerClient > 0 {
		n, err := m.store.CountClientServices(ctx, c.ID, t.ID)
		if err != nil {
			return orderLine{}, nil, err
		}
		v.Check(n+taken <= t.LimitPerClient, f+".quantity", ReasonLimitPerClient,
			fmt.Sprintf("a client has at most %d services of tariff %s; it has %d", t.LimitPerClient, t.Code, n))
	}
	if t.Stock != nil {
		v.Check(taken <= *t.Stock, f+".quantity", ReasonOutOfStock, fmt.Sprintf("%d left of tariff %s", max(*t.Stock, 0), t.Code))
	}
	if v.Len() > errs {
		return line, nil, nil
	}

	price, err := m.cfg.Billing.PriceOrder(ctx, selfActor, billing.OrderPriceParams{
		ClientID: c.ID, TariffID: t.ID, Period: it.Period, Quantity: q, Addons: addons, PromoCode: it.PromoCode, Date: ck.today,
	})
	switch {
	case billkit.IsCode(err, billkit.CodeInvalid):
		v.Merge(f, err)
		return line, nil, nil
	case billkit.IsCode(err, billkit.CodeFailedPrecondition) && strings.HasPrefix(billkit.ErrorReason(err), "promo"):
		v.Add(f+".promo_code", billkit.ErrorReason(err), errorMessage(err))
		return line, nil, nil
	case err != nil:
		return line, nil, err
	}
	recurring, err := recurringPerService(price, q)
	if err != nil {
		return line, nil, err
	}
	return line, &OrderItem{
		TariffID: t.ID, Period: it.Period, Quantity: q, Addons: addons, OSImage: it.OSImage, Domain: domain,
		DatacenterID: it.DatacenterID, Agreements: it.Agreements, PromoCode: it.PromoCode,
		Price: price.Total, Recurring: recurring,
	}, nil
}

// checkAddons checks addon values given for tariff t, adding the problems
// to v under prefix ("items[0]" names "items[0].addons[ram].quantity"), and
// returns the full set of the tariff's values, those left out at their
// defaults (nil when there were problems). An order passes fixed nil: it
// chooses any value within the addons' limits. A client's change of a
// service passes the service's values as fixed: an addon that is not
// Changeable must keep the value it has (its default, for an addon the
// service did not have).
func checkAddons(v *billkit.FieldErrors, prefix string, t *catalog.Tariff, fixed, values map[string]catalog.AddonValue) map[string]catalog.AddonValue {
	full, err := catalog.AddonValues(*t, values)
	if !v.Merge(prefix, err) {
		return nil
	}
	if fixed != nil {
		if _, err := catalog.ChangeAddons(*t, fixed, values); !v.Merge(prefix, err) {
			return nil
		}
	}
	return full
}

// readLists reads the provider's agreements and OS images once, where the
// catalog lists them.
func (ck *orderChecks) readLists(ctx context.Context) error {
	if ck.read {
		return nil
	}
	ck.read = true
	provider := ck.plan.client.ProviderID
	var err error
	ck.agreements, err = billkit.CollectPages(func(cursor string) (billkit.Page[catalog.Agreement], error) {
		return ck.m.cfg.Catalog.ListAgreements(ctx, selfActor, catalog.AgreementFilter{ProviderID: provider,
			PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
	})
	if err != nil {
		return err
	}
	ck.images, err = billkit.CollectPages(func(cursor string) (billkit.Page[catalog.OSImage], error) {
		return ck.m.cfg.Catalog.ListOSImages(ctx, selfActor, catalog.OSImageFilter{ProviderID: provider,
			PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
	})
	return err
}

// datacenter checks the datacenter an item chose, by ID or by code, and
// returns its ID (zero when none was chosen, or on a problem, added to v):
// an enabled datacenter of the provider, with a server that has room when
// the module has servers, and, when a client orders, one of those tariff
// t offers. Room is checked now, not only when the order is paid: an order
// by invoice or gateway must not wait for room that is not there (a
// server may still fill up meanwhile; paying then fails).
func (ck *orderChecks) datacenter(ctx context.Context, v *billkit.FieldErrors, f string, t *catalog.Tariff, pt *catalog.ProductType, it OrderItemParams) (DatacenterID, error) {
	if it.DatacenterID.IsZero() && it.Datacenter == "" {
		return DatacenterID{}, nil
	}
	provider := ck.plan.client.ProviderID
	if ck.datacenters == nil {
		var err error
		ck.datacenters, err = billkit.CollectPages(func(cursor string) (billkit.Page[Datacenter], error) {
			return ck.m.store.ListDatacenters(ctx, DatacenterFilter{ProviderID: provider,
				PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
		})
		if err != nil {
			return DatacenterID{}, err
		}
	}
	field := f + ".datacenter_id"
	if it.DatacenterID.IsZero() {
		field = f + ".datacenter"
	}
	var dc *Datacenter
	for i := range ck.datacenters {
		d := &ck.datacenters[i]
		if d.ID == it.DatacenterID || it.DatacenterID.IsZero() && d.Code == it.Datacenter {
			dc = d
			break
		}
	}
	switch {
	case dc == nil || !dc.Enabled:
		v.Add(field, ReasonDatacenterUnknown, "is not a datacenter open to the client")
		return DatacenterID{}, nil
	case it.Datacenter != "" && dc.Code != it.Datacenter:
		v.Add(f+".datacenter", ReasonDatacenterUnknown, fmt.Sprintf("is not the code of datacenter_id (%s)", dc.Code))
		return DatacenterID{}, nil
	case !ck.staff && !slices.Contains(t.Datacenters, dc.Code):
		msg := fmt.Sprintf("tariff %s does not let clients choose a datacenter", t.Code)
		if len(t.Datacenters) > 0 {
			msg = fmt.Sprintf("tariff %s lets clients choose among %s", t.Code, strings.Join(t.Datacenters, ", "))
		}
		v.Add(field, ReasonDatacenterNotOffered, msg)
		return DatacenterID{}, nil
	}
	if pt.Module != "" {
		configured, room, err := serversWithRoom(ctx, ck.m.store, provider, pt.Module, dc.ID)
		if err != nil {
			return DatacenterID{}, err
		}
		v.Check(!configured || len(room) > 0, field, ReasonNoServer, "has no server with room for this service")
	}
	return dc.ID, nil
}

// orderablePeriods lists the periods a tariff is ordered for.
func orderablePeriods(t *catalog.Tariff) []catalog.Period {
	var out []catalog.Period
	for _, p := range t.Periods() {
		if datePeriod(p) {
			out = append(out, p)
		}
	}
	return out
}

// recurringPerService is what each following period of one of the q
// services costs: the recurring lines of the price with their taxes,
// shared among the services (the smallest share, when they do not divide
// evenly, so that no service pays more than its part).
func recurringPerService(p *billing.OrderPrice, q int) (billkit.Money, error) {
	total := billkit.Zero(p.Total.Currency())
	for i, l := range p.Quote.Lines {
		if !l.Recurring || i >= len(p.Totals.Lines) {
			continue
		}
		sum, err := total.Add(p.Totals.Lines[i].Gross)
		if err != nil {
			return billkit.Money{}, err
		}
		total = sum
	}
	if total.IsNegative() {
		return billkit.Zero(total.Currency()), nil
	}
	parts, err := total.Split(q)
	if err != nil {
		return billkit.Money{}, err
	}
	return parts[len(parts)-1], nil
}

// errorMessage is err's message without its code and reason.
func errorMessage(err error) string {
	if e, ok := err.(*billkit.Error); ok && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

// needsDomain reports whether a product type's services need a domain:
// domains themselves, and types whose service names are made of it.
func needsDomain(pt *catalog.ProductType) bool {
	return pt.Kind == catalog.KindDomain || strings.Contains(pt.ServiceNameTemplate, "{domain}")
}

// validDomainName reports whether s (lower case) is a host name of at least
// two labels: letters, digits and hyphens (IDNs in their xn-- form), no
// label longer than 63 or starting or ending with a hyphen, 253 in all, a
// top-level label that is not all digits.
func validDomainName(s string) bool {
	if len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	_, err := strconv.Atoi(labels[len(labels)-1])
	return err != nil
}

// serviceName names a new service from its product type's template:
// {tariff} is the tariff's name in the client's locale, {domain} the
// domain, {number} the service's number among the client's services of the
// tariff. An empty template names it "{domain}" when it has a domain and
// "{tariff} #{number}" otherwise.
func serviceName(pt *catalog.ProductType, t *catalog.Tariff, locale, domain string, number int) string {
	tpl := pt.ServiceNameTemplate
	if tpl == "" {
		tpl = "{tariff} #{number}"
		if domain != "" {
			tpl = "{domain}"
		}
	}
	tariff := t.Name.Get(locale)
	if tariff == "" {
		tariff = t.Code
	}
	name := strings.NewReplacer("{tariff}", tariff, "{domain}", domain, "{number}", strconv.Itoa(number)).Replace(tpl)
	if name = strings.TrimSpace(name); name == "" {
		name = t.Code
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// payOrderTx pays a new order in tx: for each item and each of its
// Quantity, a service (ordered, placed on a server, its first period
// charged from the balance once, opening queued), then the order is paid.
// A service is never charged without the opening it paid for being
// queued, nor opened without being paid: all of it is one transaction.
// The charge is made with billing's right to charge the client lent to
// actor, and a promo code is used up (billing's RedeemPromoTx) with the
// right to edit the client lent.
func (m *Manager) payOrderTx(ctx context.Context, tx Store, actor billkit.Actor, o *Order, plan *orderPlan, today billkit.Date) error {
	now := m.now()
	before := *o
	for i := range o.Items {
		it := &o.Items[i]
		line := plan.lines[i]
		t := line.tariff
		if t.LimitPerClient > 0 {
			// Again in the transaction: two orders at once must not both
			// pass the check made when they were created.
			n, err := tx.CountClientServices(ctx, o.ClientID, t.ID)
			if err != nil {
				return err
			}
			if n+it.Quantity > t.LimitPerClient {
				return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonLimitPerClient,
					"a client has at most %d services of tariff %s; it has %d", t.LimitPerClient, t.Code, n)
			}
		}
		if it.PromoCode != "" {
			lent := actor.WithRights(o.ClientID, billkit.R(billing.FunctionClient, billkit.OpEdit))
			if _, err := m.cfg.Billing.RedeemPromoTx(ctx, tx.Billing(), lent, it.PromoCode, o.ClientID, o.ID.String()); err != nil {
				return err
			}
		}
		first, err := it.Price.Split(it.Quantity)
		if err != nil {
			return err
		}
		it.ServiceIDs = it.ServiceIDs[:0]
		for k := 0; k < it.Quantity; k++ {
			svc, err := m.orderedService(ctx, tx, actor, o, it, line, plan.client.Locale, today)
			if err != nil {
				return err
			}
			if _, err := m.chargePeriod(ctx, tx, actor, svc, RenewalOrder, svc.AnchorOn, svc.ExpiresOn, first[k]); err != nil {
				return err
			}
			if _, err := m.startOperation(ctx, tx, actor, svc, OpOpen, nil); err != nil {
				return err
			}
			it.ServiceIDs = append(it.ServiceIDs, svc.ID)
		}
	}
	if err := m.voidOrderProforma(ctx, tx, actor, o); err != nil {
		return err
	}
	o.Status, o.PaidAt, o.CancelAt, o.UpdatedAt = OrderPaid, now, time.Time{}, now
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return err
	}
	return record(ctx, tx, actor, now, FunctionOrder, "pay", o.ID.String(), o.ClientID, &before, o)
}

// orderedService creates, in tx, one service of an order's item: ordered,
// paid for its first period from today (AnchorOn today, one period paid),
// renewing itself at the item's recurring price, placed on a server.
func (m *Manager) orderedService(ctx context.Context, tx Store, actor billkit.Actor, o *Order, it *OrderItem, line orderLine, locale string, today billkit.Date) (*Service, error) {
	now := m.now()
	n, err := tx.CountClientServices(ctx, o.ClientID, it.TariffID)
	if err != nil {
		return nil, err
	}
	svc := &Service{
		ID: billkit.NewID[Service](), ProviderID: o.ProviderID, ClientID: o.ClientID, OrderID: o.ID,
		ProductTypeID: line.tariff.ProductTypeID, TariffID: it.TariffID,
		Name:   serviceName(line.pt, line.tariff, locale, it.Domain, n+1),
		Period: it.Period, Status: StatusOrdered,
		AnchorOn: today, PeriodsPaid: 1, ExpiresOn: it.Period.AddTo(today), AutoRenew: true,
		Price: it.Recurring, Addons: cloneAddons(it.Addons), Domain: it.Domain, OSImage: it.OSImage,
		Params: map[string]string{}, CreatedAt: now, UpdatedAt: now,
	}
	if err := m.placeService(ctx, tx, svc, line.pt, it.DatacenterID); err != nil {
		return nil, err
	}
	if err := tx.InsertService(ctx, svc); err != nil {
		return nil, err
	}
	if err := m.event(ctx, tx, actor, svc, "created", "", StatusOrdered, nil, svc, "order "+o.ID.String()); err != nil {
		return nil, err
	}
	if err := record(ctx, tx, actor, now, FunctionService, "create", svc.ID.String(), svc.ClientID, nil, svc); err != nil {
		return nil, err
	}
	return svc, nil
}

func cloneAddons(a map[string]catalog.AddonValue) map[string]catalog.AddonValue {
	out := make(map[string]catalog.AddonValue, len(a))
	for k, v := range a {
		out[k] = v
	}
	return out
}

// orderPlanOf reads what paying an existing order needs: its client and
// provider, and its items' tariffs and product types.
func (m *Manager) orderPlanOf(ctx context.Context, o *Order) (*orderPlan, error) {
	plan, err := m.orderClient(ctx, o.ClientID)
	if err != nil {
		return nil, err
	}
	for _, it := range o.Items {
		t, err := m.cfg.Catalog.GetTariff(ctx, selfActor, it.TariffID)
		if err != nil {
			return nil, err
		}
		pt, err := m.cfg.Catalog.GetProductType(ctx, selfActor, t.ProductTypeID)
		if err != nil {
			return nil, err
		}
		plan.lines = append(plan.lines, orderLine{tariff: t, pt: pt})
	}
	return plan, nil
}

// PayOrder pays a new order from its client's balance (within the credit
// limit), in one transaction, as CreateOrder does for PayByBalance: once
// the client's payment for an order paid by invoice or gateway has
// credited the balance. It needs provisioning.order:edit on the order's
// client (customers: their own; others get order.not_found). An order that
// is not new (paid, completed, cancelled) is failed_precondition
// ReasonOrderNotNew, one past its CancelAt ReasonOrderExpired;
// insufficient funds are billing.insufficient_funds; nothing is written
// then.
func (m *Manager) PayOrder(ctx context.Context, actor billkit.Actor, id OrderID) (*Order, error) {
	o, err := m.orderFor(ctx, actor, id, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	return m.payOrder(ctx, actor, o)
}

// payOrder pays o (as read before the transaction) from the balance.
func (m *Manager) payOrder(ctx context.Context, actor billkit.Actor, o *Order) (*Order, error) {
	if err := orderPayable(o, m.now()); err != nil {
		return nil, err
	}
	plan, err := m.orderPlanOf(ctx, o)
	if err != nil {
		return nil, err
	}
	var out *Order
	err = m.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetOrderForUpdate(ctx, o.ID)
		if err != nil {
			return err
		}
		if err := orderPayable(cur, m.now()); err != nil {
			return err
		}
		if len(cur.Items) != len(plan.lines) {
			return billkit.Errorf(billkit.CodeConflict, "order.changed", "order %s changed while it was being paid", o.ID)
		}
		if err := m.payOrderTx(ctx, tx, actor, cur, plan, plan.provider.Today(m.now())); err != nil {
			return err
		}
		out = cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// orderNotPayableNow reports whether err is an order that is not to be
// paid from the balance now, and is no failure: the balance does not
// cover it, or it was paid, cancelled or expired meanwhile. Those who pay
// orders on their own (the cycle, a payment's hook) pass over it.
func orderNotPayableNow(err error) bool {
	return insufficient(err) || billkit.HasReason(err, ReasonOrderNotNew) || billkit.HasReason(err, ReasonOrderExpired)
}

// orderPayable checks that an order waits for payment at now.
func orderPayable(o *Order, now time.Time) error {
	if o.Status != OrderNew {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonOrderNotNew, "order %s is %s", o.ID, o.Status)
	}
	if !o.CancelAt.IsZero() && !now.Before(o.CancelAt) {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonOrderExpired, "order %s was not paid in time", o.ID)
	}
	return nil
}

// CancelOrder cancels a new order: nothing was charged nor created for it,
// and its proforma, when nothing was paid on it, is voided with it.
// It needs provisioning.order:edit on the order's client (customers: their
// own; others get order.not_found). An order that is not new is
// failed_precondition ReasonOrderNotNew.
func (m *Manager) CancelOrder(ctx context.Context, actor billkit.Actor, id OrderID) (*Order, error) {
	if _, err := m.orderFor(ctx, actor, id, billkit.OpEdit); err != nil {
		return nil, err
	}
	var out *Order
	err := m.store.InTx(ctx, func(tx Store) error {
		var err error
		out, err = m.cancelOrderTx(ctx, tx, actor, id, time.Time{})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cancelOrderTx cancels the order in tx when it is new and, when expiredBy
// is not zero, its CancelAt is before expiredBy.
func (m *Manager) cancelOrderTx(ctx context.Context, tx Store, actor billkit.Actor, id OrderID, expiredBy time.Time) (*Order, error) {
	o, err := tx.GetOrderForUpdate(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.Status != OrderNew {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonOrderNotNew, "order %s is %s", o.ID, o.Status)
	}
	if !expiredBy.IsZero() && (o.CancelAt.IsZero() || !o.CancelAt.Before(expiredBy)) {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonOrderNotNew, "order %s is not due to be cancelled", o.ID)
	}
	if err := m.voidOrderProforma(ctx, tx, actor, o); err != nil {
		return nil, err
	}
	if err := returnOrderStock(ctx, tx, o); err != nil {
		return nil, err
	}
	before := *o
	now := m.now()
	o.Status, o.UpdatedAt = OrderCancelled, now
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return nil, err
	}
	return o, record(ctx, tx, actor, now, FunctionOrder, "cancel", o.ID.String(), o.ClientID, &before, o)
}

// CancelExpiredOrders cancels the new orders whose CancelAt is now or
// earlier (unpaid for Config.OrderTTL), each in its own transaction, and
// returns how many it cancelled. The cycle calls it; the system cancels
// them.
func (m *Manager) CancelExpiredOrders(ctx context.Context, now time.Time) (int, error) {
	actor := billkit.SystemActor("provisioning.cycle")
	// An order expires at its CancelAt (orderPayable): those whose
	// CancelAt is before the next instant a store keeps.
	cutoff := billkit.Instant(now).Add(time.Microsecond)
	f := OrderFilter{Statuses: []OrderStatus{OrderNew}, CancelBefore: cutoff, PageParams: billkit.PageParams{Limit: 200}}
	n := 0
	for {
		page, err := m.store.ListOrders(ctx, f)
		if err != nil {
			return n, err
		}
		for _, o := range page.Items {
			err := m.store.InTx(ctx, func(tx Store) error {
				_, err := m.cancelOrderTx(ctx, tx, actor, o.ID, f.CancelBefore)
				return err
			})
			switch {
			case err == nil:
				n++
			case billkit.HasReason(err, ReasonOrderNotNew):
				// Paid or cancelled meanwhile.
			default:
				return n, err
			}
		}
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			return n, nil
		}
	}
}

// GetOrder returns an order. It needs provisioning.order:read on its
// client (customers: their own; others get order.not_found).
func (m *Manager) GetOrder(ctx context.Context, actor billkit.Actor, id OrderID) (*Order, error) {
	return m.orderFor(ctx, actor, id, billkit.OpRead)
}

// ListOrders lists orders in ID order (oldest first). With f.ClientID it
// needs provisioning.order:read on that client; without, it lists the
// orders of the clients the actor may read (customers: their own).
func (m *Manager) ListOrders(ctx context.Context, actor billkit.Actor, f OrderFilter) (billkit.Page[Order], error) {
	var none billkit.Page[Order]
	if err := actor.Validate(); err != nil {
		return none, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return none, err
	}
	read := billkit.R(FunctionOrder, billkit.OpRead)
	if !f.ClientID.IsZero() {
		if err := actor.AuthorizeClient(read, f.ClientID, billkit.NotFound("client", f.ClientID)); err != nil {
			return none, err
		}
		return m.store.ListOrders(ctx, f)
	}
	ids, all := actor.VisibleClients()
	if all {
		if err := actor.Authorize(read); err != nil {
			return none, err
		}
		return m.store.ListOrders(ctx, f)
	}
	visible := []billkit.ClientID{}
	for _, id := range ids {
		if actor.AuthorizeClient(read, id, nil) == nil && (f.ClientIDs == nil || slices.Contains(f.ClientIDs, id)) {
			visible = append(visible, id)
		}
	}
	f.ClientIDs = visible
	return m.store.ListOrders(ctx, f)
}

// orderServiceOpened completes, in tx, the paid order that created svc
// once none of the order's services is still waiting to be opened: the
// order's last open task calls it when it completes. Services opened,
// deleted or gone on since all count as done.
func (m *Manager) orderServiceOpened(ctx context.Context, tx Store, actor billkit.Actor, svc *Service) error {
	if svc.OrderID.IsZero() {
		return nil
	}
	o, err := tx.GetOrderForUpdate(ctx, svc.OrderID)
	if err != nil {
		return err
	}
	if o.Status != OrderPaid {
		return nil
	}
	for _, it := range o.Items {
		for _, id := range it.ServiceIDs {
			s := svc
			if id != svc.ID {
				if s, err = tx.GetService(ctx, id); err != nil {
					return err
				}
			}
			if s.Status == StatusOrdered || s.Status == StatusProcessing && s.Operation == OpOpen {
				return nil
			}
		}
	}
	before := *o
	now := m.now()
	o.Status, o.UpdatedAt = OrderCompleted, now
	if err := tx.UpdateOrder(ctx, o); err != nil {
		return err
	}
	return record(ctx, tx, actor, now, FunctionOrder, "complete", o.ID.String(), o.ClientID, &before, o)
}
