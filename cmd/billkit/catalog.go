package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/spf13/cobra"
)

func (m *Main) catalogCommand(cfg *config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Export and import the catalog as a YAML or JSON file (the catalog as code)",
		Args:  cobra.NoArgs,
	}

	var format, provider, output string
	export := &cobra.Command{
		Use:   "export",
		Short: "Write a provider's whole catalog as one document, sorted by code, to stdout or a file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := catalog.FormatOf(output, catalog.FormatYAML)
			if cmd.Flags().Changed("format") {
				var err error
				if f, err = catalog.ParseFormat(format); err != nil {
					return usageError(fmt.Errorf("--format: %q is not yaml or json", format))
				}
			}
			return m.withCatalog(cmd.Context(), cfg, func(ctx context.Context, st *bunstore.Store, cat *catalog.Service) error {
				p, err := cliProvider(ctx, st, provider)
				if err != nil {
					return err
				}
				doc, err := cat.ExportCatalog(ctx, systemCLI(), p)
				if err != nil {
					return fmt.Errorf("exporting the catalog: %w", err)
				}
				var b bytes.Buffer
				if err := catalog.ExportCatalog(&b, doc, f); err != nil {
					return err
				}
				if output == "" || output == "-" {
					_, err = m.Stdout.Write(b.Bytes())
					return err
				}
				if err := os.WriteFile(output, b.Bytes(), 0o644); err != nil {
					return fmt.Errorf("writing %s: %w", output, err)
				}
				fmt.Fprintf(m.Stderr, "wrote %s\n", output)
				return nil
			})
		},
	}
	export.Flags().StringVar(&format, "format", "yaml", "yaml or json (default: by the extension of -o, else yaml)")
	export.Flags().StringVar(&provider, "provider", "", "the provider's ID (default: the only provider)")
	export.Flags().StringVarP(&output, "output", "o", "", "the file to write (default: stdout)")

	var dryRun bool
	var importFormat, importProvider string
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Check a catalog document whole and apply it in one transaction (- reads stdin)",
		Long: "Check a catalog document whole and apply it in one transaction: every entity it lists\n" +
			"is created or updated by its code, nothing is deleted. A document with one bad row is\n" +
			"refused whole, naming the row. Importing the same file twice changes nothing.",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(fmt.Errorf("import takes one FILE"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			f := catalog.FormatOf(name, catalog.FormatYAML)
			if cmd.Flags().Changed("format") {
				var err error
				if f, err = catalog.ParseFormat(importFormat); err != nil {
					return usageError(fmt.Errorf("--format: %q is not yaml or json", importFormat))
				}
			}
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
			doc, err := catalog.ParseCatalog(bytes.NewReader(data), f)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return m.withCatalog(cmd.Context(), cfg, func(ctx context.Context, st *bunstore.Store, cat *catalog.Service) error {
				if importProvider != "" || doc.ProviderID.IsZero() {
					if doc.ProviderID, err = cliProvider(ctx, st, importProvider); err != nil {
						return err
					}
				}
				res, err := cat.ImportCatalog(ctx, systemCLI(), doc, catalog.ImportOptions{DryRun: dryRun})
				if err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				verb := "imported"
				if dryRun {
					verb = "dry run, nothing stored: would import"
				}
				for _, c := range res.Changes {
					fmt.Fprintln(m.Stdout, c)
				}
				_, err = fmt.Fprintf(m.Stdout, "%s %s: %d changes (%d created, %d updated, %d unchanged)\n",
					verb, name, res.Changed(), res.Created, res.Updated, res.Unchanged)
				return err
			})
		},
	}
	imp.Flags().BoolVar(&dryRun, "dry-run", false, "check and apply in a transaction that is rolled back; report what would change")
	imp.Flags().StringVar(&importFormat, "format", "yaml", "yaml or json (default: by the file's extension, else yaml)")
	imp.Flags().StringVar(&importProvider, "provider", "", "the provider's ID (default: the document's provider_id, else the only provider)")

	cmd.AddCommand(export, imp)
	return cmd
}

func readAll(cmd *cobra.Command) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(cmd.InOrStdin())
	return b.Bytes(), err
}

// withCatalog opens the store with its reference data and runs fn with the
// catalog service.
func (m *Main) withCatalog(ctx context.Context, cfg *config, fn func(context.Context, *bunstore.Store, *catalog.Service) error) (err error) {
	log := cfg.logger(m.Stderr)
	st, dir, err := openDirectory(ctx, cfg, log, "cli")
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the database: %w", cerr)
		}
	}()
	return fn(ctx, st, catalog.NewService(st.Catalog(), dir, catalog.Config{}))
}

// cliProvider parses --provider; "" names the only provider when there is
// exactly one.
func cliProvider(ctx context.Context, st *bunstore.Store, raw string) (billkit.ProviderID, error) {
	var id billkit.ProviderID
	if raw != "" {
		if err := flagID(&id, "provider", raw, "provider", false); err != nil {
			return id, usageError(err)
		}
		return id, nil
	}
	ps, err := st.Billing().ListProviders(ctx, billing.ProviderFilter{PageParams: billkit.PageParams{Limit: 2}})
	if err != nil {
		return id, fmt.Errorf("listing providers: %w", err)
	}
	switch len(ps.Items) {
	case 1:
		return ps.Items[0].ID, nil
	case 0:
		return id, fmt.Errorf("there is no provider yet: create one first (POST /api/v1/providers)")
	}
	return id, usageError(fmt.Errorf("there are several providers: name one with --provider"))
}
