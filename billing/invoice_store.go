package billing

// InvoiceStore is the part of Store that keeps invoices.
type InvoiceStore interface {
}
