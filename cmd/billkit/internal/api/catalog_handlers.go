package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/danielgtaylor/huma/v2"
)

// The catalog's operations. Every entity belongs to a provider and none to a
// client, so each needs one global right on the function "catalog"; the
// storefront is public.

func catalogRule(op billkit.Operation) Rule { return Requires(catalog.Function, op) }

// CatalogListInput filters a catalog list by provider. It is exported
// because the framework reads only exported embedded fields.
type CatalogListInput struct {
	ProviderID string `query:"provider_id" maxLength:"64" doc:"Only those of this provider."`
	PageInput
}

func (in CatalogListInput) provider() (billkit.ProviderID, error) {
	return optProviderID("provider_id", in.ProviderID)
}

// ProviderRef names the provider a new catalog entity belongs to.
type ProviderRef struct {
	ProviderID string `json:"provider_id" maxLength:"64" doc:"The provider the entity belongs to."`
}

func (p ProviderRef) provider() (billkit.ProviderID, error) {
	return parseProviderID("provider_id", p.ProviderID)
}

// NewProductType is the body of POST /product-types.
type NewProductType struct {
	ProviderRef
	catalog.ProductTypeDoc
}

// NewTariff is the body of POST /tariffs.
type NewTariff struct {
	ProviderRef
	catalog.TariffDoc
}

// NewTariffGroup is the body of POST /tariff-groups.
type NewTariffGroup struct {
	ProviderRef
	catalog.TariffGroupDoc
}

// NewEnumeration is the body of POST /enumerations.
type NewEnumeration struct {
	ProviderRef
	catalog.EnumerationDoc
}

// NewOSImage is the body of POST /os-images.
type NewOSImage struct {
	ProviderRef
	catalog.OSImageDoc
}

// NewAgreement is the body of POST /agreements.
type NewAgreement struct {
	ProviderRef
	catalog.AgreementDoc
}

// NewPriceVersion is the body of POST /price-versions.
type NewPriceVersion struct {
	ProviderRef
	catalog.PriceVersionDoc
}

type listProductTypesInput struct {
	CatalogListInput
	Kind string `query:"kind" maxLength:"32" doc:"Only types of this kind."`
}

type listTariffsInput struct {
	CatalogListInput
	ProductTypeID string `query:"product_type_id" maxLength:"64" doc:"Only tariffs of this product type."`
	GroupID       string `query:"group_id" maxLength:"64" doc:"Only tariffs of this tariff group."`
	Status        string `query:"status" enum:"active,hidden,archived" doc:"Only tariffs with this status."`
}

type listOSImagesInput struct {
	CatalogListInput
	Family string `query:"family" maxLength:"64" doc:"Only images of this family (linux, windows, ...)."`
}

type listPriceVersionsInput struct {
	CatalogListInput
	TariffID string `query:"tariff_id" maxLength:"64" doc:"Only the versions of this tariff."`
}

type createInput[T any] struct{ Body T }

type updateInput[T any] struct {
	IDPath
	Body T
}

// AddonPath is the {id} of a tariff and the {code} of one of its addons.
type AddonPath struct {
	IDPath
	Code string `path:"code" maxLength:"64" doc:"The addon's code."`
}

type setAddonInput struct {
	AddonPath
	Body catalog.Addon
}

// TariffStatusParams is the body of POST /tariffs/{id}/status.
type TariffStatusParams struct {
	Status catalog.TariffStatus `json:"status" enum:"active,hidden,archived" doc:"The new status."`
}

type setTariffStatusInput struct {
	IDPath
	Body TariffStatusParams
}

// TariffChangeParams is the body of POST /tariffs/{id}/check-change.
type TariffChangeParams struct {
	To string `json:"to" maxLength:"64" doc:"The ID of the tariff a service would move to."`
}

type checkChangeInput struct {
	IDPath
	Body TariffChangeParams
}

