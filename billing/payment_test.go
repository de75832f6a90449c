package billing_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
)

// fakeGateway is a Gateway for tests: it answers as its functions say, and
// by default like a redirect gateway whose callbacks are JSON events
// signed by the method's "webhook_secret".
type fakeGateway struct {
	mu      sync.Mutex
	code    string
	caps    billing.GatewayCapabilities
	start   func(r billing.StartPaymentRequest) (billing.StartPaymentResult, error)
	query   func(r billing.QueryPaymentRequest) (billing.GatewayReport, error)
	refund  func(r billing.RefundRequest) (billing.RefundResult, error)
	charge  func(r billing.StartPaymentRequest) (billing.GatewayReport, error)
	starts  int
	queries int
	refunds []billing.RefundRequest
}

func newFakeGateway() *fakeGateway {
	return &fakeGateway{code: "fake", caps: billing.GatewayCapabilities{Refund: true, PartialRefund: true, SaveMethod: true, Callbacks: true}}
}

func (g *fakeGateway) Code() string                              { return g.code }
func (g *fakeGateway) Capabilities() billing.GatewayCapabilities { return g.caps }

func (g *fakeGateway) ValidateSettings(s map[string]string) error {
	if s["webhook_secret"] == "" {
		return billkit.InvalidField("webhook_secret", "required", "is required")
	}
	return nil
}

func (g *fakeGateway) Start(_ context.Context, r billing.StartPaymentRequest) (billing.StartPaymentResult, error) {
	g.mu.Lock()
	g.starts++
	start := g.start
	g.mu.Unlock()
	if start != nil {
		return start(r)
	}
	return billing.StartPaymentResult{GatewayPaymentID: "fk_" + r.PaymentID.String(), RedirectURL: "https://pay.example/" + r.PaymentID.String(), Status: billing.PaymentPending}, nil
}

// fakeEvent is the fake gateway's callback body.
type fakeEvent struct {
	ID         string `json:"id,omitempty"`
	Type       string `json:"type,omitempty"`
	Payment    string `json:"payment,omitempty"`
	GatewayID  string `json:"gateway_id,omitempty"`
	Status     string `json:"status"`
	Amount     string `json:"amount,omitempty"`
	Currency   string `json:"currency,omitempty"`
	Refunded   string `json:"refunded,omitempty"`
	SavedRef   string `json:"saved_ref,omitempty"`
	SavedLabel string `json:"saved_label,omitempty"`
}

func (g *fakeGateway) ParseCallback(_ context.Context, r billing.CallbackRequest) (billing.GatewayReport, error) {
	if sig := r.Header["X-Signature"]; len(sig) != 1 || sig[0] != r.Settings["webhook_secret"] {
		return billing.GatewayReport{}, billkit.Errorf(billkit.CodeUnauthenticated, billing.ReasonCallbackSignature, "bad signature")
	}
	var ev fakeEvent
	if err := json.Unmarshal(r.Body, &ev); err != nil {
		return billing.GatewayReport{}, billkit.InvalidField("body", "fake.malformed", err.Error())
	}
	if ev.Type == "ping" {
		return billing.GatewayReport{Ignore: true}, nil
	}
	rep := billing.GatewayReport{EventID: ev.ID, GatewayPaymentID: ev.GatewayID, Status: billing.PaymentStatus(ev.Status)}
	if ev.Payment != "" {
		id, err := billkit.ParseID[billing.Payment](ev.Payment)
		if err != nil {
			return billing.GatewayReport{}, billkit.InvalidField("payment", "fake.malformed", err.Error())
		}
		rep.PaymentID = id
	}
	if ev.Amount != "" {
		rep.Amount = billkit.MustParseMoney(ev.Amount, ev.Currency)
	}
	if ev.Refunded != "" {
		rep.Refunded = billkit.MustParseMoney(ev.Refunded, ev.Currency)
	}
	if ev.SavedRef != "" {
		rep.SavedMethod = &billing.SavedMethodRef{Ref: ev.SavedRef, Label: ev.SavedLabel}
	}
	return rep, nil
}

func (g *fakeGateway) Query(_ context.Context, r billing.QueryPaymentRequest) (billing.GatewayReport, error) {
	g.mu.Lock()
	g.queries++
	query := g.query
	g.mu.Unlock()
	if query != nil {
		return query(r)
	}
	return billing.GatewayReport{PaymentID: r.PaymentID, GatewayPaymentID: r.GatewayPaymentID, Status: billing.PaymentPending}, nil
}

func (g *fakeGateway) Refund(_ context.Context, r billing.RefundRequest) (billing.RefundResult, error) {
	g.mu.Lock()
	g.refunds = append(g.refunds, r)
	refund := g.refund
	g.mu.Unlock()
	if refund != nil {
		return refund(r)
	}
	return billing.RefundResult{GatewayRefundID: "re_" + r.RefundID}, nil
}

func (g *fakeGateway) ChargeSaved(_ context.Context, r billing.StartPaymentRequest) (billing.GatewayReport, error) {
	g.mu.Lock()
	charge := g.charge
	g.mu.Unlock()
	if charge != nil {
		return charge(r)
	}
	return billing.GatewayReport{GatewayPaymentID: "ch_" + r.PaymentID.String(), Status: billing.PaymentPaid, Amount: r.Amount}, nil
}

func (g *fakeGateway) set(f func(g *fakeGateway)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	f(g)
}

var _ billing.SavedMethodCharger = (*fakeGateway)(nil)
var _ billing.SettingsValidator = (*fakeGateway)(nil)

// payEnv is newEnv with the fake gateway configured, a company serving the
// provider, and a method of each gateway.
type payEnv struct {
	*env
	gw                    *fakeGateway
	company               *billing.Company
	card, manual, eurCard *billing.PaymentMethod
}

func newPayEnv(t *testing.T) *payEnv {
	t.Helper()
	e := newEnv(t)
	gw := newFakeGateway()
	// The auditor reads e.svc when the test ends: it audits this service.
	e.svc = billing.NewService(e.st.Billing(), e.dir, billing.Config{Clock: e.clock, Gateways: []billing.Gateway{gw}})
	return setUpPayEnv(t, e, gw)
}

func setUpPayEnv(t *testing.T, e *env, gw *fakeGateway) *payEnv {
	t.Helper()
	co, err := e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{LegalName: "HostCo LLC", Country: "RU", ProviderIDs: []billkit.ProviderID{e.prov.ID}})
	if err != nil {
		t.Fatal(err)
	}
	pe := &payEnv{env: e, gw: gw, company: co}
	pe.card = pe.method(t, billing.CreatePaymentMethodParams{Gateway: "fake", Name: directory.Text{"en": "Card"}, SortOrder: 1,
		Settings: map[string]string{"webhook_secret": "whsec", "api_key": "sk_live_secret"}})
	pe.manual = pe.method(t, billing.CreatePaymentMethodParams{Gateway: billing.GatewayManual, Name: directory.Text{"en": "Bank transfer"}, SortOrder: 2,
		Instructions: directory.Text{"en": "IBAN DE89 3704 0044 0532 0130 00", "ru": "Счёт 40702810"}})
	pe.eurCard = pe.method(t, billing.CreatePaymentMethodParams{Gateway: "fake", Name: directory.Text{"en": "Card in EUR"}, Currency: "EUR", SortOrder: 3,
		Settings: map[string]string{"webhook_secret": "whsec"}})
	return pe
}

