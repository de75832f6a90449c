package provisioning

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/shopspring/decimal"
)

// The proformas of orders paid by invoice, and of renewals.
//
// Both ask for money in advance lines (billing.InvoiceLineParams.Advance):
// paying the proforma leaves the money on the client's balance, and the
// order (PayOrder, or the cycle once the balance covers it) or the renewal
// at expiry takes it from there, so nothing is charged twice. An advance
// line's price is what will be charged, taxes included: the order's item
// price and the service's price already are.

// maxLineDescription is the most bytes billing takes in a line's
// description.
const maxLineDescription = 1000

// invoiceRights are the rights on the client an order or a renewal lends
// its actor to issue or void the proforma it comes with: a customer who
// orders by invoice gets the invoice without the right to draw one up.
func invoiceRights(actor billkit.Actor, client billkit.ClientID) billkit.Actor {
	return actor.WithRights(client, billkit.R(billing.FunctionInvoice, billkit.OpCreate), billkit.R(billing.FunctionInvoice, billkit.OpEdit))
}

// orderProforma issues, in tx, the proforma of an order paid by invoice,
// one advance line per item, and sets o.InvoiceID; o is not stored yet. An
// order of another way of paying, or that costs nothing, gets none. A
// client billing cannot invoice (no payer, no company) gets billing's
// error.
func (m *Manager) orderProforma(ctx context.Context, tx Store, actor billkit.Actor, o *Order, plan *orderPlan) error {
	if o.PayBy != PayByInvoice || !o.Total.IsPositive() {
		return nil
	}
	names := map[catalog.TariffID]int{}
	lines := make([]billing.InvoiceLineParams, len(o.Items))
	for i := range o.Items {
		l, err := m.orderProformaLine(ctx, tx, o, &o.Items[i], plan.lines[i], plan.client.Locale, names)
		if err != nil {
			return err
		}
		lines[i] = l
	}
	inv, err := m.cfg.Billing.IssueProformaTx(ctx, tx.Billing(), invoiceRights(actor, o.ClientID), billing.CreateInvoiceParams{
		Type: billing.InvoiceProforma, ClientID: o.ClientID, Lines: lines, Memo: "Order " + o.ID.String(),
	})
	if err != nil {
		return err
	}
	o.InvoiceID = inv.ID
	return nil
}

// orderProformaLine is the advance line of an item: "VPS 1, month: VPS 1
// #3", named by the services it will create (numbered after the client's
// services of the tariff and those of the order's earlier items, counted
// in names) or its domain. It is the item's Quantity at the price of one
// service when they cost alike, else one line of the item's whole price:
// either way its amount is the item's Price to the cent.
func (m *Manager) orderProformaLine(ctx context.Context, tx Store, o *Order, it *OrderItem, line orderLine, locale string, names map[catalog.TariffID]int) (billing.InvoiceLineParams, error) {
	n, ok := names[it.TariffID]
	if !ok {
		var err error
		if n, err = tx.CountClientServices(ctx, o.ClientID, it.TariffID); err != nil {
			return billing.InvoiceLineParams{}, err
		}
	}
	what := it.Domain
	if what == "" {
		svcs := make([]string, it.Quantity)
		for k := range svcs {
			svcs[k] = serviceName(line.pt, line.tariff, locale, it.Domain, n+k+1)
		}
		what = strings.Join(svcs, ", ")
	}
	names[it.TariffID] = n + it.Quantity
	tariff := line.tariff.Name.Get(locale)
	if tariff == "" {
		tariff = line.tariff.Code
	}
	l := billing.InvoiceLineParams{
		Description: clip(fmt.Sprintf("%s, %s: %s", tariff, it.Period, what), maxLineDescription),
		Quantity:    decimal.NewFromInt(1), UnitPrice: it.Price, ProductType: line.pt.Code, Advance: true,
	}
	if it.Quantity > 1 {
		if parts, err := it.Price.Split(it.Quantity); err == nil && parts[0].Equal(parts[len(parts)-1]) {
			l.Quantity, l.UnitPrice = decimal.NewFromInt(int64(it.Quantity)), parts[0]
		}
	}
	return l, nil
}

