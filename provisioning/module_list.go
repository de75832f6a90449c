package provisioning

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
)

// OpList is the operation of a listing (Lister.List). It acts on a server,
// not on a service, so Operations does not list it and no task runs it.
const OpList Operation = "list"

// RemoteIDParam is the service param that holds a service's ID on its
// system. A listing fills it in from ListedService.RemoteID, and knows a
// service billkit has by it: a module that returns its remote ID under this
// key when it opens a service lets later listings recognise that service.
const RemoteIDParam = "remote_id"

// ReasonListUnsupported: the server's module cannot list what exists on a
// server (it is not a Lister).
const ReasonListUnsupported = "provisioning.list_unsupported"

// Lister is a Module that can also enumerate the services that exist on a
// server, so that staff bring them under billing (Manager.ListServerServices,
// then ImportServices). It is optional: a module that is not a Lister
// cannot be listed. List is called at once, outside any transaction, with
// Config.ModuleTimeout; it must change nothing on the system.
type Lister interface {
	List(ctx context.Context, req ListRequest) ([]ListedService, error)
}

// ListRequest is a listing, as a Lister receives it.
type ListRequest struct {
	// Operation is OpList, so that a program that serves every operation
	// (a script, a webhook) tells a listing from a Request.
	Operation Operation `json:"operation"`
	// Server is the server to list, credentials decrypted, as in Request.
	Server *ServerInfo `json:"server"`
}

// ListedService is one service a Lister found on a server. Only RemoteID is
// required; what the system does not know is left out.
type ListedService struct {
	// RemoteID is the service's ID on the system (an account's login, a
	// VM's UUID), unique on the server.
	RemoteID string `json:"remote_id"`
	Name     string `json:"name,omitempty"`
	Domain   string `json:"domain,omitempty"`
	// Plan is the system's name of the service's plan (a panel's package),
	// matched against the codes of the tariffs of the server's module.
	Plan string `json:"plan,omitempty"`
	// Status is active (also when empty) or suspended.
	Status Status `json:"status,omitempty"`
	// ExpiresOn is when the service is paid until, when the system knows.
	ExpiresOn billkit.Date `json:"expires_on,omitzero"`
	// ClientHint says whose the service is: an email, a login. An email
	// that is one client's, and only one's, names the client.
	ClientHint string `json:"client_hint,omitempty"`
	// Params are the module's values to keep on the service (an IP
	// address, a login).
	Params map[string]string `json:"params,omitempty"`
}

// ImportCandidate is one listed service, ready for staff to complete and
// import (ImportServices).
type ImportCandidate struct {
	// Listed is what the module said.
	Listed ListedService `json:"listed"`
	// Service is the row to import, filled in as far as the listing and
	// billkit's data allow: the server and its datacenter, the name, domain,
	// status, expiry and params (with RemoteIDParam), the tariff when the
	// plan is the code of a tariff of the server's module (and the period
	// when that tariff is priced for one only), the client when the hint is
	// one client's email.
	Service ImportServiceParams `json:"service"`
	// Known is true when billkit has a service (not deleted) on the server
	// with the same remote ID: KnownServiceID. Importing it again would
	// count it twice.
	Known          bool      `json:"known"`
	KnownServiceID ServiceID `json:"known_service_id,omitzero"`
	// Missing names the fields of Service staff still fill in before the
	// import: client_id, tariff_id, period, expires_on, suspend_reason.
	Missing []string `json:"missing"`
	// Notes say why a field could not be filled in.
	Notes []string `json:"notes,omitempty"`
}

// ListServerServices asks the module of a server for the services that
// exist on it (the module must be a Lister: else failed_precondition
// ReasonListUnsupported) and returns them as import candidates, in the
// module's order, each saying whether billkit knows it already and what is
// still missing. It writes nothing. A module that refuses is
// failed_precondition "provisioning.module_refused", one that fails or
// answers what billkit cannot use unavailable. It needs
// provisioning.service:create, as ImportServices does, and is staff's.
func (m *Manager) ListServerServices(ctx context.Context, actor billkit.Actor, serverID ServerID) ([]ImportCandidate, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!serverID.IsZero(), "server_id", "required", "is required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionService, billkit.OpCreate)); err != nil {
		return nil, err
	}
	if err := staffOnly(actor, "list the services on a server"); err != nil {
		return nil, err
	}
	srv, err := m.store.GetServer(ctx, serverID)
	if err != nil {
		return nil, err
	}
	listed, err := m.listServer(ctx, srv)
	if err != nil {
		return nil, err
	}
	known, err := m.knownRemoteIDs(ctx, srv.ID)
	if err != nil {
		return nil, err
	}
	r := candidateResolver{m: m, srv: srv, tariffs: map[string]tariffMatch{}, clients: map[string]clientMatch{}}
	out := make([]ImportCandidate, 0, len(listed))
	for _, ls := range listed {
		c, err := r.candidate(ctx, ls)
		if err != nil {
			return nil, err
		}
		c.KnownServiceID, c.Known = known[ls.RemoteID]
		out = append(out, c)
	}
	return out, nil
}

