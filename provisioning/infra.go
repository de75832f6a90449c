package provisioning

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/billkit/billkit"
)

// DatacenterParams creates a datacenter.
type DatacenterParams struct {
	ProviderID billkit.ProviderID `json:"provider_id"`
	// Code is unique per provider: 1 to 64 lower-case letters, digits, '.',
	// '_' or '-', starting with a letter or digit ("fra-1").
	Code string `json:"code"`
	Name string `json:"name"`
	// Country is an ISO 3166-1 alpha-2 code, or empty.
	Country string `json:"country,omitempty"`
	// Enabled defaults to true; a disabled datacenter is not offered.
	Enabled *bool `json:"enabled,omitempty"`
}

// UpdateDatacenterParams changes a datacenter; nil fields stay.
type UpdateDatacenterParams struct {
	Code    *string `json:"code,omitempty"`
	Name    *string `json:"name,omitempty"`
	Country *string `json:"country,omitempty"`
	Enabled *bool   `json:"enabled,omitempty"`
}

// validCode accepts the codes catalog entities use too.
func validCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	return true
}

func checkCode(v *billkit.FieldErrors, s string) string {
	s = strings.TrimSpace(s)
	if v.Require("code", s) {
		v.Check(validCode(s), "code", "provisioning.code_invalid",
			"must be 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	return s
}

func checkCountry(v *billkit.FieldErrors, s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	ok := s == "" || len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
	v.Check(ok, "country", "country.unknown", "must be an ISO 3166-1 alpha-2 code such as DE")
	return s
}

// codeTaken turns the store's conflict on a datacenter's code into the
// field error it is.
func codeTaken(err error, code string) error {
	if billkit.IsCode(err, billkit.CodeConflict) {
		return billkit.InvalidField("code", "provisioning.datacenter_code_taken", fmt.Sprintf("the provider has a datacenter %q already", code))
	}
	return err
}

// CreateDatacenter creates a datacenter. It needs
// provisioning.datacenter:create.
func (m *Manager) CreateDatacenter(ctx context.Context, actor billkit.Actor, p DatacenterParams) (*Datacenter, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	d := &Datacenter{
		ID: billkit.NewID[Datacenter](), ProviderID: p.ProviderID, Code: checkCode(&v, p.Code),
		Name: checkText(&v, "name", p.Name, 200, true), Country: checkCountry(&v, p.Country), Enabled: p.Enabled == nil || *p.Enabled,
	}
	if err := m.checkProvider(ctx, &v, p.ProviderID); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionDatacenter, billkit.OpCreate)); err != nil {
		return nil, err
	}
	now := m.now()
	d.CreatedAt, d.UpdatedAt = now, now
	err := m.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertDatacenter(ctx, d); err != nil {
			return codeTaken(err, d.Code)
		}
		return record(ctx, tx, actor, now, FunctionDatacenter, "create", d.ID.String(), billkit.ClientID{}, nil, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// checkProvider adds a field error when the provider is missing.
func (m *Manager) checkProvider(ctx context.Context, v *billkit.FieldErrors, id billkit.ProviderID) error {
	if !v.Check(!id.IsZero(), "provider_id", "required", "is required") {
		return nil
	}
	_, err := m.store.Billing().GetProvider(ctx, id)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		v.Add("provider_id", "provider.not_found", "is not a provider")
		return nil
	}
	return err
}

// GetDatacenter returns a datacenter. It needs provisioning.datacenter:read.
func (m *Manager) GetDatacenter(ctx context.Context, actor billkit.Actor, id DatacenterID) (*Datacenter, error) {
	if err := authorizeRead(actor, FunctionDatacenter); err != nil {
		return nil, err
	}
	return m.store.GetDatacenter(ctx, id)
}

// ListDatacenters lists datacenters in creation order. It needs
// provisioning.datacenter:read.
func (m *Manager) ListDatacenters(ctx context.Context, actor billkit.Actor, f DatacenterFilter) (billkit.Page[Datacenter], error) {
	if err := authorizeRead(actor, FunctionDatacenter); err != nil {
		return billkit.Page[Datacenter]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Datacenter]{}, err
	}
	return m.store.ListDatacenters(ctx, f)
}

