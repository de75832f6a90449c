package storetest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
)

// paymentFixture is a billing fixture with a company serving its provider.
type paymentFixture struct {
	*billingFixture
	co *billing.Company
}

func newPaymentFixture(t *testing.T, newStores func(t testing.TB) Stores) *paymentFixture {
	t.Helper()
	f := newBillingFixture(t, newStores)
	co := &billing.Company{ID: billkit.NewID[billing.Company](), LegalName: "HostCo", ShortName: "HostCo", Country: "RU",
		TaxIDs: []string{}, BankAccounts: []billing.BankAccount{}, ProviderIDs: []billkit.ProviderID{f.pid}, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.b.InsertCompany(context.Background(), co))
	return &paymentFixture{billingFixture: f, co: co}
}

func (f *paymentFixture) method(t *testing.T, gateway string, sort int, enabled bool) *billing.PaymentMethod {
	t.Helper()
	m := &billing.PaymentMethod{
		ID: billkit.NewID[billing.PaymentMethod](), CompanyID: f.co.ID, ProviderIDs: []billkit.ProviderID{f.pid}, Gateway: gateway,
		Name: directory.Text{"en": "Card", "ru": "Карта"}, Currency: "USD", MinAmount: dec("1.5"), MaxAmount: dec("100000"),
		Enabled: enabled, SortOrder: sort, Settings: map[string]string{"secret_key": "sk_test_1"},
		Instructions: directory.Text{"en": "Pay by card"}, CreatedAt: t0, UpdatedAt: t0,
	}
	must(t, f.b.InsertPaymentMethod(context.Background(), m))
	return m
}

func (f *paymentFixture) payment(t *testing.T, client billkit.ClientID, m *billing.PaymentMethod, amount string, at time.Time) *billing.Payment {
	t.Helper()
	p := &billing.Payment{
		ID: billkit.NewID[billing.Payment](), ClientID: client, CompanyID: f.co.ID, MethodID: m.ID, Gateway: m.Gateway,
		Amount: billkit.MustParseMoney(amount, "USD"), Refunded: billkit.MustParseMoney("0.00", "USD"), Status: billing.PaymentNew,
		Memo: "Top-up", CreatedAt: at, UpdatedAt: at,
	}
	must(t, f.b.InsertPayment(context.Background(), p))
	return p
}

