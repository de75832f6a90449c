package api

import (
	"testing"
)

func TestTaxRulesSettingsAndExemptions(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	staff := w.as(w.login(t, w.admin.Email))
	co := f.company.String()

	r := send(t, staff, "POST", "/api/v1/tax-rules", `{"company_id":"`+co+`","code":"sales_tax","name":{"en":"Sales tax"},"country":"US","region":"US-DE","level":2,"rate":"6.25"}`, 201)
	rule := r.object(t)
	id, _ := rule["id"].(string)
	if rule["rate"] != "6.25" || rule["region"] != "US-DE" {
		t.Fatalf("created: %s", r.Body)
	}
	r = send(t, staff, "GET", "/api/v1/tax-rules?company_id="+co+"&code=sales_tax", "", 200)
	if got := listCodes(t, r, "id"); len(got) != 1 || got[0] != id {
		t.Fatalf("list by code: %s", r.Body)
	}
	r = send(t, staff, "PUT", "/api/v1/tax-rules/"+id, `{"company_id":"`+co+`","code":"sales_tax","name":{"en":"Sales tax"},"country":"US","region":"US-DE","level":2,"rate":"6.5"}`, 200)
	if got := r.object(t); got["rate"] != "6.5" {
		t.Fatalf("updated: %s", r.Body)
	}
	// A second rule for the same sales on the same days is a conflict.
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/tax-rules", `{"company_id":"`+co+`","code":"sales_tax","name":{"en":"Again"},"country":"US","region":"US-DE","level":2,"rate":"1"}`),
		409, "tax_rule.overlap", "")
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/tax-rules", `{"company_id":"`+co+`","code":"vat2","name":{"en":"VAT"},"rate":"150"}`),
		400, "tax_rule.rate_out_of_range", "rate")
	send(t, staff, "DELETE", "/api/v1/tax-rules/"+id, "", 200)
	mustStatus(t, get(t, staff, "/api/v1/tax-rules/"+id), 404)

	r = send(t, staff, "GET", "/api/v1/companies/"+co+"/tax-settings", "", 200)
	if got := r.object(t); got["rounding"] != "line" {
		t.Fatalf("default settings: %s", r.Body)
	}
	r = send(t, staff, "PUT", "/api/v1/companies/"+co+"/tax-settings", `{"rounding":"document"}`, 200)
	if got := r.object(t); got["rounding"] != "document" {
		t.Fatalf("set settings: %s", r.Body)
	}
	mustFieldError(t, call(t, staff, loopback, "PUT", "/api/v1/companies/"+co+"/tax-settings", `{"rounding":"sometimes"}`), 400, "", "rounding")

	// Exemptions: the fixtures exempt client A.
	r = send(t, staff, "GET", "/api/v1/tax-exemptions?client_id="+f.clientA.String(), "", 200)
	if got := listCodes(t, r, "id"); len(got) != 1 || got[0] != f.money.exemption.String() {
		t.Fatalf("client A's exemptions: %s", r.Body)
	}
	r = send(t, staff, "PUT", "/api/v1/tax-exemptions/"+f.money.exemption.String(), `{"reason":"Charity","certificate":"C-1","valid_to":"2026-01-01"}`, 200)
	if got := r.object(t); got["certificate"] != "C-1" || got["valid_to"] != "2026-01-01" {
		t.Fatalf("updated exemption: %s", r.Body)
	}
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/tax-exemptions", `{"client_id":"`+f.clientB.String()+`","reason":""}`), 400, "required", "reason")
	send(t, staff, "POST", "/api/v1/tax-exemptions", `{"group_id":"`+f.group.String()+`","reason":"Resellers"}`, 201)
}

func TestVATChecks(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	// The payer's owner checks its VAT ID: the fixtures' payer has none.
	owner := w.as(w.login(t, w.userFor(t, "owner-a", f.clientA, nil).Email))
	payer := f.payerA.String()
	mustFieldError(t, call(t, owner, loopback, "POST", "/api/v1/payers/"+payer+"/vat-checks", ""), 422, "tax.not_eu_vat", "")
	r := send(t, owner, "GET", "/api/v1/payers/"+payer+"/vat-checks", "", 200)
	if got := listCodes(t, r, "id"); len(got) != 0 {
		t.Fatalf("checks: %s", r.Body)
	}
	other := w.as(w.login(t, w.userFor(t, "owner-b", f.clientB, nil).Email))
	mustStatus(t, get(t, other, "/api/v1/payers/"+payer+"/vat-checks"), 404)
	mustStatus(t, call(t, other, loopback, "POST", "/api/v1/payers/"+payer+"/vat-checks", ""), 404)
}
