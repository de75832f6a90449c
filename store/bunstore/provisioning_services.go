package bunstore

import (
	"context"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/uptrace/bun"
)

// serviceRow is a row of billkit_services: provisioning.Service with its
// price split into an amount and a currency column.
type serviceRow struct {
	ID                provisioning.ServiceID        `bun:"id,pk"`
	ProviderID        billkit.ProviderID            `bun:"provider_id,notnull"`
	ClientID          billkit.ClientID              `bun:"client_id,notnull"`
	OrderID           provisioning.OrderID          `bun:"order_id,nullzero"`
	ProductTypeID     catalog.ProductTypeID         `bun:"product_type_id,notnull"`
	TariffID          catalog.TariffID              `bun:"tariff_id,notnull"`
	Name              string                        `bun:"name,notnull"`
	Period            catalog.Period                `bun:"period,notnull"`
	Status            provisioning.Status           `bun:"status,notnull"`
	Operation         provisioning.Operation        `bun:"operation,notnull"`
	TaskID            provisioning.TaskID           `bun:"task_id,nullzero"`
	PrevStatus        provisioning.Status           `bun:"prev_status,notnull"`
	SuspendReason     provisioning.SuspendReason    `bun:"suspend_reason,notnull"`
	SuspendedOn       billkit.Date                  `bun:"suspended_on,nullzero"`
	AnchorOn          billkit.Date                  `bun:"anchor_on,nullzero"`
	PeriodsPaid       int                           `bun:"periods_paid,notnull"`
	ExpiresOn         billkit.Date                  `bun:"expires_on,nullzero"`
	AutoRenew         bool                          `bun:"auto_renew,notnull"`
	Price             exactDecimal                  `bun:"price,notnull"`
	Currency          string                        `bun:"currency,notnull"`
	Special           bool                          `bun:"special_price,notnull"`
	Addons            map[string]catalog.AddonValue `bun:"addons,notnull"`
	Domain            string                        `bun:"domain,notnull"`
	OSImage           string                        `bun:"os_image,notnull"`
	DatacenterID      provisioning.DatacenterID     `bun:"datacenter_id,nullzero"`
	ServerID          provisioning.ServerID         `bun:"server_id,nullzero"`
	Params            map[string]string             `bun:"params,notnull"`
	DeleteAtPeriodEnd bool                          `bun:"delete_at_period_end,notnull"`
	PendingChange     *provisioning.PendingChange   `bun:"pending_change"`
	CreatedAt         time.Time                     `bun:"created_at,notnull"`
	UpdatedAt         time.Time                     `bun:"updated_at,notnull"`
}

func serviceRowOf(s *provisioning.Service) *serviceRow {
	return &serviceRow{
		ID: s.ID, ProviderID: s.ProviderID, ClientID: s.ClientID, OrderID: s.OrderID, ProductTypeID: s.ProductTypeID,
		TariffID: s.TariffID, Name: s.Name, Period: s.Period, Status: s.Status, Operation: s.Operation, TaskID: s.TaskID,
		PrevStatus: s.PrevStatus, SuspendReason: s.SuspendReason, SuspendedOn: s.SuspendedOn, AnchorOn: s.AnchorOn,
		PeriodsPaid: s.PeriodsPaid, ExpiresOn: s.ExpiresOn, AutoRenew: s.AutoRenew, Price: exactDecimal{s.Price.Amount()},
		Currency: s.Price.Currency(), Special: s.Special, Addons: s.Addons, Domain: s.Domain, OSImage: s.OSImage,
		DatacenterID: s.DatacenterID, ServerID: s.ServerID, Params: s.Params, DeleteAtPeriodEnd: s.DeleteAtPeriodEnd,
		PendingChange: s.PendingChange, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt,
	}
}

