package provisioning

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// Store keeps what provisioning owns. billkit's implementation is
// store/bunstore (PostgreSQL and SQLite); store/storetest is the
// conformance suite every implementation must pass.
//
// Errors follow billing.Store: Get and Update methods return not_found
// ("service.not_found", ...) for a missing key; Insert methods return
// conflict ("service.exists", "renewal.exists") for a taken key or unique
// value; a reference to a missing row is failed_precondition. Update
// methods write every stored field of the value given. Lists are keyset
// pages in the order their filter documents.
type Store interface {
	// InTx runs fn in one transaction, or a savepoint when already in one.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// Billing is billing's store bound to the same transaction, so that a
	// renewal's charge and the renewal commit together.
	Billing() billing.Store
	// Catalog is the catalog's store bound to the same transaction, so that
	// the stock an order or a change takes commits with it.
	Catalog() catalog.Store
	// InsertAction appends an entry to the action log.
	InsertAction(ctx context.Context, a *billkit.Action) error

	InfraStore
	ServiceStore
	OrderStore
	TaskStore
}

// InfraStore keeps datacenters and servers.
type InfraStore interface {
	// InsertDatacenter returns conflict "datacenter.exists" for a taken ID
	// or a code the provider has used.
	InsertDatacenter(ctx context.Context, d *Datacenter) error
	GetDatacenter(ctx context.Context, id DatacenterID) (*Datacenter, error)
	UpdateDatacenter(ctx context.Context, d *Datacenter) error
	// ListDatacenters lists datacenters in ID order.
	ListDatacenters(ctx context.Context, f DatacenterFilter) (billkit.Page[Datacenter], error)

	// InsertServer returns conflict "server.exists" for a taken ID.
	InsertServer(ctx context.Context, s *Server) error
	GetServer(ctx context.Context, id ServerID) (*Server, error)
	// UpdateServer writes every field except Load, which only the two
	// methods below move.
	UpdateServer(ctx context.Context, s *Server) error
	// ListServers lists servers in ID order.
	ListServers(ctx context.Context, f ServerFilter) (billkit.Page[Server], error)
	// ClaimServerSlot adds one to the server's Load when it is enabled and
	// below its Capacity (0: no limit), atomically under concurrency; it
	// reports false and changes nothing otherwise.
	ClaimServerSlot(ctx context.Context, id ServerID) (bool, error)
	// ReleaseServerSlot takes one from the server's Load, never below zero.
	ReleaseServerSlot(ctx context.Context, id ServerID) error
}

// DatacenterFilter selects datacenters.
type DatacenterFilter struct {
	billkit.PageParams
	ProviderID billkit.ProviderID
}

// ServerFilter selects servers.
type ServerFilter struct {
	billkit.PageParams
	ProviderID   billkit.ProviderID
	DatacenterID DatacenterID
	Module       string
	// EnabledOnly leaves out disabled servers.
	EnabledOnly bool
}

// ServiceStore keeps services, their history, renewals and notices.
type ServiceStore interface {
	// InsertService returns conflict "service.exists" for a taken ID.
	InsertService(ctx context.Context, s *Service) error
	GetService(ctx context.Context, id ServiceID) (*Service, error)
	// GetServiceForUpdate is GetService that, in a transaction, locks the
	// row until it ends (FOR UPDATE on PostgreSQL; SQLite's transactions
	// serialize writers already).
	GetServiceForUpdate(ctx context.Context, id ServiceID) (*Service, error)
	UpdateService(ctx context.Context, s *Service) error
	// ListServices lists services in ID order.
	ListServices(ctx context.Context, f ServiceFilter) (billkit.Page[Service], error)
	// CountClientServices counts a client's services of a tariff that are
	// not deleted (LimitPerClient).
	CountClientServices(ctx context.Context, client billkit.ClientID, tariff catalog.TariffID) (int, error)

	InsertServiceEvent(ctx context.Context, e *ServiceEvent) error
	// ListServiceEvents lists a service's history, oldest first.
	ListServiceEvents(ctx context.Context, f ServiceEventFilter) (billkit.Page[ServiceEvent], error)

	// InsertRenewal returns conflict "renewal.exists" when the service's
	// period starting on PeriodStart is already paid: the database's unique
	// key, not a check in code, makes a period charged once.
	InsertRenewal(ctx context.Context, r *Renewal) error
	// ListRenewals lists a service's renewals by period start.
	ListRenewals(ctx context.Context, f RenewalFilter) (billkit.Page[Renewal], error)

	// InsertNotice returns conflict "notice.exists" when that reminder was
	// recorded already.
	InsertNotice(ctx context.Context, n *Notice) error
	// ListNotices lists notices by service, expiry and days before.
	ListNotices(ctx context.Context, f NoticeFilter) (billkit.Page[Notice], error)

	// The bulk writes of the billing cycle, a few statements for a whole
	// batch of services.
	CycleStore
}

