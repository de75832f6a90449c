package billing_test

import (
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// advanceLine is an advance line of 1200.00 for a VDS: what an order will
// charge, VAT included.
func advanceLine() billing.InvoiceLineParams {
	l := invLine("VDS L, month: vds-1", "1", "1200.00", "vds")
	l.Advance = true
	return l
}

// proforma issues a proforma of the env's client with lines, in its own
// transaction.
func (e *invEnv) proforma(t *testing.T, lines ...billing.InvoiceLineParams) *billing.Invoice {
	t.Helper()
	var inv *billing.Invoice
	err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		var err error
		inv, err = e.svc.IssueProformaTx(ctx, tx, system, billing.CreateInvoiceParams{ClientID: e.c.ID, Lines: lines})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestAdvanceLineOnlyOnProformas(t *testing.T) {
	e := newInvEnv(t)
	_, err := e.svc.CreateInvoice(ctx, system, billing.CreateInvoiceParams{CompanyID: e.co.ID, ClientID: e.c.ID,
		Lines: []billing.InvoiceLineParams{invLine("Backup", "1", "10.00", "vds"), advanceLine()}})
	wantField(t, err, "lines[1].advance", "invoice.advance_not_proforma")
	withExpense := advanceLine()
	withExpense.ExpenseID = billkit.NewID[billing.Expense]()
	_, err = e.svc.CreateInvoice(ctx, system, billing.CreateInvoiceParams{Type: billing.InvoiceProforma, CompanyID: e.co.ID, ClientID: e.c.ID,
		Lines: []billing.InvoiceLineParams{withExpense}})
	wantField(t, err, "lines[0].advance", "invoice.advance_with_expense")
	// A draft invoice cannot take one either.
	d := e.draft(t)
	_, err = e.svc.UpdateDraftInvoice(ctx, system, d.ID, billing.UpdateInvoiceParams{Lines: []billing.InvoiceLineParams{advanceLine()}})
	wantField(t, err, "lines[0].advance", "invoice.advance_not_proforma")
	if n := e.count(t, "billkit_invoices", "1=1"); n != 1 {
		t.Fatalf("%d documents, want the one draft", n)
	}
}

func TestAdvanceProformaPaidCreditsTheBalance(t *testing.T) {
	e := newInvEnv(t)
	inv := e.proforma(t, advanceLine())
	l := inv.Lines[0]
	// The advance is what will be charged: the VAT is in it.
	if inv.Type != billing.InvoiceProforma || inv.Status != billing.InvoiceIssued || !l.Advance ||
		!l.Net.Equal(rub("1000.00")) || !l.Tax.Equal(rub("200.00")) || !inv.Totals.Gross.Equal(rub("1200.00")) {
		t.Fatalf("proforma = %+v", inv)
	}
	if got := e.get(t, inv.ID); !got.Lines[0].Advance {
		t.Fatal("the advance flag was not kept")
	}
	// Paying from the balance is refused: the money is to reach it.
	_, err := e.svc.PayInvoiceFromBalance(ctx, system, inv.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceAdvance)
	wantStatus(t, e.get(t, inv.ID), billing.InvoiceIssued, "0.00", "0.00")

	wantStatus(t, e.mustPay(t, inv.ID, "500.00"), billing.InvoicePartlyPaid, "500.00", "0.00")
	paid := e.mustPay(t, inv.ID, "700.00")
	wantStatus(t, paid, billing.InvoicePaid, "1200.00", "0.00")
	if !paid.Lines[0].ChargeExpenseID.IsZero() || e.expenses(t) != 0 {
		t.Fatalf("an advance line was charged: %+v, %d expenses", paid.Lines[0], e.expenses(t))
	}
	e.wantBalance(t, e.c.ID, "1200.00")
}

func TestMixedProformaChargesOnlyItsOtherLines(t *testing.T) {
	e := newInvEnv(t)
	// An advance of 1200.00 and a setup fee of 100.00 + 20.00 VAT.
	inv := e.proforma(t, advanceLine(), invLine("Setup", "1", "100.00", "vds"))
	if !inv.Totals.Gross.Equal(rub("1320.00")) {
		t.Fatalf("gross = %s", inv.Totals.Gross)
	}
	_, err := e.svc.PayInvoiceFromBalance(ctx, system, inv.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceAdvance)
	paid := e.mustPay(t, inv.ID, "1320.00")
	if paid.Status != billing.InvoicePaid || !paid.Lines[0].ChargeExpenseID.IsZero() || paid.Lines[1].ChargeExpenseID.IsZero() || e.expenses(t) != 1 {
		t.Fatalf("paid = %+v, %d expenses", paid.Lines, e.expenses(t))
	}
	e.wantBalance(t, e.c.ID, "1200.00")
}

func TestIssueProformaTx(t *testing.T) {
	e := newInvEnv(t)
	// The provider's one company sells when none is named.
	inv := e.proforma(t, advanceLine())
	if inv.CompanyID != e.co.ID || inv.PayerID != e.py.ID || inv.Number == "" || inv.Locale != e.c.Locale || inv.IssueDate.IsZero() {
		t.Fatalf("proforma = %+v", inv)
	}
	for _, name := range []string{"billing.invoice.create", "billing.invoice.issue"} {
		if n := e.actions(t, name, inv.ID.String()); n != 1 {
			t.Errorf("%d %s actions, want 1", n, name)
		}
	}
	// In a transaction that rolls back, nothing stays, not even the number.
	errBack := billkit.Errorf(billkit.CodeInternal, "test.rollback", "roll back")
	var gone *billing.Invoice
	err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		var err error
		if gone, err = e.svc.IssueProformaTx(ctx, tx, system, billing.CreateInvoiceParams{ClientID: e.c.ID,
			Lines: []billing.InvoiceLineParams{advanceLine()}}); err != nil {
			return err
		}
		return errBack
	})
	if err != errBack {
		t.Fatalf("err = %v", err)
	}
	_, err = e.svc.GetInvoice(ctx, system, gone.ID)
	wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
	if next := e.proforma(t, advanceLine()); next.Number != gone.Number {
		t.Fatalf("the next proforma is %s, the rolled back one was %s", next.Number, gone.Number)
	}

	issue := func(actor billkit.Actor, p billing.CreateInvoiceParams) error {
		return e.st.Billing().InTx(ctx, func(tx billing.Store) error {
			_, err := e.svc.IssueProformaTx(ctx, tx, actor, p)
			return err
		})
	}
	lines := []billing.InvoiceLineParams{advanceLine()}
	wantField(t, issue(system, billing.CreateInvoiceParams{Type: billing.InvoiceFinal, ClientID: e.c.ID, Lines: lines}), "type", "invoice.type_not_proforma")
	wantField(t, issue(system, billing.CreateInvoiceParams{Lines: lines}), "client_id", "required")
	wantField(t, issue(system, billing.CreateInvoiceParams{ClientID: e.c.ID, Lines: lines, Locale: "de"}), "locale", "invoice.locale_not_client")
	wantField(t, issue(system, billing.CreateInvoiceParams{ClientID: e.c.ID}), "lines", "required")
	_, err = e.svc.IssueProformaTx(ctx, nil, system, billing.CreateInvoiceParams{ClientID: e.c.ID, Lines: lines})
	wantField(t, err, "tx", "required")
	noPayer := e.client(t, "No payer")
	wantCode(t, issue(system, billing.CreateInvoiceParams{ClientID: noPayer.ID, Lines: lines}), billkit.CodeFailedPrecondition, "invoice.no_payer")
	other := e.client(t, "Other")
	wantCode(t, issue(customer(other.ID), billing.CreateInvoiceParams{ClientID: e.c.ID, Lines: lines}), billkit.CodeNotFound, "client.not_found")
	// A second company: which one sells must be said.
	if _, err := e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{LegalName: "Second LLC", Country: "RU",
		ProviderIDs: []billkit.ProviderID{e.prov.ID}}); err != nil {
		t.Fatal(err)
	}
	wantField(t, issue(system, billing.CreateInvoiceParams{ClientID: e.c.ID, Lines: lines}), "company_id", "required")
	if err := issue(system, billing.CreateInvoiceParams{CompanyID: e.co.ID, ClientID: e.c.ID, Lines: lines}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "billkit_invoices", "client_id <> ?", e.c.ID); n != 0 {
		t.Fatalf("%d documents of other clients", n)
	}
}

