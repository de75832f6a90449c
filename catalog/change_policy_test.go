package catalog_test

import (
	"strings"
	"testing"

	"github.com/billkit/billkit/catalog"
)

func TestChangePolicyValid(t *testing.T) {
	for p, want := range map[catalog.ChangePolicy]bool{
		catalog.ChangeNow: true, catalog.ChangeAtRenewal: true, "": false, "later": false, "NOW": false,
	} {
		if p.Valid() != want {
			t.Errorf("%q.Valid() = %v, want %v", p, p.Valid(), want)
		}
	}
	if got := (catalog.Lifecycle{}).EffectiveChangePolicy(); got != catalog.ChangeNow {
		t.Errorf("an empty policy is %q, want now", got)
	}
	if got := (catalog.Lifecycle{ChangePolicy: catalog.ChangeAtRenewal}).EffectiveChangePolicy(); got != catalog.ChangeAtRenewal {
		t.Errorf("at_renewal is read as %q", got)
	}
}

func TestChangePolicyValidated(t *testing.T) {
	e := newEnv(t)
	doc := catalog.ProductTypeDoc{Code: "vps", Kind: catalog.KindVPS, Name: map[string]string{"en": "VPS"},
		Lifecycle: catalog.Lifecycle{ChangePolicy: "later"}}
	_, err := e.svc.CreateProductType(ctx, system, e.prov, doc)
	be := invalid(t, err)
	if f, ok := be.Field("lifecycle.change_policy"); !ok || f.Reason != catalog.ReasonChangePolicyUnknown {
		t.Fatalf("fields %+v, want lifecycle.change_policy", be.Fields)
	}

	// Empty and at_renewal are kept as given.
	doc.Lifecycle.ChangePolicy = ""
	pt, err := e.svc.CreateProductType(ctx, system, e.prov, doc)
	if err != nil {
		t.Fatal(err)
	}
	if pt.Lifecycle.ChangePolicy != "" {
		t.Fatalf("an empty policy is stored as %q", pt.Lifecycle.ChangePolicy)
	}
	doc.Lifecycle.ChangePolicy = catalog.ChangeAtRenewal
	pt, err = e.svc.UpdateProductType(ctx, system, pt.ID, doc)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.GetProductType(ctx, system, pt.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Lifecycle.ChangePolicy != catalog.ChangeAtRenewal {
		t.Fatalf("policy read back %q", again.Lifecycle.ChangePolicy)
	}
	doc.Lifecycle.ChangePolicy = "sometimes"
	_, err = e.svc.UpdateProductType(ctx, system, pt.ID, doc)
	if f, ok := invalid(t, err).Field("lifecycle.change_policy"); !ok || f.Reason != catalog.ReasonChangePolicyUnknown {
		t.Fatalf("update with a bad policy: %v", err)
	}
}

func TestChangePolicyInCatalogDocuments(t *testing.T) {
	c := parseFile(t, "testdata/catalog_small.json")
	c.ProductTypes[0].Lifecycle.ChangePolicy = catalog.ChangeAtRenewal
	for _, f := range catalog.Formats() {
		out := export(t, c, f)
		if !strings.Contains(out, "at_renewal") {
			t.Fatalf("%s export has no change_policy:\n%s", f, out)
		}
		back, err := catalog.ParseCatalog(strings.NewReader(out), f)
		if err != nil {
			t.Fatal(err)
		}
		if got := back.ProductTypes[0].Lifecycle.ChangePolicy; got != catalog.ChangeAtRenewal {
			t.Fatalf("%s: change_policy read back %q", f, got)
		}
		if second := export(t, back, f); second != out {
			t.Fatalf("%s export → import → export differs", f)
		}
	}
	c.ProductTypes[0].Lifecycle.ChangePolicy = "never"
	if f, ok := invalid(t, catalog.ValidateCatalog(c)).Field("product_types[0].lifecycle.change_policy"); !ok || f.Reason != catalog.ReasonChangePolicyUnknown {
		t.Fatalf("ValidateCatalog of a bad policy: %+v", f)
	}
}