// authorizeRead checks the actor and its right to read fn.
func authorizeRead(actor billkit.Actor, fn string) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	return actor.Authorize(billkit.R(fn, billkit.OpRead))
}

// UpdateDatacenter changes a datacenter. It needs
// provisioning.datacenter:edit. An update that changes nothing writes
// nothing.
func (m *Manager) UpdateDatacenter(ctx context.Context, actor billkit.Actor, id DatacenterID, p UpdateDatacenterParams) (*Datacenter, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	var code, name, country string
	if p.Code != nil {
		code = checkCode(&v, *p.Code)
	}
	if p.Name != nil {
		name = checkText(&v, "name", *p.Name, 200, true)
	}
	if p.Country != nil {
		country = checkCountry(&v, *p.Country)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionDatacenter, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *Datacenter
	err := m.store.InTx(ctx, func(tx Store) error {
		d, err := tx.GetDatacenter(ctx, id)
		if err != nil {
			return err
		}
		before := *d
		if p.Code != nil {
			d.Code = code
		}
		if p.Name != nil {
			d.Name = name
		}
		if p.Country != nil {
			d.Country = country
		}
		if p.Enabled != nil {
			d.Enabled = *p.Enabled
		}
		out = d
		if *d == before {
			return nil
		}
		d.UpdatedAt = m.now()
		if err := tx.UpdateDatacenter(ctx, d); err != nil {
			return codeTaken(err, d.Code)
		}
		return record(ctx, tx, actor, d.UpdatedAt, FunctionDatacenter, "update", d.ID.String(), billkit.ClientID{}, &before, d)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ServerParams creates a server.
type ServerParams struct {
	ProviderID   billkit.ProviderID `json:"provider_id"`
	DatacenterID DatacenterID       `json:"datacenter_id"`
	// Module is the registered module that drives the server.
	Module string `json:"module"`
	Name   string `json:"name"`
	// URL is where the module reaches the server: an absolute URL, or
	// empty.
	URL string `json:"url,omitempty"`
	// Params are the module's settings for the server, not secret.
	Params map[string]string `json:"params,omitempty"`
	// Credentials are the secrets the module signs in with. They are
	// encrypted with Config.SecretKey (without a key, giving any is
	// failed_precondition "provisioning.secret_key_missing"), never
	// returned, and never in the action log.
	Credentials map[string]string `json:"credentials,omitempty"`
	// Capacity is the most services the server holds; 0 for no limit.
	Capacity int `json:"capacity,omitempty"`
	// Enabled defaults to true; a disabled server takes no new services.
	Enabled *bool `json:"enabled,omitempty"`
}

// UpdateServerParams changes a server; nil fields stay. Credentials, when
// not nil, replace the stored ones whole (an empty map removes them).
type UpdateServerParams struct {
	DatacenterID *DatacenterID     `json:"datacenter_id,omitempty"`
	Module       *string           `json:"module,omitempty"`
	Name         *string           `json:"name,omitempty"`
	URL          *string           `json:"url,omitempty"`
	Params       map[string]string `json:"params,omitempty"`
	Credentials  map[string]string `json:"credentials,omitempty"`
	Capacity     *int              `json:"capacity,omitempty"`
}

// serverLog is what the action log records of a server: its JSON form,
// and for credentials only a fingerprint of their ciphertext, which says
// that they changed and nothing of what they are.
type serverLog struct {
	*Server
	Credentials string `json:"credentials"`
}

func logServer(s *Server) serverLog {
	l := serverLog{Server: s}
	if len(s.Credentials) > 0 {
		sum := sha256.Sum256(s.Credentials)
		l.Credentials = "sealed:" + hex.EncodeToString(sum[:6])
	}
	return l
}

// forCaller returns the server without its sealed credentials: they never
// leave the manager.
func forCaller(s *Server) *Server {
	s.Credentials = nil
	return s
}

func checkURL(v *billkit.FieldErrors, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	u, err := url.Parse(s)
	v.Check(err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "" || u.Path != "") && len(s) <= 2048, "url",
		"provisioning.url_invalid", "must be an absolute URL (https://panel.example.com:1500) of at most 2048 bytes")
	return s
}

// checkModule adds a field error when no module of the name is registered.
func (m *Manager) checkModule(v *billkit.FieldErrors, name string) string {
	name = strings.TrimSpace(name)
	if v.Require("module", name) {
		_, err := m.cfg.Modules.Get(name)
		v.Check(err == nil, "module", "provisioning.module_unknown", fmt.Sprintf("no module %q is registered", name))
	}
	return name
}

// checkDatacenter adds a field error when the datacenter is missing or
// another provider's.
func checkDatacenter(ctx context.Context, tx Store, v *billkit.FieldErrors, provider billkit.ProviderID, id DatacenterID) error {
	if !v.Check(!id.IsZero(), "datacenter_id", "required", "is required") {
		return nil
	}
	d, err := tx.GetDatacenter(ctx, id)
	switch {
	case billkit.IsCode(err, billkit.CodeNotFound):
		v.Add("datacenter_id", "datacenter.not_found", "is not a datacenter")
	case err != nil:
		return err
	case d.ProviderID != provider:
		v.Add("datacenter_id", "provisioning.datacenter_other_provider", "is a datacenter of another provider")
	}
	return nil
}

// seal encrypts credentials given to a server.
func (m *Manager) seal(creds map[string]string) ([]byte, error) {
	if len(creds) > 0 && len(m.cfg.SecretKey) == 0 {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "provisioning.secret_key_missing",
			"server credentials need the manager's secret key (Config.SecretKey), and none is set")
	}
	return sealCredentials(m.cfg.SecretKey, creds)
}

// CreateServer creates a server, its credentials encrypted. It needs
// provisioning.server:create.
func (m *Manager) CreateServer(ctx context.Context, actor billkit.Actor, p ServerParams) (*Server, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	s := &Server{
		ID: billkit.NewID[Server](), ProviderID: p.ProviderID, DatacenterID: p.DatacenterID, Module: m.checkModule(&v, p.Module),
		Name: checkText(&v, "name", p.Name, 200, true), URL: checkURL(&v, p.URL), Params: checkParams(&v, "params", p.Params),
		Capacity: p.Capacity, Enabled: p.Enabled == nil || *p.Enabled,
	}
	creds := checkParams(&v, "credentials", p.Credentials)
	v.Check(p.Capacity >= 0, "capacity", "provisioning.capacity_negative", "must be zero (no limit) or more")
	if err := m.checkProvider(ctx, &v, p.ProviderID); err != nil {
		return nil, err
	}
	if v.Len() == 0 {
		if err := checkDatacenter(ctx, m.store, &v, p.ProviderID, p.DatacenterID); err != nil {
			return nil, err
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionServer, billkit.OpCreate)); err != nil {
		return nil, err
	}
	sealed, err := m.seal(creds)
	if err != nil {
		return nil, err
	}
	if s.Params == nil {
		s.Params = map[string]string{}
	}
	now := m.now()
	s.Credentials, s.CreatedAt, s.UpdatedAt = sealed, now, now
	err = m.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertServer(ctx, s); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionServer, "create", s.ID.String(), billkit.ClientID{}, nil, logServer(s))
	})
	if err != nil {
		return nil, err
	}
	return forCaller(s), nil
}