// crud registers list, create, get, update and delete of one catalog
// entity under path ("/tariffs"), with the service's methods.
func crud[E, D, N, F any](api huma.API, name, plural, path, tag string,
	list func(context.Context, billkit.Actor, *F) (billkit.Page[E], error),
	create func(context.Context, billkit.Actor, billkit.ProviderID, D) (*E, error),
	split func(N) (ProviderRef, D),
	get func(context.Context, billkit.Actor, billkit.ID[E]) (*E, error),
	update func(context.Context, billkit.Actor, billkit.ID[E], D) (*E, error),
	del func(context.Context, billkit.Actor, billkit.ID[E]) error,
) {
	human := strings.ReplaceAll(name, "-", " ")
	article := "a "
	if strings.ContainsRune("aeiou", rune(human[0])) || strings.HasPrefix(human, "os") {
		article = "an "
	}
	route(api, op("list-"+plural, http.MethodGet, path, "List "+strings.ReplaceAll(plural, "-", " "), tag), catalogRule(billkit.OpRead),
		func(ctx context.Context, in *F) (*body[List[E]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[E], error) { return list(ctx, a, in) })
		})
	route(api, op("create-"+name, http.MethodPost, path, "Create "+article+human, tag, http.StatusConflict), catalogRule(billkit.OpCreate),
		func(ctx context.Context, in *createInput[N]) (*body[*E], error) {
			return write(ctx, func(a billkit.Actor) (*E, error) {
				ref, d := split(in.Body)
				p, err := ref.provider()
				if err != nil {
					return nil, err
				}
				return create(ctx, a, p, d)
			})
		})
	route(api, op("get-"+name, http.MethodGet, path+"/{id}", "Get "+article+human, tag, http.StatusNotFound), catalogRule(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*E], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billkit.ID[E]) (*E, error) { return get(ctx, a, id) })
		})
	route(api, op("update-"+name, http.MethodPut, path+"/{id}", "Replace "+article+human+" (every field)", tag, http.StatusNotFound, http.StatusConflict), catalogRule(billkit.OpEdit),
		func(ctx context.Context, in *updateInput[D]) (*body[*E], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billkit.ID[E]) (*E, error) { return update(ctx, a, id, in.Body) })
		})
	route(api, op("delete-"+name, http.MethodDelete, path+"/{id}", "Delete "+article+human, tag, http.StatusNotFound, http.StatusUnprocessableEntity), catalogRule(billkit.OpDelete),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billkit.ID[E]) (Done, error) { return done(del(ctx, a, id)) })
		})
}

