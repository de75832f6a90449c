package billing_test

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// invEnv is an env with a company that charges 20 % VAT on VDS to Russian
// payers, and a client with a default payer.
type invEnv struct {
	*env
	co *billing.Company
	c  *billing.Client
	py *billing.Payer
}

func newInvEnv(t *testing.T) *invEnv {
	t.Helper()
	return setUpInvEnv(t, newEnv(t))
}

func setUpInvEnv(t *testing.T, e *env) *invEnv {
	t.Helper()
	co, err := e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{
		LegalName: "HostCo LLC", Country: "RU", Address: billing.Address{Lines: []string{"Tverskaya 1"}, City: "Moscow", PostalCode: "125009"},
		TaxIDs: []string{"7707083893"}, ProviderIDs: []billkit.ProviderID{e.prov.ID},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateTaxRule(ctx, system, billing.TaxRuleParams{CompanyID: co.ID, Code: "vat", Name: directory.Text{"en": "VAT", "ru": "НДС"},
		Country: "RU", ProductTypes: []string{"vds"}, Rate: dec("20")})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client(t, "Acme")
	return &invEnv{env: e, co: co, c: c, py: e.payer(t, c.ID, "Ivan Petrov")}
}

func invLine(desc, qty, price, productType string) billing.InvoiceLineParams {
	return billing.InvoiceLineParams{Description: desc, Quantity: dec(qty), UnitPrice: rub(price), ProductType: productType}
}

// twoLines are a VDS for 1500.00 and 2.5 backups at 99.99 (249.975, so
// 249.98): 1749.98 net, 350.00 VAT, 2099.98 gross.
func twoLines() []billing.InvoiceLineParams {
	return []billing.InvoiceLineParams{invLine("VDS L, March", "1", "1500.00", "vds"), invLine("Backup", "2.5", "99.99", "vds")}
}

func (e *invEnv) draft(t *testing.T, lines ...billing.InvoiceLineParams) *billing.Invoice {
	t.Helper()
	if len(lines) == 0 {
		lines = twoLines()
	}
	inv, err := e.svc.CreateInvoice(ctx, system, billing.CreateInvoiceParams{CompanyID: e.co.ID, ClientID: e.c.ID, Lines: lines})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func (e *invEnv) issued(t *testing.T, lines ...billing.InvoiceLineParams) *billing.Invoice {
	t.Helper()
	inv, err := e.svc.IssueInvoice(ctx, system, e.draft(t, lines...).ID)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func (e *invEnv) get(t *testing.T, id billing.InvoiceID) *billing.Invoice {
	t.Helper()
	inv, err := e.svc.GetInvoice(ctx, system, id)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// payIn brings amount to the invoice as the payments code does: in one
// transaction, the payment's credit on the balance, then the invoice.
func (e *invEnv) payIn(id billing.InvoiceID, amount string) error {
	return e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		pid := billkit.NewID[billing.Payment]()
		if _, err := e.svc.PostTx(ctx, tx, system, billing.PostParams{ClientID: e.c.ID, Amount: rub(amount), Kind: billing.LedgerPayment,
			CauseType: "payment", CauseID: pid.String()}); err != nil {
			return err
		}
		return e.svc.ApplyInvoicePaymentForTest(ctx, tx, system, id, pid, rub(amount))
	})
}

func (e *invEnv) mustPay(t *testing.T, id billing.InvoiceID, amount string) *billing.Invoice {
	t.Helper()
	if err := e.payIn(id, amount); err != nil {
		t.Fatalf("paying %s: %v", amount, err)
	}
	return e.get(t, id)
}

// expenses counts the client's expense debits on the ledger.
func (e *invEnv) expenses(t *testing.T) int {
	t.Helper()
	return e.count(t, "billkit_ledger_entries", "client_id = ? AND kind = ?", e.c.ID, billing.LedgerExpense)
}

func wantStatus(t *testing.T, inv *billing.Invoice, status billing.InvoiceStatus, paid, credited string) {
	t.Helper()
	if inv.Status != status || !inv.Paid.Equal(rub(paid)) || !inv.Credited.Equal(rub(credited)) {
		t.Fatalf("%s is %s, paid %s, credited %s; want %s, %s, %s", inv.Number, inv.Status, inv.Paid, inv.Credited, status, paid, credited)
	}
}

var cmpInvoice = cmp.Options{
	// Every billkit ID compares by value, also those of types added later.
	cmp.Exporter(func(t reflect.Type) bool {
		return t.PkgPath() == "github.com/billkit/billkit" && strings.HasPrefix(t.Name(), "ID[")
	}),
	cmp.Comparer(func(a, b billkit.Money) bool { return a.String() == b.String() }),
	cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b billing.InvoiceID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.CompanyID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.PayerID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.ExpenseID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.PaymentID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.TaxRuleID) bool { return a == b }),
	cmp.Comparer(func(a, b billkit.ClientID) bool { return a == b }),
}

