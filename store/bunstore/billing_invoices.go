package bunstore

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// Invoices are stored as one row per document and one row per line.
//
// Lines are rows, not JSON: they are the substance of a document, and as
// rows the store can find the documents that bill an expense (an index on
// expense_id), record the expense that charged a line without rewriting
// the document, and keep amounts as NUMERIC on PostgreSQL for reports.
// The frozen snapshots (seller, buyer, tax decision, tax summary) are read
// and written whole and never queried, so they are JSON.

// invoiceRow is a row of billkit_invoices: billing.Invoice with its Money
// split into amounts and one currency column.
type invoiceRow struct {
	ID                   billing.InvoiceID      `bun:"id,pk"`
	Type                 billing.InvoiceType    `bun:"type,notnull"`
	Number               string                 `bun:"number,notnull"`
	CompanyID            billing.CompanyID      `bun:"company_id,notnull"`
	ClientID             billkit.ClientID       `bun:"client_id,notnull"`
	PayerID              billing.PayerID        `bun:"payer_id,notnull"`
	Currency             string                 `bun:"currency,notnull"`
	Status               billing.InvoiceStatus  `bun:"status,notnull"`
	IssueDate            billkit.Date           `bun:"issue_date,nullzero"`
	DueDate              billkit.Date           `bun:"due_date,nullzero"`
	Seller               *billing.InvoiceSeller `bun:"seller"`
	Buyer                *billing.InvoiceBuyer  `bun:"buyer"`
	TaxDecision          *billing.TaxDecision   `bun:"tax_decision"`
	TaxSummary           []billing.TaxSummary   `bun:"tax_summary,notnull"`
	Net                  exactDecimal           `bun:"net,notnull"`
	Tax                  exactDecimal           `bun:"tax,notnull"`
	Gross                exactDecimal           `bun:"gross,notnull"`
	Paid                 exactDecimal           `bun:"paid,notnull"`
	Credited             exactDecimal           `bun:"credited,notnull"`
	CreditsInvoiceID     billing.InvoiceID      `bun:"credits_invoice_id,nullzero"`
	CreditsInvoiceNumber string                 `bun:"credits_invoice_number,notnull"`
	PaymentID            billing.PaymentID      `bun:"payment_id,nullzero"`
	Locale               string                 `bun:"locale,notnull"`
	Memo                 string                 `bun:"memo,notnull"`
	IssuedAt             time.Time              `bun:"issued_at,nullzero"`
	PaidAt               time.Time              `bun:"paid_at,nullzero"`
	VoidedAt             time.Time              `bun:"voided_at,nullzero"`
	CreatedAt            time.Time              `bun:"created_at,notnull"`
	UpdatedAt            time.Time              `bun:"updated_at,notnull"`
}

// invoiceLineRow is a row of billkit_invoice_lines.
type invoiceLineRow struct {
	InvoiceID       billing.InvoiceID    `bun:"invoice_id,pk"`
	Position        int                  `bun:"position,pk"`
	Description     string               `bun:"description,notnull"`
	Quantity        exactDecimal         `bun:"quantity,notnull"`
	UnitPrice       exactDecimal         `bun:"unit_price,notnull"`
	ProductType     string               `bun:"product_type,notnull"`
	ExpenseID       billing.ExpenseID    `bun:"expense_id,nullzero"`
	Advance         bool                 `bun:"advance,notnull"`
	Amount          exactDecimal         `bun:"amount,notnull"`
	AppliedTaxes    []billing.AppliedTax `bun:"applied_taxes,notnull"`
	Net             *exactDecimal        `bun:"net"`
	Tax             *exactDecimal        `bun:"tax"`
	Gross           *exactDecimal        `bun:"gross"`
	Taxes           []billing.LineTax    `bun:"taxes,notnull"`
	CreditsPosition int                  `bun:"credits_position,notnull"`
	ChargeExpenseID billing.ExpenseID    `bun:"charge_expense_id,nullzero"`
}

