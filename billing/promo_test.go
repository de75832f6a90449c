package billing_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// redeem uses a code in its own transaction.
func (e *env) redeem(actor billkit.Actor, code string, client billkit.ClientID, ref string) (*billing.PromoRedemption, error) {
	var r *billing.PromoRedemption
	err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		var err error
		r, err = e.svc.RedeemPromoTx(ctx, tx, actor, code, client, ref)
		return err
	})
	return r, err
}

func (e *env) promo(t *testing.T, p billing.PromoCodeParams) *billing.PromoCode {
	t.Helper()
	if p.ProviderID.IsZero() {
		p.ProviderID = e.prov.ID
	}
	pc, err := e.svc.CreatePromoCode(ctx, system, p)
	if err != nil {
		t.Fatalf("CreatePromoCode %+v: %v", p, err)
	}
	return pc
}

func TestPromoCodeCRUD(t *testing.T) {
	e := newEnv(t)
	s := e.newShop(t, nil)
	pc := e.promo(t, billing.PromoCodeParams{Code: " spring-24 ", Kind: billing.PromoFixed, Value: dec("250"), Tariffs: []catalog.TariffID{s.vps.ID},
		ValidTo: billkit.MustDate(2024, 6, 1), MaxUses: 100, MaxUsesPerClient: 1})
	if pc.Code != "SPRING-24" || pc.Currency != "RUB" || pc.Uses != 0 || len(pc.Tariffs) != 1 {
		t.Fatalf("created %+v", pc)
	}
	_, err := e.svc.CreatePromoCode(ctx, system, billing.PromoCodeParams{ProviderID: e.prov.ID, Code: "Spring-24", Kind: billing.PromoFreeSetup})
	wantCode(t, err, billkit.CodeConflict, "promo_code.exists")
	got, err := e.svc.GetPromoCode(ctx, system, pc.ID)
	if err != nil || got.Code != "SPRING-24" {
		t.Fatalf("GetPromoCode = %+v, %v", got, err)
	}
	up, err := e.svc.UpdatePromoCode(ctx, system, pc.ID, billing.PromoCodeParams{Code: "spring-24", Kind: billing.PromoPercent, Value: dec("12.5"), EveryRenewal: true})
	if err != nil {
		t.Fatal(err)
	}
	if up.Kind != billing.PromoPercent || up.Currency != "" || len(up.Tariffs) != 0 || up.MaxUses != 0 || up.Code != "SPRING-24" {
		t.Fatalf("updated %+v", up)
	}
	_, err = e.svc.UpdatePromoCode(ctx, system, pc.ID, billing.PromoCodeParams{Code: "AUTUMN", Kind: billing.PromoFreeSetup})
	wantField(t, err, "code", "promo.code_immutable")
	page, err := e.svc.ListPromoCodes(ctx, system, billing.PromoCodeFilter{ProviderID: e.prov.ID})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("ListPromoCodes = %+v, %v", page, err)
	}
	for _, a := range []billkit.Actor{staff(), customer()} {
		_, err = e.svc.CreatePromoCode(ctx, a, billing.PromoCodeParams{ProviderID: e.prov.ID, Code: "X", Kind: billing.PromoFreeSetup})
		wantCode(t, err, billkit.CodeForbidden, "access.denied")
		_, err = e.svc.ListPromoCodes(ctx, a, billing.PromoCodeFilter{})
		wantCode(t, err, billkit.CodeForbidden, "access.denied")
	}

	c := e.client(t, "Acme")
	if _, err := e.redeem(system, "spring-24", c.ID, "order-1"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.svc.DeletePromoCode(ctx, system, pc.ID), billkit.CodeFailedPrecondition, "promo.redeemed")
	unused := e.promo(t, billing.PromoCodeParams{Code: "UNUSED", Kind: billing.PromoFreeSetup})
	if err := e.svc.DeletePromoCode(ctx, system, unused.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.GetPromoCode(ctx, system, unused.ID)
	wantCode(t, err, billkit.CodeNotFound, "promo_code.not_found")
	for verb, id := range map[string]string{"create": pc.ID.String(), "update": pc.ID.String(), "redeem": pc.ID.String(), "delete": unused.ID.String()} {
		if n := e.actions(t, "billing.promo_code."+verb, id); n != 1 {
			t.Errorf("%d %s actions", n, verb)
		}
	}
}