func TestInvoiceDrafts(t *testing.T) {
	e := newInvEnv(t)
	inv := e.draft(t)
	if inv.Status != billing.InvoiceDraft || inv.Number != "" || inv.Type != billing.InvoiceFinal || inv.PayerID != e.py.ID ||
		inv.Currency != "RUB" || inv.Locale != "ru" || !inv.IssueDate.IsZero() || inv.Seller != nil {
		t.Fatalf("draft = %+v", inv)
	}
	if a := inv.Lines[1].Amount; a.String() != "249.98 RUB" || inv.Lines[1].Position != 2 {
		t.Fatalf("2.5 × 99.99 = %s, want 249.98 RUB rounded once", a)
	}
	if inv.Totals.Net.String() != "1749.98 RUB" || inv.Totals.Gross.String() != "1749.98 RUB" || inv.Totals.Tax.String() != "0.00 RUB" {
		t.Fatalf("draft totals = %+v", inv.Totals)
	}
	if n := e.actions(t, "billing.invoice.create", inv.ID.String()); n != 1 {
		t.Fatalf("%d create actions", n)
	}

	other := e.client(t, "Other")
	otherPayer := e.payer(t, other.ID, "Olga")
	lonely, err := e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{LegalName: "Lonely", Country: "RU"})
	if err != nil {
		t.Fatal(err)
	}
	expense := billkit.NewID[billing.Expense]()
	ok := billing.CreateInvoiceParams{CompanyID: e.co.ID, ClientID: e.c.ID, Lines: twoLines()}
	with := func(f func(p *billing.CreateInvoiceParams)) billing.CreateInvoiceParams {
		p := ok
		p.Lines = slices.Clone(ok.Lines)
		f(&p)
		return p
	}
	before := e.count(t, "billkit_invoices", "1 = 1")
	for _, tc := range []struct {
		name          string
		p             billing.CreateInvoiceParams
		field, reason string
	}{
		{"type", with(func(p *billing.CreateInvoiceParams) { p.Type = billing.InvoiceCreditNote }), "type", "invoice.type_not_creatable"},
		{"unknown type", with(func(p *billing.CreateInvoiceParams) { p.Type = "bill" }), "type", "invoice.type_unknown"},
		{"company", with(func(p *billing.CreateInvoiceParams) { p.CompanyID = billing.CompanyID{} }), "company_id", "required"},
		{"no lines", with(func(p *billing.CreateInvoiceParams) { p.Lines = nil }), "lines", "required"},
		{"quantity", with(func(p *billing.CreateInvoiceParams) { p.Lines[0].Quantity = dec("0") }), "lines[0].quantity", "invoice.quantity_not_positive"},
		{"quantity decimals", with(func(p *billing.CreateInvoiceParams) { p.Lines[1].Quantity = dec("0.0000001") }), "lines[1].quantity", "invoice.quantity_out_of_range"},
		{"currency", with(func(p *billing.CreateInvoiceParams) { p.Lines[1].UnitPrice = billkit.MustParseMoney("1", "USD") }), "lines[1].unit_price", "invoice.currency_mismatch"},
		{"price decimals", with(func(p *billing.CreateInvoiceParams) { p.Lines[0].UnitPrice = rub("1.005") }), "lines[0].unit_price", "invoice.too_many_decimals"},
		{"negative price", with(func(p *billing.CreateInvoiceParams) { p.Lines[0].UnitPrice = rub("-1") }), "lines[0].unit_price", "invoice.unit_price_negative"},
		{"no price", with(func(p *billing.CreateInvoiceParams) { p.Lines[0].UnitPrice = billkit.Money{} }), "lines[0].unit_price", "required"},
		{"description", with(func(p *billing.CreateInvoiceParams) { p.Lines[1].Description = " " }), "lines[1].description", "required"},
		{"same expense twice", with(func(p *billing.CreateInvoiceParams) { p.Lines[0].ExpenseID, p.Lines[1].ExpenseID = expense, expense }), "lines[1].expense_id", "invoice.expense_duplicate"},
		{"locale", with(func(p *billing.CreateInvoiceParams) { p.Locale = "xx" }), "locale", "locale.unknown"},
		{"payer of another client", with(func(p *billing.CreateInvoiceParams) { p.PayerID = otherPayer.ID }), "payer_id", "payer.not_found"},
		{"no such company", with(func(p *billing.CreateInvoiceParams) { p.CompanyID = billkit.NewID[billing.Company]() }), "company_id", "company.not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateInvoice(ctx, system, tc.p)
			wantField(t, err, tc.field, tc.reason)
		})
	}
	_, err = e.svc.CreateInvoice(ctx, system, with(func(p *billing.CreateInvoiceParams) { p.CompanyID = lonely.ID }))
	wantCode(t, err, billkit.CodeFailedPrecondition, "invoice.company_not_serving")
	_, err = e.svc.CreateInvoice(ctx, customer(other.ID), ok)
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.CreateInvoice(ctx, staff(), ok)
	wantCode(t, err, billkit.CodeForbidden, "")
	if n := e.count(t, "billkit_invoices", "1 = 1"); n != before {
		t.Fatalf("%d invoices after bad input, want %d", n, before)
	}
	_, err = e.svc.GetInvoice(ctx, customer(other.ID), inv.ID)
	wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
	mine := must[*billing.Invoice](t)(e.svc.GetInvoice(ctx, customer(e.c.ID), inv.ID))
	if mine.ID != inv.ID || len(mine.Lines) != 2 {
		t.Fatalf("customer reads %+v", mine)
	}

	e.clock.Advance(time.Minute)
	up, err := e.svc.UpdateDraftInvoice(ctx, system, inv.ID, billing.UpdateInvoiceParams{
		Lines: []billing.InvoiceLineParams{invLine("VDS XL", "3", "0.01", "vds")}, Memo: ptr("Thank you"), Locale: ptr("en"),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := e.get(t, inv.ID)
	if diff := cmp.Diff(up, got, cmpInvoice); diff != "" {
		t.Fatalf("read back (-updated +read):\n%s", diff)
	}
	if len(got.Lines) != 1 || got.Lines[0].Amount.String() != "0.03 RUB" || got.Totals.Gross.String() != "0.03 RUB" || got.Memo != "Thank you" || got.Locale != "en" {
		t.Fatalf("updated draft = %+v", got)
	}
	_, err = e.svc.UpdateDraftInvoice(ctx, system, inv.ID, billing.UpdateInvoiceParams{Lines: []billing.InvoiceLineParams{invLine("X", "-1", "1", "")}})
	wantField(t, err, "lines[0].quantity", "invoice.quantity_not_positive")
	_, err = e.svc.UpdateDraftInvoice(ctx, customer(other.ID), inv.ID, billing.UpdateInvoiceParams{Memo: ptr("x")})
	wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
	if n := e.actions(t, "billing.invoice.update", inv.ID.String()); n != 1 {
		t.Fatalf("%d update actions", n)
	}

	wantCode(t, e.svc.DeleteDraftInvoice(ctx, customer(other.ID), inv.ID), billkit.CodeNotFound, "invoice.not_found")
	if err := e.svc.DeleteDraftInvoice(ctx, system, inv.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetInvoice(ctx, system, inv.ID)
	wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
	if n := e.count(t, "billkit_invoice_lines", "invoice_id = ?", inv.ID); n != 0 {
		t.Fatalf("%d lines left after delete", n)
	}
}

func TestInvoiceIssueFreezes(t *testing.T) {
	e := newInvEnv(t)
	draft := e.draft(t)
	e.clock.Advance(time.Hour)
	inv, err := e.svc.IssueInvoice(ctx, system, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	// start is March 15th in Moscow; the provider's due days are 10.
	if inv.Number != "INV-2024-00001" || inv.Status != billing.InvoiceIssued || inv.IssueDate != billkit.MustDate(2024, 3, 15) ||
		inv.DueDate != billkit.MustDate(2024, 3, 25) || !inv.IssuedAt.Equal(billkit.Instant(e.clock.Now())) {
		t.Fatalf("issued = %s %s %s %s %s", inv.Number, inv.Status, inv.IssueDate, inv.DueDate, inv.IssuedAt)
	}
	if l := inv.Lines[1]; l.Net.String() != "249.98 RUB" || l.Tax.String() != "50.00 RUB" || l.Gross.String() != "299.98 RUB" ||
		len(l.Taxes) != 1 || l.Taxes[0].Rate != "20" || l.Taxes[0].Name != "НДС" || len(l.AppliedTaxes) != 1 {
		t.Fatalf("line 2 = %+v", l)
	}
	if tt := inv.Totals; tt.Net.String() != "1749.98 RUB" || tt.Tax.String() != "350.00 RUB" || tt.Gross.String() != "2099.98 RUB" ||
		len(tt.Summary) != 1 || tt.Summary[0].Base.String() != "1749.98 RUB" || tt.Summary[0].Amount.String() != "350.00 RUB" {
		t.Fatalf("totals = %+v", tt)
	}
	if inv.Seller == nil || inv.Seller.LegalName != "HostCo LLC" || !slices.Equal(inv.Seller.TaxIDs, []string{"7707083893"}) ||
		inv.Buyer == nil || inv.Buyer.Name != "Ivan Petrov" || inv.Buyer.PayerID != e.py.ID || inv.Buyer.Country != "RU" {
		t.Fatalf("seller %+v, buyer %+v", inv.Seller, inv.Buyer)
	}
	if inv.TaxDecision == nil || inv.TaxDecision.Rounding != billing.TaxRoundPerLine || len(inv.TaxDecision.Taxes) != 1 {
		t.Fatalf("tax decision = %+v", inv.TaxDecision)
	}
	if got := e.get(t, inv.ID); !cmp.Equal(inv, got, cmpInvoice) {
		t.Fatalf("read back (-issued +read):\n%s", cmp.Diff(inv, got, cmpInvoice))
	}

	// The company, the payer and the tax rate change: the invoice does not.
	if _, err := e.svc.UpdateCompany(ctx, system, e.co.ID, billing.UpdateCompanyParams{LegalName: ptr("Renamed LLC"),
		Address: &billing.Address{Lines: []string{"Arbat 2"}, City: "Moscow"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.UpdatePayer(ctx, system, e.py.ID, billing.UpdatePayerParams{Name: ptr("Ivan Sidorov"),
		Address: &billing.Address{Lines: []string{"Lenina 5"}, City: "Tver"}}); err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, inv.ID); !cmp.Equal(inv, got, cmpInvoice) {
		t.Fatalf("after the company and the payer changed (-issued +read):\n%s", cmp.Diff(inv, got, cmpInvoice))
	}

	// Every change is refused, by the service and by the store.
	_, err = e.svc.UpdateDraftInvoice(ctx, system, inv.ID, billing.UpdateInvoiceParams{Memo: ptr("changed")})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceFrozen)
	_, err = e.svc.UpdateDraftInvoice(ctx, system, inv.ID, billing.UpdateInvoiceParams{Lines: twoLines()})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceFrozen)
	wantCode(t, e.svc.DeleteDraftInvoice(ctx, system, inv.ID), billkit.CodeFailedPrecondition, billing.ReasonInvoiceFrozen)
	_, err = e.svc.IssueInvoice(ctx, system, inv.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceFrozen)
	tampered := e.get(t, inv.ID)
	tampered.Memo, tampered.Lines[0].Description, tampered.Status = "tampered", "tampered", billing.InvoiceDraft
	wantCode(t, e.st.Billing().UpdateDraftInvoice(ctx, tampered), billkit.CodeFailedPrecondition, billing.ReasonInvoiceFrozen)
	wantCode(t, e.st.Billing().DeleteDraftInvoice(ctx, inv.ID), billkit.CodeFailedPrecondition, billing.ReasonInvoiceFrozen)
	if got := e.get(t, inv.ID); !cmp.Equal(inv, got, cmpInvoice) {
		t.Fatalf("after refused changes (-issued +read):\n%s", cmp.Diff(inv, got, cmpInvoice))
	}
	if n := e.actions(t, "billing.invoice.issue", inv.ID.String()); n != 1 {
		t.Fatalf("%d issue actions", n)
	}

	// Rights: issuing needs billing.invoice:edit on the client.
	d2 := e.draft(t)
	_, err = e.svc.IssueInvoice(ctx, staff(billkit.R(billing.FunctionInvoice, billkit.OpRead)), d2.ID)
	wantCode(t, err, billkit.CodeForbidden, "")
	_, err = e.svc.IssueInvoice(ctx, customer(e.client(t, "Stranger").ID), d2.ID)
	wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
	if got := e.get(t, d2.ID); got.Status != billing.InvoiceDraft || got.Number != "" {
		t.Fatalf("refused issue changed the draft: %+v", got)
	}
}

func TestInvoiceNumbersGaplessAcrossYears(t *testing.T) {
	e := newInvEnv(t)
	var numbers []string
	issue := func(typ billing.InvoiceType) *billing.Invoice {
		t.Helper()
		d, err := e.svc.CreateInvoice(ctx, system, billing.CreateInvoiceParams{Type: typ, CompanyID: e.co.ID, ClientID: e.c.ID, Lines: twoLines()})
		if err != nil {
			t.Fatal(err)
		}
		inv, err := e.svc.IssueInvoice(ctx, system, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, inv.Number)
		return inv
	}
	first := issue(billing.InvoiceFinal)
	issue(billing.InvoiceFinal)

	// A failed issue draws no number: the company stops serving the
	// provider, then serves it again.
	d := e.draft(t)
	if _, err := e.svc.UpdateCompany(ctx, system, e.co.ID, billing.UpdateCompanyParams{ProviderIDs: []billkit.ProviderID{}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.IssueInvoice(ctx, system, d.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, "invoice.company_not_serving")
	if _, err := e.svc.UpdateCompany(ctx, system, e.co.ID, billing.UpdateCompanyParams{ProviderIDs: []billkit.ProviderID{e.prov.ID}}); err != nil {
		t.Fatal(err)
	}
	if inv := must[*billing.Invoice](t)(e.svc.IssueInvoice(ctx, system, d.ID)); inv.Number != "INV-2024-00003" {
		t.Fatalf("after a failed issue: %s", inv.Number)
	}
	// 23:59 on December 31st in Moscow, then 00:01 on January 1st.
	e.clock.Set(time.Date(2024, 12, 31, 20, 59, 0, 0, time.UTC))
	last := issue(billing.InvoiceFinal)
	e.clock.Advance(2 * time.Minute)
	next := issue(billing.InvoiceFinal)
	pro := issue(billing.InvoiceProforma)
	if last.Number != "INV-2024-00004" || last.IssueDate != billkit.MustDate(2024, 12, 31) ||
		next.Number != "INV-2025-00001" || next.IssueDate != billkit.MustDate(2025, 1, 1) || pro.Number != "PRO-2025-00001" {
		t.Fatalf("numbers %v", numbers)
	}

	// A new format starts its own count; issued numbers stay as they are.
	ed := staff(billkit.R(billing.FunctionInvoice, billkit.OpEdit))
	set, err := e.svc.SetInvoiceSeries(ctx, ed, e.co.ID, billing.InvoiceFinal, billing.SetInvoiceSeriesParams{Format: "F-{YYYY}/{NNN}"})
	if err != nil {
		t.Fatal(err)
	}
	if set.Format != "F-{YYYY}/{NNN}" || set.Reset != billing.ResetYearly || set.Default {
		t.Fatalf("series = %+v", set)
	}
	if inv := issue(billing.InvoiceFinal); inv.Number != "F-2025/001" {
		t.Fatalf("first number of the new format: %s", inv.Number)
	}
	if got := e.get(t, first.ID); got.Number != "INV-2024-00001" {
		t.Fatalf("a format change renumbered %s to %s", first.Number, got.Number)
	}
	// Back to the default format: its count goes on.
	if _, err := e.svc.SetInvoiceSeries(ctx, ed, e.co.ID, billing.InvoiceFinal, billing.SetInvoiceSeriesParams{Format: "INV-{YYYY}-{NNNNN}"}); err != nil {
		t.Fatal(err)
	}
	if inv := issue(billing.InvoiceFinal); inv.Number != "INV-2025-00002" {
		t.Fatalf("back to the old format: %s", inv.Number)
	}

	for _, tc := range []struct {
		name          string
		typ           billing.InvoiceType
		p             billing.SetInvoiceSeriesParams
		field, reason string
	}{
		{"reset without a new format", billing.InvoiceFinal, billing.SetInvoiceSeriesParams{Format: "INV-{YYYY}-{NNNNN}", Reset: billing.ResetNever}, "reset", billing.ReasonSeriesResetNeedsFormat},
		{"format of another type", billing.InvoiceFinal, billing.SetInvoiceSeriesParams{Format: "PRO-{YYYY}-{NNNNN}"}, "format", billing.ReasonSeriesFormatTaken},
		{"yearly without the year", billing.InvoiceFinal, billing.SetInvoiceSeriesParams{Format: "X-{NNN}"}, "format", billing.ReasonNumberFormatNeedsDate},
		{"malformed", billing.InvoiceFinal, billing.SetInvoiceSeriesParams{Format: "X-{Q}", Reset: billing.ResetNever}, "format", billing.ReasonNumberFormatMalformed},
		{"reset", billing.InvoiceFinal, billing.SetInvoiceSeriesParams{Format: "X-{N}", Reset: "weekly"}, "reset", "number.reset_unknown"},
		{"type", "bill", billing.SetInvoiceSeriesParams{Format: "X-{YYYY}-{N}"}, "type", "invoice.type_unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.SetInvoiceSeries(ctx, ed, e.co.ID, tc.typ, tc.p)
			wantField(t, err, tc.field, tc.reason)
		})
	}
	_, err = e.svc.SetInvoiceSeries(ctx, staff(billkit.R(billing.FunctionInvoice, billkit.OpRead)), e.co.ID, billing.InvoiceFinal, billing.SetInvoiceSeriesParams{Format: "Z-{YYYY}-{N}"})
	wantCode(t, err, billkit.CodeForbidden, "")
	_, err = e.svc.SetInvoiceSeries(ctx, ed, billkit.NewID[billing.Company](), billing.InvoiceFinal, billing.SetInvoiceSeriesParams{Format: "Z-{YYYY}-{N}"})
	wantField(t, err, "company_id", "company.not_found")

	all := must[[]billing.InvoiceSeries](t)(e.svc.ListInvoiceSeries(ctx, system, e.co.ID))
	var got []string
	for _, s := range all {
		got = append(got, fmt.Sprintf("%s %s %s %v", s.Type, s.Format, s.Reset, s.Default))
	}
	want := []string{"proforma PRO-{YYYY}-{NNNNN} yearly true", "invoice INV-{YYYY}-{NNNNN} yearly false",
		"credit_note CN-{YYYY}-{NNNNN} yearly true", "receipt RCP-{YYYY}-{NNNNN} yearly true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("series (-want +got):\n%s", diff)
	}
	one := must[*billing.InvoiceSeries](t)(e.svc.GetInvoiceSeries(ctx, system, e.co.ID, billing.InvoiceCreditNote))
	if !one.Default || one.Format != "CN-{YYYY}-{NNNNN}" {
		t.Fatalf("credit note series = %+v", one)
	}
	if n := e.actions(t, "billing.invoice.series_set", e.co.ID.String()+":invoice"); n != 2 {
		t.Fatalf("%d series actions", n)
	}
}

// TestInvoiceConcurrentIssuePostgres issues 50 drafts of one series at
// once: the numbers are 1 to 50, each once.
func TestInvoiceConcurrentIssuePostgres(t *testing.T) {
	base := newPostgresEnv(t, billing.Config{})
	e := setUpInvEnv(t, base)
	const concurrent = 50
	drafts := make([]*billing.Invoice, concurrent)
	for i := range drafts {
		drafts[i] = e.draft(t)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		numbers  []string
		failures []error
		startAll = make(chan struct{})
	)
	for _, d := range drafts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startAll
			inv, err := base.svc.IssueInvoice(ctx, system, d.ID)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err)
				return
			}
			numbers = append(numbers, inv.Number)
		}()
	}
	close(startAll)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d issues failed: %v", len(failures), failures)
	}
	sort.Strings(numbers)
	for i, n := range numbers {
		if want := fmt.Sprintf("INV-2024-%05d", i+1); n != want {
			t.Fatalf("number %d is %s, want %s (all: %v)", i, n, want, numbers)
		}
	}
	if len(numbers) != concurrent {
		t.Fatalf("%d numbers, want %d", len(numbers), concurrent)
	}
	if n := e.count(t, "billkit_invoices", "status = ?", billing.InvoiceIssued); n != concurrent {
		t.Fatalf("%d issued invoices, want %d", n, concurrent)
	}
}

