package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/google/go-cmp/cmp"
)

// taxCompany inserts a company of the fixture's provider.
func (f *billingFixture) taxCompany(t *testing.T, name, country string) *billing.Company {
	t.Helper()
	c := &billing.Company{ID: billkit.NewID[billing.Company](), LegalName: name, ShortName: name, Country: country,
		TaxIDs: []string{}, BankAccounts: []billing.BankAccount{}, ProviderIDs: []billkit.ProviderID{f.pid}, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.b.InsertCompany(context.Background(), c))
	return c
}

// taxGroup inserts a client group of the fixture's provider.
func (f *billingFixture) taxGroup(t *testing.T, name string) *billing.ClientGroup {
	t.Helper()
	g := &billing.ClientGroup{ID: billkit.NewID[billing.ClientGroup](), ProviderID: f.pid, Name: name, Settings: billing.Settings{}, CreatedAt: t0, UpdatedAt: t0}
	must(t, f.b.InsertClientGroup(context.Background(), g))
	return g
}

// taxRule returns a rule of company, not yet inserted.
func taxRule(company billing.CompanyID, code, country, rate string, productTypes ...string) *billing.TaxRule {
	return &billing.TaxRule{
		ID: billkit.NewID[billing.TaxRule](), CompanyID: company, Code: code, Name: directory.Text{"en": strings.ToUpper(code), "ru": "Налог"},
		Country: country, ProductTypes: productTypes, Rate: dec(rate), Level: 1, CreatedAt: t0, UpdatedAt: t0,
	}
}

