package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/shopspring/decimal"
)

// staffOnlyOps are the client-scoped operations the service refuses to
// customers whatever their role (billing.staff_only,
// provisioning.staff_only).
var staffOnlyOps = map[string]bool{
	"merge-client": true, "confirm-payment": true, "refund-payment": true,
	"move-service": true, "open-service": true, "set-service-special-price": true, "sync-service": true,
}

// fixtures are the objects the matrix fills path parameters with. The
// client-owned ones belong to client A.
type fixtures struct {
	provider     billkit.ProviderID
	company      billing.CompanyID
	group        billing.ClientGroupID
	clientA      billkit.ClientID
	clientB      billkit.ClientID
	payerA       billing.PayerID
	template     billing.ContractTemplateID
	contractA    billing.ContractID
	department   access.DepartmentID
	grant        access.GrantID
	inviteA      access.InviteID
	spare        *access.User // a staff user the calls act on
	memberA      *access.User // a customer user of client A the calls act on
	spareSession access.SessionID
	spareKey     access.APIKeyID
	loginUser    *access.User // signs in through POST /auth/login
	rate         directory.ExchangeRateID
	productType  catalog.ProductTypeID
	tariff       catalog.TariffID
	tariff2      catalog.TariffID
	tariffGroup  catalog.TariffGroupID
	enumeration  catalog.EnumerationID
	osImage      catalog.OSImageID
	agreement    catalog.AgreementID
	priceVersion catalog.PriceVersionID
	money        moneyFixtures
	prov         provFixtures
}

func (w *world) fixtures(t *testing.T) *fixtures {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixtures: %v", err)
		}
	}
	f := &fixtures{}
	p, err := w.bill.CreateProvider(ctx, system, billing.CreateProviderParams{Name: "Hosting", Currency: "USD"})
	must(err)
	f.provider = p.ID
	co, err := w.bill.CreateCompany(ctx, system, billing.CreateCompanyParams{
		LegalName: "Hosting LLC", Country: "US", Address: billing.Address{Lines: []string{"1 Main St"}, City: "Dover", Region: "US-DE"},
		ProviderIDs: []billkit.ProviderID{p.ID},
	})
	must(err)
	f.company = co.ID
	g, err := w.bill.CreateClientGroup(ctx, system, billing.CreateClientGroupParams{ProviderID: p.ID, Name: "Resellers"})
	must(err)
	f.group = g.ID
	a, err := w.bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: p.ID, Name: "Client A", Email: "a@example.com"})
	must(err)
	f.clientA = a.ID
	b, err := w.bill.CreateClient(ctx, system, billing.CreateClientParams{ProviderID: p.ID, Name: "Client B", Email: "b@example.com"})
	must(err)
	f.clientB = b.ID
	pa, err := w.bill.CreatePayer(ctx, system, billing.CreatePayerParams{
		ClientID: a.ID, Kind: billing.PayerIndividual, Name: "Alice", Country: "US", Region: "US-DE", Address: billing.Address{City: "Dover", Region: "US-DE"}, Default: true,
	})
	must(err)
	f.payerA = pa.ID
	tpl, err := w.bill.CreateContractTemplate(ctx, system, billing.CreateContractTemplateParams{
		CompanyID: co.ID, Name: "Service agreement", Body: directory.Text{"en": "Terms."}, NumberFormat: "CT-{NNNNN}",
	})
	must(err)
	f.template = tpl.ID
	k, err := w.bill.CreateContract(ctx, system, billing.CreateContractParams{TemplateID: tpl.ID, ClientID: a.ID, PayerID: pa.ID})
	must(err)
	f.contractA = k.ID
	d, err := w.acc.CreateDepartment(ctx, system, access.CreateDepartmentParams{Name: "Support"})
	must(err)
	f.department = d.ID
	gr, err := w.acc.Grant(ctx, system, access.GrantParams{DepartmentID: d.ID, Right: billkit.R(billing.FunctionClient, billkit.OpRead)})
	must(err)
	f.grant = gr.ID
	inv, err := w.acc.CreateInvite(ctx, system, a.ID, "friend@example.com", access.RoleBilling, nil)
	must(err)
	f.inviteA = inv.ID
	f.spare = w.staff(t, "spare@example.com", false)
	_, err = w.acc.AddDepartmentMember(ctx, system, d.ID, f.spare.ID)
	must(err)
	f.memberA = w.customer(t, "member-a@example.com", a.ID, access.RoleTechnical)
	res, err := w.acc.Login(ctx, access.LoginParams{Email: f.spare.Email, Password: testPassword})
	must(err)
	f.spareSession = res.Session.ID
	key, err := w.acc.CreateAPIKey(ctx, system, access.CreateAPIKeyParams{OwnerID: f.spare.ID, Name: "spare", Scopes: []billkit.Right{billkit.R(billing.FunctionClient, billkit.OpRead)}})
	must(err)
	f.spareKey = key.Key.ID
	f.loginUser = w.staff(t, "login@example.com", false)
	_, err = w.dir.CreateTLD(ctx, system, directory.CreateTLDParams{Name: "com", Enabled: true})
	must(err)
	rate, err := w.dir.SetExchangeRate(ctx, system, directory.SetExchangeRateParams{
		Base: "USD", Quote: "EUR", Rate: decimal.RequireFromString("0.9"), Date: billkit.MustDate(2025, 3, 1),
	})
	must(err)
	f.rate = rate.ID
	w.catalogFixtures(t, f)
	w.moneyFixtures(t, f)
	w.provisioningFixtures(t, f)
	return f
}