func (r *serviceRow) service() (provisioning.Service, error) {
	s := provisioning.Service{
		ID: r.ID, ProviderID: r.ProviderID, ClientID: r.ClientID, OrderID: r.OrderID, ProductTypeID: r.ProductTypeID,
		TariffID: r.TariffID, Name: r.Name, Period: r.Period, Status: r.Status, Operation: r.Operation, TaskID: r.TaskID,
		PrevStatus: r.PrevStatus, SuspendReason: r.SuspendReason, SuspendedOn: r.SuspendedOn, AnchorOn: r.AnchorOn,
		PeriodsPaid: r.PeriodsPaid, ExpiresOn: r.ExpiresOn, AutoRenew: r.AutoRenew, Special: r.Special, Addons: r.Addons,
		Domain: r.Domain, OSImage: r.OSImage, DatacenterID: r.DatacenterID, ServerID: r.ServerID, Params: r.Params,
		DeleteAtPeriodEnd: r.DeleteAtPeriodEnd, PendingChange: r.PendingChange, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	var err error
	if s.Price, err = billkit.NewMoney(r.Price.Decimal, r.Currency); err != nil {
		return s, storedValue(err)
	}
	return s, nil
}

var services = list[serviceRow]{
	table: table[serviceRow]{
		name: "billkit_services",
		kind: "service",
		key:  func(r *serviceRow) any { return r.ID },
		norm: func(r *serviceRow) {
			instant(&r.CreatedAt)
			instant(&r.UpdatedAt)
			r.Addons = emptyMap(r.Addons)
			r.Params = emptyMap(r.Params)
		},
	},
	order: billingIDOrder,
	keyOf: func(r *serviceRow) []string { return []string{r.ID.String()} },
}

// checkService checks the fields without which a service cannot be
// stored, so that they are an invalid error naming the field rather than a
// database error.
func checkService(s *provisioning.Service) error {
	if s == nil {
		return billkit.InvalidField("service", "required", "is required")
	}
	var v billkit.FieldErrors
	v.Check(!s.ID.IsZero(), "id", "required", "is required")
	v.Check(!s.ProviderID.IsZero(), "provider_id", "required", "is required")
	v.Check(!s.ClientID.IsZero(), "client_id", "required", "is required")
	v.Check(!s.ProductTypeID.IsZero(), "product_type_id", "required", "is required")
	v.Check(!s.TariffID.IsZero(), "tariff_id", "required", "is required")
	v.Check(s.Price.Currency() != "", "price", "required", "is required")
	return v.Err()
}

// servicePage turns a page of rows into a page of services.
func servicePage(page billkit.Page[serviceRow], err error) (billkit.Page[provisioning.Service], error) {
	if err != nil {
		return billkit.Page[provisioning.Service]{}, err
	}
	return convertPage(page, (*serviceRow).service)
}

// InsertService stores a new service; conflict "service.exists" for a
// taken ID, failed_precondition for a missing client, provider, tariff,
// product type, order, datacenter or server.
func (p provisioningStore) InsertService(ctx context.Context, s *provisioning.Service) error {
	if err := checkService(s); err != nil {
		return err
	}
	row := serviceRowOf(s)
	if err := insertRow(ctx, p.s, services.table, row); err != nil {
		return err
	}
	s.CreatedAt, s.UpdatedAt, s.Addons, s.Params = row.CreatedAt, row.UpdatedAt, row.Addons, row.Params
	return nil
}

// GetService reads a service; not_found "service.not_found".
func (p provisioningStore) GetService(ctx context.Context, id provisioning.ServiceID) (*provisioning.Service, error) {
	return p.readService(ctx, id, false)
}

// GetServiceForUpdate reads a service and, on PostgreSQL in a transaction,
// locks its row until the transaction ends.
func (p provisioningStore) GetServiceForUpdate(ctx context.Context, id provisioning.ServiceID) (*provisioning.Service, error) {
	return p.readService(ctx, id, true)
}

func (p provisioningStore) readService(ctx context.Context, id provisioning.ServiceID, lock bool) (*provisioning.Service, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("service", id)
	}
	return converted((*serviceRow).service)(lockedGet(ctx, p.s, services.table, id, lock))
}

// UpdateService writes every field of the service; not_found
// "service.not_found".
func (p provisioningStore) UpdateService(ctx context.Context, s *provisioning.Service) error {
	if err := checkService(s); err != nil {
		return err
	}
	row := serviceRowOf(s)
	if err := updateRow(ctx, p.s, services.table, row); err != nil {
		return err
	}
	s.CreatedAt, s.UpdatedAt, s.Addons, s.Params = row.CreatedAt, row.UpdatedAt, row.Addons, row.Params
	return nil
}