// invoiceSeriesRow is a row of billkit_invoice_series.
type invoiceSeriesRow struct {
	CompanyID billing.CompanyID   `bun:"company_id,pk"`
	Type      billing.InvoiceType `bun:"type,pk"`
	Format    string              `bun:"format,notnull"`
	Reset     billing.ResetPolicy `bun:"reset,notnull"`
	UpdatedAt time.Time           `bun:"updated_at,notnull"`
}

func nullAmount(m billkit.Money) *exactDecimal {
	if m.Currency() == "" {
		return nil
	}
	return &exactDecimal{m.Amount()}
}

// amountOr is m's amount, or zero for the zero Money.
func amountOr(m billkit.Money) exactDecimal {
	if m.Currency() == "" {
		return exactDecimal{decimal.Zero}
	}
	return exactDecimal{m.Amount()}
}

func invoiceRowOf(inv *billing.Invoice) *invoiceRow {
	summary := inv.Totals.Summary
	if summary == nil {
		summary = []billing.TaxSummary{}
	}
	return &invoiceRow{
		ID: inv.ID, Type: inv.Type, Number: inv.Number, CompanyID: inv.CompanyID, ClientID: inv.ClientID, PayerID: inv.PayerID,
		Currency: inv.Currency, Status: inv.Status, IssueDate: inv.IssueDate, DueDate: inv.DueDate,
		Seller: inv.Seller, Buyer: inv.Buyer, TaxDecision: inv.TaxDecision, TaxSummary: summary,
		Net: amountOr(inv.Totals.Net), Tax: amountOr(inv.Totals.Tax), Gross: amountOr(inv.Totals.Gross),
		Paid: amountOr(inv.Paid), Credited: amountOr(inv.Credited),
		CreditsInvoiceID: inv.CreditsInvoiceID, CreditsInvoiceNumber: inv.CreditsInvoiceNumber, PaymentID: inv.PaymentID,
		Locale: inv.Locale, Memo: inv.Memo, IssuedAt: inv.IssuedAt, PaidAt: inv.PaidAt, VoidedAt: inv.VoidedAt,
		CreatedAt: inv.CreatedAt, UpdatedAt: inv.UpdatedAt,
	}
}

func invoiceLineRowsOf(inv *billing.Invoice) []invoiceLineRow {
	rows := make([]invoiceLineRow, len(inv.Lines))
	for i, l := range inv.Lines {
		applied, taxes := l.AppliedTaxes, l.Taxes
		if applied == nil {
			applied = []billing.AppliedTax{}
		}
		if taxes == nil {
			taxes = []billing.LineTax{}
		}
		rows[i] = invoiceLineRow{
			InvoiceID: inv.ID, Position: l.Position, Description: l.Description, Quantity: exactDecimal{l.Quantity},
			UnitPrice: amountOr(l.UnitPrice), ProductType: l.ProductType, ExpenseID: l.ExpenseID, Advance: l.Advance, Amount: amountOr(l.Amount),
			AppliedTaxes: applied, Net: nullAmount(l.Net), Tax: nullAmount(l.Tax), Gross: nullAmount(l.Gross), Taxes: taxes,
			CreditsPosition: l.CreditsPosition, ChargeExpenseID: l.ChargeExpenseID,
		}
	}
	return rows
}

