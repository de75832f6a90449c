package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/spf13/cobra"
)

func (m *Main) datacentersCommand(cfg *config) *cobra.Command {
	return group("datacenters", "Datacenters: the places servers are in",
		m.datacentersList(cfg),
		idCommand(m, cfg, "datacenter", lifeSpec{use: "show ID", short: "Show a datacenter"}, call((*provisioning.Manager).GetDatacenter), printDatacenter),
		m.datacentersCreate(cfg), m.datacentersUpdate(cfg),
	)
}

func (m *Main) datacentersList(cfg *config) *cobra.Command {
	var (
		provider string
		f        provisioning.DatacenterFilter
	)
	cmd := listCommand(m, cfg, lifeSpec{use: "list", short: "List datacenters, oldest first",
		parse: func([]string) error { return flagID(&f.ProviderID, "provider", provider, "provider", false) }},
		func(ctx context.Context, p provisioningStack, pp billkit.PageParams) (billkit.Page[provisioning.Datacenter], error) {
			f.PageParams = pp
			return p.mgr.ListDatacenters(ctx, systemCLI(), f)
		},
		[]string{"ID", "CODE", "NAME", "COUNTRY", "ENABLED", "PROVIDER"}, func(d provisioning.Datacenter) []string {
			return []string{d.ID.String(), d.Code, d.Name, d.Country, yesNo(d.Enabled), d.ProviderID.String()}
		})
	cmd.Flags().StringVar(&provider, "provider", "", "only the datacenters of this provider (ID)")
	return cmd
}

func (m *Main) datacentersCreate(cfg *config) *cobra.Command {
	var provider string
	var disabled bool
	var p provisioning.DatacenterParams
	cmd := lifeCommand(m, cfg, lifeSpec{use: "create", short: "Create a datacenter", writes: true,
		parse: func([]string) error { return flagID(&p.ProviderID, "provider", provider, "provider", false) }},
		func(ctx context.Context, s provisioningStack) (*provisioning.Datacenter, error) {
			if p.ProviderID.IsZero() {
				var err error
				if p.ProviderID, err = cliProvider(ctx, s.st, ""); err != nil {
					return nil, err
				}
			}
			if disabled {
				p.Enabled = new(false)
			}
			return s.mgr.CreateDatacenter(ctx, systemCLI(), p)
		}, printDatacenter)
	f := cmd.Flags()
	f.StringVar(&provider, "provider", "", "the provider (ID; default: the only one)")
	f.StringVar(&p.Code, "code", "", "the code, unique to the provider: lower-case letters, digits, '.', '_' or '-' (fra-1)")
	f.StringVar(&p.Name, "name", "", "the name")
	f.StringVar(&p.Country, "country", "", "the country, as an ISO 3166-1 alpha-2 code (DE)")
	f.BoolVar(&disabled, "disabled", false, "create it disabled: not offered to clients")
	return cmd
}

func (m *Main) datacentersUpdate(cfg *config) *cobra.Command {
	var (
		code, name, country string
		enabled             bool
		p                   provisioning.UpdateDatacenterParams
		cmd                 *cobra.Command
	)
	cmd = idCommand(m, cfg, "datacenter", lifeSpec{use: "update ID", short: "Change a datacenter: the flags given", writes: true,
		parse: func([]string) error {
			fs := cmd.Flags()
			p = provisioning.UpdateDatacenterParams{Code: changed(fs.Changed("code"), code), Name: changed(fs.Changed("name"), name),
				Country: changed(fs.Changed("country"), country), Enabled: changed(fs.Changed("enabled"), enabled)}
			return nil
		}},
		callWith((*provisioning.Manager).UpdateDatacenter, &p), printDatacenter)
	f := cmd.Flags()
	f.StringVar(&code, "code", "", "the new code")
	f.StringVar(&name, "name", "", "the new name")
	f.StringVar(&country, "country", "", "the new country (ISO 3166-1 alpha-2; \"\" for none)")
	f.BoolVar(&enabled, "enabled", true, "--enabled=false stops offering it to clients; --enabled offers it again")
	return cmd
}

// changed is a pointer to v when its flag was given, for the nil-means-keep
// fields of the update params.
func changed[T any](given bool, v T) *T {
	if !given {
		return nil
	}
	return &v
}