func (e *payEnv) method(t *testing.T, p billing.CreatePaymentMethodParams) *billing.PaymentMethod {
	t.Helper()
	p.CompanyID = e.company.ID
	m, err := e.svc.CreatePaymentMethod(ctx, system, p)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *payEnv) pay(t *testing.T, actor billkit.Actor, client billkit.ClientID, m *billing.PaymentMethod, amount billkit.Money) *billing.Payment {
	t.Helper()
	p, err := e.svc.Pay(ctx, actor, billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{ClientID: client, MethodID: m.ID, Amount: amount, Memo: "Top-up"}})
	if err != nil {
		t.Fatalf("Pay: %v", err)
	}
	return p
}

// callback delivers a fake gateway event for method m, signed.
func (e *payEnv) callback(m *billing.PaymentMethod, ev fakeEvent) (*billing.Payment, error) {
	return e.deliver(m, ev, "whsec")
}

func (e *payEnv) deliver(m *billing.PaymentMethod, ev fakeEvent, secret string) (*billing.Payment, error) {
	body, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	return e.svc.HandleCallback(ctx, m.ID, billing.CallbackRequest{Header: map[string][]string{"X-Signature": {secret}}, Body: body})
}

// paidEvent is the event that reports p paid in full.
func paidEvent(p *billing.Payment, id string) fakeEvent {
	return fakeEvent{ID: id, GatewayID: p.GatewayPaymentID, Status: "paid", Amount: p.Amount.Amount().String(), Currency: p.Amount.Currency()}
}

