package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// PaymentStore is the part of Store that keeps payment methods, payments,
// their refunds, the gateway events already processed, and the clients'
// saved methods. Errors follow Store's conventions: not_found
// "<kind>.not_found" ("payment.not_found", "payment_method.not_found",
// "payment_refund.not_found", "saved_payment_method.not_found"), conflict
// "<kind>.exists" for a taken key, failed_precondition for a reference to
// a missing row.
type PaymentStore interface {
	InsertPaymentMethod(ctx context.Context, m *PaymentMethod) error
	GetPaymentMethod(ctx context.Context, id PaymentMethodID) (*PaymentMethod, error)
	UpdatePaymentMethod(ctx context.Context, m *PaymentMethod) error
	// DeletePaymentMethod deletes a method and the saved methods made with
	// it; failed_precondition while payments refer to it.
	DeletePaymentMethod(ctx context.Context, id PaymentMethodID) error
	// ListPaymentMethods lists methods in SortOrder, then ID order.
	ListPaymentMethods(ctx context.Context, f PaymentMethodFilter) (billkit.Page[PaymentMethod], error)

	// InsertPayment stores a new payment; conflict "payment.exists" for a
	// taken ID or a (Gateway, GatewayPaymentID) another payment has.
	InsertPayment(ctx context.Context, p *Payment) error
	GetPayment(ctx context.Context, id PaymentID) (*Payment, error)
	// LockPayment reads a payment and keeps other transactions from
	// changing it, or locking it, until the caller's transaction ends
	// (SELECT ... FOR UPDATE on PostgreSQL; a plain read where the
	// database serializes writers, as SQLite does). Call it inside a
	// transaction, before deciding how the payment changes: two concurrent
	// deliveries of one gateway report then cannot both apply it.
	LockPayment(ctx context.Context, id PaymentID) (*Payment, error)
	// FindPaymentByGateway returns the payment of gateway whose
	// GatewayPaymentID is gatewayPaymentID; not_found when none.
	FindPaymentByGateway(ctx context.Context, gateway, gatewayPaymentID string) (*Payment, error)
	// UpdatePayment writes every stored field of p; conflict
	// "payment.exists" when its GatewayPaymentID is another payment's.
	UpdatePayment(ctx context.Context, p *Payment) error
	// ListPayments lists payments newest first (CreatedAt, then ID,
	// descending).
	ListPayments(ctx context.Context, f PaymentFilter) (billkit.Page[Payment], error)

	// InsertPaymentRefund stores a refund; conflict "payment_refund.exists"
	// for a taken ID.
	InsertPaymentRefund(ctx context.Context, r *PaymentRefund) error
	GetPaymentRefund(ctx context.Context, id PaymentRefundID) (*PaymentRefund, error)
	UpdatePaymentRefund(ctx context.Context, r *PaymentRefund) error
	// ListPaymentRefunds lists a payment's refunds in ID (creation) order.
	ListPaymentRefunds(ctx context.Context, payment PaymentID) ([]PaymentRefund, error)

	// InsertPaymentEvent records that a gateway event was processed. It
	// returns false, and changes nothing, when (Gateway, EventID) is
	// stored already, also when a concurrent transaction stored it and
	// commits: the unique key makes each event apply once.
	InsertPaymentEvent(ctx context.Context, e *PaymentEvent) (bool, error)

	// InsertSavedMethod stores a saved method; conflict
	// "saved_payment_method.exists" for a taken ID or a (ClientID,
	// MethodID, Ref) already saved.
	InsertSavedMethod(ctx context.Context, m *SavedMethod) error
	GetSavedMethod(ctx context.Context, id SavedMethodID) (*SavedMethod, error)
	DeleteSavedMethod(ctx context.Context, id SavedMethodID) error
	// ListSavedMethods lists saved methods in ID (creation) order.
	ListSavedMethods(ctx context.Context, f SavedMethodFilter) (billkit.Page[SavedMethod], error)
}