// matrixCatalog is the catalog of the matrix's provider: one of each
// entity, and two tariffs of one group so a change can be checked.
const matrixCatalog = `
product_types:
  - {code: vps, kind: vps, name: {en: VPS}, lifecycle: {client_delete: never}}
enumerations:
  - {code: os, name: {en: OS}, values: [{code: debian, name: {en: Debian}}]}
groups:
  - {code: vps, name: {en: VPS}, change_within_group: true}
tariffs:
  - code: vps-1
    name: {en: VPS 1}
    product_type: vps
    group: vps
    currency: USD
    prices: [{period: month, currency: USD, amount: "5.00"}]
    addons:
      - {code: os, name: {en: OS}, billing_type: enum, enumeration: os, options: [{value: debian}]}
      - code: ram
        name: {en: RAM}
        billing_type: quantity
        unit: GB
        min: 1
        max: 4
        step: 1
        prices: [{period: month, currency: USD, amount: "1.00"}]
  - code: vps-2
    name: {en: VPS 2}
    product_type: vps
    group: vps
    currency: USD
    prices: [{period: month, currency: USD, amount: "9.00"}]
os_images:
  - {code: debian, name: Debian, product_types: [vps]}
agreements:
  - {code: terms, title: {en: Terms}, text: {en: Be nice.}, tariffs: [vps-1]}
price_versions:
  - {tariff: vps-1, effective_date: 2030-01-01, policy: next_renewal, prices: [{period: month, currency: USD, amount: "6.00"}]}
`