func TestVoidInvoiceTx(t *testing.T) {
	e := newInvEnv(t)
	inv := e.proforma(t, advanceLine())
	void := func(id billing.InvoiceID) (*billing.Invoice, error) {
		var out *billing.Invoice
		err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
			var err error
			out, err = e.svc.VoidInvoiceTx(ctx, tx, system, id)
			return err
		})
		return out, err
	}
	voided, err := void(inv.ID)
	if err != nil || voided.Status != billing.InvoiceVoid || voided.VoidedAt.IsZero() {
		t.Fatalf("voided = %+v, %v", voided, err)
	}
	if n := e.actions(t, "billing.invoice.void", inv.ID.String()); n != 1 {
		t.Fatalf("%d void actions", n)
	}
	paid := e.proforma(t, advanceLine())
	e.mustPay(t, paid.ID, "1200.00")
	_, err = void(paid.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotVoidable)
	wantStatus(t, e.get(t, paid.ID), billing.InvoicePaid, "1200.00", "0.00")
	_, err = e.svc.VoidInvoiceTx(ctx, e.st.Billing(), customer(e.client(t, "Other").ID), paid.ID)
	wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
	_, err = e.svc.VoidInvoiceTx(ctx, nil, system, paid.ID)
	wantField(t, err, "tx", "required")
}
