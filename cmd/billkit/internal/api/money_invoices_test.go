package api

import (
	"strings"
	"testing"
)

func TestInvoiceLifeAndRenderings(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	staff := w.as(w.login(t, w.admin.Email))
	cust := w.as(w.login(t, w.payingCustomer(t, "payer-a@example.com", f.clientA).Email))
	co, a := f.company.String(), f.clientA.String()

	r := send(t, staff, "POST", "/api/v1/invoices", `{"company_id":"`+co+`","client_id":"`+a+`","lines":[`+
		`{"description":"Hosting","quantity":"2","unit_price":{"amount":"12.50","currency":"USD"}}]}`, 201)
	inv := r.object(t)
	id, _ := inv["id"].(string)
	if inv["status"] != "draft" || inv["number"] != "" || inv["type"] != "invoice" {
		t.Fatalf("draft: %s", r.Body)
	}
	r = send(t, staff, "PATCH", "/api/v1/invoices/"+id, `{"memo":"Thank you"}`, 200)
	if got := r.object(t); got["memo"] != "Thank you" {
		t.Fatalf("patched: %s", r.Body)
	}
	// The customer sees the draft rendered, with what it asks.
	r = send(t, cust, "GET", "/api/v1/invoices/"+id+"/html", "", 200)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(r.Body, "Hosting") ||
		!strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("HTML: %v %.300s", r.Header, r.Body)
	}

	r = send(t, staff, "POST", "/api/v1/invoices/"+id+"/issue", "", 200)
	issued := r.object(t)
	number, _ := issued["number"].(string)
	if issued["status"] != "issued" || !strings.HasPrefix(number, "INV-2025-") || money(issued["totals"].(map[string]any)["gross"]) != "25.00 USD" {
		t.Fatalf("issued: %s", r.Body)
	}
	mustFieldError(t, call(t, staff, loopback, "PATCH", "/api/v1/invoices/"+id, `{"memo":"late"}`), 422, "invoice.frozen", "")
	mustFieldError(t, call(t, staff, loopback, "DELETE", "/api/v1/invoices/"+id, ""), 422, "invoice.frozen", "")

	// The fixtures' order by invoice has its proforma: invoices only.
	r = send(t, cust, "GET", "/api/v1/invoices?client_id="+a+"&type=invoice&status=issued,paid", "", 200)
	if got := listCodes(t, r, "number"); len(got) != 1 || got[0] != number {
		t.Fatalf("customer's issued invoices: %s", r.Body)
	}
	mustFieldError(t, get(t, cust, "/api/v1/invoices?status=lost"), 400, "invoice.status_unknown", "status")

	// A credit note corrects it whole.
	r = send(t, staff, "POST", "/api/v1/invoices/"+id+"/credit-notes", `{"lines":[{"position":1}],"memo":"Cancelled order"}`, 201)
	cn := r.object(t)
	if cn["type"] != "credit_note" || cn["credits_invoice_id"] != id || !strings.HasPrefix(cn["number"].(string), "CN-") {
		t.Fatalf("credit note: %s", r.Body)
	}
	r = send(t, cust, "GET", "/api/v1/invoices/"+id, "", 200)
	if got := r.object(t); got["status"] != "credited" {
		t.Fatalf("after the credit note: %s", r.Body)
	}
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/invoices/"+id+"/credit-notes", `{"all":true}`), 422, "", "")

	// A second invoice is voided.
	r = send(t, staff, "POST", "/api/v1/invoices/"+f.money.invoice.String()+"/issue", "", 200)
	r = send(t, staff, "POST", "/api/v1/invoices/"+f.money.invoice.String()+"/void", "", 200)
	if got := r.object(t); got["status"] != "void" {
		t.Fatalf("voided: %s", r.Body)
	}

	// Customers of another client see nothing; bad drafts name the field.
	other := w.as(w.login(t, w.payingCustomer(t, "payer-b@example.com", f.clientB).Email))
	mustStatus(t, get(t, other, "/api/v1/invoices/"+id), 404)
	mustStatus(t, get(t, other, "/api/v1/invoices/"+id+"/pdf"), 404)
	mustStatus(t, call(t, other, loopback, "POST", "/api/v1/invoices/"+id+"/pay-from-balance", ""), 404)
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/invoices", `{"company_id":"`+co+`","client_id":"`+a+`","lines":[]}`), 400, "required", "lines")
	mustFieldError(t, call(t, staff, loopback, "POST", "/api/v1/invoices", `{"company_id":"`+co+`","client_id":"`+a+`","lines":[`+
		`{"description":"X","quantity":"1","unit_price":{"amount":"1.00","currency":"EUR"}}]}`), 400, "invoice.currency_mismatch", "lines[0].unit_price")
}

func TestInvoiceSeries(t *testing.T) {
	w, f := newMoneyWorld(t, nil)
	staff := w.as(w.login(t, w.admin.Email))
	base := "/api/v1/companies/" + f.company.String() + "/invoice-series"

	r := send(t, staff, "GET", base, "", 200)
	if got := listCodes(t, r, "type"); len(got) != 4 || got[1] != "invoice" {
		t.Fatalf("series: %s", r.Body)
	}
	r = send(t, staff, "GET", base+"/invoice", "", 200)
	if got := r.object(t); got["format"] != "INV-{YYYY}-{NNNNN}" || got["default"] != true {
		t.Fatalf("default series: %s", r.Body)
	}
	r = send(t, staff, "PUT", base+"/invoice", `{"format":"B{YY}/{NNNN}"}`, 200)
	if got := r.object(t); got["format"] != "B{YY}/{NNNN}" || got["default"] != false {
		t.Fatalf("set series: %s", r.Body)
	}
	// The next invoice takes a number of the new series; a slash in the
	// number does not reach the file's name.
	send(t, staff, "POST", "/api/v1/invoices/"+f.money.invoice.String()+"/issue", "", 200)
	r = send(t, staff, "GET", "/api/v1/invoices/"+f.money.invoice.String()+"/pdf", "", 200)
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="B25_0001.pdf"`) {
		t.Fatalf("Content-Disposition %q", cd)
	}

	mustFieldError(t, call(t, staff, loopback, "PUT", base+"/proforma", `{"format":"B{YY}/{NNNN}"}`), 400, "invoice_series.format_taken", "format")
	mustFieldError(t, call(t, staff, loopback, "PUT", base+"/invoice", `{"format":"{NNNN}","reset":"yearly"}`), 400, "", "")
	mustFieldError(t, get(t, staff, base+"/bill"), 400, "", "type")
	mustStatus(t, get(t, staff, "/api/v1/companies/"+f.payerA.String()+"/invoice-series"), 404)
	owner := w.as(w.login(t, w.userFor(t, "owner-a", f.clientA, nil).Email))
	mustStatus(t, get(t, owner, base), 403)
}
