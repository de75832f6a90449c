package provisioning

import (
	"encoding/json"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// ServiceID identifies a Service.
type ServiceID = billkit.ID[Service]

// OrderID identifies an Order.
type OrderID = billkit.ID[Order]

// OrderItemID identifies an OrderItem.
type OrderItemID = billkit.ID[OrderItem]

// TaskID identifies a Task.
type TaskID = billkit.ID[Task]

// ServerID identifies a Server.
type ServerID = billkit.ID[Server]

// DatacenterID identifies a Datacenter.
type DatacenterID = billkit.ID[Datacenter]

// ServiceEventID identifies a ServiceEvent.
type ServiceEventID = billkit.ID[ServiceEvent]

// Status is where a service is in its life.
type Status string

// The statuses.
const (
	// StatusOrdered: created by an order, waiting for payment or
	// configuration; nothing exists on a server yet.
	StatusOrdered Status = "ordered"
	// StatusProcessing: an operation is under way (Service.Operation).
	StatusProcessing Status = "processing"
	StatusActive     Status = "active"
	// StatusSuspended: stopped, with Service.SuspendReason.
	StatusSuspended Status = "suspended"
	// StatusDeleted is final.
	StatusDeleted Status = "deleted"
)

// Statuses lists every status.
func Statuses() []Status {
	return []Status{StatusOrdered, StatusProcessing, StatusActive, StatusSuspended, StatusDeleted}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, x := range Statuses() {
		if s == x {
			return true
		}
	}
	return false
}

// SuspendReason says why a service is suspended. Only a suspension for
// non-payment is lifted by a payment, and only such a service is deleted
// by the cycle.
type SuspendReason string

// The suspend reasons.
const (
	SuspendNonPayment SuspendReason = "non_payment"
	SuspendStaff      SuspendReason = "staff"
	SuspendAbuse      SuspendReason = "abuse"
	SuspendClient     SuspendReason = "client"
	SuspendTemporary  SuspendReason = "temporary"
)

// SuspendReasons lists every reason.
func SuspendReasons() []SuspendReason {
	return []SuspendReason{SuspendNonPayment, SuspendStaff, SuspendAbuse, SuspendClient, SuspendTemporary}
}

// Valid reports whether r is a known reason.
func (r SuspendReason) Valid() bool {
	for _, x := range SuspendReasons() {
		if r == x {
			return true
		}
	}
	return false
}

// Operation is what a module does to a service.
type Operation string

// The operations. Open, Suspend, Resume, Change, Renew and Delete move a
// service through StatusProcessing; Sync, Usage and LoginLink read and
// leave its status alone.
const (
	OpOpen      Operation = "open"
	OpSuspend   Operation = "suspend"
	OpResume    Operation = "resume"
	OpChange    Operation = "change"
	OpRenew     Operation = "renew"
	OpDelete    Operation = "delete"
	OpSync      Operation = "sync"
	OpUsage     Operation = "usage"
	OpLoginLink Operation = "login_link"
)

// Operations lists every operation.
func Operations() []Operation {
	return []Operation{OpOpen, OpSuspend, OpResume, OpChange, OpRenew, OpDelete, OpSync, OpUsage, OpLoginLink}
}

// Valid reports whether o is a known operation.
func (o Operation) Valid() bool {
	for _, x := range Operations() {
		if o == x {
			return true
		}
	}
	return false
}

// Service is one thing a client has, and its life.
type Service struct {
	ID         ServiceID          `json:"id" bun:"id,pk"`
	ProviderID billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	ClientID   billkit.ClientID   `json:"client_id" bun:"client_id,notnull"`
	// OrderID is the order that created the service; zero for an imported
	// or cloned one.
	OrderID       OrderID               `json:"order_id,omitzero" bun:"order_id,nullzero"`
	ProductTypeID catalog.ProductTypeID `json:"product_type_id" bun:"product_type_id,notnull"`
	TariffID      catalog.TariffID      `json:"tariff_id" bun:"tariff_id,notnull"`
	// Name is shown to the client ("VPS-2 #12", "example.com").
	Name   string         `json:"name" bun:"name,notnull"`
	Period catalog.Period `json:"period" bun:"period,notnull"`
	// Status and, while processing, Operation (the operation under way,
	// whose task is TaskID) and PrevStatus (the status a cancelled
	// operation returns to).
	Status        Status        `json:"status" bun:"status,notnull"`
	Operation     Operation     `json:"operation,omitempty" bun:"operation,notnull"`
	TaskID        TaskID        `json:"task_id,omitzero" bun:"task_id,nullzero"`
	PrevStatus    Status        `json:"prev_status,omitempty" bun:"prev_status,notnull"`
	SuspendReason SuspendReason `json:"suspend_reason,omitempty" bun:"suspend_reason,notnull"`
	// SuspendedOn is the day it was suspended, for the deletion period.
	SuspendedOn billkit.Date `json:"suspended_on,omitzero" bun:"suspended_on,nullzero"`
	// AnchorOn is the day periods are counted from, and PeriodsPaid how many
	// have been paid: ExpiresOn = Period.Advance(AnchorOn, PeriodsPaid), so
	// month ends never drift (January 31st, February 28th, March 31st).
	// ExpiresOn is the first day not paid for; zero before the first payment.
	AnchorOn    billkit.Date `json:"anchor_on,omitzero" bun:"anchor_on,nullzero"`
	PeriodsPaid int          `json:"periods_paid" bun:"periods_paid,notnull"`
	ExpiresOn   billkit.Date `json:"expires_on,omitzero" bun:"expires_on,nullzero"`
	AutoRenew   bool         `json:"auto_renew" bun:"auto_renew,notnull"`
	// Price is what one period costs the client, in its currency; Special
	// marks a price set by staff, which recalculations leave alone.
	Price   billkit.Money `json:"price" bun:"price,notnull"`
	Special bool          `json:"special_price" bun:"special_price,notnull"`
	// Addons are the values of the tariff's addons.
	Addons       map[string]catalog.AddonValue `json:"addons" bun:"addons,notnull"`
	Domain       string                        `json:"domain,omitempty" bun:"domain,notnull"`
	OSImage      string                        `json:"os_image,omitempty" bun:"os_image,notnull"`
	DatacenterID DatacenterID                  `json:"datacenter_id,omitzero" bun:"datacenter_id,nullzero"`
	ServerID     ServerID                      `json:"server_id,omitzero" bun:"server_id,nullzero"`
	// Params are the module's own values (a login, an IP address, a
	// remote ID), as it returned them.
	Params map[string]string `json:"params" bun:"params,notnull"`
	// DeleteAtPeriodEnd is set when the client asked to delete the service
	// when its paid period ends.
	DeleteAtPeriodEnd bool `json:"delete_at_period_end,omitempty" bun:"delete_at_period_end,notnull"`
	// PendingChange is a change waiting for the next renewal (a product
	// type whose change policy is at_renewal); nil for none.
	PendingChange *PendingChange `json:"pending_change,omitempty" bun:"pending_change"`
	CreatedAt     time.Time      `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt     time.Time      `json:"updated_at" bun:"updated_at,notnull"`
}

// PendingChange is a change of a service's tariff, period or addons that
// waits for its next renewal: the renewal starting on EffectiveOn (or the
// first one after) is charged at Price and switches the service to the
// new configuration.
type PendingChange struct {
	// TariffID is the tariff after the change, and Tariff its code, which
	// the module receives.
	TariffID catalog.TariffID              `json:"tariff_id"`
	Tariff   string                        `json:"tariff"`
	Period   catalog.Period                `json:"period"`
	Addons   map[string]catalog.AddonValue `json:"addons"`
	// Price is what one period costs after the change, priced when it was
	// asked for.
	Price billkit.Money `json:"price"`
	// EffectiveOn is the day the change applies: the service's expiry when
	// it was asked for.
	EffectiveOn billkit.Date `json:"effective_on"`
	// ActorKind and ActorID are who asked for it, at At.
	ActorKind billkit.ActorKind `json:"actor_kind"`
	ActorID   string            `json:"actor_id"`
	At        time.Time         `json:"at"`
	Memo      string            `json:"memo,omitempty"`
}

// ServiceEvent is one change in a service's history: what changed, who
// changed it, when.
type ServiceEvent struct {
	ID        ServiceEventID    `json:"id" bun:"id,pk"`
	ServiceID ServiceID         `json:"service_id" bun:"service_id,notnull"`
	At        time.Time         `json:"at" bun:"at,notnull"`
	ActorKind billkit.ActorKind `json:"actor_kind" bun:"actor_kind,notnull"`
	ActorID   string            `json:"actor_id" bun:"actor_id,notnull"`
	// Kind names the change ("created", "status", "renewed", "change",
	// "change_pending", "change_cancelled", "moved", "auto_renew", "price",
	// "notice").
	Kind string `json:"kind" bun:"kind,notnull"`
	// From and To are the status before and after, when it changed.
	From Status `json:"from,omitempty" bun:"from_status,notnull"`
	To   Status `json:"to,omitempty" bun:"to_status,notnull"`
	// Changes are the fields that changed, as in the action log.
	Changes []billkit.Change `json:"changes" bun:"changes,notnull"`
	Memo    string           `json:"memo,omitempty" bun:"memo,notnull"`
}

// Renewal is one paid period of a service: its key (ServiceID,
// PeriodStart) is unique in the store, which is what makes a period
// charged once.
type Renewal struct {
	ServiceID   ServiceID         `json:"service_id" bun:"service_id,pk"`
	PeriodStart billkit.Date      `json:"period_start" bun:"period_start,pk"`
	PeriodEnd   billkit.Date      `json:"period_end" bun:"period_end,notnull"`
	ClientID    billkit.ClientID  `json:"client_id" bun:"client_id,notnull"`
	Amount      billkit.Money     `json:"amount" bun:"amount,notnull"`
	ExpenseID   billing.ExpenseID `json:"expense_id,omitzero" bun:"expense_id,nullzero"`
	// Kind is "order" (the first period), "renewal" (the cycle or the
	// client), "change" (a period bought by a change).
	Kind      string    `json:"kind" bun:"kind,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
}

// Notice is a reminder before expiry, recorded once per service, expiry
// and days before (the notification issue sends them), or the renewal's
// invoice for a client who pays by invoice (StepInvoice), recorded alike.
type Notice struct {
	ServiceID  ServiceID        `json:"service_id" bun:"service_id,pk"`
	ExpiresOn  billkit.Date     `json:"expires_on" bun:"expires_on,pk"`
	DaysBefore int              `json:"days_before" bun:"days_before,pk"`
	ClientID   billkit.ClientID `json:"client_id" bun:"client_id,notnull"`
	// InvoiceID is, on a renewal's invoice, the proforma issued with it:
	// one advance line for the next period, whose money, once paid, waits
	// on the balance for the renewal at expiry. Zero on a reminder.
	InvoiceID billing.InvoiceID `json:"invoice_id,omitzero" bun:"invoice_id,nullzero"`
	CreatedAt time.Time         `json:"created_at" bun:"created_at,notnull"`
}

// OrderStatus is where an order is.
type OrderStatus string

// The order statuses: new (waiting for payment) → paid (services created)
// → completed (every service opened), or cancelled.
const (
	OrderNew       OrderStatus = "new"
	OrderPaid      OrderStatus = "paid"
	OrderCompleted OrderStatus = "completed"
	OrderCancelled OrderStatus = "cancelled"
)

// OrderStatuses lists the order statuses.
func OrderStatuses() []OrderStatus {
	return []OrderStatus{OrderNew, OrderPaid, OrderCompleted, OrderCancelled}
}

// PayBy is how an order is paid.
type PayBy string

// The ways to pay an order.
const (
	// PayByBalance charges the client's balance at once (within its credit
	// limit).
	PayByBalance PayBy = "balance"
	// PayByInvoice issues a proforma for the order's total (Order.InvoiceID)
	// and leaves the order new: the payment for the proforma credits the
	// balance, from which the order is paid (PayOrder, or the cycle).
	PayByInvoice PayBy = "invoice"
	// PayByGateway pays by one of billing's payments at a gateway, with a
	// method the client names (Order.PaymentID); the order is paid from
	// the balance as soon as the payment is (Manager.StartOrderPayment,
	// Manager.PayOrdersOfPayment).
	PayByGateway PayBy = "gateway"
)

// PayBys lists the ways to pay an order.
func PayBys() []PayBy { return []PayBy{PayByBalance, PayByInvoice, PayByGateway} }

// Order is a cart of items a client orders at once.
type Order struct {
	ID         OrderID            `json:"id" bun:"id,pk"`
	ProviderID billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	ClientID   billkit.ClientID   `json:"client_id" bun:"client_id,notnull"`
	Status     OrderStatus        `json:"status" bun:"status,notnull"`
	PayBy      PayBy              `json:"pay_by" bun:"pay_by,notnull"`
	Items      []OrderItem        `json:"items" bun:"items,notnull"`
	// Total is what the order costs, taxes included.
	Total billkit.Money `json:"total" bun:"total,notnull"`
	// InvoiceID is, for PayByInvoice, the proforma issued with the order:
	// one advance line per item, its gross the order's Total. It is voided
	// when the order is cancelled, or paid while nothing was paid on it (the
	// money came another way). PaymentID is, for PayByGateway, billing's
	// payment of the order's Total (Manager.StartOrderPayment): its money
	// credits the balance, from which the order is paid; a new payment
	// replaces one that failed or was cancelled.
	InvoiceID billing.InvoiceID `json:"invoice_id,omitzero" bun:"invoice_id,nullzero"`
	PaymentID billing.PaymentID `json:"payment_id,omitzero" bun:"payment_id,nullzero"`
	// CancelAt is when an unpaid order is cancelled.
	CancelAt  time.Time `json:"cancel_at,omitzero" bun:"cancel_at,nullzero"`
	PaidAt    time.Time `json:"paid_at,omitzero" bun:"paid_at,nullzero"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// OrderItem is one line of a cart: a tariff for a period with its
// configuration, Quantity times.
type OrderItem struct {
	ID       OrderItemID                   `json:"id"`
	TariffID catalog.TariffID              `json:"tariff_id"`
	Period   catalog.Period                `json:"period"`
	Quantity int                           `json:"quantity"`
	Addons   map[string]catalog.AddonValue `json:"addons,omitempty"`
	OSImage  string                        `json:"os_image,omitempty"`
	// Domain is the domain name, where the product type needs one.
	Domain string `json:"domain,omitempty"`
	// DatacenterID is the client's choice of datacenter, where allowed.
	DatacenterID DatacenterID `json:"datacenter_id,omitzero"`
	// Agreements are the codes of the agreements the client accepted.
	Agreements []string `json:"agreements,omitempty"`
	PromoCode  string   `json:"promo_code,omitempty"`
	// Price is the item's price as billing assembled it (all Quantity
	// services); Recurring what one service's following periods cost.
	Price     billkit.Money `json:"price"`
	Recurring billkit.Money `json:"recurring"`
	// ServiceIDs are the services created for the item once paid.
	ServiceIDs []ServiceID `json:"service_ids,omitempty"`
}

// TaskStatus is where a task is.
type TaskStatus string

// The task statuses.
const (
	// TaskQueued: waiting to run at NextRunAt (a first run, or a retry).
	TaskQueued TaskStatus = "queued"
	// TaskRunning: claimed by a worker until LeaseUntil.
	TaskRunning TaskStatus = "running"
	// TaskWaiting: the module answered that it will answer later (a webhook's
	// asynchronous answer, a manual task for a department).
	TaskWaiting TaskStatus = "waiting"
	// TaskDone, TaskSkipped (staff applied it without the module) and
	// TaskCancelled (staff reverted the service) are final.
	TaskDone      TaskStatus = "done"
	TaskSkipped   TaskStatus = "skipped"
	TaskCancelled TaskStatus = "cancelled"
	// TaskFailed: it gave up (out of attempts, or refused for good); staff
	// retry, skip or cancel it.
	TaskFailed TaskStatus = "failed"
)

// TaskStatuses lists the task statuses.
func TaskStatuses() []TaskStatus {
	return []TaskStatus{TaskQueued, TaskRunning, TaskWaiting, TaskDone, TaskSkipped, TaskCancelled, TaskFailed}
}

// Final reports whether the task is over.
func (s TaskStatus) Final() bool {
	return s == TaskDone || s == TaskSkipped || s == TaskCancelled
}

// Task is one module call for a service: durable, retried, visible.
type Task struct {
	ID        TaskID           `json:"id" bun:"id,pk"`
	ServiceID ServiceID        `json:"service_id" bun:"service_id,notnull"`
	ClientID  billkit.ClientID `json:"client_id" bun:"client_id,notnull"`
	Operation Operation        `json:"operation" bun:"operation,notnull"`
	Module    string           `json:"module" bun:"module,notnull"`
	Status    TaskStatus       `json:"status" bun:"status,notnull"`
	// Input is what the operation needs beyond the service (a change's new
	// tariff and addons), as JSON.
	Input json.RawMessage `json:"input,omitempty" bun:"input,type:text"`
	// Attempts counts the runs so far; MaxAttempts is when it gives up.
	Attempts    int       `json:"attempts" bun:"attempts,notnull"`
	MaxAttempts int       `json:"max_attempts" bun:"max_attempts,notnull"`
	NextRunAt   time.Time `json:"next_run_at" bun:"next_run_at,notnull"`
	// LeaseUntil is when a running task's worker is presumed dead and the
	// task may be claimed again.
	LeaseUntil time.Time `json:"lease_until,omitzero" bun:"lease_until,nullzero"`
	LastError  string    `json:"last_error,omitempty" bun:"last_error,notnull"`
	// Department is the department whose queue a manual task is in: its
	// module's (ManualModule.Department), recorded when the task starts
	// waiting and kept once it is over; "" for the other tasks. Clients do
	// not see it.
	Department string    `json:"department,omitempty" bun:"department,notnull"`
	CreatedAt  time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt  time.Time `json:"updated_at" bun:"updated_at,notnull"`
	FinishedAt time.Time `json:"finished_at,omitzero" bun:"finished_at,nullzero"`
}

// TaskAttempt is one run of a task, for its history.
type TaskAttempt struct {
	TaskID     TaskID    `json:"task_id" bun:"task_id,pk"`
	Attempt    int       `json:"attempt" bun:"attempt,pk"`
	StartedAt  time.Time `json:"started_at" bun:"started_at,notnull"`
	FinishedAt time.Time `json:"finished_at" bun:"finished_at,notnull"`
	// Outcome is "done", "waiting", "retry" or "failed"; Error the module's
	// error.
	Outcome string `json:"outcome" bun:"outcome,notnull"`
	Error   string `json:"error,omitempty" bun:"error,notnull"`
}

// Datacenter is a place servers are in; a client may choose one where the
// tariff allows.
type Datacenter struct {
	ID         DatacenterID       `json:"id" bun:"id,pk"`
	ProviderID billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	Code       string             `json:"code" bun:"code,notnull"`
	Name       string             `json:"name" bun:"name,notnull"`
	Country    string             `json:"country,omitempty" bun:"country,notnull"`
	Enabled    bool               `json:"enabled" bun:"enabled,notnull"`
	CreatedAt  time.Time          `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt  time.Time          `json:"updated_at" bun:"updated_at,notnull"`
}

// Server is a machine (or a panel) a module provisions services on.
type Server struct {
	ID           ServerID           `json:"id" bun:"id,pk"`
	ProviderID   billkit.ProviderID `json:"provider_id" bun:"provider_id,notnull"`
	DatacenterID DatacenterID       `json:"datacenter_id" bun:"datacenter_id,notnull"`
	// Module is the name of the module that drives it.
	Module string `json:"module" bun:"module,notnull"`
	Name   string `json:"name" bun:"name,notnull"`
	// URL is where the module reaches it.
	URL string `json:"url" bun:"url,notnull"`
	// Params are the module's settings for the server, not secret.
	Params map[string]string `json:"params" bun:"params,notnull"`
	// Credentials are encrypted with the manager's key (Config.SecretKey)
	// before they are stored; they never appear in JSON or the action log.
	Credentials []byte `json:"-" bun:"credentials"`
	// Capacity is the most services it holds (0: no limit); Load how many
	// it holds now.
	Capacity  int       `json:"capacity" bun:"capacity,notnull"`
	Load      int       `json:"load" bun:"load,notnull"`
	Enabled   bool      `json:"enabled" bun:"enabled,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt time.Time `json:"updated_at" bun:"updated_at,notnull"`
}