func (e *payEnv) get(t *testing.T, id billing.PaymentID) *billing.Payment {
	t.Helper()
	p, err := e.svc.GetPayment(ctx, system, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// paymentEntries returns the ledger entries caused by the payment and its
// refunds.
func (e *payEnv) paymentEntries(t *testing.T, client billkit.ClientID) []billing.LedgerEntry {
	t.Helper()
	page, err := e.svc.ListEntries(ctx, system, billing.LedgerFilter{ClientID: client})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// writes counts the rows a payment call may write.
func (e *payEnv) writes(t *testing.T) [5]int {
	t.Helper()
	return [5]int{
		e.count(t, "billkit_payments", "1 = 1"), e.count(t, "billkit_payment_events", "1 = 1"), e.count(t, "billkit_ledger_entries", "1 = 1"),
		e.count(t, "billkit_actions", "1 = 1"), e.count(t, "billkit_payments", "status <> 'new'"),
	}
}

// issuedInvoice issues an invoice of one line to the client.
func (e *payEnv) issuedInvoice(t *testing.T, client billkit.ClientID, amount string) *billing.Invoice {
	t.Helper()
	e.payer(t, client, "Payer")
	inv, err := e.svc.CreateInvoice(ctx, system, billing.CreateInvoiceParams{CompanyID: e.company.ID, ClientID: client,
		Lines: []billing.InvoiceLineParams{{Description: "VPS", Quantity: dec("1"), UnitPrice: rub(amount)}}})
	if err != nil {
		t.Fatal(err)
	}
	if inv, err = e.svc.IssueInvoice(ctx, system, inv.ID); err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestPaymentTransitions(t *testing.T) {
	allowed := map[billing.PaymentStatus][]billing.PaymentStatus{
		billing.PaymentNew:            {billing.PaymentPending, billing.PaymentPaid, billing.PaymentFailed, billing.PaymentCancelled},
		billing.PaymentPending:        {billing.PaymentPaid, billing.PaymentFailed, billing.PaymentCancelled},
		billing.PaymentPaid:           {billing.PaymentPartlyRefunded, billing.PaymentRefunded},
		billing.PaymentPartlyRefunded: {billing.PaymentPartlyRefunded, billing.PaymentRefunded},
	}
	for _, from := range billing.PaymentStatuses() {
		for _, to := range billing.PaymentStatuses() {
			want := false
			for _, s := range allowed[from] {
				want = want || s == to
			}
			if got := billing.PaymentTransition(from, to); got != want {
				t.Errorf("PaymentTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
		}
		if !from.Valid() {
			t.Errorf("%s is not valid", from)
		}
	}
	// What received money never goes back.
	for _, from := range []billing.PaymentStatus{billing.PaymentPaid, billing.PaymentPartlyRefunded, billing.PaymentRefunded} {
		for _, to := range []billing.PaymentStatus{billing.PaymentNew, billing.PaymentPending, billing.PaymentFailed, billing.PaymentCancelled, billing.PaymentPaid} {
			if billing.PaymentTransition(from, to) {
				t.Errorf("%s may become %s", from, to)
			}
		}
	}
	if billing.PaymentStatus("lost").Valid() || billing.PaymentTransition("lost", billing.PaymentPaid) {
		t.Error("an unknown status is accepted")
	}
}

func TestNextPaymentCheck(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		want     time.Duration
	}{{0, time.Minute}, {1, time.Minute}, {2, 5 * time.Minute}, {3, 30 * time.Minute}, {4, 2 * time.Hour}, {5, 6 * time.Hour}, {6, 6 * time.Hour}, {100, 6 * time.Hour}} {
		if got := billing.NextPaymentCheck(tc.attempts); got != tc.want {
			t.Errorf("NextPaymentCheck(%d) = %s, want %s", tc.attempts, got, tc.want)
		}
	}
}

func TestPaymentMethods(t *testing.T) {
	e := newPayEnv(t)
	admin := staff(billkit.R(billing.FunctionPaymentMethod, billkit.OpCreate), billkit.R(billing.FunctionPaymentMethod, billkit.OpRead),
		billkit.R(billing.FunctionPaymentMethod, billkit.OpEdit), billkit.R(billing.FunctionPaymentMethod, billkit.OpDelete))
	other, err := e.svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	valid := func() billing.CreatePaymentMethodParams {
		return billing.CreatePaymentMethodParams{CompanyID: e.company.ID, Gateway: "fake", Name: directory.Text{"en": "Card"}, Settings: map[string]string{"webhook_secret": "x"}}
	}
	before := e.count(t, "billkit_payment_methods", "1 = 1")
	for _, tc := range []struct {
		name          string
		change        func(p *billing.CreatePaymentMethodParams)
		field, reason string
	}{
		{"unknown gateway", func(p *billing.CreatePaymentMethodParams) { p.Gateway = "paypal" }, "gateway", billing.ReasonGatewayUnknown},
		{"no gateway", func(p *billing.CreatePaymentMethodParams) { p.Gateway = " " }, "gateway", "required"},
		{"no name", func(p *billing.CreatePaymentMethodParams) { p.Name = nil }, "name", ""},
		{"no company", func(p *billing.CreatePaymentMethodParams) { p.CompanyID = billing.CompanyID{} }, "company_id", "required"},
		{"missing company", func(p *billing.CreatePaymentMethodParams) { p.CompanyID = billkit.NewID[billing.Company]() }, "company_id", "company.not_found"},
		{"provider not served", func(p *billing.CreatePaymentMethodParams) { p.ProviderIDs = []billkit.ProviderID{other.ID} }, "provider_ids[0]", "payment_method.provider_not_served"},
		{"unknown currency", func(p *billing.CreatePaymentMethodParams) { p.Currency = "XXX" }, "currency", "currency.unknown"},
		{"negative min", func(p *billing.CreatePaymentMethodParams) { p.MinAmount = dec("-1") }, "min_amount", "payment_method.limit_negative"},
		{"max below min", func(p *billing.CreatePaymentMethodParams) { p.MinAmount, p.MaxAmount = dec("10"), dec("5") }, "max_amount", "payment_method.limits_inverted"},
		{"bad setting key", func(p *billing.CreatePaymentMethodParams) { p.Settings["API Key"] = "x" }, "settings.API Key", "payment_method.setting_key_malformed"},
		{"gateway's own check", func(p *billing.CreatePaymentMethodParams) { delete(p.Settings, "webhook_secret") }, "settings.webhook_secret", "required"},
		{"balance in a currency", func(p *billing.CreatePaymentMethodParams) { p.Gateway, p.Currency = billing.GatewayBalance, "EUR" }, "currency", "payment_method.balance_currency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := valid()
			tc.change(&p)
			_, err := e.svc.CreatePaymentMethod(ctx, admin, p)
			wantField(t, err, tc.field, tc.reason)
		})
	}
	if n := e.count(t, "billkit_payment_methods", "1 = 1"); n != before {
		t.Fatalf("bad input stored %d methods", n-before)
	}
	_, err = e.svc.CreatePaymentMethod(ctx, staff(), valid())
	wantCode(t, err, billkit.CodeForbidden, "")

	p := valid()
	p.Enabled, p.ProviderIDs, p.MaxAmount = ptr(false), []billkit.ProviderID{e.prov.ID}, dec("500")
	m, err := e.svc.CreatePaymentMethod(ctx, admin, p)
	if err != nil {
		t.Fatal(err)
	}
	if m.Enabled || len(m.ProviderIDs) != 1 || m.Settings["webhook_secret"] != "x" {
		t.Fatalf("method = %+v", m)
	}
	// The action log keeps which settings are set, never their values.
	var logged string
	if err := e.st.DB().NewSelect().TableExpr("billkit_actions").Column("changes").Where("name = ? AND object_id = ?", "billing.payment_method.create", e.card.ID.String()).Scan(ctx, &logged); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logged, "sk_live_secret") || !strings.Contains(logged, "api_key") {
		t.Fatalf("logged method = %s", logged)
	}

	up, err := e.svc.UpdatePaymentMethod(ctx, admin, m.ID, billing.UpdatePaymentMethodParams{Enabled: ptr(true), SortOrder: ptr(-1), MinAmount: ptr(dec("100"))})
	if err != nil || !up.Enabled || up.SortOrder != -1 || !up.MinAmount.Equal(dec("100")) || up.Gateway != "fake" {
		t.Fatalf("updated = %+v, %v", up, err)
	}
	_, err = e.svc.UpdatePaymentMethod(ctx, admin, m.ID, billing.UpdatePaymentMethodParams{MinAmount: ptr(dec("501"))})
	wantField(t, err, "max_amount", "payment_method.limits_inverted")
	_, err = e.svc.UpdatePaymentMethod(ctx, admin, billkit.NewID[billing.PaymentMethod](), billing.UpdatePaymentMethodParams{Enabled: ptr(true)})
	wantCode(t, err, billkit.CodeNotFound, "payment_method.not_found")
	got, err := e.svc.GetPaymentMethod(ctx, admin, m.ID)
	if err != nil || got.MinAmount.String() != "100" {
		t.Fatalf("got = %+v, %v", got, err)
	}
	page, err := e.svc.ListPaymentMethods(ctx, admin, billing.PaymentMethodFilter{Gateway: "fake"})
	if err != nil || len(page.Items) != 3 || page.Items[0].ID != m.ID {
		t.Fatalf("list = %+v, %v", page.Items, err)
	}

	// A client sees the enabled methods of its provider's companies, in
	// order, without settings; with an amount, those that accept it.
	c := e.client(t, "Acme")
	cust := customer(c.ID)
	list, err := e.svc.ListClientPaymentMethods(ctx, cust, c.ID, billkit.Money{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4 || list[0].ID != m.ID || list[1].ID != e.card.ID || list[3].Currency != "EUR" || list[1].Currency != "RUB" || !list[1].CanSave {
		t.Fatalf("client's methods = %+v", list)
	}
	if list[2].Instructions.Get("ru") != "Счёт 40702810" {
		t.Fatalf("instructions = %v", list[2].Instructions)
	}
	list, err = e.svc.ListClientPaymentMethods(ctx, cust, c.ID, rub("50"))
	if err != nil || len(list) != 2 || list[0].ID != e.card.ID {
		t.Fatalf("methods for 50 RUB = %+v, %v", list, err)
	}
	list, err = e.svc.ListClientPaymentMethods(ctx, cust, c.ID, billkit.MustParseMoney("5", "EUR"))
	if err != nil || len(list) != 1 || list[0].ID != e.eurCard.ID {
		t.Fatalf("methods for 5 EUR = %+v, %v", list, err)
	}
	oc, err := e.svc.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: other.ID, Name: "Elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	if list, err := e.svc.ListClientPaymentMethods(ctx, system, oc.ID, billkit.Money{}); err != nil || len(list) != 0 {
		t.Fatalf("methods of another provider's client = %+v, %v", list, err)
	}
	_, err = e.svc.ListClientPaymentMethods(ctx, cust, oc.ID, billkit.Money{})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.GetPaymentMethod(ctx, cust, m.ID)
	wantCode(t, err, billkit.CodeForbidden, "")

	// A method with payments stays; one without goes.
	e.pay(t, system, c.ID, e.manual, rub("10"))
	err = e.svc.DeletePaymentMethod(ctx, admin, e.manual.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, "payment_method.in_use")
	if err := e.svc.DeletePaymentMethod(ctx, admin, m.ID); err != nil {
		t.Fatal(err)
	}
	if n := e.actions(t, "billing.payment_method.delete", m.ID.String()); n != 1 {
		t.Fatalf("%d delete actions", n)
	}
}

func TestPaymentBadInput(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	off := e.method(t, billing.CreatePaymentMethodParams{Gateway: "fake", Name: directory.Text{"en": "Off"}, Enabled: ptr(false), Settings: map[string]string{"webhook_secret": "x"}})
	limited := e.method(t, billing.CreatePaymentMethodParams{Gateway: billing.GatewayManual, Name: directory.Text{"en": "Cash"}, MinAmount: dec("100"), MaxAmount: dec("1000")})
	balance := e.method(t, billing.CreatePaymentMethodParams{Gateway: billing.GatewayBalance, Name: directory.Text{"en": "Balance"}})
	other, err := e.svc.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Other", Currency: "RUB"})
	if err != nil {
		t.Fatal(err)
	}
	oc, err := e.svc.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: other.ID, Name: "Elsewhere"})
	if err != nil {
		t.Fatal(err)
	}
	before := e.writes(t)
	for _, tc := range []struct {
		name          string
		p             billing.CreatePaymentParams
		field, reason string
	}{
		{"zero", billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("0.00")}, "amount", "payment.amount_not_positive"},
		{"negative", billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("-5")}, "amount", "payment.amount_not_positive"},
		{"no amount", billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID}, "amount", "required"},
		{"too many decimals", billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("10.001")}, "amount", "payment.too_many_decimals"},
		{"wrong currency", billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: billkit.MustParseMoney("10", "USD")}, "amount", "payment.currency_mismatch"},
		{"unknown method", billing.CreatePaymentParams{ClientID: c.ID, MethodID: billkit.NewID[billing.PaymentMethod](), Amount: rub("10")}, "method_id", "payment_method.not_found"},
		{"no method", billing.CreatePaymentParams{ClientID: c.ID, Amount: rub("10")}, "method_id", "required"},
		{"disabled method", billing.CreatePaymentParams{ClientID: c.ID, MethodID: off.ID, Amount: rub("10")}, "method_id", "payment_method.disabled"},
		{"below the minimum", billing.CreatePaymentParams{ClientID: c.ID, MethodID: limited.ID, Amount: rub("99.99")}, "amount", "payment.amount_below_min"},
		{"above the maximum", billing.CreatePaymentParams{ClientID: c.ID, MethodID: limited.ID, Amount: rub("1000.01")}, "amount", "payment.amount_above_max"},
		{"balance without invoice", billing.CreatePaymentParams{ClientID: c.ID, MethodID: balance.ID, Amount: rub("10")}, "invoice_id", billing.ReasonBalanceNeedsInvoice},
		{"no client", billing.CreatePaymentParams{MethodID: e.card.ID, Amount: rub("10")}, "client_id", "required"},
		{"long memo", billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("10"), Memo: strings.Repeat("x", 1001)}, "memo", "too_long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.CreatePayment(ctx, system, tc.p)
			wantField(t, err, tc.field, tc.reason)
			_, err = e.svc.Pay(ctx, system, billing.PayParams{CreatePaymentParams: tc.p})
			wantField(t, err, tc.field, tc.reason)
		})
	}
	// A method of another provider is not the client's to use.
	_, err = e.svc.CreatePayment(ctx, system, billing.CreatePaymentParams{ClientID: oc.ID, MethodID: e.card.ID, Amount: rub("10")})
	wantField(t, err, "method_id", "payment_method.not_available")
	// An invoice must be the client's.
	_, err = e.svc.CreatePayment(ctx, system, billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("10"), InvoiceID: billkit.NewID[billing.Invoice]()})
	wantField(t, err, "invoice_id", "invoice.not_found")
	// The balance pays invoices through the invoice code: Pay stores nothing.
	inv := e.issuedInvoice(t, c.ID, "10.00")
	before = e.writes(t)
	_, err = e.svc.Pay(ctx, system, billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{ClientID: c.ID, MethodID: balance.ID, Amount: rub("10"), InvoiceID: inv.ID}})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonUseInvoiceBalance)
	if after := e.writes(t); after != before {
		t.Fatalf("bad input wrote: before %v, after %v", before, after)
	}
}