// invoice rebuilds a document from its row and its lines' rows.
func (r *invoiceRow) invoice(lines []invoiceLineRow) (billing.Invoice, error) {
	money := func(d exactDecimal) (billkit.Money, error) {
		m, err := billkit.NewMoney(d.Decimal, r.Currency)
		if err != nil {
			return m, storedValue(err)
		}
		return m, nil
	}
	inv := billing.Invoice{
		ID: r.ID, Type: r.Type, Number: r.Number, CompanyID: r.CompanyID, ClientID: r.ClientID, PayerID: r.PayerID,
		Currency: r.Currency, Status: r.Status, IssueDate: r.IssueDate, DueDate: r.DueDate,
		Seller: r.Seller, Buyer: r.Buyer, TaxDecision: r.TaxDecision,
		CreditsInvoiceID: r.CreditsInvoiceID, CreditsInvoiceNumber: r.CreditsInvoiceNumber, PaymentID: r.PaymentID,
		Locale: r.Locale, Memo: r.Memo, IssuedAt: r.IssuedAt, PaidAt: r.PaidAt, VoidedAt: r.VoidedAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Lines: make([]billing.InvoiceLine, 0, len(lines)),
	}
	if len(r.TaxSummary) > 0 {
		inv.Totals.Summary = r.TaxSummary
	}
	var err error
	for _, p := range []struct {
		to *billkit.Money
		d  exactDecimal
	}{{&inv.Totals.Net, r.Net}, {&inv.Totals.Tax, r.Tax}, {&inv.Totals.Gross, r.Gross}, {&inv.Paid, r.Paid}, {&inv.Credited, r.Credited}} {
		if *p.to, err = money(p.d); err != nil {
			return inv, err
		}
	}
	for _, lr := range lines {
		l := billing.InvoiceLine{
			Position: lr.Position, Description: lr.Description, Quantity: lr.Quantity.Decimal, ProductType: lr.ProductType,
			ExpenseID: lr.ExpenseID, Advance: lr.Advance, CreditsPosition: lr.CreditsPosition, ChargeExpenseID: lr.ChargeExpenseID,
		}
		if len(lr.AppliedTaxes) > 0 {
			l.AppliedTaxes = lr.AppliedTaxes
		}
		if len(lr.Taxes) > 0 {
			l.Taxes = lr.Taxes
		}
		if l.UnitPrice, err = money(lr.UnitPrice); err != nil {
			return inv, err
		}
		if l.Amount, err = money(lr.Amount); err != nil {
			return inv, err
		}
		for _, p := range []struct {
			to *billkit.Money
			d  *exactDecimal
		}{{&l.Net, lr.Net}, {&l.Tax, lr.Tax}, {&l.Gross, lr.Gross}} {
			if p.d != nil {
				if *p.to, err = money(*p.d); err != nil {
					return inv, err
				}
			}
		}
		inv.Lines = append(inv.Lines, l)
	}
	return inv, nil
}

var invoices = list[invoiceRow]{
	table: table[invoiceRow]{
		name: "billkit_invoices",
		kind: "invoice",
		key:  func(r *invoiceRow) any { return r.ID },
		norm: func(r *invoiceRow) {
			instant(&r.CreatedAt)
			instant(&r.UpdatedAt)
			for _, t := range []*time.Time{&r.IssuedAt, &r.PaidAt, &r.VoidedAt} {
				if !t.IsZero() {
					instant(t)
				}
			}
		},
	},
	order: []keyCol{{expr: "?TableAlias.id", desc: true}},
	keyOf: func(r *invoiceRow) []string { return []string{r.ID.String()} },
}

var invoiceLines = table[invoiceLineRow]{
	name: "billkit_invoice_lines",
	kind: "invoice_line",
	key:  func(r *invoiceLineRow) any { return r.InvoiceID },
	norm: func(*invoiceLineRow) {},
}

var invoiceSeries = table[invoiceSeriesRow]{
	name: "billkit_invoice_series",
	kind: "invoice_series",
	key:  func(r *invoiceSeriesRow) any { return string(r.Type) },
	norm: func(r *invoiceSeriesRow) { instant(&r.UpdatedAt) },
}

// invoiceFrozen is the store's own refusal to change an issued document.
func invoiceFrozen(id billing.InvoiceID) error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, billing.ReasonInvoiceFrozen,
		"invoice %s is not a draft: its content never changes", id)
}

func checkInvoice(inv *billing.Invoice) error {
	if inv == nil {
		return billkit.InvalidField("invoice", "required", "is required")
	}
	var v billkit.FieldErrors
	v.Check(!inv.ID.IsZero(), "id", "required", "is required")
	v.Check(inv.Currency != "", "currency", "required", "is required")
	for i, l := range inv.Lines {
		v.Check(l.Position == i+1, "lines", "invoice.positions", "lines must be numbered 1, 2, ... in order")
		for _, m := range []billkit.Money{l.UnitPrice, l.Amount, l.Net, l.Tax, l.Gross} {
			if m.Currency() != "" && m.Currency() != inv.Currency {
				v.Add("lines", "invoice.currency_mismatch", "every amount must be in the invoice's currency")
			}
		}
	}
	return v.Err()
}

