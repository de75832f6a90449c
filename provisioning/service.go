package provisioning

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// serviceNotFound is the error for a service that does not exist or that
// the actor may not see: the same, so IDs cannot be probed.
func serviceNotFound(id ServiceID) error { return billkit.NotFound("service", id) }

// serviceFor reads a service from st and checks that the actor may do op
// on it.
func (m *Manager) serviceFor(ctx context.Context, st Store, actor billkit.Actor, id ServiceID, op billkit.Operation) (*Service, error) {
	s, err := st.GetService(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionService, op), s.ClientID, serviceNotFound(id)); err != nil {
		return nil, err
	}
	return s, nil
}

// listScope returns the clients a list of client-owned objects is limited
// to, after checking right r: asked (nil: every client) for an actor who
// sees every client, else the actor's clients it holds r on, among asked
// when asked is not nil.
func listScope(actor billkit.Actor, r billkit.Right, asked []billkit.ClientID) ([]billkit.ClientID, error) {
	ids, all := actor.VisibleClients()
	if all {
		return asked, actor.Authorize(r)
	}
	out := []billkit.ClientID{}
	for _, id := range ids {
		if (asked == nil || slices.Contains(asked, id)) && actor.AuthorizeClient(r, id, serviceNotFound(ServiceID{})) == nil {
			out = append(out, id)
		}
	}
	return out, nil
}

// busy refuses a service with an operation under way.
func busy(svc *Service) error {
	if svc.Status == StatusProcessing {
		return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonServiceBusy,
			"service %s is busy with %s (task %s); wait for it, or have staff cancel it", svc.ID, svc.Operation, svc.TaskID)
	}
	return nil
}

// notDeleted refuses a deleted service.
func notDeleted(svc *Service) error {
	if svc.Status == StatusDeleted {
		return billkit.Errorf(billkit.CodeFailedPrecondition, "provisioning.service_deleted", "service %s is deleted", svc.ID)
	}
	return nil
}

// memoText checks a note: trimmed, at most 2000 bytes of UTF-8.
func memoText(v *billkit.FieldErrors, field, s string) string {
	return checkText(v, field, s, 2000, false)
}

// checkText checks a free-text field: trimmed, at most max bytes of UTF-8,
// required when required.
func checkText(v *billkit.FieldErrors, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	if required {
		v.Require(field, s)
	}
	v.Check(len(s) <= max, field, "too_long", fmt.Sprintf("must be at most %d bytes", max))
	v.Check(utf8.ValidString(s), field, "not_utf8", "must be UTF-8 text")
	return s
}

// checkParams checks a map of module values (a service's or a server's
// params, a server's credentials): at most 100 keys of 1 to 64 bytes
// without spaces, values of at most 4096 bytes, all UTF-8. It returns a
// copy.
func checkParams(v *billkit.FieldErrors, field string, p map[string]string) map[string]string {
	if p == nil {
		return nil
	}
	v.Check(len(p) <= 100, field, "provisioning.params_too_many", "must have at most 100 keys")
	keys := slices.Sorted(maps.Keys(p))
	for _, k := range keys {
		f := field + "[" + k + "]"
		checkParamKey(v, f, k)
		v.Check(len(p[k]) <= 4096 && utf8.ValidString(p[k]), f, "provisioning.param_value_invalid", "values are at most 4096 bytes of UTF-8")
	}
	return maps.Clone(p)
}

// checkParamKey checks the key of a module value (a param, a usage's
// quantity), reported on field: 1 to 64 bytes of UTF-8 without spaces.
func checkParamKey(v *billkit.FieldErrors, field, k string) bool {
	return v.Check(k != "" && len(k) <= 64 && utf8.ValidString(k) && !strings.ContainsAny(k, " \t\r\n"), field,
		"provisioning.param_key_invalid", "keys are 1 to 64 bytes of UTF-8 without spaces")
}

// editService runs a change of a service in one transaction: the actor
// must hold right op on the service's client, check (when not nil) sees
// the service first, and apply changes it, read again under lock, knowing
// its product type. What needs the catalog is read before the transaction
// begins: a store with one connection (SQLite) cannot serve the catalog
// while the transaction holds it.
func (m *Manager) editService(ctx context.Context, actor billkit.Actor, id ServiceID, op billkit.Operation,
	check func(svc *Service) error, apply func(tx Store, svc *Service, pt *catalog.ProductType, now time.Time) error) (*Service, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	svc, err := m.serviceFor(ctx, m.store, actor, id, op)
	if err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(svc); err != nil {
			return nil, err
		}
	}
	pt, err := m.productTypeOf(ctx, svc)
	if err != nil {
		return nil, err
	}
	var out *Service
	err = m.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetServiceForUpdate(ctx, id)
		if err != nil {
			return err
		}
		if cur.ProductTypeID != pt.ID {
			return billkit.Errorf(billkit.CodeConflict, "provisioning.service_changed", "service %s changed meanwhile; try again", id)
		}
		if err := apply(tx, cur, pt, m.now()); err != nil {
			return err
		}
		out = cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetService returns a service. It needs provisioning.service:read on its
