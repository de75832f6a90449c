package main

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
)

// TestServerTasks runs the server's tasks through the scheduler with a fake
// clock: every task at once, then each at its own interval; an invoice past
// its due date becomes overdue and an expired idempotency key is forgotten.
func TestServerTasks(t *testing.T) {
	ctx := context.Background()
	clock := billkit.NewFakeClock(time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC))
	st := storetest.NewMemory(t)
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, schedulerActor); err != nil {
		t.Fatal(err)
	}
	cat, bill := newMoney(st, dir, clock)
	mgr := testManager(t, st, bill, cat, clock)
	inv := issuedInvoice(t, bill)

	if _, claimed, err := st.ClaimIdempotencyKey(ctx, bunstore.IdempotentCall{
		Caller: "staff:x", Key: "k1", Fingerprint: []byte{1}, CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour),
	}, clock.Now()); err != nil || !claimed {
		t.Fatalf("claim: %v %v", claimed, err)
	}

	s := newScheduler(clock, slog.New(slog.NewTextHandler(io.Discard, nil)), serverTasks(bill, mgr, st, slog.New(slog.NewTextHandler(io.Discard, nil)))...)
	all := []string{"reconcile-payments", "mark-overdue-invoices", "purge-idempotency-keys",
		"cancel-expired-orders", "billing-cycle", "run-due-tasks"}
	if got := s.runDue(ctx); !slices.Equal(got, all) {
		t.Fatalf("first turn ran %v, want %v", got, all)
	}
	clock.Advance(reconcileEvery)
	if got := s.runDue(ctx); !slices.Equal(got, []string{"reconcile-payments", "run-due-tasks"}) {
		t.Fatalf("after a minute ran %v", got)
	}
	clock.Advance(expiredOrdersEvery)
	if got := s.runDue(ctx); !slices.Equal(got, []string{"reconcile-payments", "cancel-expired-orders", "run-due-tasks"}) {
		t.Fatalf("after ten more minutes ran %v", got)
	}

	clock.Advance(20 * 24 * time.Hour)
	if got := s.runDue(ctx); !slices.Equal(got, all) {
		t.Fatalf("after 20 days ran %v", got)
	}
	got, err := bill.GetInvoice(ctx, schedulerActor, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != billing.InvoiceOverdue {
		t.Fatalf("invoice due %s is %s on %s, want overdue", got.DueDate, got.Status, clock.Now())
	}
	// The key expired and was forgotten: it can be claimed again.
	if _, claimed, err := st.ClaimIdempotencyKey(ctx, bunstore.IdempotentCall{
		Caller: "staff:x", Key: "k1", Fingerprint: []byte{2}, CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour),
	}, clock.Now()); err != nil || !claimed {
		t.Fatalf("claim after purge: %v %v", claimed, err)
	}
}

// TestServerTasksRenewDueService runs the scheduler with a fake clock on a
// world whose one service expires tomorrow: nothing is charged today, the
// billing cycle renews it once the day comes, and its next hourly run
// charges nothing more.
func TestServerTasksRenewDueService(t *testing.T) {
	ctx := context.Background()
	clock := billkit.NewFakeClock(cycleStart)
	st := storetest.NewMemory(t)
	tomorrow := billkit.DateOf(cycleStart).AddDays(1)
	w := newCycleWorld(t, st, clock, tomorrow)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := newScheduler(clock, log, serverTasks(w.bill, w.mgr, st, log)...)

	if got := s.runDue(ctx); !slices.Contains(got, "billing-cycle") {
		t.Fatalf("first turn ran %v", got)
	}
	if exp, bal := w.expiryAndBalance(t); exp != tomorrow || bal != "100.00 USD" {
		t.Fatalf("the day before: expires %s, balance %s", exp, bal)
	}

	clock.Advance(24 * time.Hour)
	if got := s.runDue(ctx); !slices.Contains(got, "billing-cycle") {
		t.Fatalf("a day later ran %v", got)
	}
	want := tomorrow.AddMonths(1)
	if exp, bal := w.expiryAndBalance(t); exp != want || bal != "90.00 USD" {
		t.Fatalf("on the day: expires %s, balance %s; want %s and 90.00 USD", exp, bal, want)
	}

	clock.Advance(cycleEvery)
	if got := s.runDue(ctx); !slices.Contains(got, "billing-cycle") {
		t.Fatalf("an hour later ran %v", got)
	}
	if exp, bal := w.expiryAndBalance(t); exp != want || bal != "90.00 USD" {
		t.Fatalf("an hour later: expires %s, balance %s", exp, bal)
	}
}

func TestRightsConfigHasProvisioningFunctions(t *testing.T) {
	rc := rightsConfig()
	for _, fn := range provisioning.Functions() {
		if !slices.Contains(rc.Functions, fn) {
			t.Errorf("functions lack %s", fn)
		}
	}
	for _, fn := range provisioning.ClientFunctions() {
		if !slices.Contains(rc.ClientFunctions, fn) {
			t.Errorf("client functions lack %s", fn)
		}
	}
	if slices.Contains(rc.ClientFunctions, provisioning.FunctionServer) {
		t.Errorf("customers may hold rights on servers")
	}
}

func TestRightsConfigHasMoneyFunctions(t *testing.T) {
	rc := rightsConfig()
	for _, fn := range billing.Functions() {
		if !slices.Contains(rc.Functions, fn) {
			t.Errorf("functions lack %s", fn)
		}
	}
	for _, fn := range []string{billing.FunctionPayment, billing.FunctionInvoice, billing.FunctionExpense} {
		if !slices.Contains(rc.ClientFunctions, fn) {
			t.Errorf("client functions lack %s", fn)
		}
	}
	seen := map[string]bool{}
	for _, fn := range rc.Functions {
		if seen[fn] {
			t.Errorf("%s listed twice", fn)
		}
		seen[fn] = true
	}
}

// issuedInvoice issues an invoice of 10.00 USD, due in 14 days.
func issuedInvoice(t *testing.T, bill *billing.Service) *billing.Invoice {
	t.Helper()
	ctx := context.Background()
	a := schedulerActor
	p, err := bill.CreateProvider(ctx, a, billing.CreateProviderParams{Name: "Hosting", Currency: "USD"})
	if err != nil {
		t.Fatal(err)
	}
	co, err := bill.CreateCompany(ctx, a, billing.CreateCompanyParams{
		LegalName: "Hosting LLC", Country: "US", Address: billing.Address{City: "Dover", Region: "US-DE"}, ProviderIDs: []billkit.ProviderID{p.ID},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := bill.CreateClient(ctx, a, billing.CreateClientParams{ProviderID: p.ID, Name: "Client"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bill.CreatePayer(ctx, a, billing.CreatePayerParams{ClientID: c.ID, Kind: billing.PayerIndividual, Name: "Alice",
		Country: "US", Region: "US-DE", Address: billing.Address{City: "Dover", Region: "US-DE"}, Default: true}); err != nil {
		t.Fatal(err)
	}
	inv, err := bill.CreateInvoice(ctx, a, billing.CreateInvoiceParams{CompanyID: co.ID, ClientID: c.ID, Lines: []billing.InvoiceLineParams{
		{Description: "Setup", Quantity: decimal.NewFromInt(1), UnitPrice: billkit.MustParseMoney("10.00", "USD")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	inv, err = bill.IssueInvoice(ctx, a, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}
