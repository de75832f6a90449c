package storetest

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
)

// invoiceFixture is a billing fixture with a company, a client and a payer
// to make documents for.
type invoiceFixture struct {
	*billingFixture
	company *billing.Company
	client  *billing.Client
	payer   *billing.Payer
}

func newInvoiceFixture(t *testing.T, newStores func(t testing.TB) Stores) *invoiceFixture {
	t.Helper()
	f := &invoiceFixture{billingFixture: newBillingFixture(t, newStores)}
	f.company = &billing.Company{ID: billkit.NewID[billing.Company](), LegalName: "HostCo LLC", ShortName: "HostCo", Country: "RU",
		ProviderIDs: []billkit.ProviderID{f.pid}, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.b.InsertCompany(context.Background(), f.company))
	f.client = f.billingFixture.client(t, "Acme")
	f.payer = f.billingFixture.payer(t, f.client.ID, true, "")
	return f
}

func invRUB(s string) billkit.Money { return billkit.MustParseMoney(s, "RUB") }

// draft returns a draft of the fixture's client with lines of the amounts.
func (f *invoiceFixture) draft(amounts ...string) *billing.Invoice {
	inv := &billing.Invoice{ID: billkit.NewID[billing.Invoice](), Type: billing.InvoiceFinal, CompanyID: f.company.ID, ClientID: f.client.ID,
		PayerID: f.payer.ID, Currency: "RUB", Status: billing.InvoiceDraft, Paid: invRUB("0.00"), Credited: invRUB("0.00"),
		Locale: "ru", Memo: "memo", CreatedAt: t0, UpdatedAt: t0}
	total := invRUB("0.00")
	for i, a := range amounts {
		inv.Lines = append(inv.Lines, billing.InvoiceLine{Position: i + 1, Description: "VDS " + a, Quantity: dec("1"),
			UnitPrice: invRUB(a), ProductType: "vds", Amount: invRUB(a)})
		total, _ = total.Add(invRUB(a))
	}
	inv.Totals = billing.TaxTotals{Net: total, Tax: invRUB("0.00"), Gross: total}
	return inv
}

// issue turns a draft into an issued document with a 20 % tax on each
// line, as IssueInvoice would.
func (f *invoiceFixture) issue(inv *billing.Invoice, number string, on billkit.Date) {
	vat := billing.AppliedTax{RuleID: billkit.NewID[billing.TaxRule](), Code: "vat", Name: "НДС", Rate: dec("20"), Level: 1}
	tax, net := invRUB("0.00"), invRUB("0.00")
	for i := range inv.Lines {
		l := &inv.Lines[i]
		l.AppliedTaxes = []billing.AppliedTax{vat}
		t := l.Amount.Mul(dec("0.2")).RoundTo(2, billkit.RoundHalfUp)
		l.Net, l.Tax = l.Amount, t
		l.Gross, _ = l.Amount.Add(t)
		l.Taxes = []billing.LineTax{{Code: "vat", Name: "НДС", Rate: "20", Amount: t}}
		tax, _ = tax.Add(t)
		net, _ = net.Add(l.Amount)
	}
	gross, _ := net.Add(tax)
	inv.Totals = billing.TaxTotals{Net: net, Tax: tax, Gross: gross, Summary: []billing.TaxSummary{{Code: "vat", Name: "НДС", Rate: "20", Base: net, Amount: tax}}}
	inv.Status, inv.Number, inv.IssueDate, inv.DueDate = billing.InvoiceIssued, number, on, on.AddDays(14)
	inv.IssuedAt = t0.Add(time.Hour)
	inv.Seller = &billing.InvoiceSeller{CompanyID: f.company.ID, LegalName: "HostCo LLC", ShortName: "HostCo", Country: "RU",
		Address: billing.Address{Lines: []string{"Tverskaya 1"}, City: "Moscow"}, TaxIDs: []string{"7707083893"},
		BankAccounts: []billing.BankAccount{{BankName: "Sber", Account: "40702810900000000001", BIC: "SABRRUMM"}}}
	inv.Buyer = &billing.InvoiceBuyer{PayerID: f.payer.ID, Kind: billing.PayerCompany, Name: "P", LegalName: "OOO P", Country: "RU",
		Address: billing.Address{Lines: []string{"Street 1"}, City: "Moscow"}}
	inv.TaxDecision = &billing.TaxDecision{Taxes: []billing.AppliedTax{vat}, Note: "VAT 20 %", Rounding: billing.TaxRoundPerLine,
		Evidence: &billing.VATCheck{CountryCode: "DE", Number: "136695976", Valid: true, Confirmed: true, CheckedAt: storedTime(t0)}}
}