func (w *world) catalogFixtures(t *testing.T, f *fixtures) {
	t.Helper()
	ctx := context.Background()
	doc, err := catalog.ParseCatalog(strings.NewReader(matrixCatalog), catalog.FormatYAML)
	if err != nil {
		t.Fatalf("catalog fixtures: %v", err)
	}
	doc.ProviderID = f.provider
	if _, err := w.cat.ImportCatalog(ctx, system, doc, catalog.ImportOptions{}); err != nil {
		t.Fatalf("catalog fixtures: %v", err)
	}
	pts, err := w.cat.ListProductTypes(ctx, system, catalog.ProductTypeFilter{ProviderID: f.provider})
	if err != nil || len(pts.Items) != 1 {
		t.Fatalf("catalog fixtures: %v %v", pts, err)
	}
	f.productType = pts.Items[0].ID
	t1, err := w.cat.GetTariffByCode(ctx, system, f.provider, "vps-1")
	if err != nil {
		t.Fatal(err)
	}
	t2, err := w.cat.GetTariffByCode(ctx, system, f.provider, "vps-2")
	if err != nil {
		t.Fatal(err)
	}
	f.tariff, f.tariff2, f.tariffGroup = t1.ID, t2.ID, t1.GroupID
	es, _ := w.cat.ListEnumerations(ctx, system, catalog.EnumerationFilter{ProviderID: f.provider})
	os, _ := w.cat.ListOSImages(ctx, system, catalog.OSImageFilter{ProviderID: f.provider})
	as, _ := w.cat.ListAgreements(ctx, system, catalog.AgreementFilter{ProviderID: f.provider})
	vs, _ := w.cat.ListPriceVersions(ctx, system, catalog.PriceVersionFilter{ProviderID: f.provider})
	if len(es.Items) != 1 || len(os.Items) != 1 || len(as.Items) != 1 || len(vs.Items) != 1 {
		t.Fatalf("catalog fixtures: %d enumerations, %d images, %d agreements, %d versions", len(es.Items), len(os.Items), len(as.Items), len(vs.Items))
	}
	f.enumeration, f.osImage, f.agreement, f.priceVersion = es.Items[0].ID, os.Items[0].ID, as.Items[0].ID, vs.Items[0].ID
}

// path fills the path parameters of an operation's path with the fixtures,
// choosing by the collection the parameter follows.
func (f *fixtures) path(t *testing.T, p string) string {
	t.Helper()
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range segs {
		if !strings.HasPrefix(s, "{") {
			continue
		}
		coll := segs[i-1]
		var v string
		switch s {
		case "{user_id}":
			if segs[0] == "clients" {
				v = f.memberA.ID.String()
			} else {
				v = f.spare.ID.String()
			}
		case "{id}":
			v = map[string]string{
				"providers": f.provider.String(), "companies": f.company.String(), "client-groups": f.group.String(),
				"clients": f.clientA.String(), "payers": f.payerA.String(), "contract-templates": f.template.String(),
				"contracts": f.contractA.String(), "departments": f.department.String(), "grants": f.grant.String(),
				"invites": f.inviteA.String(), "staff": f.spare.ID.String(), "users": f.memberA.ID.String(),
				"sessions": f.spareSession.String(), "api-keys": f.spareKey.String(), "exchange-rates": f.rate.String(),
				"product-types": f.productType.String(), "tariffs": f.tariff.String(), "tariff-groups": f.tariffGroup.String(),
				"enumerations": f.enumeration.String(), "os-images": f.osImage.String(), "agreements": f.agreement.String(),
				"price-versions": f.priceVersion.String(),
			}[coll]
		case "{code}":
			v = map[string]string{"countries": "US", "currencies": "JPY", "locales": "ru", "subdivisions": "US-CA", "units": "GB",
				"addons": "ram", "tariffs": "vps-1"}[coll]
		case "{provider_id}":
			v = f.provider.String()
		case "{name}":
			v = "com"
		}
		if v == "" {
			v = f.money.path(coll, s)
		}
		if v == "" {
			v = f.prov.path(coll, s)
		}
		if v == "" {
			t.Fatalf("no fixture for %s in %s: add one", s, p)
		}
		segs[i] = url.PathEscape(v)
	}
	return "/api/v1/" + strings.Join(segs, "/")
}