// serverCommands are the commands of `billkit servers` beside listing.
func (m *Main) serverCommands(cfg *config) []*cobra.Command {
	on, off := true, false
	enable := func(use, short string, enabled *bool) *cobra.Command {
		return idCommand(m, cfg, "server", lifeSpec{use: use, short: short, writes: true},
			callWith((*provisioning.Manager).SetServerEnabled, enabled), printServer)
	}
	return []*cobra.Command{
		m.serversList(cfg),
		idCommand(m, cfg, "server", lifeSpec{use: "show ID", short: "Show a server (never its credentials)"}, call((*provisioning.Manager).GetServer), printServer),
		m.serversCreate(cfg), m.serversUpdate(cfg),
		enable("disable ID", "Disable a server: it takes no new services and keeps those it has", &off),
		enable("enable ID", "Enable a server again", &on),
	}
}

func (m *Main) serversList(cfg *config) *cobra.Command {
	var (
		provider, datacenter string
		f                    provisioning.ServerFilter
	)
	cmd := listCommand(m, cfg, lifeSpec{use: "list", short: "List servers, oldest first",
		parse: func([]string) error {
			if err := flagID(&f.ProviderID, "provider", provider, "provider", false); err != nil {
				return err
			}
			return flagID(&f.DatacenterID, "datacenter", datacenter, "datacenter", false)
		}},
		func(ctx context.Context, p provisioningStack, pp billkit.PageParams) (billkit.Page[provisioning.Server], error) {
			f.PageParams = pp
			return p.mgr.ListServers(ctx, systemCLI(), f)
		},
		[]string{"ID", "NAME", "MODULE", "DATACENTER", "URL", "LOAD", "ENABLED"}, func(s provisioning.Server) []string {
			return []string{s.ID.String(), s.Name, s.Module, s.DatacenterID.String(), s.URL, showLoad(&s), yesNo(s.Enabled)}
		})
	cmd.Flags().StringVar(&provider, "provider", "", "only the servers of this provider (ID)")
	cmd.Flags().StringVar(&datacenter, "datacenter", "", "only the servers in this datacenter (ID)")
	cmd.Flags().StringVar(&f.Module, "module", "", "only the servers of this module")
	cmd.Flags().BoolVar(&f.EnabledOnly, "enabled-only", false, "leave out disabled servers")
	return cmd
}

// serverFlags are the flags servers create and update share.
type serverFlags struct {
	datacenter, credentialsFile string
	params                      []string
}

func (f *serverFlags) bind(cmd *cobra.Command, p *provisioning.ServerParams) {
	fs := cmd.Flags()
	fs.StringVar(&f.datacenter, "datacenter", "", "the datacenter it is in (ID)")
	fs.StringVar(&p.Module, "module", "", "the module that drives it (manual, or a module of --modules)")
	fs.StringVar(&p.Name, "name", "", "the name")
	fs.StringVar(&p.URL, "url", "", "where the module reaches it: an absolute URL")
	fs.StringArrayVar(&f.params, "param", nil, "a setting of the module for the server, not secret, key=value (repeat for each)")
	fs.StringVar(&f.credentialsFile, "credentials-file", "", "a file of the secrets the module signs in with: key=value lines, or a JSON object "+
		"(needs BILLKIT_SECRET_KEY; stored encrypted, never shown)")
	fs.IntVar(&p.Capacity, "capacity", 0, "the most services it holds (0: no limit)")
}

// parse reads the flags into p.
func (f *serverFlags) parse(p *provisioning.ServerParams) (err error) {
	if err := flagID(&p.DatacenterID, "datacenter", f.datacenter, "datacenter", false); err != nil {
		return err
	}
	if p.Params, err = parsePairs("param", f.params); err != nil {
		return err
	}
	if p.Capacity < 0 {
		return fmt.Errorf("--capacity: %d is negative", p.Capacity)
	}
	if f.credentialsFile != "" {
		p.Credentials, err = readCredentials(f.credentialsFile)
	}
	return err
}

func (m *Main) serversCreate(cfg *config) *cobra.Command {
	var flags serverFlags
	var p provisioning.ServerParams
	var disabled bool
	cmd := lifeCommand(m, cfg, lifeSpec{use: "create", short: "Create a server in a datacenter", writes: true,
		parse: func([]string) error {
			if flags.datacenter == "" {
				return fmt.Errorf("--datacenter: a datacenter ID is required")
			}
			return flags.parse(&p)
		}},
		func(ctx context.Context, s provisioningStack) (*provisioning.Server, error) {
			// The server is the datacenter's provider's.
			d, err := s.mgr.GetDatacenter(ctx, systemCLI(), p.DatacenterID)
			if err != nil {
				return nil, err
			}
			p.ProviderID = d.ProviderID
			if disabled {
				p.Enabled = new(false)
			}
			return s.mgr.CreateServer(ctx, systemCLI(), p)
		}, printServer)
	flags.bind(cmd, &p)
	cmd.Flags().BoolVar(&disabled, "disabled", false, "create it disabled: it takes no services until enabled")
	return cmd
}