// CycleStore is what the billing cycle reads and writes a batch of
// services with.
type CycleStore interface {
	// GetServicesForUpdate reads services in ID order, locked until the
	// transaction ends (on PostgreSQL); missing IDs are left out.
	GetServicesForUpdate(ctx context.Context, ids []ServiceID) ([]Service, error)
	// GetServices reads services in ID order without locking them;
	// missing IDs are left out.
	GetServices(ctx context.Context, ids []ServiceID) ([]Service, error)
	// ListServiceIDs returns the IDs of every service f selects (its
	// PageParams aside), in ID order, in one read: the cycle's scan, 16
	// bytes a candidate, stays linear however many services are due.
	ListServiceIDs(ctx context.Context, f ServiceFilter) ([]ServiceID, error)
	// InsertNotices records reminders, skipping those recorded already,
	// and returns those it recorded.
	InsertNotices(ctx context.Context, ns []Notice) ([]Notice, error)
	// InsertRenewals records paid periods; one paid already fails the whole
	// call with conflict "renewal.exists".
	InsertRenewals(ctx context.Context, rs []Renewal) error
	// UpdateServicesPaid writes AnchorOn, PeriodsPaid, ExpiresOn and
	// UpdatedAt of services.
	UpdateServicesPaid(ctx context.Context, svcs []Service) error
	// InsertServiceEvents appends to services' histories.
	InsertServiceEvents(ctx context.Context, es []ServiceEvent) error
	// InsertActions appends to the action log.
	InsertActions(ctx context.Context, as []billkit.Action) error
}

// ServiceFilter selects services. The cycle reads the services that may
// need it with Statuses and ExpiresBefore, page by page.
type ServiceFilter struct {
	billkit.PageParams
	ProviderID billkit.ProviderID
	ClientID   billkit.ClientID
	// ClientIDs, when not nil, keeps the services of these clients (a
	// customer's visible clients); empty selects none.
	ClientIDs []billkit.ClientID
	Statuses  []Status
	TariffID  catalog.TariffID
	ServerID  ServerID
	// ExpiresBefore keeps services whose ExpiresOn is set and before it.
	ExpiresBefore billkit.Date
}

// ServiceEventFilter selects a service's history.
type ServiceEventFilter struct {
	billkit.PageParams
	ServiceID ServiceID
}

// RenewalFilter selects renewals.
type RenewalFilter struct {
	billkit.PageParams
	ServiceID ServiceID
	ClientID  billkit.ClientID
}

// NoticeFilter selects notices.
type NoticeFilter struct {
	billkit.PageParams
	ServiceID ServiceID
	ClientID  billkit.ClientID
	// ServiceIDs keeps the notices of those services when not nil.
	ServiceIDs []ServiceID
	// WithInvoice keeps the renewals' invoices: notices with an InvoiceID.
	WithInvoice bool
}

// OrderStore keeps orders.
type OrderStore interface {
	// InsertOrder returns conflict "order.exists" for a taken ID.
	InsertOrder(ctx context.Context, o *Order) error
	GetOrder(ctx context.Context, id OrderID) (*Order, error)
	// GetOrderForUpdate locks the order as GetServiceForUpdate does.
	GetOrderForUpdate(ctx context.Context, id OrderID) (*Order, error)
	UpdateOrder(ctx context.Context, o *Order) error
	// ListOrders lists orders in ID order.
	ListOrders(ctx context.Context, f OrderFilter) (billkit.Page[Order], error)
}

// OrderFilter selects orders.
type OrderFilter struct {
	billkit.PageParams
	ClientID  billkit.ClientID
	ClientIDs []billkit.ClientID
	Statuses  []OrderStatus
	// CancelBefore keeps orders whose CancelAt is set and before it.
	CancelBefore time.Time
}

// TaskStore keeps tasks and their attempts.
type TaskStore interface {
	// InsertTask returns conflict "task.exists" for a taken ID.
	InsertTask(ctx context.Context, t *Task) error
	GetTask(ctx context.Context, id TaskID) (*Task, error)
	UpdateTask(ctx context.Context, t *Task) error
	// ListTasks lists tasks in ID order.
	ListTasks(ctx context.Context, f TaskFilter) (billkit.Page[Task], error)
	// ClaimTask marks the task running until leaseUntil, with one more
	// attempt, when it is queued and due (NextRunAt ≤ now) or running with
	// its lease expired; atomically, so that of two workers one wins. It
	// returns the claimed task, or nil when it was not claimable.
	ClaimTask(ctx context.Context, id TaskID, now, leaseUntil time.Time) (*Task, error)
	InsertTaskAttempt(ctx context.Context, a *TaskAttempt) error
	// ListTaskAttempts lists a task's attempts in order.
	ListTaskAttempts(ctx context.Context, f TaskAttemptFilter) (billkit.Page[TaskAttempt], error)
}

// TaskFilter selects tasks.
type TaskFilter struct {
	billkit.PageParams
	ServiceID ServiceID
	ClientIDs []billkit.ClientID
	Statuses  []TaskStatus
	// Departments, when not nil, keeps the tasks in the queue of one of
	// these departments (Task.Department); empty selects none, and so does
	// "", which is no department. A department's queue is Departments {d}
	// with Statuses {TaskWaiting}.
	Departments []string
	// DueBy keeps queued tasks whose NextRunAt ≤ DueBy and running tasks
	// whose LeaseUntil ≤ DueBy: what a worker may claim.
	DueBy time.Time
}

// TaskAttemptFilter selects a task's attempts.
type TaskAttemptFilter struct {
	billkit.PageParams
	TaskID TaskID
}