// listServer calls the server's module's List with the server's
// credentials decrypted, as a task's request carries them, and checks
// what it answers.
func (m *Manager) listServer(ctx context.Context, srv *Server) ([]ListedService, error) {
	mod, err := m.cfg.Modules.Get(srv.Module)
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeFailedPrecondition, "provisioning.module_missing",
			fmt.Sprintf("the module %q is not registered", srv.Module))
	}
	lister, ok := mod.(Lister)
	if !ok {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonListUnsupported,
			"the module %q of server %s cannot list the services on it", srv.Module, srv.Name)
	}
	creds, err := openCredentials(m.cfg.SecretKey, srv.Credentials)
	if err != nil {
		return nil, err
	}
	params := maps.Clone(srv.Params)
	if params == nil {
		params = map[string]string{}
	}
	req := ListRequest{Operation: OpList, Server: &ServerInfo{ID: srv.ID, Name: srv.Name, URL: srv.URL, Params: params, Credentials: creds}}
	listed, err := m.callLister(ctx, srv.Module, lister, req)
	switch {
	case err != nil && Permanent(err):
		return nil, billkit.WrapError(err, billkit.CodeFailedPrecondition, "provisioning.module_refused",
			fmt.Sprintf("the system refused to list the services on server %s", srv.Name))
	case err != nil:
		return nil, billkit.WrapError(err, billkit.CodeUnavailable, "provisioning.module_unavailable",
			fmt.Sprintf("the system did not list the services on server %s; try again later", srv.Name))
	}
	if err := checkListed(listed); err != nil {
		return nil, billkit.WrapError(err, billkit.CodeUnavailable, "provisioning.module_answer_invalid",
			"the module answered a listing billkit cannot use")
	}
	for i := range listed {
		listed[i].RemoteID = strings.TrimSpace(listed[i].RemoteID)
	}
	return listed, nil
}

// callLister calls a Lister as callModule calls a module: with
// Config.ModuleTimeout, a panic turned into an error, and a module that
// ignores its context abandoned when the timeout passes.
func (m *Manager) callLister(parent context.Context, name string, l Lister, req ListRequest) ([]ListedService, error) {
	return guardedCall(parent, name, m.cfg.ModuleTimeout, func(ctx context.Context) ([]ListedService, error) { return l.List(ctx, req) })
}

// checkListed checks a listing: every service has a remote ID, unique in
// the listing, a status an import takes, a real expiry when it has one,
// and params billkit can keep. Errors name "services[<i>].<field>".
func checkListed(list []ListedService) error {
	var v billkit.FieldErrors
	seen := make(map[string]int, len(list))
	for i, ls := range list {
		f := func(field string) string { return fmt.Sprintf("services[%d].%s", i, field) }
		id := checkText(&v, f("remote_id"), ls.RemoteID, 255, true)
		if j, dup := seen[id]; dup && id != "" {
			v.Add(f("remote_id"), "provisioning.remote_id_duplicate", fmt.Sprintf("is services[%d]'s too", j))
		}
		seen[id] = i
		checkText(&v, f("name"), ls.Name, 200, false)
		checkText(&v, f("domain"), ls.Domain, 255, false)
		checkText(&v, f("plan"), ls.Plan, 255, false)
		checkText(&v, f("client_hint"), ls.ClientHint, 255, false)
		v.Check(ls.Status == "" || ls.Status == StatusActive || ls.Status == StatusSuspended, f("status"),
			"provisioning.import_status", "must be active or suspended")
		v.Check(ls.ExpiresOn.IsZero() || ls.ExpiresOn.Valid(), f("expires_on"), "date.malformed", "is not a date")
		checkParams(&v, f("params"), ls.Params)
	}
	return v.Err()
}

