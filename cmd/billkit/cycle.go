package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/spf13/cobra"
)

func (m *Main) cycleCommand(cfg *config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cycle",
		Short: "The billing cycle: renewals, suspensions, resumptions, deletions and reminders",
		Args:  cobra.NoArgs,
	}
	var opts cycleRunOptions
	run := &cobra.Command{
		Use:   "run",
		Short: "Run the billing cycle once now, as serve does every hour, and print what it did",
		Long: "Run the billing cycle once now, as serve does every hour, and print what it did: the\n" +
			"services renewed, suspended, resumed and deleted, the reminders recorded, and the\n" +
			"services it could not handle, with why. Operations on real systems (a suspension, a\n" +
			"deletion) are queued as tasks, which serve runs. Running it twice, or beside serve,\n" +
			"charges nothing twice.\n\n" +
			"The exit status is 1 when the run itself fails (the database, the configuration);\n" +
			"services it could not handle do not stop the others, are listed under failures, and\n" +
			"leave the exit status 0.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.batch < 0 {
				return usageError(fmt.Errorf("--batch: %d is negative", opts.batch))
			}
			if opts.workers < 0 || opts.workers > 64 {
				return usageError(fmt.Errorf("--workers: %d is not between 0 and 64", opts.workers))
			}
			return m.cycleRun(cmd, cfg, opts)
		},
	}
	run.Flags().BoolVar(&opts.dryRun, "dry-run", false, "write nothing; print what the run would do")
	run.Flags().IntVar(&opts.batch, "batch", 0, "services handled per transaction (0: the default, 500)")
	run.Flags().IntVar(&opts.workers, "workers", 0, "batches run at once (0: the default, 2 on PostgreSQL, 1 on SQLite)")
	run.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON")
	cmd.AddCommand(run)
	return cmd
}

// noArgs refuses arguments as a usage error (exit status 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError(fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args[0]))
	}
	return nil
}

// cycleRunOptions are the flags of `billkit cycle run`.
type cycleRunOptions struct {
	dryRun  bool
	batch   int
	workers int
	json    bool
}

// cycleRun opens the store, builds the manager as serve does, runs the
// cycle once and prints its report. The operations the run starts are
// queued on River for the server's workers; this command runs none itself.
func (m *Main) cycleRun(cmd *cobra.Command, cfg *config, opts cycleRunOptions) error {
	o := managerOptions{cycleBatch: opts.batch, cycleWorkers: opts.workers, queued: true}
	return m.withManager(cmd.Context(), cfg, o, func(ctx context.Context, mgr *provisioning.Manager) error {
		rep, err := mgr.RunCycle(ctx, systemCLI(), provisioning.CycleOptions{DryRun: opts.dryRun})
		if err != nil {
			// The batches done before the run stopped are committed: show them.
			if !opts.dryRun && rep.Services > 0 {
				_ = printCycleReport(m.Stdout, rep)
			}
			return fmt.Errorf("running the billing cycle: %w", err)
		}
		if opts.json {
			return writeJSON(m.Stdout, rep)
		}
		return printCycleReport(m.Stdout, rep)
	})
}

// printCycleReport writes a run's report for people: the counts, then
// what a dry run would do, then the failures, one a line.
func printCycleReport(w io.Writer, rep provisioning.CycleReport) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if rep.DryRun {
		fmt.Fprintf(tw, "billing cycle, dry run at %s: nothing was written\n", rep.Now.Format(time.RFC3339))
	} else {
		fmt.Fprintf(tw, "billing cycle at %s\n", rep.Now.Format(time.RFC3339))
	}
	for _, row := range []struct {
		name string
		n    int
	}{
		{"services looked at", rep.Services},
		{"renewed", rep.Renewals},
		{"suspended", rep.Suspensions},
		{"resumed", rep.Resumptions},
		{"deleted", rep.Deletions},
		{"notices", rep.Notices},
		{"invoices", rep.Invoices},
		{"unpaid", rep.Unpaid},
		{"skipped", rep.Skipped},
		{"orders paid", rep.OrdersPaid},
		{"orders cancelled", rep.OrdersCancelled},
		{"failures", len(rep.Failures)},
	} {
		fmt.Fprintf(tw, "  %s\t%d\n", row.name, row.n)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(rep.Actions) > 0 {
		fmt.Fprintln(tw, "would do:")
		for _, a := range rep.Actions {
			fmt.Fprintf(tw, "  %s\t%s\t%q", a.Step.Kind, a.ServiceID, a.ServiceName)
			if a.Period != nil {
				fmt.Fprintf(tw, "\t%s to %s", a.Period.Start, a.Period.End)
			}
			if a.Amount != nil {
				fmt.Fprintf(tw, "\t%s", showMoney(*a.Amount))
			}
			if a.Unpaid {
				fmt.Fprint(tw, "\tunpaid: the balance does not cover it")
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, f := range rep.Failures {
		what := "service " + f.ServiceID.String()
		if f.ServiceID.IsZero() {
			what = "order " + f.OrderID.String()
		}
		if _, err := fmt.Fprintf(w, "failed: %s: %s (%s): %s\n", what, f.Code, f.Reason, f.Message); err != nil {
			return err
		}
	}
	return nil
}

// showMoney writes an amount with at least its currency's decimals
// ("10.00 USD"), for people: a price may be stored as "10".
func showMoney(m billkit.Money) string {
	digits, ok := billkit.CurrencyDigits(m.Currency())
	if !ok || m.Amount().Exponent() <= -int32(digits) {
		return m.String()
	}
	return m.Amount().StringFixed(int32(digits)) + " " + m.Currency()
}
