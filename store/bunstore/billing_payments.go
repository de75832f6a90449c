package bunstore

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
	"github.com/uptrace/bun"
)

// Payment methods.

var paymentMethods = list[billing.PaymentMethod]{
	table: table[billing.PaymentMethod]{
		name: "billkit_payment_methods",
		kind: "payment_method",
		key:  func(m *billing.PaymentMethod) any { return m.ID },
		norm: func(m *billing.PaymentMethod) {
			instant(&m.CreatedAt)
			instant(&m.UpdatedAt)
			if m.ProviderIDs == nil {
				m.ProviderIDs = []billkit.ProviderID{}
			}
			if m.Settings == nil {
				m.Settings = map[string]string{}
			}
			if m.Name == nil {
				m.Name = directory.Text{}
			}
			if m.Instructions == nil {
				m.Instructions = directory.Text{}
			}
		},
	},
	order: []keyCol{{expr: "?TableAlias.sort_order", arg: "CAST(? AS INTEGER)"}, {expr: "?TableAlias.id"}},
	keyOf: func(m *billing.PaymentMethod) []string { return []string{itoa(m.SortOrder), m.ID.String()} },
}

// InsertPaymentMethod returns conflict "payment_method.exists" for a taken
// ID, failed_precondition for a missing company.
func (b billingStore) InsertPaymentMethod(ctx context.Context, m *billing.PaymentMethod) error {
	if m != nil && m.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, b.s, paymentMethods.table, m)
}

func (b billingStore) GetPaymentMethod(ctx context.Context, id billing.PaymentMethodID) (*billing.PaymentMethod, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("payment_method", id)
	}
	return getRow(ctx, b.s, paymentMethods.table, id, billingByID(id))
}

func (b billingStore) UpdatePaymentMethod(ctx context.Context, m *billing.PaymentMethod) error {
	return updateRow(ctx, b.s, paymentMethods.table, m)
}

// DeletePaymentMethod deletes a method and, by cascade, the methods saved
// with it; failed_precondition while payments refer to it.
func (b billingStore) DeletePaymentMethod(ctx context.Context, id billing.PaymentMethodID) error {
	if id.IsZero() {
		return billkit.NotFound("payment_method", id)
	}
	return deleteRows(ctx, b.s, "billkit_payment_methods", "payment_method", id, "id = ?", id)
}

func (b billingStore) ListPaymentMethods(ctx context.Context, f billing.PaymentMethodFilter) (billkit.Page[billing.PaymentMethod], error) {
	if f.CompanyIDs != nil && len(f.CompanyIDs) == 0 {
		if err := f.PageParams.Validate(); err != nil {
			return billkit.Page[billing.PaymentMethod]{}, err
		}
		return billkit.Page[billing.PaymentMethod]{Items: []billing.PaymentMethod{}}, nil
	}
	return listRows(ctx, b.s, paymentMethods, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.CompanyID.IsZero() {
			q = q.Where("?TableAlias.company_id = ?", f.CompanyID)
		}
		if f.CompanyIDs != nil {
			q = q.Where("?TableAlias.company_id IN (?)", bun.In(f.CompanyIDs))
		}
		if f.Gateway != "" {
			q = q.Where("?TableAlias.gateway = ?", f.Gateway)
		}
		if f.Enabled != nil {
			q = q.Where("?TableAlias.enabled = ?", *f.Enabled)
		}
		return q
	})
}

// Payments.

