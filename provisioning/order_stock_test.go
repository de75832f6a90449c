package provisioning_test

import (
	"context"
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/billkit/billkit/store/storetest"
)

// setStock sets a tariff's stock as staff would.
func (e *env) setStock(t *testing.T, id catalog.TariffID, n int) {
	t.Helper()
	if err := e.st.Catalog().SetTariffStock(ctx, id, &n); err != nil {
		t.Fatal(err)
	}
}

// wantStock checks a tariff's stock.
func (e *env) wantStock(t *testing.T, id catalog.TariffID, want int) {
	t.Helper()
	tr, err := e.cat.GetTariff(ctx, system, id)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Stock == nil {
		t.Fatalf("stock of %s is unlimited, want %d", tr.Code, want)
	}
	if *tr.Stock != want {
		t.Fatalf("stock of %s = %d, want %d", tr.Code, *tr.Stock, want)
	}
}

// staleCatalog is a catalog whose tariffs show the stock they had when the
// test began: the checks before an order's transaction see enough, as an
// order does whose last units another takes meanwhile.
type staleCatalog struct {
	provisioning.Catalog
	stock int
}

func (c staleCatalog) GetTariff(ctx context.Context, actor billkit.Actor, id catalog.TariffID) (*catalog.Tariff, error) {
	t, err := c.Catalog.GetTariff(ctx, actor, id)
	if err == nil {
		t.Stock = ptr(c.stock)
	}
	return t, err
}

func TestOrderTakesStock(t *testing.T) {
	e := newShopEnv(t)
	e.setStock(t, e.tariff.ID, 5)
	// Two lines of one tariff count together.
	o, err := e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{
		ClientID: e.client.ID, Items: []provisioning.OrderItemParams{e.vpsItem(2, "1"), e.vpsItem(1, "1")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != provisioning.OrderPaid {
		t.Fatalf("order is %s", o.Status)
	}
	e.wantStock(t, e.tariff.ID, 2)

	// Three more do not fit: refused on the line that overflows, and
	// nothing is written.
	o1, s1, r1, t1 := e.orderRows(t)
	_, err = e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{
		ClientID: e.client.ID, Items: []provisioning.OrderItemParams{e.vpsItem(1, "1"), e.vpsItem(2, "1")},
	})
	wantField(t, err, "items[1].quantity", provisioning.ReasonOutOfStock)
	if o2, s2, r2, t2 := e.orderRows(t); o1 != o2 || s1 != s2 || r1 != r2 || t1 != t2 {
		t.Fatalf("rows before %d/%d/%d/%d, after %d/%d/%d/%d", o1, s1, r1, t1, o2, s2, r2, t2)
	}
	e.wantStock(t, e.tariff.ID, 2)

	// An unlimited tariff stays so.
	if _, err := e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{ClientID: e.client.ID,
		Items: []provisioning.OrderItemParams{{TariffID: e.bigger.ID, Period: catalog.PeriodMonth, Quantity: 3}}}); err != nil {
		t.Fatal(err)
	}
	if tr := must[*catalog.Tariff](t)(e.cat.GetTariff(ctx, system, e.bigger.ID)); tr.Stock != nil {
		t.Fatalf("stock of the unlimited tariff = %d", *tr.Stock)
	}
}

// An order whose checks saw enough but whose transaction finds too little
// (another order took the last units in between) gets the checks' error,
// and nothing of it is written.
func TestOrderLosingTheLastUnitsWritesNothing(t *testing.T) {
	e := newShopEnv(t, withConfig(func(c *provisioning.Config) { c.Catalog = staleCatalog{Catalog: c.Catalog, stock: 5} }))
	e.setStock(t, e.tariff.ID, 1)
	before := e.balance(t, e.client.ID)
	o1, s1, r1, t1 := e.orderRows(t)
	for _, pay := range []provisioning.PayBy{provisioning.PayByBalance, provisioning.PayByGateway} {
		_, err := e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{
			ClientID: e.client.ID, PayBy: pay, Items: []provisioning.OrderItemParams{
				{TariffID: e.bigger.ID, Period: catalog.PeriodMonth}, e.vpsItem(2, "1"),
			},
		})
		wantField(t, err, "items[1].quantity", provisioning.ReasonOutOfStock)
	}
	if o2, s2, r2, t2 := e.orderRows(t); o1 != o2 || s1 != s2 || r1 != r2 || t1 != t2 {
		t.Fatalf("rows before %d/%d/%d/%d, after %d/%d/%d/%d", o1, s1, r1, t1, o2, s2, r2, t2)
	}
	if got := e.balance(t, e.client.ID); !got.Equal(before) {
		t.Fatalf("balance = %s, want %s", got, before)
	}
	e.wantStock(t, e.tariff.ID, 1)
}

