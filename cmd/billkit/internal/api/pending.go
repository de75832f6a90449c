package api

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/danielgtaylor/huma/v2"
)

type accessAuth struct{ svc *access.Service }

func (a accessAuth) session(ctx context.Context, token string, from origin) (billkit.Actor, error) {
	return billkit.Actor{}, errUnauthenticated
}
func (a accessAuth) apiKey(ctx context.Context, key string, from origin) (billkit.Actor, error) {
	return billkit.Actor{}, errUnauthenticated
}
func (h *handlers) registerAccess(api huma.API) { h.registerRights(api) }
func (h *handlers) registerBilling(api huma.API) {}