func runBillingPayments(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	cmpPay := cmp.Options{cmpOpts,
		cmp.Comparer(func(a, b billkit.Money) bool { return a.Equal(b) && a.String() == b.String() }),
		cmp.Comparer(func(a, b billkit.ClientID) bool { return a == b }),
		cmp.Comparer(func(a, b billkit.ProviderID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.CompanyID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.PaymentID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.PaymentMethodID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.InvoiceID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.PaymentRefundID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.SavedMethodID) bool { return a == b }),
	}

	t.Run("method/crud", func(t *testing.T) {
		f := newPaymentFixture(t, newStores)
		m := f.method(t, "stripe", 2, true)
		got, err := f.b.GetPaymentMethod(ctx, m.ID)
		must(t, err)
		want := *m
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpPay); diff != "" {
			t.Fatalf("GetPaymentMethod (-want +got):\n%s", diff)
		}
		wantCode(t, f.b.InsertPaymentMethod(ctx, m), billkit.CodeConflict, "payment_method.exists")
		orphan := *m
		orphan.ID, orphan.CompanyID = billkit.NewID[billing.PaymentMethod](), billkit.NewID[billing.Company]()
		wantCode(t, f.b.InsertPaymentMethod(ctx, &orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		_, err = f.b.GetPaymentMethod(ctx, billkit.NewID[billing.PaymentMethod]())
		wantCode(t, err, billkit.CodeNotFound, "payment_method.not_found")

		got.Enabled, got.Currency, got.ProviderIDs, got.Settings = false, "", nil, nil
		got.MinAmount = dec("0")
		must(t, f.b.UpdatePaymentMethod(ctx, got))
		again, err := f.b.GetPaymentMethod(ctx, m.ID)
		must(t, err)
		if again.Enabled || again.Currency != "" || again.ProviderIDs == nil || len(again.ProviderIDs) != 0 || again.Settings == nil || !again.MinAmount.IsZero() {
			t.Fatalf("updated method = %+v", again)
		}
		ghost := *got
		ghost.ID = billkit.NewID[billing.PaymentMethod]()
		wantCode(t, f.b.UpdatePaymentMethod(ctx, &ghost), billkit.CodeNotFound, "payment_method.not_found")

		// A method with payments cannot go; one without can, with its saved
		// methods.
		used := f.method(t, "manual", 1, true)
		c := f.client(t, "Acme")
		f.payment(t, c.ID, used, "10.00", t0)
		wantCode(t, f.b.DeletePaymentMethod(ctx, used.ID), billkit.CodeFailedPrecondition, "")
		sm := &billing.SavedMethod{ID: billkit.NewID[billing.SavedMethod](), ClientID: c.ID, MethodID: m.ID, Gateway: m.Gateway, Ref: "pm_1", Label: "Visa 4242", CreatedAt: t0}
		must(t, f.b.InsertSavedMethod(ctx, sm))
		must(t, f.b.DeletePaymentMethod(ctx, m.ID))
		_, err = f.b.GetSavedMethod(ctx, sm.ID)
		wantCode(t, err, billkit.CodeNotFound, "saved_payment_method.not_found")
		wantCode(t, f.b.DeletePaymentMethod(ctx, m.ID), billkit.CodeNotFound, "payment_method.not_found")
	})

	t.Run("method/list", func(t *testing.T) {
		f := newPaymentFixture(t, newStores)
		other := &billing.Company{ID: billkit.NewID[billing.Company](), LegalName: "Other", ShortName: "Other", Country: "RU",
			TaxIDs: []string{}, BankAccounts: []billing.BankAccount{}, CreatedAt: t0, UpdatedAt: t0}
		must(t, f.b.InsertCompany(ctx, other))
		var all []*billing.PaymentMethod
		for i, sort := range []int{3, -1, 3, 10, 0, 3} {
			m := f.method(t, []string{"stripe", "manual"}[i%2], sort, i != 2)
			if i == 5 {
				m.CompanyID = other.ID
				must(t, f.b.UpdatePaymentMethod(ctx, m))
			}
			all = append(all, m)
		}
		ordered := func(ms []*billing.PaymentMethod) []string {
			s := slices.Clone(ms)
			slices.SortFunc(s, func(a, b *billing.PaymentMethod) int {
				if a.SortOrder != b.SortOrder {
					return a.SortOrder - b.SortOrder
				}
				return strings.Compare(a.ID.String(), b.ID.String())
			})
			return keys(s, func(m *billing.PaymentMethod) string { return m.ID.String() })
		}
		filter := func(keep func(*billing.PaymentMethod) bool) []*billing.PaymentMethod {
			var out []*billing.PaymentMethod
			for _, m := range all {
				if keep(m) {
					out = append(out, m)
				}
			}
			return out
		}
		id := func(m billing.PaymentMethod) string { return m.ID.String() }
		cases := []struct {
			name string
			f    billing.PaymentMethodFilter
			keep func(*billing.PaymentMethod) bool
		}{
			{"all", billing.PaymentMethodFilter{}, func(*billing.PaymentMethod) bool { return true }},
			{"company", billing.PaymentMethodFilter{CompanyID: other.ID}, func(m *billing.PaymentMethod) bool { return m.CompanyID == other.ID }},
			{"companies", billing.PaymentMethodFilter{CompanyIDs: []billing.CompanyID{f.co.ID}}, func(m *billing.PaymentMethod) bool { return m.CompanyID == f.co.ID }},
			{"no companies", billing.PaymentMethodFilter{CompanyIDs: []billing.CompanyID{}}, func(*billing.PaymentMethod) bool { return false }},
			{"gateway", billing.PaymentMethodFilter{Gateway: "manual"}, func(m *billing.PaymentMethod) bool { return m.Gateway == "manual" }},
			{"enabled", billing.PaymentMethodFilter{Enabled: ptr(true)}, func(m *billing.PaymentMethod) bool { return m.Enabled }},
			{"disabled", billing.PaymentMethodFilter{Enabled: ptr(false)}, func(m *billing.PaymentMethod) bool { return !m.Enabled }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				for _, limit := range []int{1, 2, 100} {
					got := collect(t, limit, id, func(pp billkit.PageParams) (billkit.Page[billing.PaymentMethod], error) {
						ff := tc.f
						ff.PageParams = pp
						return f.b.ListPaymentMethods(ctx, ff)
					})
					if diff := cmp.Diff(ordered(filter(tc.keep)), keys(got, id)); diff != "" {
						t.Fatalf("limit %d (-want +got):\n%s", limit, diff)
					}
				}
			})
		}
	})

	t.Run("payment/crud", func(t *testing.T) {
		f := newPaymentFixture(t, newStores)
		c := f.client(t, "Acme")
		m := f.method(t, "stripe", 0, true)
		rate := dec("92.5012")
		p := &billing.Payment{
			ID: billkit.NewID[billing.Payment](), ClientID: c.ID, CompanyID: f.co.ID, MethodID: m.ID, Gateway: "stripe",
			Amount: billkit.MustParseMoney("10.50", "USD"), Credited: billkit.MustParseMoney("971.26", "RUB"), Rate: &rate,
			Refunded: billkit.MustParseMoney("0.50", "USD"), Status: billing.PaymentPartlyRefunded,
			InvoiceID: billkit.NewID[billing.Invoice](), GatewayPaymentID: "pi_1", RedirectURL: "https://pay.example/1",
			Form:         &billing.RedirectForm{Action: "https://pay.example/form", Method: "POST", Fields: map[string]string{"a": "1"}},
			Instructions: "IBAN DE89", Reference: "R-1", Memo: "Invoice 1", SavedMethodRef: "pm_1", Message: "m", Attention: "look",
			Attempts: 3, CheckAfter: t0.Add(time.Minute), PaidAt: t0.Add(time.Second), CreatedAt: t0, UpdatedAt: t0.Add(time.Hour),
		}
		must(t, f.b.InsertPayment(ctx, p))
		got, err := f.b.GetPayment(ctx, p.ID)
		must(t, err)
		want := *p
		want.CheckAfter, want.PaidAt = storedTime(p.CheckAfter), storedTime(p.PaidAt)
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0.Add(time.Hour))
		if diff := cmp.Diff(&want, got, cmpPay); diff != "" {
			t.Fatalf("GetPayment (-want +got):\n%s", diff)
		}
		wantCode(t, f.b.InsertPayment(ctx, p), billkit.CodeConflict, "payment.exists")

		// A new payment: no credit, rate, form, times or gateway ID.
		bare := f.payment(t, c.ID, m, "5.00", t0)
		gotBare, err := f.b.GetPayment(ctx, bare.ID)
		must(t, err)
		if gotBare.Credited.Currency() != "" || gotBare.Rate != nil || gotBare.Form != nil || !gotBare.CheckAfter.IsZero() ||
			!gotBare.PaidAt.IsZero() || !gotBare.InvoiceID.IsZero() || gotBare.GatewayPaymentID != "" || gotBare.Refunded.String() != "0.00 USD" {
			t.Fatalf("bare payment = %+v", gotBare)
		}
		// Many payments may have no gateway ID; one gateway ID belongs to one
		// payment of a gateway.
		f.payment(t, c.ID, m, "5.00", t0)
		dup := *bare
		dup.ID, dup.GatewayPaymentID = billkit.NewID[billing.Payment](), "pi_1"
		wantCode(t, f.b.InsertPayment(ctx, &dup), billkit.CodeConflict, "payment.exists")
		manual := f.method(t, "manual", 0, true)
		dup.MethodID, dup.Gateway = manual.ID, "manual"
		must(t, f.b.InsertPayment(ctx, &dup))
		gotBare.GatewayPaymentID = "pi_1"
		wantCode(t, f.b.UpdatePayment(ctx, gotBare), billkit.CodeConflict, "payment.exists")

		found, err := f.b.FindPaymentByGateway(ctx, "stripe", "pi_1")
		must(t, err)
		if found.ID != p.ID {
			t.Fatalf("found %s, want %s", found.ID, p.ID)
		}
		found, err = f.b.FindPaymentByGateway(ctx, "manual", "pi_1")
		must(t, err)
		if found.ID != dup.ID {
			t.Fatalf("found %s, want %s", found.ID, dup.ID)
		}
		_, err = f.b.FindPaymentByGateway(ctx, "stripe", "pi_2")
		wantCode(t, err, billkit.CodeNotFound, "payment.not_found")

		orphan := *bare
		orphan.ID, orphan.GatewayPaymentID, orphan.ClientID = billkit.NewID[billing.Payment](), "", newBillingClientID()
		wantCode(t, f.b.InsertPayment(ctx, &orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		_, err = f.b.GetPayment(ctx, billkit.NewID[billing.Payment]())
		wantCode(t, err, billkit.CodeNotFound, "payment.not_found")

		// Update writes every field; LockPayment reads in a transaction.
		gotBare.GatewayPaymentID, gotBare.Status, gotBare.CheckAfter = "pi_3", billing.PaymentPending, t0.Add(5*time.Minute)
		gotBare.Credited, gotBare.Rate = billkit.MustParseMoney("5.00", "USD"), nil
		must(t, f.b.UpdatePayment(ctx, gotBare))
		must(t, f.b.InTx(ctx, func(tx billing.Store) error {
			locked, err := tx.LockPayment(ctx, bare.ID)
			if err != nil {
				return err
			}
			if locked.Status != billing.PaymentPending || locked.GatewayPaymentID != "pi_3" || !locked.CheckAfter.Equal(storedTime(t0.Add(5*time.Minute))) ||
				!locked.Credited.Equal(billkit.MustParseMoney("5", "USD")) {
				t.Errorf("locked payment = %+v", locked)
			}
			locked.CheckAfter = time.Time{}
			return tx.UpdatePayment(ctx, locked)
		}))
		gotBare, err = f.b.GetPayment(ctx, bare.ID)
		must(t, err)
		if !gotBare.CheckAfter.IsZero() {
			t.Fatalf("check_after = %s, want none", gotBare.CheckAfter)
		}
		_, err = f.b.LockPayment(ctx, billkit.NewID[billing.Payment]())
		wantCode(t, err, billkit.CodeNotFound, "payment.not_found")
		ghost := *gotBare
		ghost.ID, ghost.GatewayPaymentID = billkit.NewID[billing.Payment](), ""
		wantCode(t, f.b.UpdatePayment(ctx, &ghost), billkit.CodeNotFound, "payment.not_found")
	})

	t.Run("payment/list", func(t *testing.T) {
		f := newPaymentFixture(t, newStores)
		a, b := f.client(t, "A"), f.client(t, "B")
		m1, m2 := f.method(t, "stripe", 0, true), f.method(t, "manual", 0, true)
		inv := billkit.NewID[billing.Invoice]()
		due := storedTime(t0).Add(time.Hour)
		var all []*billing.Payment
		for i := 0; i < 8; i++ {
			client, m := a.ID, m1
			if i%3 == 2 {
				client, m = b.ID, m2
			}
			// Pairs share an instant: the ID orders them.
			p := f.payment(t, client, m, "1.00", t0.Add(time.Duration(i/2)*time.Second))
			switch i {
			case 0:
				p.Status, p.CheckAfter = billing.PaymentPending, due // due
			case 1:
				p.Status, p.CheckAfter = billing.PaymentNew, due.Add(time.Microsecond) // not yet
			case 2:
				p.Status, p.CheckAfter = billing.PaymentNew, due.Add(-time.Hour) // due
			case 3:
				p.Status, p.CheckAfter = billing.PaymentPaid, due.Add(-time.Hour) // paid: not due
				p.InvoiceID = inv
			case 4:
				p.Attention = "look"
			}
			must(t, f.b.UpdatePayment(ctx, p))
			all = append(all, p)
		}
		newestFirst := func(ps []*billing.Payment) []string {
			s := slices.Clone(ps)
			slices.SortFunc(s, func(x, y *billing.Payment) int {
				if c := y.CreatedAt.Compare(x.CreatedAt); c != 0 {
					return c
				}
				return strings.Compare(y.ID.String(), x.ID.String())
			})
			return keys(s, func(p *billing.Payment) string { return p.ID.String() })
		}
		filter := func(keep func(i int, p *billing.Payment) bool) []*billing.Payment {
			var out []*billing.Payment
			for i, p := range all {
				if keep(i, p) {
					out = append(out, p)
				}
			}
			return out
		}
		id := func(p billing.Payment) string { return p.ID.String() }
		cases := []struct {
			name string
			f    billing.PaymentFilter
			keep func(int, *billing.Payment) bool
		}{
			{"all", billing.PaymentFilter{}, func(int, *billing.Payment) bool { return true }},
			{"client", billing.PaymentFilter{ClientID: b.ID}, func(_ int, p *billing.Payment) bool { return p.ClientID == b.ID }},
			{"clients", billing.PaymentFilter{ClientIDs: []billkit.ClientID{a.ID}}, func(_ int, p *billing.Payment) bool { return p.ClientID == a.ID }},
			{"no clients", billing.PaymentFilter{ClientIDs: []billkit.ClientID{}}, func(int, *billing.Payment) bool { return false }},
			{"status", billing.PaymentFilter{Status: billing.PaymentNew}, func(_ int, p *billing.Payment) bool { return p.Status == billing.PaymentNew }},
			{"method", billing.PaymentFilter{MethodID: m2.ID}, func(_ int, p *billing.Payment) bool { return p.MethodID == m2.ID }},
			{"invoice", billing.PaymentFilter{InvoiceID: inv}, func(i int, _ *billing.Payment) bool { return i == 3 }},
			{"attention", billing.PaymentFilter{Attention: true}, func(i int, _ *billing.Payment) bool { return i == 4 }},
			{"due", billing.PaymentFilter{Due: due}, func(i int, _ *billing.Payment) bool { return i == 0 || i == 2 }},
			{"window", billing.PaymentFilter{From: storedTime(t0).Add(time.Second), To: storedTime(t0).Add(3 * time.Second)}, func(i int, _ *billing.Payment) bool {
				return i/2 == 1 || i/2 == 2
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				for _, limit := range []int{1, 3, 100} {
					got := collect(t, limit, id, func(pp billkit.PageParams) (billkit.Page[billing.Payment], error) {
						ff := tc.f
						ff.PageParams = pp
						return f.b.ListPayments(ctx, ff)
					})
					if diff := cmp.Diff(newestFirst(filter(tc.keep)), keys(got, id)); diff != "" {
						t.Fatalf("limit %d (-want +got):\n%s", limit, diff)
					}
				}
			})
		}
		_, err := f.b.ListPayments(ctx, billing.PaymentFilter{PageParams: billkit.PageParams{Cursor: "bad!"}})
		wantCode(t, err, billkit.CodeInvalid, "")
	})

	t.Run("refund/crud", func(t *testing.T) {
		f := newPaymentFixture(t, newStores)
		c := f.client(t, "Acme")
		m := f.method(t, "stripe", 0, true)
		p, q := f.payment(t, c.ID, m, "10.00", t0), f.payment(t, c.ID, m, "3.00", t0)
		var mine []string
		for i, amount := range []string{"1.00", "2.50", "0.01"} {
			r := &billing.PaymentRefund{ID: billkit.NewID[billing.PaymentRefund](), PaymentID: p.ID, Amount: billkit.MustParseMoney(amount, "USD"),
				Status: billing.RefundRequested, Source: billing.RefundSourceBillkit, Reason: "asked", ActorKind: billkit.ActorStaff, ActorID: "alice",
				CreatedAt: t0, UpdatedAt: t0}
			if i == 1 {
				r.PaymentID = q.ID
			} else {
				mine = append(mine, r.ID.String())
			}
			must(t, f.b.InsertPaymentRefund(ctx, r))
			if i == 0 {
				wantCode(t, f.b.InsertPaymentRefund(ctx, r), billkit.CodeConflict, "payment_refund.exists")
				r.Status, r.Debited, r.GatewayRefundID, r.GatewayPending, r.UpdatedAt = billing.RefundDone, billkit.MustParseMoney("-92.50", "RUB"), "re_1", true, t0.Add(time.Hour)
				must(t, f.b.UpdatePaymentRefund(ctx, r))
				got, err := f.b.GetPaymentRefund(ctx, r.ID)
				must(t, err)
				want := *r
				want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0.Add(time.Hour))
				if diff := cmp.Diff(&want, got, cmpPay); diff != "" {
					t.Fatalf("GetPaymentRefund (-want +got):\n%s", diff)
				}
			}
		}
		list, err := f.b.ListPaymentRefunds(ctx, p.ID)
		must(t, err)
		if diff := cmp.Diff(mine, keys(list, func(r billing.PaymentRefund) string { return r.ID.String() })); diff != "" {
			t.Fatalf("ListPaymentRefunds (-want +got):\n%s", diff)
		}
		if list[1].Debited.Currency() != "" {
			t.Fatalf("a requested refund has debited %s", list[1].Debited)
		}
		_, err = f.b.GetPaymentRefund(ctx, billkit.NewID[billing.PaymentRefund]())
		wantCode(t, err, billkit.CodeNotFound, "payment_refund.not_found")
		orphan := list[0]
		orphan.ID, orphan.PaymentID = billkit.NewID[billing.PaymentRefund](), billkit.NewID[billing.Payment]()
		wantCode(t, f.b.InsertPaymentRefund(ctx, &orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
	})

	t.Run("event/once", func(t *testing.T) {
		f := newPaymentFixture(t, newStores)
		c := f.client(t, "Acme")
		p := f.payment(t, c.ID, f.method(t, "stripe", 0, true), "10.00", t0)
		e := &billing.PaymentEvent{Gateway: "stripe", EventID: "evt_1", PaymentID: p.ID, Status: billing.PaymentPaid, ReceivedAt: t0}
		for i, want := range []bool{true, false} {
			fresh, err := f.b.InsertPaymentEvent(ctx, e)
			must(t, err)
			if fresh != want {
				t.Fatalf("insert %d: fresh = %v, want %v", i, fresh, want)
			}
		}
		other := *e
		other.Gateway = "yookassa"
		if fresh, err := f.b.InsertPaymentEvent(ctx, &other); err != nil || !fresh {
			t.Fatalf("same event ID of another gateway: %v, %v", fresh, err)
		}
		_, err := f.b.InsertPaymentEvent(ctx, &billing.PaymentEvent{Gateway: "stripe", PaymentID: p.ID, Status: billing.PaymentPaid, ReceivedAt: t0})
		wantCode(t, err, billkit.CodeInvalid, "")

		// Concurrent transactions storing one event: exactly one stores it.
		var (
			wg         sync.WaitGroup
			mu         sync.Mutex
			fresh      int
			unexpected []error
		)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ok bool
				err := f.b.InTx(ctx, func(tx billing.Store) error {
					var err error
					ok, err = tx.InsertPaymentEvent(ctx, &billing.PaymentEvent{Gateway: "stripe", EventID: "evt_race", PaymentID: p.ID, Status: billing.PaymentPaid, ReceivedAt: t0})
					return err
				})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					unexpected = append(unexpected, err)
				} else if ok {
					fresh++
				}
			}()
		}
		wg.Wait()
		if len(unexpected) > 0 || fresh != 1 {
			t.Fatalf("%d transactions stored the event (want 1); errors: %v", fresh, unexpected)
		}
	})

	t.Run("saved/crud", func(t *testing.T) {
		f := newPaymentFixture(t, newStores)
		a, b := f.client(t, "A"), f.client(t, "B")
		m1, m2 := f.method(t, "stripe", 0, true), f.method(t, "stripe", 1, true)
		var all []*billing.SavedMethod
		for i, x := range []struct {
			client billkit.ClientID
			method billing.PaymentMethodID
			ref    string
		}{{a.ID, m1.ID, "pm_1"}, {a.ID, m2.ID, "pm_1"}, {b.ID, m1.ID, "pm_1"}, {a.ID, m1.ID, "pm_2"}} {
			sm := &billing.SavedMethod{ID: billkit.NewID[billing.SavedMethod](), ClientID: x.client, MethodID: x.method, Gateway: "stripe",
				Ref: x.ref, Label: "Visa •••• 4242", CreatedAt: t0.Add(time.Duration(i) * time.Second)}
			must(t, f.b.InsertSavedMethod(ctx, sm))
			all = append(all, sm)
		}
		dup := *all[0]
		dup.ID = billkit.NewID[billing.SavedMethod]()
		wantCode(t, f.b.InsertSavedMethod(ctx, &dup), billkit.CodeConflict, "saved_payment_method.exists")
		got, err := f.b.GetSavedMethod(ctx, all[0].ID)
		must(t, err)
		want := *all[0]
		want.CreatedAt = storedTime(want.CreatedAt)
		if diff := cmp.Diff(&want, got, cmpPay); diff != "" {
			t.Fatalf("GetSavedMethod (-want +got):\n%s", diff)
		}
		id := func(m billing.SavedMethod) string { return m.ID.String() }
		list := collect(t, 1, id, func(pp billkit.PageParams) (billkit.Page[billing.SavedMethod], error) {
			return f.b.ListSavedMethods(ctx, billing.SavedMethodFilter{ClientID: a.ID, MethodID: m1.ID, PageParams: pp})
		})
		wantIDs := []string{all[0].ID.String(), all[3].ID.String()}
		slices.Sort(wantIDs)
		if diff := cmp.Diff(wantIDs, keys(list, id)); diff != "" {
			t.Fatalf("ListSavedMethods (-want +got):\n%s", diff)
		}
		must(t, f.b.DeleteSavedMethod(ctx, all[0].ID))
		wantCode(t, f.b.DeleteSavedMethod(ctx, all[0].ID), billkit.CodeNotFound, "saved_payment_method.not_found")
		_, err = f.b.GetSavedMethod(ctx, all[0].ID)
		wantCode(t, err, billkit.CodeNotFound, "saved_payment_method.not_found")
		orphan := dup
		orphan.ClientID = newBillingClientID()
		wantCode(t, f.b.InsertSavedMethod(ctx, &orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
	})

	t.Run("payment/merge", func(t *testing.T) {
		// Saved methods move to the client merged into, the one it has
		// already dropped; payments stay, as history.
		f := newPaymentFixture(t, newStores)
		from, to := f.client(t, "From"), f.client(t, "To")
		m := f.method(t, "stripe", 0, true)
		p := f.payment(t, from.ID, m, "1.00", t0)
		for _, x := range []struct {
			client billkit.ClientID
			ref    string
		}{{from.ID, "pm_1"}, {from.ID, "pm_2"}, {to.ID, "pm_1"}} {
			must(t, f.b.InsertSavedMethod(ctx, &billing.SavedMethod{ID: billkit.NewID[billing.SavedMethod](), ClientID: x.client, MethodID: m.ID,
				Gateway: "stripe", Ref: x.ref, CreatedAt: t0}))
		}
		must(t, f.b.MoveClientReferences(ctx, from.ID, to.ID))
		page, err := f.b.ListSavedMethods(ctx, billing.SavedMethodFilter{ClientID: to.ID})
		must(t, err)
		refs := keys(page.Items, func(m billing.SavedMethod) string { return m.Ref })
		slices.Sort(refs)
		if diff := cmp.Diff([]string{"pm_1", "pm_2"}, refs); diff != "" {
			t.Fatalf("saved methods after the merge (-want +got):\n%s", diff)
		}
		got, err := f.b.GetPayment(ctx, p.ID)
		must(t, err)
		if got.ClientID != from.ID {
			t.Fatalf("payment moved to %s", got.ClientID)
		}
	})

}