// paymentRow is a row of billkit_payments: billing.Payment with its Money
// split into amounts and currencies.
type paymentRow struct {
	ID               billing.PaymentID       `bun:"id,pk"`
	ClientID         billkit.ClientID        `bun:"client_id,notnull"`
	CompanyID        billing.CompanyID       `bun:"company_id,notnull"`
	MethodID         billing.PaymentMethodID `bun:"method_id,notnull"`
	Gateway          string                  `bun:"gateway,notnull"`
	Amount           exactDecimal            `bun:"amount,notnull"`
	Currency         string                  `bun:"currency,notnull"`
	Credited         *exactDecimal           `bun:"credited"`
	CreditedCurrency string                  `bun:"credited_currency,notnull"`
	Rate             decimal.NullDecimal     `bun:"rate"`
	Refunded         exactDecimal            `bun:"refunded,notnull"`
	Status           billing.PaymentStatus   `bun:"status,notnull"`
	InvoiceID        billing.InvoiceID       `bun:"invoice_id,nullzero"`
	GatewayPaymentID string                  `bun:"gateway_payment_id,nullzero"`
	RedirectURL      string                  `bun:"redirect_url,notnull"`
	Form             *billing.RedirectForm   `bun:"form"`
	Instructions     string                  `bun:"instructions,notnull"`
	Reference        string                  `bun:"reference,notnull"`
	Memo             string                  `bun:"memo,notnull"`
	SavedMethodRef   string                  `bun:"saved_method_ref,notnull"`
	Message          string                  `bun:"message,notnull"`
	Attention        string                  `bun:"attention,notnull"`
	Attempts         int                     `bun:"attempts,notnull"`
	CheckAfter       time.Time               `bun:"check_after,nullzero"`
	PaidAt           time.Time               `bun:"paid_at,nullzero"`
	CreatedAt        time.Time               `bun:"created_at,notnull"`
	UpdatedAt        time.Time               `bun:"updated_at,notnull"`
}

func paymentRowOf(p *billing.Payment) *paymentRow {
	r := &paymentRow{
		ID: p.ID, ClientID: p.ClientID, CompanyID: p.CompanyID, MethodID: p.MethodID, Gateway: p.Gateway,
		Amount: exactDecimal{p.Amount.Amount()}, Currency: p.Amount.Currency(), Refunded: exactDecimal{p.Refunded.Amount()},
		Status: p.Status, InvoiceID: p.InvoiceID, GatewayPaymentID: p.GatewayPaymentID, RedirectURL: p.RedirectURL,
		Form: p.Form, Instructions: p.Instructions, Reference: p.Reference, Memo: p.Memo, SavedMethodRef: p.SavedMethodRef,
		Message: p.Message, Attention: p.Attention, Attempts: p.Attempts, CheckAfter: p.CheckAfter, PaidAt: p.PaidAt,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	if p.Credited.Currency() != "" {
		r.Credited = &exactDecimal{p.Credited.Amount()}
		r.CreditedCurrency = p.Credited.Currency()
	}
	if p.Rate != nil {
		r.Rate = decimal.NullDecimal{Decimal: *p.Rate, Valid: true}
	}
	return r
}

func (r *paymentRow) payment() (billing.Payment, error) {
	p := billing.Payment{
		ID: r.ID, ClientID: r.ClientID, CompanyID: r.CompanyID, MethodID: r.MethodID, Gateway: r.Gateway,
		Status: r.Status, InvoiceID: r.InvoiceID, GatewayPaymentID: r.GatewayPaymentID, RedirectURL: r.RedirectURL,
		Form: r.Form, Instructions: r.Instructions, Reference: r.Reference, Memo: r.Memo, SavedMethodRef: r.SavedMethodRef,
		Message: r.Message, Attention: r.Attention, Attempts: r.Attempts, CheckAfter: r.CheckAfter, PaidAt: r.PaidAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	var err error
	if p.Amount, err = billkit.NewMoney(r.Amount.Decimal, r.Currency); err != nil {
		return p, storedValue(err)
	}
	if p.Refunded, err = billkit.NewMoney(r.Refunded.Decimal, r.Currency); err != nil {
		return p, storedValue(err)
	}
	if r.Credited != nil {
		if p.Credited, err = billkit.NewMoney(r.Credited.Decimal, r.CreditedCurrency); err != nil {
			return p, storedValue(err)
		}
	}
	if r.Rate.Valid {
		rate := r.Rate.Decimal
		p.Rate = &rate
	}
	return p, nil
}

func paymentNorm(r *paymentRow) {
	instant(&r.CreatedAt)
	instant(&r.UpdatedAt)
	for _, t := range []*time.Time{&r.CheckAfter, &r.PaidAt} {
		if !t.IsZero() {
			instant(t)
		}
	}
}

var payments = list[paymentRow]{
	table: table[paymentRow]{
		name: "billkit_payments",
		kind: "payment",
		key:  func(r *paymentRow) any { return r.ID },
		norm: paymentNorm,
	},
	order: []keyCol{{expr: "?TableAlias.created_at", desc: true}, {expr: "?TableAlias.id", desc: true}},
	keyOf: func(r *paymentRow) []string { return []string{cursorTime(r.CreatedAt), r.ID.String()} },
}

// InsertPayment returns conflict "payment.exists" for a taken ID or a
// gateway's payment ID another payment of the gateway has;
// failed_precondition for a missing client, company or method.
func (b billingStore) InsertPayment(ctx context.Context, p *billing.Payment) error {
	if p == nil {
		return payments.nilRow()
	}
	if p.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	if p.Amount.Currency() == "" || p.Refunded.Currency() != p.Amount.Currency() {
		return billkit.InvalidField("amount", "payment.currency_mismatch", "amount and refunded must be in one currency")
	}
	row := paymentRowOf(p)
	if err := insertRow(ctx, b.s, payments.table, row); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt, p.CheckAfter, p.PaidAt = row.CreatedAt, row.UpdatedAt, row.CheckAfter, row.PaidAt
	return nil
}

func (b billingStore) getPayment(ctx context.Context, key any, where func(*bun.SelectQuery) *bun.SelectQuery) (*billing.Payment, error) {
	return converted((*paymentRow).payment)(getRow(ctx, b.s, payments.table, key, where))
}

func (b billingStore) GetPayment(ctx context.Context, id billing.PaymentID) (*billing.Payment, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("payment", id)
	}
	return b.getPayment(ctx, id, billingByID(id))
}

// LockPayment reads a payment FOR UPDATE on PostgreSQL. SQLite runs one
// transaction at a time on its one connection, so a plain read is a lock
// there.
func (b billingStore) LockPayment(ctx context.Context, id billing.PaymentID) (*billing.Payment, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("payment", id)
	}
	return b.getPayment(ctx, id, func(q *bun.SelectQuery) *bun.SelectQuery {
		q = q.Where("?TableAlias.id = ?", id)
		if b.s.dialect == DialectPostgres {
			q = q.For("UPDATE")
		}
		return q
	})
}

