package bunstore

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/provisioning"
	"github.com/uptrace/bun"
)

// orderRow is a row of billkit_orders: provisioning.Order with its total
// split into an amount and a currency column. The items are one JSON
// column, read and written with the order.
type orderRow struct {
	ID         provisioning.OrderID     `bun:"id,pk"`
	ProviderID billkit.ProviderID       `bun:"provider_id,notnull"`
	ClientID   billkit.ClientID         `bun:"client_id,notnull"`
	Status     provisioning.OrderStatus `bun:"status,notnull"`
	PayBy      provisioning.PayBy       `bun:"pay_by,notnull"`
	Items      []provisioning.OrderItem `bun:"items,notnull"`
	Total      exactDecimal             `bun:"total,notnull"`
	Currency   string                   `bun:"currency,notnull"`
	InvoiceID  billing.InvoiceID        `bun:"invoice_id,nullzero"`
	PaymentID  billing.PaymentID        `bun:"payment_id,nullzero"`
	CancelAt   time.Time                `bun:"cancel_at,nullzero"`
	PaidAt     time.Time                `bun:"paid_at,nullzero"`
	CreatedAt  time.Time                `bun:"created_at,notnull"`
	UpdatedAt  time.Time                `bun:"updated_at,notnull"`
}

func orderRowOf(o *provisioning.Order) *orderRow {
	return &orderRow{
		ID: o.ID, ProviderID: o.ProviderID, ClientID: o.ClientID, Status: o.Status, PayBy: o.PayBy, Items: o.Items,
		Total: exactDecimal{o.Total.Amount()}, Currency: o.Total.Currency(), InvoiceID: o.InvoiceID, PaymentID: o.PaymentID,
		CancelAt: o.CancelAt, PaidAt: o.PaidAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
}

func (r *orderRow) order() (provisioning.Order, error) {
	o := provisioning.Order{
		ID: r.ID, ProviderID: r.ProviderID, ClientID: r.ClientID, Status: r.Status, PayBy: r.PayBy, Items: r.Items,
		InvoiceID: r.InvoiceID, PaymentID: r.PaymentID, CancelAt: r.CancelAt, PaidAt: r.PaidAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	var err error
	if o.Total, err = billkit.NewMoney(r.Total.Decimal, r.Currency); err != nil {
		return o, storedValue(err)
	}
	return o, nil
}

var orders = list[orderRow]{
	table: table[orderRow]{
		name: "billkit_orders",
		kind: "order",
		key:  func(r *orderRow) any { return r.ID },
		norm: func(r *orderRow) {
			instant(&r.CancelAt)
			instant(&r.PaidAt)
			instant(&r.CreatedAt)
			instant(&r.UpdatedAt)
			if r.Items == nil {
				r.Items = []provisioning.OrderItem{}
			}
		},
	},
	order: billingIDOrder,
	keyOf: func(r *orderRow) []string { return []string{r.ID.String()} },
}

// checkOrder checks the fields without which an order cannot be stored.
func checkOrder(o *provisioning.Order) error {
	if o == nil {
		return billkit.InvalidField("order", "required", "is required")
	}
	var v billkit.FieldErrors
	v.Check(!o.ID.IsZero(), "id", "required", "is required")
	v.Check(!o.ProviderID.IsZero(), "provider_id", "required", "is required")
	v.Check(!o.ClientID.IsZero(), "client_id", "required", "is required")
	v.Check(o.Total.Currency() != "", "total", "required", "is required")
	return v.Err()
}

// InsertOrder stores a new order with its items; conflict "order.exists"
// for a taken ID, failed_precondition for a missing client, provider,
// invoice or payment.
func (p provisioningStore) InsertOrder(ctx context.Context, o *provisioning.Order) error {
	if err := checkOrder(o); err != nil {
		return err
	}
	row := orderRowOf(o)
	if err := insertRow(ctx, p.s, orders.table, row); err != nil {
		return err
	}
	o.Items, o.CancelAt, o.PaidAt, o.CreatedAt, o.UpdatedAt = row.Items, row.CancelAt, row.PaidAt, row.CreatedAt, row.UpdatedAt
	return nil
}

// GetOrder reads an order; not_found "order.not_found".
func (p provisioningStore) GetOrder(ctx context.Context, id provisioning.OrderID) (*provisioning.Order, error) {
	return p.readOrder(ctx, id, false)
}

// GetOrderForUpdate reads an order and, on PostgreSQL in a transaction,
// locks its row until the transaction ends.
func (p provisioningStore) GetOrderForUpdate(ctx context.Context, id provisioning.OrderID) (*provisioning.Order, error) {
	return p.readOrder(ctx, id, true)
}

func (p provisioningStore) readOrder(ctx context.Context, id provisioning.OrderID, lock bool) (*provisioning.Order, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("order", id)
	}
	return converted((*orderRow).order)(lockedGet(ctx, p.s, orders.table, id, lock))
}

// UpdateOrder writes every field of the order; not_found
// "order.not_found".
func (p provisioningStore) UpdateOrder(ctx context.Context, o *provisioning.Order) error {
	if err := checkOrder(o); err != nil {
		return err
	}
	row := orderRowOf(o)
	if err := updateRow(ctx, p.s, orders.table, row); err != nil {
		return err
	}
	o.Items, o.CancelAt, o.PaidAt, o.CreatedAt, o.UpdatedAt = row.Items, row.CancelAt, row.PaidAt, row.CreatedAt, row.UpdatedAt
	return nil
}

// ListOrders lists orders in ID order. With Statuses and CancelBefore it is
// the scan for unpaid orders to cancel, on the index of (status,
// cancel_at).
func (p provisioningStore) ListOrders(ctx context.Context, f provisioning.OrderFilter) (billkit.Page[provisioning.Order], error) {
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		return emptyPage[provisioning.Order](f.PageParams)
	}
	page, err := listRows(ctx, p.s, orders, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		if len(f.Statuses) > 0 {
			q = q.Where("?TableAlias.status IN (?)", bun.In(f.Statuses))
		}
		if !f.CancelBefore.IsZero() {
			q = q.Where("?TableAlias.cancel_at IS NOT NULL").Where("?TableAlias.cancel_at < ?", billkit.Instant(f.CancelBefore))
		}
		return q
	})
	if err != nil {
		return billkit.Page[provisioning.Order]{}, err
	}
	return convertPage(page, (*orderRow).order)
}
