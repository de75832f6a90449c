package billing_test

import (
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

func TestContractTransition(t *testing.T) {
	all := []billing.ContractStatus{billing.ContractDraft, billing.ContractSent, billing.ContractSigned, billing.ContractCancelled}
	allowed := map[[2]billing.ContractStatus]bool{
		{billing.ContractDraft, billing.ContractSent}:       true,
		{billing.ContractSent, billing.ContractSigned}:      true,
		{billing.ContractDraft, billing.ContractCancelled}:  true,
		{billing.ContractSent, billing.ContractCancelled}:   true,
		{billing.ContractSigned, billing.ContractCancelled}: true,
	}
	for _, from := range append(all, "bogus") {
		for _, to := range append(all, "bogus") {
			err := billing.ContractTransition(from, to)
			if allowed[[2]billing.ContractStatus{from, to}] {
				if err != nil {
					t.Errorf("%s → %s: %v", from, to, err)
				}
				continue
			}
			if billkit.ErrorCode(err) != billkit.CodeFailedPrecondition || billkit.ErrorReason(err) != billing.ReasonContractTransition {
				t.Errorf("%s → %s = %v, want failed_precondition %s", from, to, err, billing.ReasonContractTransition)
			}
		}
	}
}

func TestContracts(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, "Acme")
	co := must[*billing.Company](t)(e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{LegalName: "HostCo LLC", Country: "RU", ProviderIDs: []billkit.ProviderID{e.prov.ID}}))
	lonely := must[*billing.Company](t)(e.svc.CreateCompany(ctx, system, billing.CreateCompanyParams{LegalName: "Lonely", Country: "RU"}))

	for _, tc := range []struct {
		p             billing.CreateContractTemplateParams
		field, reason string
	}{
		{billing.CreateContractTemplateParams{Name: "x", Body: map[string]string{"en": "x"}, NumberFormat: "{N}"}, "company_id", "required"},
		{billing.CreateContractTemplateParams{CompanyID: co.ID, Body: map[string]string{"en": "x"}, NumberFormat: "{N}"}, "name", "required"},
		{billing.CreateContractTemplateParams{CompanyID: co.ID, Name: "x", NumberFormat: "{N}"}, "body", ""},
		{billing.CreateContractTemplateParams{CompanyID: co.ID, Name: "x", Body: map[string]string{"en": "x"}, NumberFormat: "D-{X}"}, "number_format", billing.ReasonNumberFormatMalformed},
		{billing.CreateContractTemplateParams{CompanyID: co.ID, Name: "x", Body: map[string]string{"en": "x"}, NumberFormat: "D-{N}", Reset: billing.ResetYearly}, "number_format", billing.ReasonNumberFormatNeedsDate},
		{billing.CreateContractTemplateParams{CompanyID: newID[billing.CompanyID](), Name: "x", Body: map[string]string{"en": "x"}, NumberFormat: "{N}"}, "company_id", "company.not_found"},
	} {
		_, err := e.svc.CreateContractTemplate(ctx, system, tc.p)
		wantField(t, err, tc.field, tc.reason)
	}
	tpl, err := e.svc.CreateContractTemplate(ctx, system, billing.CreateContractTemplateParams{
		CompanyID: co.ID, Name: "Public offer", Body: map[string]string{"en": "Terms", "ru": "Условия"},
		NumberFormat: "DOG-{YYYY}/{MM}{DD}-{NNN}", Reset: billing.ResetYearly,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Another template of the company with the same format shares the counter.
	twin := must[*billing.ContractTemplate](t)(e.svc.CreateContractTemplate(ctx, system, billing.CreateContractTemplateParams{
		CompanyID: co.ID, Name: "Twin", Body: map[string]string{"en": "Terms"}, NumberFormat: "DOG-{YYYY}/{MM}{DD}-{NNN}", Reset: billing.ResetYearly,
	}))
	elsewhere := must[*billing.ContractTemplate](t)(e.svc.CreateContractTemplate(ctx, system, billing.CreateContractTemplateParams{
		CompanyID: lonely.ID, Name: "x", Body: map[string]string{"en": "Terms"}, NumberFormat: "{N}",
	}))

	_, err = e.svc.CreateContract(ctx, system, billing.CreateContractParams{TemplateID: tpl.ID, ClientID: c.ID})
	wantCode(t, err, billkit.CodeFailedPrecondition, "contract.no_payer")
	p1 := e.payer(t, c.ID, "Ivan")
	p2 := e.payer(t, c.ID, "Maria")

	// The clock shows 21:30 UTC on March 14th: the 15th in Moscow.
	k1, err := e.svc.CreateContract(ctx, system, billing.CreateContractParams{TemplateID: tpl.ID, ClientID: c.ID})
	if err != nil {
		t.Fatal(err)
	}
	if k1.Number != "DOG-2024/0315-001" || k1.PayerID != p1.ID || k1.Status != billing.ContractDraft || k1.Date != billkit.MustDate(2024, time.March, 15) || k1.CompanyID != co.ID {
		t.Fatalf("contract = %+v", k1)
	}
	k2 := must[*billing.Contract](t)(e.svc.CreateContract(ctx, system, billing.CreateContractParams{TemplateID: twin.ID, ClientID: c.ID, PayerID: p2.ID}))
	if k2.Number != "DOG-2024/0315-002" || k2.PayerID != p2.ID {
		t.Fatalf("second contract = %+v", k2)
	}
	e.clock.Set(time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC))
	k3 := must[*billing.Contract](t)(e.svc.CreateContract(ctx, system, billing.CreateContractParams{TemplateID: tpl.ID, ClientID: c.ID}))
	if k3.Number != "DOG-2025/0110-001" {
		t.Fatalf("the yearly series did not reset: %s", k3.Number)
	}

	other := e.client(t, "Other")
	po := e.payer(t, other.ID, "Olga")
	for _, tc := range []struct {
		p      billing.CreateContractParams
		code   billkit.Code
		reason string
	}{
		{billing.CreateContractParams{ClientID: c.ID}, billkit.CodeInvalid, "required"},
		{billing.CreateContractParams{TemplateID: tpl.ID}, billkit.CodeInvalid, "required"},
		{billing.CreateContractParams{TemplateID: newID[billing.ContractTemplateID](), ClientID: c.ID}, billkit.CodeInvalid, "contract_template.not_found"},
		{billing.CreateContractParams{TemplateID: tpl.ID, ClientID: c.ID, PayerID: po.ID}, billkit.CodeInvalid, "payer.not_found"},
		{billing.CreateContractParams{TemplateID: elsewhere.ID, ClientID: c.ID}, billkit.CodeFailedPrecondition, "contract.company_not_serving"},
		{billing.CreateContractParams{TemplateID: tpl.ID, ClientID: newID[billkit.ClientID]()}, billkit.CodeNotFound, "client.not_found"},
	} {
		_, err := e.svc.CreateContract(ctx, system, tc.p)
		wantCode(t, err, tc.code, tc.reason)
	}
	if n := e.count(t, "billkit_contracts", "1 = 1"); n != 3 {
		t.Fatalf("%d contracts after bad input", n)
	}
	// Failed creations gave their numbers back.
	k4 := must[*billing.Contract](t)(e.svc.CreateContract(ctx, system, billing.CreateContractParams{TemplateID: tpl.ID, ClientID: c.ID}))
	if k4.Number != "DOG-2025/0110-002" {
		t.Fatalf("number after failures = %s", k4.Number)
	}

	// Lifecycle.
	_, err = e.svc.SignContract(ctx, system, k1.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonContractTransition)
	e.clock.Advance(time.Hour)
	sent := must[*billing.Contract](t)(e.svc.SendContract(ctx, system, k1.ID))
	if sent.Status != billing.ContractSent || !sent.SentAt.Equal(billkit.Instant(e.clock.Now())) {
		t.Fatalf("sent = %+v", sent)
	}
	e.clock.Advance(time.Hour)
	signed := must[*billing.Contract](t)(e.svc.SignContract(ctx, system, k1.ID))
	if signed.Status != billing.ContractSigned || !signed.SignedAt.After(signed.SentAt) {
		t.Fatalf("signed = %+v", signed)
	}
	cancelled := must[*billing.Contract](t)(e.svc.CancelContract(ctx, system, k1.ID))
	if cancelled.Status != billing.ContractCancelled || cancelled.CancelledAt.IsZero() {
		t.Fatalf("cancelled = %+v", cancelled)
	}
	_, err = e.svc.SendContract(ctx, system, k1.ID)
	wantCode(t, err, billkit.CodeFailedPrecondition, billing.ReasonContractTransition)
	got := must[*billing.Contract](t)(e.svc.GetContract(ctx, system, k1.ID))
	if got.Status != billing.ContractCancelled || got.SentAt.IsZero() || got.SignedAt.IsZero() || got.Number != k1.Number {
		t.Fatalf("stored = %+v", got)
	}
	for _, verb := range []string{"create", "send", "sign", "cancel"} {
		if n := e.actions(t, "billing.contract."+verb, k1.ID.String()); n != 1 {
			t.Fatalf("%d %s actions", n, verb)
		}
	}
	_, err = e.svc.CancelContract(ctx, staff(billkit.R(billing.FunctionContract, billkit.OpRead)), k2.ID)
	wantCode(t, err, billkit.CodeForbidden, "")

	page := must[billkit.Page[billing.Contract]](t)(e.svc.ListContracts(ctx, system, billing.ContractFilter{ClientID: c.ID, Status: billing.ContractDraft}))
	if len(page.Items) != 3 {
		t.Fatalf("drafts = %d", len(page.Items))
	}
	_, err = e.svc.ListContracts(ctx, system, billing.ContractFilter{Status: "x"})
	wantField(t, err, "status", "contract.status_unknown")

	// Templates.
	upd := must[*billing.ContractTemplate](t)(e.svc.UpdateContractTemplate(ctx, system, tpl.ID, billing.UpdateContractTemplateParams{Name: ptr("Offer v2"), Reset: ptr(billing.ResetMonthly)}))
	if upd.Name != "Offer v2" || upd.Reset != billing.ResetMonthly {
		t.Fatalf("template = %+v", upd)
	}
	_, err = e.svc.UpdateContractTemplate(ctx, system, elsewhere.ID, billing.UpdateContractTemplateParams{Reset: ptr(billing.ResetMonthly)})
	wantField(t, err, "number_format", billing.ReasonNumberFormatNeedsDate)
	if g := must[*billing.ContractTemplate](t)(e.svc.GetContractTemplate(ctx, system, tpl.ID)); g.Body.Get("ru") != "Условия" {
		t.Fatalf("template body = %v", g.Body)
	}
	tl := must[billkit.Page[billing.ContractTemplate]](t)(e.svc.ListContractTemplates(ctx, system, billing.ContractTemplateFilter{CompanyID: co.ID}))
	if len(tl.Items) != 2 {
		t.Fatalf("templates = %d", len(tl.Items))
	}
}
