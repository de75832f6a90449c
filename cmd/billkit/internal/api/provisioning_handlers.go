package api

import (
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/danielgtaylor/huma/v2"
)

// The operations of provisioning: orders, services, their tasks, servers,
// datacenters, the billing cycle and the webhook modules' callbacks. Every
// right is checked by provisioning.Manager; the rules registered here
// document them. Orders, services and tasks belong to a client: a customer
// asking for another client's gets 404. Servers, datacenters and the cycle
// belong to no client and are staff's.

// registerProvisioning registers the operations on orders, services,
// tasks, servers, datacenters and the billing cycle.
func (h *handlers) registerProvisioning(api huma.API) {
	registerIDTypes(api.OpenAPI().Components.Schemas)
	h.registerOrders(api)
	h.registerServices(api)
	h.registerServiceChanges(api)
	h.registerTasks(api)
	h.registerModuleCallbacks(api)
	h.registerDatacenters(api)
	h.registerServers(api)
	h.registerImport(api)
	h.registerCycle(api)
}

// staffNote is the description's note of the operations the manager
// refuses to customers whatever their rights (provisioning.staff_only).
const staffNote = "staff only"

// Orders.

type listOrdersInput struct {
	ClientID string `query:"client_id" maxLength:"64" doc:"Only the orders of this client."`
	Status   string `query:"status" enum:"new,paid,completed,cancelled" doc:"Only orders with this status."`
	PageInput
}

type createOrderInput struct {
	Body OrderRequest
}

func (h *handlers) registerOrders(api huma.API) {
	m := h.provisioning
	const tag = "Orders"
	rule := func(op billkit.Operation) Rule { return Requires(provisioning.FunctionOrder, op) }

	createOp := created(op("create-order", http.MethodPost, "/orders", "Order services for a client", tag,
		http.StatusNotFound, http.StatusUnprocessableEntity))
	createOp.Description = "Every item is checked against the catalog before anything is written, and every problem is reported at once, " +
		"named by its place (items[1].period, items[0].addons[ram].quantity). " +
		"With pay_by balance (the default) the order is paid at once from the client's balance, within its credit limit: the services are created, " +
		"placed, charged and their opening queued, in one transaction; when the balance does not cover it the error is 422 billing.insufficient_funds " +
		"and nothing is written. With invoice or gateway the order waits as new until the client's payment reaches the balance " +
		"(then POST /orders/{id}/pay, or the billing cycle, pays it), and is cancelled when unpaid in time (cancel_at). " +
		"With invoice a proforma for the order's total is issued with it (invoice_id): paying it credits the balance, from which the order is paid; " +
		"a client billing cannot invoice (no payer) gets 422 invoice.no_payer and nothing is written. " +
		"With gateway and a method_id (one of GET /clients/{id}/payment-methods other than the balance) the order's payment is created with it " +
		"and started at the gateway: the answer's payment has where to send the client (redirect_url, or form) or what to tell them (instructions). " +
		"When that payment is paid the order is paid at once from the balance it credited. The order is written whatever the gateway does " +
		"(a payment new without redirect_url when it did not answer, failed when it refused: POST /orders/{id}/payment starts it again); " +
		"a method that cannot pay the order is 400 on method_id and nothing is written."
	route(api, createOp, rule(billkit.OpCreate).described("on the client named in the body; customers order for their own clients"),
		func(ctx context.Context, in *createOrderInput) (*body[*OrderAnswer], error) {
			return write(ctx, func(a billkit.Actor) (*OrderAnswer, error) {
				return orderAnswer(m.PlaceOrder(ctx, a, in.Body.CreateOrderParams, in.Body.options()))
			})
		})
	route(api, op("list-orders", http.MethodGet, "/orders", "List orders, oldest first", tag, http.StatusNotFound),
		rule(billkit.OpRead).described("customers see only their clients' orders"),
		func(ctx context.Context, in *listOrdersInput) (*body[List[provisioning.Order]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[provisioning.Order], error) {
				f := provisioning.OrderFilter{PageParams: in.page()}
				var err error
				if f.ClientID, err = optClientID("client_id", in.ClientID); err != nil {
					return billkit.Page[provisioning.Order]{}, err
				}
				if in.Status != "" {
					f.Statuses = []provisioning.OrderStatus{provisioning.OrderStatus(in.Status)}
				}
				return m.ListOrders(ctx, a, f)
			})
		})
	route(api, op("get-order", http.MethodGet, "/orders/{id}", "Get an order", tag), onClient(provisioning.FunctionOrder, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Order], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id provisioning.OrderID) (*provisioning.Order, error) {
				return m.GetOrder(ctx, a, id)
			})
		})
	payOp := op("pay-order", http.MethodPost, "/orders/{id}/pay", "Pay a new order from the client's balance", tag, http.StatusUnprocessableEntity)
	payOp.Description = "For an order paid by invoice or gateway once the client's payment has reached the balance. " +
		"An order that is not new is 422 provisioning.order_not_new, one past its cancel_at provisioning.order_expired; " +
		"when the balance does not cover it the error is 422 billing.insufficient_funds and nothing is written."
	route(api, payOp, onClient(provisioning.FunctionOrder, billkit.OpEdit),
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Order], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id provisioning.OrderID) (*provisioning.Order, error) {
				return m.PayOrder(ctx, a, id)
			})
		})
	h.registerOrderPayments(api, tag)
	route(api, op("cancel-order", http.MethodPost, "/orders/{id}/cancel", "Cancel a new order: nothing was charged nor created for it", tag, http.StatusUnprocessableEntity),
		onClient(provisioning.FunctionOrder, billkit.OpEdit),
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Order], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id provisioning.OrderID) (*provisioning.Order, error) {
				return m.CancelOrder(ctx, a, id)
			})
		})
}

