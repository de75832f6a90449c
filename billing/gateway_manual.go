package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// GatewayManual is the code of the built-in manual gateway: a bank
// transfer, cash at the office, anything staff see arrive and confirm by
// hand (Service.ConfirmPayment).
const GatewayManual = "manual"

// ManualInstructionsSetting is the payment method setting whose text the
// manual gateway shows the customer (the bank details); without it the
// method's Instructions are shown.
const ManualInstructionsSetting = "instructions"

// manualGateway is the built-in manual gateway. It talks to nobody: Start
// leaves the payment pending with the instructions, Query keeps saying
// pending (staff, not a payment service, know the outcome), callbacks do
// not exist, and a refund is one staff make by hand and record here.
type manualGateway struct{}

func (manualGateway) Code() string { return GatewayManual }

func (manualGateway) Capabilities() GatewayCapabilities {
	return GatewayCapabilities{Refund: true, PartialRefund: true}
}

// Start answers pending, with the payment's own ID as the gateway's: there
// is no other.
func (manualGateway) Start(_ context.Context, r StartPaymentRequest) (StartPaymentResult, error) {
	return StartPaymentResult{
		GatewayPaymentID: r.PaymentID.String(),
		Instructions:     r.Settings[ManualInstructionsSetting],
		Status:           PaymentPending,
	}, nil
}

// ParseCallback refuses every callback: nobody may mark a manual payment
// paid from outside.
func (manualGateway) ParseCallback(context.Context, CallbackRequest) (GatewayReport, error) {
	return GatewayReport{}, billkit.Errorf(billkit.CodeUnauthenticated, ReasonCallbackSignature,
		"the manual gateway takes no callbacks: staff confirm its payments")
}

func (manualGateway) Query(_ context.Context, r QueryPaymentRequest) (GatewayReport, error) {
	return GatewayReport{PaymentID: r.PaymentID, GatewayPaymentID: r.GatewayPaymentID, Status: PaymentPending}, nil
}

// Refund records a refund staff make by hand (a transfer back): it is done
// at once.
func (manualGateway) Refund(_ context.Context, r RefundRequest) (RefundResult, error) {
	return RefundResult{GatewayRefundID: GatewayManual + ":" + r.RefundID}, nil
}
