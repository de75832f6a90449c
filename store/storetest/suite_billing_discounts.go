package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
)

// promoCode returns a code of the fixture's provider, not yet inserted.
func (f *billingFixture) promoCode(code string, maxUses, perClient int) billing.PromoCode {
	return billing.PromoCode{
		ID: billkit.NewID[billing.PromoCode](), ProviderID: f.pid, Code: code, Kind: billing.PromoPercent, Value: dec("10"),
		Tariffs: []catalog.TariffID{}, MaxUses: maxUses, MaxUsesPerClient: perClient, CreatedAt: t0, UpdatedAt: t0,
	}
}

func promoRedemption(p billing.PromoCode, client billkit.ClientID, ref string) *billing.PromoRedemption {
	return &billing.PromoRedemption{ID: billkit.NewID[billing.PromoRedemption](), PromoID: p.ID, Code: p.Code, ClientID: client, Ref: ref,
		ActorKind: billkit.ActorCustomer, ActorID: "bob", RedeemedAt: t0}
}

func runBillingDiscounts(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	cmpDisc := cmp.Options{cmpOpts,
		cmp.Comparer(func(a, b billing.DiscountID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.PromoCodeID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.PromoBatchID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.PromoRedemptionID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.ClientGroupID) bool { return a == b }),
		cmp.Comparer(func(a, b billkit.ClientID) bool { return a == b }),
		cmp.Comparer(func(a, b billkit.ProviderID) bool { return a == b }),
		cmp.Comparer(func(a, b catalog.TariffID) bool { return a == b }),
		cmp.Comparer(func(a, b billkit.Money) bool { return a.Equal(b) }),
	}

	t.Run("discount/crud", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		c := f.client(t, "Acme")
		tariff := billkit.NewID[catalog.Tariff]()
		d := &billing.Discount{ID: billkit.NewID[billing.Discount](), ProviderID: f.pid, Name: "Loyal", Scope: billing.DiscountClient, ClientID: c.ID,
			Tariffs: []catalog.TariffID{tariff}, Periods: []catalog.Period{catalog.PeriodMonth, catalog.PeriodYear}, MinQuantity: 2,
			Percent: dec("12.5"), ValidFrom: billkit.MustDate(2026, 1, 1), ValidTo: billkit.MustDate(2026, 7, 1), Stackable: true, CreatedAt: t0, UpdatedAt: t0}
		must(t, f.b.InsertDiscount(ctx, d))
		got, err := f.b.GetDiscount(ctx, d.ID)
		must(t, err)
		if diff := cmp.Diff(d, got, cmpDisc); diff != "" {
			t.Fatalf("GetDiscount (-want +got):\n%s", diff)
		}
		wantCode(t, f.b.InsertDiscount(ctx, d), billkit.CodeConflict, "discount.exists")

		// A fixed discount keeps its Money; the lists come back empty.
		got.Percent, got.Fixed, got.Tariffs, got.Periods = dec("0"), billkit.MustParseMoney("150.50", "RUB"), nil, nil
		must(t, f.b.UpdateDiscount(ctx, got))
		again, err := f.b.GetDiscount(ctx, d.ID)
		must(t, err)
		if !again.Fixed.Equal(billkit.MustParseMoney("150.50", "RUB")) || !again.Percent.IsZero() || again.Tariffs == nil || len(again.Tariffs) != 0 || len(again.Periods) != 0 {
			t.Fatalf("after update: %+v", again)
		}
		bad := *again
		bad.ID, bad.Fixed = billkit.NewID[billing.Discount](), billkit.MustParseMoney("1", "EUR")
		wantCode(t, f.b.InsertDiscount(ctx, &bad), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		must(t, f.b.DeleteDiscount(ctx, d.ID))
		wantCode(t, f.b.DeleteDiscount(ctx, d.ID), billkit.CodeNotFound, "discount.not_found")
		missing := *again
		wantCode(t, f.b.UpdateDiscount(ctx, &missing), billkit.CodeNotFound, "discount.not_found")
	})

	t.Run("discount/list", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		a, b, g := f.client(t, "A"), f.client(t, "B"), f.taxGroup(t, "G")
		other := f.provider(t, "Other")
		mk := func(provider billkit.ProviderID, scope billing.DiscountScope, client billkit.ClientID, group billing.ClientGroupID) *billing.Discount {
			d := &billing.Discount{ID: billkit.NewID[billing.Discount](), ProviderID: provider, Name: "d", Scope: scope, ClientID: client, GroupID: group,
				Percent: dec("5"), CreatedAt: t0, UpdatedAt: t0}
			must(t, f.b.InsertDiscount(ctx, d))
			return d
		}
		all := mk(f.pid, billing.DiscountEveryone, billkit.ClientID{}, billing.ClientGroupID{})
		forA := mk(f.pid, billing.DiscountClient, a.ID, billing.ClientGroupID{})
		forB := mk(f.pid, billing.DiscountClient, b.ID, billing.ClientGroupID{})
		forG := mk(f.pid, billing.DiscountGroup, billkit.ClientID{}, g.ID)
		elsewhere := mk(other.ID, billing.DiscountEveryone, billkit.ClientID{}, billing.ClientGroupID{})
		id := func(d billing.Discount) string { return d.ID.String() }
		sorted := func(ds ...*billing.Discount) []string {
			out := keys(ds, func(d *billing.Discount) string { return d.ID.String() })
			slices.Sort(out)
			return out
		}
		for _, tc := range []struct {
			name string
			f    billing.DiscountFilter
			want []string
		}{
			{"all", billing.DiscountFilter{}, sorted(all, forA, forB, forG, elsewhere)},
			{"provider", billing.DiscountFilter{ProviderID: f.pid}, sorted(all, forA, forB, forG)},
			{"scope", billing.DiscountFilter{Scope: billing.DiscountClient}, sorted(forA, forB)},
			{"client", billing.DiscountFilter{ClientID: b.ID}, sorted(forB)},
			{"group", billing.DiscountFilter{GroupID: g.ID}, sorted(forG)},
			{"for a client", billing.DiscountFilter{ProviderID: f.pid, ForClient: a.ID}, sorted(all, forA)},
			{"for a client of a group", billing.DiscountFilter{ProviderID: f.pid, ForClient: b.ID, ForGroup: g.ID}, sorted(all, forB, forG)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[billing.Discount], error) {
					fl := tc.f
					fl.PageParams = pp
					return f.b.ListDiscounts(ctx, fl)
				})
				if diff := cmp.Diff(tc.want, keys(got, id)); diff != "" {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("promo/crud", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		p := f.promoCode("SPRING-2026", 10, 1)
		p.Kind, p.Value, p.Currency = billing.PromoFixed, dec("100"), "RUB"
		p.Tariffs, p.EveryRenewal, p.BatchID = []catalog.TariffID{billkit.NewID[catalog.Tariff]()}, true, billkit.NewID[billing.PromoBatch]()
		p.ValidFrom, p.ValidTo = billkit.MustDate(2026, 3, 1), billkit.MustDate(2026, 6, 1)
		must(t, f.b.InsertPromoCodes(ctx, []billing.PromoCode{p}))
		got, err := f.b.GetPromoCode(ctx, p.ID)
		must(t, err)
		want := p
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpDisc); diff != "" {
			t.Fatalf("GetPromoCode (-want +got):\n%s", diff)
		}
		byCode, err := f.b.GetPromoCodeByCode(ctx, f.pid, "SPRING-2026")
		must(t, err)
		if byCode.ID != p.ID {
			t.Fatalf("GetPromoCodeByCode = %s", byCode.ID)
		}
		_, err = f.b.GetPromoCodeByCode(ctx, f.pid, "NOPE")
		wantCode(t, err, billkit.CodeNotFound, "promo_code.not_found")
		other := f.provider(t, "Other")
		_, err = f.b.GetPromoCodeByCode(ctx, other.ID, "SPRING-2026")
		wantCode(t, err, billkit.CodeNotFound, "promo_code.not_found")

		// The same code at another provider is fine; twice at one is not,
		// and a batch with a taken code inserts nothing.
		elsewhere := f.promoCode("SPRING-2026", 0, 0)
		elsewhere.ProviderID = other.ID
		must(t, f.b.InsertPromoCodes(ctx, []billing.PromoCode{elsewhere}))
		fresh, dup := f.promoCode("FRESH", 0, 0), f.promoCode("SPRING-2026", 0, 0)
		wantCode(t, f.b.InsertPromoCodes(ctx, []billing.PromoCode{fresh, dup}), billkit.CodeConflict, "promo_code.exists")
		_, err = f.b.GetPromoCode(ctx, fresh.ID)
		wantCode(t, err, billkit.CodeNotFound, "promo_code.not_found")
		taken, err := f.b.PromoCodesTaken(ctx, f.pid, []string{"FRESH", "SPRING-2026", "OTHER"})
		must(t, err)
		if diff := cmp.Diff([]string{"SPRING-2026"}, taken); diff != "" {
			t.Fatalf("PromoCodesTaken (-want +got):\n%s", diff)
		}

		// An update never moves the count of uses.
		must(t, f.b.RedeemPromoCode(ctx, promoRedemption(p, f.client(t, "A").ID, "order-1"), 0))
		got.Uses, got.MaxUses, got.Value = 0, 3, dec("50")
		must(t, f.b.UpdatePromoCode(ctx, got))
		again, err := f.b.GetPromoCode(ctx, p.ID)
		must(t, err)
		if again.Uses != 1 || again.MaxUses != 3 || !again.Value.Equal(dec("50")) {
			t.Fatalf("after update: %+v", again)
		}
		missing := f.promoCode("MISSING", 0, 0)
		wantCode(t, f.b.UpdatePromoCode(ctx, &missing), billkit.CodeNotFound, "promo_code.not_found")
		wantCode(t, f.b.DeletePromoCode(ctx, p.ID), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		must(t, f.b.DeletePromoCode(ctx, elsewhere.ID))
		wantCode(t, f.b.DeletePromoCode(ctx, elsewhere.ID), billkit.CodeNotFound, "promo_code.not_found")
	})

	t.Run("promo/list", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		batch := billkit.NewID[billing.PromoBatch]()
		var codes []billing.PromoCode
		for i := 0; i < 600; i++ {
			p := f.promoCode(fmt.Sprintf("CODE%04d", i), 1, 0)
			if i%2 == 0 {
				p.BatchID = batch
			}
			codes = append(codes, p)
		}
		must(t, f.b.InsertPromoCodes(ctx, codes))
		id := func(p billing.PromoCode) string { return p.ID.String() }
		got := collect(t, 1000, id, func(pp billkit.PageParams) (billkit.Page[billing.PromoCode], error) {
			return f.b.ListPromoCodes(ctx, billing.PromoCodeFilter{ProviderID: f.pid, PageParams: pp})
		})
		inBatch := collect(t, 7, id, func(pp billkit.PageParams) (billkit.Page[billing.PromoCode], error) {
			return f.b.ListPromoCodes(ctx, billing.PromoCodeFilter{BatchID: batch, PageParams: pp})
		})
		if len(got) != 600 || len(inBatch) != 300 {
			t.Fatalf("%d codes, %d in the batch", len(got), len(inBatch))
		}
	})

	t.Run("promo/redeem", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		a, b := f.client(t, "A"), f.client(t, "B")
		p := f.promoCode("TWICE", 3, 2)
		must(t, f.b.InsertPromoCodes(ctx, []billing.PromoCode{p}))
		must(t, f.b.RedeemPromoCode(ctx, promoRedemption(p, a.ID, "o1"), 2))
		must(t, f.b.RedeemPromoCode(ctx, promoRedemption(p, a.ID, "o2"), 2))
		wantCode(t, f.b.RedeemPromoCode(ctx, promoRedemption(p, a.ID, "o3"), 2), billkit.CodeFailedPrecondition, billing.ReasonPromoClientExhausted)
		must(t, f.b.RedeemPromoCode(ctx, promoRedemption(p, b.ID, "o4"), 2))
		wantCode(t, f.b.RedeemPromoCode(ctx, promoRedemption(p, b.ID, "o5"), 2), billkit.CodeFailedPrecondition, billing.ReasonPromoExhausted)
		got, err := f.b.GetPromoCode(ctx, p.ID)
		must(t, err)
		if got.Uses != 3 {
			t.Fatalf("uses = %d, want 3: a refusal must not count", got.Uses)
		}
		for client, want := range map[billkit.ClientID]int{a.ID: 2, b.ID: 1} {
			n, err := f.b.CountPromoRedemptions(ctx, p.ID, client)
			must(t, err)
			if n != want {
				t.Errorf("client %s redeemed %d times, want %d", client, n, want)
			}
		}
		id := func(r billing.PromoRedemption) string { return r.ID.String() }
		all := collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[billing.PromoRedemption], error) {
			return f.b.ListPromoRedemptions(ctx, billing.PromoRedemptionFilter{PromoID: p.ID, PageParams: pp})
		})
		ofB := collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[billing.PromoRedemption], error) {
			return f.b.ListPromoRedemptions(ctx, billing.PromoRedemptionFilter{ClientID: b.ID, PageParams: pp})
		})
		if len(all) != 3 || len(ofB) != 1 || ofB[0].Ref != "o4" || ofB[0].ActorKind != billkit.ActorCustomer || !ofB[0].RedeemedAt.Equal(storedTime(t0)) {
			t.Fatalf("redemptions: all %+v, of B %+v", all, ofB)
		}
		wantCode(t, f.b.RedeemPromoCode(ctx, promoRedemption(f.promoCode("GHOST", 0, 0), a.ID, ""), 0), billkit.CodeNotFound, "promo_code.not_found")

		// Unlimited codes count their uses too.
		free := f.promoCode("FREE", 0, 0)
		must(t, f.b.InsertPromoCodes(ctx, []billing.PromoCode{free}))
		for i := 0; i < 3; i++ {
			must(t, f.b.RedeemPromoCode(ctx, promoRedemption(free, a.ID, ""), 0))
		}
		got, err = f.b.GetPromoCode(ctx, free.ID)
		must(t, err)
		if got.Uses != 3 {
			t.Fatalf("uses of an unlimited code = %d", got.Uses)
		}
	})

	t.Run("promo/redeem_rollback", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		a := f.client(t, "A")
		p := f.promoCode("ONCE", 1, 0)
		must(t, f.b.InsertPromoCodes(ctx, []billing.PromoCode{p}))
		err := f.b.InTx(ctx, func(tx billing.Store) error {
			if err := tx.RedeemPromoCode(ctx, promoRedemption(p, a.ID, "o1"), 0); err != nil {
				return err
			}
			return fmt.Errorf("the order failed")
		})
		if err == nil {
			t.Fatal("InTx succeeded")
		}
		must(t, f.b.RedeemPromoCode(ctx, promoRedemption(p, a.ID, "o2"), 0))
	})

	t.Run("promo/redeem_concurrent", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		clients := []*billing.Client{f.client(t, "A"), f.client(t, "B"), f.client(t, "C"), f.client(t, "D")}
		p := f.promoCode("FIVE", 5, 0)
		must(t, f.b.InsertPromoCodes(ctx, []billing.PromoCode{p}))
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			ok       int
			failures []error
		)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := f.b.InTx(ctx, func(tx billing.Store) error {
					return tx.RedeemPromoCode(ctx, promoRedemption(p, clients[i%len(clients)].ID, fmt.Sprint("order-", i)), 0)
				})
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else if billkit.ErrorReason(err) != billing.ReasonPromoExhausted {
					failures = append(failures, err)
				}
			}()
		}
		wg.Wait()
		if len(failures) > 0 || ok != 5 {
			t.Fatalf("%d redemptions succeeded (want 5); unexpected errors: %v", ok, failures)
		}
		got, err := f.b.GetPromoCode(ctx, p.ID)
		must(t, err)
		page, err := f.b.ListPromoRedemptions(ctx, billing.PromoRedemptionFilter{PromoID: p.ID})
		must(t, err)
		if got.Uses != 5 || len(page.Items) != 5 {
			t.Fatalf("uses = %d, %d redemptions stored", got.Uses, len(page.Items))
		}
	})

	t.Run("promo/redeem_concurrent_per_client", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		a := f.client(t, "A")
		p := f.promoCode("TWO-EACH", 0, 2)
		must(t, f.b.InsertPromoCodes(ctx, []billing.PromoCode{p}))
		var (
			wg sync.WaitGroup
			mu sync.Mutex
			ok int
		)
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := f.b.InTx(ctx, func(tx billing.Store) error { return tx.RedeemPromoCode(ctx, promoRedemption(p, a.ID, ""), 2) })
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					ok++
				} else if billkit.ErrorReason(err) != billing.ReasonPromoClientExhausted {
					t.Errorf("unexpected error: %v", err)
				}
			}()
		}
		wg.Wait()
		n, err := f.b.CountPromoRedemptions(ctx, p.ID, a.ID)
		must(t, err)
		if ok != 2 || n != 2 {
			t.Fatalf("%d redemptions succeeded, %d stored; want 2", ok, n)
		}
	})
}
