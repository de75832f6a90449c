package api

import (
	"reflect"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/danielgtaylor/huma/v2"
)

// idPattern is the canonical form of an ID, or empty for none: the form
// billkit.ParseID reads.
const idPattern = `^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$`

// idSchema stands in for an ID in the schemas. Without it an ID is any
// string, and a malformed one fails only when the body is decoded, with an
// error that names the whole body; with it the request validation refuses
// it naming its field ("items[0].tariff_id").
type idSchema struct{}

func (idSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{
		Type: huma.TypeString, Pattern: idPattern, PatternDescription: "an ID",
		Examples: []any{"01a2108c-9159-77af-8646-43b0555b9332"},
	}
}

// registerIDTypes makes the IDs that provisioning's request bodies carry
// validate as IDs. It is called before the first of those operations is
// registered, since the framework makes each body's schema once.
func registerIDTypes(r huma.Registry) {
	for _, t := range []reflect.Type{
		reflect.TypeFor[billkit.ClientID](), reflect.TypeFor[billkit.ProviderID](), reflect.TypeFor[catalog.TariffID](),
		reflect.TypeFor[provisioning.ServiceID](), reflect.TypeFor[provisioning.OrderID](), reflect.TypeFor[provisioning.TaskID](),
		reflect.TypeFor[provisioning.ServerID](), reflect.TypeFor[provisioning.DatacenterID](), reflect.TypeFor[billing.PaymentMethodID](),
	} {
		r.RegisterTypeAlias(t, reflect.TypeFor[idSchema]())
	}
}

// The request and answer bodies of the operations on orders, services,
// tasks, servers, datacenters and the billing cycle that are not
// provisioning's own types.

// SuspendRequest is the body of POST /services/{id}/suspend.
type SuspendRequest struct {
	Reason provisioning.SuspendReason `json:"reason" enum:"staff,abuse,client,temporary" doc:"Why: staff may give any of these (non_payment is the billing cycle's); a client suspends its own service with client."`
	Memo   string                     `json:"memo,omitempty" maxLength:"2000" doc:"A note for the service's history."`
}

// MemoRequest is the optional body of the calls that take only a note for
// the history.
type MemoRequest struct {
	Memo string `json:"memo,omitempty" maxLength:"2000" doc:"A note for the service's history."`
}

// memoOf is the memo of an optional body.
func memoOf(b *MemoRequest) string {
	if b == nil {
		return ""
	}
	return b.Memo
}

// AutoRenewRequest is the body of PUT /services/{id}/auto-renew.
type AutoRenewRequest struct {
	On bool `json:"on" doc:"true renews the service from the balance when it expires; false lets it expire."`
}

// SpecialPriceRequest is the body of PUT /services/{id}/special-price.
type SpecialPriceRequest struct {
	Price billkit.Money `json:"price" doc:"What one period costs from now on, zero or more, in the client's currency."`
}

// MoveRequest is the body of POST /services/{id}/move.
type MoveRequest struct {
	ClientID string `json:"client_id" maxLength:"64" doc:"The client who gets the service: of the same provider, paying in the same currency."`
}

// ImportRequest is the body of POST /services/import.
type ImportRequest struct {
	Services []provisioning.ImportServiceParams `json:"services" maxItems:"1000" doc:"The services, all imported or none; a bad row is reported as services[<row>].<field>."`
}

// ImportAnswer is the answer of POST /services/import.
type ImportAnswer struct {
	Services []provisioning.Service `json:"services" doc:"The services created, in the order of the rows."`
}

// ServiceUsage is the answer of GET /services/{id}/usage.
type ServiceUsage struct {
	ServiceID provisioning.ServiceID `json:"service_id"`
	From      time.Time              `json:"from"`
	To        time.Time              `json:"to"`
	// Usage is kept as the module's text, so no float rounds a quantity.
	Usage map[string]string `json:"usage" doc:"The measured usage by addon code, as exact decimal strings."`
}

// LoginLink is the answer of POST /services/{id}/login-link.
type LoginLink struct {
	URL string `json:"url" doc:"Where the client signs in to the service (a control panel's one-time link)."`
}

// FailTaskRequest is the body of POST /tasks/{id}/fail.
type FailTaskRequest struct {
	Message string `json:"message" maxLength:"2000" doc:"What went wrong; it becomes the task's last_error."`
}

// CycleRunRequest is the body of POST /cycle/run.
type CycleRunRequest struct {
	// DryRun is required so that a body left empty by mistake never starts
	// a run that charges clients.
	DryRun bool `json:"dry_run" doc:"true reports what the run would do and writes nothing; false runs it."`
}

// The path of the webhook modules' callbacks, and the most a callback may
// weigh: an answer is a small JSON object.
const (
	moduleCallbackPath    = "/provisioning/callbacks/{module}"
	maxModuleCallbackBody = 1 << 20
	// callbackTolerance is how far a callback's signed time may be from the
	// server's clock, before or after.
	callbackTolerance = 5 * time.Minute
)

// moduleCallbackInput is a webhook module's callback exactly as it
// arrived: the signature is computed over the body's bytes unchanged.
type moduleCallbackInput struct {
	Module    string `path:"module" maxLength:"64" doc:"The name of the webhook module whose remote system calls."`
	Signature string `header:"Billkit-Signature" doc:"t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.<body>\"> keyed with the module's secret."`
	RawBody   []byte `contentType:"application/json" doc:"{\"task_id\": \"...\", \"status\": \"ok\" | \"error\", \"params\": {...}, \"message\": \"...\"}"`
}
