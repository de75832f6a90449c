package provisioning_test

import (
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/storetest"
)

// invoicedClient creates a client who pays its renewals by invoice, with
// no money and, when withPayer, a default payer.
func (e *env) invoicedClient(t *testing.T, withPayer bool) *billing.Client {
	t.Helper()
	c, err := e.bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: e.prov.ID, Name: "Invoiced",
		Settings: billing.Settings{provisioning.SettingRenewalPayBy: []byte(`"invoice"`)}})
	if err != nil {
		t.Fatal(err)
	}
	if withPayer {
		e.payer(t, c.ID)
	}
	return c
}

// renewalNotices lists the renewal invoices recorded for a service.
func (e *env) renewalNotices(t *testing.T, id provisioning.ServiceID) []provisioning.Notice {
	t.Helper()
	page, err := e.st.Provisioning().ListNotices(ctx, provisioning.NoticeFilter{ServiceID: id})
	if err != nil {
		t.Fatal(err)
	}
	var out []provisioning.Notice
	for _, n := range page.Items {
		if !n.InvoiceID.IsZero() {
			out = append(out, n)
		}
	}
	return out
}

func TestRenewalInvoiceIsAProforma(t *testing.T) {
	e := newShopEnv(t, withConfig(func(c *provisioning.Config) { c.NoticeDays = []int{3} }))
	c := e.invoicedClient(t, true)
	e.topUp(t, c.ID, "10.00")
	id := e.order(t, c.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	e.drainTasks(t)
	svc := e.service(t, id)
	expires := svc.ExpiresOn
	invoiceDay := expires.AddDays(-10)
	if sum := e.upTo(t, invoiceDay.AddDays(-1)); sum.Invoices != 0 {
		t.Fatalf("before the invoice day: %+v", sum)
	}
	e.clock.Advance(24 * time.Hour)
	proformas := func() int {
		return e.count(t, "billkit_invoices", "client_id = ? AND type = ?", c.ID, billing.InvoiceProforma)
	}

	// The dry run says the invoice is due, and issues nothing.
	dry, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{DryRun: true})
	if err != nil || dry.Invoices != 1 || proformas() != 0 {
		t.Fatalf("dry run = %+v, %v; %d proformas", dry, err, proformas())
	}
	if rep := e.cycle(t); rep.Invoices != 1 {
		t.Fatalf("invoice day: %+v", rep)
	}
	// Once: a second run on the day, and a rerun an hour later, issue
	// nothing more.
	if rep := e.cycle(t); rep.Invoices != 0 {
		t.Fatalf("second run: %+v", rep)
	}
	e.clock.Advance(time.Hour)
	if rep := e.cycle(t); rep.Invoices != 0 {
		t.Fatalf("rerun: %+v", rep)
	}
	ns := e.renewalNotices(t, id)
	if len(ns) != 1 || ns[0].ExpiresOn != expires || ns[0].DaysBefore != 10 || proformas() != 1 {
		t.Fatalf("renewal notices %+v, %d proformas", ns, proformas())
	}
	inv := e.invoice(t, ns[0].InvoiceID)
	l := inv.Lines[0]
	if inv.Type != billing.InvoiceProforma || inv.Status != billing.InvoiceIssued || len(inv.Lines) != 1 || !l.Advance ||
		l.ProductType != "vps" || !l.Gross.Equal(svc.Price) || !inv.Totals.Gross.Equal(usd("10.00")) ||
		!strings.Contains(l.Description, svc.Name) || !strings.Contains(l.Description, expires.String()) {
		t.Fatalf("renewal proforma = %+v", inv)
	}

	// Paid, its money waits on the balance; the renewal at expiry takes it.
	e.payInvoice(t, c.ID, inv.ID, "10.00")
	if e.expenses(t, c.ID) != 1 || !e.balance(t, c.ID).Equal(usd("10.00")) {
		t.Fatalf("%d charges, balance %s", e.expenses(t, c.ID), e.balance(t, c.ID))
	}
	if sum := e.upTo(t, expires); sum.Renewals != 1 || sum.Unpaid != 0 || sum.Invoices != 0 {
		t.Fatalf("at expiry: %+v", sum)
	}
	if s := e.service(t, id); s.Status != provisioning.StatusActive || s.ExpiresOn != expires.AddMonths(1) {
		t.Fatalf("renewed service = %+v", s)
	}
	if e.expenses(t, c.ID) != 2 || !e.balance(t, c.ID).IsZero() || e.invoice(t, inv.ID).Status != billing.InvoicePaid {
		t.Fatalf("%d charges, balance %s, proforma %s", e.expenses(t, c.ID), e.balance(t, c.ID), e.invoice(t, inv.ID).Status)
	}
	// The next period gets its own.
	if sum := e.upTo(t, expires.AddMonths(1).AddDays(-10)); sum.Invoices != 1 || len(e.renewalNotices(t, id)) != 2 {
		t.Fatalf("next period: %+v", sum)
	}
}