// bodies are valid request bodies of the operations that need one, so a
// call reaches the right check instead of failing validation. An operation
// missing here is called with {}.
func (f *fixtures) bodies(n int) map[string]string {
	u := fmt.Sprintf("u%d", n)
	m := map[string]string{
		"update-country":             `{"enabled":true}`,
		"create-currency":            `{"code":"PT` + fmt.Sprint(n%10) + `X","name":{"en":"Points"},"digits":0,"enabled":true}`,
		"update-currency":            `{"symbol":"¥"}`,
		"set-exchange-rate":          `{"base":"USD","quote":"RUB","rate":"90.5","date":"2025-03-01"}`,
		"create-unit":                `{"code":"rack` + u + `","name":{"en":"rack"},"dimension":"count","factor":"42"}`,
		"update-unit":                `{"name":{"en":"gigabyte"}}`,
		"create-tld":                 `{"name":"shop` + u + `","enabled":true}`,
		"update-tld":                 `{"max_years":9}`,
		"create-locale":              `{"code":"nl","enabled":false}`,
		"update-locale":              `{"enabled":true}`,
		"login":                      `{"email":"login@example.com","password":"` + testPassword + `"}`,
		"register":                   `{"email":"new-` + u + `@example.com","password":"` + testPassword + `"}`,
		"request-password-reset":     `{"email":"nobody@example.com"}`,
		"confirm-password-reset":     `{"token":"wrong","password":"` + testPassword + `"}`,
		"update-me":                  `{"name":"Me"}`,
		"change-my-password":         `{"old_password":"` + testPassword + `","new_password":"another horse battery"}`,
		"confirm-totp":               `{"code":"123456"}`,
		"disable-totp":               `{"password":"` + testPassword + `"}`,
		"create-api-key":             `{"name":"k","scopes":["billing.client:read"]}`,
		"create-staff-user":          `{"email":"staff-` + u + `@example.com","password":"` + testPassword + `"}`,
		"create-customer-user":       `{"email":"cust-` + u + `@example.com","password":"` + testPassword + `"}`,
		"update-staff-user":          `{"name":"Spare"}`,
		"set-staff-user-password":    `{"password":"` + testPassword + `"}`,
		"set-customer-user-password": `{"password":"` + testPassword + `"}`,
		"update-customer-user":       `{"name":"Member"}`,
		"purge-access-events":        `{"before":"2000-01-01T00:00:00Z"}`,
		"purge-actions":              `{"before":"2000-01-01T00:00:00Z"}`,
		"create-department":          `{"name":"Dept ` + u + `"}`,
		"update-department":          `{"description":"first line"}`,
		"create-grant":               `{"user_id":"` + f.spare.ID.String() + `","right":"billing.company:read"}`,
		"set-full-rights":            `{"on":true}`,
		"put-client-member":          `{"role":"technical"}`,
		"create-client-invite":       `{"email":"x-` + u + `@example.com","role":"billing"}`,
		"accept-invite":              `{"token":"wrong"}`,
		"create-provider":            `{"name":"Brand ` + u + `","currency":"USD"}`,
		"update-provider":            `{"name":"Hosting"}`,
		"create-company":             `{"legal_name":"Co ` + u + `","country":"US","address":{"city":"Dover","region":"US-DE"}}`,
		"update-company":             `{"short_name":"Co"}`,
		"create-client-group":        `{"provider_id":"` + f.provider.String() + `","name":"Group ` + u + `"}`,
		"update-client-group":        `{"name":"Resellers"}`,
		"create-client":              `{"provider_id":"` + f.provider.String() + `","name":"Client ` + u + `"}`,
		"update-client":              `{"email":"a@example.org"}`,
		"merge-client":               `{"into":"` + f.clientB.String() + `"}`,
		"create-payer":               `{"client_id":"` + f.clientA.String() + `","kind":"individual","name":"Bob","country":"US","region":"US-DE","address":{"city":"Dover","region":"US-DE"}}`,
		"update-payer":               `{"phone":"+1 555 0100"}`,
		"create-contract-template":   `{"company_id":"` + f.company.String() + `","name":"T ` + u + `","body":{"en":"Terms"},"number_format":"K-{NNNN}"}`,
		"update-contract-template":   `{"name":"Service agreement"}`,
		"create-contract":            `{"template_id":"` + f.template.String() + `","client_id":"` + f.clientA.String() + `","payer_id":"` + f.payerA.String() + `"}`,
		"create-product-type":        `{"provider_id":"` + f.provider.String() + `","code":"pt-` + u + `","kind":"other","name":{"en":"Other"},"lifecycle":{"grace_days":1,"delete_after_days":7,"client_delete":"never","no_suspend_on_weekends":false,"trial_days":0}}`,
		"update-product-type":        `{"code":"vps","kind":"vps","name":{"en":"Virtual servers"},"lifecycle":{"grace_days":1,"delete_after_days":7,"client_delete":"never","no_suspend_on_weekends":false,"trial_days":0}}`,
		"create-tariff":              `{"provider_id":"` + f.provider.String() + `","code":"t-` + u + `","name":{"en":"T"},"product_type":"vps","currency":"USD","prices":[{"period":"month","currency":"USD","amount":"1.00"}]}`,
		"update-tariff":              `{"code":"vps-1","name":{"en":"VPS One"},"product_type":"vps","group":"vps","currency":"USD","prices":[{"period":"month","currency":"USD","amount":"5.00"}]}`,
		"set-tariff-status":          `{"status":"hidden"}`,
		"set-tariff-addon":           `{"code":"ram","name":{"en":"Memory"},"billing_type":"quantity","unit":"GB","min":"1","max":"8","step":"1","prices":[{"period":"month","currency":"USD","amount":"1.00"}]}`,
		"check-tariff-change":        `{"to":"` + f.tariff2.String() + `"}`,
		"create-tariff-group":        `{"provider_id":"` + f.provider.String() + `","code":"g-` + u + `","name":{"en":"G"}}`,
		"update-tariff-group":        `{"code":"vps","name":{"en":"Virtual"},"change_within_group":true}`,
		"create-enumeration":         `{"provider_id":"` + f.provider.String() + `","code":"e-` + u + `","name":{"en":"E"},"values":[{"code":"a","name":{"en":"A"}}]}`,
		"update-enumeration":         `{"code":"os","name":{"en":"Systems"},"values":[{"code":"debian","name":{"en":"Debian"}}]}`,
		"create-os-image":            `{"provider_id":"` + f.provider.String() + `","code":"os-` + u + `","name":"Alpine","family":"linux"}`,
		"update-os-image":            `{"code":"debian","name":"Debian 12","product_types":["vps"]}`,
		"create-agreement":           `{"provider_id":"` + f.provider.String() + `","code":"a-` + u + `","title":{"en":"A"},"text":{"en":"Text."}}`,
		"update-agreement":           `{"code":"terms","title":{"en":"Terms"},"text":{"en":"Be kind."},"tariffs":["vps-1"]}`,
		"create-price-version":       `{"provider_id":"` + f.provider.String() + `","tariff":"vps-2","effective_date":"2031-0` + fmt.Sprint(1+n%9) + `-01","policy":"now","prices":[{"period":"month","currency":"USD","amount":"10.00"}]}`,
		"update-price-version":       `{"tariff":"vps-1","effective_date":"2030-01-01","policy":"now","prices":[{"period":"month","currency":"USD","amount":"7.00"}]}`,
		"import-catalog":             `{"provider_id":"` + f.provider.String() + `"}`,
		"create-quote":               `{"provider_id":"` + f.provider.String() + `","tariff":"vps-1","period":"month","date":"2025-03-10"}`,
	}
	for id, b := range f.moneyBodies(n) {
		m[id] = b
	}
	for id, b := range f.provisioningBodies(n) {
		m[id] = b
	}
	return m
}

