package billing

import "github.com/billkit/billkit"

// PaymentID identifies a Payment.
type PaymentID = billkit.ID[Payment]

// PaymentStatus is where a payment is in its life.
type PaymentStatus string

// The statuses of a payment. New, pending and (for a refund in flight)
// paid are not final; failed, cancelled and refunded are.
const (
	PaymentNew            PaymentStatus = "new"
	PaymentPending        PaymentStatus = "pending"
	PaymentPaid           PaymentStatus = "paid"
	PaymentFailed         PaymentStatus = "failed"
	PaymentCancelled      PaymentStatus = "cancelled"
	PaymentRefunded       PaymentStatus = "refunded"
	PaymentPartlyRefunded PaymentStatus = "partly_refunded"
)

// Payment is money a client sends through a payment method.
type Payment struct {
	ID PaymentID `json:"id"`
}