func TestInvoicePayments(t *testing.T) {
	e := newInvEnv(t)
	inv := e.issued(t)
	got := e.mustPay(t, inv.ID, "1000.00")
	wantStatus(t, got, billing.InvoicePartlyPaid, "1000.00", "0")
	if got.PaidAt != (time.Time{}) || e.expenses(t) != 0 {
		t.Fatalf("a partial payment charged the lines: paid at %s, %d expenses", got.PaidAt, e.expenses(t))
	}
	if o := got.Outstanding(); o.String() != "1099.98 RUB" {
		t.Fatalf("outstanding %s", o)
	}
	e.wantBalance(t, e.c.ID, "1000.00")

	e.clock.Advance(time.Hour)
	got = e.mustPay(t, inv.ID, "1099.98")
	wantStatus(t, got, billing.InvoicePaid, "2099.98", "0")
	if !got.PaidAt.Equal(billkit.Instant(e.clock.Now())) || got.Outstanding().String() != "0.00 RUB" {
		t.Fatalf("paid at %s, outstanding %s", got.PaidAt, got.Outstanding())
	}
	// The lines were charged now: the balance paid them.
	if n := e.expenses(t); n != 2 {
		t.Fatalf("%d expenses charged, want one per line", n)
	}
	for _, l := range got.Lines {
		if l.ChargeExpenseID.IsZero() {
			t.Fatalf("line %d has no charge", l.Position)
		}
	}
	e.wantBalance(t, e.c.ID, "0.00")

	// A payment beyond what is due stays on the balance; nothing more is
	// charged.
	got = e.mustPay(t, inv.ID, "10.00")
	wantStatus(t, got, billing.InvoicePaid, "2109.98", "0")
	if n := e.expenses(t); n != 2 {
		t.Fatalf("%d expenses after an over-payment", n)
	}
	e.wantBalance(t, e.c.ID, "10.00")
	if n := e.actions(t, "billing.invoice.pay", inv.ID.String()); n != 3 {
		t.Fatalf("%d pay actions", n)
	}

	// Bad payments change nothing.
	err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		return e.svc.ApplyInvoicePaymentForTest(ctx, tx, system, inv.ID, billkit.NewID[billing.Payment](), billkit.MustParseMoney("1", "USD"))
	})
	wantField(t, err, "credited", "invoice.currency_mismatch")
	err = e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		return e.svc.ApplyInvoicePaymentForTest(ctx, tx, system, billkit.NewID[billing.Invoice](), billkit.NewID[billing.Payment](), rub("1"))
	})
	wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
}

