package api

import (
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/provisioning"
	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"
)

// handlers are thin: they parse the request, call the directory, and map the
// result. Rules live in the directory, not here.
type handlers struct {
	svc          *directory.Service
	rates        directory.RateSource
	access       *access.Service
	billing      *billing.Service
	catalog      *catalog.Service
	provisioning *provisioning.Manager
	// webhookSecrets verify webhook modules' callbacks, by module name.
	webhookSecrets map[string][]byte
	clock          billkit.Clock
	cookieSecure   bool
	resetSender    func(ctx context.Context, email, token string) error
}

// List is one page of a list: the items and the cursor of the next page,
// "" on the last page.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor" doc:"Pass as cursor to get the next page; empty on the last page."`
}

func listOf[T any](p billkit.Page[T]) List[T] {
	items := p.Items
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, NextCursor: p.NextCursor}
}

// body wraps a response body, as the framework expects.
type body[T any] struct {
	Body T
}

func out[T any](v T, err error) (*body[T], error) {
	if err != nil {
		return nil, err
	}
	return &body[T]{Body: v}, nil
}

func outList[T any](p billkit.Page[T], err error) (*body[List[T]], error) {
	if err != nil {
		return nil, err
	}
	return &body[List[T]]{Body: listOf(p)}, nil
}

// PageInput holds the page parameters shared by every list. It is
// exported because the framework reads only exported embedded fields.
type PageInput struct {
	Limit  int    `query:"limit" minimum:"0" maximum:"1000" doc:"Most items to return; 0 means 50."`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page."`
}

func (p PageInput) page() billkit.PageParams {
	return billkit.PageParams{Limit: p.Limit, Cursor: p.Cursor}
}