func TestPaymentManualConfirmation(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	cust := customer(c.ID)
	p := e.pay(t, cust, c.ID, e.manual, rub("1500.00"))
	if p.Status != billing.PaymentPending || p.Instructions != "Счёт 40702810" || p.GatewayPaymentID != p.ID.String() || !p.CheckAfter.IsZero() {
		t.Fatalf("manual payment = %+v", p)
	}
	// Nothing to ask the gateway: reconciling leaves it alone.
	e.clock.Advance(time.Hour)
	if n, err := e.svc.ReconcilePayments(ctx, system); err != nil || n != 0 {
		t.Fatalf("ReconcilePayments = %d, %v", n, err)
	}
	p, err := e.svc.AttachPaymentReference(ctx, cust, p.ID, "  receipt 42 ")
	if err != nil || p.Reference != "receipt 42" {
		t.Fatalf("AttachPaymentReference = %+v, %v", p, err)
	}
	_, err = e.svc.ConfirmPayment(ctx, cust, p.ID, "")
	wantCode(t, err, billkit.CodeForbidden, "billing.staff_only")
	_, err = e.svc.ConfirmPayment(ctx, staff(billkit.R(billing.FunctionPayment, billkit.OpRead)), p.ID, "")
	wantCode(t, err, billkit.CodeForbidden, "")
	e.wantBalance(t, c.ID, "0")

	// Staff with billing.payment:edit, and no right on clients, confirm.
	clerk := staff(billkit.R(billing.FunctionPayment, billkit.OpEdit))
	paid, err := e.svc.ConfirmPayment(ctx, clerk, p.ID, "bank statement 7")
	if err != nil {
		t.Fatal(err)
	}
	if paid.Status != billing.PaymentPaid || !paid.Credited.Equal(rub("1500")) || paid.Reference != "bank statement 7" || !paid.PaidAt.Equal(billkit.Instant(e.clock.Now())) {
		t.Fatalf("confirmed = %+v", paid)
	}
	e.wantBalance(t, c.ID, "1500.00")
	entries := e.paymentEntries(t, c.ID)
	if len(entries) != 1 || entries[0].Kind != billing.LedgerPayment || entries[0].CauseType != "payment" || entries[0].CauseID != p.ID.String() ||
		entries[0].ActorID != "alice" || entries[0].Rate != nil {
		t.Fatalf("entries = %+v", entries)
	}
	_, err = e.svc.ConfirmPayment(ctx, clerk, p.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPaymentTransition)
	_, err = e.svc.CancelPayment(ctx, cust, p.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPaymentTransition)
	_, err = e.svc.AttachPaymentReference(ctx, cust, p.ID, "late")
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPaymentTransition)
	for _, name := range []string{"billing.payment.create", "billing.payment.pending", "billing.payment.reference", "billing.payment.paid"} {
		if n := e.actions(t, name, p.ID.String()); n != 1 {
			t.Errorf("%d actions %s, want 1", n, name)
		}
	}
	// A card payment is its gateway's to confirm.
	q := e.pay(t, system, c.ID, e.card, rub("10"))
	_, err = e.svc.ConfirmPayment(ctx, clerk, q.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonNotManual)
	// The owner cancels an unpaid payment.
	q, err = e.svc.CancelPayment(ctx, cust, q.ID)
	if err != nil || q.Status != billing.PaymentCancelled || !q.CheckAfter.IsZero() {
		t.Fatalf("cancelled = %+v, %v", q, err)
	}
}

