package api

import (
	"strings"
	"testing"
)

func TestDiscountsPromoCodesAndOrderPrices(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	staff := w.as(w.login(t, w.admin.Email))
	owner := w.as(w.login(t, w.userFor(t, "owner-a", f.clientA, nil).Email))
	p, a := f.provider.String(), f.clientA.String()

	r := send(t, staff, "POST", "/api/v1/discounts", `{"provider_id":"`+p+`","name":"Spring sale","scope":"everyone","percent":"20","tariffs":["`+f.tariff.String()+`"]}`, 201)
	disc := r.object(t)
	if disc["percent"] != "20" || disc["scope"] != "everyone" {
		t.Fatalf("discount: %s", r.Body)
	}
	r = send(t, staff, "GET", "/api/v1/discounts?provider_id="+p+"&scope=everyone", "", 200)
	if got := listCodes(t, r, "name"); len(got) != 1 || got[0] != "Spring sale" {
		t.Fatalf("discounts: %s", r.Body)
	}
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/discounts", `{"provider_id":"`+p+`","name":"Too much","scope":"everyone","percent":"150"}`), 400, "", "percent")

	r = send(t, staff, "POST", "/api/v1/promo-codes/generate", `{"provider_id":"`+p+`","count":3,"prefix":"gift-","kind":"fixed","value":"1.00"}`, 201)
	var batch struct {
		ID    string `json:"id"`
		Codes []struct {
			Code    string `json:"code"`
			MaxUses int    `json:"max_uses"`
		} `json:"codes"`
	}
	r.decode(t, &batch)
	if len(batch.Codes) != 3 || !strings.HasPrefix(batch.Codes[0].Code, "GIFT-") || batch.Codes[0].MaxUses != 1 {
		t.Fatalf("batch: %s", r.Body)
	}
	r = send(t, staff, "GET", "/api/v1/promo-codes?batch_id="+batch.ID, "", 200)
	if got := listCodes(t, r, "code"); len(got) != 3 {
		t.Fatalf("batch's codes: %s", r.Body)
	}

	// A customer checks a code for its client: what it gives, not its uses.
	r = send(t, owner, "POST", "/api/v1/promo-codes/validate", `{"client_id":"`+a+`","code":"spring"}`, 200)
	if got := r.object(t); got["code"] != "SPRING" || got["kind"] != "percent" || got["value"] != "10" || got["uses"] != nil || got["max_uses"] != nil {
		t.Fatalf("validate: %s", r.Body)
	}
	mustFieldError(t, call(t, owner, loopback, "POST", "/api/v1/promo-codes/validate", `{"client_id":"`+a+`","code":"NOPE"}`), 422, "promo.unknown", "")
	mustFieldError(t, call(t, owner, loopback, "POST", "/api/v1/promo-codes/validate", `{"client_id":"`+a+`","code":"no spaces"}`), 400, "promo.code_malformed", "code")
	mustStatus(t, call(t, owner, loopback, "POST", "/api/v1/promo-codes/validate", `{"client_id":"`+f.clientB.String()+`","code":"SPRING"}`), 404)

	// The customer prices an order: 5.00 and 1 GB of RAM at 1.00, less
	// 20 % (1.20), less 10 % of the rest (0.48); client A is exempt from
	// tax.
	r = send(t, owner, "POST", "/api/v1/order-prices", `{"client_id":"`+a+`","tariff_id":"`+f.tariff.String()+`","period":"month","promo_code":"spring"}`, 200)
	price := r.object(t)
	if money(price["total"]) != "4.32 USD" || money(price["net"]) != "4.32 USD" || money(price["tax"]) != "0.00 USD" {
		t.Fatalf("order price: %s", r.Body)
	}
	if ds, _ := price["discounts"].([]any); len(ds) != 1 {
		t.Fatalf("discounts applied: %s", r.Body)
	}
	mustFieldError(t, call(t, owner, loopback, "POST", "/api/v1/order-prices", `{"client_id":"`+a+`","tariff_id":"`+f.tariff.String()+`","period":"fortnight"}`), 400, "", "period")
	mustStatus(t, call(t, owner, loopback, "POST", "/api/v1/order-prices", `{"client_id":"`+f.clientB.String()+`","tariff_id":"`+f.tariff.String()+`","period":"month"}`), 404)
	// Customers do not manage discounts.
	mustStatus(t, get(t, owner, "/api/v1/discounts"), 403)
}