func TestCancelledOrderReturnsStock(t *testing.T) {
	e := newShopEnv(t)
	e.setStock(t, e.tariff.ID, 5)
	order := func() *provisioning.Order {
		t.Helper()
		return must[*provisioning.Order](t)(e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{
			ClientID: e.client.ID, PayBy: provisioning.PayByGateway, Items: []provisioning.OrderItemParams{e.vpsItem(2, "1")},
		}))
	}
	// An unpaid order holds its units until it is cancelled.
	o := order()
	e.wantStock(t, e.tariff.ID, 3)
	must[*provisioning.Order](t)(e.mgr.CancelOrder(ctx, customer(e.client.ID), o.ID))
	e.wantStock(t, e.tariff.ID, 5)
	// Cancelling twice gives nothing back twice.
	_, err := e.mgr.CancelOrder(ctx, customer(e.client.ID), o.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOrderNotNew)
	e.wantStock(t, e.tariff.ID, 5)

	// One left unpaid past its time is cancelled by the cycle, and its
	// units come back.
	expired := order()
	e.wantStock(t, e.tariff.ID, 3)
	e.clock.AddDate(0, 0, 30)
	if n := must[int](t)(e.mgr.CancelExpiredOrders(ctx, e.clock.Now())); n != 1 {
		t.Fatalf("%d orders cancelled, want 1", n)
	}
	if got := must[*provisioning.Order](t)(e.mgr.GetOrder(ctx, system, expired.ID)); got.Status != provisioning.OrderCancelled {
		t.Fatalf("expired order is %s", got.Status)
	}
	e.wantStock(t, e.tariff.ID, 5)

	// A paid order keeps them: paying takes nothing more, and it can no
	// longer be cancelled.
	paid := order()
	must[*provisioning.Order](t)(e.mgr.PayOrder(ctx, customer(e.client.ID), paid.ID))
	e.wantStock(t, e.tariff.ID, 3)
	_, err = e.mgr.CancelOrder(ctx, customer(e.client.ID), paid.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOrderNotNew)
	e.wantStock(t, e.tariff.ID, 3)
}

// Two clients order the last unit at once: one gets it, the other the
// out-of-stock error, and the stock ends at zero, never below.
func TestLastUnitGoesToOneClientPostgres(t *testing.T) {
	e := newShopEnv(t, onStore(storetest.NewPostgres(t)))
	e.setStock(t, e.tariff.ID, 1)
	clients := []billkit.ClientID{e.client.ID, e.newClient(t, "Rival").ID}
	e.topUp(t, clients[1], "100.00")
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = e.mgr.CreateOrder(ctx, customer(c), provisioning.CreateOrderParams{
				ClientID: c, Items: []provisioning.OrderItemParams{e.vpsItem(1, "1")},
			})
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantField(t, err, "items[0].quantity", provisioning.ReasonOutOfStock)
	}
	if won != 1 {
		t.Fatalf("%d clients got the last unit (%v)", won, errs)
	}
	if n := e.count(t, "billkit_services", "tariff_id = ?", e.tariff.ID); n != 1 {
		t.Fatalf("%d services of the tariff, want 1", n)
	}
	e.wantStock(t, e.tariff.ID, 0)
}

// stockRaceStore is a catalog store whose UpdateTariff lets an order take
// a unit first: an order that commits between an edit's read of the
// tariff and its write.
type stockRaceStore struct {
	catalog.Store
	order func(tx catalog.Store) error
}

func (s stockRaceStore) InTx(ctx context.Context, fn func(tx catalog.Store) error) error {
	return s.Store.InTx(ctx, func(tx catalog.Store) error { return fn(stockRaceStore{tx, s.order}) })
}

func (s stockRaceStore) UpdateTariff(ctx context.Context, t *catalog.Tariff) error {
	if err := s.order(s.Store); err != nil {
		return err
	}
	return s.Store.UpdateTariff(ctx, t)
}