// extraRights are the rights an operation needs besides the one its rule
// names (its description says so): the staff user "with the right" gets
// them too.
var extraRights = map[string][]billkit.Right{
	"pay-invoice-from-balance":   {billkit.R(billing.FunctionInvoice, billkit.OpRead)},
	"import-catalog":             {billkit.R(catalog.Function, billkit.OpCreate)},
	"create-grant":               {billkit.R(billing.FunctionCompany, billkit.OpRead)},
	"delete-grant":               {billkit.R(access.FunctionDepartment, billkit.OpEdit), billkit.R(billing.FunctionClient, billkit.OpRead)},
	"merge-client":               {billkit.R(billing.FunctionClient, billkit.OpEdit)},
	"update-staff-user":          {billkit.R(access.FunctionStaff, billkit.OpRead)},
	"update-customer-user":       {billkit.R(access.FunctionUser, billkit.OpRead)},
	"set-staff-user-password":    {billkit.R(access.FunctionStaff, billkit.OpRead)},
	"set-customer-user-password": {billkit.R(access.FunctionUser, billkit.OpRead)},
	"update-discount":            {billkit.R(billing.FunctionDiscount, billkit.OpRead)},
}

// spentOps change the fixtures in ways later calls would trip on (they
// delete, merge, move to another client or end sessions); each runs in a
// world of its own.
func spentOp(id, method string) bool {
	return method == http.MethodDelete || strings.Contains(id, "merge") || strings.Contains(id, "purge") ||
		strings.Contains(id, "revoke") || id == "change-my-password" || id == "logout" || id == "set-full-rights" ||
		id == "move-service"
}

