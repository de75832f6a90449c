package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (m *Main) ratesCommand(cfg *config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rates",
		Short: "Manage exchange rates",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "refresh",
		Short: "Fetch the latest rates from the feed (--rates-url) and store those of enabled currencies",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := cfg.logger(m.Stderr)
			st, svc, err := openDirectory(ctx, cfg, log, "cli")
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := svc.RefreshRates(ctx, systemCLI(), rateSource(cfg))
			if err != nil {
				return fmt.Errorf("refreshing rates: %w", err)
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "stored %d rates\n", n)
			return err
		},
	})
	return cmd
}
