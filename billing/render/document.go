package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/shopspring/decimal"
)

// Document is an invoice ready to show: every text in the document's
// language and every amount formatted for its locale. The HTML templates
// render it, and so do Text and PDF, so all three say the same thing.
type Document struct {
	// Locale is the locale the document is written in ("ru"), and Language
	// its built-in labels' language ("ru", or "en" as the fallback).
	Locale   string
	Language string
	Labels   Labels
	// Type is the billing.InvoiceType; Title its name ("Invoice",
	// "Credit note"), preceded by "Draft" for a draft.
	Type   billing.InvoiceType
	Title  string
	Number string
	// Status is the document's status; Stamp is a word to stamp on it
	// ("PAID", "VOID"), or "".
	Status billing.InvoiceStatus
	Stamp  string
	// IssueDate and DueDate are formatted dates, "" when not set.
	IssueDate string
	DueDate   string
	Seller    Party
	Buyer     Party
	Lines     []Line
	// Taxes is the summary per tax and rate.
	Taxes []TaxRow
	Net   string
	Tax   string
	Gross string
	// Paid, Credited and AmountDue are "" when zero (AmountDue: when
	// nothing is due, or for a credit note or a receipt).
	Paid      string
	Credited  string
	AmountDue string
	// Credits names the invoice a credit note corrects ("Corrects invoice
	// INV-2026-00042"), "" otherwise.
	Credits string
	// Notes are the reverse-charge or exemption mention, the tax
	// decision's note and the memo, in that order.
	Notes []string
}

// Party is the seller or the buyer as printed.
type Party struct {
	Name string
	// Address is one line per element: street lines, "postal code city",
	// region, country code.
	Address []string
	TaxIDs  []string
	// Bank is one line per bank account.
	Bank []string
}

// Line is one line of the document as printed.
type Line struct {
	Position    int
	Description string
	Quantity    string
	UnitPrice   string
	Net         string
	// Rates are the line's tax rates ("20 %", "5 % + 9,975 %"), or the
	// no-tax mark.
	Rates string
	Tax   string
	Gross string
}

// TaxRow is one tax of the summary.
type TaxRow struct {
	Name   string
	Rate   string
	Base   string
	Amount string
}

// NewDocument prepares inv for rendering in locale (inv.Locale when empty).
func NewDocument(inv *billing.Invoice, locale string) (*Document, error) {
	if inv == nil {
		return nil, billkit.InvalidField("invoice", "required", "is required")
	}
	if locale == "" {
		locale = inv.Locale
	}
	if locale == "" {
		locale = "en"
	}
	lang := language(locale)
	l := labelsFor(locale)
	f := formatter{locale: locale, lang: lang}
	d := &Document{
		Locale: locale, Language: lang, Labels: l, Type: inv.Type, Number: inv.Number, Status: inv.Status,
		IssueDate: f.date(inv.IssueDate), DueDate: f.date(inv.DueDate),
		Net: f.money(inv.Totals.Net), Tax: f.money(inv.Totals.Tax), Gross: f.money(inv.Totals.Gross),
	}
	d.Title = l[string(inv.Type)]
	if d.Title == "" {
		d.Title = l["invoice"]
	}
	switch inv.Status {
	case billing.InvoiceDraft:
		d.Title = l["draft"] + ": " + d.Title
	case billing.InvoicePaid:
		if inv.Type == billing.InvoiceFinal || inv.Type == billing.InvoiceProforma {
			d.Stamp = l["status_paid"]
		}
	case billing.InvoiceVoid:
		d.Stamp = l["status_void"]
	}
	if inv.Seller != nil {
		d.Seller = sellerParty(inv.Seller, l)
	}
	if inv.Buyer != nil {
		d.Buyer = buyerParty(inv.Buyer, l)
	}
	for _, line := range inv.Lines {
		out := Line{
			Position: line.Position, Description: line.Description, Quantity: f.number(line.Quantity),
			UnitPrice: f.money(line.UnitPrice), Net: f.money(line.Net), Tax: f.money(line.Tax), Gross: f.money(line.Gross),
			Rates: l["no_tax"],
		}
		if inv.Status == billing.InvoiceDraft {
			out.Net, out.Gross = f.money(line.Amount), f.money(line.Amount)
		}
		var rates []string
		for _, t := range line.Taxes {
			rates = append(rates, f.rate(t.Rate))
		}
		if len(rates) > 0 {
			out.Rates = strings.Join(rates, " + ")
		}
		d.Lines = append(d.Lines, out)
	}
	for _, t := range inv.Totals.Summary {
		d.Taxes = append(d.Taxes, TaxRow{Name: t.Name, Rate: f.rate(t.Rate), Base: f.money(t.Base), Amount: f.money(t.Amount)})
	}
	if !inv.Paid.IsZero() {
		d.Paid = f.money(inv.Paid)
	}
	if !inv.Credited.IsZero() {
		d.Credited = f.money(inv.Credited)
	}
	if inv.Status != billing.InvoiceDraft && (inv.Type == billing.InvoiceFinal || inv.Type == billing.InvoiceProforma) &&
		inv.Status != billing.InvoiceVoid && inv.Status != billing.InvoiceCredited && inv.Totals.Gross.Currency() != "" {
		if o := inv.Outstanding(); o.IsPositive() && (!inv.Paid.IsZero() || !inv.Credited.IsZero()) {
			d.AmountDue = f.money(o)
		}
	}
	if inv.CreditsInvoiceNumber != "" {
		d.Credits = fmt.Sprintf(l["credits"], inv.CreditsInvoiceNumber)
	}
	if td := inv.TaxDecision; td != nil {
		if td.ReverseCharge {
			d.Notes = append(d.Notes, l["reverse_charge"])
		}
		if td.Exempt && strings.TrimSpace(td.Note) == "" {
			d.Notes = append(d.Notes, l["exempt"]) // the note says it otherwise
		}
		for _, n := range strings.Split(td.Note, "\n") {
			if n = strings.TrimSpace(n); n != "" {
				d.Notes = append(d.Notes, n)
			}
		}
	}
	if m := strings.TrimSpace(inv.Memo); m != "" {
		d.Notes = append(d.Notes, m)
	}
	return d, nil
}

