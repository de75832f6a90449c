package billing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/google/go-cmp/cmp"
)

func TestDecideTaxRules(t *testing.T) {
	e := newEnv(t)
	co := e.taxCompany(t, "HostCo Inc", "US")
	e.taxRule(t, billing.TaxRuleParams{CompanyID: co.ID, Code: "sales", Rate: dec("0"), Country: "US"})
	e.taxRule(t, billing.TaxRuleParams{CompanyID: co.ID, Code: "state", Level: 2, Country: "US", Region: "US-CA", Rate: dec("7.25")})
	e.taxRule(t, billing.TaxRuleParams{CompanyID: co.ID, Code: "state", Level: 2, Country: "US", Region: "US-NY", Rate: dec("4")})
	e.taxRule(t, billing.TaxRuleParams{CompanyID: co.ID, Code: "sales", Rate: dec("20")})
	e.taxRule(t, billing.TaxRuleParams{CompanyID: co.ID, Code: "sales", Rate: dec("10"), Country: "DE", ProductTypes: []string{"domain"},
		ValidFrom: billkit.MustDate(2024, 3, 1)})

	c := e.client(t, "Acme")
	e.payerIn(t, c.ID, "US", "US-CA", "")
	d := e.decide(t, billing.TaxSubject{CompanyID: co.ID, ClientID: c.ID, ProductType: "vps", Date: taxToday})
	if diff := cmp.Diff([]string{"sales@1 0", "state@2 7.25"}, taxCodes(d)); diff != "" {
		t.Fatalf("a Californian payer (-want +got):\n%s", diff)
	}
	if d.Rounding != billing.TaxRoundPerLine || d.Exempt || d.ReverseCharge || d.Taxes[1].Name != "НДС" || d.Taxes[1].Level != 2 {
		t.Fatalf("decision = %+v", d)
	}

	// The payer named wins over the default; dates and products select.
	de := e.payerIn(t, c.ID, "DE", "", "")
	ny := e.payerIn(t, c.ID, "US", "US-NY", "")
	for _, tc := range []struct {
		payer   billing.PayerID
		product string
		date    billkit.Date
		want    []string
	}{
		{ny.ID, "vps", taxToday, []string{"sales@1 0", "state@2 4"}},
		{de.ID, "domain", taxToday, []string{"sales@1 10"}},
		{de.ID, "domain", billkit.MustDate(2024, 2, 29), []string{"sales@1 20"}},
		{de.ID, "vps", taxToday, []string{"sales@1 20"}},
		{de.ID, "", taxToday, []string{"sales@1 20"}},
	} {
		d := e.decide(t, billing.TaxSubject{CompanyID: co.ID, ClientID: c.ID, PayerID: tc.payer, ProductType: tc.product, Date: tc.date})
		if diff := cmp.Diff(tc.want, taxCodes(d)); diff != "" {
			t.Errorf("%s %s on %s (-want +got):\n%s", tc.payer, tc.product, tc.date, diff)
		}
	}

	// A client without a payer gets the rules for any country only.
	nobody := e.client(t, "Nobody")
	if diff := cmp.Diff([]string{"sales@1 20"}, taxCodes(e.decide(t, billing.TaxSubject{CompanyID: co.ID, ClientID: nobody.ID, ProductType: "vps", Date: taxToday}))); diff != "" {
		t.Fatalf("no payer (-want +got):\n%s", diff)
	}
	// Per-document rounding comes with the decision.
	if _, err := e.svc.SetTaxSettings(ctx, system, co.ID, billing.SetTaxSettingsParams{Rounding: ptr(billing.TaxRoundPerDocument)}); err != nil {
		t.Fatal(err)
	}
	if d := e.decide(t, billing.TaxSubject{CompanyID: co.ID, ClientID: c.ID, Date: taxToday}); d.Rounding != billing.TaxRoundPerDocument {
		t.Fatalf("rounding = %s", d.Rounding)
	}

	err := e.st.Billing().InTx(ctx, func(tx billing.Store) error {
		_, err := e.svc.DecideTax(ctx, tx, billing.TaxSubject{CompanyID: co.ID, ClientID: nobody.ID, PayerID: ny.ID, Date: taxToday})
		wantField(t, err, "payer_id", "payer.other_client")
		_, err = e.svc.DecideTax(ctx, tx, billing.TaxSubject{ClientID: c.ID})
		wantField(t, err, "company_id", "required")
		wantField(t, err, "date", "required")
		_, err = e.svc.DecideTax(ctx, tx, billing.TaxSubject{CompanyID: co.ID, ClientID: billkit.NewClientID(), Date: taxToday})
		wantCode(t, err, billkit.CodeNotFound, "client.not_found")
		_, err = e.svc.DecideTax(ctx, nil, billing.TaxSubject{})
		wantField(t, err, "tx", "required")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDecideTaxExemption(t *testing.T) {
	e := newEnv(t)
	co, other := e.taxCompany(t, "HostCo GmbH", "DE"), e.taxCompany(t, "HostCo SARL", "FR")
	e.taxRule(t, billing.TaxRuleParams{CompanyID: co.ID, Code: "vat", Rate: dec("19")})
	g, err := e.svc.CreateClientGroup(ctx, system, billing.CreateClientGroupParams{ProviderID: e.prov.ID, Name: "Charities"})
	if err != nil {
		t.Fatal(err)
	}
	member, err := e.svc.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: e.prov.ID, Name: "Red Cross", GroupID: g.ID})
	if err != nil {
		t.Fatal(err)
	}
	plain := e.client(t, "Plain")
	subj := func(c billkit.ClientID, on billkit.Date) billing.TaxSubject {
		return billing.TaxSubject{CompanyID: co.ID, ClientID: c, Date: on}
	}

	x, err := e.svc.CreateTaxExemption(ctx, system, billing.TaxExemptionParams{GroupID: g.ID, Reason: "Charity", Certificate: "EX-42",
		ValidFrom: billkit.MustDate(2024, 3, 1), ValidTo: billkit.MustDate(2024, 4, 1)})
	if err != nil {
		t.Fatal(err)
	}
	d := e.decide(t, subj(member.ID, taxToday))
	if !d.Exempt || len(d.Taxes) != 0 || d.Note != "Exempt from tax: Charity (certificate EX-42)" {
		t.Fatalf("a member of an exempt group: %+v", d)
	}
	for _, on := range []billkit.Date{billkit.MustDate(2024, 2, 29), billkit.MustDate(2024, 4, 1)} {
		if d := e.decide(t, subj(member.ID, on)); d.Exempt || len(d.Taxes) != 1 {
			t.Fatalf("out of the exemption's validity, on %s: %+v", on, d)
		}
	}
	if d := e.decide(t, subj(plain.ID, taxToday)); d.Exempt {
		t.Fatalf("a client outside the group: %+v", d)
	}

	// A client's own exemption, for one company only.
	own, err := e.svc.CreateTaxExemption(ctx, system, billing.TaxExemptionParams{ClientID: plain.ID, CompanyID: other.ID, Reason: "Embassy"})
	if err != nil {
		t.Fatal(err)
	}
	if d := e.decide(t, subj(plain.ID, taxToday)); d.Exempt {
		t.Fatalf("an exemption for another company applied: %+v", d)
	}
	if d := e.decide(t, billing.TaxSubject{CompanyID: other.ID, ClientID: plain.ID, Date: taxToday}); !d.Exempt || d.Note != "Exempt from tax: Embassy" {
		t.Fatalf("the client's exemption: %+v", d)
	}

	// CRUD, rights and validation.
	got, err := e.svc.GetTaxExemption(ctx, customer(plain.ID), own.ID)
	if err != nil || got.Reason != "Embassy" {
		t.Fatalf("the client's customer reads its exemption: %+v, %v", got, err)
	}
	_, err = e.svc.GetTaxExemption(ctx, customer(member.ID), own.ID)
	wantCode(t, err, billkit.CodeNotFound, "tax_exemption.not_found")
	_, err = e.svc.GetTaxExemption(ctx, customer(member.ID), x.ID)
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	page, err := e.svc.ListTaxExemptions(ctx, customer(plain.ID), billing.TaxExemptionFilter{})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != own.ID {
		t.Fatalf("a customer's list: %+v, %v", page, err)
	}
	page, err = e.svc.ListTaxExemptions(ctx, system, billing.TaxExemptionFilter{ClientID: member.ID, GroupID: g.ID})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != x.ID {
		t.Fatalf("list of a member and its group: %+v, %v", page, err)
	}
	up, err := e.svc.UpdateTaxExemption(ctx, system, x.ID, billing.TaxExemptionParams{Reason: "Charity", ValidFrom: billkit.MustDate(2024, 3, 1)})
	if err != nil || !up.ValidTo.IsZero() || up.GroupID != g.ID || up.Certificate != "" {
		t.Fatalf("UpdateTaxExemption = %+v, %v", up, err)
	}
	_, err = e.svc.UpdateTaxExemption(ctx, system, x.ID, billing.TaxExemptionParams{ClientID: plain.ID, Reason: "x"})
	wantField(t, err, "client_id", "tax_exemption.subject_immutable")
	for _, tc := range []struct {
		p             billing.TaxExemptionParams
		field, reason string
	}{
		{billing.TaxExemptionParams{Reason: "x"}, "client_id", "tax_exemption.subject_required"},
		{billing.TaxExemptionParams{ClientID: plain.ID, GroupID: g.ID, Reason: "x"}, "group_id", "tax_exemption.client_and_group"},
		{billing.TaxExemptionParams{ClientID: plain.ID}, "reason", "required"},
		{billing.TaxExemptionParams{ClientID: plain.ID, Reason: "x", Certificate: strings.Repeat("x", 101)}, "certificate", "too_long"},
		{billing.TaxExemptionParams{ClientID: plain.ID, Reason: "x", ValidFrom: taxToday, ValidTo: taxToday}, "valid_to", "validity.empty"},
		{billing.TaxExemptionParams{GroupID: billkit.NewID[billing.ClientGroup](), Reason: "x"}, "group_id", "client_group.not_found"},
		{billing.TaxExemptionParams{ClientID: plain.ID, CompanyID: billkit.NewID[billing.Company](), Reason: "x"}, "company_id", "company.not_found"},
	} {
		_, err := e.svc.CreateTaxExemption(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	_, err = e.svc.CreateTaxExemption(ctx, staff(), billing.TaxExemptionParams{GroupID: g.ID, Reason: "x"})
	wantCode(t, err, billkit.CodeForbidden, "access.denied")
	if err := e.svc.DeleteTaxExemption(ctx, system, x.ID); err != nil {
		t.Fatal(err)
	}
	if d := e.decide(t, subj(member.ID, taxToday)); d.Exempt {
		t.Fatalf("a deleted exemption applied: %+v", d)
	}
	for verb, n := range map[string]int{"create": 1, "update": 1, "delete": 1} {
		if got := e.actions(t, "billing.tax_exemption."+verb, x.ID.String()); got != n {
			t.Errorf("%d %s actions", got, verb)
		}
	}
}

// reverseChargeEnv is a French company with a French VAT rule, and a
// client whose default payer is a German business with a valid VAT ID.
type reverseChargeEnv struct {
	*env
	co     *billing.Company
	client *billing.Client
	payer  *billing.Payer
}

func newReverseChargeEnv(t *testing.T, vat billing.VATChecker) reverseChargeEnv {
	e := newEnv(t)
	e.withServices(t, vat)
	co := e.taxCompany(t, "HostCo SAS", "FR")
	e.taxRule(t, billing.TaxRuleParams{CompanyID: co.ID, Code: "vat", Rate: dec("20")})
	c := e.client(t, "Kunde")
	return reverseChargeEnv{env: e, co: co, client: c, payer: e.payerIn(t, c.ID, "DE", "", "DE 136 695 976")}
}

func (r reverseChargeEnv) decide(t *testing.T, payer billing.PayerID) billing.TaxDecision {
	t.Helper()
	return r.env.decide(t, billing.TaxSubject{CompanyID: r.co.ID, ClientID: r.client.ID, PayerID: payer, ProductType: "vps", Date: taxToday})
}

func TestDecideTaxReverseCharge(t *testing.T) {
	r := newReverseChargeEnv(t, nil)
	d := r.decide(t, billing.PayerID{})
	want := &billing.VATCheck{PayerID: r.payer.ID, CountryCode: "DE", Number: "136695976", Valid: true, Confirmed: false, CheckedAt: r.clock.Now()}
	if !d.ReverseCharge || len(d.Taxes) != 0 || d.Note != "Reverse charge: VAT ID DE136695976" {
		t.Fatalf("a German business of a French company: %+v", d)
	}
	if diff := cmp.Diff(want, d.Evidence, cmp.Comparer(func(a, b billing.PayerID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.VATCheckID) bool { return a == b })); diff != "" {
		t.Fatalf("evidence (-want +got):\n%s", diff)
	}

	samples := map[string]*billing.Payer{
		"a French business":         r.payerIn(t, r.client.ID, "FR", "", "FR40303265045"),
		"a German individual":       r.payerIn(t, r.client.ID, "DE", "", ""),
		"a business outside the EU": r.payerIn(t, r.client.ID, "US", "US-CA", "12-3456789"),
	}
	// A malformed ID stored before validation existed (or by an import).
	bad := *r.payer
	bad.ID, bad.TaxID, bad.Default = billkit.NewID[billing.Payer](), "DE136695978", false
	if err := r.st.Billing().InsertPayer(ctx, &bad); err != nil {
		t.Fatal(err)
	}
	samples["a malformed VAT ID"] = &bad
	noID := *r.payer
	noID.ID, noID.TaxID, noID.Default = billkit.NewID[billing.Payer](), "", false
	if err := r.st.Billing().InsertPayer(ctx, &noID); err != nil {
		t.Fatal(err)
	}
	samples["a business without a VAT ID"] = &noID
	for name, p := range samples {
		d := r.decide(t, p.ID)
		if d.ReverseCharge || d.Evidence != nil || len(d.Taxes) != 1 || d.Taxes[0].Code != "vat" {
			t.Errorf("%s: %+v", name, d)
		}
	}

	// The company may turn it off; a company outside the EU never has it.
	if _, err := r.svc.SetTaxSettings(ctx, system, r.co.ID, billing.SetTaxSettingsParams{ReverseCharge: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if d := r.decide(t, r.payer.ID); d.ReverseCharge {
		t.Fatalf("reverse charge turned off: %+v", d)
	}
	ru := r.taxCompany(t, "HostCo LLC", "RU")
	if _, err := r.svc.SetTaxSettings(ctx, system, ru.ID, billing.SetTaxSettingsParams{ReverseCharge: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if d := r.env.decide(t, billing.TaxSubject{CompanyID: ru.ID, ClientID: r.client.ID, Date: taxToday}); d.ReverseCharge {
		t.Fatalf("a company outside the EU: %+v", d)
	}
}

func TestDecideTaxReverseChargeConfirmed(t *testing.T) {
	vies := &fakeVAT{valid: map[string]bool{"DE136695976": true}}
	r := newReverseChargeEnv(t, vies)
	if d := r.decide(t, r.payer.ID); d.ReverseCharge || len(d.Taxes) != 1 {
		t.Fatalf("with a checker but no check: %+v", d)
	}
	check, err := r.svc.CheckPayerVAT(ctx, customer(r.client.ID), r.payer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !check.Valid || !check.Confirmed || check.Name != "Kunde GmbH" || check.CountryCode != "DE" || check.Number != "136695976" || vies.calls != 1 {
		t.Fatalf("check = %+v (%d calls)", check, vies.calls)
	}
	if n := r.actions(t, "billing.vat_check.create", check.ID.String()); n != 1 {
		t.Fatalf("%d check actions", n)
	}
	d := r.decide(t, r.payer.ID)
	if !d.ReverseCharge || d.Evidence == nil || d.Evidence.ID != check.ID || !d.Evidence.Confirmed {
		t.Fatalf("with a valid check: %+v", d)
	}

	// A check expires after VATCheckMaxAge.
	r.clock.Advance(billing.VATCheckMaxAge + time.Second)
	if d := r.decide(t, r.payer.ID); d.ReverseCharge {
		t.Fatalf("with a check older than 30 days: %+v", d)
	}
	if _, err := r.svc.CheckPayerVAT(ctx, system, r.payer.ID); err != nil {
		t.Fatal(err)
	}
	if d := r.decide(t, r.payer.ID); !d.ReverseCharge {
		t.Fatalf("after a fresh check: %+v", d)
	}

	// The latest answer decides: the number was revoked.
	vies.mu.Lock()
	vies.valid = map[string]bool{}
	vies.mu.Unlock()
	r.clock.Advance(time.Minute)
	revoked, err := r.svc.CheckPayerVAT(ctx, system, r.payer.ID)
	if err != nil || revoked.Valid {
		t.Fatalf("revoked check = %+v, %v", revoked, err)
	}
	if d := r.decide(t, r.payer.ID); d.ReverseCharge {
		t.Fatalf("after an invalid answer: %+v", d)
	}
	page, err := r.svc.ListVATChecks(ctx, system, billing.VATCheckFilter{PayerID: r.payer.ID})
	if err != nil || len(page.Items) != 3 || page.Items[0].ID != revoked.ID {
		t.Fatalf("ListVATChecks = %+v, %v", page, err)
	}
}

func TestCheckPayerVAT(t *testing.T) {
	vies := &fakeVAT{err: errVIESDown}
	r := newReverseChargeEnv(t, vies)
	_, err := r.svc.CheckPayerVAT(ctx, system, r.payer.ID)
	wantCode(t, err, billkit.CodeUnavailable, billing.ReasonVATCheckFailed)
	if n := r.count(t, "billkit_vat_checks", "1 = 1"); n != 0 {
		t.Fatalf("a failed check stored %d rows", n)
	}
	individual := r.payerIn(t, r.client.ID, "DE", "", "")
	_, err = r.svc.CheckPayerVAT(ctx, system, individual.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonNotEUVAT)
	us := r.payerIn(t, r.client.ID, "US", "US-NY", "12-3456789")
	_, err = r.svc.CheckPayerVAT(ctx, system, us.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonNotEUVAT)
	other := r.client.ID
	_, err = r.svc.CheckPayerVAT(ctx, customer(billkit.NewClientID()), r.payer.ID)
	wantCode(t, err, billkit.CodeNotFound, "payer.not_found")
	_, err = r.svc.ListVATChecks(ctx, system, billing.VATCheckFilter{})
	wantField(t, err, "payer_id", "required")
	_, err = r.svc.ListVATChecks(ctx, customer(other), billing.VATCheckFilter{PayerID: r.payer.ID})
	if err != nil {
		t.Fatal(err)
	}

	plain := newReverseChargeEnv(t, nil)
	_, err = plain.svc.CheckPayerVAT(ctx, system, plain.payer.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonVATCheckerMissing)
}
