package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/spf13/cobra"
)

func (m *Main) servicesCommand(cfg *config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "services",
		Short: "Services: their life, and bringing those that already exist on a system under billing",
		Args:  cobra.NoArgs,
	}
	var dryRun, asJSON bool
	imp := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import the services of a CSV file, all or none (- reads stdin)",
		Long: "Import the services of a CSV file, all or none: each is created active (or suspended)\n" +
			"with its expiry, price and params, its server's slot claimed, and nothing charged.\n" +
			"The first line names the columns: client_id, tariff_id or tariff_code, period, name,\n" +
			"expires_on (required); status, suspend_reason, price (\"12.50 USD\"), auto_renew, domain,\n" +
			"os_image, server_id, datacenter_id; addon.<code> and param.<key>. Every problem is\n" +
			"listed, named rows[<line>].<column> by the line of the file.\n\n" +
			"--dry-run reads and checks the file alone, without the database, and writes nothing:\n" +
			"what only the database can tell (a client or tariff that does not exist, a full\n" +
			"server) is found by the import itself, which then imports nothing.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(fmt.Errorf("import takes one FILE.csv"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			var data []byte
			var err error
			if name == "-" {
				data, err = readAll(cmd)
			} else {
				data, err = os.ReadFile(name)
			}
			if err != nil {
				return fmt.Errorf("reading %s: %w", name, err)
			}
			if dryRun {
				rows, err := provisioning.ParseImportCSV(bytes.NewReader(data))
				if err != nil {
					return m.importProblems(name, err)
				}
				_, err = fmt.Fprintf(m.Stdout, "dry run, nothing stored: %s: %s to import, and no problem the file alone shows\n", name, count(len(rows), "service"))
				return err
			}
			return m.withManager(cmd.Context(), cfg, managerOptions{}, func(ctx context.Context, mgr *provisioning.Manager) error {
				svcs, err := mgr.ImportServicesCSV(ctx, systemCLI(), bytes.NewReader(data))
				if err != nil {
					return m.importProblems(name, err)
				}
				if asJSON {
					return writeJSON(m.Stdout, svcs)
				}
				return printImported(m.Stdout, name, svcs)
			})
		},
	}
	imp.Flags().BoolVar(&dryRun, "dry-run", false, "read and check the file only; write nothing")
	imp.Flags().BoolVar(&asJSON, "json", false, "print the services imported as JSON")
	cmd.AddCommand(imp)
	cmd.AddCommand(m.serviceLifeCommands(cfg)...)
	return cmd
}

func (m *Main) serversCommand(cfg *config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "servers",
		Short: "Servers: create, change and list them, and what their modules find on them",
		Args:  cobra.NoArgs,
	}
	listing := idCommand(m, cfg, "server", lifeSpec{use: "listing SERVER_ID",
		short: "Ask a server's module what exists on it, as services to import",
		long: "Ask a server's module what exists on it (the module must be able to list: the script\n" +
			"and webhook modules can) and print each service as a candidate for import: what billkit\n" +
			"filled in (the tariff whose code is the system's plan, the client whose email is the\n" +
			"hint), whether billkit has it already, and what is still missing. Nothing is written:\n" +
			"complete the rows and import them, as JSON (POST /api/v1/services/import; --json prints\n" +
			"them) or as a CSV file (`billkit services import`)."},
		call((*provisioning.Manager).ListServerServices), printCandidates)
	cmd.AddCommand(listing)
	cmd.AddCommand(m.serverCommands(cfg)...)
	return cmd
}

// importProblems prints, one a line on stderr, the problems of an import
// file an invalid error lists, and returns the error that ends the
// command; any other error is returned as it is.
func (m *Main) importProblems(name string, err error) error {
	var e *billkit.Error
	if !errors.As(err, &e) || e.Code != billkit.CodeInvalid || len(e.Fields) == 0 {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(m.Stderr, "%s: %s: %s\n", name, f.Field, f.Message)
	}
	return fmt.Errorf("%s: %s; nothing was imported", name, count(len(e.Fields), "problem"))
}

// printImported lists the services an import created.
func printImported(w io.Writer, name string, svcs []provisioning.Service) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "imported %s: %s\n", name, count(len(svcs), "service"))
	for _, s := range svcs {
		fmt.Fprintf(tw, "  %s\t%s\t%s\texpires %s\t%s\n", s.ID, s.Name, s.Status, s.ExpiresOn, showMoney(s.Price))
	}
	return tw.Flush()
}

// printCandidates writes a listing as a table, one candidate a line.
func printCandidates(w io.Writer, cands []provisioning.ImportCandidate) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REMOTE ID\tNAME\tPLAN\tSTATUS\tEXPIRES\tCLIENT\tTARIFF\tKNOWN\tMISSING")
	for _, c := range cands {
		known := "no"
		if c.Known {
			known = c.KnownServiceID.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", c.Listed.RemoteID, dash(c.Service.Name), dash(c.Listed.Plan),
			c.Service.Status, dash(c.Service.ExpiresOn.String()), dash(c.Service.ClientID.String()), dash(c.Service.TariffID.String()),
			known, dash(strings.Join(c.Missing, ",")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, c := range cands {
		for _, n := range c.Notes {
			if _, err := fmt.Fprintf(w, "%s: %s\n", c.Listed.RemoteID, n); err != nil {
				return err
			}
		}
	}
	_, err := fmt.Fprintf(w, "%s on the server\n", count(len(cands), "service"))
	return err
}

// count writes n things, "1 service" or "2 services".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// dash shows an empty cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeJSON writes v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