func TestPaymentCallbackAppliedOnce(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	p := e.pay(t, customer(c.ID), c.ID, e.card, rub("250.50"))
	if p.Status != billing.PaymentPending || p.GatewayPaymentID != "fk_"+p.ID.String() || p.RedirectURL == "" || p.Attempts != 1 ||
		!p.CheckAfter.Equal(billkit.Instant(e.clock.Now()).Add(time.Minute)) {
		t.Fatalf("started = %+v", p)
	}
	e.clock.Advance(10 * time.Second)
	got, err := e.callback(e.card, paidEvent(p, "evt_1"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != billing.PaymentPaid || !got.Credited.Equal(rub("250.50")) || !got.CheckAfter.IsZero() {
		t.Fatalf("paid = %+v", got)
	}
	// The same event again, the same news without an event ID, and a late
	// "pending": nothing changes, and no error, so the gateway stops.
	before := e.writes(t)
	for i, ev := range []fakeEvent{paidEvent(p, "evt_1"), paidEvent(p, ""), paidEvent(p, "evt_2"),
		{ID: "evt_3", GatewayID: p.GatewayPaymentID, Status: "pending"}, {ID: "evt_4", Payment: p.ID.String(), Status: "failed"}} {
		again, err := e.callback(e.card, ev)
		if err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
		if again.Status != billing.PaymentPaid || !again.UpdatedAt.Equal(got.UpdatedAt) {
			t.Fatalf("delivery %d changed the payment: %+v", i, again)
		}
	}
	after := e.writes(t)
	after[1] -= 3 // the new event IDs are kept, as the guard against their replay
	if after != before {
		t.Fatalf("duplicates wrote: before %v, after %v", before, after)
	}
	e.wantBalance(t, c.ID, "250.50")
	if n := e.actions(t, "billing.payment.paid", p.ID.String()); n != 1 {
		t.Fatalf("%d paid actions", n)
	}
	// A ping is ignored.
	if got, err := e.callback(e.card, fakeEvent{Type: "ping"}); err != nil || got != nil {
		t.Fatalf("ping = %+v, %v", got, err)
	}
}

func TestPaymentCallbackRefused(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	p := e.pay(t, system, c.ID, e.card, rub("100"))
	before := e.writes(t)
	_, err := e.deliver(e.card, paidEvent(p, "evt_1"), "forged")
	wantCode(t, err, billkit.CodeUnauthenticated, billing.ReasonCallbackSignature)
	_, err = e.callback(e.card, fakeEvent{ID: "evt_2", GatewayID: "fk_unknown", Status: "paid", Amount: "100", Currency: "RUB"})
	wantCode(t, err, billkit.CodeNotFound, "payment.not_found")
	_, err = e.callback(e.card, fakeEvent{ID: "evt_3", Payment: billkit.NewID[billing.Payment]().String(), Status: "paid"})
	wantCode(t, err, billkit.CodeNotFound, "payment.not_found")
	// A payment of another gateway is not found through this one.
	m := e.pay(t, system, c.ID, e.manual, rub("5"))
	_, err = e.callback(e.card, fakeEvent{ID: "evt_4", Payment: m.ID.String(), Status: "paid"})
	wantCode(t, err, billkit.CodeNotFound, "payment.not_found")
	before[0]++
	before[3] += 2 // the manual payment's create and pending actions
	before[4]++
	// Nor through another method of the same gateway.
	_, err = e.callback(e.eurCard, paidEvent(p, "evt_7"))
	wantCode(t, err, billkit.CodeNotFound, "payment.not_found")
	// A paid report of another amount or currency is refused.
	for _, ev := range []fakeEvent{
		{ID: "evt_5", GatewayID: p.GatewayPaymentID, Status: "paid", Amount: "99.99", Currency: "RUB"},
		{ID: "evt_6", GatewayID: p.GatewayPaymentID, Status: "paid", Amount: "100", Currency: "USD"},
	} {
		_, err = e.callback(e.card, ev)
		wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPaymentAmountMismatch)
	}
	// The manual gateway takes no callbacks at all.
	_, err = e.callback(e.manual, fakeEvent{Payment: m.ID.String(), Status: "paid"})
	wantCode(t, err, billkit.CodeUnauthenticated, billing.ReasonCallbackSignature)
	if after := e.writes(t); after != before {
		t.Fatalf("refused callbacks wrote: before %v, after %v", before, after)
	}
	if got := e.get(t, p.ID); got.Status != billing.PaymentPending {
		t.Fatalf("payment = %+v", got)
	}
	e.wantBalance(t, c.ID, "0")
}

func TestPaymentOutOfOrderCallbacks(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	// "paid" before the answer to Start was stored: found by the echoed ID.
	p, err := e.svc.CreatePayment(ctx, system, billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("10")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.callback(e.card, fakeEvent{ID: "e1", Payment: p.ID.String(), GatewayID: "fk_x", Status: "paid", Amount: "10.00", Currency: "RUB"})
	if err != nil || got.Status != billing.PaymentPaid || got.GatewayPaymentID != "fk_x" {
		t.Fatalf("early paid = %+v, %v", got, err)
	}
	// Start afterwards changes nothing.
	if got, err = e.svc.StartPayment(ctx, system, p.ID, billing.StartOptions{}); err == nil || got != nil {
		t.Fatalf("StartPayment of a paid payment = %+v, %v", got, err)
	}
	// "failed" then a late "paid": the money is not credited to a failed
	// payment, but staff are told.
	q := e.pay(t, system, c.ID, e.card, rub("20"))
	if _, err := e.callback(e.card, fakeEvent{ID: "e2", GatewayID: q.GatewayPaymentID, Status: "failed"}); err != nil {
		t.Fatal(err)
	}
	got, err = e.callback(e.card, paidEvent(q, "e3"))
	if err != nil || got.Status != billing.PaymentFailed || got.Attention == "" {
		t.Fatalf("paid after failed = %+v, %v", got, err)
	}
	page, err := e.svc.ListPayments(ctx, system, billing.PaymentFilter{Attention: true})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != q.ID {
		t.Fatalf("flagged = %+v, %v", page.Items, err)
	}
	// Customers do not see staff's flag.
	if mine, err := e.svc.GetPayment(ctx, customer(c.ID), q.ID); err != nil || mine.Attention != "" {
		t.Fatalf("customer's view = %+v, %v", mine, err)
	}
	e.wantBalance(t, c.ID, "10.00")
}

func TestPaymentCurrencyConversion(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	if _, err := e.dir.SetExchangeRate(ctx, system, directory.SetExchangeRateParams{Base: "EUR", Quote: "RUB", Rate: dec("100.5"), Date: billkit.MustDate(2024, 3, 14)}); err != nil {
		t.Fatal(err)
	}
	eur := func(s string) billkit.Money { return billkit.MustParseMoney(s, "EUR") }
	p := e.pay(t, system, c.ID, e.eurCard, eur("10.00"))
	got, err := e.callback(e.eurCard, paidEvent(p, "evt_1"))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Amount.Equal(eur("10")) || got.Credited.String() != "1005.00 RUB" || got.Rate == nil || !got.Rate.Equal(dec("100.5")) {
		t.Fatalf("converted payment = %+v", got)
	}
	entries := e.paymentEntries(t, c.ID)
	if len(entries) != 1 || !entries[0].Amount.Equal(rub("1005")) || entries[0].Rate == nil || !entries[0].Rate.Equal(dec("100.5")) {
		t.Fatalf("entries = %+v", entries)
	}
	// A later rate changes nothing already paid: refunds go back at the
	// payment's rate, and the last takes exactly what is left.
	if _, err := e.dir.SetExchangeRate(ctx, system, directory.SetExchangeRateParams{Base: "EUR", Quote: "RUB", Rate: dec("120"), Date: billkit.MustDate(2024, 3, 15)}); err != nil {
		t.Fatal(err)
	}
	admin := staff(billkit.R(billing.FunctionPayment, billkit.OpEdit))
	for _, amount := range []string{"3.33", "3.33", "3.34"} {
		e.clock.Advance(time.Second)
		if _, err := e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: eur(amount), Reason: "goodwill"}); err != nil {
			t.Fatal(err)
		}
	}
	e.wantBalance(t, c.ID, "0.00")
	entries = e.paymentEntries(t, c.ID)
	if len(entries) != 4 || !entries[0].Amount.Equal(rub("-335.66")) || !entries[1].Amount.Equal(rub("-334.67")) ||
		entries[0].Kind != billing.LedgerRefund || entries[0].CauseType != "payment_refund" || !entries[0].Rate.Equal(dec("100.5")) {
		t.Fatalf("refund entries = %+v", entries)
	}
	if got := e.get(t, p.ID); got.Status != billing.PaymentRefunded || !got.Refunded.Equal(eur("10")) {
		t.Fatalf("refunded payment = %+v", got)
	}
	// Without a rate, a payment in another currency cannot be credited:
	// nothing changes, and the gateway will deliver again.
	usd := e.method(t, billing.CreatePaymentMethodParams{Gateway: "fake", Name: directory.Text{"en": "USD"}, Currency: "USD", Settings: map[string]string{"webhook_secret": "whsec"}})
	q := e.pay(t, system, c.ID, usd, billkit.MustParseMoney("5", "USD"))
	_, err = e.callback(usd, paidEvent(q, "evt_2"))
	wantCode(t, err, billkit.CodeFailedPrecondition, "rate.not_found")
	if got := e.get(t, q.ID); got.Status != billing.PaymentPending {
		t.Fatalf("unconverted payment = %+v", got)
	}
}