func (b billingStore) FindPaymentByGateway(ctx context.Context, gateway, gatewayPaymentID string) (*billing.Payment, error) {
	if gateway == "" || gatewayPaymentID == "" {
		return nil, billkit.NotFound("payment", gatewayPaymentID)
	}
	return b.getPayment(ctx, gatewayPaymentID, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.gateway = ? AND ?TableAlias.gateway_payment_id = ?", gateway, gatewayPaymentID)
	})
}

func (b billingStore) UpdatePayment(ctx context.Context, p *billing.Payment) error {
	if p == nil {
		return payments.nilRow()
	}
	if p.Amount.Currency() == "" || p.Refunded.Currency() != p.Amount.Currency() {
		return billkit.InvalidField("amount", "payment.currency_mismatch", "amount and refunded must be in one currency")
	}
	row := paymentRowOf(p)
	if err := updateRow(ctx, b.s, payments.table, row); err != nil {
		return err
	}
	p.UpdatedAt, p.CheckAfter, p.PaidAt = row.UpdatedAt, row.CheckAfter, row.PaidAt
	return nil
}

func (b billingStore) ListPayments(ctx context.Context, f billing.PaymentFilter) (billkit.Page[billing.Payment], error) {
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		if err := f.PageParams.Validate(); err != nil {
			return billkit.Page[billing.Payment]{}, err
		}
		return billkit.Page[billing.Payment]{Items: []billing.Payment{}}, nil
	}
	page, err := listRows(ctx, b.s, payments, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		if f.Status != "" {
			q = q.Where("?TableAlias.status = ?", f.Status)
		}
		if !f.MethodID.IsZero() {
			q = q.Where("?TableAlias.method_id = ?", f.MethodID)
		}
		if !f.InvoiceID.IsZero() {
			q = q.Where("?TableAlias.invoice_id = ?", f.InvoiceID)
		}
		if !f.From.IsZero() {
			q = q.Where("?TableAlias.created_at >= ?", billkit.Instant(f.From))
		}
		if !f.To.IsZero() {
			q = q.Where("?TableAlias.created_at < ?", billkit.Instant(f.To))
		}
		if f.Attention {
			q = q.Where("?TableAlias.attention <> ''")
		}
		if !f.Due.IsZero() {
			q = q.Where("?TableAlias.status IN (?) AND ?TableAlias.check_after IS NOT NULL AND ?TableAlias.check_after <= ?",
				bun.In([]billing.PaymentStatus{billing.PaymentNew, billing.PaymentPending}), billkit.Instant(f.Due))
		}
		return q
	})
	if err != nil {
		return billkit.Page[billing.Payment]{}, err
	}
	return convertPage(page, (*paymentRow).payment)
}

