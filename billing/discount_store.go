package billing

// DiscountStore is the part of Store that keeps discounts.
type DiscountStore interface {
}