func TestInvoicePayVoidRefused(t *testing.T) {
	e := newInvEnv(t)
	inv := e.issued(t)
	void, err := e.svc.VoidInvoice(ctx, system, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if void.Status != billing.InvoiceVoid || void.VoidedAt.IsZero() || void.Number != inv.Number {
		t.Fatalf("void = %+v", void)
	}
	entries, _ := e.ledgerRows(t, e.c.ID)
	wantCode(t, e.payIn(inv.ID, "2099.98"), billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotPayable)
	if n, _ := e.ledgerRows(t, e.c.ID); n != entries {
		t.Fatalf("a refused payment left %d entries, want %d", n, entries)
	}
	if got := e.get(t, inv.ID); !cmp.Equal(void, got, cmpInvoice) {
		t.Fatalf("a refused payment changed the invoice:\n%s", cmp.Diff(void, got, cmpInvoice))
	}
	_, err = e.svc.PayInvoiceFromBalance(ctx, system, inv.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotPayable)
	_, err = e.svc.VoidInvoice(ctx, system, inv.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotVoidable)

	d := e.draft(t)
	wantCode(t, e.payIn(d.ID, "1.00"), billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotPayable)
	_, err = e.svc.VoidInvoice(ctx, system, d.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotVoidable)

	partly := e.issued(t)
	e.mustPay(t, partly.ID, "1.00")
	_, err = e.svc.VoidInvoice(ctx, system, partly.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotVoidable)
	_, err = e.svc.VoidInvoice(ctx, customer(e.client(t, "Stranger").ID), partly.ID)
	wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
	if n := e.count(t, "billkit_invoices", "status = ?", billing.InvoiceVoid); n != 1 {
		t.Fatalf("%d void invoices", n)
	}
}

func TestInvoicePayFromBalance(t *testing.T) {
	e := newInvEnv(t)
	inv := e.issued(t)
	_, err := e.svc.PayInvoiceFromBalance(ctx, customer(e.c.ID), inv.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInsufficientFunds)
	if n, _ := e.ledgerRows(t, e.c.ID); n != 0 {
		t.Fatalf("a refused payment from the balance left %d entries", n)
	}
	if got := e.get(t, inv.ID); got.Status != billing.InvoiceIssued || !got.Paid.IsZero() || got.Lines[0].ChargeExpenseID != (billing.ExpenseID{}) {
		t.Fatalf("a refused payment from the balance changed the invoice: %+v", got)
	}
	e.post(t, e.c.ID, "3000.00", billing.LedgerPayment)
	paid, err := e.svc.PayInvoiceFromBalance(ctx, customer(e.c.ID), inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, paid, billing.InvoicePaid, "2099.98", "0")
	e.wantBalance(t, e.c.ID, "900.02")
	if n := e.expenses(t); n != 2 {
		t.Fatalf("%d expenses", n)
	}
	_, err = e.svc.PayInvoiceFromBalance(ctx, system, inv.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotPayable)

	// An invoice of an existing expense moves no money: the debt is on the
	// ledger already.
	var x *billing.Expense
	err = e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		var err error
		x, err = e.svc.ChargeTx(ctx, tx, system, billing.ChargeParams{ClientID: e.c.ID, Kind: billing.ExpenseManual, Amount: rub("1500.00"), Description: "Domain", AllowBelowLimit: true})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	domain := billing.InvoiceLineParams{Description: "Domain example.ru", Quantity: dec("1"), UnitPrice: rub("1500.00"), ProductType: "domain", ExpenseID: x.ID}
	bill := e.issued(t, domain)
	if bill.Totals.Gross.String() != "1500.00 RUB" {
		t.Fatalf("the domain invoice is %s", bill.Totals.Gross)
	}
	entries, _ := e.ledgerRows(t, e.c.ID)
	settled, err := e.svc.PayInvoiceFromBalance(ctx, system, bill.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, settled, billing.InvoicePaid, "1500.00", "0")
	if n, _ := e.ledgerRows(t, e.c.ID); n != entries {
		t.Fatalf("paying an invoice of an existing expense posted %d entries", n-entries)
	}
	e.wantBalance(t, e.c.ID, "-599.98")
	// Another invoice of the same expense is refused.
	_, err = e.svc.IssueInvoice(ctx, system, e.draft(t, domain).ID)
	wantField(t, err, "lines[0].expense_id", "invoice.expense_billed")
	// A proforma may bill it too.
	pd, err := e.svc.CreateInvoice(ctx, system, billing.CreateInvoiceParams{Type: billing.InvoiceProforma, CompanyID: e.co.ID, ClientID: e.c.ID, Lines: []billing.InvoiceLineParams{domain}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.IssueInvoice(ctx, system, pd.ID); err != nil {
		t.Fatal(err)
	}
}

func TestCreditNotes(t *testing.T) {
	e := newInvEnv(t)
	inv := e.issued(t)

	cn, err := e.svc.CreateCreditNote(ctx, system, inv.ID, billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 2}}, Memo: "Backup was not used"})
	if err != nil {
		t.Fatal(err)
	}
	if cn.Type != billing.InvoiceCreditNote || cn.Number != "CN-2024-00001" || cn.Status != billing.InvoiceIssued ||
		cn.CreditsInvoiceID != inv.ID || cn.CreditsInvoiceNumber != "INV-2024-00001" || cn.IssueDate != billkit.MustDate(2024, 3, 15) ||
		cn.Seller.LegalName != inv.Seller.LegalName || cn.Buyer.Name != inv.Buyer.Name {
		t.Fatalf("credit note = %+v", cn)
	}
	if l := cn.Lines[0]; len(cn.Lines) != 1 || l.CreditsPosition != 2 || !l.Quantity.Equal(dec("2.5")) || l.UnitPrice.String() != "-99.99 RUB" ||
		l.Amount.String() != "-249.98 RUB" || l.Tax.String() != "-50.00 RUB" || l.Gross.String() != "-299.98 RUB" {
		t.Fatalf("credit note line = %+v", l)
	}
	got := e.get(t, inv.ID)
	wantStatus(t, got, billing.InvoiceIssued, "0", "299.98")
	if got.Due().String() != "1800.00 RUB" {
		t.Fatalf("due %s after the credit note", got.Due())
	}
	if n, _ := e.ledgerRows(t, e.c.ID); n != 0 {
		t.Fatalf("a credit note of an unpaid invoice posted %d entries", n)
	}

	for _, tc := range []struct {
		name          string
		p             billing.CreditNoteParams
		field, reason string
	}{
		{"line credited", billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 2, Amount: rub("0.01")}}}, "lines[0].amount", billing.ReasonCreditNoteExceeds},
		{"more than the line", billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 1, Amount: rub("1500.01")}}}, "lines[0].amount", billing.ReasonCreditNoteExceeds},
		{"no such line", billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 3}}}, "lines[0].position", "creditnote.position_unknown"},
		{"twice", billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 1, Amount: rub("1")}, {Position: 1, Amount: rub("1")}}}, "lines[1].position", "creditnote.position_duplicate"},
		{"negative", billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 1, Amount: rub("-1")}}}, "lines[0].amount", "creditnote.amount_not_positive"},
		{"decimals", billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 1, Amount: rub("0.001")}}}, "lines[0].amount", "invoice.too_many_decimals"},
		{"currency", billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 1, Amount: billkit.MustParseMoney("1", "USD")}}}, "lines[0].amount", "invoice.currency_mismatch"},
		{"nothing", billing.CreditNoteParams{}, "lines", "required"},
		{"all and lines", billing.CreditNoteParams{All: true, Lines: []billing.CreditNoteLine{{Position: 1}}}, "lines", "creditnote.all_and_lines"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreateCreditNote(ctx, system, inv.ID, tc.p)
			wantField(t, err, tc.field, tc.reason)
		})
	}

	part := must[*billing.Invoice](t)(e.svc.CreateCreditNote(ctx, system, inv.ID, billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 1, Amount: rub("100.00")}}}))
	if part.Number != "CN-2024-00002" || part.Totals.Gross.String() != "-120.00 RUB" || !part.Lines[0].Quantity.Equal(dec("1")) {
		t.Fatalf("partial credit note = %s %s", part.Number, part.Totals.Gross)
	}
	rest := must[*billing.Invoice](t)(e.svc.CreateCreditNote(ctx, system, inv.ID, billing.CreditNoteParams{All: true}))
	if rest.Totals.Gross.String() != "-1680.00 RUB" || len(rest.Lines) != 1 || rest.Lines[0].Amount.String() != "-1400.00 RUB" {
		t.Fatalf("the rest = %s, lines %+v", rest.Totals.Gross, rest.Lines)
	}
	got = e.get(t, inv.ID)
	wantStatus(t, got, billing.InvoiceCredited, "0", "2099.98")
	_, err = e.svc.CreateCreditNote(ctx, system, inv.ID, billing.CreditNoteParams{All: true})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonCreditNoteNotCreditable)
	wantCode(t, e.payIn(inv.ID, "1.00"), billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotPayable)
	notes := must[billkit.Page[billing.Invoice]](t)(e.svc.ListInvoices(ctx, system, billing.InvoiceFilter{CreditsInvoiceID: inv.ID}))
	if len(notes.Items) != 3 {
		t.Fatalf("%d credit notes listed", len(notes.Items))
	}

	// A paid invoice: what its lines charged goes back to the balance.
	paid := e.issued(t)
	e.mustPay(t, paid.ID, "2099.98")
	e.wantBalance(t, e.c.ID, "0.00")
	whole := must[*billing.Invoice](t)(e.svc.CreateCreditNote(ctx, customer(e.c.ID), paid.ID, billing.CreditNoteParams{All: true}))
	if whole.Totals.Gross.String() != "-2099.98 RUB" || whole.Totals.Tax.String() != "-350.00 RUB" {
		t.Fatalf("whole credit note = %+v", whole.Totals)
	}
	wantStatus(t, e.get(t, paid.ID), billing.InvoiceCredited, "2099.98", "2099.98")
	e.wantBalance(t, e.c.ID, "2099.98")
	adj := e.count(t, "billkit_ledger_entries", "client_id = ? AND kind = ? AND cause_type = ? AND cause_id = ?", e.c.ID, billing.LedgerAdjustment, "credit_note", whole.ID.String())
	if adj != 1 {
		t.Fatalf("%d refund entries for the credit note", adj)
	}

	// A partly paid invoice whose payment covers what is left becomes paid:
	// the line left is charged, the credited one is not.
	partly := e.issued(t)
	e.mustPay(t, partly.ID, "1000.00")
	expenses := e.expenses(t)
	if _, err := e.svc.CreateCreditNote(ctx, system, partly.ID, billing.CreditNoteParams{Lines: []billing.CreditNoteLine{{Position: 1}}}); err != nil {
		t.Fatal(err)
	}
	got = e.get(t, partly.ID)
	wantStatus(t, got, billing.InvoicePaid, "1000.00", "1800.00")
	if n := e.expenses(t); n != expenses+1 || got.Lines[0].ChargeExpenseID != (billing.ExpenseID{}) || got.Lines[1].ChargeExpenseID.IsZero() {
		t.Fatalf("%d new expenses; lines %+v", n-expenses, got.Lines)
	}
	e.wantBalance(t, e.c.ID, "2800.00") // 2099.98 + 1000.00 - 299.98

	pro, err := e.svc.CreateInvoice(ctx, system, billing.CreateInvoiceParams{Type: billing.InvoiceProforma, CompanyID: e.co.ID, ClientID: e.c.ID, Lines: twoLines()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.CreateCreditNote(ctx, system, pro.ID, billing.CreditNoteParams{All: true})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonCreditNoteNotCreditable)
	_, err = e.svc.CreateCreditNote(ctx, system, e.draft(t).ID, billing.CreditNoteParams{All: true})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonCreditNoteNotCreditable)
	_, err = e.svc.CreateCreditNote(ctx, customer(e.client(t, "Stranger").ID), paid.ID, billing.CreditNoteParams{All: true})
	wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
}