// Refunds.

// refundRow is a row of billkit_payment_refunds.
type refundRow struct {
	ID              billing.PaymentRefundID `bun:"id,pk"`
	PaymentID       billing.PaymentID       `bun:"payment_id,notnull"`
	Amount          exactDecimal            `bun:"amount,notnull"`
	Currency        string                  `bun:"currency,notnull"`
	Debited         *exactDecimal           `bun:"debited"`
	DebitedCurrency string                  `bun:"debited_currency,notnull"`
	Status          billing.RefundStatus    `bun:"status,notnull"`
	Source          string                  `bun:"source,notnull"`
	GatewayRefundID string                  `bun:"gateway_refund_id,notnull"`
	GatewayPending  bool                    `bun:"gateway_pending,notnull"`
	Reason          string                  `bun:"reason,notnull"`
	Message         string                  `bun:"message,notnull"`
	ActorKind       billkit.ActorKind       `bun:"actor_kind,notnull"`
	ActorID         string                  `bun:"actor_id,notnull"`
	CreatedAt       time.Time               `bun:"created_at,notnull"`
	UpdatedAt       time.Time               `bun:"updated_at,notnull"`
}

func refundRowOf(r *billing.PaymentRefund) *refundRow {
	row := &refundRow{
		ID: r.ID, PaymentID: r.PaymentID, Amount: exactDecimal{r.Amount.Amount()}, Currency: r.Amount.Currency(), Status: r.Status,
		Source: r.Source, GatewayRefundID: r.GatewayRefundID, GatewayPending: r.GatewayPending, Reason: r.Reason,
		Message: r.Message, ActorKind: r.ActorKind, ActorID: r.ActorID, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.Debited.Currency() != "" {
		row.Debited = &exactDecimal{r.Debited.Amount()}
		row.DebitedCurrency = r.Debited.Currency()
	}
	return row
}

func (row *refundRow) refund() (billing.PaymentRefund, error) {
	r := billing.PaymentRefund{
		ID: row.ID, PaymentID: row.PaymentID, Status: row.Status, Source: row.Source, GatewayRefundID: row.GatewayRefundID,
		GatewayPending: row.GatewayPending, Reason: row.Reason, Message: row.Message, ActorKind: row.ActorKind, ActorID: row.ActorID,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt,
	}
	var err error
	if r.Amount, err = billkit.NewMoney(row.Amount.Decimal, row.Currency); err != nil {
		return r, storedValue(err)
	}
	if row.Debited != nil {
		if r.Debited, err = billkit.NewMoney(row.Debited.Decimal, row.DebitedCurrency); err != nil {
			return r, storedValue(err)
		}
	}
	return r, nil
}

var paymentRefunds = list[refundRow]{
	table: table[refundRow]{
		name: "billkit_payment_refunds",
		kind: "payment_refund",
		key:  func(r *refundRow) any { return r.ID },
		norm: func(r *refundRow) { instant(&r.CreatedAt); instant(&r.UpdatedAt) },
	},
	order: billingIDOrder,
	keyOf: func(r *refundRow) []string { return []string{r.ID.String()} },
}

// InsertPaymentRefund returns conflict "payment_refund.exists" for a taken
// ID, failed_precondition for a missing payment.
func (b billingStore) InsertPaymentRefund(ctx context.Context, r *billing.PaymentRefund) error {
	if r == nil {
		return paymentRefunds.nilRow()
	}
	if r.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	if r.Amount.Currency() == "" {
		return billkit.InvalidField("amount", "required", "is required")
	}
	row := refundRowOf(r)
	if err := insertRow(ctx, b.s, paymentRefunds.table, row); err != nil {
		return err
	}
	r.CreatedAt, r.UpdatedAt = row.CreatedAt, row.UpdatedAt
	return nil
}

func (b billingStore) GetPaymentRefund(ctx context.Context, id billing.PaymentRefundID) (*billing.PaymentRefund, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("payment_refund", id)
	}
	return converted((*refundRow).refund)(getRow(ctx, b.s, paymentRefunds.table, id, billingByID(id)))
}