func runBillingTaxes(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	cmpTax := cmp.Options{cmpOpts,
		cmp.Comparer(func(a, b billing.TaxRuleID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.CompanyID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.ClientGroupID) bool { return a == b }),
		cmp.Comparer(func(a, b billkit.ClientID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.TaxExemptionID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.VATCheckID) bool { return a == b }),
		cmp.Comparer(func(a, b billing.PayerID) bool { return a == b }),
	}

	t.Run("rule/crud", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		co := f.taxCompany(t, "HostCo", "DE")
		r := taxRule(co.ID, "vat", "DE", "19.0000", "vps", "hosting")
		r.Region, r.Level, r.Compound, r.Inclusive, r.Priority = "", 2, true, true, -3
		r.ValidFrom, r.ValidTo = billkit.MustDate(2026, 1, 1), billkit.MustDate(2027, 1, 1)
		must(t, f.b.InsertTaxRule(ctx, r))
		got, err := f.b.GetTaxRule(ctx, r.ID)
		must(t, err)
		want := *r
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpTax); diff != "" {
			t.Fatalf("GetTaxRule (-want +got):\n%s", diff)
		}
		wantCode(t, f.b.InsertTaxRule(ctx, r), billkit.CodeConflict, "tax_rule.exists")
		orphan := taxRule(billkit.NewID[billing.Company](), "vat", "", "1")
		wantCode(t, f.b.InsertTaxRule(ctx, orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)

		// Open validity and an empty product list come back as they went.
		got.ValidFrom, got.ValidTo, got.ProductTypes, got.Rate = billkit.Date{}, billkit.Date{}, nil, dec("7.5")
		must(t, f.b.UpdateTaxRule(ctx, got))
		again, err := f.b.GetTaxRule(ctx, r.ID)
		must(t, err)
		if !again.ValidFrom.IsZero() || !again.ValidTo.IsZero() || again.ProductTypes == nil || len(again.ProductTypes) != 0 || !again.Rate.Equal(dec("7.5")) {
			t.Fatalf("after update: %+v", again)
		}
		missing := taxRule(co.ID, "vat", "", "1")
		wantCode(t, f.b.UpdateTaxRule(ctx, missing), billkit.CodeNotFound, "tax_rule.not_found")
		must(t, f.b.DeleteTaxRule(ctx, r.ID))
		_, err = f.b.GetTaxRule(ctx, r.ID)
		wantCode(t, err, billkit.CodeNotFound, "tax_rule.not_found")
		wantCode(t, f.b.DeleteTaxRule(ctx, r.ID), billkit.CodeNotFound, "tax_rule.not_found")
	})

	t.Run("rule/list", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		a, b := f.taxCompany(t, "A", "DE"), f.taxCompany(t, "B", "RU")
		var all []*billing.TaxRule
		for i, spec := range []struct {
			co   billing.CompanyID
			code string
		}{{a.ID, "vat"}, {b.ID, "vat"}, {a.ID, "state"}, {a.ID, "vat"}, {b.ID, "gst"}} {
			r := taxRule(spec.co, spec.code, "", "1")
			r.Priority = i
			must(t, f.b.InsertTaxRule(ctx, r))
			all = append(all, r)
		}
		id := func(r billing.TaxRule) string { return r.ID.String() }
		for _, tc := range []struct {
			name string
			f    billing.TaxRuleFilter
			keep func(*billing.TaxRule) bool
		}{
			{"all", billing.TaxRuleFilter{}, func(*billing.TaxRule) bool { return true }},
			{"company", billing.TaxRuleFilter{CompanyID: a.ID}, func(r *billing.TaxRule) bool { return r.CompanyID == a.ID }},
			{"company and code", billing.TaxRuleFilter{CompanyID: a.ID, Code: "vat"}, func(r *billing.TaxRule) bool { return r.CompanyID == a.ID && r.Code == "vat" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var want []string
				for _, r := range all {
					if tc.keep(r) {
						want = append(want, r.ID.String())
					}
				}
				slices.Sort(want)
				got := collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[billing.TaxRule], error) {
					fl := tc.f
					fl.PageParams = pp
					return f.b.ListTaxRules(ctx, fl)
				})
				if diff := cmp.Diff(want, keys(got, id)); diff != "" {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("rule/lock", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		co := f.taxCompany(t, "HostCo", "DE")
		must(t, f.b.InTx(ctx, func(tx billing.Store) error { return tx.LockTaxRules(ctx, co.ID) }))
		err := f.b.InTx(ctx, func(tx billing.Store) error { return tx.LockTaxRules(ctx, billkit.NewID[billing.Company]()) })
		wantCode(t, err, billkit.CodeNotFound, "company.not_found")
	})

	t.Run("settings", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		co := f.taxCompany(t, "HostCo", "DE")
		_, err := f.b.GetTaxSettings(ctx, co.ID)
		wantCode(t, err, billkit.CodeNotFound, "tax_settings.not_found")
		st := &billing.TaxSettings{CompanyID: co.ID, Rounding: billing.TaxRoundPerDocument, ReverseCharge: true, UpdatedAt: t0}
		must(t, f.b.PutTaxSettings(ctx, st))
		got, err := f.b.GetTaxSettings(ctx, co.ID)
		must(t, err)
		want := &billing.TaxSettings{CompanyID: co.ID, Rounding: billing.TaxRoundPerDocument, ReverseCharge: true, UpdatedAt: storedTime(t0)}
		if diff := cmp.Diff(want, got, cmpTax); diff != "" {
			t.Fatalf("GetTaxSettings (-want +got):\n%s", diff)
		}
		later := t0.Add(time.Hour)
		must(t, f.b.PutTaxSettings(ctx, &billing.TaxSettings{CompanyID: co.ID, Rounding: billing.TaxRoundPerLine, UpdatedAt: later}))
		got, err = f.b.GetTaxSettings(ctx, co.ID)
		must(t, err)
		want = &billing.TaxSettings{CompanyID: co.ID, Rounding: billing.TaxRoundPerLine, UpdatedAt: storedTime(later)}
		if diff := cmp.Diff(want, got, cmpTax); diff != "" {
			t.Fatalf("after a second put (-want +got):\n%s", diff)
		}
		err = f.b.PutTaxSettings(ctx, &billing.TaxSettings{CompanyID: billkit.NewID[billing.Company](), Rounding: billing.TaxRoundPerLine, UpdatedAt: t0})
		wantCode(t, err, billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
	})

	t.Run("exemption/crud", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		c, g, co := f.client(t, "Acme"), f.taxGroup(t, "Charities"), f.taxCompany(t, "HostCo", "DE")
		x := &billing.TaxExemption{ID: billkit.NewID[billing.TaxExemption](), ClientID: c.ID, CompanyID: co.ID, Reason: "Charity", Certificate: "C-1",
			ValidFrom: billkit.MustDate(2026, 1, 1), CreatedAt: t0, UpdatedAt: t0}
		must(t, f.b.InsertTaxExemption(ctx, x))
		got, err := f.b.GetTaxExemption(ctx, x.ID)
		must(t, err)
		want := *x
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, cmpTax); diff != "" {
			t.Fatalf("GetTaxExemption (-want +got):\n%s", diff)
		}
		wantCode(t, f.b.InsertTaxExemption(ctx, x), billkit.CodeConflict, "tax_exemption.exists")
		both := &billing.TaxExemption{ID: billkit.NewID[billing.TaxExemption](), ClientID: c.ID, GroupID: g.ID, Reason: "x", CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, f.b.InsertTaxExemption(ctx, both), billkit.CodeInvalid, "")
		orphan := &billing.TaxExemption{ID: billkit.NewID[billing.TaxExemption](), GroupID: billkit.NewID[billing.ClientGroup](), Reason: "x", CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, f.b.InsertTaxExemption(ctx, orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)
		got.Reason, got.ValidTo, got.CompanyID = "Charity, renewed", billkit.MustDate(2027, 1, 1), billing.CompanyID{}
		must(t, f.b.UpdateTaxExemption(ctx, got))
		again, err := f.b.GetTaxExemption(ctx, x.ID)
		must(t, err)
		if again.Reason != "Charity, renewed" || again.ValidTo != billkit.MustDate(2027, 1, 1) || !again.CompanyID.IsZero() {
			t.Fatalf("after update: %+v", again)
		}
		must(t, f.b.DeleteTaxExemption(ctx, x.ID))
		wantCode(t, f.b.DeleteTaxExemption(ctx, x.ID), billkit.CodeNotFound, "tax_exemption.not_found")
		_, err = f.b.GetTaxExemption(ctx, x.ID)
		wantCode(t, err, billkit.CodeNotFound, "tax_exemption.not_found")
	})

	t.Run("exemption/list", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		a, b, g := f.client(t, "A"), f.client(t, "B"), f.taxGroup(t, "G")
		mk := func(client billkit.ClientID, group billing.ClientGroupID) *billing.TaxExemption {
			x := &billing.TaxExemption{ID: billkit.NewID[billing.TaxExemption](), ClientID: client, GroupID: group, Reason: "r", CreatedAt: t0, UpdatedAt: t0}
			must(t, f.b.InsertTaxExemption(ctx, x))
			return x
		}
		xa, xb, xg := mk(a.ID, billing.ClientGroupID{}), mk(b.ID, billing.ClientGroupID{}), mk(billkit.ClientID{}, g.ID)
		id := func(x billing.TaxExemption) string { return x.ID.String() }
		sorted := func(xs ...*billing.TaxExemption) []string {
			out := keys(xs, func(x *billing.TaxExemption) string { return x.ID.String() })
			slices.Sort(out)
			return out
		}
		for _, tc := range []struct {
			name string
			f    billing.TaxExemptionFilter
			want []string
		}{
			{"all", billing.TaxExemptionFilter{}, sorted(xa, xb, xg)},
			{"client", billing.TaxExemptionFilter{ClientID: a.ID}, sorted(xa)},
			{"group", billing.TaxExemptionFilter{GroupID: g.ID}, sorted(xg)},
			{"client or group", billing.TaxExemptionFilter{ClientID: b.ID, GroupID: g.ID}, sorted(xb, xg)},
			{"clients", billing.TaxExemptionFilter{ClientIDs: []billkit.ClientID{a.ID}}, sorted(xa)},
			{"no clients", billing.TaxExemptionFilter{ClientIDs: []billkit.ClientID{}}, []string{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := collect(t, 1, id, func(pp billkit.PageParams) (billkit.Page[billing.TaxExemption], error) {
					fl := tc.f
					fl.PageParams = pp
					return f.b.ListTaxExemptions(ctx, fl)
				})
				if diff := cmp.Diff(tc.want, keys(got, id), cmp.Comparer(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 || slices.Equal(a, b) })); diff != "" {
					t.Fatalf("(-want +got):\n%s", diff)
				}
			})
		}
	})

	t.Run("vat_check", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		c := f.client(t, "Acme")
		p, other := f.payer(t, c.ID, true, ""), f.payer(t, c.ID, false, "")
		var all []*billing.VATCheck
		for i := 0; i < 5; i++ {
			payer := p.ID
			if i == 2 {
				payer = other.ID
			}
			vc := &billing.VATCheck{ID: billkit.NewID[billing.VATCheck](), PayerID: payer, CountryCode: "DE", Number: "136695976",
				Valid: i%2 == 0, Confirmed: true, Name: "Firma GmbH", Address: "Str. 1\nBerlin", Reference: "WAPI" + strings.Repeat("1", i),
				CheckedAt: t0.Add(time.Duration(i/2) * time.Minute)}
			must(t, f.b.InsertVATCheck(ctx, vc))
			all = append(all, vc)
		}
		wantCode(t, f.b.InsertVATCheck(ctx, all[0]), billkit.CodeConflict, "vat_check.exists")
		orphan := &billing.VATCheck{ID: billkit.NewID[billing.VATCheck](), PayerID: billkit.NewID[billing.Payer](), CountryCode: "DE", Number: "1", CheckedAt: t0}
		wantCode(t, f.b.InsertVATCheck(ctx, orphan), billkit.CodeFailedPrecondition, bunstore.ReasonReferenceMissing)

		id := func(c billing.VATCheck) string { return c.ID.String() }
		got := collect(t, 1, id, func(pp billkit.PageParams) (billkit.Page[billing.VATCheck], error) {
			return f.b.ListVATChecks(ctx, billing.VATCheckFilter{PayerID: p.ID, PageParams: pp})
		})
		var want []billing.VATCheck
		for _, c := range all {
			if c.PayerID == p.ID {
				w := *c
				w.CheckedAt = storedTime(c.CheckedAt)
				want = append(want, w)
			}
		}
		slices.SortFunc(want, func(x, y billing.VATCheck) int {
			if c := y.CheckedAt.Compare(x.CheckedAt); c != 0 {
				return c
			}
			return strings.Compare(y.ID.String(), x.ID.String())
		})
		if diff := cmp.Diff(want, got, cmpTax); diff != "" {
			t.Fatalf("ListVATChecks, newest first (-want +got):\n%s", diff)
		}
	})

	t.Run("country_eu", func(t *testing.T) {
		f := newBillingFixture(t, newStores)
		for code, want := range map[string]bool{"DE": true, "RU": false} {
			eu, err := f.b.CountryEU(ctx, code)
			must(t, err)
			if eu != want {
				t.Errorf("CountryEU(%s) = %v", code, eu)
			}
		}
		_, err := f.b.CountryEU(ctx, "XX")
		wantCode(t, err, billkit.CodeNotFound, "country.not_found")
	})
}