var cmpInvoices = cmp.Options{cmpOpts,
	// Every billkit ID compares by value, also those of types added later.
	cmp.Exporter(func(t reflect.Type) bool {
		return t.PkgPath() == "github.com/billkit/billkit" && strings.HasPrefix(t.Name(), "ID[")
	}),
	cmp.Comparer(func(a, b billkit.Money) bool { return a.String() == b.String() }),
	cmp.Comparer(func(a, b billing.InvoiceID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.CompanyID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.PayerID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.ExpenseID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.PaymentID) bool { return a == b }),
	cmp.Comparer(func(a, b billing.TaxRuleID) bool { return a == b }),
	cmp.Comparer(func(a, b billkit.ClientID) bool { return a == b }),
}

// stored is inv as the store gives it back: instants in stored form.
func storedInvoice(inv *billing.Invoice) *billing.Invoice {
	out := *inv
	out.Lines = slices.Clone(inv.Lines)
	out.CreatedAt, out.UpdatedAt = storedTime(inv.CreatedAt), storedTime(inv.UpdatedAt)
	for _, t := range []*time.Time{&out.IssuedAt, &out.PaidAt, &out.VoidedAt} {
		if !t.IsZero() {
			*t = storedTime(*t)
		}
	}
	return &out
}

func runBillingInvoices(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()

	t.Run("invoice/crud", func(t *testing.T) {
		f := newInvoiceFixture(t, newStores)
		inv := f.draft("1500.00", "0.10")
		inv.Lines[0].ExpenseID = billkit.NewID[billing.Expense]()
		inv.Lines[1].Quantity = dec("1.5")
		must(t, f.b.InsertInvoice(ctx, inv))
		got, err := f.b.GetInvoice(ctx, inv.ID)
		must(t, err)
		if diff := cmp.Diff(storedInvoice(inv), got, cmpInvoices); diff != "" {
			t.Fatalf("GetInvoice (-want +got):\n%s", diff)
		}
		if got.Lines[0].Amount.String() != "1500.00 RUB" || got.Totals.Tax.String() != "0.00 RUB" {
			t.Fatalf("amounts lost their decimals: %s, %s", got.Lines[0].Amount, got.Totals.Tax)
		}
		locked, err := f.b.LockInvoice(ctx, inv.ID)
		must(t, err)
		if diff := cmp.Diff(got, locked, cmpInvoices); diff != "" {
			t.Fatalf("LockInvoice (-get +lock):\n%s", diff)
		}
		wantCode(t, f.b.InsertInvoice(ctx, inv), billkit.CodeConflict, "invoice.exists")
		_, err = f.b.GetInvoice(ctx, billkit.NewID[billing.Invoice]())
		wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
		_, err = f.b.LockInvoice(ctx, billing.InvoiceID{})
		wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")

		orphan := f.draft("1.00")
		orphan.ClientID = newBillingClientID()
		wantCode(t, f.b.InsertInvoice(ctx, orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		_, err = f.b.GetInvoice(ctx, orphan.ID)
		wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
		bad := f.draft("1.00", "2.00")
		bad.Lines[1].Position = 7
		wantCode(t, f.b.InsertInvoice(ctx, bad), billkit.CodeInvalid, "")
	})

	t.Run("invoice/advance lines", func(t *testing.T) {
		f := newInvoiceFixture(t, newStores)
		inv := f.draft("1200.00", "100.00")
		inv.Type = billing.InvoiceProforma
		inv.Lines[0].Advance = true
		must(t, f.b.InsertInvoice(ctx, inv))
		got, err := f.b.GetInvoice(ctx, inv.ID)
		must(t, err)
		if diff := cmp.Diff(storedInvoice(inv), got, cmpInvoices); diff != "" {
			t.Fatalf("GetInvoice (-want +got):\n%s", diff)
		}
		// Issuing rewrites the lines, and a state update keeps the flag.
		f.issue(inv, "PRO-2026-00001", billkit.MustDate(2026, 3, 29))
		must(t, f.b.UpdateDraftInvoice(ctx, inv))
		inv.Status, inv.Paid = billing.InvoicePaid, inv.Totals.Gross
		inv.Lines[1].ChargeExpenseID = billkit.NewID[billing.Expense]()
		must(t, f.b.UpdateInvoiceState(ctx, inv))
		page, err := f.b.ListInvoices(ctx, billing.InvoiceFilter{ClientID: f.client.ID})
		must(t, err)
		if len(page.Items) != 1 {
			t.Fatalf("%d documents", len(page.Items))
		}
		if diff := cmp.Diff(storedInvoice(inv), &page.Items[0], cmpInvoices); diff != "" {
			t.Fatalf("ListInvoices (-want +got):\n%s", diff)
		}
		if l := page.Items[0].Lines; !l[0].Advance || l[1].Advance {
			t.Fatalf("advance flags %v, %v", l[0].Advance, l[1].Advance)
		}
	})

	t.Run("invoice/issued is frozen", func(t *testing.T) {
		f := newInvoiceFixture(t, newStores)
		inv := f.draft("100.00")
		must(t, f.b.InsertInvoice(ctx, inv))
		inv.Lines = append(inv.Lines, billing.InvoiceLine{Position: 2, Description: "Setup", Quantity: dec("1"), UnitPrice: invRUB("10.00"), Amount: invRUB("10.00")})
		inv.Memo = "edited"
		must(t, f.b.UpdateDraftInvoice(ctx, inv))
		got, err := f.b.GetInvoice(ctx, inv.ID)
		must(t, err)
		if len(got.Lines) != 2 || got.Memo != "edited" {
			t.Fatalf("draft after update = %+v", got)
		}
		f.issue(inv, "INV-2026-00001", billkit.MustDate(2026, 3, 29))
		must(t, f.b.UpdateDraftInvoice(ctx, inv)) // issuing is the draft's last write
		issued, err := f.b.GetInvoice(ctx, inv.ID)
		must(t, err)
		if diff := cmp.Diff(storedInvoice(inv), issued, cmpInvoices); diff != "" {
			t.Fatalf("issued (-want +got):\n%s", diff)
		}

		changed := *issued
		changed.Lines = slices.Clone(issued.Lines)
		changed.Memo, changed.Lines[0].Description, changed.Status = "changed", "changed", billing.InvoiceDraft
		wantCode(t, f.b.UpdateDraftInvoice(ctx, &changed), billkit.CodeFailedPrecondition, billing.ReasonInvoiceFrozen)
		wantCode(t, f.b.DeleteDraftInvoice(ctx, inv.ID), billkit.CodeFailedPrecondition, billing.ReasonInvoiceFrozen)
		// A state update writes the state only, whatever content it is given.
		changed.Status, changed.Paid, changed.PaidAt = billing.InvoicePartlyPaid, invRUB("50.00"), t0.Add(2*time.Hour)
		changed.Lines[0].ChargeExpenseID = billkit.NewID[billing.Expense]()
		must(t, f.b.UpdateInvoiceState(ctx, &changed))
		again, err := f.b.GetInvoice(ctx, inv.ID)
		must(t, err)
		want := storedInvoice(inv)
		want.Status, want.Paid, want.PaidAt = billing.InvoicePartlyPaid, invRUB("50.00"), storedTime(t0.Add(2*time.Hour))
		want.Lines = slices.Clone(want.Lines)
		want.Lines[0].ChargeExpenseID = changed.Lines[0].ChargeExpenseID
		if diff := cmp.Diff(want, again, cmpInvoices); diff != "" {
			t.Fatalf("after a state update (-want +got):\n%s", diff)
		}
		// A line's charge is recorded once.
		first := changed.Lines[0].ChargeExpenseID
		changed.Lines[0].ChargeExpenseID = billkit.NewID[billing.Expense]()
		must(t, f.b.UpdateInvoiceState(ctx, &changed))
		again, err = f.b.GetInvoice(ctx, inv.ID)
		must(t, err)
		if again.Lines[0].ChargeExpenseID != first {
			t.Fatalf("a line's charge changed from %s to %s", first, again.Lines[0].ChargeExpenseID)
		}

		d := f.draft("5.00")
		must(t, f.b.InsertInvoice(ctx, d))
		d.Status = billing.InvoiceIssued
		wantCode(t, f.b.UpdateInvoiceState(ctx, d), billkit.CodeFailedPrecondition, "invoice.draft")
		d.Status = billing.InvoiceDraft
		wantCode(t, f.b.UpdateInvoiceState(ctx, d), billkit.CodeInvalid, "invoice.draft")
		must(t, f.b.DeleteDraftInvoice(ctx, d.ID))
		_, err = f.b.GetInvoice(ctx, d.ID)
		wantCode(t, err, billkit.CodeNotFound, "invoice.not_found")
		wantCode(t, f.b.DeleteDraftInvoice(ctx, d.ID), billkit.CodeNotFound, "invoice.not_found")
		wantCode(t, f.b.UpdateDraftInvoice(ctx, d), billkit.CodeNotFound, "invoice.not_found")
	})

	t.Run("invoice/numbers are unique per company", func(t *testing.T) {
		f := newInvoiceFixture(t, newStores)
		on := billkit.MustDate(2026, 3, 29)
		a, b := f.draft("1.00"), f.draft("2.00")
		f.issue(a, "INV-1", on)
		f.issue(b, "INV-1", on)
		must(t, f.b.InsertInvoice(ctx, a))
		wantCode(t, f.b.InsertInvoice(ctx, b), billkit.CodeConflict, "invoice.exists")
		// Drafts have no number yet, as many as there are.
		must(t, f.b.InsertInvoice(ctx, f.draft("1.00")))
		must(t, f.b.InsertInvoice(ctx, f.draft("1.00")))
		// Another company may use the same number.
		other := &billing.Company{ID: billkit.NewID[billing.Company](), LegalName: "Other", Country: "RU", CreatedAt: t0, UpdatedAt: t0}
		must(t, f.b.InsertCompany(ctx, other))
		b.CompanyID = other.ID
		must(t, f.b.InsertInvoice(ctx, b))
	})

	t.Run("invoice/list", func(t *testing.T) {
		f := newInvoiceFixture(t, newStores)
		other := f.billingFixture.client(t, "Other")
		otherPayer := f.billingFixture.payer(t, other.ID, true, "")
		expense := billkit.NewID[billing.Expense]()
		var all []*billing.Invoice
		for i := 0; i < 7; i++ {
			inv := f.draft("10.00", "1.00")
			if i%3 == 2 {
				inv.ClientID, inv.PayerID = other.ID, otherPayer.ID
			}
			if i >= 2 {
				f.issue(inv, "INV-"+strings.Repeat("0", i), billkit.MustDate(2026, 3, 20+i))
			}
			if i == 4 {
				inv.Type, inv.CreditsInvoiceID, inv.CreditsInvoiceNumber = billing.InvoiceCreditNote, all[3].ID, all[3].Number
			}
			if i == 5 {
				inv.Status = billing.InvoicePaid
				inv.Lines[1].ExpenseID = expense
			}
			must(t, f.b.InsertInvoice(ctx, inv))
			all = append(all, inv)
		}
		newestFirst := func(keep func(*billing.Invoice) bool) []string {
			out := []string{}
			for i := len(all) - 1; i >= 0; i-- {
				if keep(all[i]) {
					out = append(out, all[i].ID.String())
				}
			}
			return out
		}
		id := func(inv billing.Invoice) string { return inv.ID.String() }
		for _, tc := range []struct {
			name string
			f    billing.InvoiceFilter
			keep func(*billing.Invoice) bool
		}{
			{"all", billing.InvoiceFilter{}, func(*billing.Invoice) bool { return true }},
			{"client", billing.InvoiceFilter{ClientID: other.ID}, func(i *billing.Invoice) bool { return i.ClientID == other.ID }},
			{"clients", billing.InvoiceFilter{ClientIDs: []billkit.ClientID{f.client.ID}}, func(i *billing.Invoice) bool { return i.ClientID == f.client.ID }},
			{"no clients", billing.InvoiceFilter{ClientIDs: []billkit.ClientID{}}, func(*billing.Invoice) bool { return false }},
			{"company", billing.InvoiceFilter{CompanyID: f.company.ID}, func(*billing.Invoice) bool { return true }},
			{"type", billing.InvoiceFilter{Type: billing.InvoiceCreditNote}, func(i *billing.Invoice) bool { return i.Type == billing.InvoiceCreditNote }},
			{"statuses", billing.InvoiceFilter{Statuses: []billing.InvoiceStatus{billing.InvoiceDraft, billing.InvoicePaid}}, func(i *billing.Invoice) bool {
				return i.Status == billing.InvoiceDraft || i.Status == billing.InvoicePaid
			}},
			{"issued window", billing.InvoiceFilter{IssuedFrom: billkit.MustDate(2026, 3, 23), IssuedTo: billkit.MustDate(2026, 3, 25)}, func(i *billing.Invoice) bool {
				return !i.IssueDate.IsZero() && !i.IssueDate.Before(billkit.MustDate(2026, 3, 23)) && !i.IssueDate.After(billkit.MustDate(2026, 3, 25))
			}},
			{"due before", billing.InvoiceFilter{DueBefore: billkit.MustDate(2026, 4, 7)}, func(i *billing.Invoice) bool {
				return !i.DueDate.IsZero() && i.DueDate.Before(billkit.MustDate(2026, 4, 7))
			}},
			{"credit notes of", billing.InvoiceFilter{CreditsInvoiceID: all[3].ID}, func(i *billing.Invoice) bool { return i.CreditsInvoiceID == all[3].ID }},
			{"expense", billing.InvoiceFilter{ExpenseID: expense}, func(i *billing.Invoice) bool { return i.Lines[1].ExpenseID == expense }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[billing.Invoice], error) {
					fl := tc.f
					fl.PageParams = pp
					return f.b.ListInvoices(ctx, fl)
				})
				if diff := cmp.Diff(newestFirst(tc.keep), keys(got, id)); diff != "" {
					t.Fatalf("(-want +got):\n%s", diff)
				}
				for _, inv := range got {
					if len(inv.Lines) != 2 || inv.Lines[0].Position != 1 || inv.Lines[1].Amount.String() != "1.00 RUB" {
						t.Fatalf("listed without its lines: %+v", inv.Lines)
					}
				}
			})
		}
		_, err := f.b.ListInvoices(ctx, billing.InvoiceFilter{PageParams: billkit.PageParams{Cursor: "bad!"}})
		wantCode(t, err, billkit.CodeInvalid, "")
	})

	t.Run("series", func(t *testing.T) {
		f := newInvoiceFixture(t, newStores)
		_, err := f.b.GetInvoiceSeries(ctx, f.company.ID, billing.InvoiceFinal)
		wantCode(t, err, billkit.CodeNotFound, "invoice_series.not_found")
		s := &billing.InvoiceSeries{CompanyID: f.company.ID, Type: billing.InvoiceFinal, Format: "A-{NNN}", Reset: billing.ResetNever, UpdatedAt: t0}
		must(t, f.b.PutInvoiceSeries(ctx, s))
		s.Format, s.Reset, s.UpdatedAt = "B-{YYYY}-{N}", billing.ResetYearly, t0.Add(time.Hour)
		must(t, f.b.PutInvoiceSeries(ctx, s))
		must(t, f.b.PutInvoiceSeries(ctx, &billing.InvoiceSeries{CompanyID: f.company.ID, Type: billing.InvoiceProforma, Format: "P-{N}", Reset: billing.ResetNever, UpdatedAt: t0}))
		got, err := f.b.GetInvoiceSeries(ctx, f.company.ID, billing.InvoiceFinal)
		must(t, err)
		want := &billing.InvoiceSeries{CompanyID: f.company.ID, Type: billing.InvoiceFinal, Format: "B-{YYYY}-{N}", Reset: billing.ResetYearly, UpdatedAt: storedTime(t0.Add(time.Hour))}
		if diff := cmp.Diff(want, got, cmpInvoices); diff != "" {
			t.Fatalf("GetInvoiceSeries (-want +got):\n%s", diff)
		}
		missing := &billing.InvoiceSeries{CompanyID: billkit.NewID[billing.Company](), Type: billing.InvoiceFinal, Format: "X-{N}", Reset: billing.ResetNever, UpdatedAt: t0}
		wantCode(t, f.b.PutInvoiceSeries(ctx, missing), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
	})
}
