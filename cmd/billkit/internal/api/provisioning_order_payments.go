package api

import (
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/provisioning"
	"github.com/danielgtaylor/huma/v2"
)

// The payment of orders paid by a gateway: POST /orders with pay_by
// gateway and a method_id answers the order with its payment started, and
// POST /orders/{id}/payment starts it again (or another, after it failed).

// OrderRequest is the body of POST /orders: the order and, for pay_by
// gateway with a method_id, where its payment page sends the client back.
type OrderRequest struct {
	provisioning.CreateOrderParams
	PaymentPage
}

// OrderPaymentRequest is the body of POST /orders/{id}/payment.
type OrderPaymentRequest struct {
	MethodID billing.PaymentMethodID `json:"method_id,omitzero" doc:"The method to pay with, one of GET /clients/{id}/payment-methods other than the balance. Default: the method of the order's payment; required when it has none."`
	PaymentPage
}

// OrderAnswer is an order, with the payment that pays it when it is paid
// by a gateway.
type OrderAnswer struct {
	provisioning.Order
	Payment *billing.Payment `json:"payment,omitempty" doc:"The order's gateway payment: pending, with where to send the client (redirect_url, or form to post there) or what to tell them (instructions); new without a redirect when the gateway did not answer, failed when it refused (start it again with POST /orders/{id}/payment). Absent for an order paid otherwise."`
}

// orderAnswer is the answer of an order and its payment.
func orderAnswer(op *provisioning.OrderPayment, err error) (*OrderAnswer, error) {
	if err != nil {
		return nil, err
	}
	return &OrderAnswer{Order: *op.Order, Payment: op.Payment}, nil
}

type startOrderPaymentInput struct {
	IDPath
	Body *OrderPaymentRequest
}

// registerOrderPayments registers POST /orders/{id}/payment.
func (h *handlers) registerOrderPayments(api huma.API, tag string) {
	m := h.provisioning
	o := op("start-order-payment", http.MethodPost, "/orders/{id}/payment", "Start the gateway payment of a new order, or start it again", tag,
		http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusServiceUnavailable)
	o.Description = "For an order with pay_by gateway, new: answers the order with its payment, pending, with where to send the client " +
		"(redirect_url, or form) or what to tell them (instructions). Idempotent per order: while the order's payment is new or pending " +
		"the same payment is answered (started again when new), so a lost payment page is found again; another method_id then is " +
		"422 provisioning.order_payment_open (cancel the payment first). An order without a payment, or whose payment failed or was cancelled, " +
		"gets a new one (method_id required when it has none). An order whose payment is paid is paid from the balance. " +
		"When the payment is paid (the gateway's callback, staff confirming a transfer) the order is paid at once from the balance it credited. " +
		"An order that is not new is 422 provisioning.order_not_new, one past its cancel_at provisioning.order_expired, one paid otherwise " +
		"provisioning.order_not_by_gateway; a method that cannot pay the order is 400 on method_id (payment_method.not_found, payment_method.disabled, " +
		"provisioning.method_is_balance, payment.currency_mismatch) and nothing is written. When the gateway does not answer the error is " +
		"503 payment.outcome_unknown: the payment is kept, and this call starts it again."
	route(api, o, onClient(provisioning.FunctionOrder, billkit.OpEdit).described("lends billing.payment:create on the order's client"),
		func(ctx context.Context, in *startOrderPaymentInput) (*body[*OrderAnswer], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id provisioning.OrderID) (*OrderAnswer, error) {
				var p provisioning.StartOrderPaymentParams
				if in.Body != nil {
					p = provisioning.StartOrderPaymentParams{MethodID: in.Body.MethodID, StartOptions: in.Body.options()}
				}
				return orderAnswer(m.StartOrderPayment(ctx, a, id, p))
			})
		})
}