// Services.

type listServicesInput struct {
	ClientID   string `query:"client_id" maxLength:"64" doc:"Only the services of this client."`
	Status     string `query:"status" enum:"ordered,processing,active,suspended,deleted" doc:"Only services with this status."`
	ProviderID string `query:"provider_id" maxLength:"64" doc:"Only the services of this provider."`
	TariffID   string `query:"tariff_id" maxLength:"64" doc:"Only the services of this tariff."`
	ServerID   string `query:"server_id" maxLength:"64" doc:"Only the services on this server."`
	PageInput
}

type suspendServiceInput struct {
	IDPath
	Body SuspendRequest
}

type memoInput struct {
	IDPath
	Body *MemoRequest
}

type deleteServiceInput struct {
	IDPath
	// The options travel in the query, since many HTTP clients and
	// proxies drop the body of a DELETE; a body is still read.
	AtPeriodEnd bool   `query:"at_period_end" doc:"Delete when the paid period ends instead of now."`
	Memo        string `query:"memo" maxLength:"1000" doc:"A note for the service's history."`
	Body        *deleteServiceBody
}

// deleteServiceBody is DELETE /services/{id}'s optional body:
// provisioning.DeleteParams, with at_period_end told apart from absent.
type deleteServiceBody struct {
	AtPeriodEnd *bool  `json:"at_period_end,omitempty" doc:"Delete when the paid period ends instead of now."`
	Memo        string `json:"memo,omitempty" maxLength:"1000" doc:"A note for the service's history."`
}

// params are the options of the request: the query's, with what the body
// adds. An option given in both must have one value.
func (in *deleteServiceInput) params() (provisioning.DeleteParams, error) {
	p := provisioning.DeleteParams{AtPeriodEnd: in.AtPeriodEnd, Memo: in.Memo}
	if in.Body == nil {
		return p, nil
	}
	b := in.Body
	var v billkit.FieldErrors
	const conflict = "the query and the body give it different values; give it in one of them"
	v.Check(b.AtPeriodEnd == nil || !in.AtPeriodEnd || *b.AtPeriodEnd, "at_period_end", "api.conflicting_options", conflict)
	v.Check(p.Memo == "" || b.Memo == "" || p.Memo == b.Memo, "memo", "api.conflicting_options", conflict)
	if err := v.Err(); err != nil {
		return p, err
	}
	if b.AtPeriodEnd != nil {
		p.AtPeriodEnd = *b.AtPeriodEnd
	}
	if p.Memo == "" {
		p.Memo = b.Memo
	}
	return p, nil
}

type autoRenewInput struct {
	IDPath
	Body AutoRenewRequest
}

type specialPriceInput struct {
	IDPath
	Body SpecialPriceRequest
}

type moveServiceInput struct {
	IDPath
	Body MoveRequest
}

type importServicesInput struct {
	Body ImportRequest
}

type serviceUsageInput struct {
	IDPath
	From string `query:"from" required:"true" format:"date-time" doc:"The start of the measured span (RFC 3339)."`
	To   string `query:"to" required:"true" format:"date-time" doc:"The end of the measured span (RFC 3339), after from."`
}