// insertLines inserts a document's lines, in tx.
func insertLines(ctx context.Context, tx *Store, inv *billing.Invoice) error {
	rows := invoiceLineRowsOf(inv)
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.db.NewInsert().Model(&rows).ModelTableExpr(invoiceLines.expr(tx)).Exec(ctx)
	return mapError(ctx, err, target{kind: "invoice_line", key: inv.ID})
}

// InsertInvoice stores a document and its lines in one transaction.
func (b billingStore) InsertInvoice(ctx context.Context, inv *billing.Invoice) error {
	if err := checkInvoice(inv); err != nil {
		return err
	}
	row := invoiceRowOf(inv)
	err := b.s.inTx(ctx, func(tx *Store) error {
		if err := insertRow(ctx, tx, invoices.table, row); err != nil {
			return err
		}
		return insertLines(ctx, tx, inv)
	})
	if err != nil {
		return err
	}
	inv.CreatedAt, inv.UpdatedAt = row.CreatedAt, row.UpdatedAt
	return nil
}

// readInvoice reads a document and its lines; lock locks its row on
// PostgreSQL (SQLite serializes transactions on its one connection).
func (b billingStore) readInvoice(ctx context.Context, id billing.InvoiceID, lock bool) (*billing.Invoice, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("invoice", id)
	}
	row, err := lockedGet(ctx, b.s, invoices.table, id, lock)
	if err != nil {
		return nil, err
	}
	lines, err := b.linesOf(ctx, []billing.InvoiceID{id})
	if err != nil {
		return nil, err
	}
	inv, err := row.invoice(lines[id])
	if err != nil {
		return nil, err
	}
	return &inv, nil
}

