package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/directory"
)

// Directory is what the catalog reads from the directory: the currencies
// prices are in and the units addons are measured in. *directory.Service
// satisfies it.
type Directory interface {
	GetCurrency(ctx context.Context, code string) (*directory.Currency, error)
	GetUnit(ctx context.Context, code string) (*directory.Unit, error)
}

var _ Directory = (*directory.Service)(nil)

// Config configures a Service. The zero value works.
type Config struct {
	// Clock tells the time. Default: billkit.SystemClock().
	Clock billkit.Clock
}

// Service keeps a provider's catalog: product types, tariffs and their
// addons, tariff groups, enumerations, OS images, agreements and price
// versions. Every write needs a right on the catalog function (catalog:create,
// catalog:edit, catalog:delete), reads need catalog:read, and every write is
// recorded in the action log in its own transaction. PublicCatalog needs no
// actor. It is safe for concurrent use.
//
// Writes take documents (ProductTypeDoc, TariffDoc, ...) that refer to other
// entities by code, the same shapes ApplyCatalog and export use; an update
// replaces every field of the entity with the document's.
type Service struct {
	store Store
	dir   Directory
	clock billkit.Clock
}

// NewService returns a Service on store that checks currencies and units
// against dir.
func NewService(store Store, dir Directory, cfg Config) *Service {
	if cfg.Clock == nil {
		cfg.Clock = billkit.SystemClock()
	}
	return &Service{store: store, dir: dir, clock: cfg.Clock}
}

// now is the service's clock in the form billkit stores instants.
func (s *Service) now() time.Time { return billkit.Instant(s.clock.Now()) }

// record appends the action "<object>.<verb>" on the object to the log, in
// tx.
func record(ctx context.Context, tx Store, actor billkit.Actor, now time.Time, object, verb, id string, before, after any) error {
	return billkit.RecordAction(ctx, tx, actor, now, object+"."+verb, object, id, billkit.ClientID{}, before, after)
}

// authorize checks the actor may do op on the catalog.
func authorize(actor billkit.Actor, op billkit.Operation) error {
	return actor.Authorize(billkit.R(Function, op))
}

// ref is a reference to a directory entry found in a document, and the
// field it is in.
type ref struct {
	field, code string
}

// checkDirectory checks that the currencies are enabled directory
// currencies and the units directory units, adding field errors to v. A
// directory failure other than "no such entry" is returned.
func (s *Service) checkDirectory(ctx context.Context, v *billkit.FieldErrors, currencies, units []ref) error {
	seenC := map[string]error{}
	for _, r := range currencies {
		code := strings.ToUpper(strings.TrimSpace(r.code))
		if code == "" || !billkit.ValidCurrencyCode(code) {
			continue // the document's own checks report it
		}
		problem, ok := seenC[code]
		if !ok {
			cur, err := s.dir.GetCurrency(ctx, code)
			switch {
			case billkit.IsCode(err, billkit.CodeNotFound) || billkit.IsCode(err, billkit.CodeInvalid):
				problem = billkit.InvalidField(r.field, "currency.unknown", fmt.Sprintf("%q is not a currency of the directory", code))
			case err != nil:
				return err
			case !cur.Enabled:
				problem = billkit.InvalidField(r.field, "currency.disabled", fmt.Sprintf("%s is not enabled", code))
			}
			seenC[code] = problem
		}
		if problem != nil {
			v.Add(r.field, billkit.ErrorReason(problem), problem.(*billkit.Error).Message)
		}
	}
	seenU := map[string]bool{}
	for _, r := range units {
		code := strings.TrimSpace(r.code)
		if code == "" {
			continue
		}
		known, ok := seenU[code]
		if !ok {
			_, err := s.dir.GetUnit(ctx, code)
			switch {
			case billkit.IsCode(err, billkit.CodeNotFound) || billkit.IsCode(err, billkit.CodeInvalid):
			case err != nil:
				return err
			default:
				known = true
			}
			seenU[code] = known
		}
		v.Check(known, r.field, "unit.unknown", fmt.Sprintf("%q is not a unit of the directory", code))
	}
	return nil
}

// priceRefs lists the currencies of prices, with their fields.
func priceRefs(prefix string, prices []Price) []ref {
	out := make([]ref, 0, len(prices))
	for _, p := range prices {
		p.Currency = strings.ToUpper(strings.TrimSpace(p.Currency))
		out = append(out, ref{field: priceField(prefix, p, "currency"), code: p.Currency})
	}
	return out
}

// addonRefs lists the currencies and units of addons.
func addonRefs(prefix string, addons []Addon) (currencies, units []ref) {
	for i, a := range addons {
		f := fmt.Sprintf("%s[%d]", prefix, i)
		currencies = append(currencies, priceRefs(f+".prices", a.Prices)...)
		for j, o := range a.Options {
			currencies = append(currencies, priceRefs(fmt.Sprintf("%s.options[%d].prices", f, j), o.Prices)...)
		}
		if a.Unit != "" {
			units = append(units, ref{field: f + ".unit", code: a.Unit})
		}
	}
	return currencies, units
}

// sameJSON reports whether a and b encode to the same JSON.
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// allPages reads every page of a list.
func allPages[T any](list func(billkit.PageParams) (billkit.Page[T], error)) ([]T, error) {
	var out []T
	pp := billkit.PageParams{Limit: billkit.MaxPageLimit}
	for {
		p, err := list(pp)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out, nil
		}
		pp.Cursor = p.NextCursor
	}
}

// checkProvider reports a missing provider ID as a field error.
func checkProvider(v *billkit.FieldErrors, id billkit.ProviderID) {
	v.Check(!id.IsZero(), "provider_id", "required", "is required")
}

// begin validates the actor, checks the directory references and the right,
// in the order every write follows; v collects the field errors, which the
// caller returns after adding its own.
func (s *Service) begin(ctx context.Context, actor billkit.Actor, op billkit.Operation, v *billkit.FieldErrors, currencies, units []ref) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if err := s.checkDirectory(ctx, v, currencies, units); err != nil {
		return err
	}
	return authorize(actor, op)
}

// read validates the actor and checks catalog:read.
func read(actor billkit.Actor) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	return authorize(actor, billkit.OpRead)
}
