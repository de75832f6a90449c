package billing

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
)

// Directory is what billing reads from the directory: the currencies,
// countries, subdivisions and locales that accounts refer to.
// *directory.Service satisfies it.
type Directory interface {
	GetCurrency(ctx context.Context, code string) (*directory.Currency, error)
	GetCountry(ctx context.Context, code string) (*directory.Country, error)
	GetSubdivision(ctx context.Context, code string) (*directory.Subdivision, error)
	ListSubdivisions(ctx context.Context, f directory.SubdivisionFilter) (billkit.Page[directory.Subdivision], error)
	GetLocale(ctx context.Context, code string) (*directory.Locale, error)
	// Convert converts money at the directory's rates of a date; payments in
	// another currency than the client's are credited through it.
	Convert(ctx context.Context, m billkit.Money, to string, on billkit.Date) (directory.Conversion, error)
}

// Catalog is what billing reads from the catalog: tariffs and their price
// versions, for discounts, order pricing and recalculation.
// *catalog.Service satisfies it.
type Catalog interface {
	GetTariff(ctx context.Context, actor billkit.Actor, id catalog.TariffID) (*catalog.Tariff, error)
	GetProductType(ctx context.Context, actor billkit.Actor, id catalog.ProductTypeID) (*catalog.ProductType, error)
	ListPriceVersions(ctx context.Context, actor billkit.Actor, f catalog.PriceVersionFilter) (billkit.Page[catalog.PriceVersion], error)
}

var _ Catalog = (*catalog.Service)(nil)

var _ Directory = (*directory.Service)(nil)

// Config configures a Service. The zero value works.
type Config struct {
	// Clock tells the time. Default: billkit.SystemClock().
	Clock billkit.Clock
	// ClientNumberFormat is the format of client numbers (see FormatNumber);
	// the series never resets and is shared by all providers. Default:
	// DefaultClientNumberFormat.
	ClientNumberFormat string
	// Catalog, when set, lets billing read tariffs: discounts by tariff,
	// order pricing and recalculation need it and fail with
	// failed_precondition billing.catalog_missing without it.
	Catalog Catalog
	// Gateways are the payment gateways payment methods may use, besides
	// the built-in "manual" and "balance"; a gateway's Code must be unique.
	Gateways []Gateway
	// VATChecker, when set, confirms EU VAT IDs (VIES) before a reverse
	// charge; without it a syntactically valid ID is enough and the
	// decision records that it was not confirmed.
	VATChecker VATChecker
	// OnPaymentPaid, when set, is called once a payment has become paid
	// and the transaction that credited its money to the client's balance
	// has committed, with a copy of the payment as it was then: once per
	// payment, whichever of the gateway's answer to Start, a callback,
	// ReconcilePayments or a staff confirmation said so first. It runs in
	// the call that applied the payment, after the payment is safe, and
	// cannot fail that call. What it starts must therefore also happen
	// without it: provisioning.Manager.PayOrdersOfPayment pays at once the
	// orders the payment was for, which the billing cycle pays anyway when
	// the hook is missing, fails or the process stops first.
	OnPaymentPaid func(ctx context.Context, p *Payment)
}

// DefaultClientNumberFormat is Config.ClientNumberFormat's default:
// "C-000042".
const DefaultClientNumberFormat = "C-{NNNNNN}"

// ClientNumberSeries is the key of the client number counter.
const ClientNumberSeries = "billing.client"

// Service is billing's account side: providers, companies, client groups,
// clients, payers and contracts. It is safe for concurrent use.
type Service struct {
	store Store
	dir   Directory
	clock billkit.Clock
	cfg   Config
}

// NewService returns a Service on store that checks currencies, countries
// and locales against dir.
func NewService(store Store, dir Directory, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = billkit.SystemClock()
	}
	if cfg.ClientNumberFormat == "" {
		cfg.ClientNumberFormat = DefaultClientNumberFormat
	}
	return &Service{store: store, dir: dir, clock: cfg.Clock, cfg: cfg}
}

// now is the service's clock in the form billkit stores instants.
func (s *Service) now() time.Time { return billkit.Instant(s.clock.Now()) }

// record appends the action "<function>.<verb>" on the object to the log,
// in tx.
func record(ctx context.Context, tx Store, actor billkit.Actor, now time.Time, function, verb, id string, client billkit.ClientID, before, after any) error {
	return billkit.RecordAction(ctx, tx, actor, now, function+"."+verb, function, id, client, before, after)
}

// text checks a free-text field: trimmed, at most max bytes, required when
// required.
func text(v *billkit.FieldErrors, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	if required {
		v.Require(field, s)
	}
	v.Check(len(s) <= max, field, "too_long", fmt.Sprintf("must be at most %d bytes", max))
	v.Check(utf8.ValidString(s), field, "not_utf8", "must be UTF-8 text")
	return s
}

// email checks an optional contact address and returns its address part.
func email(v *billkit.FieldErrors, field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if !v.Check(err == nil && a.Address == s && len(s) <= 254, field, "email.malformed", "must be an email address like name@example.com") {
		return s
	}
	return a.Address
}

