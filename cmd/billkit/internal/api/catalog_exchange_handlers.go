package api

import (
	"bytes"
	"context"
	"net/http"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/danielgtaylor/huma/v2"
)

// Import and export of the whole catalog, quotes, and the public storefront.

type exportCatalogInput struct {
	ProviderID string `query:"provider_id" maxLength:"64" doc:"The provider whose catalog to export. Default: the only provider, when there is one."`
	Format     string `query:"format" enum:"yaml,json" doc:"The document's format. Default: yaml."`
}

// Document is a catalog document as a file: YAML or JSON.
type Document struct {
	ContentType string `header:"Content-Type"`
	Body        []byte
}

type importCatalogInput struct {
	ProviderID  string `query:"provider_id" maxLength:"64" doc:"The provider to import into; overrides the document's provider_id."`
	Format      string `query:"format" enum:"yaml,json" doc:"The document's format. Default: yaml when Content-Type names YAML, else json."`
	DryRun      bool   `query:"dry_run" doc:"Check and apply the document in a transaction that is rolled back: the answer says what would change, nothing is stored."`
	ContentType string `header:"Content-Type"`
	RawBody     []byte `contentType:"application/yaml"`
}

// ImportResult says what an import changed (or, dry, would change).
type ImportResult struct {
	catalog.ApplyResult
	DryRun bool `json:"dry_run"`
}

// QuoteParams ask what a tariff costs.
type QuoteParams struct {
	ProviderID string                        `json:"provider_id" maxLength:"64" doc:"The provider whose tariff to quote."`
	Tariff     string                        `json:"tariff" maxLength:"64" doc:"The tariff's code."`
	Period     catalog.Period                `json:"period" enum:"hour,day,month,3months,6months,year,2years,3years"`
	Addons     map[string]catalog.AddonValue `json:"addons,omitempty" doc:"Values of the tariff's addons by code; those left out take their defaults."`
	Currency   string                        `json:"currency,omitempty" maxLength:"8" doc:"The currency to pay in. Default: the tariff's."`
	Date       string                        `json:"date,omitempty" format:"date" doc:"The date whose prices to use. Default: today (UTC)."`
}

type quoteInput struct{ Body QuoteParams }

// StorefrontInput names a provider's storefront. It is exported because
// the framework reads only exported embedded fields.
type StorefrontInput struct {
	ProviderID string `path:"provider_id" maxLength:"64" doc:"The provider."`
	Locale     string `query:"locale" maxLength:"35" doc:"The locale of names and texts. Default: en."`
}

type storefrontTariffInput struct {
	StorefrontInput
	Code string `path:"code" maxLength:"64" doc:"The tariff's code."`
}

// storefrontActor reads the catalog for public operations, which show only
// what the storefront shows.
var storefrontActor = billkit.SystemActor("storefront")

// maxCatalogDocument bounds an imported catalog document.
const maxCatalogDocument = 8 << 20

func (h *handlers) registerCatalogExchange(api huma.API) {
	c := h.catalog
	const tag = "Catalog"

	route(api, op("export-catalog", http.MethodGet, "/catalog/export", "Export a provider's whole catalog as one YAML or JSON document", tag), catalogRule(billkit.OpRead),
		func(ctx context.Context, in *exportCatalogInput) (*Document, error) {
			a, err := actorFrom(ctx)
			if err != nil {
				return nil, err
			}
			if err := a.Authorize(billkit.R(catalog.Function, billkit.OpRead)); err != nil {
				return nil, err
			}
			p, err := h.catalogProvider(ctx, in.ProviderID)
			if err != nil {
				return nil, err
			}
			format := catalog.FormatYAML
			if in.Format != "" {
				if format, err = catalog.ParseFormat(in.Format); err != nil {
					return nil, err
				}
			}
			doc, err := c.ExportCatalog(ctx, a, p)
			if err != nil {
				return nil, err
			}
			var b bytes.Buffer
			if err := catalog.ExportCatalog(&b, doc, format); err != nil {
				return nil, err
			}
			return &Document{ContentType: mediaType(format), Body: b.Bytes()}, nil
		})

	importOp := op("import-catalog", http.MethodPut, "/catalog/import", "Import a catalog document: validated whole, applied in one transaction, idempotent", tag, http.StatusNotFound, http.StatusUnprocessableEntity)
	importOp.Description = "The body is a catalog document as GET /catalog/export writes it, YAML or JSON. " +
		"Every entity it lists is created or updated by code; nothing is deleted. A document with one bad row is refused whole, " +
		"with every bad field named by its row (tariffs[3].prices.month.USD.amount). Importing the same document again changes nothing."
	// The raw body has no limit of its own: a catalog document is a few
	// hundred kilobytes, far below this.
	importOp.MaxBodyBytes = maxCatalogDocument
	route(api, importOp, catalogRule(billkit.OpEdit).described("and catalog:create"),
		func(ctx context.Context, in *importCatalogInput) (*body[ImportResult], error) {
			return write(ctx, func(a billkit.Actor) (ImportResult, error) {
				format := catalog.FormatJSON
				if strings.Contains(strings.ToLower(in.ContentType), "yaml") {
					format = catalog.FormatYAML
				}
				if in.Format != "" {
					var err error
					if format, err = catalog.ParseFormat(in.Format); err != nil {
						return ImportResult{}, err
					}
				}
				doc, err := catalog.ParseCatalog(bytes.NewReader(in.RawBody), format)
				if err != nil {
					return ImportResult{}, err
				}
				if in.ProviderID != "" || doc.ProviderID.IsZero() {
					if doc.ProviderID, err = h.catalogProvider(ctx, in.ProviderID); err != nil {
						return ImportResult{}, err
					}
				}
				res, err := c.ImportCatalog(ctx, a, doc, catalog.ImportOptions{DryRun: in.DryRun})
				if err != nil {
					return ImportResult{}, err
				}
				if res.Changes == nil {
					res.Changes = []string{}
				}
				return ImportResult{ApplyResult: res, DryRun: in.DryRun}, nil
			})
		})

	quoteOp := op("create-quote", http.MethodPost, "/quotes", "Quote a tariff for a period, with addons, in a currency, on a date", tag, http.StatusNotFound, http.StatusUnprocessableEntity)
	quoteOp.Description = "Anyone may quote what the storefront shows (active tariffs open to every client). " +
		"A caller with catalog:read may quote any tariff, hidden and archived ones too. " +
		"Lines are rounded by the currency's rules; the totals are the sums of the lines. " +
		"Discounts, promo codes and taxes are not part of a catalog quote."
	route(api, quoteOp, Public(),
		func(ctx context.Context, in *quoteInput) (*body[catalog.Quote], error) {
			q, err := h.quote(ctx, in.Body)
			return out(q, err)
		})

	route(api, op("get-storefront", http.MethodGet, "/storefront/{provider_id}/tariffs", "What a provider sells: its active tariffs, at today's prices, for storefronts", tag), Public(),
		func(ctx context.Context, in *StorefrontInput) (*body[*catalog.Storefront], error) {
			p, err := parseProviderID("provider_id", in.ProviderID)
			if err != nil {
				return nil, err
			}
			return out(c.PublicCatalog(ctx, p, in.Locale))
		})
	route(api, op("get-storefront-tariff", http.MethodGet, "/storefront/{provider_id}/tariffs/{code}", "One tariff of the storefront", tag, http.StatusNotFound), Public(),
		func(ctx context.Context, in *storefrontTariffInput) (*body[catalog.PublicTariff], error) {
			p, err := parseProviderID("provider_id", in.ProviderID)
			if err != nil {
				return nil, err
			}
			sf, err := c.PublicCatalog(ctx, p, in.Locale)
			if err != nil {
				return nil, err
			}
			for _, t := range sf.Tariffs {
				if t.Code == in.Code {
					return out(t, nil)
				}
			}
			return nil, billkit.NotFound("tariff", in.Code)
		})
}

