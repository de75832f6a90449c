package provisioning

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

// placeService chooses the server a new service lives on, in tx: the
// enabled server of the product type's module with the lowest load that
// has room (in datacenter when it is not zero), claiming one slot of it
// (Store.ClaimServerSlot), and sets svc.ServerID and svc.DatacenterID. A
// product type without a module, or a module that needs no server (manual)
// with no server configured, leaves the service without one. No server
// with room is failed_precondition "provisioning.no_server".
func (m *Manager) placeService(ctx context.Context, tx Store, svc *Service, pt *catalog.ProductType, datacenter DatacenterID) error {
	return billkit.Errorf(billkit.CodeInternal, "provisioning.unimplemented", "placeService is not written yet")
}