func TestMarkOverdueInvoices(t *testing.T) {
	e := newInvEnv(t)
	a, b := e.issued(t), e.issued(t)
	e.mustPay(t, b.ID, "1.00")
	e.draft(t)
	void := e.issued(t)
	if _, err := e.svc.VoidInvoice(ctx, system, void.ID); err != nil {
		t.Fatal(err)
	}
	job := billkit.SystemActor("scheduler")
	// Due on March 25th: not overdue on that day in Moscow.
	n, err := e.svc.MarkOverdueInvoices(ctx, job, time.Date(2024, 3, 25, 20, 59, 0, 0, time.UTC))
	if err != nil || n != 0 {
		t.Fatalf("on the due date: %d, %v", n, err)
	}
	// 00:01 on the 26th in Moscow, still the 25th in UTC.
	e.clock.Set(time.Date(2024, 3, 25, 21, 1, 0, 0, time.UTC))
	n, err = e.svc.MarkOverdueInvoices(ctx, job, time.Time{})
	if err != nil || n != 2 {
		t.Fatalf("the day after: %d, %v", n, err)
	}
	if n, err := e.svc.MarkOverdueInvoices(ctx, job, time.Time{}); err != nil || n != 0 {
		t.Fatalf("again: %d, %v", n, err)
	}
	wantStatus(t, e.get(t, a.ID), billing.InvoiceOverdue, "0", "0")
	wantStatus(t, e.get(t, b.ID), billing.InvoiceOverdue, "1.00", "0")
	wantStatus(t, e.get(t, void.ID), billing.InvoiceVoid, "0", "0")
	// Paying part of an overdue invoice leaves it overdue; paying it all
	// pays it.
	wantStatus(t, e.mustPay(t, a.ID, "99.98"), billing.InvoiceOverdue, "99.98", "0")
	wantStatus(t, e.mustPay(t, a.ID, "2000.00"), billing.InvoicePaid, "2099.98", "0")
	overdue := must[billkit.Page[billing.Invoice]](t)(e.svc.ListInvoices(ctx, system, billing.InvoiceFilter{Statuses: []billing.InvoiceStatus{billing.InvoiceOverdue}}))
	if len(overdue.Items) != 1 || overdue.Items[0].ID != b.ID {
		t.Fatalf("overdue list = %d", len(overdue.Items))
	}
	_, err = e.svc.MarkOverdueInvoices(ctx, staff(billkit.R(billing.FunctionInvoice, billkit.OpRead)), time.Time{})
	wantCode(t, err, billkit.CodeForbidden, "")
	if n := e.actions(t, "billing.invoice.overdue", a.ID.String()); n != 1 {
		t.Fatalf("%d overdue actions", n)
	}
}

