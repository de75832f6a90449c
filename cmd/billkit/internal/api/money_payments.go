package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/danielgtaylor/huma/v2"
)

// PaymentRequest is the body of POST /payments: a top-up of a client's
// balance, or the payment of one of its invoices.
type PaymentRequest struct {
	ClientID string `json:"client_id" maxLength:"64" doc:"The client who pays."`
	MethodID string `json:"method_id" maxLength:"64" doc:"One of GET /clients/{id}/payment-methods."`
	// Amount may be left out when paying an invoice.
	Amount    *billkit.Money `json:"amount,omitempty" doc:"What the client pays, in the method's currency. Default with invoice_id: what is left to pay of the invoice."`
	InvoiceID string         `json:"invoice_id,omitempty" maxLength:"64" doc:"The invoice paid; left out for a top-up. Required with a method of the balance gateway."`
	Memo      string         `json:"memo,omitempty" maxLength:"1000"`
	Reference string         `json:"reference,omitempty" maxLength:"200" doc:"The customer's reference of a transfer, when known."`
	PaymentPage
}

// PaymentPage is where a payment page sends the client back, and in what
// language it speaks.
type PaymentPage struct {
	ReturnURL  string `json:"return_url,omitempty" maxLength:"2000" doc:"Where the payment page sends the client back."`
	CancelURL  string `json:"cancel_url,omitempty" maxLength:"2000" doc:"Where the payment page sends a client who gives up."`
	SaveMethod bool   `json:"save_method,omitempty" doc:"Keep the method for later charges, when the gateway can."`
	Locale     string `json:"locale,omitempty" maxLength:"35" doc:"The payment page's language. Default: the client's."`
}

func (p PaymentPage) options() billing.StartOptions {
	return billing.StartOptions{ReturnURL: p.ReturnURL, CancelURL: p.CancelURL, SaveMethod: p.SaveMethod, Locale: p.Locale}
}

// PaymentAnswer is the answer of POST /payments: the payment started at
// its gateway, or, with a method of the balance gateway, the invoice paid
// from the balance.
type PaymentAnswer struct {
	Payment *billing.Payment `json:"payment,omitempty" doc:"The payment, with where to send the customer (redirect_url, or form to post) or what to tell them (instructions). Absent when the invoice was paid from the balance."`
	Invoice *billing.Invoice `json:"invoice,omitempty" doc:"The invoice, paid from the client's balance (a method of the balance gateway)."`
}

type paymentOutput struct {
	Status int
	Body   PaymentAnswer
}

type createPaymentInput struct{ Body PaymentRequest }

type listPaymentsInput struct {
	ClientID  string `query:"client_id" maxLength:"64" doc:"Only the payments of this client."`
	Status    string `query:"status" enum:"new,pending,paid,failed,cancelled,partly_refunded,refunded" doc:"Only payments with this status."`
	MethodID  string `query:"method_id" maxLength:"64" doc:"Only the payments of this method."`
	InvoiceID string `query:"invoice_id" maxLength:"64" doc:"Only the payments of this invoice."`
	From      string `query:"from" format:"date-time" doc:"Only payments created at or after this instant (RFC 3339)."`
	To        string `query:"to" format:"date-time" doc:"Only payments created before this instant (RFC 3339)."`
	Attention string `query:"attention" enum:"true" doc:"Only the payments flagged for staff."`
	PageInput
}

// PaymentReference is the body of the calls that note a transfer's
// reference.
type PaymentReference struct {
	Reference string `json:"reference,omitempty" maxLength:"200" doc:"The reference of the transfer (a receipt number)."`
}

type referenceInput struct {
	IDPath
	Body PaymentReference
}

type refundInput struct {
	IDPath
	Body billing.RefundParams
}

// callbackInput is a gateway's callback exactly as it arrived: the body's
// bytes unchanged (signatures are computed over them), the headers and the
// query.
type callbackInput struct {
	MethodID string `path:"method_id" maxLength:"64" doc:"The payment method whose gateway calls."`
	RawBody  []byte `contentType:"*/*" doc:"The callback as the gateway sent it, any content type."`
	header   http.Header
	query    url.Values
}