// operation is one operation of the OpenAPI document.
type operation struct {
	id, method, path, rule string
}

// operations lists every operation the API serves, from its OpenAPI
// document (which the framework builds from the registered operations, so
// no operation can be missing from it), with the access rule each shows.
func operations(t *testing.T, h http.Handler) []operation {
	t.Helper()
	r := call(t, h, loopback, "GET", "/api/v1/openapi.json", "")
	mustStatus(t, r, 200)
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Access      string `json:"x-billkit-access"`
		} `json:"paths"`
	}
	r.decode(t, &doc)
	var ops []operation
	for path, methods := range doc.Paths {
		for method, o := range methods {
			ops = append(ops, operation{id: o.OperationID, method: strings.ToUpper(method), path: path, rule: o.Access})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].id < ops[j].id })
	return ops
}

// ruleOf reads a rule back from its text in the document.
func ruleOf(s string) (public, authenticated, full bool, right billkit.Right, clientScoped bool) {
	switch s {
	case "public":
		return true, false, false, right, false
	case "authenticated":
		return false, true, false, right, false
	case "full rights":
		return false, false, true, right, false
	}
	text, scope, scoped := strings.Cut(s, " on the client of ")
	r, err := billkit.ParseRight(text)
	if err != nil {
		panic("unreadable rule " + s)
	}
	return false, false, false, r, scoped && scope != ""
}