func (m *Main) serversUpdate(cfg *config) *cobra.Command {
	var (
		flags serverFlags
		clear bool
		in    provisioning.ServerParams
		p     provisioning.UpdateServerParams
		cmd   *cobra.Command
	)
	cmd = idCommand(m, cfg, "server", lifeSpec{use: "update ID", short: "Change a server: the flags given", writes: true,
		long: "Change a server: the flags given, the others stay. --param replaces the params whole;\n" +
			"--credentials-file replaces the credentials whole, and --clear-credentials removes them.",
		parse: func([]string) error {
			if err := flags.parse(&in); err != nil {
				return err
			}
			if clear && flags.credentialsFile != "" {
				return fmt.Errorf("--credentials-file and --clear-credentials: give one of them, not both")
			}
			fs := cmd.Flags()
			p = provisioning.UpdateServerParams{Module: changed(fs.Changed("module"), in.Module), Name: changed(fs.Changed("name"), in.Name),
				URL: changed(fs.Changed("url"), in.URL), Capacity: changed(fs.Changed("capacity"), in.Capacity), Params: in.Params,
				Credentials: in.Credentials}
			if fs.Changed("datacenter") {
				p.DatacenterID = &in.DatacenterID
			}
			if clear {
				p.Credentials = map[string]string{}
			}
			return nil
		}},
		callWith((*provisioning.Manager).UpdateServer, &p), printServer)
	flags.bind(cmd, &in)
	cmd.Flags().BoolVar(&clear, "clear-credentials", false, "remove the server's credentials")
	return cmd
}

// readCredentials reads a --credentials-file: a JSON object of strings,
// or key=value lines (blank lines and lines starting with # are skipped).
// Its errors name the file and the line, never a value: the file holds
// secrets.
func readCredentials(name string) (map[string]string, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("--credentials-file: cannot read %s", name)
	}
	creds := map[string]string{}
	if trimmed := bytes.TrimSpace(data); bytes.HasPrefix(trimmed, []byte("{")) {
		if json.Unmarshal(trimmed, &creds) != nil {
			return nil, fmt.Errorf("--credentials-file: %s is not a JSON object of strings", name)
		}
	} else {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for line := 1; sc.Scan(); line++ {
			text := strings.TrimSpace(sc.Text())
			if text == "" || strings.HasPrefix(text, "#") {
				continue
			}
			k, v, ok := strings.Cut(text, "=")
			if k = strings.TrimSpace(k); !ok || k == "" {
				return nil, fmt.Errorf("--credentials-file: %s, line %d, is not key=value", name, line)
			}
			creds[k] = strings.TrimSpace(v)
		}
		if sc.Err() != nil {
			return nil, fmt.Errorf("--credentials-file: cannot read %s", name)
		}
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("--credentials-file: %s holds no credentials (to remove them: --clear-credentials)", name)
	}
	return creds, nil
}

// yesNo writes a flag of a table.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// showLoad writes a server's load and capacity ("3/10", "3/-").
func showLoad(s *provisioning.Server) string {
	c := "-"
	if s.Capacity > 0 {
		c = strconv.Itoa(s.Capacity)
	}
	return strconv.Itoa(s.Load) + "/" + c
}

// printDatacenter writes a datacenter for people.
func printDatacenter(w io.Writer, d *provisioning.Datacenter) error {
	return printFields(w, fmt.Sprintf("datacenter %s  %s", d.ID, d.Code), []field{
		{"name", d.Name},
		{"country", d.Country},
		{"enabled", yesNo(d.Enabled)},
		{"provider", d.ProviderID.String()},
		{"created", showTime(d.CreatedAt)},
		{"updated", showTime(d.UpdatedAt)},
	})
}

// printServer writes a server for people; it has no credentials to show.
func printServer(w io.Writer, s *provisioning.Server) error {
	return printFields(w, fmt.Sprintf("server %s  %s", s.ID, s.Name), []field{
		{"module", s.Module},
		{"url", s.URL},
		{"datacenter", s.DatacenterID.String()},
		{"provider", s.ProviderID.String()},
		{"load", showLoad(s)},
		{"enabled", yesNo(s.Enabled)},
		{"params", showPairs(s.Params)},
		{"created", showTime(s.CreatedAt)},
		{"updated", showTime(s.UpdatedAt)},
	})
}