// linesOf reads the lines of the documents, in position order.
func (b billingStore) linesOf(ctx context.Context, ids []billing.InvoiceID) (map[billing.InvoiceID][]invoiceLineRow, error) {
	out := map[billing.InvoiceID][]invoiceLineRow{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []invoiceLineRow
	err := b.s.db.NewSelect().Model(&rows).ModelTableExpr(invoiceLines.expr(b.s)).
		Where("?TableAlias.invoice_id IN (?)", bun.In(ids)).
		OrderExpr("?TableAlias.invoice_id, ?TableAlias.position").Scan(ctx)
	if err != nil {
		return nil, mapError(ctx, err, target{kind: "invoice_line"})
	}
	for _, r := range rows {
		out[r.InvoiceID] = append(out[r.InvoiceID], r)
	}
	return out, nil
}

func (b billingStore) GetInvoice(ctx context.Context, id billing.InvoiceID) (*billing.Invoice, error) {
	return b.readInvoice(ctx, id, false)
}

func (b billingStore) LockInvoice(ctx context.Context, id billing.InvoiceID) (*billing.Invoice, error) {
	return b.readInvoice(ctx, id, true)
}

// invoiceMissing tells why a conditional write on a document moved no row:
// none is not_found, otherwise the document is not in the state the write
// needs and why is returned.
func invoiceMissing(ctx context.Context, tx *Store, id billing.InvoiceID, why error) error {
	n, err := tx.db.NewSelect().TableExpr(invoices.name).Where("id = ?", id).Count(ctx)
	if err != nil {
		return mapError(ctx, err, target{kind: "invoice", key: id})
	}
	if n == 0 {
		return billkit.NotFound("invoice", id)
	}
	return why
}

// UpdateDraftInvoice writes a draft's every column and replaces its lines,
// with one UPDATE ... WHERE status = 'draft': an issued document is never
// rewritten, whatever the caller does.
func (b billingStore) UpdateDraftInvoice(ctx context.Context, inv *billing.Invoice) error {
	if err := checkInvoice(inv); err != nil {
		return err
	}
	row := invoiceRowOf(inv)
	invoices.norm(row)
	err := b.s.inTx(ctx, func(tx *Store) error {
		res, err := tx.db.NewUpdate().Model(row).ModelTableExpr(invoices.expr(tx)).WherePK().
			Where("?TableAlias.status = ?", billing.InvoiceDraft).Exec(ctx)
		if err != nil {
			return mapError(ctx, err, target{kind: "invoice", key: inv.ID})
		}
		if n, err := res.RowsAffected(); err != nil {
			return mapError(ctx, err, target{kind: "invoice", key: inv.ID})
		} else if n == 0 {
			return invoiceMissing(ctx, tx, inv.ID, invoiceFrozen(inv.ID))
		}
		if _, err := tx.db.NewDelete().TableExpr(invoiceLines.name).Where("invoice_id = ?", inv.ID).Exec(ctx); err != nil {
			return mapError(ctx, err, target{kind: "invoice_line", key: inv.ID})
		}
		return insertLines(ctx, tx, inv)
	})
	if err != nil {
		return err
	}
	inv.UpdatedAt = row.UpdatedAt
	return nil
}

// DeleteDraftInvoice deletes a draft and its lines.
func (b billingStore) DeleteDraftInvoice(ctx context.Context, id billing.InvoiceID) error {
	if id.IsZero() {
		return billkit.NotFound("invoice", id)
	}
	return b.s.inTx(ctx, func(tx *Store) error {
		n, err := tx.db.NewSelect().TableExpr(invoices.name).Where("id = ? AND status = ?", id, billing.InvoiceDraft).Count(ctx)
		if err != nil {
			return mapError(ctx, err, target{kind: "invoice", key: id})
		}
		if n == 0 {
			return invoiceMissing(ctx, tx, id, invoiceFrozen(id))
		}
		if _, err := tx.db.NewDelete().TableExpr(invoiceLines.name).Where("invoice_id = ?", id).Exec(ctx); err != nil {
			return mapError(ctx, err, target{kind: "invoice_line", key: id})
		}
		_, err = tx.db.NewDelete().TableExpr(invoices.name).Where("id = ? AND status = ?", id, billing.InvoiceDraft).Exec(ctx)
		return mapError(ctx, err, target{kind: "invoice", key: id})
	})
}

// UpdateInvoiceState writes the state columns of an issued document, and
// records each line's charge once.
func (b billingStore) UpdateInvoiceState(ctx context.Context, inv *billing.Invoice) error {
	if inv == nil || inv.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	if inv.Status == billing.InvoiceDraft {
		return billkit.InvalidField("status", "invoice.draft", "a state update cannot make a document a draft")
	}
	for _, m := range []billkit.Money{inv.Paid, inv.Credited} {
		if m.Currency() != inv.Currency {
			return billkit.InvalidField("paid", "invoice.currency_mismatch", "paid and credited must be in the invoice's currency")
		}
	}
	row := invoiceRowOf(inv)
	invoices.norm(row)
	return b.s.inTx(ctx, func(tx *Store) error {
		res, err := tx.db.NewUpdate().Model(row).ModelTableExpr(invoices.expr(tx)).
			Column("status", "paid", "credited", "paid_at", "voided_at", "updated_at").WherePK().
			Where("?TableAlias.status <> ?", billing.InvoiceDraft).Where("?TableAlias.currency = ?", inv.Currency).Exec(ctx)
		if err != nil {
			return mapError(ctx, err, target{kind: "invoice", key: inv.ID})
		}
		if n, err := res.RowsAffected(); err != nil {
			return mapError(ctx, err, target{kind: "invoice", key: inv.ID})
		} else if n == 0 {
			return invoiceMissing(ctx, tx, inv.ID, billkit.Errorf(billkit.CodeFailedPrecondition, "invoice.draft",
				"invoice %s is a draft (or in another currency): its state moves once it is issued", inv.ID))
		}
		for _, l := range inv.Lines {
			if l.ChargeExpenseID.IsZero() {
				continue
			}
			_, err := tx.db.NewUpdate().TableExpr(invoiceLines.name).Set("charge_expense_id = ?", l.ChargeExpenseID).
				Where("invoice_id = ? AND position = ? AND charge_expense_id IS NULL AND expense_id IS NULL", inv.ID, l.Position).Exec(ctx)
			if err != nil {
				return mapError(ctx, err, target{kind: "invoice_line", key: inv.ID})
			}
		}
		return nil
	})
}

func (b billingStore) ListInvoices(ctx context.Context, f billing.InvoiceFilter) (billkit.Page[billing.Invoice], error) {
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		if err := f.PageParams.Validate(); err != nil {
			return billkit.Page[billing.Invoice]{}, err
		}
		return billkit.Page[billing.Invoice]{Items: []billing.Invoice{}}, nil
	}
	page, err := listRows(ctx, b.s, invoices, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		if !f.CompanyID.IsZero() {
			q = q.Where("?TableAlias.company_id = ?", f.CompanyID)
		}
		if f.Type != "" {
			q = q.Where("?TableAlias.type = ?", f.Type)
		}
		if len(f.Statuses) > 0 {
			q = q.Where("?TableAlias.status IN (?)", bun.In(f.Statuses))
		}
		if !f.IssuedFrom.IsZero() {
			q = q.Where("?TableAlias.issue_date >= ?", f.IssuedFrom)
		}
		if !f.IssuedTo.IsZero() {
			q = q.Where("?TableAlias.issue_date <= ?", f.IssuedTo)
		}
		if !f.DueBefore.IsZero() {
			q = q.Where("?TableAlias.due_date < ?", f.DueBefore)
		}
		if !f.CreditsInvoiceID.IsZero() {
			q = q.Where("?TableAlias.credits_invoice_id = ?", f.CreditsInvoiceID)
		}
		if !f.ExpenseID.IsZero() {
			q = q.Where("EXISTS (SELECT 1 FROM billkit_invoice_lines AS l WHERE l.invoice_id = ?TableAlias.id AND l.expense_id = ?)", f.ExpenseID)
		}
		return q
	})
	if err != nil {
		return billkit.Page[billing.Invoice]{}, err
	}
	ids := make([]billing.InvoiceID, len(page.Items))
	for i := range page.Items {
		ids[i] = page.Items[i].ID
	}
	lines, err := b.linesOf(ctx, ids)
	if err != nil {
		return billkit.Page[billing.Invoice]{}, err
	}
	out := billkit.Page[billing.Invoice]{Items: make([]billing.Invoice, 0, len(page.Items)), NextCursor: page.NextCursor}
	for i := range page.Items {
		inv, err := page.Items[i].invoice(lines[page.Items[i].ID])
		if err != nil {
			return billkit.Page[billing.Invoice]{}, err
		}
		out.Items = append(out.Items, inv)
	}
	return out, nil
}