// client; a customer asking for another client's service gets not_found.
func (m *Manager) GetService(ctx context.Context, actor billkit.Actor, id ServiceID) (*Service, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	return m.serviceFor(ctx, m.store, actor, id, billkit.OpRead)
}

// ListServices lists services in creation order, limited for customers to
// their clients'. It needs provisioning.service:read.
func (m *Manager) ListServices(ctx context.Context, actor billkit.Actor, f ServiceFilter) (billkit.Page[Service], error) {
	var none billkit.Page[Service]
	if err := actor.Validate(); err != nil {
		return none, err
	}
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	for i, s := range f.Statuses {
		v.Check(s.Valid(), fmt.Sprintf("statuses[%d]", i), "provisioning.status_unknown", fmt.Sprintf("%q is not a service status", s))
	}
	if err := v.Err(); err != nil {
		return none, err
	}
	ids, err := listScope(actor, billkit.R(FunctionService, billkit.OpRead), f.ClientIDs)
	if err != nil {
		return none, err
	}
	f.ClientIDs = ids
	if ids != nil && len(ids) == 0 {
		return billkit.Page[Service]{Items: []Service{}}, nil
	}
	return m.store.ListServices(ctx, f)
}

// SuspendService starts suspending an active service for reason; the
// service is processing until its module has done it (see RunTask). Staff
// may give any reason but non_payment, which is the billing cycle's; a
// client may suspend its own service with reason client. memo goes to the
// history. It needs provisioning.service:edit. (The system actor may give
// non_payment too, as the cycle does.)
func (m *Manager) SuspendService(ctx context.Context, actor billkit.Actor, id ServiceID, reason SuspendReason, memo string) (*Service, error) {
	var v billkit.FieldErrors
	if v.Check(reason.Valid(), "reason", "provisioning.suspend_reason_unknown", "must be non_payment, staff, abuse, client or temporary") {
		v.Check(reason != SuspendNonPayment || actor.Kind == billkit.ActorSystem, "reason", "provisioning.suspend_reason_reserved",
			"non_payment suspensions are the billing cycle's")
	}
	memo = memoText(&v, "memo", memo)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return m.editService(ctx, actor, id, billkit.OpEdit, func(*Service) error {
		if reason != SuspendClient {
			return staffOnly(actor, "suspend a service for "+string(reason))
		}
		return nil
	}, func(tx Store, svc *Service, pt *catalog.ProductType, _ time.Time) error {
		if err := busy(svc); err != nil {
			return err
		}
		_, err := m.startOp(ctx, tx, actor, svc, OpSuspend, nil, memo, moduleOf(pt), func(s *Service) error {
			s.SuspendReason = reason
			return nil
		})
		return err
	})
}

// ResumeService starts resuming a suspended service. Staff may resume any
// suspension; a client only its own (reason client). memo goes to the
// history. It needs provisioning.service:edit.
func (m *Manager) ResumeService(ctx context.Context, actor billkit.Actor, id ServiceID, memo string) (*Service, error) {
	var v billkit.FieldErrors
	memo = memoText(&v, "memo", memo)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return m.editService(ctx, actor, id, billkit.OpEdit, nil, func(tx Store, svc *Service, pt *catalog.ProductType, _ time.Time) error {
		if err := busy(svc); err != nil {
			return err
		}
		if svc.Status == StatusSuspended && svc.SuspendReason != SuspendClient {
			if err := staffOnly(actor, "resume a service suspended for "+string(svc.SuspendReason)); err != nil {
				return err
			}
		}
		_, err := m.startOp(ctx, tx, actor, svc, OpResume, nil, memo, moduleOf(pt), nil)
		return err
	})
}

// OpenService starts opening an ordered service (a cloned one, or one
// whose order's opening was cancelled), placing it on a server first when
// it has none (see placeService). It charges nothing: what the service
// costs is the business of orders and the billing cycle. memo goes to the
// history. It needs provisioning.service:edit, and is staff's.
func (m *Manager) OpenService(ctx context.Context, actor billkit.Actor, id ServiceID, memo string) (*Service, error) {
	var v billkit.FieldErrors
	memo = memoText(&v, "memo", memo)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return m.editService(ctx, actor, id, billkit.OpEdit, func(*Service) error {
		return staffOnly(actor, "open a service by hand")
	}, func(tx Store, svc *Service, pt *catalog.ProductType, _ time.Time) error {
		if err := busy(svc); err != nil {
			return err
		}
		_, err := m.startOp(ctx, tx, actor, svc, OpOpen, nil, memo, moduleOf(pt), func(s *Service) error {
			if !s.ServerID.IsZero() {
				return nil
			}
			return m.placeService(ctx, tx, s, pt, s.DatacenterID)
		})
		return err
	})
}

// DeleteParams says how to delete a service.
type DeleteParams struct {
	// AtPeriodEnd deletes the service when its paid period ends (the
	// billing cycle does it) instead of now.
	AtPeriodEnd bool `json:"at_period_end,omitempty"`
	// Memo is a note for the history.
	Memo string `json:"memo,omitempty"`
}

