package billing

// ExpenseStore is the part of Store that keeps expenses.
type ExpenseStore interface {
}