func TestPaymentGatewayTimeout(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	e.gw.set(func(g *fakeGateway) {
		g.start = func(billing.StartPaymentRequest) (billing.StartPaymentResult, error) {
			return billing.StartPaymentResult{}, fmt.Errorf("posting to the gateway: %w", context.DeadlineExceeded)
		}
	})
	_, err := e.svc.Pay(ctx, customer(c.ID), billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("700")}})
	wantCode(t, err, billkit.CodeUnavailable, billing.ReasonOutcomeUnknown)
	page, err := e.svc.ListPayments(ctx, system, billing.PaymentFilter{ClientID: c.ID})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("payments = %+v, %v", page.Items, err)
	}
	p := page.Items[0]
	if p.Status != billing.PaymentNew || p.Attempts != 1 || !p.CheckAfter.Equal(billkit.Instant(e.clock.Now()).Add(time.Minute)) {
		t.Fatalf("payment after a timeout = %+v", p)
	}
	// Not due yet: the gateway is not asked.
	if n, err := e.svc.ReconcilePayments(ctx, system); err != nil || n != 0 || e.gw.queries != 0 {
		t.Fatalf("early ReconcilePayments = %d, %v (%d queries)", n, err, e.gw.queries)
	}
	// Due: the gateway says it was paid after all.
	e.clock.Advance(time.Minute)
	e.gw.set(func(g *fakeGateway) {
		g.query = func(r billing.QueryPaymentRequest) (billing.GatewayReport, error) {
			return billing.GatewayReport{PaymentID: r.PaymentID, GatewayPaymentID: "fk_late", Status: billing.PaymentPaid, Amount: rub("700.00")}, nil
		}
	})
	n, err := e.svc.ReconcilePayments(ctx, system)
	if err != nil || n != 1 {
		t.Fatalf("ReconcilePayments = %d, %v", n, err)
	}
	got := e.get(t, p.ID)
	if got.Status != billing.PaymentPaid || got.GatewayPaymentID != "fk_late" || !got.CheckAfter.IsZero() {
		t.Fatalf("reconciled = %+v", got)
	}
	e.wantBalance(t, c.ID, "700")
	// Nothing is left to ask.
	e.clock.Advance(24 * time.Hour)
	if n, err := e.svc.ReconcilePayments(ctx, system); err != nil || n != 0 {
		t.Fatalf("second ReconcilePayments = %d, %v", n, err)
	}
	_, err = e.svc.ReconcilePayments(ctx, customer(c.ID))
	wantCode(t, err, billkit.CodeForbidden, "")
}

func TestPaymentReconcileBackoff(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	p := e.pay(t, system, c.ID, e.card, rub("10"))
	// The gateway keeps saying pending, or does not answer: the waits grow.
	calls := 0
	e.gw.set(func(g *fakeGateway) {
		g.query = func(r billing.QueryPaymentRequest) (billing.GatewayReport, error) {
			calls++
			if calls%2 == 0 {
				return billing.GatewayReport{}, billkit.Errorf(billkit.CodeUnavailable, "fake.down", "the gateway is down")
			}
			return billing.GatewayReport{PaymentID: r.PaymentID, Status: billing.PaymentPending}, nil
		}
	})
	var waits []time.Duration
	for i := 0; i < 6; i++ {
		got := e.get(t, p.ID)
		e.clock.Set(got.CheckAfter)
		n, err := e.svc.ReconcilePayments(ctx, system)
		if n != 0 || (calls%2 == 0) != (err != nil) {
			t.Fatalf("check %d: ReconcilePayments = %d, %v", i, n, err)
		}
		if err != nil {
			wantCode(t, err, billkit.CodeUnavailable, "payment.reconcile_incomplete")
		}
		after := e.get(t, p.ID)
		waits = append(waits, after.CheckAfter.Sub(billkit.Instant(e.clock.Now())))
		if after.Status != billing.PaymentPending || after.Attempts != i+2 || after.Attention != "" {
			t.Fatalf("check %d: payment = %+v", i, after)
		}
	}
	want := []time.Duration{5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 6 * time.Hour, 6 * time.Hour}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Fatalf("waits = %v, want %v", waits, want)
	}
	// A week on, the payment is flagged for staff, and still asked about.
	e.clock.Set(p.CreatedAt.Add(billing.PaymentUnresolvedAfter))
	calls = 2 // the next answer is "pending"
	if _, err := e.svc.ReconcilePayments(ctx, system); err != nil {
		t.Fatal(err)
	}
	got := e.get(t, p.ID)
	if got.Status != billing.PaymentPending || got.Attention == "" || !got.CheckAfter.Equal(billkit.Instant(e.clock.Now()).Add(6*time.Hour)) {
		t.Fatalf("week-old payment = %+v", got)
	}
	if n := e.actions(t, "billing.payment.attention", p.ID.String()); n != 1 {
		t.Fatalf("%d attention actions", n)
	}
	// A new payment whose start never reached the gateway fails.
	e.gw.set(func(g *fakeGateway) {
		g.start = func(billing.StartPaymentRequest) (billing.StartPaymentResult, error) {
			return billing.StartPaymentResult{}, fmt.Errorf("connection reset")
		}
		g.query = func(r billing.QueryPaymentRequest) (billing.GatewayReport, error) {
			return billing.GatewayReport{}, billkit.NotFound("fake_payment", r.PaymentID)
		}
	})
	_, err := e.svc.Pay(ctx, system, billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("5")}})
	wantCode(t, err, billkit.CodeUnavailable, billing.ReasonOutcomeUnknown)
	e.clock.Advance(time.Minute)
	n, err := e.svc.ReconcilePayments(ctx, system)
	if err != nil || n != 1 {
		t.Fatalf("ReconcilePayments = %d, %v", n, err)
	}
	failed, err := e.svc.ListPayments(ctx, system, billing.PaymentFilter{Status: billing.PaymentFailed})
	if err != nil || len(failed.Items) != 1 || failed.Items[0].Message == "" {
		t.Fatalf("failed payments = %+v, %v", failed.Items, err)
	}
}

func TestPaymentStartRefused(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	e.gw.set(func(g *fakeGateway) {
		g.start = func(billing.StartPaymentRequest) (billing.StartPaymentResult, error) {
			return billing.StartPaymentResult{}, billkit.Errorf(billkit.CodeFailedPrecondition, "fake.card_declined", "the card was declined")
		}
	})
	_, err := e.svc.Pay(ctx, system, billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("5")}})
	wantCode(t, err, billkit.CodeFailedPrecondition, "fake.card_declined")
	page, err := e.svc.ListPayments(ctx, system, billing.PaymentFilter{ClientID: c.ID})
	if err != nil || len(page.Items) != 1 || page.Items[0].Status != billing.PaymentFailed || !page.Items[0].CheckAfter.IsZero() ||
		!strings.Contains(page.Items[0].Message, "declined") {
		t.Fatalf("payments = %+v, %v", page.Items, err)
	}
	// A payment completed at once by Start is credited at once.
	e.gw.set(func(g *fakeGateway) {
		g.start = func(r billing.StartPaymentRequest) (billing.StartPaymentResult, error) {
			return billing.StartPaymentResult{GatewayPaymentID: "fk_now", Status: billing.PaymentPaid}, nil
		}
	})
	p := e.pay(t, system, c.ID, e.card, rub("42"))
	if p.Status != billing.PaymentPaid || p.GatewayPaymentID != "fk_now" {
		t.Fatalf("paid at once = %+v", p)
	}
	e.wantBalance(t, c.ID, "42")
}