func TestInvoiceReceipt(t *testing.T) {
	e := newInvEnv(t)
	var rc *billing.Invoice
	pid := billkit.NewID[billing.Payment]()
	err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		if _, err := e.svc.PostTx(ctx, tx, system, billing.PostParams{ClientID: e.c.ID, Amount: rub("1200.00"), Kind: billing.LedgerPayment, CauseType: "payment", CauseID: pid.String()}); err != nil {
			return err
		}
		var err error
		rc, err = e.svc.IssueReceiptTx(ctx, tx, system, billing.ReceiptParams{CompanyID: e.co.ID, ClientID: e.c.ID, PaymentID: pid, Amount: rub("1200.00")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if rc.Type != billing.InvoiceReceipt || rc.Number != "RCP-2024-00001" || rc.Status != billing.InvoicePaid || rc.PaymentID != pid ||
		rc.Totals.Gross.String() != "1200.00 RUB" || rc.Paid.String() != "1200.00 RUB" || rc.Lines[0].Description != "Top-up" {
		t.Fatalf("receipt = %+v", rc)
	}
	e.wantBalance(t, e.c.ID, "1200.00")
	wantCode(t, e.payIn(rc.ID, "1.00"), billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotPayable)
	err = e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		_, err := e.svc.IssueReceiptTx(ctx, tx, system, billing.ReceiptParams{CompanyID: e.co.ID, ClientID: e.c.ID, Amount: rub("-1")})
		return err
	})
	wantField(t, err, "amount", "invoice.payment_not_positive")
}