func (b billingStore) UpdatePaymentRefund(ctx context.Context, r *billing.PaymentRefund) error {
	if r == nil {
		return paymentRefunds.nilRow()
	}
	if r.Amount.Currency() == "" {
		return billkit.InvalidField("amount", "required", "is required")
	}
	row := refundRowOf(r)
	if err := updateRow(ctx, b.s, paymentRefunds.table, row); err != nil {
		return err
	}
	r.UpdatedAt = row.UpdatedAt
	return nil
}

// ListPaymentRefunds reads all of a payment's refunds; a payment has few.
func (b billingStore) ListPaymentRefunds(ctx context.Context, payment billing.PaymentID) ([]billing.PaymentRefund, error) {
	out := []billing.PaymentRefund{}
	for cursor := ""; ; {
		page, err := listRows(ctx, b.s, paymentRefunds, billkit.PageParams{Cursor: cursor, Limit: billkit.MaxPageLimit}, func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("?TableAlias.payment_id = ?", payment)
		})
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			r, err := page.Items[i].refund()
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if cursor = page.NextCursor; cursor == "" {
			return out, nil
		}
	}
}

// Events.

var paymentEvents = table[billing.PaymentEvent]{
	name: "billkit_payment_events",
	kind: "payment_event",
	key:  func(e *billing.PaymentEvent) any { return e.Gateway + "/" + e.EventID },
	norm: func(e *billing.PaymentEvent) { instant(&e.ReceivedAt) },
}

// InsertPaymentEvent inserts with ON CONFLICT DO NOTHING: a concurrent
// transaction holding the same key makes PostgreSQL wait for it, then
// report no row inserted, so the event applies once without an error that
// would abort the caller's transaction.
func (b billingStore) InsertPaymentEvent(ctx context.Context, e *billing.PaymentEvent) (bool, error) {
	if err := b.s.usable(ctx); err != nil {
		return false, err
	}
	if e == nil {
		return false, paymentEvents.nilRow()
	}
	var v billkit.FieldErrors
	v.Require("gateway", e.Gateway)
	v.Require("event_id", e.EventID)
	if err := v.Err(); err != nil {
		return false, err
	}
	paymentEvents.norm(e)
	res, err := b.s.db.NewInsert().Model(e).ModelTableExpr(paymentEvents.expr(b.s)).On("CONFLICT (gateway, event_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return false, mapError(ctx, err, paymentEvents.target(e))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, mapError(ctx, err, paymentEvents.target(e))
	}
	return n == 1, nil
}

// Saved methods.

var savedMethods = list[billing.SavedMethod]{
	table: table[billing.SavedMethod]{
		name: "billkit_saved_payment_methods",
		kind: "saved_payment_method",
		key:  func(m *billing.SavedMethod) any { return m.ID },
		norm: func(m *billing.SavedMethod) { instant(&m.CreatedAt) },
	},
	order: billingIDOrder,
	keyOf: func(m *billing.SavedMethod) []string { return []string{m.ID.String()} },
}

// InsertSavedMethod returns conflict "saved_payment_method.exists" for a
// taken ID or a (client, method, ref) saved already.
func (b billingStore) InsertSavedMethod(ctx context.Context, m *billing.SavedMethod) error {
	if m != nil && m.ID.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return insertRow(ctx, b.s, savedMethods.table, m)
}

func (b billingStore) GetSavedMethod(ctx context.Context, id billing.SavedMethodID) (*billing.SavedMethod, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("saved_payment_method", id)
	}
	return getRow(ctx, b.s, savedMethods.table, id, billingByID(id))
}

func (b billingStore) DeleteSavedMethod(ctx context.Context, id billing.SavedMethodID) error {
	if id.IsZero() {
		return billkit.NotFound("saved_payment_method", id)
	}
	return deleteRows(ctx, b.s, "billkit_saved_payment_methods", "saved_payment_method", id, "id = ?", id)
}

func (b billingStore) ListSavedMethods(ctx context.Context, f billing.SavedMethodFilter) (billkit.Page[billing.SavedMethod], error) {
	return listRows(ctx, b.s, savedMethods, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if !f.MethodID.IsZero() {
			q = q.Where("?TableAlias.method_id = ?", f.MethodID)
		}
		return q
	})
}