// Resolve keeps the headers and the query for the gateway to verify.
func (in *callbackInput) Resolve(ctx huma.Context) []error {
	in.header = http.Header{}
	ctx.EachHeader(func(name, value string) { in.header.Add(name, value) })
	u := ctx.URL()
	in.query = u.Query()
	return nil
}

func (h *handlers) registerPayments(api huma.API) {
	b := h.billing
	const tag = "Payments"
	rule := func(op billkit.Operation) Rule { return Requires(billing.FunctionPayment, op) }
	onPayment := func(op billkit.Operation) Rule { return rule(op).OnClientOf("id") }

	route(api, op("list-payments", http.MethodGet, "/payments", "List payments, newest first", tag),
		rule(billkit.OpRead).described("customers see only their clients' payments"),
		func(ctx context.Context, in *listPaymentsInput) (*body[List[billing.Payment]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.Payment], error) {
				f := billing.PaymentFilter{Status: billing.PaymentStatus(in.Status), Attention: in.Attention == "true", PageParams: in.page()}
				var v billkit.FieldErrors
				var err error
				f.ClientID, err = optClientID("client_id", in.ClientID)
				v.Merge("", err)
				f.MethodID, err = optID[billing.PaymentMethod]("method_id", in.MethodID)
				v.Merge("", err)
				f.InvoiceID, err = optID[billing.Invoice]("invoice_id", in.InvoiceID)
				v.Merge("", err)
				f.From, err = optTime("from", in.From)
				v.Merge("", err)
				f.To, err = optTime("to", in.To)
				v.Merge("", err)
				if err := v.Err(); err != nil {
					return billkit.Page[billing.Payment]{}, err
				}
				return b.ListPayments(ctx, a, f)
			})
		})
	route(api, op("get-payment", http.MethodGet, "/payments/{id}", "Get a payment", tag), onPayment(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.Payment], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PaymentID) (*billing.Payment, error) { return b.GetPayment(ctx, a, id) })
		})

	payOp := created(op("create-payment", http.MethodPost, "/payments", "Pay: top up the balance or pay an invoice", tag,
		http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusServiceUnavailable))
	payOp.Description = "Creates the payment and starts it at the method's gateway, in one call: the answer (201) holds the payment, pending, " +
		"with the page to send the customer to (redirect_url, or form to post there) or the instructions to show (bank details). " +
		"The gateway then reports the outcome to /payments/callback/{method_id}; the money reaches the balance when the payment is paid. " +
		"With a method of the balance gateway the invoice is paid from the client's balance instead, and the answer (200) holds the invoice. " +
		"When the gateway does not answer, the error is 503 payment.outcome_unknown: the payment is kept (GET /payments?client_id=) and its outcome is asked again later."
	payOp.Responses = map[string]*huma.Response{"200": {
		Description: "The invoice, paid from the balance (a method of the balance gateway).",
		Content:     map[string]*huma.MediaType{"application/json": {Schema: &huma.Schema{Ref: "#/components/schemas/PaymentAnswer"}}},
	}}
	route(api, payOp, rule(billkit.OpCreate).described("on the client named in the body; with the balance gateway, billing.invoice:edit instead"),
		func(ctx context.Context, in *createPaymentInput) (*paymentOutput, error) {
			a, err := actorFrom(ctx)
			if err != nil {
				return nil, err
			}
			r := in.Body
			var v billkit.FieldErrors
			client, err := parseClientID("client_id", r.ClientID)
			v.Merge("", err)
			method, err := parseID[billing.PaymentMethod]("method_id", r.MethodID)
			v.Merge("", err)
			invoice, err := optID[billing.Invoice]("invoice_id", r.InvoiceID)
			v.Merge("", err)
			v.Check(r.Amount != nil || r.InvoiceID != "", "amount", "required", "is required for a top-up")
			if err := v.Err(); err != nil {
				return nil, err
			}
			var amount billkit.Money
			if r.Amount != nil {
				amount = *r.Amount
			} else {
				inv, err := b.GetInvoice(ctx, a, invoice)
				if err != nil {
					return nil, err
				}
				if inv.ClientID != client {
					return nil, billkit.InvalidField("invoice_id", "invoice.not_found", "is not an invoice of the client")
				}
				if amount = inv.Outstanding(); !amount.IsPositive() {
					return nil, billkit.Errorf(billkit.CodeFailedPrecondition, billing.ReasonInvoiceNotPayable, "invoice %s has nothing left to pay", inv.Number)
				}
			}
			p, err := b.Pay(ctx, a, billing.PayParams{
				CreatePaymentParams: billing.CreatePaymentParams{
					ClientID: client, MethodID: method, Amount: amount, InvoiceID: invoice, Memo: r.Memo, Reference: r.Reference,
				},
				StartOptions: r.options(),
			})
			if billkit.ErrorReason(err) == billing.ReasonUseInvoiceBalance && !invoice.IsZero() {
				inv, err := b.PayInvoiceFromBalance(ctx, a, invoice)
				if err != nil {
					return nil, err
				}
				return &paymentOutput{Status: http.StatusOK, Body: PaymentAnswer{Invoice: inv}}, nil
			}
			if err != nil {
				return nil, err
			}
			return &paymentOutput{Status: http.StatusCreated, Body: PaymentAnswer{Payment: p}}, nil
		})

	route(api, op("confirm-payment", http.MethodPost, "/payments/{id}/confirm", "Confirm that the money of a manual payment (a transfer) arrived", tag, http.StatusUnprocessableEntity),
		onPayment(billkit.OpEdit).described("staff only"),
		func(ctx context.Context, in *referenceInput) (*body[*billing.Payment], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PaymentID) (*billing.Payment, error) {
				return b.ConfirmPayment(ctx, a, id, in.Body.Reference)
			})
		})
	route(api, op("cancel-payment", http.MethodPost, "/payments/{id}/cancel", "Cancel a payment that is not paid yet", tag, http.StatusUnprocessableEntity), onPayment(billkit.OpEdit),
		func(ctx context.Context, in *IDPath) (*body[*billing.Payment], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PaymentID) (*billing.Payment, error) {
				return b.CancelPayment(ctx, a, id)
			})
		})
	refundOp := created(op("refund-payment", http.MethodPost, "/payments/{id}/refund", "Give back all or part of a paid payment", tag,
		http.StatusUnprocessableEntity, http.StatusServiceUnavailable))
	refundOp.Description = "The gateway refunds with the refund's ID as its idempotency key, then the amount leaves the balance. " +
		"When the gateway does not answer (503 payment.refund_unknown), repeat the call with refund_id set to the ID the error names."
	route(api, refundOp, onPayment(billkit.OpEdit).described("staff only"),
		func(ctx context.Context, in *refundInput) (*body[*billing.PaymentRefund], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PaymentID) (*billing.PaymentRefund, error) {
				return b.RefundPayment(ctx, a, id, in.Body)
			})
		})
	route(api, op("list-payment-refunds", http.MethodGet, "/payments/{id}/refunds", "List a payment's refunds, oldest first", tag), onPayment(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[List[billing.PaymentRefund]], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PaymentID) (List[billing.PaymentRefund], error) {
				return items(b.ListPaymentRefunds(ctx, a, id))
			})
		})
	route(api, op("attach-payment-reference", http.MethodPost, "/payments/{id}/reference", "Note the reference of a transfer (the customer's receipt) on a payment not paid yet", tag, http.StatusUnprocessableEntity),
		onPayment(billkit.OpEdit),
		func(ctx context.Context, in *referenceInput) (*body[*billing.Payment], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.PaymentID) (*billing.Payment, error) {
				return b.AttachPaymentReference(ctx, a, id, in.Body.Reference)
			})
		})

	// Methods the gateways keep for later charges.
	route(api, op("list-saved-payment-methods", http.MethodGet, "/clients/{id}/saved-payment-methods", "List the methods (cards) kept for a client's later charges", tag),
		onClient(billing.FunctionPayment, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[List[billing.SavedMethod]], error) {
			return withClientID(ctx, in.ID, func(a billkit.Actor, id billkit.ClientID) (List[billing.SavedMethod], error) {
				return items(b.ListSavedMethods(ctx, a, id))
			})
		})
	route(api, op("delete-saved-payment-method", http.MethodDelete, "/saved-payment-methods/{id}", "Forget a saved method: later charges stop using it", tag), onPayment(billkit.OpEdit),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.SavedMethodID) (Done, error) {
				return done(b.DeleteSavedMethod(ctx, a, id))
			})
		})

	// The gateways' callbacks. They are served at callbackPath, which the
	// router cannot hold beside /payments/{id}/confirm and the other
	// actions (a path such as /payments/callback/confirm would match
	// both); requests are moved to callbackRoute by routeCallbacks, and the
	// document shows the public path.
	cbOp := withErrors(op("payment-callback", http.MethodPost, callbackRoute, "A payment gateway reports a payment's outcome (webhook)", tag),
		http.StatusUnauthorized, http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusServiceUnavailable)
	cbOp.Description = "The URL to give the payment service for a payment method (Stripe: a webhook endpoint). The gateway verifies the call " +
		"from its exact body and headers; one that does not verify is 401 payment.callback_signature and changes nothing. " +
		"A payment the call names but nobody knows is 404. A call repeated, late or out of order changes nothing and answers 200, so the service stops retrying. " +
		"The call carries no session or API key, is not checked for cross-site origin and takes no Idempotency-Key."
	// Anyone may post here: the body read is bounded.
	cbOp.MaxBodyBytes, cbOp.BodyReadTimeout = maxCallbackBody, callbackReadTimeout
	route(api, cbOp, Public(),
		func(ctx context.Context, in *callbackInput) (*body[Done], error) {
			id, err := parseID[billing.PaymentMethod]("method_id", in.MethodID)
			if err != nil {
				return nil, err
			}
			_, err = b.HandleCallback(ctx, id, billing.CallbackRequest{
				Header: in.header, Query: in.query, Body: append([]byte(nil), in.RawBody...),
			})
			return out(done(err))
		})
	if doc := api.OpenAPI(); doc.Paths != nil {
		doc.Paths[callbackPath] = doc.Paths[callbackRoute]
		delete(doc.Paths, callbackRoute)
	}
}

