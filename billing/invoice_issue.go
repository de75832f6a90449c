package billing

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/billkit/billkit"
)

// SettingInvoiceDueDays is the setting (of a provider, client group or
// client) of how many days after issue a document is due.
const SettingInvoiceDueDays = "invoice.due_days"

// DefaultInvoiceDueDays is the due days when no setting says.
const DefaultInvoiceDueDays = 14

// maxDueDays bounds the due days setting.
const maxDueDays = 3650

// dueDays reads the due days that apply to client c, in tx.
func dueDays(ctx context.Context, tx Store, pr *Provider, c *Client) (int, error) {
	var group *ClientGroup
	if !c.GroupID.IsZero() {
		g, err := tx.GetClientGroup(ctx, c.GroupID)
		if err != nil {
			return 0, err
		}
		group = g
	}
	days := DefaultInvoiceDueDays
	ok, err := EffectiveSettings(pr, group, c).Get(SettingInvoiceDueDays, &days)
	if ok && (err != nil || days < 0 || days > maxDueDays) {
		return 0, billkit.Errorf(billkit.CodeFailedPrecondition, "invoice.due_days_invalid",
			"the setting %s must be a whole number of days from 0 to %d", SettingInvoiceDueDays, maxDueDays)
	}
	return days, nil
}

// sellerOf is the frozen seller of a company.
func sellerOf(co *Company) *InvoiceSeller {
	return &InvoiceSeller{
		CompanyID: co.ID, LegalName: co.LegalName, ShortName: co.ShortName, Country: co.Country,
		Address: co.Address, TaxIDs: slices.Clone(co.TaxIDs), BankAccounts: slices.Clone(co.BankAccounts),
	}
}

// buyerOf is the frozen buyer of a payer.
func buyerOf(py *Payer) *InvoiceBuyer {
	return &InvoiceBuyer{
		PayerID: py.ID, Kind: py.Kind, Name: py.Name, LegalName: py.LegalName, Country: py.Country,
		Region: py.Region, Address: py.Address, Email: py.Email, TaxID: py.TaxID,
	}
}

// mergeDecisions makes the document's decision of the decisions for its
// product types: their taxes without repeats, their notes, the first
// evidence and rounding.
func mergeDecisions(ds []TaxDecision) *TaxDecision {
	out := &TaxDecision{Taxes: []AppliedTax{}, Rounding: TaxRoundPerLine}
	var notes []string
	for i, d := range ds {
		if i == 0 && d.Rounding != "" {
			out.Rounding = d.Rounding
		}
		for _, t := range d.Taxes {
			if !slices.ContainsFunc(out.Taxes, func(x AppliedTax) bool {
				return x.RuleID == t.RuleID && x.Code == t.Code && x.Rate.Equal(t.Rate) && x.Inclusive == t.Inclusive
			}) {
				out.Taxes = append(out.Taxes, t)
			}
		}
		out.ReverseCharge = out.ReverseCharge || d.ReverseCharge
		out.Exempt = out.Exempt || d.Exempt
		if d.Note != "" && !slices.Contains(notes, d.Note) {
			notes = append(notes, d.Note)
		}
		if out.Evidence == nil && d.Evidence != nil {
			ev := *d.Evidence
			out.Evidence = &ev
		}
	}
	out.Note = strings.Join(notes, "\n")
	return out
}

// applyTaxes computes the taxes of the document's lines, each with the
// taxes given for it (AppliedTaxes), and sets the lines' and the
// document's figures.
func applyTaxes(inv *Invoice, rounding TaxRounding, digits int32) error {
	taxable := make([]TaxableLine, len(inv.Lines))
	for i, l := range inv.Lines {
		taxable[i] = TaxableLine{Amount: l.Amount, Taxes: l.AppliedTaxes}
	}
	tt, err := CalculateTaxes(taxable, rounding, digits)
	if err != nil {
		return err
	}
	for i := range inv.Lines {
		l, t := &inv.Lines[i], tt.Lines[i]
		l.Net, l.Tax, l.Gross, l.Taxes = t.Net, t.Tax, t.Gross, t.Taxes
	}
	inv.Totals = TaxTotals{Summary: tt.Summary, Net: tt.Net, Tax: tt.Tax, Gross: tt.Gross}
	return nil
}

// numberInvoice draws the document's number from its company's series of
// its type, in tx, for the issue date.
func numberInvoice(ctx context.Context, tx Store, inv *Invoice) error {
	ser, err := invoiceSeries(ctx, tx, inv.CompanyID, inv.Type)
	if err != nil {
		return err
	}
	num, err := ser.numbers().Next(ctx, tx, inv.IssueDate)
	if err != nil {
		return billkit.WrapError(err, billkit.ErrorCode(err), billkit.ErrorReason(err),
			fmt.Sprintf("the company's %s series %q cannot number the document", inv.Type, ser.Format))
	}
	inv.Number = num
	return nil
}

// expenseBilled refuses, in tx, a line that bills an expense another live
// document of the same type bills.
func expenseBilled(ctx context.Context, tx Store, inv *Invoice) error {
	for i, l := range inv.Lines {
		if l.ExpenseID.IsZero() {
			continue
		}
		page, err := tx.ListInvoices(ctx, InvoiceFilter{ExpenseID: l.ExpenseID, Type: inv.Type,
			Statuses: []InvoiceStatus{InvoiceIssued, InvoicePartlyPaid, InvoicePaid, InvoiceOverdue, InvoiceCredited}})
		if err != nil {
			return err
		}
		for _, other := range page.Items {
			if other.ID != inv.ID {
				return billkit.InvalidField(fmt.Sprintf("lines[%d].expense_id", i), "invoice.expense_billed",
					fmt.Sprintf("the expense is billed by %s %s", other.Type, other.Number))
			}
		}
	}
	return nil
}

