package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/billing/stripe"
	"github.com/billkit/billkit/billing/stripe/stripetest"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/shopspring/decimal"
)

// ignoreGateway is a gateway that ignores every callback, so the
// authorization matrix can post to a callback URL as anyone and get 200.
type ignoreGateway struct{}

func (ignoreGateway) Code() string { return "ignore" }
func (ignoreGateway) Capabilities() billing.GatewayCapabilities {
	return billing.GatewayCapabilities{Callbacks: true}
}
func (ignoreGateway) Start(_ context.Context, r billing.StartPaymentRequest) (billing.StartPaymentResult, error) {
	return billing.StartPaymentResult{GatewayPaymentID: "ign-" + r.PaymentID.String(), Status: billing.PaymentPending}, nil
}
func (ignoreGateway) ParseCallback(context.Context, billing.CallbackRequest) (billing.GatewayReport, error) {
	return billing.GatewayReport{Ignore: true}, nil
}
func (ignoreGateway) Query(_ context.Context, r billing.QueryPaymentRequest) (billing.GatewayReport, error) {
	return billing.GatewayReport{PaymentID: r.PaymentID, GatewayPaymentID: r.GatewayPaymentID, Status: billing.PaymentPending}, nil
}
func (ignoreGateway) Refund(context.Context, billing.RefundRequest) (billing.RefundResult, error) {
	return billing.RefundResult{}, billkit.Errorf(billkit.CodeFailedPrecondition, billing.ReasonRefundUnsupported, "no refunds")
}

// moneyRights lets rights on billing's money functions and on
// provisioning's be granted, to staff and in customers' custom roles
// (payments, invoices, expenses, orders, services and tasks belong to
// clients).
func moneyRights() access.RightsConfig {
	return access.RightsConfig{
		Functions: append(append(access.DefaultFunctions(), billing.FunctionPayment, billing.FunctionPaymentMethod, billing.FunctionExpense,
			billing.FunctionInvoice, billing.FunctionTax, billing.FunctionDiscount), provisioning.Functions()...),
		ClientFunctions: append(append(access.DefaultClientFunctions(), billing.FunctionPayment, billing.FunctionInvoice, billing.FunctionExpense),
			provisioning.ClientFunctions()...),
	}
}