// DeleteService deletes a service: an ordered one at once (nothing exists
// on a system yet), any other through its module's delete (the service is
// processing until it is done), or, with p.AtPeriodEnd and a paid period
// still running, by setting DeleteAtPeriodEnd for the billing cycle. A
// service with an operation under way is refused (failed_precondition
// "provisioning.service_busy"). A client may delete its own service only
// as its product type's Lifecycle.ClientDelete allows: never (forbidden
// "provisioning.client_delete_not_allowed"), at once, or at period end
// whatever it asked. It needs provisioning.service:delete.
func (m *Manager) DeleteService(ctx context.Context, actor billkit.Actor, id ServiceID, p DeleteParams) (*Service, error) {
	var v billkit.FieldErrors
	memo := memoText(&v, "memo", p.Memo)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return m.editService(ctx, actor, id, billkit.OpDelete, nil, func(tx Store, svc *Service, pt *catalog.ProductType, now time.Time) error {
		if err := busy(svc); err != nil {
			return err
		}
		if _, err := Transition(svc.Status, OpDelete); err != nil {
			return err
		}
		atEnd := p.AtPeriodEnd
		if _, all := actor.VisibleClients(); !all {
			switch pt.Lifecycle.ClientDelete {
			case catalog.ClientDeleteYes:
			case catalog.ClientDeleteAtPeriodEnd:
				atEnd = true
			default:
				return billkit.Errorf(billkit.CodeForbidden, "provisioning.client_delete_not_allowed",
					"services of this kind are deleted by staff; ask support")
			}
		}
		if svc.Status == StatusOrdered {
			return m.deleteOrdered(ctx, tx, actor, svc, now, memo)
		}
		if atEnd {
			today, err := m.today(ctx, tx, svc.ProviderID)
			if err != nil {
				return err
			}
			if svc.ExpiresOn.After(today) {
				if svc.DeleteAtPeriodEnd {
					return nil
				}
				before := cloneService(svc)
				svc.DeleteAtPeriodEnd, svc.UpdatedAt = true, now
				return m.saveService(ctx, tx, actor, before, svc, "delete_at_period_end", memo)
			}
		}
		_, err := m.startOp(ctx, tx, actor, svc, OpDelete, nil, memo, moduleOf(pt), nil)
		return err
	})
}

// deleteOrdered deletes an ordered service at once, freeing the server
// slot it may hold.
func (m *Manager) deleteOrdered(ctx context.Context, tx Store, actor billkit.Actor, svc *Service, now time.Time, memo string) error {
	before := cloneService(svc)
	if !svc.ServerID.IsZero() {
		if err := tx.ReleaseServerSlot(ctx, svc.ServerID); err != nil {
			return err
		}
	}
	svc.Status, svc.UpdatedAt = StatusDeleted, now
	if err := tx.UpdateService(ctx, svc); err != nil {
		return err
	}
	if err := m.event(ctx, tx, actor, svc, "status", before.Status, StatusDeleted, before, svc, memo); err != nil {
		return err
	}
	if err := record(ctx, tx, actor, now, FunctionService, "delete", svc.ID.String(), svc.ClientID, before, svc); err != nil {
		return err
	}
	// The order waiting for this service to open has one less to wait for.
	return m.orderServiceOpened(ctx, tx, actor, svc)
}

// saveService writes a changed service with its history event (kind) and
// its action ("provisioning.service.<kind>").
func (m *Manager) saveService(ctx context.Context, tx Store, actor billkit.Actor, before, svc *Service, kind, memo string) error {
	if err := tx.UpdateService(ctx, svc); err != nil {
		return err
	}
	if err := m.event(ctx, tx, actor, svc, kind, "", "", before, svc, memo); err != nil {
		return err
	}
	return record(ctx, tx, actor, svc.UpdatedAt, FunctionService, kind, svc.ID.String(), svc.ClientID, before, svc)
}

// SetAutoRenew turns a service's renewal from the balance on or off. A
// client may do it for its own services. It needs
// provisioning.service:edit.
func (m *Manager) SetAutoRenew(ctx context.Context, actor billkit.Actor, id ServiceID, on bool) (*Service, error) {
	return m.editService(ctx, actor, id, billkit.OpEdit, nil, func(tx Store, svc *Service, _ *catalog.ProductType, now time.Time) error {
		if err := notDeleted(svc); err != nil {
			return err
		}
		if svc.AutoRenew == on {
			return nil
		}
		before := cloneService(svc)
		svc.AutoRenew, svc.UpdatedAt = on, now
		return m.saveService(ctx, tx, actor, before, svc, "auto_renew", "")
	})
}