// validAddress checks and trims an address.
func validAddress(v *billkit.FieldErrors, field string, a Address) Address {
	out := Address{
		City:       text(v, field+".city", a.City, 100, false),
		Region:     text(v, field+".region", a.Region, 100, false),
		PostalCode: text(v, field+".postal_code", a.PostalCode, 20, false),
	}
	v.Check(len(a.Lines) <= 4, field+".lines", "address.too_many_lines", "must be at most 4 lines")
	for i, l := range a.Lines {
		if l = text(v, fmt.Sprintf("%s.lines[%d]", field, i), l, 200, false); l != "" {
			out.Lines = append(out.Lines, l)
		}
	}
	return out
}

func validSettings(v *billkit.FieldErrors, field string, st Settings) Settings {
	v.Merge(field, st.Validate())
	return st.normalize()
}

// currency checks that code names an enabled directory currency and returns
// it upper-case. A directory failure other than "no such currency" is
// returned as the error.
func (s *Service) currency(ctx context.Context, v *billkit.FieldErrors, field, code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if !v.Require(field, c) {
		return "", nil
	}
	cur, err := s.dir.GetCurrency(ctx, c)
	switch {
	case billkit.IsCode(err, billkit.CodeNotFound) || billkit.IsCode(err, billkit.CodeInvalid):
		v.Add(field, "currency.unknown", fmt.Sprintf("%q is not a currency of the directory", code))
	case err != nil:
		return "", err
	case !cur.Enabled:
		v.Add(field, "currency.disabled", fmt.Sprintf("%s is not enabled", c))
	}
	return c, nil
}

// locale checks that code names an enabled directory locale.
func (s *Service) locale(ctx context.Context, v *billkit.FieldErrors, field, code string) (string, error) {
	c := strings.TrimSpace(code)
	if !v.Require(field, c) {
		return "", nil
	}
	l, err := s.dir.GetLocale(ctx, c)
	switch {
	case billkit.IsCode(err, billkit.CodeNotFound) || billkit.IsCode(err, billkit.CodeInvalid):
		v.Add(field, "locale.unknown", fmt.Sprintf("%q is not a locale of the directory", code))
	case err != nil:
		return "", err
	case !l.Enabled:
		v.Add(field, "locale.disabled", fmt.Sprintf("%s is not enabled", c))
	default:
		c = l.Code
	}
	return c, nil
}

// country checks that code names an enabled directory country.
func (s *Service) country(ctx context.Context, v *billkit.FieldErrors, field, code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if !v.Require(field, c) {
		return "", nil
	}
	cn, err := s.dir.GetCountry(ctx, c)
	switch {
	case billkit.IsCode(err, billkit.CodeNotFound) || billkit.IsCode(err, billkit.CodeInvalid):
		v.Add(field, "country.unknown", fmt.Sprintf("%q is not an ISO 3166-1 country of the directory", code))
		return "", nil
	case err != nil:
		return "", err
	case !cn.Enabled:
		v.Add(field, "country.disabled", fmt.Sprintf("%s is not enabled", c))
	}
	return c, nil
}

// region checks a payer's region against the country's subdivisions:
// required and one of them when the directory lists any, empty otherwise.
func (s *Service) region(ctx context.Context, v *billkit.FieldErrors, field, country, code string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if country == "" {
		return c, nil
	}
	subs, err := s.dir.ListSubdivisions(ctx, directory.SubdivisionFilter{Country: country, PageParams: billkit.PageParams{Limit: 1}})
	if err != nil {
		return "", err
	}
	if len(subs.Items) == 0 {
		v.Check(c == "", field, "region.none", fmt.Sprintf("%s has no subdivisions in the directory; leave it empty", country))
		return c, nil
	}
	if !v.Require(field, c) {
		return "", nil
	}
	sub, err := s.dir.GetSubdivision(ctx, c)
	switch {
	case billkit.IsCode(err, billkit.CodeNotFound) || billkit.IsCode(err, billkit.CodeInvalid) || (err == nil && sub.Country != country):
		v.Add(field, "region.unknown", fmt.Sprintf("%q is not a subdivision of %s", code, country))
	case err != nil:
		return "", err
	}
	return c, nil
}

// timeZone checks an IANA zone name.
func timeZone(v *billkit.FieldErrors, field, name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return "UTC"
	}
	_, err := time.LoadLocation(name)
	// LoadLocation also accepts "Local", which means nothing to a provider.
	v.Check(err == nil && name != "Local", field, "time_zone.unknown", fmt.Sprintf("%q is not an IANA time zone", name))
	return name
}

// newID sets *id to a new ID. It also makes IDs whose entity type billing
// cannot name (billkit.ClientID, billkit.ProviderID).
func newID[E any](id *billkit.ID[E]) { *id = billkit.NewID[E]() }

// read returns what get reads, once the actor is valid and may read fn: the
// shape of every read of objects that belong to no client.
func read[T any](actor billkit.Actor, fn string, get func() (T, error)) (T, error) {
	var zero T
	if err := actor.Validate(); err != nil {
		return zero, err
	}
	if err := actor.Authorize(billkit.R(fn, billkit.OpRead)); err != nil {
		return zero, err
	}
	return get()
}

// readList is read for a list: the page parameters are checked too, after
// the actor and before the right.
func readList[T any](actor billkit.Actor, fn string, pp billkit.PageParams, list func() (billkit.Page[T], error)) (billkit.Page[T], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[T]{}, err
	}
	if err := pp.Validate(); err != nil {
		return billkit.Page[T]{}, err
	}
	if err := actor.Authorize(billkit.R(fn, billkit.OpRead)); err != nil {
		return billkit.Page[T]{}, err
	}
	return list()
}