// The gateways' callbacks: callbackPath is where gateways post,
// callbackRoute where the router serves them. A callback's body is at most
// maxCallbackBody bytes (a Stripe event is a few kilobytes), read within
// callbackReadTimeout.
const (
	callbackPath        = "/payments/callback/{method_id}"
	callbackRoute       = "/payment-callbacks/{method_id}"
	maxCallbackBody     = 1 << 20
	callbackReadTimeout = 10 * time.Second
)

// routeCallbacks moves the gateways' callbacks from callbackPath to
// callbackRoute before next routes them, and exempts them, and the
// modules' callbacks, from the
// cross-origin check: a gateway may post from a customer's browser (a
// payment page's form), and the call carries no credential to protect.
func routeCallbacks(next *server) http.Handler {
	next.csrf.cop.AddInsecureBypassPattern(http.MethodPost + " " + Prefix + callbackRoute)
	// Modules' callbacks come from remote systems and carry their own
	// signature, not a credential of a browser.
	next.csrf.cop.AddInsecureBypassPattern(http.MethodPost + " " + Prefix + moduleCallbackPath)
	public := Prefix + strings.TrimSuffix(callbackPath, "{method_id}")
	internal := Prefix + strings.TrimSuffix(callbackRoute, "{method_id}")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, internal) {
			// Only one URL serves the callbacks.
			WriteError(w, r, billkit.Errorf(billkit.CodeNotFound, "api.route_not_found", "no route for %s %s", r.Method, r.URL.Path))
			return
		}
		if rest, ok := strings.CutPrefix(r.URL.Path, public); ok && r.Method == http.MethodPost && rest != "" && !strings.Contains(rest, "/") {
			r2 := new(http.Request)
			*r2 = *r
			u := *r.URL
			u.Path, u.RawPath = internal+rest, ""
			r2.URL = &u
			r = r2
		}
		next.ServeHTTP(w, r)
	})
}