// ListServices lists services in ID order. With Statuses and ExpiresBefore
// it is the billing cycle's scan, on the index of (status, expires_on).
func (p provisioningStore) ListServices(ctx context.Context, f provisioning.ServiceFilter) (billkit.Page[provisioning.Service], error) {
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		return emptyPage[provisioning.Service](f.PageParams)
	}
	return servicePage(listRows(ctx, p.s, services, f.PageParams, serviceFilter(f)))
}

// ListServiceIDs returns the IDs of all the services f selects, in ID
// order, in one statement: the billing cycle's scan, which must not read
// its candidates page by page (each page would sort what is left).
func (p provisioningStore) ListServiceIDs(ctx context.Context, f provisioning.ServiceFilter) ([]provisioning.ServiceID, error) {
	if err := p.s.usable(ctx); err != nil {
		return nil, err
	}
	ids := []provisioning.ServiceID{}
	if f.ClientIDs != nil && len(f.ClientIDs) == 0 {
		return ids, nil
	}
	q := p.s.db.NewSelect().Model((*serviceRow)(nil)).ModelTableExpr(services.expr(p.s)).Column("id")
	rows, err := serviceFilter(f)(q).OrderExpr("?TableAlias.id").Rows(ctx)
	if err != nil {
		return nil, mapError(ctx, err, target{kind: "service"})
	}
	defer rows.Close()
	for rows.Next() {
		var id provisioning.ServiceID
		if err := rows.Scan(&id); err != nil {
			return nil, mapError(ctx, err, target{kind: "service"})
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, mapError(ctx, err, target{kind: "service"})
	}
	return ids, nil
}

// serviceFilter is the WHERE clause of f, PageParams aside.
func serviceFilter(f provisioning.ServiceFilter) func(q *bun.SelectQuery) *bun.SelectQuery {
	return func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ProviderID.IsZero() {
			q = q.Where("?TableAlias.provider_id = ?", f.ProviderID)
		}
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.ClientIDs != nil {
			q = q.Where("?TableAlias.client_id IN (?)", bun.In(f.ClientIDs))
		}
		if len(f.Statuses) > 0 {
			q = q.Where("?TableAlias.status IN (?)", bun.In(f.Statuses))
		}
		if !f.TariffID.IsZero() {
			q = q.Where("?TableAlias.tariff_id = ?", f.TariffID)
		}
		if !f.ServerID.IsZero() {
			q = q.Where("?TableAlias.server_id = ?", f.ServerID)
		}
		if !f.ExpiresBefore.IsZero() {
			q = q.Where("?TableAlias.expires_on IS NOT NULL").Where("?TableAlias.expires_on < ?", f.ExpiresBefore)
		}
		return q
	}
}

// CountClientServices counts the client's services of the tariff that are
// not deleted.
func (p provisioningStore) CountClientServices(ctx context.Context, client billkit.ClientID, tariff catalog.TariffID) (int, error) {
	if err := p.s.usable(ctx); err != nil {
		return 0, err
	}
	n, err := p.s.db.NewSelect().TableExpr("billkit_services").
		Where("client_id = ?", client).Where("tariff_id = ?", tariff).
		Where("status <> ?", provisioning.StatusDeleted).Count(ctx)
	if err != nil {
		return 0, mapError(ctx, err, target{kind: "service"})
	}
	return int(n), nil
}

var serviceEvents = list[provisioning.ServiceEvent]{
	table: table[provisioning.ServiceEvent]{
		name: "billkit_service_events",
		kind: "service_event",
		key:  func(e *provisioning.ServiceEvent) any { return e.ID },
		norm: func(e *provisioning.ServiceEvent) {
			instant(&e.At)
			if e.Changes == nil {
				e.Changes = []billkit.Change{}
			}
			// An absent side of a change is stored as JSON null; it reads
			// back absent, as it was given.
			for i := range e.Changes {
				c := &e.Changes[i]
				if string(c.Before) == "null" {
					c.Before = nil
				}
				if string(c.After) == "null" {
					c.After = nil
				}
			}
		},
	},
	// Oldest first; events of one instant in the order they were made.
	order: []keyCol{{expr: "?TableAlias.at"}, {expr: "?TableAlias.id"}},
	keyOf: func(e *provisioning.ServiceEvent) []string { return []string{cursorTime(e.At), e.ID.String()} },
}