func TestPaymentRefunds(t *testing.T) {
	e := newPayEnv(t)
	c := e.limitedClient(t, "Acme", "0")
	p := e.pay(t, system, c.ID, e.card, rub("100.00"))
	admin := staff(billkit.R(billing.FunctionPayment, billkit.OpEdit), billkit.R(billing.FunctionPayment, billkit.OpRead))
	// Nothing to refund before it is paid.
	_, err := e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("1")})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPaymentTransition)
	if _, err := e.callback(e.card, paidEvent(p, "evt_1")); err != nil {
		t.Fatal(err)
	}
	// The client spends some: a refund may still take the balance below
	// the credit limit, since the money has left.
	e.post(t, c.ID, "-80", billing.LedgerExpense)
	before := e.writes(t)
	for _, tc := range []struct {
		name          string
		p             billing.RefundParams
		field, reason string
	}{
		{"more than paid", billing.RefundParams{Amount: rub("100.01")}, "amount", billing.ReasonRefundExceeds},
		{"zero", billing.RefundParams{Amount: rub("0")}, "amount", "payment.amount_not_positive"},
		{"too many decimals", billing.RefundParams{Amount: rub("1.001")}, "amount", "payment.too_many_decimals"},
		{"other currency", billing.RefundParams{Amount: billkit.MustParseMoney("1", "EUR")}, "amount", "payment.currency_mismatch"},
	} {
		_, err := e.svc.RefundPayment(ctx, admin, p.ID, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	_, err = e.svc.RefundPayment(ctx, customer(c.ID), p.ID, billing.RefundParams{Amount: rub("1")})
	wantCode(t, err, billkit.CodeForbidden, "billing.staff_only")
	if after := e.writes(t); after != before {
		t.Fatalf("refused refunds wrote: %v, %v", before, after)
	}

	key := billkit.NewID[billing.PaymentRefund]()
	r, err := e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("30"), Reason: "partial", RefundID: key})
	if err != nil || r.Status != billing.RefundDone || r.ID != key || !r.Debited.Equal(rub("30")) || r.GatewayRefundID != "re_"+key.String() {
		t.Fatalf("refund = %+v, %v", r, err)
	}
	// The same refund asked again applies once.
	again, err := e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("30"), RefundID: key})
	if err != nil || again.ID != key {
		t.Fatalf("retried refund = %+v, %v", again, err)
	}
	_, err = e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("31"), RefundID: key})
	wantCode(t, err, billkit.CodeConflict, "payment_refund.key_reused")
	if len(e.gw.refunds) != 1 {
		t.Fatalf("the gateway was asked %d times", len(e.gw.refunds))
	}
	got := e.get(t, p.ID)
	if got.Status != billing.PaymentPartlyRefunded || !got.Refunded.Equal(rub("30")) {
		t.Fatalf("partly refunded = %+v", got)
	}
	e.wantBalance(t, c.ID, "-10.00")
	_, err = e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("70.01")})
	wantField(t, err, "amount", billing.ReasonRefundExceeds)

	// The gateway does not answer: the refund waits, reserved, and a retry
	// with its ID completes it.
	e.gw.set(func(g *fakeGateway) {
		g.refund = func(billing.RefundRequest) (billing.RefundResult, error) {
			return billing.RefundResult{}, context.DeadlineExceeded
		}
	})
	key2 := billkit.NewID[billing.PaymentRefund]()
	_, err = e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("50"), RefundID: key2})
	wantCode(t, err, billkit.CodeUnavailable, "payment.refund_unknown")
	_, err = e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("20.01")})
	wantField(t, err, "amount", billing.ReasonRefundExceeds)
	e.gw.set(func(g *fakeGateway) { g.refund = nil })
	if r, err := e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("50"), RefundID: key2}); err != nil || r.Status != billing.RefundDone {
		t.Fatalf("retried refund = %+v, %v", r, err)
	}
	// A refused refund fails and moves nothing.
	e.gw.set(func(g *fakeGateway) {
		g.refund = func(billing.RefundRequest) (billing.RefundResult, error) {
			return billing.RefundResult{}, billkit.Errorf(billkit.CodeFailedPrecondition, "fake.too_late", "too late to refund")
		}
	})
	_, err = e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("20")})
	wantCode(t, err, billkit.CodeFailedPrecondition, "fake.too_late")
	e.gw.set(func(g *fakeGateway) { g.refund = nil })
	r, err = e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("20")})
	if err != nil {
		t.Fatal(err)
	}
	got = e.get(t, p.ID)
	if got.Status != billing.PaymentRefunded || !got.Refunded.Equal(rub("100")) {
		t.Fatalf("refunded = %+v", got)
	}
	e.wantBalance(t, c.ID, "-80.00")
	refunds, err := e.svc.ListPaymentRefunds(ctx, admin, p.ID)
	if err != nil || len(refunds) != 4 || refunds[2].Status != billing.RefundFailed || refunds[3].ID != r.ID {
		t.Fatalf("refunds = %+v, %v", refunds, err)
	}
	_, err = e.svc.RefundPayment(ctx, admin, p.ID, billing.RefundParams{Amount: rub("1")})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPaymentTransition)

	// Manual payments are refunded by hand and recorded; a gateway without
	// refunds refuses.
	m := e.pay(t, system, c.ID, e.manual, rub("5"))
	if _, err := e.svc.ConfirmPayment(ctx, admin, m.ID, ""); err != nil {
		t.Fatal(err)
	}
	if r, err := e.svc.RefundPayment(ctx, admin, m.ID, billing.RefundParams{Amount: rub("5"), Reason: "cash back"}); err != nil || r.GatewayRefundID == "" {
		t.Fatalf("manual refund = %+v, %v", r, err)
	}
	e.gw.set(func(g *fakeGateway) { g.caps.Refund = false })
	q := e.pay(t, system, c.ID, e.card, rub("5"))
	if _, err := e.callback(e.card, paidEvent(q, "evt_q")); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.RefundPayment(ctx, admin, q.ID, billing.RefundParams{Amount: rub("5")})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonRefundUnsupported)
}

func TestPaymentRefundFromGateway(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	p := e.pay(t, system, c.ID, e.card, rub("100"))
	if _, err := e.callback(e.card, paidEvent(p, "evt_1")); err != nil {
		t.Fatal(err)
	}
	// Refunded in the payment service's dashboard: billkit learns it.
	got, err := e.callback(e.card, fakeEvent{ID: "evt_2", GatewayID: p.GatewayPaymentID, Status: "partly_refunded", Refunded: "40", Currency: "RUB"})
	if err != nil || got.Status != billing.PaymentPartlyRefunded || !got.Refunded.Equal(rub("40")) {
		t.Fatalf("partly refunded = %+v, %v", got, err)
	}
	// A refund asked through billkit, then the gateway's news of both.
	if _, err := e.svc.RefundPayment(ctx, system, p.ID, billing.RefundParams{Amount: rub("10")}); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []fakeEvent{
		{ID: "evt_3", GatewayID: p.GatewayPaymentID, Status: "partly_refunded", Refunded: "50", Currency: "RUB"},
		{ID: "evt_4", GatewayID: p.GatewayPaymentID, Status: "partly_refunded", Refunded: "40", Currency: "RUB"},
	} {
		if got, err = e.callback(e.card, ev); err != nil || !got.Refunded.Equal(rub("50")) {
			t.Fatalf("%s: %+v, %v", ev.ID, got, err)
		}
	}
	got, err = e.callback(e.card, fakeEvent{ID: "evt_5", GatewayID: p.GatewayPaymentID, Status: "refunded"})
	if err != nil || got.Status != billing.PaymentRefunded || !got.Refunded.Equal(rub("100")) {
		t.Fatalf("refunded = %+v, %v", got, err)
	}
	e.wantBalance(t, c.ID, "0")
	refunds, err := e.svc.ListPaymentRefunds(ctx, system, p.ID)
	if err != nil || len(refunds) != 3 || refunds[0].Source != billing.RefundSourceGateway || refunds[1].Source != billing.RefundSourceBillkit {
		t.Fatalf("refunds = %+v, %v", refunds, err)
	}
	// The "paid" callback lost, the news of a refund arrives: the payment
	// is paid, then refunded.
	q := e.pay(t, system, c.ID, e.card, rub("30"))
	got, err = e.callback(e.card, fakeEvent{ID: "evt_6", GatewayID: q.GatewayPaymentID, Status: "partly_refunded", Amount: "30", Refunded: "10", Currency: "RUB"})
	if err != nil || got.Status != billing.PaymentPartlyRefunded || !got.Credited.Equal(rub("30")) || !got.Refunded.Equal(rub("10")) {
		t.Fatalf("refund news of an unpaid payment = %+v, %v", got, err)
	}
	e.wantBalance(t, c.ID, "20")
	if n := e.actions(t, "billing.payment.paid", q.ID.String()); n != 1 {
		t.Fatalf("%d paid actions", n)
	}
}

