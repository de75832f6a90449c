package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// GatewayBalance is the code of the built-in balance gateway: "pay this
// invoice from my balance".
//
// It is a marker more than a gateway. Money on the balance is already the
// client's; paying an invoice from it moves nothing in from outside, so it
// is the invoice code's business (Service.PayInvoiceFromBalance), not a
// Payment's. A payment method with this gateway lists the option on the
// payment page; CreatePayment refuses it without an invoice
// (ReasonBalanceNeedsInvoice), and Pay and Start refuse it with
// failed_precondition ReasonUseInvoiceBalance, which tells the API to call
// the invoice code instead. Nothing is ever charged or refunded through
// it.
const GatewayBalance = "balance"

// balanceGateway is the built-in balance gateway.
type balanceGateway struct{}

func useInvoiceBalance() error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonUseInvoiceBalance,
		"an invoice is paid from the balance by the invoice's PayInvoiceFromBalance, not by a payment")
}

func (balanceGateway) Code() string { return GatewayBalance }

func (balanceGateway) Capabilities() GatewayCapabilities { return GatewayCapabilities{} }

func (balanceGateway) Start(context.Context, StartPaymentRequest) (StartPaymentResult, error) {
	return StartPaymentResult{}, useInvoiceBalance()
}

func (balanceGateway) ParseCallback(context.Context, CallbackRequest) (GatewayReport, error) {
	return GatewayReport{}, billkit.Errorf(billkit.CodeUnauthenticated, ReasonCallbackSignature,
		"the balance gateway takes no callbacks")
}

func (balanceGateway) Query(context.Context, QueryPaymentRequest) (GatewayReport, error) {
	return GatewayReport{}, useInvoiceBalance()
}

func (balanceGateway) Refund(context.Context, RefundRequest) (RefundResult, error) {
	return RefundResult{}, useInvoiceBalance()
}