// InsertServiceEvent appends to a service's history; failed_precondition
// for a missing service.
func (p provisioningStore) InsertServiceEvent(ctx context.Context, e *provisioning.ServiceEvent) error {
	if e == nil {
		return billkit.InvalidField("service_event", "required", "is required")
	}
	var v billkit.FieldErrors
	v.Check(!e.ID.IsZero(), "id", "required", "is required")
	v.Check(!e.ServiceID.IsZero(), "service_id", "required", "is required")
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := changesJSON(e.Changes); err != nil {
		return billkit.WrapError(err, billkit.CodeInvalid, "service_event.changes_invalid", "a service event's changes are not JSON")
	}
	// The row gets its own copy of the changes, so that norm's clean-up
	// after reading never aliases the caller's slice.
	row := *e
	row.Changes = append([]billkit.Change(nil), e.Changes...)
	if err := insertRow(ctx, p.s, serviceEvents.table, &row); err != nil {
		return err
	}
	e.At = row.At
	return nil
}

// ListServiceEvents lists a service's history (every service's when
// ServiceID is zero), oldest first.
func (p provisioningStore) ListServiceEvents(ctx context.Context, f provisioning.ServiceEventFilter) (billkit.Page[provisioning.ServiceEvent], error) {
	return listRows(ctx, p.s, serviceEvents, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ServiceID.IsZero() {
			q = q.Where("?TableAlias.service_id = ?", f.ServiceID)
		}
		return q
	})
}

// renewalRow is a row of billkit_service_renewals: provisioning.Renewal
// with its amount split into an amount and a currency column.
type renewalRow struct {
	ServiceID   provisioning.ServiceID `bun:"service_id,pk"`
	PeriodStart billkit.Date           `bun:"period_start,pk"`
	PeriodEnd   billkit.Date           `bun:"period_end,notnull"`
	ClientID    billkit.ClientID       `bun:"client_id,notnull"`
	Amount      exactDecimal           `bun:"amount,notnull"`
	Currency    string                 `bun:"currency,notnull"`
	ExpenseID   billing.ExpenseID      `bun:"expense_id,nullzero"`
	Kind        string                 `bun:"kind,notnull"`
	CreatedAt   time.Time              `bun:"created_at,notnull"`
}

// renewalKey is a renewal's key as messages show it.
func renewalKey(service provisioning.ServiceID, start billkit.Date) string {
	return service.String() + "/" + start.String()
}

func (r *renewalRow) renewal() (provisioning.Renewal, error) {
	out := provisioning.Renewal{
		ServiceID: r.ServiceID, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, ClientID: r.ClientID,
		ExpenseID: r.ExpenseID, Kind: r.Kind, CreatedAt: r.CreatedAt,
	}
	var err error
	if out.Amount, err = billkit.NewMoney(r.Amount.Decimal, r.Currency); err != nil {
		return out, storedValue(err)
	}
	return out, nil
}

var renewals = list[renewalRow]{
	table: table[renewalRow]{
		name: "billkit_service_renewals",
		kind: "renewal",
		key:  func(r *renewalRow) any { return renewalKey(r.ServiceID, r.PeriodStart) },
		norm: func(r *renewalRow) { instant(&r.CreatedAt) },
	},
	order: []keyCol{{expr: "?TableAlias.period_start"}, {expr: "?TableAlias.service_id"}},
	keyOf: func(r *renewalRow) []string { return []string{r.PeriodStart.String(), r.ServiceID.String()} },
}

// InsertRenewal records a paid period. The primary key (service_id,
// period_start) refuses a second row for the same period with conflict
// "renewal.exists", whichever process or transaction tries: that is what
// charges a period once. A missing service, client or expense is
// failed_precondition.
func (p provisioningStore) InsertRenewal(ctx context.Context, r *provisioning.Renewal) error {
	if r == nil {
		return billkit.InvalidField("renewal", "required", "is required")
	}
	row, err := renewalRowOf(r)
	if err != nil {
		return err
	}
	if err := insertRow(ctx, p.s, renewals.table, row); err != nil {
		return err
	}
	r.CreatedAt = row.CreatedAt
	return nil
}