// useMoneyCore gives the world the services the money core needs: rights
// on its functions, billing with the catalog and the gateways (Stripe
// against fake when it is not nil), and the API over them. Users and
// sessions stay: they are in the store. It may be called again; a world
// that has Stripe keeps it.
func (w *world) useMoneyCore(t *testing.T, fake *stripetest.Server) {
	t.Helper()
	codes := w.bill.GatewayCodes()
	if slices.Contains(codes, "stripe") || fake == nil && slices.Contains(codes, "ignore") {
		return
	}
	gateways := []billing.Gateway{ignoreGateway{}}
	if fake != nil {
		gateways = append(gateways, stripe.New(stripe.Config{BackendURL: fake.URL, Clock: w.clock, MaxNetworkRetries: -1}))
	}
	w.acc = access.NewService(w.st.Access(), access.Config{Clock: w.clock, Identity: access.IdentityConfig{Argon2: fastArgon2}, Rights: moneyRights()})
	w.bill = billing.NewService(w.st.Billing(), w.dir, billing.Config{Clock: w.clock, Catalog: w.cat, Gateways: gateways})
	w.useProvisioning(t)
	h, err := New(Config{
		Directory: w.dir, Access: w.acc, Billing: w.bill, Catalog: w.cat, Clock: w.clock, Idempotency: w.st,
		Provisioning: w.prov, WebhookSecrets: w.hooks,
		PasswordResetSender: func(_ context.Context, email, token string) error {
			w.resets[email] = token
			return nil
		},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	w.h = h
}

// newMoneyWorld is a world with the money core and the matrix's fixtures.
func newMoneyWorld(t *testing.T, fake *stripetest.Server) (*world, *fixtures) {
	t.Helper()
	w := newWorld(t)
	w.useMoneyCore(t, fake)
	return w, w.fixtures(t)
}

// moneyFixtures are the money core's objects of the matrix: the
// client-owned ones belong to client A.
type moneyFixtures struct {
	taxRule       billing.TaxRuleID
	exemption     billing.TaxExemptionID
	discount      billing.DiscountID
	promo         billing.PromoCodeID
	manual        billing.PaymentMethodID // a bank transfer
	balance       billing.PaymentMethodID // the client's balance
	ignore        billing.PaymentMethodID // a gateway that ignores callbacks
	payment       billing.PaymentID       // pending, by manual, 10.00 USD
	saved         billing.SavedMethodID
	invoice       billing.InvoiceID // a draft of 10.00 USD
	expense       billing.ExpenseID // a manual charge of 10.00 USD for March 2025
	recalculation billing.RecalculationID
}

// moneyFixtures makes the money core's fixtures for f.
func (w *world) moneyFixtures(t *testing.T, f *fixtures) {
	t.Helper()
	w.useMoneyCore(t, nil)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("money fixtures: %v", err)
		}
	}
	b := w.bill
	m := &f.money
	rule, err := b.CreateTaxRule(ctx, system, billing.TaxRuleParams{CompanyID: f.company, Code: "vat", Name: directory.Text{"en": "VAT"}, Country: "DE", Rate: dec("19")})
	must(err)
	m.taxRule = rule.ID
	ex, err := b.CreateTaxExemption(ctx, system, billing.TaxExemptionParams{ClientID: f.clientA, Reason: "Non-profit"})
	must(err)
	m.exemption = ex.ID
	d, err := b.CreateDiscount(ctx, system, billing.DiscountParams{ProviderID: f.provider, Name: "Loyal", Scope: billing.DiscountClient, ClientID: f.clientB, Percent: dec("10")})
	must(err)
	m.discount = d.ID
	pc, err := b.CreatePromoCode(ctx, system, billing.PromoCodeParams{ProviderID: f.provider, Code: "SPRING", Kind: billing.PromoPercent, Value: dec("10")})
	must(err)
	m.promo = pc.ID
	method := func(gateway string, settings map[string]string) billing.PaymentMethodID {
		pm, err := b.CreatePaymentMethod(ctx, system, billing.CreatePaymentMethodParams{
			CompanyID: f.company, Gateway: gateway, Name: directory.Text{"en": gateway}, Settings: settings,
		})
		must(err)
		return pm.ID
	}
	m.manual = method(billing.GatewayManual, map[string]string{"instructions": "IBAN DE00 0000"})
	m.balance = method(billing.GatewayBalance, nil)
	m.ignore = method("ignore", nil)
	p, err := b.Pay(ctx, system, billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{
		ClientID: f.clientA, MethodID: m.manual, Amount: usd("10.00"),
	}})
	must(err)
	m.payment = p.ID
	sm := &billing.SavedMethod{ID: billkit.NewID[billing.SavedMethod](), ClientID: f.clientA, MethodID: m.ignore, Gateway: "ignore",
		Ref: "card-1", Label: "Visa •••• 4242", CreatedAt: w.clock.Now()}
	must(w.st.Billing().InsertSavedMethod(ctx, sm))
	m.saved = sm.ID
	inv, err := b.CreateInvoice(ctx, system, billing.CreateInvoiceParams{CompanyID: f.company, ClientID: f.clientA, Lines: []billing.InvoiceLineParams{
		{Description: "Consulting", Quantity: dec("1"), UnitPrice: usd("10.00")},
	}})
	must(err)
	m.invoice = inv.ID
	x, err := b.Charge(ctx, system, billing.ChargeParams{ClientID: f.clientA, Kind: billing.ExpenseManual, Amount: usd("10.00"), Description: "Support",
		PeriodStart: billkit.MustDate(2025, 3, 1), PeriodEnd: billkit.MustDate(2025, 4, 1), AllowBelowLimit: true})
	must(err)
	m.expense = x.ID
	r, err := b.Recalculate(ctx, system, billing.RecalcParams{ClientID: f.clientA, From: billkit.MustDate(2025, 1, 1),
		Repricer: billing.RepricerFunc(func(context.Context, billing.Expense) (billkit.Money, bool, error) {
			return billkit.Money{}, false, nil
		})})
	must(err)
	m.recalculation = r.ID
}

// path returns the fixture that fills the path parameter param after the
// collection coll, "" when it has none.
func (m *moneyFixtures) path(coll, param string) string {
	switch param {
	case "{method_id}":
		return m.ignore.String()
	case "{type}":
		return string(billing.InvoiceFinal)
	case "{id}":
		return map[string]string{
			"tax-rules": m.taxRule.String(), "tax-exemptions": m.exemption.String(), "discounts": m.discount.String(),
			"promo-codes": m.promo.String(), "payment-methods": m.manual.String(), "payments": m.payment.String(),
			"saved-payment-methods": m.saved.String(), "invoices": m.invoice.String(), "expenses": m.expense.String(),
			"recalculations": m.recalculation.String(),
		}[coll]
	}
	return ""
}