// voidOrderProforma voids, in tx, the proforma of order o when nothing was
// paid on it: the order is paid with money that came another way, or it is
// cancelled. A proforma paid (or partly paid) stays as it is: its money is
// on the balance, where it pays the order or waits.
func (m *Manager) voidOrderProforma(ctx context.Context, tx Store, actor billkit.Actor, o *Order) error {
	if o.InvoiceID.IsZero() {
		return nil
	}
	_, err := m.cfg.Billing.VoidInvoiceTx(ctx, tx.Billing(), invoiceRights(actor, o.ClientID), o.InvoiceID)
	if billkit.HasReason(err, billing.ReasonInvoiceNotVoidable) {
		return nil
	}
	return err
}

// renewalInvoiceID is the ID of the proforma an invoice step issues, made
// before its Notice is stored so that the Notice keeps it; zero for a
// reminder, and for a renewal that costs nothing, which asks for no money.
func renewalInvoiceID(svc *Service, st Step) billing.InvoiceID {
	if st.Kind != StepInvoice || !nextPeriodPrice(svc).IsPositive() {
		return billing.InvoiceID{}
	}
	return billkit.NewID[billing.Invoice]()
}

// renewalProforma issues, in tx, the proforma of the renewal of svc that
// the invoice step st is about, with the ID id: one advance line for the
// next period at its price (nextPeriodPrice), which the renewal at expiry
// takes from the balance once paid. The product type is read through tx:
// the catalog's own store may wait for the connection tx holds.
func (m *Manager) renewalProforma(ctx context.Context, tx Store, actor billkit.Actor, svc *Service, st Step, id billing.InvoiceID) error {
	pt, err := tx.Catalog().GetProductType(ctx, svc.ProductTypeID)
	if err != nil {
		return err
	}
	price := nextPeriodPrice(svc)
	period := svc.Period
	if pc := dueChange(svc, PaidPeriod{Start: svc.ExpiresOn}); pc != nil {
		period = pc.Period
	}
	end := period.AddTo(st.ExpiresOn)
	if period == svc.Period {
		end = nextPeriod(svc, st.On, false).End
	}
	_, err = m.cfg.Billing.IssueProformaTx(ctx, tx.Billing(), invoiceRights(actor, svc.ClientID), billing.CreateInvoiceParams{
		ID: id, Type: billing.InvoiceProforma, ClientID: svc.ClientID, Memo: "Renewal of service " + svc.ID.String(),
		Lines: []billing.InvoiceLineParams{{
			Description: clip(fmt.Sprintf("%s, renewal %s – %s", svc.Name, st.ExpiresOn, end.AddDays(-1)), maxLineDescription),
			Quantity:    decimal.NewFromInt(1), UnitPrice: price, ProductType: pt.Code, Advance: true,
		}},
	})
	return err
}

// clip cuts s to at most n bytes, on a character boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// voidRenewalProformas voids, in tx, the renewal proformas nothing was
// paid on of the periods rs just paid: the balance paid them without the
// proforma's money, and a document left open would fall overdue for a
// period already paid. One read for all of rs (the cycle's fast lane
// passes a batch); paid and partly paid proformas stay as they are.
func (m *Manager) voidRenewalProformas(ctx context.Context, tx Store, actor billkit.Actor, rs []Renewal) error {
	if len(rs) == 0 {
		return nil
	}
	start := make(map[ServiceID]billkit.Date, len(rs))
	ids := make([]ServiceID, 0, len(rs))
	for _, r := range rs {
		if _, ok := start[r.ServiceID]; !ok {
			ids = append(ids, r.ServiceID)
		}
		start[r.ServiceID] = r.PeriodStart
	}
	f := NoticeFilter{ServiceIDs: ids, WithInvoice: true, PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit}}
	for {
		page, err := tx.ListNotices(ctx, f)
		if err != nil {
			return err
		}
		for _, n := range page.Items {
			if n.ExpiresOn != start[n.ServiceID] {
				continue
			}
			_, err := m.cfg.Billing.VoidInvoiceTx(ctx, tx.Billing(), invoiceRights(actor, n.ClientID), n.InvoiceID)
			if err != nil && !billkit.HasReason(err, billing.ReasonInvoiceNotVoidable) {
				return err
			}
		}
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			return nil
		}
	}
}