// TestRenewalPaidWithoutItsProformaVoidsIt: a client who pays by invoice
// but has the money on its balance is renewed from it; the proforma asked
// for a period now paid, so it is voided rather than left to fall
// overdue. At expiry (the cycle) and early (RenewService) alike.
func TestRenewalPaidWithoutItsProformaVoidsIt(t *testing.T) {
	for _, early := range []bool{false, true} {
		name := "at expiry"
		if early {
			name = "early"
		}
		t.Run(name, func(t *testing.T) {
			e := newShopEnv(t, withConfig(func(c *provisioning.Config) { c.NoticeDays = []int{} }))
			c := e.invoicedClient(t, true)
			e.topUp(t, c.ID, "10.00")
			id := e.order(t, c.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
			e.drainTasks(t)
			expires := e.service(t, id).ExpiresOn
			if sum := e.upTo(t, expires.AddDays(-10)); sum.Invoices != 1 {
				t.Fatalf("invoice day: %+v", sum)
			}
			ns := e.renewalNotices(t, id)
			if len(ns) != 1 {
				t.Fatalf("renewal notices %+v", ns)
			}
			e.topUp(t, c.ID, "10.00")
			if early {
				if _, err := e.mgr.RenewService(ctx, customer(c.ID), id); err != nil {
					t.Fatal(err)
				}
			} else if sum := e.upTo(t, expires); sum.Renewals != 1 {
				t.Fatalf("at expiry: %+v", sum)
			}
			if s := e.service(t, id); s.ExpiresOn != expires.AddMonths(1) {
				t.Fatalf("service expires on %s, want %s", s.ExpiresOn, expires.AddMonths(1))
			}
			if st := e.invoice(t, ns[0].InvoiceID).Status; st != billing.InvoiceVoid {
				t.Fatalf("the proforma of the period paid from the balance is %s, want void", st)
			}
		})
	}
}

// TestRenewalInvoiceBillingRefusesIsRetried runs on SQLite and on
// PostgreSQL, where a refusal in a savepoint must leave the batch's
// transaction usable.
func TestRenewalInvoiceBillingRefusesIsRetried(t *testing.T) {
	cfg := withConfig(func(c *provisioning.Config) { c.NoticeDays = []int{10, 3} })
	t.Run("sqlite", func(t *testing.T) { renewalInvoiceRetried(t, newShopEnv(t, cfg)) })
	t.Run("postgres", func(t *testing.T) { renewalInvoiceRetried(t, newShopEnv(t, cfg, onStore(storetest.NewPostgres(t)))) })
}

func renewalInvoiceRetried(t *testing.T, e *env) {
	// A client who pays from the balance, whose reminder is due the same
	// run: the refusal for the other client leaves it done.
	other := e.order(t, e.client.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	c := e.invoicedClient(t, false)
	e.topUp(t, c.ID, "10.00")
	id := e.order(t, c.ID, e.vpsItem(1, "1")).Items[0].ServiceIDs[0]
	e.drainTasks(t)
	expires := e.service(t, id).ExpiresOn
	e.clock.Set(expires.AddDays(-10).In(time.UTC).Add(12 * time.Hour))

	// No payer: billing cannot issue it; nothing is recorded, the run says why.
	rep, err := e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Invoices != 0 || len(rep.Failures) != 1 || rep.Failures[0].ServiceID != id || rep.Failures[0].Reason != "invoice.no_payer" {
		t.Fatalf("report = %+v", rep)
	}
	if n := e.count(t, "billkit_service_notices", "service_id = ?", other); n != 1 || rep.Notices != 1 {
		t.Fatalf("the other service's reminders: %d recorded, %d in the report", n, rep.Notices)
	}
	if n := e.count(t, "billkit_service_notices", "service_id = ?", id) + e.count(t, "billkit_invoices", "client_id = ?", c.ID); n != 0 {
		t.Fatalf("%d rows written", n)
	}
	// Once billing can, the next run issues it.
	e.payer(t, c.ID)
	if rep := e.cycle(t); rep.Invoices != 1 || len(e.renewalNotices(t, id)) != 1 {
		t.Fatalf("retried: %+v", rep)
	}
}

func TestTimelineIssuesNoRenewalInvoice(t *testing.T) {
	e := newShopEnv(t)
	c := e.invoicedClient(t, true)
	e.topUp(t, c.ID, "10.00")
	e.order(t, c.ID, e.vpsItem(1, "1"))
	e.drainTasks(t)
	tl, err := e.mgr.Timeline(ctx, system, c.ID, 60)
	if err != nil {
		t.Fatal(err)
	}
	invoices := 0
	for _, d := range tl.Days {
		for _, ev := range d.Events {
			if ev.Step.Kind == provisioning.StepInvoice {
				invoices++
			}
		}
	}
	// The client has no money: the renewal goes unpaid, and the service
	// is suspended before a second invoice.
	if invoices != 1 || e.count(t, "billkit_invoices", "client_id = ?", c.ID) != 0 {
		t.Fatalf("%d invoices on the timeline, %d documents", invoices, e.count(t, "billkit_invoices", "client_id = ?", c.ID))
	}
}