func (b billingStore) GetInvoiceSeries(ctx context.Context, company billing.CompanyID, t billing.InvoiceType) (*billing.InvoiceSeries, error) {
	row, err := getRow(ctx, b.s, invoiceSeries, string(t), func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.company_id = ? AND ?TableAlias.type = ?", company, t)
	})
	if err != nil {
		return nil, err
	}
	return &billing.InvoiceSeries{CompanyID: row.CompanyID, Type: row.Type, Format: row.Format, Reset: row.Reset, UpdatedAt: row.UpdatedAt}, nil
}

// PutInvoiceSeries inserts or replaces a company's series of a type with
// one upsert.
func (b billingStore) PutInvoiceSeries(ctx context.Context, s *billing.InvoiceSeries) error {
	if err := b.s.usable(ctx); err != nil {
		return err
	}
	if s == nil || s.CompanyID.IsZero() || s.Type == "" {
		return billkit.InvalidField("company_id", "required", "company and type are required")
	}
	row := &invoiceSeriesRow{CompanyID: s.CompanyID, Type: s.Type, Format: s.Format, Reset: s.Reset, UpdatedAt: s.UpdatedAt}
	invoiceSeries.norm(row)
	_, err := b.s.db.NewInsert().Model(row).ModelTableExpr(invoiceSeries.name).
		On("CONFLICT (company_id, type) DO UPDATE").
		Set("format = EXCLUDED.format, reset = EXCLUDED.reset, updated_at = EXCLUDED.updated_at").Exec(ctx)
	if err != nil {
		return mapError(ctx, err, target{kind: "invoice_series", key: string(s.Type)})
	}
	s.UpdatedAt, s.Default = row.UpdatedAt, false
	return nil
}
