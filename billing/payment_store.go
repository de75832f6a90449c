package billing

// PaymentStore is the part of Store that keeps payments.
type PaymentStore interface {
}