// moneyBodies are valid bodies of the money core's operations.
func (f *fixtures) moneyBodies(n int) map[string]string {
	u := fmt.Sprintf("u%d", n)
	m := &f.money
	usdJSON := func(a string) string { return `{"amount":"` + a + `","currency":"USD"}` }
	return map[string]string{
		"post-ledger-adjustment":   `{"client_id":"` + f.clientA.String() + `","amount":` + usdJSON("1.00") + `,"memo":"goodwill"}`,
		"create-tax-rule":          `{"company_id":"` + f.company.String() + `","code":"t` + u + `","name":{"en":"Tax"},"country":"DE","rate":"7"}`,
		"update-tax-rule":          `{"company_id":"` + f.company.String() + `","code":"vat","name":{"en":"VAT"},"country":"DE","rate":"19"}`,
		"set-tax-settings":         `{"rounding":"document"}`,
		"create-tax-exemption":     `{"client_id":"` + f.clientA.String() + `","reason":"Charity ` + u + `"}`,
		"update-tax-exemption":     `{"reason":"Non-profit"}`,
		"create-discount":          `{"provider_id":"` + f.provider.String() + `","name":"D ` + u + `","scope":"everyone","percent":"5"}`,
		"update-discount":          `{"provider_id":"` + f.provider.String() + `","name":"Loyal","scope":"client","client_id":"` + f.clientB.String() + `","percent":"12"}`,
		"create-promo-code":        `{"provider_id":"` + f.provider.String() + `","code":"CODE-` + u + `","kind":"percent","value":"10"}`,
		"update-promo-code":        `{"provider_id":"` + f.provider.String() + `","code":"SPRING","kind":"percent","value":"15"}`,
		"generate-promo-codes":     `{"provider_id":"` + f.provider.String() + `","count":2,"kind":"percent","value":"5"}`,
		"validate-promo-code":      `{"client_id":"` + f.clientA.String() + `","code":"spring"}`,
		"price-order":              `{"client_id":"` + f.clientA.String() + `","tariff_id":"` + f.tariff.String() + `","period":"month"}`,
		"create-payment-method":    `{"company_id":"` + f.company.String() + `","gateway":"manual","name":{"en":"Cash ` + u + `"}}`,
		"update-payment-method":    `{"enabled":true}`,
		"create-payment":           `{"client_id":"` + f.clientA.String() + `","method_id":"` + m.manual.String() + `","amount":` + usdJSON("5.00") + `}`,
		"confirm-payment":          `{"reference":"R-1"}`,
		"attach-payment-reference": `{"reference":"R-1"}`,
		"refund-payment":           `{"amount":` + usdJSON("1.00") + `}`,
		"create-invoice": `{"company_id":"` + f.company.String() + `","client_id":"` + f.clientA.String() +
			`","lines":[{"description":"Setup","quantity":"1","unit_price":` + usdJSON("10.00") + `}]}`,
		"update-invoice":        `{"memo":"Thank you"}`,
		"create-credit-note":    `{"all":true}`,
		"set-invoice-series":    `{"format":"I` + u + `-{YYYY}-{NNNNN}"}`,
		"create-expense":        `{"client_id":"` + f.clientA.String() + `","amount":` + usdJSON("2.00") + `,"description":"Consulting","allow_below_limit":true}`,
		"preview-recalculation": `{"client_id":"` + f.clientA.String() + `","from":"2025-01-01"}`,
		"apply-recalculation": `{"id":"` + billkit.NewID[billing.Recalculation]().String() + `","client_id":"` + f.clientA.String() +
			`","from":"2025-01-01","lines":[]}`,
	}
}

// payingCustomer makes a customer user of client in a custom role that may
// read the client's money and pay: what a client's owner does in a panel.
func (w *world) payingCustomer(t *testing.T, email string, client billkit.ClientID) *access.User {
	t.Helper()
	ctx := context.Background()
	u, err := w.acc.CreateUser(ctx, system, access.CreateUserParams{Kind: access.UserKindCustomer, Email: email, Name: email, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	rights := []billkit.Right{
		billkit.R(billing.FunctionClient, billkit.OpRead), billkit.R(billing.FunctionPayer, billkit.OpRead),
		billkit.R(billing.FunctionPayment, billkit.OpRead), billkit.R(billing.FunctionPayment, billkit.OpCreate), billkit.R(billing.FunctionPayment, billkit.OpEdit),
		billkit.R(billing.FunctionInvoice, billkit.OpRead), billkit.R(billing.FunctionInvoice, billkit.OpEdit),
		billkit.R(billing.FunctionExpense, billkit.OpRead),
	}
	if _, err := w.acc.AddMember(ctx, system, client, u.ID, access.RoleCustom, rights); err != nil {
		t.Fatal(err)
	}
	return u
}

// send makes one JSON call and checks its status.
func send(t *testing.T, h http.Handler, method, path, body string, status int) response {
	t.Helper()
	r := call(t, h, loopback, method, path, body)
	mustStatus(t, r, status)
	return r
}

// mustFieldError checks that r is an error of the status with the reason
// (its own or a field's), naming field when it is not "".
func mustFieldError(t *testing.T, r response, status int, reason, field string) {
	t.Helper()
	mustStatus(t, r, status)
	var e Error
	r.decode(t, &e)
	if reason != "" && e.Reason != reason && !slices.ContainsFunc(e.Fields, func(f billkit.FieldError) bool { return f.Reason == reason }) {
		t.Fatalf("reason %q, want %q: %s", e.Reason, reason, r.Body)
	}
	if field != "" && !slices.ContainsFunc(e.Fields, func(f billkit.FieldError) bool { return f.Field == field }) {
		t.Fatalf("no field %q in %s", field, r.Body)
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func usd(s string) billkit.Money { return billkit.MustParseMoney(s, "USD") }

// mustID parses an ID of the answers.
func mustID[T any](t *testing.T, s string) billkit.ID[T] {
	t.Helper()
	id, err := billkit.ParseID[T](s)
	if err != nil {
		t.Fatalf("ID %q: %v", s, err)
	}
	return id
}