type timelineInput struct {
	IDPath
	Days int `query:"days" minimum:"1" maximum:"366" default:"30" doc:"How many days ahead, today first."`
}

// withService runs fn with the actor and the parsed service {id}.
func withService[T any](ctx context.Context, raw string, fn func(billkit.Actor, provisioning.ServiceID) (T, error)) (*body[T], error) {
	return withID(ctx, raw, fn)
}

func (h *handlers) registerServices(api huma.API) {
	m := h.provisioning
	const tag = "Services"
	read := onClient(provisioning.FunctionService, billkit.OpRead)
	edit := onClient(provisioning.FunctionService, billkit.OpEdit)

	route(api, op("list-services", http.MethodGet, "/services", "List services, oldest first", tag),
		Requires(provisioning.FunctionService, billkit.OpRead).described("customers see only their clients' services"),
		func(ctx context.Context, in *listServicesInput) (*body[List[provisioning.Service]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[provisioning.Service], error) {
				var none billkit.Page[provisioning.Service]
				f := provisioning.ServiceFilter{PageParams: in.page()}
				var v billkit.FieldErrors
				client, err := optClientID("client_id", in.ClientID)
				v.Merge("", err)
				f.ProviderID, err = optProviderID("provider_id", in.ProviderID)
				v.Merge("", err)
				f.TariffID, err = optID[catalog.Tariff]("tariff_id", in.TariffID)
				v.Merge("", err)
				f.ServerID, err = optID[provisioning.Server]("server_id", in.ServerID)
				v.Merge("", err)
				if err := v.Err(); err != nil {
					return none, err
				}
				// A client asked for narrows the clients the actor may see,
				// so a customer naming another client gets an empty page.
				if !client.IsZero() {
					f.ClientIDs = []billkit.ClientID{client}
				}
				if in.Status != "" {
					f.Statuses = []provisioning.Status{provisioning.Status(in.Status)}
				}
				return m.ListServices(ctx, a, f)
			})
		})
	route(api, op("get-service", http.MethodGet, "/services/{id}", "Get a service", tag), read,
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				return m.GetService(ctx, a, id)
			})
		})
	route(api, op("list-service-events", http.MethodGet, "/services/{id}/history", "A service's history, oldest first: every change, who made it and when", tag), read,
		func(ctx context.Context, in *idPageInput) (*body[List[provisioning.ServiceEvent]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[provisioning.ServiceEvent], error) {
				id, err := parseID[provisioning.Service]("id", in.ID)
				if err != nil {
					return billkit.Page[provisioning.ServiceEvent]{}, err
				}
				return m.ListServiceEvents(ctx, a, provisioning.ServiceEventFilter{ServiceID: id, PageParams: in.page()})
			})
		})
	route(api, op("list-service-renewals", http.MethodGet, "/services/{id}/renewals", "The periods paid for a service, by period start", tag), read,
		func(ctx context.Context, in *idPageInput) (*body[List[provisioning.Renewal]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[provisioning.Renewal], error) {
				id, err := parseID[provisioning.Service]("id", in.ID)
				if err != nil {
					return billkit.Page[provisioning.Renewal]{}, err
				}
				return m.ListRenewals(ctx, a, provisioning.RenewalFilter{ServiceID: id, PageParams: in.page()})
			})
		})

	suspendOp := op("suspend-service", http.MethodPost, "/services/{id}/suspend", "Start suspending an active service", tag, http.StatusUnprocessableEntity)
	suspendOp.Description = "The service is processing until its module has stopped it (its task), then suspended with the reason. " +
		"A service with an operation under way is 422 provisioning.service_busy."
	route(api, suspendOp, edit.described("a client only with reason client; other reasons are staff's"),
		func(ctx context.Context, in *suspendServiceInput) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				return m.SuspendService(ctx, a, id, in.Body.Reason, in.Body.Memo)
			})
		})
	route(api, op("resume-service", http.MethodPost, "/services/{id}/resume", "Start resuming a suspended service", tag, http.StatusUnprocessableEntity),
		edit.described("a client only a suspension of its own, reason client"),
		func(ctx context.Context, in *memoInput) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				return m.ResumeService(ctx, a, id, memoOf(in.Body))
			})
		})
	route(api, op("open-service", http.MethodPost, "/services/{id}/open", "Start opening an ordered service, placing it on a server first; nothing is charged", tag, http.StatusUnprocessableEntity),
		edit.described(staffNote),
		func(ctx context.Context, in *memoInput) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				return m.OpenService(ctx, a, id, memoOf(in.Body))
			})
		})
	deleteOp := op("delete-service", http.MethodDelete, "/services/{id}", "Delete a service, now or when its paid period ends", tag, http.StatusUnprocessableEntity)
	deleteOp.Description = "An ordered service is deleted at once; any other through its module (it is processing until done), " +
		"or with at_period_end, when its paid period ends (delete_at_period_end). " +
		"The options go in the query (?at_period_end=true&memo=...) or in an optional body; given in both, they must agree (400 api.conflicting_options). " +
		"A client deletes its own service only as its product type allows: never (403 provisioning.client_delete_not_allowed), at once, or at period end whatever it asked."
	route(api, deleteOp, onClient(provisioning.FunctionService, billkit.OpDelete),
		func(ctx context.Context, in *deleteServiceInput) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				p, err := in.params()
				if err != nil {
					return nil, err
				}
				return m.DeleteService(ctx, a, id, p)
			})
		})
	renewOp := op("renew-service", http.MethodPost, "/services/{id}/renew", "Pay the next period now, from the client's balance", tag, http.StatusUnprocessableEntity)
	renewOp.Description = "At the service's price, within the client's credit limit. A service suspended for non-payment is resumed once paid. " +
		"A service that is not active nor suspended for non-payment, was never paid, is billed by the hour or is to be deleted at period end " +
		"is 422 provisioning.renew_not_allowed; when the balance does not cover it the error is 422 billing.insufficient_funds. Either way nothing is written."
	route(api, renewOp, edit,
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				return m.RenewService(ctx, a, id)
			})
		})
	route(api, op("set-service-auto-renew", http.MethodPut, "/services/{id}/auto-renew", "Turn renewing from the balance on or off", tag, http.StatusUnprocessableEntity), edit,
		func(ctx context.Context, in *autoRenewInput) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				return m.SetAutoRenew(ctx, a, id, in.Body.On)
			})
		})
	route(api, op("set-service-special-price", http.MethodPut, "/services/{id}/special-price", "Set what one period costs; recalculations and price changes leave it alone", tag, http.StatusUnprocessableEntity),
		edit.described(staffNote),
		func(ctx context.Context, in *specialPriceInput) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				return m.SetSpecialPrice(ctx, a, id, in.Body.Price)
			})
		})
	route(api, op("move-service", http.MethodPost, "/services/{id}/move", "Give a service to another client of the same provider and currency", tag, http.StatusUnprocessableEntity),
		edit.described(staffNote+", with provisioning.service:edit on the new client too"),
		func(ctx context.Context, in *moveServiceInput) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				to, err := parseClientID("client_id", in.Body.ClientID)
				if err != nil {
					return nil, err
				}
				return m.MoveService(ctx, a, id, to)
			})
		})
	route(api, created(op("clone-service", http.MethodPost, "/services/{id}/clone", "Create an ordered copy of a service for the same client; open it to start it", tag, http.StatusUnprocessableEntity)),
		onClient(provisioning.FunctionService, billkit.OpCreate).described(staffNote),
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				return m.CloneService(ctx, a, id)
			})
		})
	importOp := created(op("import-services", http.MethodPost, "/services/import", "Bring services that already exist on a system under billing", tag, http.StatusUnprocessableEntity))
	importOp.Description = "Each service is created active (or suspended) with its expiry, price and params, its server's slot claimed, and nothing charged. " +
		"All are imported or none; every bad row is reported at once."
	route(api, importOp, Requires(provisioning.FunctionService, billkit.OpCreate).described(staffNote),
		func(ctx context.Context, in *importServicesInput) (*body[ImportAnswer], error) {
			return write(ctx, func(a billkit.Actor) (ImportAnswer, error) {
				s, err := m.ImportServices(ctx, a, in.Body.Services)
				return ImportAnswer{Services: nonNil(s)}, err
			})
		})
	syncOp := withErrors(op("sync-service", http.MethodPost, "/services/{id}/sync", "Ask the module for the service's state and keep the params it returns", tag,
		http.StatusUnprocessableEntity), http.StatusServiceUnavailable)
	syncOp.Description = "A status the system reports that differs from the service's is recorded in the history, not applied. " +
		"A module that does not answer is 503 provisioning.module_unavailable."
	route(api, syncOp, edit.described(staffNote),
		func(ctx context.Context, in *IDPath) (*body[*provisioning.SyncResult], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.SyncResult, error) {
				return m.SyncService(ctx, a, id)
			})
		})
	route(api, withErrors(op("get-service-usage", http.MethodGet, "/services/{id}/usage", "The service's measured usage between two instants, asked of its module", tag,
		http.StatusUnprocessableEntity), http.StatusServiceUnavailable), read,
		func(ctx context.Context, in *serviceUsageInput) (*body[ServiceUsage], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (ServiceUsage, error) {
				var v billkit.FieldErrors
				from, err := optTime("from", in.From)
				v.Merge("", err)
				to, err := optTime("to", in.To)
				v.Merge("", err)
				if err := v.Err(); err != nil {
					return ServiceUsage{}, err
				}
				u, err := m.ServiceUsage(ctx, a, id, from, to)
				if err != nil {
					return ServiceUsage{}, err
				}
				return ServiceUsage{ServiceID: id, From: billkit.Instant(from), To: billkit.Instant(to), Usage: u}, nil
			})
		})
	linkOp := secretResult(withErrors(op("create-service-login-link", http.MethodPost, "/services/{id}/login-link",
		"A link that signs the client in to the service's control panel", tag, http.StatusUnprocessableEntity), http.StatusServiceUnavailable))
	linkOp.Description = "The module makes the link, often for one use: every call asks for a new one, and an Idempotency-Key is refused. " +
		"A module that gives none is 422 provisioning.login_link_unsupported."
	route(api, linkOp, read,
		func(ctx context.Context, in *IDPath) (*body[LoginLink], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (LoginLink, error) {
				u, err := m.LoginLink(ctx, a, id)
				return LoginLink{URL: u}, err
			})
		})
	timelineOp := op("get-client-timeline", http.MethodGet, "/clients/{id}/timeline", "What the billing cycle will do to a client's services and balance, day by day", tag)
	timelineOp.Description = "Reminders, renewals (and those the balance will not cover), suspensions, resumptions and deletions, with the balance at the end of each day, " +
		"if nothing else happens (no payment, no order, no change). Nothing is written."
	route(api, timelineOp, onClient(provisioning.FunctionService, billkit.OpRead),
		func(ctx context.Context, in *timelineInput) (*body[*provisioning.Timeline], error) {
			return withClientID(ctx, in.ID, func(a billkit.Actor, id billkit.ClientID) (*provisioning.Timeline, error) {
				return m.Timeline(ctx, a, id, in.Days)
			})
		})
}

