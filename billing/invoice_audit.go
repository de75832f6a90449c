package billing

import (
	"context"
	"fmt"

	"github.com/billkit/billkit"
)

// auditInvoices checks that each invoice's total equals its lines and
// taxes; Audit runs it.
//
// For every document that is not a draft: each line's net plus tax is its
// gross and its taxes sum to its tax; the lines sum to the totals; net plus
// tax is gross; the summary sums to the tax; it has a number; Paid and
// Credited are not negative, and Credited is at most the gross; a paid
// document has Paid covering what is due; and an invoice's Credited is what
// its credit notes took off. Drafts have totals equal to their lines'
// amounts.
func (s *Service) auditInvoices(ctx context.Context) ([]AuditFinding, error) {
	var (
		out      []AuditFinding
		credited = map[InvoiceID]billkit.Money{}
		invoices = map[InvoiceID]billkit.Money{}
	)
	add := func(inv *Invoice, format string, args ...any) {
		out = append(out, AuditFinding{Check: "invoice", Object: inv.ID.String(), Problem: fmt.Sprintf("%s %s: ", inv.Type, invoiceLabel(inv)) + fmt.Sprintf(format, args...)})
	}
	for cursor := ""; ; {
		page, err := s.store.ListInvoices(ctx, InvoiceFilter{PageParams: billkit.PageParams{Cursor: cursor, Limit: auditPage}})
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			inv := &page.Items[i]
			for _, p := range auditInvoice(inv) {
				add(inv, "%s", p)
			}
			switch {
			case inv.Type == InvoiceCreditNote:
				sum := credited[inv.CreditsInvoiceID]
				if sum.Currency() == "" {
					sum = billkit.Zero(inv.Currency)
				}
				if s, err := sum.Sub(inv.Totals.Gross); err == nil {
					credited[inv.CreditsInvoiceID] = s
				}
			case inv.Type == InvoiceFinal && inv.Status != InvoiceDraft:
				invoices[inv.ID] = inv.Credited
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	for id, want := range invoices {
		got, ok := credited[id]
		if !ok {
			got = billkit.Zero(want.Currency())
		}
		if !got.Equal(want) {
			out = append(out, AuditFinding{Check: "invoice", Object: id.String(),
				Problem: fmt.Sprintf("credited %s, but its credit notes credit %s", want, got)})
		}
	}
	return out, nil
}

// auditInvoice returns what is wrong with one document.
func auditInvoice(inv *Invoice) []string {
	var out []string
	sum := func(ms []billkit.Money) (billkit.Money, bool) {
		total := billkit.Zero(inv.Currency)
		for _, m := range ms {
			s, err := total.Add(m)
			if err != nil {
				return total, false
			}
			total = s
		}
		return total, true
	}
	if inv.Status == InvoiceDraft {
		var amounts []billkit.Money
		for _, l := range inv.Lines {
			amounts = append(amounts, l.Amount)
		}
		if s, ok := sum(amounts); !ok || !s.Equal(inv.Totals.Net) || !s.Equal(inv.Totals.Gross) {
			out = append(out, fmt.Sprintf("draft totals %s/%s differ from its lines' amounts %s", inv.Totals.Net, inv.Totals.Gross, s))
		}
		return out
	}
	if inv.Number == "" {
		out = append(out, "issued without a number")
	}
	var nets, taxes, grosses, summary []billkit.Money
	for _, l := range inv.Lines {
		if s, ok := sum([]billkit.Money{l.Net, l.Tax}); !ok || !s.Equal(l.Gross) {
			out = append(out, fmt.Sprintf("line %d: net %s + tax %s is not its gross %s", l.Position, l.Net, l.Tax, l.Gross))
		}
		var lt []billkit.Money
		for _, t := range l.Taxes {
			lt = append(lt, t.Amount)
		}
		if s, ok := sum(lt); !ok || !s.Equal(l.Tax) {
			out = append(out, fmt.Sprintf("line %d: its taxes sum to %s, not its tax %s", l.Position, s, l.Tax))
		}
		nets, taxes, grosses = append(nets, l.Net), append(taxes, l.Tax), append(grosses, l.Gross)
	}
	for _, c := range []struct {
		what  string
		lines []billkit.Money
		total billkit.Money
	}{{"net", nets, inv.Totals.Net}, {"tax", taxes, inv.Totals.Tax}, {"gross", grosses, inv.Totals.Gross}} {
		if s, ok := sum(c.lines); !ok || !s.Equal(c.total) {
			out = append(out, fmt.Sprintf("the lines' %s sums to %s, the total is %s", c.what, s, c.total))
		}
	}
	if s, ok := sum([]billkit.Money{inv.Totals.Net, inv.Totals.Tax}); !ok || !s.Equal(inv.Totals.Gross) {
		out = append(out, fmt.Sprintf("net %s + tax %s is not the gross %s", inv.Totals.Net, inv.Totals.Tax, inv.Totals.Gross))
	}
	for _, t := range inv.Totals.Summary {
		summary = append(summary, t.Amount)
	}
	if s, ok := sum(summary); !ok || len(summary) > 0 && !s.Equal(inv.Totals.Tax) {
		out = append(out, fmt.Sprintf("the tax summary sums to %s, the tax is %s", s, inv.Totals.Tax))
	}
	if inv.Paid.Currency() != inv.Currency || inv.Paid.IsNegative() {
		out = append(out, fmt.Sprintf("paid %s is negative or in another currency", inv.Paid))
	}
	if inv.Credited.Currency() != inv.Currency || inv.Credited.IsNegative() || inv.Type != InvoiceCreditNote && inv.Credited.Amount().GreaterThan(inv.Totals.Gross.Amount()) {
		out = append(out, fmt.Sprintf("credited %s is negative or more than the gross %s", inv.Credited, inv.Totals.Gross))
	}
	if inv.Status == InvoicePaid && inv.Type != InvoiceCreditNote && inv.Paid.Amount().LessThan(inv.Due().Amount()) {
		out = append(out, fmt.Sprintf("paid, but paid %s does not cover the due %s", inv.Paid, inv.Due()))
	}
	return out
}
