package provisioning_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/shopspring/decimal"
)

// panelModule stands for a control panel's API: its first suspend times
// out, then everything works.
type panelModule struct{ calls int }

func (*panelModule) Name() string { return "panel" }

func (p *panelModule) Run(_ context.Context, req provisioning.Request) (provisioning.Result, error) {
	p.calls++
	fmt.Printf("  panel: %s %s on %s (attempt %d)\n", req.Operation, req.Service.Name, req.Server.Name, req.Attempt)
	if req.Operation == provisioning.OpSuspend && req.Attempt == 1 {
		return provisioning.Result{}, errors.New("panel timed out")
	}
	return provisioning.Result{}, nil
}

// A hosting account already running on a panel is imported, suspended
// (the panel fails once, and the task retries after its backoff) and
// resumed. Every operation is a task, run after the change that needs it
// commits; here the scheduler's part is played by RunDueTasks and a fake
// clock.
func Example_lifecycle() {
	ctx := context.Background()
	staff := billkit.SystemActor("example") // in a real program: the authenticated actor
	st, err := bunstore.Open(ctx, "file:example_provisioning_lifecycle?mode=memory&cache=shared", bunstore.Config{})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		panic(err)
	}
	clock := billkit.NewFakeClock(time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC))
	dir := directory.NewService(st.Directory(), directory.Config{Clock: clock})
	if err := dir.Bootstrap(ctx, staff); err != nil {
		panic(err)
	}
	cat := catalog.NewService(st.Catalog(), dir, catalog.Config{Clock: clock})
	bill := billing.NewService(st.Billing(), dir, billing.Config{Clock: clock, Catalog: cat})
	prov, err := bill.CreateProvider(ctx, staff, billing.CreateProviderParams{Name: "HostCo", Currency: "EUR", TimeZone: "Europe/Berlin"})
	if err != nil {
		panic(err)
	}
	client, err := bill.CreateClient(ctx, staff, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme"})
	if err != nil {
		panic(err)
	}
	if _, err := cat.CreateProductType(ctx, staff, prov.ID, catalog.ProductTypeDoc{
		Code: "hosting", Kind: catalog.KindHosting, Name: directory.Text{"en": "Hosting"}, Module: "panel",
	}); err != nil {
		panic(err)
	}
	tariff, err := cat.CreateTariff(ctx, staff, prov.ID, catalog.TariffDoc{
		Code: "web-1", Name: directory.Text{"en": "Web 1"}, ProductType: "hosting", Currency: "EUR",
		Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "EUR", Amount: decimal.RequireFromString("4.00")}},
	})
	if err != nil {
		panic(err)
	}

	panel := &panelModule{}
	modules, err := provisioning.NewRegistry(panel)
	if err != nil {
		panic(err)
	}
	mgr, err := provisioning.NewManager(st.Provisioning(), provisioning.Config{
		Clock: clock, Billing: bill, Catalog: cat, Modules: modules,
		SecretKey: []byte("an example key of 32 bytes, only"),
	})
	if err != nil {
		panic(err)
	}
	dc, err := mgr.CreateDatacenter(ctx, staff, provisioning.DatacenterParams{ProviderID: prov.ID, Code: "fra-1", Name: "Frankfurt", Country: "DE"})
	if err != nil {
		panic(err)
	}
	server, err := mgr.CreateServer(ctx, staff, provisioning.ServerParams{
		ProviderID: prov.ID, DatacenterID: dc.ID, Module: "panel", Name: "web01", URL: "https://web01.example.com:1500",
		Credentials: map[string]string{"user": "admin", "password": "s3cret"}, Capacity: 300,
	})
	if err != nil {
		panic(err)
	}

	imported, err := mgr.ImportServices(ctx, staff, []provisioning.ImportServiceParams{{
		ClientID: client.ID, TariffID: tariff.ID, Period: catalog.PeriodMonth, Name: "acme.example",
		ExpiresOn: billkit.MustDate(2026, 3, 20), ServerID: server.ID,
	}})
	if err != nil {
		panic(err)
	}
	svc := imported[0]
	fmt.Println("imported:", svc.Status, svc.Price, "expires", svc.ExpiresOn)

	run := func() {
		if _, err := mgr.RunDueTasks(ctx, 10); err != nil {
			panic(err)
		}
	}
	show := func() {
		s, err := mgr.GetService(ctx, staff, svc.ID)
		if err != nil {
			panic(err)
		}
		if s.SuspendReason != "" {
			fmt.Println("service:", s.Status, "for", s.SuspendReason)
			return
		}
		fmt.Println("service:", s.Status)
	}

	if _, err := mgr.SuspendService(ctx, staff, svc.ID, provisioning.SuspendAbuse, "spam from the account"); err != nil {
		panic(err)
	}
	show()
	run()
	s, _ := mgr.GetService(ctx, staff, svc.ID)
	task, _ := mgr.GetTask(ctx, staff, s.TaskID)
	fmt.Println("task:", task.Status, "-", task.LastError, "- next run in", task.NextRunAt.Sub(clock.Now()))
	clock.Advance(time.Minute)
	run()
	show()

	if _, err := mgr.ResumeService(ctx, staff, svc.ID, "cleaned up"); err != nil {
		panic(err)
	}
	run()
	show()
	fmt.Println("panel calls:", panel.calls)
	// Output:
	// imported: active 4.00 EUR expires 2026-03-20
	// service: processing for abuse
	//   panel: suspend acme.example on web01 (attempt 1)
	// task: queued - panel timed out - next run in 1m0s
	//   panel: suspend acme.example on web01 (attempt 2)
	// service: suspended for abuse
	//   panel: resume acme.example on web01 (attempt 1)
	// service: active
	// panel calls: 3
}