// knownRemoteIDs maps the remote IDs of the services billkit has on a
// server (deleted ones aside) to their IDs.
func (m *Manager) knownRemoteIDs(ctx context.Context, server ServerID) (map[string]ServiceID, error) {
	svcs, err := billkit.CollectPages(func(cursor string) (billkit.Page[Service], error) {
		return m.store.ListServices(ctx, ServiceFilter{ServerID: server,
			Statuses:   []Status{StatusOrdered, StatusProcessing, StatusActive, StatusSuspended},
			PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]ServiceID, len(svcs))
	for _, s := range svcs {
		if id := s.Params[RemoteIDParam]; id != "" {
			out[id] = s.ID
		}
	}
	return out, nil
}

// tariffMatch is what a plan name resolved to: a tariff, or why none.
type tariffMatch struct {
	tariff *catalog.Tariff
	note   string
}

// clientMatch is what a client hint resolved to: a client, or why none.
type clientMatch struct {
	client billkit.ClientID
	note   string
}

// candidateResolver turns listed services into candidates, looking each
// plan and each client hint up once.
type candidateResolver struct {
	m       *Manager
	srv     *Server
	tariffs map[string]tariffMatch
	clients map[string]clientMatch
}

// candidate pre-fills the import of one listed service.
func (r *candidateResolver) candidate(ctx context.Context, ls ListedService) (ImportCandidate, error) {
	params := maps.Clone(ls.Params)
	if params == nil {
		params = map[string]string{}
	}
	params[RemoteIDParam] = ls.RemoteID
	status := ls.Status
	if status == "" {
		status = StatusActive
	}
	c := ImportCandidate{Listed: ls, Service: ImportServiceParams{
		Name: firstOf(ls.Name, ls.Domain, ls.RemoteID), Status: status, ExpiresOn: ls.ExpiresOn, Domain: ls.Domain,
		ServerID: r.srv.ID, DatacenterID: r.srv.DatacenterID, Params: params,
	}}
	if ls.Plan != "" {
		tm, err := r.tariff(ctx, ls.Plan)
		if err != nil {
			return c, err
		}
		if tm.tariff != nil {
			c.Service.TariffID = tm.tariff.ID
			c.Service.Period = onlyPeriod(tm.tariff)
		}
		c.Notes = appendNote(c.Notes, tm.note)
	}
	if ls.ClientHint != "" {
		cm, err := r.client(ctx, ls.ClientHint)
		if err != nil {
			return c, err
		}
		c.Service.ClientID = cm.client
		c.Notes = appendNote(c.Notes, cm.note)
	}
	c.Missing = missingFields(c.Service)
	return c, nil
}

// tariff resolves a plan name: the tariff of the server's provider with
// that code, when its product type's module is the server's.
func (r *candidateResolver) tariff(ctx context.Context, plan string) (tariffMatch, error) {
	if tm, seen := r.tariffs[plan]; seen {
		return tm, nil
	}
	tm, err := r.lookUpTariff(ctx, plan)
	if err != nil {
		return tm, err
	}
	r.tariffs[plan] = tm
	return tm, nil
}

func (r *candidateResolver) lookUpTariff(ctx context.Context, plan string) (tariffMatch, error) {
	none := tariffMatch{note: fmt.Sprintf("plan %q is not the code of a tariff", plan)}
	if !catalog.ValidCode(plan) {
		return none, nil
	}
	t, err := r.m.cfg.Catalog.GetTariffByCode(ctx, selfActor, r.srv.ProviderID, plan)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return none, nil
	}
	if err != nil {
		return tariffMatch{}, err
	}
	pt, err := r.m.cfg.Catalog.GetProductType(ctx, selfActor, t.ProductTypeID)
	if err != nil {
		return tariffMatch{}, err
	}
	if moduleOf(pt) != r.srv.Module {
		return tariffMatch{note: fmt.Sprintf("plan %q is tariff %s, of module %q and not the server's %q", plan, t.Code, moduleOf(pt), r.srv.Module)}, nil
	}
	return tariffMatch{tariff: t}, nil
}

// client resolves a client hint: the one client of the server's provider,
// not deleted, whose email it is (ignoring case).
func (r *candidateResolver) client(ctx context.Context, hint string) (clientMatch, error) {
	if cm, seen := r.clients[hint]; seen {
		return cm, nil
	}
	cm, err := r.lookUpClient(ctx, hint)
	if err != nil {
		return cm, err
	}
	r.clients[hint] = cm
	return cm, nil
}

func (r *candidateResolver) lookUpClient(ctx context.Context, hint string) (clientMatch, error) {
	if !strings.Contains(hint, "@") {
		return clientMatch{note: fmt.Sprintf("client hint %q is not an email: choose the client", hint)}, nil
	}
	// The query matches part of a name or an email; only a whole email,
	// of one client, names the client.
	found, err := billkit.CollectPages(func(cursor string) (billkit.Page[billing.Client], error) {
		return r.m.store.Billing().ListClients(ctx, billing.ClientFilter{ProviderID: r.srv.ProviderID, Query: hint,
			PageParams: billkit.PageParams{Limit: billkit.MaxPageLimit, Cursor: cursor}})
	})
	if err != nil {
		return clientMatch{}, err
	}
	var ids []billkit.ClientID
	for _, c := range found {
		if c.Status != billing.ClientStatusDeleted && strings.EqualFold(c.Email, hint) {
			ids = append(ids, c.ID)
		}
	}
	switch len(ids) {
	case 0:
		return clientMatch{note: fmt.Sprintf("no client has the email %q", hint)}, nil
	case 1:
		return clientMatch{client: ids[0]}, nil
	}
	return clientMatch{note: fmt.Sprintf("%d clients have the email %q: choose one", len(ids), hint)}, nil
}

// onlyPeriod is the one period a tariff is priced for, or "" when it is
// priced for several.
func onlyPeriod(t *catalog.Tariff) catalog.Period {
	var p catalog.Period
	for _, pr := range t.Prices {
		if p != "" && pr.Period != p {
			return ""
		}
		p = pr.Period
	}
	return p
}

// missingFields names the fields an import requires that p lacks.
func missingFields(p ImportServiceParams) []string {
	out := []string{}
	if p.ClientID.IsZero() {
		out = append(out, "client_id")
	}
	if p.TariffID.IsZero() {
		out = append(out, "tariff_id")
	}
	if p.Period == "" {
		out = append(out, "period")
	}
	if p.ExpiresOn.IsZero() {
		out = append(out, "expires_on")
	}
	if p.Status == StatusSuspended && p.SuspendReason == "" {
		out = append(out, "suspend_reason")
	}
	return out
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func appendNote(notes []string, note string) []string {
	if note == "" {
		return notes
	}
	return append(notes, note)
}

// ListAnswer is the JSON object the language-neutral modules (a script's
// stdout, a webhook's response) answer a listing with:
//
//	{"services": [{"remote_id": "u1042", "name": "...", "domain": "...",
//	  "plan": "...", "status": "active" | "suspended",
//	  "expires_on": "2026-05-01", "client_hint": "...", "params": {...}}]}
//
// "status" may be left out or be "ok". An error is answered as for any
// other operation: {"status": "error", "message": "...", "retry": false}.
type ListAnswer struct {
	Status   string          `json:"status"`
	Services []ListedService `json:"services"`
	Message  string          `json:"message"`
	Retry    *bool           `json:"retry"`
}

// ParseListAnswer reads one ListAnswer from data: a single JSON object,
// with nothing after it but white space, holding a "services" array (or an
// error answer); every service has a remote_id and a status an import
// takes. A listing is answered at once: "pending" is an error. Its errors
// say what is wrong, for the error shown to staff.
func ParseListAnswer(data []byte) (ListAnswer, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return ListAnswer{}, errors.New("no answer: it is empty")
	}
	var a ListAnswer
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&a); err != nil {
		return ListAnswer{}, fmt.Errorf(`the answer is not a JSON object {"services": [...]}: %v`, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return ListAnswer{}, errors.New("the answer has more after its JSON object")
	}
	switch a.Status {
	case AnswerError:
		return a, nil
	case "", AnswerOK:
	case AnswerPending:
		return ListAnswer{}, errors.New(`the answer is "pending", and a listing is answered at once`)
	default:
		return ListAnswer{}, fmt.Errorf(`the answer's status %q is not "ok" or "error"`, Clip([]byte(a.Status), 40))
	}
	if a.Services == nil {
		return ListAnswer{}, errors.New(`the answer has no "services" array`)
	}
	for i, s := range a.Services {
		if strings.TrimSpace(s.RemoteID) == "" {
			return ListAnswer{}, fmt.Errorf(`services[%d] has no "remote_id"`, i)
		}
		if !utf8.ValidString(s.RemoteID) {
			return ListAnswer{}, fmt.Errorf(`services[%d]'s "remote_id" is not UTF-8`, i)
		}
		switch s.Status {
		case "", StatusActive, StatusSuspended:
		default:
			return ListAnswer{}, fmt.Errorf(`services[%d]'s status %q is not "active" or "suspended"`, i, Clip([]byte(s.Status), 40))
		}
	}
	return a, nil
}