// A tariff edit that leaves the stock as it read it keeps an order's take
// made meanwhile; one that sets the stock sets it. Both the edit of one
// tariff and a catalog applied whole. On PostgreSQL the take is a real
// order, committed by another connection; SQLite's one connection is the
// edit's, so there the order's take runs in it.
func TestTariffEditKeepsConcurrentTake(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			open := storetest.NewMemory
			if db == "postgres" {
				open = storetest.NewPostgres
			}
			st := open(t)
			e := newShopEnv(t, onStore(st))
			e.setStock(t, e.tariff.ID, 10)
			order := func(tx catalog.Store) error {
				if db == "sqlite" {
					_, err := tx.TakeTariffStock(ctx, e.tariff.ID, 1)
					return err
				}
				_, err := e.mgr.CreateOrder(ctx, customer(e.client.ID), provisioning.CreateOrderParams{
					ClientID: e.client.ID, Items: []provisioning.OrderItemParams{e.vpsItem(1, "1")},
				})
				return err
			}
			cat := catalog.NewService(stockRaceStore{Store: e.st.Catalog(), order: order}, e.dir, catalog.Config{Clock: e.clock})
			doc := tariffDoc(t, e, "vps-1")
			doc.Name = text("VPS one")
			if _, err := cat.UpdateTariff(ctx, system, e.tariff.ID, doc); err != nil {
				t.Fatal(err)
			}
			e.wantStock(t, e.tariff.ID, 9)
			if _, err := cat.SetTariffStatus(ctx, system, e.tariff.ID, catalog.TariffHidden); err != nil {
				t.Fatal(err)
			}
			e.wantStock(t, e.tariff.ID, 8)
			c := must[catalog.Catalog](t)(e.cat.ExportCatalog(ctx, system, e.prov.ID))
			for i := range c.Tariffs {
				if c.Tariffs[i].Code == "vps-1" {
					c.Tariffs[i].Status = catalog.TariffActive
				}
			}
			if _, err := cat.ApplyCatalog(ctx, system, c); err != nil {
				t.Fatal(err)
			}
			e.wantStock(t, e.tariff.ID, 7)

			// Staff saying "there are 20 now" wins over what was taken.
			doc = tariffDoc(t, e, "vps-1")
			doc.Stock = ptr(20)
			if _, err := cat.UpdateTariff(ctx, system, e.tariff.ID, doc); err != nil {
				t.Fatal(err)
			}
			e.wantStock(t, e.tariff.ID, 20)
			// And so does an applied catalog that sets it.
			c = must[catalog.Catalog](t)(e.cat.ExportCatalog(ctx, system, e.prov.ID))
			for i := range c.Tariffs {
				if c.Tariffs[i].Code == "vps-1" {
					c.Tariffs[i].Stock = ptr(4)
				}
			}
			if _, err := cat.ApplyCatalog(ctx, system, c); err != nil {
				t.Fatal(err)
			}
			e.wantStock(t, e.tariff.ID, 4)
		})
	}
}

// tariffDoc is the stored tariff with the code as a document.
func tariffDoc(t *testing.T, e *env, code string) catalog.TariffDoc {
	t.Helper()
	c := must[catalog.Catalog](t)(e.cat.ExportCatalog(ctx, system, e.prov.ID))
	for _, d := range c.Tariffs {
		if d.Code == code {
			return d
		}
	}
	t.Fatalf("no tariff %s", code)
	return catalog.TariffDoc{}
}

func TestChangeTakesStock(t *testing.T) {
	e := newShopEnv(t)
	a := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	b := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	e.setStock(t, e.bigger.ID, 1)
	e.setStock(t, e.tariff.ID, 0)

	// A change within the tariff takes nothing, even with none left.
	if _, err := e.mgr.ChangeService(ctx, admin(), a.ID, provisioning.ChangeParams{
		Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec("2")}}}); err != nil {
		t.Fatal(err)
	}
	e.runTasks(t)
	e.wantStock(t, e.tariff.ID, 0)

	// A move to another tariff takes its last unit.
	if _, err := e.mgr.ChangeService(ctx, customer(e.client.ID), a.ID, provisioning.ChangeParams{TariffID: e.bigger.ID}); err != nil {
		t.Fatal(err)
	}
	e.runTasks(t)
	e.wantStock(t, e.bigger.ID, 0)

	// None left: refused on tariff_id, quoted or made, and nothing changes.
	before := e.changeState(t, b.ID)
	_, err := e.mgr.QuoteChange(ctx, customer(e.client.ID), b.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantField(t, err, "tariff_id", provisioning.ReasonOutOfStock)
	_, err = e.mgr.ChangeService(ctx, admin(), b.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantField(t, err, "tariff_id", provisioning.ReasonOutOfStock)
	e.unchanged(t, before)
	e.wantStock(t, e.bigger.ID, 0)
}

// A change whose checks saw a unit left but whose transaction finds none
// is refused the same way, and writes nothing.
func TestChangeLosingTheLastUnitWritesNothing(t *testing.T) {
	e := newShopEnv(t, withConfig(func(c *provisioning.Config) { c.Catalog = staleCatalog{Catalog: c.Catalog, stock: 1} }))
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	e.setStock(t, e.bigger.ID, 0)
	before := e.changeState(t, svc.ID)
	_, err := e.mgr.ChangeService(ctx, customer(e.client.ID), svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID})
	wantField(t, err, "tariff_id", provisioning.ReasonOutOfStock)
	e.unchanged(t, before)
	e.wantStock(t, e.bigger.ID, 0)
}

