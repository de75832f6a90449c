package billing

// The functions of billing's account side, for rights
// (billkit.R(FunctionClient, billkit.OpEdit)) and for the action log (an
// action's ObjectType, and its Name "<function>.<verb>").
const (
	FunctionProvider    = "billing.provider"
	FunctionCompany     = "billing.company"
	FunctionClient      = "billing.client"
	FunctionClientGroup = "billing.client_group"
	FunctionPayer       = "billing.payer"
	FunctionContract    = "billing.contract"

	// The money core's functions. Reading a ledger needs
	// billing.client:read; posting to it needs FunctionLedger's create,
	// which customers never hold (a customer's money moves only as the
	// effect of what it may do, see withRights).
	FunctionLedger        = ObjectLedger
	FunctionPayment       = "billing.payment"
	FunctionPaymentMethod = "billing.payment_method"
	FunctionExpense       = "billing.expense"
	FunctionInvoice       = "billing.invoice"
	FunctionTax           = "billing.tax"
	FunctionDiscount      = "billing.discount"
)

// Functions lists billing's functions, for the access package's right
// editors and for checks that every function has rules.
func Functions() []string {
	return []string{
		FunctionProvider, FunctionCompany, FunctionClient, FunctionClientGroup,
		FunctionPayer, FunctionContract,
		FunctionLedger, FunctionPayment, FunctionPaymentMethod, FunctionExpense, FunctionInvoice, FunctionTax, FunctionDiscount,
	}
}
