package render

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/billkit/billkit/billing"
)

// Text writes inv as plain text: for e-mails without HTML, for logs and for
// tests that compare documents word for word.
func Text(inv *billing.Invoice, opts Options) (string, error) {
	d, err := NewDocument(inv, opts.Locale)
	if err != nil {
		return "", err
	}
	return d.Text(), nil
}

// Text writes the document as plain text.
func (d *Document) Text() string {
	var b strings.Builder
	l := d.Labels
	b.WriteString(d.heading())
	if d.Stamp != "" {
		b.WriteString("  [" + d.Stamp + "]")
	}
	b.WriteString("\n")
	if d.IssueDate != "" {
		fmt.Fprintf(&b, "%s: %s\n", l["issue_date"], d.IssueDate)
	}
	if d.DueDate != "" {
		fmt.Fprintf(&b, "%s: %s\n", l["due_date"], d.DueDate)
	}
	if d.Credits != "" {
		b.WriteString(d.Credits + "\n")
	}
	for _, p := range []struct {
		label string
		party Party
	}{{l["seller"], d.Seller}, {l["buyer"], d.Buyer}} {
		fmt.Fprintf(&b, "\n%s: %s\n", p.label, p.party.Name)
		for _, a := range p.party.Address {
			b.WriteString("  " + a + "\n")
		}
		for _, id := range p.party.TaxIDs {
			fmt.Fprintf(&b, "  %s: %s\n", l["tax_id"], id)
		}
		for _, bank := range p.party.Bank {
			fmt.Fprintf(&b, "  %s: %s\n", l["bank"], bank)
		}
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", l["position"], l["description"], l["quantity"], l["unit_price"], l["net"], l["rate"], l["tax"], l["gross"])
	for _, line := range d.Lines {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", line.Position, line.Description, line.Quantity, line.UnitPrice, line.Net, line.Rates, line.Tax, line.Gross)
	}
	_ = tw.Flush()
	if len(d.Taxes) > 0 {
		fmt.Fprintf(&b, "\n%s:\n", l["tax_summary"])
		for _, t := range d.Taxes {
			fmt.Fprintf(&b, "  %s %s: %s (%s %s)\n", t.Name, t.Rate, t.Amount, l["base"], t.Base)
		}
	}
	b.WriteString("\n")
	totals := [][2]string{{l["total_net"], d.Net}, {l["total_tax"], d.Tax}, {l["total_gross"], d.Gross},
		{l["credited"], d.Credited}, {l["paid"], d.Paid}, {l["amount_due"], d.AmountDue}}
	for _, t := range totals {
		if t[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", t[0], t[1])
		}
	}
	if len(d.Notes) > 0 {
		b.WriteString("\n")
		for _, n := range d.Notes {
			b.WriteString(n + "\n")
		}
	}
	return b.String()
}

// heading is the title with the number.
func (d *Document) heading() string {
	if d.Number == "" {
		return d.Title
	}
	return d.Title + " " + d.Labels["number"] + " " + d.Number
}