// TestAuthorizationMatrix calls every operation of the API as anonymous, a
// customer of client A, a customer of client B, staff without the right,
// staff with it, and staff with full rights, with path parameters naming
// client A's objects, and checks the answers against the operation's rule.
// An operation registered without a rule fails it, so does one whose rule
// the services do not enforce.
func TestAuthorizationMatrix(t *testing.T) {
	base := newWorld(t)
	ops := operations(t, base.h)
	if len(ops) < 100 {
		t.Fatalf("only %d operations in the document", len(ops))
	}
	for _, o := range ops {
		if o.rule == "" {
			t.Errorf("%s %s (%s) has no access rule", o.method, o.path, o.id)
		}
	}
	if t.Failed() {
		return
	}

	shared := base
	sharedFix := shared.fixtures(t)
	ownerRights := access.RoleRights(access.RoleOwner)
	n := 0
	for _, o := range ops {
		t.Run(o.id, func(t *testing.T) {
			w, fix := shared, sharedFix
			spent := spentOp(o.id, o.method)
			if spent {
				w = newWorld(t)
				fix = w.fixtures(t)
			}
			n++
			public, authenticated, fullOnly, right, clientScoped := ruleOf(o.rule)
			b := fix.bodies(n)[o.id]
			if b == "" && o.method != http.MethodGet {
				b = "{}"
			}
			// A fresh session for each caller: an operation may end the
			// caller's session (logout, changing the password).
			signIn := func(w *world, email string) http.Handler { return w.as(w.login(t, email)) }
			res := map[string]response{}
			// call calls the operation as the user who (nil: anonymous). An
			// operation that spends its fixtures gets a new world for each
			// caller that may succeed, so every one finds them intact.
			call := func(who string, mayWin bool, user func(*world, *fixtures) *access.User) {
				cw, cf := w, fix
				if spent && mayWin {
					cw = newWorld(t)
					cf = cw.fixtures(t)
				}
				h := cw.h
				if user != nil {
					h = signIn(cw, user(cw, cf).Email)
				}
				res[who] = callAs(t, h, o.method, cf.path(t, o.path)+matrixQueries[o.id], cf.bodies(n)[o.id], b)
			}
			call("anonymous", false, nil)
			call("customer B", false, func(w *world, f *fixtures) *access.User { return w.userFor(t, "cust-b", f.clientB, nil) })
			call("staff without", false, func(w *world, _ *fixtures) *access.User {
				return w.userFor(t, "staff-none", billkit.ClientID{}, []billkit.Right{})
			})
			call("customer A", true, func(w *world, f *fixtures) *access.User { return w.userFor(t, "cust-a", f.clientA, nil) })
			if !public && !authenticated && !fullOnly {
				rights := append([]billkit.Right{right}, extraRights[o.id]...)
				call("staff with", true, func(w *world, _ *fixtures) *access.User {
					return w.userFor(t, fmt.Sprintf("staff-with-%d", n), billkit.ClientID{}, rights)
				})
			}
			call("full rights", true, func(w *world, _ *fixtures) *access.User { return w.admin })

			report := func(who, want string) {
				t.Errorf("%s %s (rule %q) as %s: got %d, want %s; body %s", o.method, o.path, o.rule, who, res[who].Status, want, res[who].Body)
			}
			for who, r := range res {
				if r.Status >= 500 {
					report(who, "no server error")
				}
			}
			switch {
			case public:
				for who, r := range res {
					if r.Status == 401 || r.Status == 403 {
						report(who, "neither 401 nor 403 on a public operation")
					}
				}
				return
			case res["anonymous"].Status != 401:
				report("anonymous", "401")
			}
			for _, who := range []string{"customer A", "customer B", "staff without", "staff with", "full rights"} {
				if r, ok := res[who]; ok && r.Status == 401 {
					report(who, "not 401 when signed in")
				}
			}
			if authenticated {
				return
			}
			if r := res["full rights"].Status; r == 403 || r == 404 {
				report("full rights", "neither 403 nor 404")
			}
			if res["staff without"].Status != 403 {
				report("staff without", "403")
			}
			if r, ok := res["staff with"]; ok && (r.Status == 403 || r.Status == 404) {
				report("staff with", "neither 403 nor 404")
			}
			if clientScoped {
				if res["customer B"].Status != 404 {
					report("customer B", "404 on client A's object")
				}
				if slices.Contains(ownerRights, right) && !staffOnlyOps[o.id] {
					if r := res["customer A"].Status; r == 403 || r == 404 {
						report("customer A", "allowed by the owner role")
					}
				}
			} else if r := res["customer B"].Status; r != 403 && r != 404 && r != 200 && r != 201 && r != 400 {
				report("customer B", "denied or a list of its own")
			}
		})
	}
}

// userFor returns the test user named name, creating it on first use: a
// customer owner of client when client is set, else a staff user with
// rights.
func (w *world) userFor(t *testing.T, name string, client billkit.ClientID, rights []billkit.Right) *access.User {
	t.Helper()
	email := name + "@example.com"
	u, err := w.st.Access().GetUserByEmail(context.Background(), email)
	if err == nil {
		return u
	}
	if !client.IsZero() {
		return w.customer(t, email, client, access.RoleOwner)
	}
	return w.staff(t, email, false, rights...)
}

// callAs sends one request of the matrix. Bodies naming fixtures are
// rebuilt for the world the call goes to: raw is the body for that world's
// fixtures, fallback the one to use when there is none.
func callAs(t *testing.T, h http.Handler, method, path, raw, fallback string) response {
	t.Helper()
	b := raw
	if b == "" {
		b = fallback
	}
	return call(t, h, remote, method, path, b)
}
