package api

import (
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/danielgtaylor/huma/v2"
)

// Datacenters, servers and the billing cycle: they belong to no client,
// so each needs one global right, which only staff (and API keys) hold.

type createDatacenterInput struct {
	Body provisioning.DatacenterParams
}

type updateDatacenterInput struct {
	IDPath
	Body provisioning.UpdateDatacenterParams
}

func (h *handlers) registerDatacenters(api huma.API) {
	m := h.provisioning
	const tag = "Datacenters"
	rule := func(op billkit.Operation) Rule { return Requires(provisioning.FunctionDatacenter, op) }
	withDC := func(ctx context.Context, raw string, fn func(billkit.Actor, provisioning.DatacenterID) (*provisioning.Datacenter, error)) (*body[*provisioning.Datacenter], error) {
		return withID(ctx, raw, fn)
	}

	route(api, op("list-datacenters", http.MethodGet, "/datacenters", "List datacenters, oldest first", tag), rule(billkit.OpRead),
		func(ctx context.Context, in *providerFilterInput) (*body[List[provisioning.Datacenter]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[provisioning.Datacenter], error) {
				p, err := optProviderID("provider_id", in.ProviderID)
				if err != nil {
					return billkit.Page[provisioning.Datacenter]{}, err
				}
				return m.ListDatacenters(ctx, a, provisioning.DatacenterFilter{ProviderID: p, PageParams: in.page()})
			})
		})
	route(api, created(op("create-datacenter", http.MethodPost, "/datacenters", "Create a datacenter", tag)), rule(billkit.OpCreate),
		func(ctx context.Context, in *createDatacenterInput) (*body[*provisioning.Datacenter], error) {
			return write(ctx, func(a billkit.Actor) (*provisioning.Datacenter, error) { return m.CreateDatacenter(ctx, a, in.Body) })
		})
	route(api, op("get-datacenter", http.MethodGet, "/datacenters/{id}", "Get a datacenter", tag, http.StatusNotFound), rule(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Datacenter], error) {
			return withDC(ctx, in.ID, func(a billkit.Actor, id provisioning.DatacenterID) (*provisioning.Datacenter, error) {
				return m.GetDatacenter(ctx, a, id)
			})
		})
	route(api, op("update-datacenter", http.MethodPatch, "/datacenters/{id}", "Change a datacenter; fields left out stay", tag, http.StatusNotFound), rule(billkit.OpEdit),
		func(ctx context.Context, in *updateDatacenterInput) (*body[*provisioning.Datacenter], error) {
			return withDC(ctx, in.ID, func(a billkit.Actor, id provisioning.DatacenterID) (*provisioning.Datacenter, error) {
				return m.UpdateDatacenter(ctx, a, id, in.Body)
			})
		})
	for _, s := range []struct {
		verb, summary string
		on            bool
	}{
		{"enable", "Offer a datacenter again", true},
		{"disable", "Stop offering a datacenter; its servers keep their services", false},
	} {
		route(api, op(s.verb+"-datacenter", http.MethodPost, "/datacenters/{id}/"+s.verb, s.summary, tag, http.StatusNotFound), rule(billkit.OpEdit),
			func(ctx context.Context, in *IDPath) (*body[*provisioning.Datacenter], error) {
				return withDC(ctx, in.ID, func(a billkit.Actor, id provisioning.DatacenterID) (*provisioning.Datacenter, error) {
					return m.UpdateDatacenter(ctx, a, id, provisioning.UpdateDatacenterParams{Enabled: ptr(s.on)})
				})
			})
	}
}

type listServersInput struct {
	ProviderID   string `query:"provider_id" maxLength:"64" doc:"Only the servers of this provider."`
	DatacenterID string `query:"datacenter_id" maxLength:"64" doc:"Only the servers in this datacenter."`
	Module       string `query:"module" maxLength:"64" doc:"Only the servers this module drives."`
	Enabled      string `query:"enabled" enum:"true" doc:"Only enabled servers."`
	PageInput
}

type createServerInput struct {
	Body provisioning.ServerParams
}

type updateServerInput struct {
	IDPath
	Body provisioning.UpdateServerParams
}

// credentialsNote tells how servers' credentials travel: in, never out.
const credentialsNote = "Credentials are write-only: they are encrypted with billkit's secret key before they are stored, " +
	"and never returned nor written to the action log. Giving any when billkit has no secret key configured is 422 provisioning.secret_key_missing."

