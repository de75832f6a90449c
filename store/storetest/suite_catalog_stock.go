package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
)

// runTariffStock checks the stock methods of catalog.Store: takes and
// returns that are exact under concurrency, unlimited tariffs left alone,
// and an UpdateTariff that never writes the stock back.
func runTariffStock(t *testing.T, f *catalogFixture) {
	ctx := context.Background()
	pt := f.productType(t, f.p1, "vps", 0)
	stockOf := func(t *testing.T, id catalog.TariffID) *int {
		t.Helper()
		tr, err := f.c.GetTariff(ctx, id)
		must(t, err)
		return tr.Stock
	}
	wantStock := func(t *testing.T, id catalog.TariffID, want int) {
		t.Helper()
		if got := stockOf(t, id); got == nil || *got != want {
			t.Fatalf("stock = %v, want %d", got, want)
		}
	}
	take := func(t *testing.T, id catalog.TariffID, n int, want bool) {
		t.Helper()
		ok, err := f.c.TakeTariffStock(ctx, id, n)
		must(t, err)
		if ok != want {
			t.Fatalf("TakeTariffStock(%d) = %v, want %v", n, ok, want)
		}
	}

	t.Run("take_and_return", func(t *testing.T) {
		tr := f.tariff(t, pt, "take", 0) // stock 10
		take(t, tr.ID, 3, true)
		wantStock(t, tr.ID, 7)
		take(t, tr.ID, 8, false) // more than is left: nothing taken
		wantStock(t, tr.ID, 7)
		take(t, tr.ID, 7, true) // exactly what is left
		wantStock(t, tr.ID, 0)
		take(t, tr.ID, 1, false)
		must(t, f.c.ReturnTariffStock(ctx, tr.ID, 2))
		wantStock(t, tr.ID, 2)
		for _, n := range []int{0, -1} {
			_, err := f.c.TakeTariffStock(ctx, tr.ID, n)
			wantCode(t, err, billkit.CodeInvalid, "")
			wantField(t, err, "n")
			wantField(t, f.c.ReturnTariffStock(ctx, tr.ID, n), "n")
		}
		wantStock(t, tr.ID, 2)
		missing := billkit.NewID[catalog.Tariff]()
		_, err := f.c.TakeTariffStock(ctx, missing, 1)
		wantCode(t, err, billkit.CodeNotFound, "tariff.not_found")
		wantCode(t, f.c.ReturnTariffStock(ctx, missing, 1), billkit.CodeNotFound, "tariff.not_found")
		wantCode(t, f.c.SetTariffStock(ctx, missing, ptr(1)), billkit.CodeNotFound, "tariff.not_found")
	})

	t.Run("unlimited", func(t *testing.T) {
		tr := f.tariff(t, pt, "unlimited", 0)
		must(t, f.c.SetTariffStock(ctx, tr.ID, nil))
		if got := stockOf(t, tr.ID); got != nil {
			t.Fatalf("stock = %d, want unlimited", *got)
		}
		take(t, tr.ID, 1000, true)
		must(t, f.c.ReturnTariffStock(ctx, tr.ID, 5))
		if got := stockOf(t, tr.ID); got != nil {
			t.Fatalf("stock = %d after a take and a return, want unlimited", *got)
		}
		must(t, f.c.SetTariffStock(ctx, tr.ID, ptr(0)))
		wantStock(t, tr.ID, 0)
		take(t, tr.ID, 1, false)
		wantField(t, f.c.SetTariffStock(ctx, tr.ID, ptr(-1)), "stock")
		wantStock(t, tr.ID, 0)
	})

	// An edit read before an order's take writes every field but the
	// stock: the take stays.
	t.Run("update_keeps_stock", func(t *testing.T) {
		tr := f.tariff(t, pt, "edit", 0)
		read, err := f.c.GetTariff(ctx, tr.ID)
		must(t, err)
		take(t, tr.ID, 3, true)
		read.Name = directory.Text{"en": "Renamed"}
		must(t, f.c.UpdateTariff(ctx, read))
		got, err := f.c.GetTariff(ctx, tr.ID)
		must(t, err)
		if got.Name["en"] != "Renamed" || got.Stock == nil || *got.Stock != 7 {
			t.Fatalf("after the edit: name %v, stock %v; want Renamed and 7", got.Name, got.Stock)
		}
		must(t, f.c.SetTariffStock(ctx, tr.ID, ptr(20)))
		wantStock(t, tr.ID, 20)
	})

	t.Run("in_transaction", func(t *testing.T) {
		tr := f.tariff(t, pt, "tx", 0)
		rollback := errors.New("rollback")
		err := f.c.InTx(ctx, func(tx catalog.Store) error {
			if ok, err := tx.TakeTariffStock(ctx, tr.ID, 4); err != nil || !ok {
				t.Fatalf("take in a transaction = %v, %v", ok, err)
			}
			must(t, tx.ReturnTariffStock(ctx, tr.ID, 1))
			must(t, tx.SetTariffStock(ctx, tr.ID, ptr(99)))
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatalf("InTx = %v", err)
		}
		wantStock(t, tr.ID, 10)
		// provisioning's store hands out the catalog's bound to its
		// transaction: an order's take commits or rolls back with it.
		if p := provisioningOf(f.s); p != nil {
			err = p.InTx(ctx, func(tx provisioning.Store) error {
				if ok, err := tx.Catalog().TakeTariffStock(ctx, tr.ID, 4); err != nil || !ok {
					t.Fatalf("take in provisioning's transaction = %v, %v", ok, err)
				}
				return rollback
			})
			if !errors.Is(err, rollback) {
				t.Fatalf("InTx = %v", err)
			}
			wantStock(t, tr.ID, 10)
			must(t, p.InTx(ctx, func(tx provisioning.Store) error {
				_, err := tx.Catalog().TakeTariffStock(ctx, tr.ID, 4)
				return err
			}))
			wantStock(t, tr.ID, 6)
		}
	})

	// Of takers of the last units at once, in transactions that hold
	// their row until they commit, exactly as many as there are units win.
	t.Run("last_units_once", func(t *testing.T) {
		tr := f.tariff(t, pt, "race", 0)
		must(t, f.c.SetTariffStock(ctx, tr.ID, ptr(3)))
		const n = 8
		won := make([]bool, n)
		errs := race(n, func(i int) error {
			return f.c.InTx(ctx, func(tx catalog.Store) error {
				ok, err := tx.TakeTariffStock(ctx, tr.ID, 1)
				won[i] = ok
				return err
			})
		})
		wins := 0
		for i, err := range errs {
			must(t, err)
			if won[i] {
				wins++
			}
		}
		if wins != 3 {
			t.Fatalf("%d takers won, want 3", wins)
		}
		wantStock(t, tr.ID, 0)
	})
}

// provisioningOf is the provisioning store of the stores under test, nil
// when there is none.
func provisioningOf(s Stores) provisioning.Store {
	if s.Provisioning != nil {
		return s.Provisioning
	}
	if s.Bun != nil {
		return s.Bun.Provisioning()
	}
	return nil
}

// wantField fails the test unless err is invalid and names field.
func wantField(t testing.TB, err error, field string) {
	t.Helper()
	var be *billkit.Error
	if !errors.As(err, &be) || be.Code != billkit.CodeInvalid {
		t.Fatalf("error = %v, want invalid on %s", err, field)
	}
	if _, ok := be.Field(field); !ok {
		t.Fatalf("error = %v (%+v), want field %q", err, be.Fields, field)
	}
}