// catalogProvider parses the provider_id of a catalog call; "" names the
// installation's only provider, when it has exactly one.
func (h *handlers) catalogProvider(ctx context.Context, raw string) (billkit.ProviderID, error) {
	if raw != "" || h.billing == nil {
		return parseProviderID("provider_id", raw)
	}
	ps, err := h.billing.ListProviders(ctx, storefrontActor, billing.ProviderFilter{PageParams: billkit.PageParams{Limit: 2}})
	if err != nil {
		return billkit.ProviderID{}, err
	}
	if len(ps.Items) != 1 {
		return billkit.ProviderID{}, billkit.InvalidField("provider_id", "required", "is required when there is not exactly one provider")
	}
	return ps.Items[0].ID, nil
}

func mediaType(f catalog.Format) string {
	if f == catalog.FormatJSON {
		return "application/json"
	}
	return "application/yaml"
}

// quote prices a tariff. Anonymous callers and callers without catalog:read
// see only what the storefront shows; anything else is not_found, as a
// missing tariff is.
func (h *handlers) quote(ctx context.Context, p QuoteParams) (catalog.Quote, error) {
	var v billkit.FieldErrors
	provider, err := parseProviderID("provider_id", p.ProviderID)
	if err != nil {
		v.Merge("", err)
	}
	v.Require("tariff", p.Tariff)
	date := billkit.DateOf(h.clock.Now().UTC())
	if p.Date != "" {
		d, err := optDate("date", p.Date)
		if err != nil {
			v.Merge("", err)
		}
		date = d
	}
	if err := v.Err(); err != nil {
		return catalog.Quote{}, err
	}
	mayReadAll := false
	if c, ok := callerFrom(ctx); ok && c.signed {
		mayReadAll = c.actor.Authorize(billkit.R(catalog.Function, billkit.OpRead)) == nil
	}
	t, err := h.catalog.GetTariffByCode(ctx, storefrontActor, provider, p.Tariff)
	if err != nil {
		return catalog.Quote{}, err
	}
	if !mayReadAll && (t.Status != catalog.TariffActive || len(t.ClientGroupIDs) > 0) {
		return catalog.Quote{}, billkit.NotFound("tariff", p.Tariff)
	}
	var versions []catalog.PriceVersion
	f := catalog.PriceVersionFilter{TariffID: t.ID, PageParams: billkit.PageParams{Limit: 1000}}
	for {
		page, err := h.catalog.ListPriceVersions(ctx, storefrontActor, f)
		if err != nil {
			return catalog.Quote{}, err
		}
		versions = append(versions, page.Items...)
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	req := catalog.QuoteRequest{
		Tariff: t, Versions: versions, Period: p.Period, AddonValues: p.Addons,
		Currency: strings.ToUpper(p.Currency), Date: date, Converter: catalog.DirectoryConverter(h.svc),
	}
	cur := req.Currency
	if cur == "" {
		cur = t.Currency
	}
	if dc, err := h.svc.GetCurrency(ctx, cur); err == nil {
		d := int32(dc.Digits)
		req.Digits = &d
	}
	return catalog.NewQuote(ctx, req)
}