func TestPaymentSavedMethods(t *testing.T) {
	e := newPayEnv(t)
	c, d := e.client(t, "Acme"), e.client(t, "Other")
	cust := customer(c.ID)
	p, err := e.svc.Pay(ctx, cust, billing.PayParams{
		CreatePaymentParams: billing.CreatePaymentParams{ClientID: c.ID, MethodID: e.card.ID, Amount: rub("10")},
		StartOptions:        billing.StartOptions{SaveMethod: true, ReturnURL: "https://panel.example/done"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := paidEvent(p, "evt_1")
	ev.SavedRef, ev.SavedLabel = "pm_42", "Visa •••• 4242"
	if _, err := e.callback(e.card, ev); err != nil {
		t.Fatal(err)
	}
	saved, err := e.svc.ListSavedMethods(ctx, cust, c.ID)
	if err != nil || len(saved) != 1 || saved[0].Ref != "pm_42" || saved[0].Label != "Visa •••• 4242" || saved[0].MethodID != e.card.ID {
		t.Fatalf("saved = %+v, %v", saved, err)
	}
	if got := e.get(t, p.ID); got.SavedMethodRef != "pm_42" {
		t.Fatalf("payment = %+v", got)
	}
	// Renewals charge it without the customer.
	charged, err := e.svc.ChargeSavedMethod(ctx, billkit.SystemActor("scheduler"), c.ID, saved[0].ID, rub("99.90"), billing.InvoiceID{})
	if err != nil || charged.Status != billing.PaymentPaid || charged.SavedMethodRef != "pm_42" || charged.GatewayPaymentID != "ch_"+charged.ID.String() {
		t.Fatalf("charged = %+v, %v", charged, err)
	}
	e.wantBalance(t, c.ID, "109.90")
	// A declined charge fails the payment.
	e.gw.set(func(g *fakeGateway) {
		g.charge = func(billing.StartPaymentRequest) (billing.GatewayReport, error) {
			return billing.GatewayReport{Status: billing.PaymentFailed, Message: "insufficient funds on the card"}, nil
		}
	})
	declined, err := e.svc.ChargeSavedMethod(ctx, system, c.ID, saved[0].ID, rub("5"), billing.InvoiceID{})
	if err != nil || declined.Status != billing.PaymentFailed || declined.Message == "" {
		t.Fatalf("declined = %+v, %v", declined, err)
	}
	// Another client's saved method is not found.
	_, err = e.svc.ChargeSavedMethod(ctx, system, d.ID, saved[0].ID, rub("5"), billing.InvoiceID{})
	wantCode(t, err, billkit.CodeNotFound, "saved_payment_method.not_found")
	err = e.svc.DeleteSavedMethod(ctx, customer(d.ID), saved[0].ID)
	wantCode(t, err, billkit.CodeNotFound, "saved_payment_method.not_found")
	if err := e.svc.DeleteSavedMethod(ctx, cust, saved[0].ID); err != nil {
		t.Fatal(err)
	}
	if saved, err := e.svc.ListSavedMethods(ctx, cust, c.ID); err != nil || len(saved) != 0 {
		t.Fatalf("after delete: %+v, %v", saved, err)
	}
}

func TestPaymentRights(t *testing.T) {
	e := newPayEnv(t)
	mine, other := e.client(t, "Mine"), e.client(t, "Other")
	cust := customer(mine.ID)
	p := e.pay(t, cust, mine.ID, e.card, rub("10"))
	q := e.pay(t, system, other.ID, e.card, rub("20"))
	_, err := e.svc.Pay(ctx, cust, billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{ClientID: other.ID, MethodID: e.card.ID, Amount: rub("1")}})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	for name, call := range map[string]func() error{
		"get":       func() error { _, err := e.svc.GetPayment(ctx, cust, q.ID); return err },
		"cancel":    func() error { _, err := e.svc.CancelPayment(ctx, cust, q.ID); return err },
		"reference": func() error { _, err := e.svc.AttachPaymentReference(ctx, cust, q.ID, "x"); return err },
		"start":     func() error { _, err := e.svc.StartPayment(ctx, cust, q.ID, billing.StartOptions{}); return err },
		"refunds":   func() error { _, err := e.svc.ListPaymentRefunds(ctx, cust, q.ID); return err },
		"missing":   func() error { _, err := e.svc.GetPayment(ctx, cust, billkit.NewID[billing.Payment]()); return err },
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, call(), billkit.CodeNotFound, "payment.not_found") })
	}
	page, err := e.svc.ListPayments(ctx, cust, billing.PaymentFilter{})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != p.ID {
		t.Fatalf("customer's list = %+v, %v", page.Items, err)
	}
	_, err = e.svc.ListPayments(ctx, cust, billing.PaymentFilter{ClientID: other.ID})
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.svc.ListPayments(ctx, system, billing.PaymentFilter{Status: "lost"})
	wantField(t, err, "status", "payment.status_unknown")
	reader := staff(billkit.R(billing.FunctionPayment, billkit.OpRead))
	if page, err := e.svc.ListPayments(ctx, reader, billing.PaymentFilter{}); err != nil || len(page.Items) != 2 {
		t.Fatalf("staff's list = %+v, %v", page.Items, err)
	}
	_, err = e.svc.CancelPayment(ctx, reader, p.ID)
	wantCode(t, err, billkit.CodeForbidden, "")
	// A pending payment starts again as it is.
	again, err := e.svc.StartPayment(ctx, cust, p.ID, billing.StartOptions{})
	if err != nil || again.RedirectURL != p.RedirectURL || again.Attempts != 1 {
		t.Fatalf("restarted = %+v, %v", again, err)
	}
}

func TestPaymentPaysInvoice(t *testing.T) {
	e := newPayEnv(t)
	c := e.client(t, "Acme")
	inv := e.issuedInvoice(t, c.ID, "500.00")
	p, err := e.svc.Pay(ctx, customer(c.ID), billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{
		ClientID: c.ID, MethodID: e.card.ID, Amount: rub("500.00"), InvoiceID: inv.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.callback(e.card, paidEvent(p, "evt_1")); err != nil {
		t.Fatal(err)
	}
	got, err := e.svc.GetInvoice(ctx, system, inv.ID)
	if err != nil || got.Status != billing.InvoicePaid {
		t.Fatalf("invoice = %+v, %v", got, err)
	}
	// Money for an invoice voided meanwhile still reaches the balance;
	// staff are told.
	inv2 := e.issuedInvoice(t, c.ID, "300.00")
	q, err := e.svc.Pay(ctx, system, billing.PayParams{CreatePaymentParams: billing.CreatePaymentParams{
		ClientID: c.ID, MethodID: e.card.ID, Amount: rub("300.00"), InvoiceID: inv2.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.VoidInvoice(ctx, system, inv2.ID); err != nil {
		t.Fatal(err)
	}
	paid, err := e.callback(e.card, paidEvent(q, "evt_2"))
	if err != nil || paid.Status != billing.PaymentPaid || !strings.Contains(paid.Attention, inv2.ID.String()) {
		t.Fatalf("payment of a voided invoice = %+v, %v", paid, err)
	}
	e.wantBalance(t, c.ID, "300.00")
}