func addressLines(a billing.Address, country string) []string {
	out := append([]string{}, a.Lines...)
	if city := strings.TrimSpace(a.PostalCode + " " + a.City); city != "" {
		out = append(out, city)
	}
	if a.Region != "" {
		out = append(out, a.Region)
	}
	if country != "" {
		out = append(out, country)
	}
	return out
}

func sellerParty(s *billing.InvoiceSeller, l Labels) Party {
	p := Party{Name: s.LegalName, Address: addressLines(s.Address, s.Country), TaxIDs: append([]string{}, s.TaxIDs...)}
	for _, b := range s.BankAccounts {
		parts := []string{b.BankName}
		if b.IBAN != "" {
			parts = append(parts, l["iban"]+" "+b.IBAN)
		}
		if b.Account != "" {
			parts = append(parts, l["account"]+" "+b.Account)
		}
		if b.BIC != "" {
			parts = append(parts, l["bic"]+" "+b.BIC)
		}
		p.Bank = append(p.Bank, strings.Join(parts, ", "))
	}
	return p
}

func buyerParty(b *billing.InvoiceBuyer, _ Labels) Party {
	country := b.Country
	a := b.Address
	if b.Region != "" && a.Region == "" {
		a.Region = b.Region
	}
	p := Party{Name: b.DisplayName(), Address: addressLines(a, country)}
	if b.TaxID != "" {
		p.TaxIDs = []string{b.TaxID}
	}
	return p
}

// formatter writes numbers, amounts and dates for a locale.
type formatter struct {
	locale, lang string
}

// money formats m for the locale; the zero Money is "".
func (f formatter) money(m billkit.Money) string {
	if m.Currency() == "" {
		return ""
	}
	return m.Format(f.locale)
}

// number writes a plain decimal with the locale's decimal separator.
func (f formatter) number(d decimal.Decimal) string {
	s := d.String()
	if f.lang == "ru" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// rate writes a percentage: "20%" in English, "20 %" in Russian.
func (f formatter) rate(r string) string {
	d, err := decimal.NewFromString(r)
	if err == nil {
		r = f.number(d)
	}
	if f.lang == "ru" {
		return r + "\u00a0%"
	}
	return r + "%"
}

var monthsEN = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

// date writes a date: "March 5, 2026" in English, "05.03.2026" in Russian.
func (f formatter) date(d billkit.Date) string {
	if d.IsZero() {
		return ""
	}
	if f.lang == "ru" {
		return fmt.Sprintf("%02d.%02d.%04d", d.Day, int(d.Month), d.Year)
	}
	return fmt.Sprintf("%s %d, %d", monthsEN[d.Month-time.January], d.Day, d.Year)
}
