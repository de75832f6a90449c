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
// change, renew, delete, sync, usage, login link). Every call to a module
// is a Task, written in the same transaction as the change that needs it
// and run after it commits, never inside it: retried with backoff, visible
// to staff with its error and attempts, and retryable, skippable or
// cancellable by hand. A module receives the task's ID as an idempotency
// key, so a task run twice does its work once.
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
