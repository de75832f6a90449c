package api

import (
	"bytes"
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/danielgtaylor/huma/v2"
)

// Importing services that already exist on a system: from a CSV file, and
// from what a server's module lists. Both are staff's, with the right of
// POST /services/import.

// importCSVInput is a CSV file as the request's body.
type importCSVInput struct {
	RawBody []byte `contentType:"text/csv"`
}

// registerImport registers the CSV import and the servers' listings.
func (h *handlers) registerImport(api huma.API) {
	m := h.provisioning
	rule := Requires(provisioning.FunctionService, billkit.OpCreate).described(staffNote)

	csvOp := created(op("import-services-csv", http.MethodPost, "/services/import.csv", "Bring the services of a CSV file under billing", "Services",
		http.StatusUnprocessableEntity))
	csvOp.Description = "The body is the file, as text/csv (at most 1 MiB): a header line naming the columns " +
		"(client_id, tariff_id or tariff_code, period, name, expires_on; status, suspend_reason, price as \"12.50 USD\", auto_renew, domain, os_image, " +
		"server_id, datacenter_id; addon.<code> and param.<key>), then one service a line. " +
		"The services are imported as POST /services/import does, all or none, and the answer is the same; " +
		"every problem is reported at once, named rows[<line>].<column> by the line of the file, the header being line 1."
	route(api, csvOp, rule,
		func(ctx context.Context, in *importCSVInput) (*body[ImportAnswer], error) {
			return write(ctx, func(a billkit.Actor) (ImportAnswer, error) {
				s, err := m.ImportServicesCSV(ctx, a, bytes.NewReader(in.RawBody))
				return ImportAnswer{Services: nonNil(s)}, err
			})
		})

	listOp := withErrors(op("list-server-services", http.MethodGet, "/servers/{id}/listing", "What exists on a server, as services to import", "Servers",
		http.StatusNotFound, http.StatusUnprocessableEntity), http.StatusServiceUnavailable)
	listOp.Description = "Asks the server's module for the services on it (a module that cannot list is 422 provisioning.list_unsupported; " +
		"one that does not answer 503 provisioning.module_unavailable) and returns each as a candidate: " +
		"the row to import, filled in as far as billkit knows (the tariff whose code is the system's plan, the client whose email is the hint), " +
		"whether billkit has it already (a service on the server with its remote_id), and the fields still missing. " +
		"Nothing is written: complete the rows and POST them to /services/import."
	route(api, listOp, rule,
		func(ctx context.Context, in *IDPath) (*body[List[provisioning.ImportCandidate]], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id provisioning.ServerID) (List[provisioning.ImportCandidate], error) {
				return items(m.ListServerServices(ctx, a, id))
			})
		})
}
