package provisioning

import (
	"context"
	"sort"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

// ReasonNoServer is the reason of the error placeService returns when no
// server has room.
const ReasonNoServer = "provisioning.no_server"

// placeService chooses the server a new service lives on, in tx: the
// enabled server of the product type's module with the lowest load that
// has room (in datacenter when it is not zero), claiming one slot of it
// (Store.ClaimServerSlot), and sets svc.ServerID and svc.DatacenterID. A
// product type without a module, or a module that needs no server (manual)
// with no server configured, leaves the service without one, in the
// datacenter chosen if any. No server
// with room is failed_precondition "provisioning.no_server".
//
// Whether a module needs a server is the provider's configuration: a
// module with no server of the provider at all (enabled or not) works
// without one, as the manual module does; once it has servers, a service
// goes on one of them or nowhere. A claim that loses a race for a
// server's last slot moves on to the next server. Nothing is written when
// no server has room.
func (m *Manager) placeService(ctx context.Context, tx Store, svc *Service, pt *catalog.ProductType, datacenter DatacenterID) error {
	// The service is in the datacenter chosen, on a server there or, with
	// no server to choose from, for whoever opens it by hand.
	if !datacenter.IsZero() {
		svc.DatacenterID = datacenter
	}
	if pt == nil || pt.Module == "" {
		return nil
	}
	configured, candidates, err := serversWithRoom(ctx, tx, svc.ProviderID, pt.Module, datacenter)
	if err != nil || !configured {
		return err
	}
	// The least loaded first; among equals, the one with the most room
	// left, then the oldest, so that the choice is the same every time.
	sort.SliceStable(candidates, func(i, j int) bool {
		a, b := candidates[i], candidates[j]
		if a.Load != b.Load {
			return a.Load < b.Load
		}
		if ra, rb := room(a), room(b); ra != rb {
			return ra > rb
		}
		return a.ID.String() < b.ID.String()
	})
	for _, s := range candidates {
		ok, err := tx.ClaimServerSlot(ctx, s.ID)
		if err != nil {
			return err
		}
		if ok {
			svc.ServerID, svc.DatacenterID = s.ID, s.DatacenterID
			return nil
		}
	}
	where := ""
	if !datacenter.IsZero() {
		where = " in the datacenter chosen"
	}
	return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonNoServer,
		"no enabled server of module %s has room%s", pt.Module, where)
}

// serversWithRoom lists the enabled servers of a provider's module that
// have room (in datacenter when it is not zero), and reports whether the
// module has servers at all: one without any works without them.
func serversWithRoom(ctx context.Context, st Store, provider billkit.ProviderID, module string, datacenter DatacenterID) (bool, []Server, error) {
	configured, err := st.ListServers(ctx, ServerFilter{ProviderID: provider, Module: module, PageParams: billkit.PageParams{Limit: 1}})
	if err != nil || len(configured.Items) == 0 {
		return false, nil, err
	}
	var candidates []Server
	f := ServerFilter{ProviderID: provider, Module: module, DatacenterID: datacenter, EnabledOnly: true,
		PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit}}
	for {
		page, err := st.ListServers(ctx, f)
		if err != nil {
			return true, nil, err
		}
		for _, s := range page.Items {
			if s.Capacity == 0 || s.Load < s.Capacity {
				candidates = append(candidates, s)
			}
		}
		if f.Cursor = page.NextCursor; f.Cursor == "" {
			return true, candidates, nil
		}
	}
}

// room is how many more services a server takes; a server without a limit
// has the most.
func room(s Server) int {
	if s.Capacity == 0 {
		return int(^uint(0) >> 1)
	}
	return s.Capacity - s.Load
}
