// Package provisioning is what was sold and its life: orders, services and
// their statuses, the billing cycle (renew, suspend, resume, delete), the
// processing modules that act on real systems and their durable tasks,
// servers and datacenters.
//
// # The manager
//
// Manager is the package's entry point (Service is what it manages): one
// per process, on a Store (store/bunstore's Provisioning), billing's
// Service for money and the catalog for what is sold. Every exported write
// is one transaction.
//
// # Orders
//
// An Order is a cart of items (a tariff, a period, addon values, an OS
// image, a domain, a datacenter the tariff lets the client choose, the
// agreements accepted, a promo code), priced by billing's PriceOrder and
// checked whole before anything is written. It is paid from the balance
// at once (the services are created, placed, charged and their opening
// queued in one transaction), by an invoice (a proforma issued with it),
// or by a gateway (billing's payment created with it; Config.OnPaymentPaid
// wired to PayOrdersOfPayment pays the order the moment the payment is,
// and the billing cycle pays it from the balance otherwise). An order
// left unpaid past Config.OrderTTL is cancelled and gives its stock back.
//
// # Services and their statuses
//
// A Service is one thing a client has: a tariff, a period, an expiry, its
// addons, the server it lives on. Its status is ordered, processing (with
// the Operation under way), active, suspended (with a SuspendReason) or
// deleted; Transition is the pure table of what may follow what. Every
// change is a ServiceEvent in the service's history, with who made it.
//
// # Modules and tasks
//
// A Module does the operations on a real system (open, suspend, resume,
// change, renew, delete, sync, usage, login link). Every operation that
// changes a system is a Task, written in the same transaction as the
// change that needs it and run after it commits, never inside it: retried
// with backoff, visible to staff with its error and attempts, and
// retryable, skippable or cancellable by hand. A module receives the
// task's ID as an idempotency key, so a task run twice does its work once.
// The three reads (sync, usage, login link) are asked at once instead:
// someone waits for their answer, and they change nothing to retry.
//
// ManualModule turns each operation into work for people: the task waits
// in its department's queue (TaskFilter.Departments) until staff complete
// it. The script and webhook packages run modules written in any
// language.
//
// # Importing services
//
// Services that already exist on a system come under billing with
// ImportServices, all or none, nothing charged. Their rows come from a CSV
// file (ParseImportCSV, ImportServicesCSV) or from a module that can list
// what is on a server (a Lister): ListServerServices turns its listing
// into ImportCandidates, filled in as far as billkit knows, for staff to
// complete and import.
//
// # The billing cycle
//
// One run of the cycle decides, for each service, from the clock and the
// data alone, what is due (Decide): a notice before expiry, a renewal at
// expiry, a suspension after the grace days, a deletion after the deletion
// period. Then it writes. A renewal is charged exactly once per service and
// period: a unique key on (service, period start) in the database refuses
// the second, whatever crashes or runs in parallel.
package provisioning