func TestListInvoices(t *testing.T) {
	e := newInvEnv(t)
	other := e.client(t, "Other")
	e.payer(t, other.ID, "Olga")
	var mine []billing.InvoiceID
	for i := 0; i < 3; i++ {
		mine = append(mine, e.issued(t).ID)
	}
	draft := e.draft(t)
	theirs, err := e.svc.CreateInvoice(ctx, system, billing.CreateInvoiceParams{CompanyID: e.co.ID, ClientID: other.ID, Lines: twoLines()})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(p billkit.Page[billing.Invoice]) []billing.InvoiceID {
		var out []billing.InvoiceID
		for _, inv := range p.Items {
			out = append(out, inv.ID)
		}
		return out
	}
	all := must[billkit.Page[billing.Invoice]](t)(e.svc.ListInvoices(ctx, system, billing.InvoiceFilter{}))
	if got := ids(all); !slices.Equal(got, []billing.InvoiceID{theirs.ID, draft.ID, mine[2], mine[1], mine[0]}) {
		t.Fatalf("all, newest first: %v", got)
	}
	cust := must[billkit.Page[billing.Invoice]](t)(e.svc.ListInvoices(ctx, customer(e.c.ID), billing.InvoiceFilter{}))
	if got := ids(cust); !slices.Equal(got, []billing.InvoiceID{draft.ID, mine[2], mine[1], mine[0]}) {
		t.Fatalf("a customer lists %v", got)
	}
	_, err = e.svc.ListInvoices(ctx, customer(e.c.ID), billing.InvoiceFilter{ClientID: other.ID})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	page := must[billkit.Page[billing.Invoice]](t)(e.svc.ListInvoices(ctx, system, billing.InvoiceFilter{ClientID: e.c.ID,
		Statuses: []billing.InvoiceStatus{billing.InvoiceIssued}, Type: billing.InvoiceFinal, IssuedFrom: billkit.MustDate(2024, 3, 15),
		PageParams: billkit.PageParams{Limit: 2}}))
	if got := ids(page); !slices.Equal(got, []billing.InvoiceID{mine[2], mine[1]}) || page.NextCursor == "" {
		t.Fatalf("page 1: %v", got)
	}
	page = must[billkit.Page[billing.Invoice]](t)(e.svc.ListInvoices(ctx, system, billing.InvoiceFilter{ClientID: e.c.ID,
		Statuses: []billing.InvoiceStatus{billing.InvoiceIssued}, PageParams: billkit.PageParams{Limit: 2, Cursor: page.NextCursor}}))
	if got := ids(page); !slices.Equal(got, []billing.InvoiceID{mine[0]}) || page.NextCursor != "" {
		t.Fatalf("page 2: %v", got)
	}
	for _, tc := range []struct {
		f             billing.InvoiceFilter
		field, reason string
	}{
		{billing.InvoiceFilter{Type: "bill"}, "type", "invoice.type_unknown"},
		{billing.InvoiceFilter{Statuses: []billing.InvoiceStatus{"lost"}}, "statuses[0]", "invoice.status_unknown"},
		{billing.InvoiceFilter{PageParams: billkit.PageParams{Limit: -1}}, "limit", ""},
	} {
		_, err := e.svc.ListInvoices(ctx, system, tc.f)
		wantField(t, err, tc.field, tc.reason)
	}
	_, err = e.svc.ListInvoices(ctx, staff(), billing.InvoiceFilter{})
	wantCode(t, err, billkit.CodeForbidden, "")
}

func TestAuditInvoices(t *testing.T) {
	e := newInvEnv(t)
	inv := e.issued(t)
	if found := must[[]billing.AuditFinding](t)(e.svc.Audit(ctx)); len(found) != 0 {
		t.Fatalf("a sound invoice: %+v", found)
	}
	// A total that no longer matches its lines is found; so is a credited
	// amount no credit note explains.
	if _, err := e.st.DB().NewRaw("UPDATE billkit_invoices SET gross = ?, credited = ? WHERE id = ?", "2099.99", "1.00", inv.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	found := must[[]billing.AuditFinding](t)(e.svc.Audit(ctx))
	var problems []string
	for _, f := range found {
		if f.Check != "invoice" || f.Object != inv.ID.String() {
			t.Fatalf("finding %+v", f)
		}
		problems = append(problems, f.Problem)
	}
	if len(found) != 3 {
		t.Fatalf("findings: %q", problems)
	}
	// Put it back, for the auditor that runs when the test ends.
	if _, err := e.st.DB().NewRaw("UPDATE billkit_invoices SET gross = ?, credited = ? WHERE id = ?", "2099.98", "0.00", inv.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
}