// renewalRowOf checks r and returns its row.
func renewalRowOf(r *provisioning.Renewal) (*renewalRow, error) {
	var v billkit.FieldErrors
	v.Check(!r.ServiceID.IsZero(), "service_id", "required", "is required")
	v.Check(!r.PeriodStart.IsZero(), "period_start", "required", "is required")
	v.Check(!r.PeriodEnd.IsZero(), "period_end", "required", "is required")
	v.Check(!r.ClientID.IsZero(), "client_id", "required", "is required")
	v.Check(r.Amount.Currency() != "", "amount", "required", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &renewalRow{
		ServiceID: r.ServiceID, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, ClientID: r.ClientID,
		Amount: exactDecimal{r.Amount.Amount()}, Currency: r.Amount.Currency(), ExpenseID: r.ExpenseID, Kind: r.Kind, CreatedAt: r.CreatedAt,
	}, nil
}

// ListRenewals lists renewals by period start (then service).
func (p provisioningStore) ListRenewals(ctx context.Context, f provisioning.RenewalFilter) (billkit.Page[provisioning.Renewal], error) {
	page, err := listRows(ctx, p.s, renewals, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ServiceID.IsZero() {
			q = q.Where("?TableAlias.service_id = ?", f.ServiceID)
		}
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		return q
	})
	if err != nil {
		return billkit.Page[provisioning.Renewal]{}, err
	}
	return convertPage(page, (*renewalRow).renewal)
}

var notices = list[provisioning.Notice]{
	table: table[provisioning.Notice]{
		name: "billkit_service_notices",
		kind: "notice",
		key: func(n *provisioning.Notice) any {
			return n.ServiceID.String() + "/" + n.ExpiresOn.String() + "/" + itoa(n.DaysBefore)
		},
		norm: func(n *provisioning.Notice) { instant(&n.CreatedAt) },
	},
	order: []keyCol{
		{expr: "?TableAlias.service_id"},
		{expr: "?TableAlias.expires_on"},
		{expr: "?TableAlias.days_before", arg: "CAST(? AS INTEGER)"},
	},
	keyOf: func(n *provisioning.Notice) []string {
		return []string{n.ServiceID.String(), n.ExpiresOn.String(), itoa(n.DaysBefore)}
	},
}

// InsertNotice records a reminder; the primary key (service_id,
// expires_on, days_before) refuses a second one with conflict
// "notice.exists".
func (p provisioningStore) InsertNotice(ctx context.Context, n *provisioning.Notice) error {
	if n == nil {
		return billkit.InvalidField("notice", "required", "is required")
	}
	var v billkit.FieldErrors
	v.Check(!n.ServiceID.IsZero(), "service_id", "required", "is required")
	v.Check(!n.ExpiresOn.IsZero(), "expires_on", "required", "is required")
	v.Check(!n.ClientID.IsZero(), "client_id", "required", "is required")
	v.Check(n.DaysBefore >= 0, "days_before", "negative", "must not be negative")
	if err := v.Err(); err != nil {
		return err
	}
	return insertRow(ctx, p.s, notices.table, n)
}

// ListNotices lists notices by service, expiry and days before.
func (p provisioningStore) ListNotices(ctx context.Context, f provisioning.NoticeFilter) (billkit.Page[provisioning.Notice], error) {
	return listRows(ctx, p.s, notices, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ServiceID.IsZero() {
			q = q.Where("?TableAlias.service_id = ?", f.ServiceID)
		}
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if f.ServiceIDs != nil {
			if len(f.ServiceIDs) == 0 {
				return q.Where("1 = 0")
			}
			q = q.Where("?TableAlias.service_id IN (?)", bun.In(f.ServiceIDs))
		}
		if f.WithInvoice {
			q = q.Where("?TableAlias.invoice_id IS NOT NULL")
		}
		return q
	})
}
