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
	bill := billing.NewService(st.Billing(), dir, billing.Config{Clock: clock})
	inv := issuedInvoice(t, bill)

	if _, claimed, err := st.ClaimIdempotencyKey(ctx, bunstore.IdempotentCall{
		Caller: "staff:x", Key: "k1", Fingerprint: []byte{1}, CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour),
	}, clock.Now()); err != nil || !claimed {
		t.Fatalf("claim: %v %v", claimed, err)
	}

	s := newScheduler(clock, slog.New(slog.NewTextHandler(io.Discard, nil)), serverTasks(bill, st, slog.New(slog.NewTextHandler(io.Discard, nil)))...)
	all := []string{"reconcile-payments", "mark-overdue-invoices", "purge-idempotency-keys"}
	if got := s.runDue(ctx); !slices.Equal(got, all) {
		t.Fatalf("first turn ran %v, want %v", got, all)
	}
	clock.Advance(reconcileEvery)
	if got := s.runDue(ctx); !slices.Equal(got, []string{"reconcile-payments"}) {
		t.Fatalf("after a minute ran %v", got)
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