func TestPromoCodeValidation(t *testing.T) {
	e := newEnv(t)
	e.newShop(t, nil)
	ok := billing.PromoCodeParams{ProviderID: e.prov.ID, Code: "OK", Kind: billing.PromoPercent, Value: dec("10")}
	with := func(f func(p *billing.PromoCodeParams)) billing.PromoCodeParams {
		p := ok
		f(&p)
		return p
	}
	for _, tc := range []struct {
		p             billing.PromoCodeParams
		field, reason string
	}{
		{with(func(p *billing.PromoCodeParams) { p.ProviderID = billkit.ProviderID{} }), "provider_id", "required"},
		{with(func(p *billing.PromoCodeParams) { p.ProviderID = unknownProviderID(t) }), "provider_id", "provider.not_found"},
		{with(func(p *billing.PromoCodeParams) { p.Code = " " }), "code", "required"},
		{with(func(p *billing.PromoCodeParams) { p.Code = "NO SPACE" }), "code", "promo.code_malformed"},
		{with(func(p *billing.PromoCodeParams) { p.Code = "ÉTÉ" }), "code", "promo.code_malformed"},
		{with(func(p *billing.PromoCodeParams) { p.Code = strings.Repeat("A", 65) }), "code", "promo.code_malformed"},
		{with(func(p *billing.PromoCodeParams) { p.Kind = "gift" }), "kind", "promo.kind_unknown"},
		{with(func(p *billing.PromoCodeParams) { p.Value = dec("0") }), "value", "promo.value_out_of_range"},
		{with(func(p *billing.PromoCodeParams) { p.Value = dec("101") }), "value", "promo.value_out_of_range"},
		{with(func(p *billing.PromoCodeParams) { p.Currency = "RUB" }), "currency", "promo.currency_unexpected"},
		{with(func(p *billing.PromoCodeParams) { p.Kind = billing.PromoFreeSetup }), "value", "promo.value_unexpected"},
		{with(func(p *billing.PromoCodeParams) { p.Kind, p.Value = billing.PromoFixed, dec("-1") }), "value", "promo.value_out_of_range"},
		{with(func(p *billing.PromoCodeParams) { p.Kind, p.Value = billing.PromoFixed, dec("0.001") }), "value", "promo.too_many_decimals"},
		{with(func(p *billing.PromoCodeParams) { p.Kind, p.Currency = billing.PromoFixed, "XXX" }), "currency", "currency.unknown"},
		{with(func(p *billing.PromoCodeParams) { p.MaxUses = -1 }), "max_uses", "promo.max_uses_negative"},
		{with(func(p *billing.PromoCodeParams) { p.MaxUsesPerClient = -1 }), "max_uses_per_client", "promo.max_uses_negative"},
		{with(func(p *billing.PromoCodeParams) { p.ValidFrom, p.ValidTo = taxToday, taxToday }), "valid_to", "validity.empty"},
		{with(func(p *billing.PromoCodeParams) { p.Tariffs = []catalog.TariffID{billkit.NewID[catalog.Tariff]()} }), "tariffs[0]", "tariff.not_found"},
	} {
		_, err := e.svc.CreatePromoCode(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	if n := e.count(t, "billkit_promo_codes", "1 = 1"); n != 0 {
		t.Fatalf("bad input stored %d codes", n)
	}
}

func TestGeneratePromoCodes(t *testing.T) {
	e := newEnv(t)
	e.promo(t, billing.PromoCodeParams{Code: "TAKEN", Kind: billing.PromoFreeSetup})
	batch, err := e.svc.GeneratePromoCodes(ctx, system, billing.GeneratePromoParams{
		ProviderID: e.prov.ID, Count: 2000, Prefix: "bf-", Kind: billing.PromoPercent, Value: dec("50"), ValidTo: billkit.MustDate(2024, 12, 1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Codes) != 2000 {
		t.Fatalf("%d codes", len(batch.Codes))
	}
	seen := map[string]bool{}
	for _, c := range batch.Codes {
		random, ok := strings.CutPrefix(c.Code, "BF-")
		if !ok || len(random) != 10 || strings.Trim(random, "23456789ABCDEFGHJKMNPQRSTUVWXYZ") != "" {
			t.Fatalf("code %q is not the prefix and 10 unambiguous characters", c.Code)
		}
		if seen[c.Code] {
			t.Fatalf("code %s drawn twice", c.Code)
		}
		seen[c.Code] = true
		if c.MaxUses != 1 || c.BatchID != batch.ID || c.Kind != billing.PromoPercent || !c.Value.Equal(dec("50")) || c.ValidTo != billkit.MustDate(2024, 12, 1) {
			t.Fatalf("code %+v", c)
		}
	}
	stored := 0
	for cursor := ""; ; {
		page, err := e.svc.ListPromoCodes(ctx, system, billing.PromoCodeFilter{BatchID: batch.ID, PageParams: billkit.PageParams{Limit: 1000, Cursor: cursor}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Items {
			if !seen[c.Code] {
				t.Fatalf("stored code %s was not returned", c.Code)
			}
			stored++
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if stored != 2000 || e.actions(t, "billing.promo_code.generate", batch.ID.String()) != 1 {
		t.Fatalf("%d codes stored, want 2000, with one action", stored)
	}

	// A generated code is one-time.
	c1, c2 := e.client(t, "A"), e.client(t, "B")
	code := strings.ToLower(batch.Codes[0].Code)
	if _, err := e.redeem(customer(c1.ID), code, c1.ID, "o-1"); err != nil {
		t.Fatal(err)
	}
	_, err = e.redeem(customer(c2.ID), code, c2.ID, "o-2")
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPromoExhausted)

	for _, tc := range []struct {
		p             billing.GeneratePromoParams
		field, reason string
	}{
		{billing.GeneratePromoParams{ProviderID: e.prov.ID, Count: 0, Kind: billing.PromoFreeSetup}, "count", "promo.count_out_of_range"},
		{billing.GeneratePromoParams{ProviderID: e.prov.ID, Count: billing.MaxPromoBatch + 1, Kind: billing.PromoFreeSetup}, "count", "promo.count_out_of_range"},
		{billing.GeneratePromoParams{ProviderID: e.prov.ID, Count: 1, Length: 5, Kind: billing.PromoFreeSetup}, "length", "promo.length_out_of_range"},
		{billing.GeneratePromoParams{ProviderID: e.prov.ID, Count: 1, Prefix: "a b", Kind: billing.PromoFreeSetup}, "prefix", "promo.code_malformed"},
		{billing.GeneratePromoParams{ProviderID: e.prov.ID, Count: 1, Kind: billing.PromoPercent}, "value", "promo.value_out_of_range"},
		{billing.GeneratePromoParams{Count: 1, Kind: billing.PromoFreeSetup}, "provider_id", "required"},
	} {
		_, err := e.svc.GeneratePromoCodes(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	_, err = e.svc.GeneratePromoCodes(ctx, staff(), billing.GeneratePromoParams{ProviderID: e.prov.ID, Count: 1, Kind: billing.PromoFreeSetup})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
}

func TestRedeemPromo(t *testing.T) {
	e := newEnv(t)
	a, b, c := e.client(t, "A"), e.client(t, "B"), e.client(t, "C")
	pc := e.promo(t, billing.PromoCodeParams{Code: "THREE", Kind: billing.PromoPercent, Value: dec("10"), MaxUses: 3, MaxUsesPerClient: 2,
		ValidFrom: billkit.MustDate(2024, 3, 1), ValidTo: billkit.MustDate(2024, 4, 1)})
	redemptions := func() int { return e.count(t, "billkit_promo_redemptions", "promo_id = ?", pc.ID) }

	r, err := e.redeem(customer(a.ID), "three", a.ID, "order-1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Code != "THREE" || r.ClientID != a.ID || r.Ref != "order-1" || r.ActorKind != billkit.ActorCustomer || !r.RedeemedAt.Equal(e.clock.Now()) {
		t.Fatalf("redemption %+v", r)
	}
	if _, err := e.redeem(customer(a.ID), "THREE", a.ID, "order-2"); err != nil {
		t.Fatal(err)
	}
	_, err = e.redeem(customer(a.ID), "THREE", a.ID, "order-3")
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPromoClientExhausted)
	if _, err := e.redeem(system, "THREE", b.ID, "order-4"); err != nil {
		t.Fatal(err)
	}
	_, err = e.redeem(system, "THREE", c.ID, "order-5")
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPromoExhausted)
	if n := redemptions(); n != 3 {
		t.Fatalf("%d redemptions stored, want 3", n)
	}
	got, err := e.svc.GetPromoCode(ctx, system, pc.ID)
	if err != nil || got.Uses != 3 {
		t.Fatalf("uses = %+v, %v", got, err)
	}
	page, err := e.svc.ListPromoRedemptions(ctx, system, billing.PromoRedemptionFilter{ClientID: a.ID})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("ListPromoRedemptions = %+v, %v", page, err)
	}

	// Validity follows the fake clock, in the provider's time zone.
	later := e.promo(t, billing.PromoCodeParams{Code: "APRIL", Kind: billing.PromoFreeSetup, ValidFrom: billkit.MustDate(2024, 4, 1), ValidTo: billkit.MustDate(2024, 5, 1)})
	_, err = e.redeem(system, "APRIL", c.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPromoNotYetValid)
	e.clock.Set(time.Date(2024, 3, 31, 21, 0, 0, 0, time.UTC)) // April 1st, 00:00 in Moscow
	if _, err := e.redeem(system, "APRIL", c.ID, ""); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(time.Date(2024, 4, 30, 21, 0, 0, 0, time.UTC)) // May 1st in Moscow
	_, err = e.redeem(system, "APRIL", c.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPromoExpired)
	if n := e.count(t, "billkit_promo_redemptions", "promo_id = ?", later.ID); n != 1 {
		t.Fatalf("%d redemptions of APRIL", n)
	}

	_, err = e.redeem(system, "NOPE", c.ID, "")
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPromoUnknown)
	_, err = e.redeem(customer(a.ID), "THREE", c.ID, "")
	wantCode(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = e.redeem(system, "bad code", c.ID, "")
	wantField(t, err, "code", "promo.code_malformed")
	_, err = e.redeem(system, "THREE", billkit.ClientID{}, strings.Repeat("r", 129))
	wantField(t, err, "client_id", "required")
	wantField(t, err, "ref", "too_long")
	_, err = e.svc.RedeemPromoTx(ctx, nil, system, "THREE", c.ID, "")
	wantField(t, err, "tx", "required")

	// A refusal leaves the caller's transaction usable.
	e.clock.Set(start)
	free := e.promo(t, billing.PromoCodeParams{Code: "FREE", Kind: billing.PromoFreeSetup})
	err = e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		if _, err := e.svc.RedeemPromoTx(ctx, tx, system, "THREE", c.ID, ""); !billkit.HasReason(err, billing.ReasonPromoExhausted) {
			return fmt.Errorf("want exhausted, got %v", err)
		}
		_, err := e.svc.RedeemPromoTx(ctx, tx, system, "FREE", c.ID, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, "billkit_promo_redemptions", "promo_id = ?", free.ID); n != 1 {
		t.Fatalf("%d redemptions of FREE", n)
	}
}

func TestValidatePromo(t *testing.T) {
	e := newEnv(t)
	s := e.newShop(t, nil)
	a := e.client(t, "A")
	e.promo(t, billing.PromoCodeParams{Code: "VPS-ONLY", Kind: billing.PromoFreeSetup, Tariffs: []catalog.TariffID{s.vps.ID}, MaxUsesPerClient: 1})
	pc, err := e.svc.ValidatePromo(ctx, customer(a.ID), billing.ValidatePromoParams{Code: "vps-only", ClientID: a.ID, TariffID: s.vps.ID})
	if err != nil || pc.Code != "VPS-ONLY" {
		t.Fatalf("ValidatePromo = %+v, %v", pc, err)
	}
	_, err = e.svc.ValidatePromo(ctx, customer(a.ID), billing.ValidatePromoParams{Code: "VPS-ONLY", ClientID: a.ID, TariffID: s.domain.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPromoNotApplicable)
	if _, err := e.redeem(system, "VPS-ONLY", a.ID, ""); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ValidatePromo(ctx, customer(a.ID), billing.ValidatePromoParams{Code: "VPS-ONLY", ClientID: a.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPromoClientExhausted)
	// Without a client: the code itself, for a storefront (discount:read).
	if _, err := e.svc.ValidatePromo(ctx, system, billing.ValidatePromoParams{ProviderID: e.prov.ID, Code: "VPS-ONLY", Date: taxToday}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.ValidatePromo(ctx, customer(a.ID), billing.ValidatePromoParams{ProviderID: e.prov.ID, Code: "VPS-ONLY"})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	_, err = e.svc.ValidatePromo(ctx, system, billing.ValidatePromoParams{Code: "VPS-ONLY"})
	wantField(t, err, "provider_id", "required")
	_, err = e.svc.ValidatePromo(ctx, system, billing.ValidatePromoParams{ProviderID: e.prov.ID, Code: "NONE"})
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPromoUnknown)
	if n := e.count(t, "billkit_promo_redemptions", "1 = 1"); n != 1 {
		t.Fatalf("ValidatePromo wrote: %d redemptions", n)
	}
}

// TestRedeemPromoConcurrentPostgres redeems a code limited to 5 uses 20
// times at once, from 20 transactions on PostgreSQL: exactly 5 succeed.
// Run it with -race.
func TestRedeemPromoConcurrentPostgres(t *testing.T) {
	e := newPostgresTaxEnv(t)
	var clients []*billing.Client
	for i := 0; i < 4; i++ {
		clients = append(clients, e.client(t, fmt.Sprint("client ", i)))
	}
	pc := e.promo(t, billing.PromoCodeParams{Code: "FIRST-FIVE", Kind: billing.PromoPercent, Value: dec("30"), MaxUses: 5, MaxUsesPerClient: 2})
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		ok         int
		perClient  = map[billkit.ClientID]int{}
		unexpected []error
	)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clients[i%len(clients)]
			_, err := e.redeem(customer(c.ID), "first-five", c.ID, fmt.Sprint("order-", i))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
				perClient[c.ID]++
			case !billkit.HasReason(err, billing.ReasonPromoExhausted) && !billkit.HasReason(err, billing.ReasonPromoClientExhausted):
				unexpected = append(unexpected, err)
			}
		}()
	}
	wg.Wait()
	if len(unexpected) > 0 || ok != 5 {
		t.Fatalf("%d redemptions succeeded, want 5; unexpected errors: %v", ok, unexpected)
	}
	for id, n := range perClient {
		if n > 2 {
			t.Fatalf("client %s redeemed %d times, more than its 2", id, n)
		}
	}
	got, err := e.svc.GetPromoCode(ctx, system, pc.ID)
	if err != nil || got.Uses != 5 || e.count(t, "billkit_promo_redemptions", "promo_id = ?", pc.ID) != 5 {
		t.Fatalf("uses = %+v, %v", got, err)
	}
}

func TestApplyPromo(t *testing.T) {
	tariff := &catalog.Tariff{ID: billkit.NewID[catalog.Tariff](), Code: "vps", Currency: "RUB",
		Prices: []catalog.Price{rubPrice(catalog.PeriodMonth, "333.33", "100.00")}}
	code := func(kind billing.PromoKind, value string, every bool) *billing.PromoCode {
		pc := &billing.PromoCode{ID: billkit.NewID[billing.PromoCode](), Code: "X", Kind: kind, Value: dec(value), EveryRenewal: every}
		if kind == billing.PromoFixed {
			pc.Currency = "RUB"
		}
		return pc
	}
	for _, tc := range []struct {
		name      string
		pc        *billing.PromoCode
		quantity  int
		renewal   bool
		amount    string // "" when skipped
		recurring bool
		total     string
	}{
		{"percent, rounded half up", code(billing.PromoPercent, "15", false), 1, false, "-50.00", false, "383.33"},
		{"percent on every renewal", code(billing.PromoPercent, "15", true), 1, true, "-50.00", true, "383.33"},
		{"first period only, on a renewal", code(billing.PromoPercent, "15", false), 1, true, "", false, "433.33"},
		{"fixed, per service", code(billing.PromoFixed, "100", false), 2, false, "-200.00", false, "233.33"},
		{"fixed, at most the recurring price", code(billing.PromoFixed, "1000", false), 1, false, "-333.33", false, "100.00"},
		{"free setup", code(billing.PromoFreeSetup, "0", true), 1, false, "-100.00", false, "333.33"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := quoteOf(t, tariff, catalog.PeriodMonth)
			a, err := billing.ApplyPromo(&q, tc.pc, tc.quantity, tc.renewal)
			if err != nil {
				t.Fatal(err)
			}
			if tc.amount == "" {
				if a != nil || len(q.Lines) != 2 {
					t.Fatalf("applied %+v", a)
				}
				return
			}
			if a == nil || a.Amount.Amount().StringFixed(2) != tc.amount || a.Recurring != tc.recurring {
				t.Fatalf("applied %+v, want %s", a, tc.amount)
			}
			last := q.Lines[len(q.Lines)-1]
			if last.Code != "promo:X" || last.Recurring != tc.recurring || q.Total.Amount().StringFixed(2) != tc.total {
				t.Fatalf("line %+v, total %s", last, q.Total)
			}
		})
	}
	q := quoteOf(t, tariff, catalog.PeriodMonth)
	usd := code(billing.PromoFixed, "5", false)
	usd.Currency = "USD"
	_, err := billing.ApplyPromo(&q, usd, 1, false)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonPromoNotApplicable)
	if len(q.Lines) != 2 {
		t.Fatalf("a refused code changed the quote: %+v", q.Lines)
	}
}