// SetSpecialPrice sets what one period of a service costs, as staff
// decide: the price is marked special, and recalculations and price
// changes leave it alone. It must be zero or more, in the client's
// currency. It needs provisioning.service:edit, and is staff's.
func (m *Manager) SetSpecialPrice(ctx context.Context, actor billkit.Actor, id ServiceID, price billkit.Money) (*Service, error) {
	var v billkit.FieldErrors
	if v.Check(price.Currency() != "", "price", "required", "is required") {
		v.Check(!price.IsNegative(), "price", "provisioning.price_negative", "must be zero or more")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return m.editService(ctx, actor, id, billkit.OpEdit, func(*Service) error {
		return staffOnly(actor, "set a special price")
	}, func(tx Store, svc *Service, _ *catalog.ProductType, now time.Time) error {
		if err := notDeleted(svc); err != nil {
			return err
		}
		c, err := tx.Billing().GetClient(ctx, svc.ClientID)
		if err != nil {
			return err
		}
		if price.Currency() != c.Currency {
			return billkit.InvalidField("price", "provisioning.currency_mismatch", "must be in the client's currency, "+c.Currency)
		}
		if svc.Special && svc.Price.Equal(price) {
			return nil
		}
		before := cloneService(svc)
		svc.Price, svc.Special, svc.UpdatedAt = price, true, now
		return m.saveService(ctx, tx, actor, before, svc, "price", "")
	})
}

// MoveService gives a service to another client of the same provider, with
// the same currency. Its history moves with it; its past renewals and
// expenses stay with the client that paid them. A deleted or busy service
// is refused. It needs provisioning.service:edit on both clients, and is
// staff's.
func (m *Manager) MoveService(ctx context.Context, actor billkit.Actor, id ServiceID, to billkit.ClientID) (*Service, error) {
	var v billkit.FieldErrors
	v.Check(!to.IsZero(), "client_id", "required", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	return m.editService(ctx, actor, id, billkit.OpEdit, func(*Service) error {
		if err := staffOnly(actor, "move a service"); err != nil {
			return err
		}
		return actor.AuthorizeClient(billkit.R(FunctionService, billkit.OpEdit), to, billkit.NotFound("client", to))
	}, func(tx Store, svc *Service, _ *catalog.ProductType, now time.Time) error {
		if err := busy(svc); err != nil {
			return err
		}
		if err := notDeleted(svc); err != nil {
			return err
		}
		if svc.ClientID == to {
			return billkit.InvalidField("client_id", "provisioning.same_client", "the service belongs to this client already")
		}
		from, err := tx.Billing().GetClient(ctx, svc.ClientID)
		if err != nil {
			return err
		}
		dest, err := tx.Billing().GetClient(ctx, to)
		if billkit.IsCode(err, billkit.CodeNotFound) {
			return billkit.InvalidField("client_id", "client.not_found", "is not a client")
		}
		if err != nil {
			return err
		}
		switch {
		case dest.Status == billing.ClientStatusDeleted:
			return billkit.InvalidField("client_id", "client.deleted", "is a deleted client")
		case dest.ProviderID != svc.ProviderID:
			return billkit.InvalidField("client_id", "provisioning.client_other_provider", "is a client of another provider")
		case dest.Currency != from.Currency:
			return billkit.InvalidField("client_id", "provisioning.currency_mismatch",
				fmt.Sprintf("pays in %s and the service is priced in %s", dest.Currency, from.Currency))
		}
		before := cloneService(svc)
		svc.ClientID, svc.UpdatedAt = to, now
		return m.saveService(ctx, tx, actor, before, svc, "moved", "")
	})
}

// CloneService creates a new ordered service with the configuration of
// another (tariff, period, price, addons, domain, OS image, datacenter) for
// the same client: no server is claimed and nothing is paid until it is
// opened (OpenService, or an order's payment). It takes one unit of the
// tariff's Stock; none left is failed_precondition ReasonOutOfStock. It
// needs provisioning.service:create, and is staff's.
func (m *Manager) CloneService(ctx context.Context, actor billkit.Actor, id ServiceID) (*Service, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	src, err := m.serviceFor(ctx, m.store, actor, id, billkit.OpCreate)
	if err != nil {
		return nil, err
	}
	if err := staffOnly(actor, "clone a service"); err != nil {
		return nil, err
	}
	now := m.now()
	s := &Service{
		ID: billkit.NewID[Service](), ProviderID: src.ProviderID, ClientID: src.ClientID, ProductTypeID: src.ProductTypeID,
		TariffID: src.TariffID, Name: src.Name, Period: src.Period, Status: StatusOrdered, AutoRenew: src.AutoRenew,
		Price: src.Price, Special: src.Special, Addons: maps.Clone(src.Addons), Domain: src.Domain, OSImage: src.OSImage,
		DatacenterID: src.DatacenterID, Params: map[string]string{}, CreatedAt: now, UpdatedAt: now,
	}
	if s.Addons == nil {
		s.Addons = map[string]catalog.AddonValue{}
	}
	err = m.store.InTx(ctx, func(tx Store) error {
		c, err := tx.Billing().GetClient(ctx, s.ClientID)
		if err != nil {
			return err
		}
		if c.Status == billing.ClientStatusDeleted {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "client.deleted", "client %s is deleted", c.Number)
		}
		if err := takeCloneStock(ctx, tx, s); err != nil {
			return err
		}
		return m.insertService(ctx, tx, actor, s, "create", "cloned from "+src.ID.String())
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// insertService writes a new service with its "created" event and its
// action ("provisioning.service.<verb>").
func (m *Manager) insertService(ctx context.Context, tx Store, actor billkit.Actor, s *Service, verb, memo string) error {
	if err := tx.InsertService(ctx, s); err != nil {
		return err
	}
	if err := m.event(ctx, tx, actor, s, "created", "", s.Status, nil, s, memo); err != nil {
		return err
	}
	return record(ctx, tx, actor, s.CreatedAt, FunctionService, verb, s.ID.String(), s.ClientID, nil, s)
}

// ImportServiceParams is a service that already exists on a system, to
// bring under billing as it is.
type ImportServiceParams struct {
	ClientID billkit.ClientID `json:"client_id"`
	TariffID catalog.TariffID `json:"tariff_id"`
	// TariffCode names the tariff by its code instead, among the tariffs
	// of the client's provider (a CSV file's tariff_code); give one of
	// TariffID and TariffCode.
	TariffCode string         `json:"tariff_code,omitempty"`
	Period     catalog.Period `json:"period"`
	Name       string         `json:"name"`
	// Status is active (the default) or suspended, with SuspendReason.
	Status        Status        `json:"status,omitempty"`
	SuspendReason SuspendReason `json:"suspend_reason,omitempty"`
	// ExpiresOn is the first day not paid for; the next renewal is due
	// then.
	ExpiresOn billkit.Date `json:"expires_on"`
	// Price is what a period costs; the zero Money takes the tariff's
	// price for the period in the client's currency, and a price given is
	// special.
	Price billkit.Money `json:"price,omitzero"`
	// AutoRenew defaults to true.
	AutoRenew *bool                         `json:"auto_renew,omitempty"`
	Addons    map[string]catalog.AddonValue `json:"addons,omitempty"`
	Domain    string                        `json:"domain,omitempty"`
	OSImage   string                        `json:"os_image,omitempty"`
	// ServerID is the server it lives on, of the product type's module;
	// one of its slots is claimed. Zero for none.
	ServerID ServerID `json:"server_id,omitzero"`
	// DatacenterID defaults to the server's.
	DatacenterID DatacenterID `json:"datacenter_id,omitzero"`
	// Params are the module's values (a login, a remote ID).
	Params map[string]string `json:"params,omitempty"`
}

// maxImport is the most services one import takes.
const maxImport = 1000

// ImportServices brings services that already exist on a system under
// billing: each is created active (or suspended) with its expiry, price
// and params, its server's slot claimed, and nothing charged. All are
// imported or none: every bad row is reported, as field errors named
// "services[<row>].<field>". A row may name its tariff by code, among its
// client's provider's tariffs. ImportServicesCSV reads the rows from a CSV
// file, and ListServerServices proposes them from a server's listing. It
// needs provisioning.service:create, and is staff's.
func (m *Manager) ImportServices(ctx context.Context, actor billkit.Actor, rows []ImportServiceParams) ([]Service, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(len(rows) > 0, "services", "required", "is required")
	v.Check(len(rows) <= maxImport, "services", "provisioning.import_too_large", fmt.Sprintf("must be at most %d services", maxImport))
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionService, billkit.OpCreate)); err != nil {
		return nil, err
	}
	if err := staffOnly(actor, "import services"); err != nil {
		return nil, err
	}
	// The catalog is read before the transaction, which on SQLite holds
	// the store's one connection.
	cat := importCatalog{tariffs: map[catalog.TariffID]*catalog.Tariff{}, types: map[catalog.ProductTypeID]*catalog.ProductType{}}
	for _, p := range rows {
		if p.TariffID.IsZero() {
			continue
		}
		if _, seen := cat.tariffs[p.TariffID]; seen {
			continue
		}
		t, err := m.cfg.Catalog.GetTariff(ctx, selfActor, p.TariffID)
		if billkit.IsCode(err, billkit.CodeNotFound) {
			cat.tariffs[p.TariffID] = nil
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := m.keepTariff(ctx, &cat, t); err != nil {
			return nil, err
		}
	}
	if err := m.readTariffCodes(ctx, rows, &cat); err != nil {
		return nil, err
	}
	out := make([]Service, 0, len(rows))
	err := m.store.InTx(ctx, func(tx Store) error {
		out = out[:0]
		for i, p := range rows {
			s, err := m.importRow(ctx, tx, &v, cat, fmt.Sprintf("services[%d]", i), p)
			if err != nil {
				return err
			}
			if s != nil {
				out = append(out, *s)
			}
		}
		// Every row is checked before the first error returns, so that one
		// answer lists them all; the claims and inserts roll back with it.
		if err := v.Err(); err != nil {
			return err
		}
		for i := range out {
			if err := m.insertService(ctx, tx, actor, &out[i], "import", "imported"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// importCatalog is what an import read of the catalog: the tariffs named
// (nil for a missing one) and their product types.
type importCatalog struct {
	tariffs map[catalog.TariffID]*catalog.Tariff
	types   map[catalog.ProductTypeID]*catalog.ProductType
	// codes are the tariffs named by code (nil for a missing one), by
	// provider and code.
	codes map[tariffCodeKey]*catalog.Tariff
}

// keepTariff keeps t, and its product type, for an import's rows.
func (m *Manager) keepTariff(ctx context.Context, c *importCatalog, t *catalog.Tariff) error {
	c.tariffs[t.ID] = t
	if _, seen := c.types[t.ProductTypeID]; seen {
		return nil
	}
	pt, err := m.cfg.Catalog.GetProductType(ctx, selfActor, t.ProductTypeID)
	if err != nil {
		return err
	}
	c.types[t.ProductTypeID] = pt
	return nil
}

// importRow checks one row of an import, claims its server slot, and
// returns the service to insert; problems go to v under prefix (and the
// service is nil), errors of the stores are returned.
func (m *Manager) importRow(ctx context.Context, tx Store, v *billkit.FieldErrors, cat importCatalog, prefix string, p ImportServiceParams) (*Service, error) {
	n := v.Len()
	f := func(field string) string { return prefix + "." + field }
	name := checkText(v, f("name"), p.Name, 200, true)
	domain := checkText(v, f("domain"), p.Domain, 255, false)
	osImage := checkText(v, f("os_image"), p.OSImage, 100, false)
	params := checkParams(v, f("params"), p.Params)
	v.Check(!p.ExpiresOn.IsZero() && p.ExpiresOn.Valid(), f("expires_on"), "required", "is required")
	status := p.Status
	switch status {
	case "", StatusActive:
		status = StatusActive
		v.Check(p.SuspendReason == "", f("suspend_reason"), "provisioning.suspend_reason_not_allowed", "only a suspended service has one")
	case StatusSuspended:
		v.Check(p.SuspendReason.Valid(), f("suspend_reason"), "provisioning.suspend_reason_unknown", "must be non_payment, staff, abuse, client or temporary")
	default:
		v.Add(f("status"), "provisioning.import_status", "must be active or suspended")
	}
	var client *billing.Client
	if v.Check(!p.ClientID.IsZero(), f("client_id"), "required", "is required") {
		c, err := tx.Billing().GetClient(ctx, p.ClientID)
		switch {
		case billkit.IsCode(err, billkit.CodeNotFound):
			v.Add(f("client_id"), "client.not_found", "is not a client")
		case err != nil:
			return nil, err
		case c.Status == billing.ClientStatusDeleted:
			v.Add(f("client_id"), "client.deleted", "is a deleted client")
		default:
			client = c
		}
	}
	var tariff *catalog.Tariff
	if t, ok := cat.tariffOf(v, f, client, p); ok {
		switch {
		case t == nil:
			v.Add(f("tariff_id"), "tariff.not_found", "is not a tariff")
		case client != nil && t.ProviderID != client.ProviderID:
			v.Add(f("tariff_id"), "provisioning.tariff_other_provider", "is a tariff of another provider than the client's")
		default:
			tariff = t
		}
	}
	if !p.Period.Valid() {
		v.Add(f("period"), "provisioning.period_unknown", "is not a period")
	} else if tariff != nil {
		_, ok := tariff.Price(p.Period, tariff.Currency)
		v.Check(ok, f("period"), "provisioning.period_not_priced", fmt.Sprintf("tariff %s has no price for %s", tariff.Code, p.Period))
	}
	var addons map[string]catalog.AddonValue
	if tariff != nil {
		a, err := catalog.AddonValues(*tariff, p.Addons)
		if !v.Merge(prefix, err) {
			addons = nil
		} else {
			addons = a
		}
	}
	price, special := p.Price, p.Price.Currency() != ""
	if client != nil && tariff != nil && p.Period.Valid() {
		if special {
			v.Check(price.Currency() == client.Currency, f("price"), "provisioning.currency_mismatch", "must be in the client's currency, "+client.Currency)
			v.Check(!price.IsNegative(), f("price"), "provisioning.price_negative", "must be zero or more")
		} else if tp, ok := tariff.Price(p.Period, client.Currency); ok {
			price = tp.Money()
		} else {
			v.Add(f("price"), "provisioning.price_required", fmt.Sprintf("tariff %s has no %s price in %s: give one", tariff.Code, p.Period, client.Currency))
		}
	}
	var pt *catalog.ProductType
	if tariff != nil {
		pt = cat.types[tariff.ProductTypeID]
	}
	dc := p.DatacenterID
	if !dc.IsZero() {
		d, err := tx.GetDatacenter(ctx, dc)
		switch {
		case billkit.IsCode(err, billkit.CodeNotFound):
			v.Add(f("datacenter_id"), "datacenter.not_found", "is not a datacenter")
		case err != nil:
			return nil, err
		case client != nil && d.ProviderID != client.ProviderID:
			v.Add(f("datacenter_id"), "provisioning.datacenter_other_provider", "is a datacenter of another provider")
		}
	}
	var server ServerID
	if !p.ServerID.IsZero() && client != nil && pt != nil && v.Len() == n {
		srv, err := tx.GetServer(ctx, p.ServerID)
		switch {
		case billkit.IsCode(err, billkit.CodeNotFound):
			v.Add(f("server_id"), "server.not_found", "is not a server")
		case err != nil:
			return nil, err
		case srv.ProviderID != client.ProviderID:
			v.Add(f("server_id"), "provisioning.server_other_provider", "is a server of another provider")
		case srv.Module != moduleOf(pt):
			v.Add(f("server_id"), "provisioning.server_other_module", fmt.Sprintf("is a server of module %q, and the tariff's is %q", srv.Module, moduleOf(pt)))
		case !dc.IsZero() && srv.DatacenterID != dc:
			v.Add(f("server_id"), "provisioning.server_other_datacenter", "is not in the datacenter given")
		default:
			// An imported service takes a slot as a placed one does: a
			// disabled or full server has none to give.
			ok, err := tx.ClaimServerSlot(ctx, srv.ID)
			if err != nil {
				return nil, err
			}
			if !ok {
				v.Add(f("server_id"), "provisioning.server_full", fmt.Sprintf("server %s is disabled or full", srv.Name))
			}
			server, dc = srv.ID, srv.DatacenterID
		}
	}
	if v.Len() > n {
		return nil, nil
	}
	if params == nil {
		params = map[string]string{}
	}
	now := m.now()
	autoRenew := p.AutoRenew == nil || *p.AutoRenew
	s := &Service{
		ID: billkit.NewID[Service](), ProviderID: client.ProviderID, ClientID: client.ID, ProductTypeID: tariff.ProductTypeID,
		TariffID: tariff.ID, Name: name, Period: p.Period, Status: status, AnchorOn: p.ExpiresOn, ExpiresOn: p.ExpiresOn,
		AutoRenew: autoRenew, Price: price, Special: special, Addons: addons, Domain: domain, OSImage: osImage,
		DatacenterID: dc, ServerID: server, Params: params, CreatedAt: now, UpdatedAt: now,
	}
	if status == StatusSuspended {
		s.SuspendReason = p.SuspendReason
		today, err := m.today(ctx, tx, client.ProviderID)
		if err != nil {
			return nil, err
		}
		s.SuspendedOn = today
	}
	return s, nil
}

// SyncResult is what a sync learned of a service.
type SyncResult struct {
	// Service is the service, with the module's params merged in.
	Service *Service `json:"service"`
	// Reported is the status the system reports ("" when it reports none);
	// when it differs from Service.Status the history says so, and staff
	// decide what to do.
	Reported Status `json:"reported,omitempty"`
	// Message is the module's note.
	Message string `json:"message,omitempty"`
}

// SyncService asks the service's module for the service's state on the
// system, outside any transaction, then keeps the params it returns. A
// status the system reports that differs from the service's is recorded in
// the history, not applied. It needs provisioning.service:edit, and is
// staff's.
func (m *Manager) SyncService(ctx context.Context, actor billkit.Actor, id ServiceID) (*SyncResult, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	svc, err := m.serviceFor(ctx, m.store, actor, id, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	if err := staffOnly(actor, "sync a service"); err != nil {
		return nil, err
	}
	res, err := m.ask(ctx, svc, OpSync, time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	if res.Status != "" && res.Status != StatusActive && res.Status != StatusSuspended && res.Status != StatusDeleted {
		return nil, billkit.Errorf(billkit.CodeUnavailable, "provisioning.module_answer_invalid",
			"the module reported the unknown status %q", res.Status)
	}
	var v billkit.FieldErrors
	params := checkParams(&v, "params", res.Params)
	if err := v.Err(); err != nil {
		return nil, billkit.WrapError(err, billkit.CodeUnavailable, "provisioning.module_answer_invalid", "the module answered params billkit cannot keep")
	}
	out := &SyncResult{Reported: res.Status, Message: res.Message}
	// What the module answered is kept even when the caller has gone.
	ctx = context.WithoutCancel(ctx)
	err = m.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.GetServiceForUpdate(ctx, id)
		if err != nil {
			return err
		}
		out.Service = cur
		before := cloneService(cur)
		changed := false
		for k, val := range params {
			if old, ok := cur.Params[k]; !ok || old != val {
				if cur.Params == nil {
					cur.Params = map[string]string{}
				}
				cur.Params[k], changed = val, true
			}
		}
		memo := ""
		if res.Status != "" && res.Status != cur.Status {
			memo = fmt.Sprintf("the module reports the service %s", res.Status)
		}
		if !changed && memo == "" {
			return nil
		}
		cur.UpdatedAt = m.now()
		return m.saveService(ctx, tx, actor, before, cur, "sync", memo)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ServiceUsage asks the service's module for its measured usage between
// from and to, by addon code, outside any transaction. A client may ask
// for its own services'. It needs provisioning.service:read.
func (m *Manager) ServiceUsage(ctx context.Context, actor billkit.Actor, id ServiceID, from, to time.Time) (map[string]string, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!from.IsZero(), "from", "required", "is required")
	if v.Check(!to.IsZero(), "to", "required", "is required") && !from.IsZero() {
		v.Check(to.After(from), "to", "provisioning.range_empty", "must be after from")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	svc, err := m.serviceFor(ctx, m.store, actor, id, billkit.OpRead)
	if err != nil {
		return nil, err
	}
	res, err := m.ask(ctx, svc, OpUsage, billkit.Instant(from), billkit.Instant(to))
	if err != nil {
		return nil, err
	}
	if err := checkUsage(res.Usage); err != nil {
		return nil, err
	}
	if res.Usage == nil {
		return map[string]string{}, nil
	}
	return res.Usage, nil
}

// usageValue is a measured quantity as billkit takes it from a module: a
// plain decimal, never an exponent a float would have written.
var usageValue = regexp.MustCompile(`^-?[0-9]{1,30}(\.[0-9]{1,30})?$`)

// checkUsage checks a module's usage: keys as a service's params', values
// decimals (what is billed from them must be exact). A module that
// answers otherwise is unavailable "provisioning.module_answer_invalid",
// naming the key.
func checkUsage(usage map[string]string) error {
	var v billkit.FieldErrors
	v.Check(len(usage) <= 100, "usage", "provisioning.params_too_many", "must have at most 100 keys")
	for _, k := range slices.Sorted(maps.Keys(usage)) {
		f := "usage[" + k + "]"
		if checkParamKey(&v, f, k) {
			v.Check(usageValue.MatchString(usage[k]), f, "provisioning.usage_value_invalid", "must be a decimal number such as 12.5")
		}
	}
	if err := v.Err(); err != nil {
		return billkit.WrapError(err, billkit.CodeUnavailable, "provisioning.module_answer_invalid", "the module answered usage billkit cannot read")
	}
	return nil
}

// checkLoginURL checks the login link a module answered before a client
// follows it: an absolute http or https URL of at most 4096 bytes. Any
// other scheme (javascript:, data:, file:) could run in the client's
// panel, so it is refused as the module's fault,
// "provisioning.module_answer_invalid".
func checkLoginURL(raw string) error {
	u, err := url.Parse(raw)
	ok := err == nil && len(raw) <= 4096 && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && utf8.ValidString(raw)
	if !ok {
		return billkit.Errorf(billkit.CodeUnavailable, "provisioning.module_answer_invalid",
			"the module answered a login link that is not an http or https URL")
	}
	return nil
}

// LoginLink asks the service's module where the client signs in to the
// service (a control panel's one-time link), outside any transaction. A
// client may ask for its own services'. A module that gives no link is
// failed_precondition "provisioning.login_link_unsupported". It needs
// provisioning.service:read.
func (m *Manager) LoginLink(ctx context.Context, actor billkit.Actor, id ServiceID) (string, error) {
	if err := actor.Validate(); err != nil {
		return "", err
	}
	svc, err := m.serviceFor(ctx, m.store, actor, id, billkit.OpRead)
	if err != nil {
		return "", err
	}
	res, err := m.ask(ctx, svc, OpLoginLink, time.Time{}, time.Time{})
	if err != nil {
		return "", err
	}
	if res.LoginURL == "" {
		return "", billkit.Errorf(billkit.CodeFailedPrecondition, "provisioning.login_link_unsupported", "this service has no login link")
	}
	if err := checkLoginURL(res.LoginURL); err != nil {
		return "", err
	}
	return res.LoginURL, nil
}

// ask runs a reading operation on a service's module at once, outside any
// transaction, with a fresh idempotency key. The module's own error is
// kept as the cause, never shown: it may name a server's internals.
func (m *Manager) ask(ctx context.Context, svc *Service, op Operation, from, to time.Time) (Result, error) {
	if _, err := Transition(svc.Status, op); err != nil {
		return Result{}, err
	}
	name, err := m.serviceModule(ctx, m.store, svc)
	if err != nil {
		return Result{}, err
	}
	mod, err := m.cfg.Modules.Get(name)
	if err != nil {
		return Result{}, billkit.WrapError(err, billkit.CodeFailedPrecondition, "provisioning.module_missing",
			fmt.Sprintf("the module %q is not registered", name))
	}
	req, err := m.request(ctx, svc, billkit.NewID[Task](), op, 1)
	if err != nil {
		return Result{}, err
	}
	req.From, req.To = from, to
	res, err := m.callModule(ctx, mod, req)
	switch {
	case err != nil && Permanent(err):
		return Result{}, billkit.WrapError(err, billkit.CodeFailedPrecondition, "provisioning.module_refused",
			fmt.Sprintf("the system refused to %s the service", op))
	case err != nil:
		return Result{}, billkit.WrapError(err, billkit.CodeUnavailable, "provisioning.module_unavailable",
			fmt.Sprintf("the system did not answer %s; try again later", op))
	case res.Pending:
		return Result{}, billkit.Errorf(billkit.CodeUnavailable, "provisioning.module_pending",
			"the system will answer %s later; try again later", op)
	}
	return res, nil
}