func (h *handlers) registerCatalog(api huma.API) {
	c := h.catalog
	const tag = "Catalog"

	crud(api, "product-type", "product-types", "/product-types", tag,
		func(ctx context.Context, a billkit.Actor, in *listProductTypesInput) (billkit.Page[catalog.ProductType], error) {
			p, err := in.provider()
			if err != nil {
				return billkit.Page[catalog.ProductType]{}, err
			}
			return c.ListProductTypes(ctx, a, catalog.ProductTypeFilter{ProviderID: p, Kind: catalog.Kind(in.Kind), PageParams: in.page()})
		},
		c.CreateProductType, func(n NewProductType) (ProviderRef, catalog.ProductTypeDoc) { return n.ProviderRef, n.ProductTypeDoc },
		c.GetProductType, c.UpdateProductType, c.DeleteProductType)

	crud(api, "tariff", "tariffs", "/tariffs", tag,
		func(ctx context.Context, a billkit.Actor, in *listTariffsInput) (billkit.Page[catalog.Tariff], error) {
			f := catalog.TariffFilter{PageParams: in.page()}
			var err error
			if f.ProviderID, err = in.provider(); err != nil {
				return billkit.Page[catalog.Tariff]{}, err
			}
			if f.ProductTypeID, err = optID[catalog.ProductType]("product_type_id", in.ProductTypeID); err != nil {
				return billkit.Page[catalog.Tariff]{}, err
			}
			if f.GroupID, err = optID[catalog.TariffGroup]("group_id", in.GroupID); err != nil {
				return billkit.Page[catalog.Tariff]{}, err
			}
			if in.Status != "" {
				f.Statuses = []catalog.TariffStatus{catalog.TariffStatus(in.Status)}
			}
			return c.ListTariffs(ctx, a, f)
		},
		c.CreateTariff, func(n NewTariff) (ProviderRef, catalog.TariffDoc) { return n.ProviderRef, n.TariffDoc },
		c.GetTariff, c.UpdateTariff, c.DeleteTariff)
	route(api, op("set-tariff-status", http.MethodPost, "/tariffs/{id}/status", "Put a tariff on sale, hide it or archive it", tag, http.StatusNotFound), catalogRule(billkit.OpEdit),
		func(ctx context.Context, in *setTariffStatusInput) (*body[*catalog.Tariff], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id catalog.TariffID) (*catalog.Tariff, error) {
				return c.SetTariffStatus(ctx, a, id, in.Body.Status)
			})
		})
	route(api, op("set-tariff-addon", http.MethodPut, "/tariffs/{id}/addons/{code}", "Add an addon to a tariff, or replace the one with this code", tag, http.StatusNotFound), catalogRule(billkit.OpEdit),
		func(ctx context.Context, in *setAddonInput) (*body[*catalog.Tariff], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id catalog.TariffID) (*catalog.Tariff, error) {
				addon := in.Body
				if addon.Code == "" {
					addon.Code = in.Code
				}
				if addon.Code != in.Code {
					return nil, billkit.InvalidField("code", "catalog.code_mismatch", "must be the code in the path")
				}
				return c.SetAddon(ctx, a, id, addon)
			})
		})
	route(api, op("delete-tariff-addon", http.MethodDelete, "/tariffs/{id}/addons/{code}", "Remove an addon from a tariff", tag, http.StatusNotFound), catalogRule(billkit.OpEdit),
		func(ctx context.Context, in *AddonPath) (*body[*catalog.Tariff], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id catalog.TariffID) (*catalog.Tariff, error) {
				return c.RemoveAddon(ctx, a, id, in.Code)
			})
		})
	route(api, op("check-tariff-change", http.MethodPost, "/tariffs/{id}/check-change", "Check that a service may move from this tariff to another", tag, http.StatusNotFound), catalogRule(billkit.OpRead),
		func(ctx context.Context, in *checkChangeInput) (*body[Done], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, from catalog.TariffID) (Done, error) {
				to, err := parseID[catalog.Tariff]("to", in.Body.To)
				if err != nil {
					return Done{}, err
				}
				return done(c.CheckTariffChange(ctx, a, from, to))
			})
		})

	crud(api, "tariff-group", "tariff-groups", "/tariff-groups", tag,
		func(ctx context.Context, a billkit.Actor, in *CatalogListInput) (billkit.Page[catalog.TariffGroup], error) {
			p, err := in.provider()
			if err != nil {
				return billkit.Page[catalog.TariffGroup]{}, err
			}
			return c.ListTariffGroups(ctx, a, catalog.TariffGroupFilter{ProviderID: p, PageParams: in.page()})
		},
		c.CreateTariffGroup, func(n NewTariffGroup) (ProviderRef, catalog.TariffGroupDoc) { return n.ProviderRef, n.TariffGroupDoc },
		c.GetTariffGroup, c.UpdateTariffGroup, c.DeleteTariffGroup)

	crud(api, "enumeration", "enumerations", "/enumerations", tag,
		func(ctx context.Context, a billkit.Actor, in *CatalogListInput) (billkit.Page[catalog.Enumeration], error) {
			p, err := in.provider()
			if err != nil {
				return billkit.Page[catalog.Enumeration]{}, err
			}
			return c.ListEnumerations(ctx, a, catalog.EnumerationFilter{ProviderID: p, PageParams: in.page()})
		},
		c.CreateEnumeration, func(n NewEnumeration) (ProviderRef, catalog.EnumerationDoc) { return n.ProviderRef, n.EnumerationDoc },
		c.GetEnumeration, c.UpdateEnumeration, c.DeleteEnumeration)

	crud(api, "os-image", "os-images", "/os-images", tag,
		func(ctx context.Context, a billkit.Actor, in *listOSImagesInput) (billkit.Page[catalog.OSImage], error) {
			p, err := in.provider()
			if err != nil {
				return billkit.Page[catalog.OSImage]{}, err
			}
			return c.ListOSImages(ctx, a, catalog.OSImageFilter{ProviderID: p, Family: in.Family, PageParams: in.page()})
		},
		c.CreateOSImage, func(n NewOSImage) (ProviderRef, catalog.OSImageDoc) { return n.ProviderRef, n.OSImageDoc },
		c.GetOSImage, c.UpdateOSImage, c.DeleteOSImage)

	crud(api, "agreement", "agreements", "/agreements", tag,
		func(ctx context.Context, a billkit.Actor, in *CatalogListInput) (billkit.Page[catalog.Agreement], error) {
			p, err := in.provider()
			if err != nil {
				return billkit.Page[catalog.Agreement]{}, err
			}
			return c.ListAgreements(ctx, a, catalog.AgreementFilter{ProviderID: p, PageParams: in.page()})
		},
		c.CreateAgreement, func(n NewAgreement) (ProviderRef, catalog.AgreementDoc) { return n.ProviderRef, n.AgreementDoc },
		c.GetAgreement, c.UpdateAgreement, c.DeleteAgreement)

	crud(api, "price-version", "price-versions", "/price-versions", tag,
		func(ctx context.Context, a billkit.Actor, in *listPriceVersionsInput) (billkit.Page[catalog.PriceVersion], error) {
			f := catalog.PriceVersionFilter{PageParams: in.page()}
			var err error
			if f.ProviderID, err = in.provider(); err != nil {
				return billkit.Page[catalog.PriceVersion]{}, err
			}
			if f.TariffID, err = optID[catalog.Tariff]("tariff_id", in.TariffID); err != nil {
				return billkit.Page[catalog.PriceVersion]{}, err
			}
			return c.ListPriceVersions(ctx, a, f)
		},
		c.CreatePriceVersion, func(n NewPriceVersion) (ProviderRef, catalog.PriceVersionDoc) {
			return n.ProviderRef, n.PriceVersionDoc
		},
		c.GetPriceVersion, c.UpdatePriceVersion, c.DeletePriceVersion)

	h.registerCatalogExchange(api)
}