func (h *handlers) registerServers(api huma.API) {
	m := h.provisioning
	const tag = "Servers"
	rule := func(op billkit.Operation) Rule { return Requires(provisioning.FunctionServer, op) }
	withServer := func(ctx context.Context, raw string, fn func(billkit.Actor, provisioning.ServerID) (*provisioning.Server, error)) (*body[*provisioning.Server], error) {
		return withID(ctx, raw, fn)
	}

	route(api, op("list-servers", http.MethodGet, "/servers", "List servers, oldest first, without their credentials", tag), rule(billkit.OpRead),
		func(ctx context.Context, in *listServersInput) (*body[List[provisioning.Server]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[provisioning.Server], error) {
				f := provisioning.ServerFilter{Module: in.Module, EnabledOnly: in.Enabled == "true", PageParams: in.page()}
				var v billkit.FieldErrors
				var err error
				f.ProviderID, err = optProviderID("provider_id", in.ProviderID)
				v.Merge("", err)
				f.DatacenterID, err = optID[provisioning.Datacenter]("datacenter_id", in.DatacenterID)
				v.Merge("", err)
				if err := v.Err(); err != nil {
					return billkit.Page[provisioning.Server]{}, err
				}
				return m.ListServers(ctx, a, f)
			})
		})
	createOp := created(op("create-server", http.MethodPost, "/servers", "Create a server of a module in a datacenter", tag, http.StatusUnprocessableEntity))
	createOp.Description = credentialsNote
	route(api, createOp, rule(billkit.OpCreate),
		func(ctx context.Context, in *createServerInput) (*body[*provisioning.Server], error) {
			return write(ctx, func(a billkit.Actor) (*provisioning.Server, error) { return m.CreateServer(ctx, a, in.Body) })
		})
	route(api, op("get-server", http.MethodGet, "/servers/{id}", "Get a server, without its credentials", tag, http.StatusNotFound), rule(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*provisioning.Server], error) {
			return withServer(ctx, in.ID, func(a billkit.Actor, id provisioning.ServerID) (*provisioning.Server, error) {
				return m.GetServer(ctx, a, id)
			})
		})
	updateOp := op("update-server", http.MethodPatch, "/servers/{id}", "Change a server; fields left out stay", tag, http.StatusNotFound, http.StatusUnprocessableEntity)
	updateOp.Description = "credentials, when given, replace the stored ones whole ({} removes them). Its module changes only while it holds no service " +
		"(422 provisioning.server_in_use). " + credentialsNote
	route(api, updateOp, rule(billkit.OpEdit),
		func(ctx context.Context, in *updateServerInput) (*body[*provisioning.Server], error) {
			return withServer(ctx, in.ID, func(a billkit.Actor, id provisioning.ServerID) (*provisioning.Server, error) {
				return m.UpdateServer(ctx, a, id, in.Body)
			})
		})
	for _, s := range []struct {
		verb, summary string
		on            bool
	}{
		{"enable", "Let a server take new services again", true},
		{"disable", "Stop placing new services on a server; it keeps those it has", false},
	} {
		route(api, op(s.verb+"-server", http.MethodPost, "/servers/{id}/"+s.verb, s.summary, tag, http.StatusNotFound), rule(billkit.OpEdit),
			func(ctx context.Context, in *IDPath) (*body[*provisioning.Server], error) {
				return withServer(ctx, in.ID, func(a billkit.Actor, id provisioning.ServerID) (*provisioning.Server, error) {
					return m.SetServerEnabled(ctx, a, id, s.on)
				})
			})
	}
}

type cycleRunInput struct {
	Body CycleRunRequest
}

func (h *handlers) registerCycle(api huma.API) {
	m := h.provisioning
	runOp := op("run-cycle", http.MethodPost, "/cycle/run", "Run the billing cycle now, or see what it would do", "Billing cycle")
	runOp.Description = "One run decides, for each service, what is due from the clock and the data alone (a notice before expiry, a renewal at expiry, " +
		"a suspension after the grace days, a deletion after the deletion period), pays new orders the balance now covers and cancels those unpaid in time. " +
		"A period is charged exactly once however many runs go at once. Services the run could not handle are listed in failures; the others go on. " +
		"With dry_run the run writes nothing and lists, in actions, what it would do."
	route(api, runOp, Requires(provisioning.FunctionCycle, billkit.OpCreate).described("provisioning.cycle:read is enough for a dry run"),
		func(ctx context.Context, in *cycleRunInput) (*body[provisioning.CycleReport], error) {
			return write(ctx, func(a billkit.Actor) (provisioning.CycleReport, error) {
				rep, err := m.RunCycle(ctx, a, provisioning.CycleOptions{DryRun: in.Body.DryRun})
				if err != nil {
					return provisioning.CycleReport{}, err
				}
				if rep.Failures == nil {
					rep.Failures = []provisioning.CycleFailure{}
				}
				return rep, nil
			})
		})
}
