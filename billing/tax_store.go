package billing

// TaxStore is the part of Store that keeps taxs.
type TaxStore interface {
}