// IssueInvoice issues a draft, in one transaction: it decides the taxes
// for each product type of its lines (DecideTax, on the issue date),
// computes them (CalculateTaxes, with the decision's rounding), freezes the
// seller (the company), the buyer (the payer), the lines, the taxes and
// their rates, draws the number from the company's series of the type
// (gapless: a failed issue gives it back), and sets the issue date (today
// in the provider's time zone) and the due date (plus the setting
// "invoice.due_days", default 14). A document of zero total is paid at
// once. The taxes of an advance line are in its amount (its gross is what
// will be charged). It needs billing.invoice:edit on the client.
//
// A document that is not a draft is failed_precondition invoice.frozen.
// The client must not be deleted, must still have the draft's currency,
// and the company must still serve its provider.
func (s *Service) IssueInvoice(ctx context.Context, actor billkit.Actor, id InvoiceID) (*Invoice, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.invoiceFor(ctx, s.store, actor, id, billkit.OpEdit); err != nil {
		return nil, err
	}
	var out *Invoice
	err := s.store.InTx(ctx, func(tx Store) error {
		inv, err := tx.LockInvoice(ctx, id)
		if err != nil {
			return err
		}
		if inv.Status != InvoiceDraft {
			return frozen(inv)
		}
		if err := s.issueDraft(ctx, tx, actor, inv); err != nil {
			return err
		}
		out = inv
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// issueDraft issues the draft inv, read in tx, writes it and records it.
func (s *Service) issueDraft(ctx context.Context, tx Store, actor billkit.Actor, inv *Invoice) error {
	before := *inv
	if err := s.issue(ctx, tx, inv); err != nil {
		return err
	}
	if err := tx.UpdateDraftInvoice(ctx, inv); err != nil {
		return err
	}
	return record(ctx, tx, actor, inv.IssuedAt, FunctionInvoice, "issue", inv.ID.String(), inv.ClientID, &before, inv)
}

// issue fills in what issuing a draft fixes, in tx; the caller writes it.
func (s *Service) issue(ctx context.Context, tx Store, inv *Invoice) error {
	c, err := liveClient(ctx, tx, inv.ClientID)
	if err != nil {
		return err
	}
	if c.Currency != inv.Currency {
		return billkit.Errorf(billkit.CodeFailedPrecondition, "invoice.currency_changed",
			"the client's currency is now %s, the draft's is %s: create the document again", c.Currency, inv.Currency)
	}
	pr, err := tx.GetProvider(ctx, c.ProviderID)
	if err != nil {
		return err
	}
	co, err := invoiceCompany(ctx, tx, c, inv.CompanyID)
	if err != nil {
		return err
	}
	py, err := invoicePayer(ctx, tx, c, inv.PayerID)
	if err != nil {
		return err
	}
	days, err := dueDays(ctx, tx, pr, c)
	if err != nil {
		return err
	}
	digits, err := currencyDigits(ctx, tx, inv.Currency)
	if err != nil {
		return err
	}
	if err := expenseBilled(ctx, tx, inv); err != nil {
		return err
	}
	now := s.now()
	today := pr.Today(now)
	// One decision per product type, in the order the lines name them.
	decided := map[string]TaxDecision{}
	var decisions []TaxDecision
	for _, l := range inv.Lines {
		if _, ok := decided[l.ProductType]; ok {
			continue
		}
		d, err := s.DecideTax(ctx, tx, TaxSubject{CompanyID: co.ID, ClientID: c.ID, PayerID: py.ID, ProductType: l.ProductType, Date: today})
		if err != nil {
			return err
		}
		decided[l.ProductType] = d
		decisions = append(decisions, d)
	}
	inv.TaxDecision = mergeDecisions(decisions)
	for i := range inv.Lines {
		inv.Lines[i].AppliedTaxes = slices.Clone(decided[inv.Lines[i].ProductType].Taxes)
	}
	for i := range inv.Lines {
		// A receipt acknowledges money received, and an advance line asks
		// for what an order or a renewal will charge, priced with its
		// taxes: whatever tax applies is in it.
		if inv.Type != InvoiceReceipt && !inv.Lines[i].Advance {
			continue
		}
		for j := range inv.Lines[i].AppliedTaxes {
			inv.Lines[i].AppliedTaxes[j].Inclusive = true
		}
	}
	if err := applyTaxes(inv, inv.TaxDecision.Rounding, digits); err != nil {
		if billkit.IsCode(err, billkit.CodeInvalid) {
			// The lines were checked when the draft was saved: what fails is
			// the taxes the company's rules give them (an inclusive and an
			// exclusive tax on one product type), which the caller cannot fix.
			return billkit.WrapError(err, billkit.CodeFailedPrecondition, "invoice.taxes_uncomputable",
				"the company's tax rules give the lines taxes that cannot be computed together: "+err.Error())
		}
		return err
	}
	inv.Seller, inv.Buyer, inv.PayerID = sellerOf(co), buyerOf(py), py.ID
	inv.IssueDate, inv.DueDate = today, today.AddDays(days)
	inv.IssuedAt, inv.UpdatedAt = now, now
	inv.Status = InvoiceIssued
	inv.Paid, inv.Credited = zeroIn(inv.Currency, digits), zeroIn(inv.Currency, digits)
	if inv.Totals.Gross.IsZero() {
		inv.Status, inv.PaidAt = InvoicePaid, now
	}
	return numberInvoice(ctx, tx, inv)
}
