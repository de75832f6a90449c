package api

import "github.com/danielgtaylor/huma/v2"

// registerProvisioning registers the operations on orders, services,
// tasks, servers, datacenters and the billing cycle.
func (h *handlers) registerProvisioning(api huma.API) {
	_ = api
}