// GetServer returns a server, without its credentials. It needs
// provisioning.server:read.
func (m *Manager) GetServer(ctx context.Context, actor billkit.Actor, id ServerID) (*Server, error) {
	if err := authorizeRead(actor, FunctionServer); err != nil {
		return nil, err
	}
	s, err := m.store.GetServer(ctx, id)
	if err != nil {
		return nil, err
	}
	return forCaller(s), nil
}

// ListServers lists servers in creation order, without their credentials.
// It needs provisioning.server:read.
func (m *Manager) ListServers(ctx context.Context, actor billkit.Actor, f ServerFilter) (billkit.Page[Server], error) {
	if err := authorizeRead(actor, FunctionServer); err != nil {
		return billkit.Page[Server]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[Server]{}, err
	}
	page, err := m.store.ListServers(ctx, f)
	if err != nil {
		return page, err
	}
	for i := range page.Items {
		forCaller(&page.Items[i])
	}
	return page, nil
}

// UpdateServer changes a server. Its module changes only while it holds
// no service (failed_precondition "provisioning.server_in_use"). It needs
// provisioning.server:edit.
func (m *Manager) UpdateServer(ctx context.Context, actor billkit.Actor, id ServerID, p UpdateServerParams) (*Server, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var (
		v                    billkit.FieldErrors
		module, name, rawURL string
	)
	if p.Module != nil {
		module = m.checkModule(&v, *p.Module)
	}
	if p.Name != nil {
		name = checkText(&v, "name", *p.Name, 200, true)
	}
	if p.URL != nil {
		rawURL = checkURL(&v, *p.URL)
	}
	params := checkParams(&v, "params", p.Params)
	creds := checkParams(&v, "credentials", p.Credentials)
	if p.Capacity != nil {
		v.Check(*p.Capacity >= 0, "capacity", "provisioning.capacity_negative", "must be zero (no limit) or more")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionServer, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var sealed []byte
	if p.Credentials != nil {
		var err error
		if sealed, err = m.seal(creds); err != nil {
			return nil, err
		}
	}
	var out *Server
	err := m.store.InTx(ctx, func(tx Store) error {
		s, err := tx.GetServer(ctx, id)
		if err != nil {
			return err
		}
		before := *s
		if p.DatacenterID != nil && *p.DatacenterID != s.DatacenterID {
			if err := checkDatacenter(ctx, tx, &v, s.ProviderID, *p.DatacenterID); err != nil {
				return err
			}
			s.DatacenterID = *p.DatacenterID
		}
		if p.Module != nil && module != s.Module {
			if s.Load > 0 {
				return billkit.Errorf(billkit.CodeFailedPrecondition, "provisioning.server_in_use",
					"server %s holds %d services of module %s; its module cannot change", s.Name, s.Load, s.Module)
			}
			s.Module = module
		}
		if err := v.Err(); err != nil {
			return err
		}
		if p.Name != nil {
			s.Name = name
		}
		if p.URL != nil {
			s.URL = rawURL
		}
		if p.Params != nil {
			s.Params = params
		}
		if p.Credentials != nil {
			s.Credentials = sealed
		}
		if p.Capacity != nil {
			s.Capacity = *p.Capacity
		}
		out = s
		if same, err := sameServer(&before, s); err != nil || same {
			return err
		}
		s.UpdatedAt = m.now()
		if err := tx.UpdateServer(ctx, s); err != nil {
			return err
		}
		return record(ctx, tx, actor, s.UpdatedAt, FunctionServer, "update", s.ID.String(), billkit.ClientID{}, logServer(&before), logServer(s))
	})
	if err != nil {
		return nil, err
	}
	return forCaller(out), nil
}

// sameServer reports whether an update changed nothing.
func sameServer(a, b *Server) (bool, error) {
	if string(a.Credentials) != string(b.Credentials) {
		return false, nil
	}
	ja, err := json.Marshal(a)
	if err != nil {
		return false, err
	}
	jb, err := json.Marshal(b)
	if err != nil {
		return false, err
	}
	return string(ja) == string(jb), nil
}

// SetServerEnabled enables or disables a server; a disabled one takes no
// new services and keeps those it has. It needs provisioning.server:edit.
func (m *Manager) SetServerEnabled(ctx context.Context, actor billkit.Actor, id ServerID, enabled bool) (*Server, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionServer, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *Server
	err := m.store.InTx(ctx, func(tx Store) error {
		s, err := tx.GetServer(ctx, id)
		if err != nil {
			return err
		}
		out = s
		if s.Enabled == enabled {
			return nil
		}
		before := *s
		s.Enabled, s.UpdatedAt = enabled, m.now()
		if err := tx.UpdateServer(ctx, s); err != nil {
			return err
		}
		verb := "disable"
		if enabled {
			verb = "enable"
		}
		return record(ctx, tx, actor, s.UpdatedAt, FunctionServer, verb, s.ID.String(), billkit.ClientID{}, logServer(&before), logServer(s))
	})
	if err != nil {
		return nil, err
	}
	return forCaller(out), nil
}