func TestPendingChangeHoldsStock(t *testing.T) {
	e := newShopEnv(t)
	e.atRenewal(t)
	svc := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	other := e.orderActive(t, e.client.ID, e.tariff.ID, catalog.PeriodMonth, nil)
	e.setStock(t, e.bigger.ID, 1)
	bob := customer(e.client.ID)
	change := func(id provisioning.ServiceID, p provisioning.ChangeParams) error {
		_, err := e.mgr.ChangeService(ctx, bob, id, p)
		return err
	}

	// Kept for the renewal, the change holds the unit already.
	if err := change(svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID}); err != nil {
		t.Fatal(err)
	}
	e.wantStock(t, e.bigger.ID, 0)
	wantField(t, change(other.ID, provisioning.ChangeParams{TariffID: e.bigger.ID}), "tariff_id", provisioning.ReasonOutOfStock)
	// Asked again, it keeps its own unit rather than needing another.
	if err := change(svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID, Memo: "again"}); err != nil {
		t.Fatal(err)
	}
	e.wantStock(t, e.bigger.ID, 0)
	// Withdrawn, the unit goes back, once.
	must[*provisioning.Service](t)(e.mgr.CancelPendingChange(ctx, bob, svc.ID))
	e.wantStock(t, e.bigger.ID, 1)
	must[*provisioning.Service](t)(e.mgr.CancelPendingChange(ctx, bob, svc.ID))
	e.wantStock(t, e.bigger.ID, 1)
	// Replaced by a change within the tariff, it goes back too.
	if err := change(svc.ID, provisioning.ChangeParams{TariffID: e.bigger.ID}); err != nil {
		t.Fatal(err)
	}
	e.wantStock(t, e.bigger.ID, 0)
	if err := change(svc.ID, provisioning.ChangeParams{Addons: map[string]catalog.AddonValue{"ram": {Quantity: dec("2")}}}); err != nil {
		t.Fatal(err)
	}
	e.wantStock(t, e.bigger.ID, 1)
	// Applied at the renewal, the unit it took stays sold.
	if err := change(other.ID, provisioning.ChangeParams{TariffID: e.bigger.ID}); err != nil {
		t.Fatal(err)
	}
	e.wantStock(t, e.bigger.ID, 0)
	e.clock.Set(start.AddDate(0, 1, 0))
	if rep := must[provisioning.CycleReport](t)(e.mgr.RunCycle(ctx, system, provisioning.CycleOptions{})); len(rep.Failures) != 0 {
		t.Fatalf("cycle = %+v", rep)
	}
	if got := e.service(t, other.ID); got.TariffID != e.bigger.ID || got.PendingChange != nil {
		t.Fatalf("after the renewal: tariff %s, pending %+v", got.TariffID, got.PendingChange)
	}
	e.wantStock(t, e.bigger.ID, 0)
}

func TestCloneTakesStockImportDoesNot(t *testing.T) {
	e := newEnv(t)
	e.setStock(t, e.tariff.ID, 1)
	src := e.activeService(t, billkit.ClientID{}, provisioning.ServerID{})
	e.wantStock(t, e.tariff.ID, 1) // an import sold nothing
	clone := must[*provisioning.Service](t)(e.mgr.CloneService(ctx, admin(), src.ID))
	e.wantStock(t, e.tariff.ID, 0)
	n := e.count(t, "billkit_services", "1=1")
	_, err := e.mgr.CloneService(ctx, admin(), src.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, provisioning.ReasonOutOfStock)
	if got := e.count(t, "billkit_services", "1=1"); got != n {
		t.Fatalf("%d services after a refused clone, want %d", got, n)
	}
	// Deleting a service gives nothing back: stock counts sales.
	must[*provisioning.Service](t)(e.mgr.DeleteService(ctx, admin(), clone.ID, provisioning.DeleteParams{}))
	e.wantStock(t, e.tariff.ID, 0)
}
