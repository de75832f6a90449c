package main

import (
	"fmt"

	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/riverjobs"
	"github.com/spf13/cobra"
)

func (m *Main) migrateCommand(cfg *config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply or list database migrations",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "up",
		Short: "Apply the pending migrations",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := bunstore.Open(cmd.Context(), cfg.DSN, bunstore.Config{})
			if err != nil {
				return fmt.Errorf("opening the database: %w", err)
			}
			defer st.Close()
			applied, err := st.Migrate(cmd.Context())
			if err != nil {
				return fmt.Errorf("migrating: %w", err)
			}
			if err := riverjobs.Migrate(cmd.Context(), st); err != nil {
				return fmt.Errorf("migrating the job queue: %w", err)
			}
			w := cmd.OutOrStdout()
			if len(applied) == 0 {
				_, err = fmt.Fprintln(w, "no pending migrations")
				return err
			}
			for _, name := range applied {
				if _, err := fmt.Fprintf(w, "applied %s\n", name); err != nil {
					return err
				}
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "status",
		Short: "List every migration as applied or pending",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := bunstore.Open(cmd.Context(), cfg.DSN, bunstore.Config{})
			if err != nil {
				return fmt.Errorf("opening the database: %w", err)
			}
			defer st.Close()
			list, err := st.MigrationStatus(cmd.Context())
			if err != nil {
				return fmt.Errorf("reading migration status: %w", err)
			}
			w := cmd.OutOrStdout()
			for _, mg := range list {
				state := "pending"
				if mg.Applied {
					state = "applied"
				}
				if _, err := fmt.Fprintf(w, "%s\t%s\n", mg.Name, state); err != nil {
					return err
				}
			}
			return nil
		},
	})
	return cmd
}
