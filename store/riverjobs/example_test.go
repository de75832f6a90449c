package riverjobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/riverjobs"
	"github.com/riverqueue/river"
	"github.com/shopspring/decimal"
)

// panel is a module that suspends whatever it is asked to.
type panel struct{}

func (panel) Name() string { return "panel" }

func (panel) Run(context.Context, provisioning.Request) (provisioning.Result, error) {
	return provisioning.Result{Message: "done at the panel"}, nil
}

// Suspend a service with its task run on River, on an in-memory SQLite
// store: the Queue is given to the Manager, then started with it.
func Example() {
	ctx := context.Background()
	st, err := bunstore.Open(ctx, ":memory:", bunstore.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		fmt.Println(err)
		return
	}
	if err := riverjobs.Migrate(ctx, st); err != nil {
		fmt.Println(err)
		return
	}

	q, err := riverjobs.New(st, riverjobs.Config{
		PollInterval: 50 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	mgr, svc, err := world(ctx, st, q)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Only for the example's sake: to know when the job is done.
	completed, cancel := q.Client().Subscribe(river.EventKindJobCompleted)
	defer cancel()
	if err := q.Start(ctx, mgr); err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = q.Stop(ctx) }()

	// The task and its job are written in one transaction.
	svc, err = mgr.SuspendService(ctx, billkit.SystemActor("example"), svc.ID, provisioning.SuspendStaff, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("service:", svc.Status, svc.Operation)

	select {
	case ev := <-completed:
		fmt.Println("job:", ev.Job.Kind, ev.Job.State)
	case <-time.After(time.Minute):
		fmt.Println("no job completed within a minute")
		return
	}
	svc, err = mgr.GetService(ctx, billkit.SystemActor("example"), svc.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("service:", svc.Status, svc.SuspendReason)
	// Output:
	// service: processing suspend
	// job: billkit.provisioning.task completed
	// service: suspended staff
}

// world makes a Manager on st with q as its Queue, and an active service
// of the module panel to act on.
func world(ctx context.Context, st *bunstore.Store, q *riverjobs.Queue) (*provisioning.Manager, *provisioning.Service, error) {
	system := billkit.SystemActor("example")
	dir := directory.NewService(st.Directory(), directory.Config{})
	if err := dir.Bootstrap(ctx, system); err != nil {
		return nil, nil, err
	}
	cat := catalog.NewService(st.Catalog(), dir, catalog.Config{})
	bill := billing.NewService(st.Billing(), dir, billing.Config{Catalog: cat})
	prov, err := bill.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "HostCo", Currency: "USD", Locale: "en", TimeZone: "UTC"})
	if err != nil {
		return nil, nil, err
	}
	if _, err := cat.CreateProductType(ctx, system, prov.ID, catalog.ProductTypeDoc{
		Code: "vps", Kind: catalog.KindVPS, Name: directory.Text{"en": "VPS"}, Module: "panel",
	}); err != nil {
		return nil, nil, err
	}
	tariff, err := cat.CreateTariff(ctx, system, prov.ID, catalog.TariffDoc{
		Code: "vps-1", Name: directory.Text{"en": "VPS 1"}, ProductType: "vps", Currency: "USD",
		Prices: []catalog.Price{{Period: catalog.PeriodMonth, Currency: "USD", Amount: decimal.RequireFromString("10.00")}},
	})
	if err != nil {
		return nil, nil, err
	}
	client, err := bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: prov.ID, Name: "Acme", Email: "billing@example.com"})
	if err != nil {
		return nil, nil, err
	}
	modules, err := provisioning.NewRegistry(panel{})
	if err != nil {
		return nil, nil, err
	}
	mgr, err := provisioning.NewManager(st.Provisioning(), provisioning.Config{Billing: bill, Catalog: cat, Modules: modules, Queue: q})
	if err != nil {
		return nil, nil, err
	}
	imported, err := mgr.ImportServices(ctx, system, []provisioning.ImportServiceParams{{
		ClientID: client.ID, TariffID: tariff.ID, Period: catalog.PeriodMonth, Name: "vps",
		ExpiresOn: billkit.DateOf(time.Now()).AddMonths(1),
	}})
	if err != nil {
		return nil, nil, err
	}
	return mgr, &imported[0], nil
}
