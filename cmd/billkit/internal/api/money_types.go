package api

import (
	"net/http"
	"reflect"

	"github.com/billkit/billkit"
	"github.com/danielgtaylor/huma/v2"
)

// The money core's operations: the ledger and balances, taxes, discounts
// and promo codes, order prices, payment methods, payments and their
// gateway callbacks, invoices and their number series, expenses and
// recalculations. Every right is checked by billing.Service; the rules
// registered here document them. Objects that belong to a client (payments,
// invoices, expenses, a client's tax exemption) are scoped to it: a
// customer asking for another client's object gets 404.

// registerMoneyTypes tells the schema generator that billkit.Money travels
// as {"amount":"1234.50","currency":"USD"}: its fields are unexported, so
// the generator cannot see them.
func registerMoneyTypes(r huma.Registry) {
	r.RegisterTypeAlias(reflect.TypeFor[billkit.Money](), reflect.TypeFor[moneyRef]())
}

// moneyRef stands in for billkit.Money in the schemas: a reference to one
// shared schema "Money", made once, rather than a copy (and a compiled
// pattern) in every field that holds an amount.
type moneyRef struct{}

// moneySchemaName is the name of Money's schema among the components.
const moneySchemaName = "Money"

func (moneyRef) Schema(r huma.Registry) *huma.Schema {
	if _, ok := r.Map()[moneySchemaName]; !ok {
		s := Money{}.Schema(r)
		s.Description = "An exact amount of money: {\"amount\":\"1234.50\",\"currency\":\"USD\"}."
		s.PrecomputeMessages()
		r.Map()[moneySchemaName] = s
	}
	return &huma.Schema{Ref: "#/components/schemas/" + moneySchemaName}
}

// registerMoney registers every operation of the money core.
func (h *handlers) registerMoney(api huma.API) {
	h.registerLedger(api)
	h.registerTaxes(api)
	h.registerDiscounts(api)
	h.registerPaymentMethods(api)
	h.registerPayments(api)
	h.registerInvoices(api)
	h.registerExpenses(api)
}

// errStaffOnly refuses customers what only staff (or an API key, or the
// system) may do: a customer owning a client may edit it, but not credit
// its own balance or charge it by hand.
var errStaffOnly = &billkit.Error{Code: billkit.CodeForbidden, Reason: "billing.staff_only", Message: "only staff may do this"}

// staffOnly returns errStaffOnly for a customer.
func staffOnly(a billkit.Actor) error {
	if a.Kind == billkit.ActorCustomer {
		return errStaffOnly
	}
	return nil
}

// created marks an operation that creates something: it answers 201.
func created(o huma.Operation) huma.Operation {
	o.DefaultStatus = http.StatusCreated
	return o
}

// withErrors adds statuses to the documented errors of an operation.
func withErrors(o huma.Operation, statuses ...int) huma.Operation {
	for _, s := range statuses {
		o.Errors = addStatus(o.Errors, s)
	}
	return o
}

// items wraps a whole list in the shape of a page: lists the service
// returns at once have no next page.
func items[T any](list []T, err error) (List[T], error) {
	if err != nil {
		return List[T]{}, err
	}
	return List[T]{Items: nonNil(list), NextCursor: ""}, nil
}

// optMoney parses an optional amount given as two query parameters; both
// empty is the zero Money.
func optMoney(amount, currency string) (billkit.Money, error) {
	if amount == "" && currency == "" {
		return billkit.Money{}, nil
	}
	var v billkit.FieldErrors
	v.Check(amount != "", "amount", "required", "is required with currency")
	v.Check(currency != "", "currency", "required", "is required with amount")
	if err := v.Err(); err != nil {
		return billkit.Money{}, err
	}
	m, err := billkit.ParseMoney(amount, currency)
	if err != nil {
		return billkit.Money{}, renameFields(err, map[string]string{"": "amount"})
	}
	return m, nil
}
