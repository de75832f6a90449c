package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/billkit/billkit"
	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := (&Main{Stdout: os.Stdout, Stderr: os.Stderr, Environ: os.Environ()}).Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main is the program, with everything it touches outside itself made a
// field, so tests run it in-process.
type Main struct {
	Stdout, Stderr io.Writer
	// Environ is the environment, as os.Environ returns it.
	Environ []string
	// OnListen, when set, is called with the bound address once serve
	// listens; tests start serve on port 0 and learn the port from it.
	OnListen func(net.Addr)
	// Clock, when set, replaces the system clock for billing, the catalog,
	// provisioning and the scheduler; tests fix the time with it.
	Clock billkit.Clock
}

// clock is Main.Clock, or the system clock.
func (m *Main) clock() billkit.Clock {
	if m.Clock != nil {
		return m.Clock
	}
	return billkit.SystemClock()
}

// exitError carries an exit status out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// usageError marks an error in how the program was called (exit status 2).
func usageError(err error) error { return &exitError{code: 2, err: err} }

// Run runs the command line args (without the program name) and returns the
// exit status: 0 on success, 1 on failure, 2 on a usage error. It returns
// when ctx is cancelled, after serve has shut down.
func (m *Main) Run(ctx context.Context, args []string) int {
	if m.Stdout == nil {
		m.Stdout = io.Discard
	}
	if m.Stderr == nil {
		m.Stderr = io.Discard
	}
	cfg, err := loadConfig(m.Environ)
	if err != nil {
		fmt.Fprintln(m.Stderr, "billkit:", err)
		return 2
	}
	root := m.rootCommand(&cfg)
	root.SetArgs(args)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(m.Stderr, "billkit:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		return 1
	}
	return 0
}

func (m *Main) rootCommand(cfg *config) *cobra.Command {
	root := &cobra.Command{
		Use:           "billkit",
		Short:         "Billing for hosting providers: the reference server and CLI",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := cfg.validate(); err != nil {
				return usageError(err)
			}
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	cfg.bindFlags(root.PersistentFlags())
	root.AddCommand(
		m.serveCommand(cfg),
		m.migrateCommand(cfg),
		m.versionCommand(),
		m.ratesCommand(cfg),
		m.adminCommand(cfg),
		m.catalogCommand(cfg),
		m.cycleCommand(cfg),
		m.servicesCommand(cfg),
		m.serversCommand(cfg),
		m.ordersCommand(cfg),
		m.tasksCommand(cfg),
		m.datacentersCommand(cfg),
		m.timelineCommand(cfg),
	)
	return root
}