// idPageInput is an {id} and the page of a list that belongs to it.
type idPageInput struct {
	IDPath
	PageInput
}

// Changes of tariff, period or addons.

type changeServiceInput struct {
	IDPath
	Body provisioning.ChangeParams
}

func (h *handlers) registerServiceChanges(api huma.API) {
	m := h.provisioning
	const tag = "Services"
	route(api, op("quote-service-change", http.MethodPost, "/services/{id}/change-quote", "Price a change of tariff, period or addons without making it", tag, http.StatusUnprocessableEntity),
		onClient(provisioning.FunctionService, billkit.OpEdit).described("as the change itself: nothing is written"),
		func(ctx context.Context, in *changeServiceInput) (*body[*provisioning.ChangeQuote], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.ChangeQuote, error) {
				return m.QuoteChange(ctx, a, id, in.Body)
			})
		})
	changeOp := op("change-service", http.MethodPost, "/services/{id}/change", "Change a service's tariff, period or addons", tag, http.StatusUnprocessableEntity)
	changeOp.Description = "Fields left out keep what the service has; addons lists only the addons that change. " +
		"As the product type's change policy says, the change applies now (the unused paid days are credited at the old price and charged at the new one, " +
		"the net taken from or given to the balance, and the module applies it) or waits for the next renewal (pending_change; nothing is charged now). " +
		"POST /services/{id}/change-quote shows the same figures without making the change. When the balance does not cover the charge the error is " +
		"422 billing.insufficient_funds and nothing is written."
	route(api, changeOp, onClient(provisioning.FunctionService, billkit.OpEdit).described("a client only an active service of its own, and Changeable addons"),
		func(ctx context.Context, in *changeServiceInput) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				return m.ChangeService(ctx, a, id, in.Body)
			})
		})
	route(api, op("cancel-pending-service-change", http.MethodDelete, "/services/{id}/pending-change", "Drop a change waiting for the next renewal", tag, http.StatusUnprocessableEntity),
		onClient(provisioning.FunctionService, billkit.OpEdit),
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Service], error) {
			return withService(ctx, in.ID, func(a billkit.Actor, id provisioning.ServiceID) (*provisioning.Service, error) {
				return m.CancelPendingChange(ctx, a, id)
			})
		})
}