// optBool turns an optional "true"/"false" query parameter into a filter.
func optBool(s string) *bool {
	switch s {
	case "true":
		v := true
		return &v
	case "false":
		v := false
		return &v
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// optDate parses an optional date parameter; "" is the zero Date.
func optDate(field, s string) (billkit.Date, error) {
	if s == "" {
		return billkit.Date{}, nil
	}
	d, err := billkit.ParseDate(s)
	if err != nil {
		return billkit.Date{}, renameField(err, field)
	}
	return d, nil
}

// parseDecimal parses a decimal query parameter in decimalPattern.
func parseDecimal(field, s string) (decimal.Decimal, error) {
	if !decimalRe.MatchString(s) {
		return decimal.Decimal{}, billkit.InvalidField(field, "decimal.malformed", "must be a decimal number such as 1234.50")
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, billkit.InvalidField(field, "decimal.malformed", "must be a decimal number such as 1234.50")
	}
	return d, nil
}

// renameField moves the field errors of a value parser ("date") to the name
// of the parameter that carried the value ("from").
func renameField(err error, field string) error {
	var v billkit.FieldErrors
	v.Merge("", err)
	be, ok := v.Err().(*billkit.Error)
	if !ok {
		return err
	}
	for i := range be.Fields {
		be.Fields[i].Field = field
	}
	return be
}

// CodePath is the {code} path parameter.
type CodePath struct {
	Code string `path:"code" maxLength:"64"`
}

type emptyInput struct{}

func (h *handlers) register(api huma.API) {
	h.registerCountries(api)
	h.registerCurrencies(api)
	h.registerRates(api)
	h.registerUnits(api)
	h.registerTLDs(api)
	h.registerLocales(api)
	if h.access != nil {
		h.registerIdentity(api)
		h.registerUsers(api)
		h.registerRights(api)
	}
	if h.billing != nil {
		h.registerBilling(api)
		h.registerMoney(api)
	}
	if h.catalog != nil {
		h.registerCatalog(api)
	}
	if h.provisioning != nil {
		h.registerProvisioning(api)
	}
}

// Rules of the directory: reading reference data is public; changing it
// needs the directory's rights.
var (
	dirRead   = Public()
	dirCreate = Requires(directory.Function, billkit.OpCreate)
	dirEdit   = Requires(directory.Function, billkit.OpEdit)
)

// op describes an operation with the errors it may return, so the OpenAPI
// document lists them.
func op(id, method, path, summary, tag string, errs ...int) huma.Operation {
	o := huma.Operation{
		OperationID: id,
		Method:      method,
		Path:        path,
		Summary:     summary,
		Tags:        []string{tag},
		Errors:      append([]int{http.StatusBadRequest}, errs...),
	}
	if method == http.MethodPost && len(errs) > 0 && errs[0] == http.StatusConflict {
		o.DefaultStatus = http.StatusCreated
	}
	o.Errors = append(o.Errors, http.StatusInternalServerError)
	return o
}

// write runs a call with the request's actor.
func write[T any](ctx context.Context, fn func(billkit.Actor) (T, error)) (*body[T], error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	return out(fn(a))
}

// Countries and subdivisions.

type listCountriesInput struct {
	Enabled string `query:"enabled" enum:"true,false" doc:"Only enabled (true) or disabled (false) countries."`
	EU      string `query:"eu" enum:"true,false" doc:"Only EU members (true) or non-members (false)."`
	Query   string `query:"query" maxLength:"100" doc:"Matches the code or a name in any locale."`
	PageInput
}

type updateCountryInput struct {
	CodePath
	Body directory.UpdateCountryParams
}

type listSubdivisionsInput struct {
	Country string `query:"country" maxLength:"2" doc:"Only this country's subdivisions (alpha-2 code)."`
	PageInput
}

func (h *handlers) registerCountries(api huma.API) {
	route(api, op("list-countries", http.MethodGet, "/countries", "List countries", "Countries"), dirRead,
		func(ctx context.Context, in *listCountriesInput) (*body[List[directory.Country]], error) {
			return outList(h.svc.ListCountries(ctx, directory.CountryFilter{
				Enabled: optBool(in.Enabled), EU: optBool(in.EU), Query: in.Query, PageParams: in.page(),
			}))
		})
	route(api, op("get-country", http.MethodGet, "/countries/{code}", "Get a country", "Countries", http.StatusNotFound), dirRead,
		func(ctx context.Context, in *CodePath) (*body[*directory.Country], error) {
			return out(h.svc.GetCountry(ctx, in.Code))
		})
	route(api, op("update-country", http.MethodPatch, "/countries/{code}", "Rename, enable or disable a country", "Countries", http.StatusNotFound), dirEdit,
		func(ctx context.Context, in *updateCountryInput) (*body[*directory.Country], error) {
			return write(ctx, func(a billkit.Actor) (*directory.Country, error) {
				return h.svc.UpdateCountry(ctx, a, in.Code, in.Body)
			})
		})
	route(api, op("list-subdivisions", http.MethodGet, "/subdivisions", "List subdivisions", "Countries"), dirRead,
		func(ctx context.Context, in *listSubdivisionsInput) (*body[List[directory.Subdivision]], error) {
			return outList(h.svc.ListSubdivisions(ctx, directory.SubdivisionFilter{Country: in.Country, PageParams: in.page()}))
		})
	route(api, op("get-subdivision", http.MethodGet, "/subdivisions/{code}", "Get a subdivision", "Countries", http.StatusNotFound), dirRead,
		func(ctx context.Context, in *CodePath) (*body[*directory.Subdivision], error) {
			return out(h.svc.GetSubdivision(ctx, in.Code))
		})
}

// Currencies.

type listCurrenciesInput struct {
	Enabled string `query:"enabled" enum:"true,false" doc:"Only enabled (true) or disabled (false) currencies."`
	Custom  string `query:"custom" enum:"true,false" doc:"Only custom (true) or ISO 4217 (false) currencies."`
	Query   string `query:"query" maxLength:"100" doc:"Matches the code or a name."`
	PageInput
}

type createCurrencyInput struct {
	Body directory.CreateCurrencyParams
}

type updateCurrencyInput struct {
	CodePath
	Body directory.UpdateCurrencyParams
}

func (h *handlers) registerCurrencies(api huma.API) {
	route(api, op("list-currencies", http.MethodGet, "/currencies", "List currencies", "Currencies"), dirRead,
		func(ctx context.Context, in *listCurrenciesInput) (*body[List[directory.Currency]], error) {
			return outList(h.svc.ListCurrencies(ctx, directory.CurrencyFilter{
				Enabled: optBool(in.Enabled), Custom: optBool(in.Custom), Query: in.Query, PageParams: in.page(),
			}))
		})
	route(api, op("get-currency", http.MethodGet, "/currencies/{code}", "Get a currency", "Currencies", http.StatusNotFound), dirRead,
		func(ctx context.Context, in *CodePath) (*body[*directory.Currency], error) {
			return out(h.svc.GetCurrency(ctx, in.Code))
		})
	route(api, op("create-currency", http.MethodPost, "/currencies", "Create a custom currency", "Currencies", http.StatusConflict), dirCreate,
		func(ctx context.Context, in *createCurrencyInput) (*body[*directory.Currency], error) {
			return write(ctx, func(a billkit.Actor) (*directory.Currency, error) {
				return h.svc.CreateCurrency(ctx, a, in.Body)
			})
		})
	route(api, op("update-currency", http.MethodPatch, "/currencies/{code}", "Change a currency", "Currencies", http.StatusNotFound, http.StatusUnprocessableEntity), dirEdit,
		func(ctx context.Context, in *updateCurrencyInput) (*body[*directory.Currency], error) {
			return write(ctx, func(a billkit.Actor) (*directory.Currency, error) {
				return h.svc.UpdateCurrency(ctx, a, in.Code, in.Body)
			})
		})
	for _, enable := range []bool{true, false} {
		verb := "disable"
		if enable {
			verb = "enable"
		}
		route(api, op(verb+"-currency", http.MethodPost, "/currencies/{code}/"+verb, capitalize(verb)+" a currency", "Currencies", http.StatusNotFound, http.StatusUnprocessableEntity), dirEdit,
			func(ctx context.Context, in *CodePath) (*body[*directory.Currency], error) {
				return write(ctx, func(a billkit.Actor) (*directory.Currency, error) {
					return h.svc.UpdateCurrency(ctx, a, in.Code, directory.UpdateCurrencyParams{Enabled: ptr(enable)})
				})
			})
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Exchange rates.

type listRatesInput struct {
	Base  string `query:"base" maxLength:"8" doc:"Only rates of this base currency."`
	Quote string `query:"quote" maxLength:"8" doc:"Only rates into this quote currency."`
	From  string `query:"from" format:"date" doc:"Only rates dated on or after this date."`
	To    string `query:"to" format:"date" doc:"Only rates dated on or before this date."`
	PageInput
}

type ratePath struct {
	ID string `path:"id" doc:"The rate's ID."`
}

type setRateInput struct {
	Body directory.SetExchangeRateParams
}

type convertInput struct {
	Amount   string `query:"amount" required:"true" pattern:"^-?[0-9]{1,30}(\\.[0-9]{1,30})?$" doc:"The amount to convert, such as 1234.50."`
	Currency string `query:"currency" required:"true" maxLength:"8" doc:"The currency of amount."`
	To       string `query:"to" required:"true" maxLength:"8" doc:"The currency to convert into."`
	Date     string `query:"date" format:"date" doc:"Use the rates in force on this date. Default: today."`
}

// Money is an exact amount in a currency.
type Money struct {
	billkit.Money
}

// Schema describes Money on the wire: billkit.Money's own JSON form, whose
// amount keeps its digits ("925.00", not "925").
func (Money) Schema(r huma.Registry) *huma.Schema {
	return &huma.Schema{
		Type:     huma.TypeObject,
		Required: []string{"amount", "currency"},
		Properties: map[string]*huma.Schema{
			"amount":   {Type: huma.TypeString, Pattern: decimalPattern, Description: "The exact amount, with the currency's digits.", Examples: []any{"1234.50"}},
			"currency": {Type: huma.TypeString, Description: "The currency code.", Examples: []any{"USD"}},
		},
		AdditionalProperties: false,
	}
}

func moneyOf(m billkit.Money) Money { return Money{m} }

// Conversion is the result of a conversion and the rates it used.
type Conversion struct {
	From       Money                      `json:"from"`
	To         Money                      `json:"to" doc:"Rounded to the target currency's digits, half-up."`
	Rate       decimal.Decimal            `json:"rate" doc:"Effective rate: market_rate plus margin percent."`
	MarketRate decimal.Decimal            `json:"market_rate"`
	Margin     decimal.Decimal            `json:"margin" doc:"Percentage of the target currency applied."`
	RateDate   billkit.Date               `json:"rate_date"`
	Via        string                     `json:"via,omitempty" doc:"Currency of a cross rate; absent for a direct or inverse rate."`
	RateIDs    []directory.ExchangeRateID `json:"rate_ids"`
}

// RefreshResult says how many rates a refresh stored.
type RefreshResult struct {
	Stored int `json:"stored"`
}

func (h *handlers) registerRates(api huma.API) {
	route(api, op("list-exchange-rates", http.MethodGet, "/exchange-rates", "List exchange rates, newest first", "Exchange rates"), dirRead,
		func(ctx context.Context, in *listRatesInput) (*body[List[directory.ExchangeRate]], error) {
			from, err := optDate("from", in.From)
			if err != nil {
				return nil, err
			}
			to, err := optDate("to", in.To)
			if err != nil {
				return nil, err
			}
			return outList(h.svc.ListExchangeRates(ctx, directory.ExchangeRateFilter{
				Base: in.Base, Quote: in.Quote, From: from, To: to, PageParams: in.page(),
			}))
		})
	route(api, op("get-exchange-rate", http.MethodGet, "/exchange-rates/{id}", "Get an exchange rate", "Exchange rates", http.StatusNotFound), dirRead,
		func(ctx context.Context, in *ratePath) (*body[*directory.ExchangeRate], error) {
			id, err := billkit.ParseID[directory.ExchangeRate](in.ID)
			if err != nil {
				return nil, billkit.InvalidField("id", "id.malformed", "must be an exchange rate ID")
			}
			return out(h.svc.GetExchangeRate(ctx, id))
		})
	route(api, op("set-exchange-rate", http.MethodPost, "/exchange-rates", "Set the rate of a pair on a date", "Exchange rates", http.StatusNotFound, http.StatusUnprocessableEntity), dirEdit,
		func(ctx context.Context, in *setRateInput) (*body[*directory.ExchangeRate], error) {
			return write(ctx, func(a billkit.Actor) (*directory.ExchangeRate, error) {
				return h.svc.SetExchangeRate(ctx, a, in.Body)
			})
		})
	route(api, op("convert-money", http.MethodGet, "/exchange-rates/convert", "Convert an amount between currencies", "Exchange rates", http.StatusNotFound, http.StatusUnprocessableEntity), dirRead,
		func(ctx context.Context, in *convertInput) (*body[Conversion], error) {
			on, err := optDate("date", in.Date)
			if err != nil {
				return nil, err
			}
			m, err := billkit.ParseMoney(in.Amount, in.Currency)
			if err != nil {
				return nil, renameFields(err, convertParams)
			}
			c, err := h.svc.Convert(ctx, m, in.To, on)
			if err != nil {
				return nil, renameFields(err, convertParams)
			}
			return out(Conversion{
				From: moneyOf(c.From), To: moneyOf(c.To), Rate: c.Rate, MarketRate: c.MarketRate,
				Margin: c.Margin, RateDate: c.RateDate, Via: c.Via, RateIDs: nonNil(c.RateIDs),
			}, nil)
		})
	route(api, op("refresh-exchange-rates", http.MethodPost, "/exchange-rates/refresh", "Fetch the latest rates from the configured source", "Exchange rates", http.StatusUnprocessableEntity, http.StatusServiceUnavailable), dirEdit,
		func(ctx context.Context, _ *emptyInput) (*body[RefreshResult], error) {
			return write(ctx, func(a billkit.Actor) (RefreshResult, error) {
				if h.rates == nil {
					// Only those who may refresh learn how the server is
					// configured.
					if err := a.Authorize(billkit.R(directory.Function, billkit.OpEdit)); err != nil {
						return RefreshResult{}, err
					}
					return RefreshResult{}, billkit.Errorf(billkit.CodeFailedPrecondition, "api.rate_source_not_configured", "no rate source is configured")
				}
				n, err := h.svc.RefreshRates(ctx, a, h.rates)
				return RefreshResult{Stored: n}, err
			})
		})
}

// renameFields renames the fields of an invalid error from the names the
// service uses to those of the request's parameters.
func renameFields(err error, names map[string]string) error {
	var be *billkit.Error
	if !asBillkit(err, &be) || be.Code != billkit.CodeInvalid {
		return err
	}
	fields := append([]billkit.FieldError(nil), be.Fields...)
	for i := range fields {
		if n, ok := names[fields[i].Field]; ok {
			fields[i].Field = n
		}
	}
	return &billkit.Error{Code: be.Code, Reason: be.Reason, Message: be.Message, Fields: fields, Err: be.Err}
}

// convertParams maps the names Convert gives its inputs to the query
// parameters of GET /exchange-rates/convert.
var convertParams = map[string]string{"from": "currency", "on": "date", "": "currency"}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Units.

type listUnitsInput struct {
	Dimension string `query:"dimension" enum:"data,time,count" doc:"Only units of this dimension."`
	PageInput
}

type createUnitInput struct {
	Body directory.CreateUnitParams
}

type updateUnitInput struct {
	CodePath
	Body directory.UpdateUnitParams
}

type convertUnitsInput struct {
	Value string `query:"value" required:"true" pattern:"^-?[0-9]{1,30}(\\.[0-9]{1,30})?$" doc:"The quantity to convert."`
	From  string `query:"from" required:"true" maxLength:"64" doc:"The unit of value."`
	To    string `query:"to" required:"true" maxLength:"64" doc:"The unit to convert into."`
}

// UnitConversion is a quantity converted between units.
type UnitConversion struct {
	Value decimal.Decimal `json:"value"`
	Unit  string          `json:"unit"`
}

func (h *handlers) registerUnits(api huma.API) {
	route(api, op("list-units", http.MethodGet, "/units", "List units of measure", "Units"), dirRead,
		func(ctx context.Context, in *listUnitsInput) (*body[List[directory.Unit]], error) {
			return outList(h.svc.ListUnits(ctx, directory.UnitFilter{Dimension: directory.Dimension(in.Dimension), PageParams: in.page()}))
		})
	route(api, op("get-unit", http.MethodGet, "/units/{code}", "Get a unit", "Units", http.StatusNotFound), dirRead,
		func(ctx context.Context, in *CodePath) (*body[*directory.Unit], error) {
			return out(h.svc.GetUnit(ctx, in.Code))
		})
	route(api, op("create-unit", http.MethodPost, "/units", "Create a custom unit", "Units", http.StatusConflict), dirCreate,
		func(ctx context.Context, in *createUnitInput) (*body[*directory.Unit], error) {
			return write(ctx, func(a billkit.Actor) (*directory.Unit, error) {
				return h.svc.CreateUnit(ctx, a, in.Body)
			})
		})
	route(api, op("update-unit", http.MethodPatch, "/units/{code}", "Change a unit", "Units", http.StatusNotFound, http.StatusUnprocessableEntity), dirEdit,
		func(ctx context.Context, in *updateUnitInput) (*body[*directory.Unit], error) {
			return write(ctx, func(a billkit.Actor) (*directory.Unit, error) {
				return h.svc.UpdateUnit(ctx, a, in.Code, in.Body)
			})
		})
	route(api, op("convert-units", http.MethodGet, "/units/convert", "Convert a quantity between units", "Units", http.StatusNotFound, http.StatusUnprocessableEntity), dirRead,
		func(ctx context.Context, in *convertUnitsInput) (*body[UnitConversion], error) {
			v, err := parseDecimal("value", in.Value)
			if err != nil {
				return nil, err
			}
			r, err := h.svc.ConvertUnits(ctx, v, in.From, in.To)
			if err != nil {
				return nil, err
			}
			return out(UnitConversion{Value: r, Unit: in.To}, nil)
		})
}

// TLDs.

type listTLDsInput struct {
	Enabled string `query:"enabled" enum:"true,false" doc:"Only enabled (true) or disabled (false) TLDs."`
	Query   string `query:"query" maxLength:"100" doc:"Matches the start of the Unicode or ASCII name."`
	PageInput
}

// TLDPath is the {name} path parameter of a TLD.
type TLDPath struct {
	Name string `path:"name" maxLength:"253" doc:"Unicode or punycode name, with or without a leading dot."`
}

type createTLDInput struct {
	Body directory.CreateTLDParams
}

type updateTLDInput struct {
	TLDPath
	Body directory.UpdateTLDParams
}

func (h *handlers) registerTLDs(api huma.API) {
	route(api, op("list-tlds", http.MethodGet, "/tlds", "List top-level domains", "TLDs"), dirRead,
		func(ctx context.Context, in *listTLDsInput) (*body[List[directory.TLD]], error) {
			return outList(h.svc.ListTLDs(ctx, directory.TLDFilter{Enabled: optBool(in.Enabled), Query: in.Query, PageParams: in.page()}))
		})
	route(api, op("get-tld", http.MethodGet, "/tlds/{name}", "Get a TLD by Unicode or punycode name", "TLDs", http.StatusNotFound), dirRead,
		func(ctx context.Context, in *TLDPath) (*body[*directory.TLD], error) {
			return out(h.svc.GetTLD(ctx, in.Name))
		})
	route(api, op("create-tld", http.MethodPost, "/tlds", "Add a TLD", "TLDs", http.StatusConflict), dirCreate,
		func(ctx context.Context, in *createTLDInput) (*body[*directory.TLD], error) {
			return write(ctx, func(a billkit.Actor) (*directory.TLD, error) {
				return h.svc.CreateTLD(ctx, a, in.Body)
			})
		})
	route(api, op("update-tld", http.MethodPatch, "/tlds/{name}", "Change a TLD", "TLDs", http.StatusNotFound), dirEdit,
		func(ctx context.Context, in *updateTLDInput) (*body[*directory.TLD], error) {
			return write(ctx, func(a billkit.Actor) (*directory.TLD, error) {
				return h.svc.UpdateTLD(ctx, a, in.Name, in.Body)
			})
		})
	for _, enable := range []bool{true, false} {
		verb := "disable"
		if enable {
			verb = "enable"
		}
		route(api, op(verb+"-tld", http.MethodPost, "/tlds/{name}/"+verb, capitalize(verb)+" a TLD", "TLDs", http.StatusNotFound), dirEdit,
			func(ctx context.Context, in *TLDPath) (*body[*directory.TLD], error) {
				return write(ctx, func(a billkit.Actor) (*directory.TLD, error) {
					return h.svc.UpdateTLD(ctx, a, in.Name, directory.UpdateTLDParams{Enabled: ptr(enable)})
				})
			})
	}
}

// Locales.

type listLocalesInput struct {
	Enabled string `query:"enabled" enum:"true,false" doc:"Only enabled (true) or disabled (false) locales."`
	PageInput
}

type createLocaleInput struct {
	Body directory.CreateLocaleParams
}

type updateLocaleInput struct {
	CodePath
	Body directory.UpdateLocaleParams
}

func (h *handlers) registerLocales(api huma.API) {
	route(api, op("list-locales", http.MethodGet, "/locales", "List locales", "Locales"), dirRead,
		func(ctx context.Context, in *listLocalesInput) (*body[List[directory.Locale]], error) {
			return outList(h.svc.ListLocales(ctx, directory.LocaleFilter{Enabled: optBool(in.Enabled), PageParams: in.page()}))
		})
	route(api, op("get-locale", http.MethodGet, "/locales/{code}", "Get a locale", "Locales", http.StatusNotFound), dirRead,
		func(ctx context.Context, in *CodePath) (*body[*directory.Locale], error) {
			return out(h.svc.GetLocale(ctx, in.Code))
		})
	route(api, op("create-locale", http.MethodPost, "/locales", "Add a locale", "Locales", http.StatusConflict), dirCreate,
		func(ctx context.Context, in *createLocaleInput) (*body[*directory.Locale], error) {
			return write(ctx, func(a billkit.Actor) (*directory.Locale, error) {
				return h.svc.CreateLocale(ctx, a, in.Body)
			})
		})
	route(api, op("update-locale", http.MethodPatch, "/locales/{code}", "Enable, disable or make a locale the default", "Locales", http.StatusNotFound, http.StatusUnprocessableEntity), dirEdit,
		func(ctx context.Context, in *updateLocaleInput) (*body[*directory.Locale], error) {
			return write(ctx, func(a billkit.Actor) (*directory.Locale, error) {
				return h.svc.UpdateLocale(ctx, a, in.Code, in.Body)
			})
		})
	for _, enable := range []bool{true, false} {
		verb := "disable"
		if enable {
			verb = "enable"
		}
		route(api, op(verb+"-locale", http.MethodPost, "/locales/{code}/"+verb, capitalize(verb)+" a locale", "Locales", http.StatusNotFound, http.StatusUnprocessableEntity), dirEdit,
			func(ctx context.Context, in *CodePath) (*body[*directory.Locale], error) {
				return write(ctx, func(a billkit.Actor) (*directory.Locale, error) {
					return h.svc.UpdateLocale(ctx, a, in.Code, directory.UpdateLocaleParams{Enabled: ptr(enable)})
				})
			})
	}
}
