package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/spf13/cobra"
)

// The commands of the life of services (orders, services, tasks,
// datacenters, servers, timeline) are thin layers over
// provisioning.Manager, built alike: the arguments and flags are read and
// checked first, and a mistake in them is a usage error (exit status 2)
// before the database is opened; then the manager serve builds does the
// work as the command line's system actor (systemCLI), and the result is
// printed for people, or as JSON with --json. The library's errors keep
// their code, reason and fields (exit status 1), and a refused call
// changes nothing.

// lifeSpec describes one such command.
type lifeSpec struct {
	// use is the command's name and its arguments ("suspend ID"); the
	// command takes exactly the arguments it names.
	use, short, long string
	// writes opens the manager with its queue, so that the operations the
	// command starts are queued for serve's workers.
	writes bool
	// parse reads the arguments and the flags; its error is a usage error.
	parse func(args []string) error
}

// lifeCommand builds a command of spec s: parse, then run on the manager,
// then show the result (or print it as JSON).
func lifeCommand[T any](m *Main, cfg *config, s lifeSpec, run func(context.Context, provisioningStack) (T, error), show func(io.Writer, T) error) *cobra.Command {
	var asJSON bool
	names := strings.Fields(s.use)[1:]
	cmd := &cobra.Command{
		Use: s.use, Short: s.short, Long: s.long,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != len(names) {
				if len(names) == 0 {
					return noArgs(cmd, args)
				}
				return usageError(fmt.Errorf("%s takes %s, got %s", cmd.CommandPath(), strings.Join(names, " "), count(len(args), "argument")))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if s.parse != nil {
				if err := s.parse(args); err != nil {
					return usageError(err)
				}
			}
			return m.withProvisioning(cmd.Context(), cfg, managerOptions{queued: s.writes}, func(ctx context.Context, p provisioningStack) error {
				v, err := run(ctx, p)
				if err != nil {
					// "services suspend <id>: failed_precondition (...): ..."
					what := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
					return fmt.Errorf("%s: %w", strings.Join(append([]string{what}, args...), " "), err)
				}
				if asJSON {
					return writeJSON(m.Stdout, v)
				}
				return show(m.Stdout, v)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// idCommand is lifeCommand for a command whose first argument is the ID
// of an E (what names it in errors: "service"), which run receives.
func idCommand[E, T any](m *Main, cfg *config, what string, s lifeSpec, run func(context.Context, provisioningStack, billkit.ID[E]) (T, error), show func(io.Writer, T) error) *cobra.Command {
	var id billkit.ID[E]
	parse := s.parse
	s.parse = func(args []string) error {
		if err := parseID(&id, args[0], what); err != nil {
			return err
		}
		if parse != nil {
			return parse(args)
		}
		return nil
	}
	return lifeCommand(m, cfg, s, func(ctx context.Context, p provisioningStack) (T, error) { return run(ctx, p, id) }, show)
}

// call adapts a Manager method on one ID (GetService, PayOrder) to
// idCommand's run: it runs as the command line's actor.
func call[E, T any](method func(*provisioning.Manager, context.Context, billkit.Actor, billkit.ID[E]) (T, error)) func(context.Context, provisioningStack, billkit.ID[E]) (T, error) {
	return func(ctx context.Context, p provisioningStack, id billkit.ID[E]) (T, error) {
		return method(p.mgr, ctx, systemCLI(), id)
	}
}

// callWith is call for a method that also takes a value (a memo, the
// delete params): *v, as the command's flags or arguments set it.
func callWith[E, V, T any](method func(*provisioning.Manager, context.Context, billkit.Actor, billkit.ID[E], V) (T, error), v *V) func(context.Context, provisioningStack, billkit.ID[E]) (T, error) {
	return func(ctx context.Context, p provisioningStack, id billkit.ID[E]) (T, error) {
		return method(p.mgr, ctx, systemCLI(), id, *v)
	}
}

// editor returns how the commands that change one what (a service, a
// task) are made: idCommand, writing, printing what the change answers
// with show.
func editor[E, T any](m *Main, cfg *config, what string, show func(io.Writer, T) error) func(lifeSpec, func(context.Context, provisioningStack, billkit.ID[E]) (T, error)) *cobra.Command {
	return func(s lifeSpec, run func(context.Context, provisioningStack, billkit.ID[E]) (T, error)) *cobra.Command {
		s.writes = true
		return idCommand(m, cfg, what, s, run, show)
	}
}

// withMemo is a command made by edit that calls method with the ID and
// --memo.
func withMemo[E, T any](edit func(lifeSpec, func(context.Context, provisioningStack, billkit.ID[E]) (T, error)) *cobra.Command, s lifeSpec,
	method func(*provisioning.Manager, context.Context, billkit.Actor, billkit.ID[E], string) (T, error)) *cobra.Command {
	var memo string
	return memoFlag(edit(s, callWith(method, &memo)), &memo)
}

// memoFlag defines --memo.
func memoFlag(cmd *cobra.Command, memo *string) *cobra.Command {
	cmd.Flags().StringVar(memo, "memo", "", "a note for the service's history")
	return cmd
}

// group is a command that only holds others.
func group(use, short string, cmds ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs}
	cmd.AddCommand(cmds...)
	return cmd
}

// parseID reads into dst an ID of E; what names it in the error.
func parseID[E any](dst *billkit.ID[E], raw, what string) error {
	id, err := billkit.ParseID[E](strings.TrimSpace(raw))
	if err != nil || id.IsZero() {
		return fmt.Errorf("%q is not %s ID", raw, withArticle(what))
	}
	*dst = id
	return nil
}

// withArticle writes a noun with its indefinite article.
func withArticle(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// flagID reads into dst the ID a flag gives; "" leaves the zero ID (the
// flag is left out), unless required.
func flagID[E any](dst *billkit.ID[E], flag, raw, what string, required bool) error {
	if strings.TrimSpace(raw) == "" {
		if required {
			return fmt.Errorf("--%s: %s ID is required", flag, withArticle(what))
		}
		*dst = billkit.ID[E]{}
		return nil
	}
	if err := parseID(dst, raw, what); err != nil {
		return fmt.Errorf("--%s: %w", flag, err)
	}
	return nil
}

// flagEnum reads a flag whose values are a closed set; "" is none.
func flagEnum[T ~string](flag, raw string, valid []T) (T, error) {
	v := T(strings.TrimSpace(raw))
	if v == "" || slices.Contains(valid, v) {
		return v, nil
	}
	names := make([]string, len(valid))
	for i, x := range valid {
		names[i] = string(x)
	}
	return "", fmt.Errorf("--%s: %q is not one of %s", flag, raw, strings.Join(names, ", "))
}

// statusFlag defines --status on a list of things (what: "services"),
// whose values are valid, and returns the check that sets the filter's
// statuses, dst, to the one given (nil for none).
func statusFlag[T ~string](cmd *cobra.Command, what string, valid []T, dst *[]T) func() error {
	names := make([]string, len(valid))
	for i, v := range valid {
		names[i] = string(v)
	}
	raw := cmd.Flags().String("status", "", fmt.Sprintf("only %s with this status: %s", what, strings.Join(names, ", ")))
	return func() error {
		s, err := flagEnum("status", *raw, valid)
		if *dst = nil; s != "" {
			*dst = []T{s}
		}
		return err
	}
}

// parsePairs reads the key=value values of a repeated flag.
func parsePairs(flag string, vals []string) (map[string]string, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(vals))
	for _, kv := range vals {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("--%s: %q is not key=value", flag, kv)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("--%s: %s is given twice", flag, k)
		}
		out[k] = v
	}
	return out, nil
}

// parseAddons reads --addon code=value values, each as
// provisioning.ParseAddonValue reads an addon's value.
func parseAddons(vals []string) (map[string]catalog.AddonValue, error) {
	pairs, err := parsePairs("addon", vals)
	if err != nil || pairs == nil {
		return nil, err
	}
	out := make(map[string]catalog.AddonValue, len(pairs))
	for code, raw := range pairs {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			return nil, fmt.Errorf("--addon: %s has no value", code)
		}
		out[code] = provisioning.ParseAddonValue(raw)
	}
	return out, nil
}

// listCommand is lifeCommand for a list: it adds --limit and --cursor,
// and prints the page as a table of header with a row per item (as JSON,
// the page: items and next_cursor).
func listCommand[T any](m *Main, cfg *config, s lifeSpec, list func(context.Context, provisioningStack, billkit.PageParams) (billkit.Page[T], error),
	header []string, row func(T) []string) *cobra.Command {
	var page pageFlags
	var pp billkit.PageParams
	parse := s.parse
	s.parse = func(args []string) (err error) {
		if pp, err = page.params(); err != nil || parse == nil {
			return err
		}
		return parse(args)
	}
	cmd := lifeCommand(m, cfg, s, func(ctx context.Context, p provisioningStack) (billkit.Page[T], error) { return list(ctx, p, pp) }, showPage(header, row))
	page.bind(cmd)
	return cmd
}

// idListCommand is listCommand for the list of one object (a service's
// history), whose ID is the first argument.
func idListCommand[E, T any](m *Main, cfg *config, what string, s lifeSpec,
	list func(context.Context, provisioningStack, billkit.ID[E], billkit.PageParams) (billkit.Page[T], error),
	header []string, row func(T) []string) *cobra.Command {
	var id billkit.ID[E]
	s.parse = func(args []string) error { return parseID(&id, args[0], what) }
	return listCommand(m, cfg, s, func(ctx context.Context, p provisioningStack, pp billkit.PageParams) (billkit.Page[T], error) {
		return list(ctx, p, id, pp)
	}, header, row)
}

// inRange checks the value of an integer flag.
func inRange(flag string, v, lo, hi int) error {
	if v < lo || v > hi {
		return fmt.Errorf("--%s: %d is not between %d and %d", flag, v, lo, hi)
	}
	return nil
}

// pageFlags are --limit and --cursor of the list commands.
type pageFlags struct {
	limit  int
	cursor string
}

func (f *pageFlags) bind(cmd *cobra.Command) {
	cmd.Flags().IntVar(&f.limit, "limit", 100, fmt.Sprintf("the most items to list (1 to %d)", billkit.MaxPageLimit))
	cmd.Flags().StringVar(&f.cursor, "cursor", "", "continue a list where the previous one stopped (its next cursor)")
}

// params checks the flags.
func (f *pageFlags) params() (billkit.PageParams, error) {
	if err := inRange("limit", f.limit, 1, billkit.MaxPageLimit); err != nil {
		return billkit.PageParams{}, err
	}
	return billkit.PageParams{Limit: f.limit, Cursor: strings.TrimSpace(f.cursor)}, nil
}

// showPage returns the printer of a page: a table of header with a row
// per item, then how to read on.
func showPage[T any](header []string, row func(T) []string) func(io.Writer, billkit.Page[T]) error {
	return func(w io.Writer, p billkit.Page[T]) error {
		rows := make([][]string, len(p.Items))
		for i, it := range p.Items {
			rows[i] = row(it)
		}
		if err := printTable(w, header, rows); err != nil {
			return err
		}
		if p.NextCursor != "" {
			_, err := fmt.Fprintf(w, "more: --cursor %s\n", p.NextCursor)
			return err
		}
		return nil
	}
}

// printTable writes a table: the header, then the rows, aligned.
func printTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = dash(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// field is one line of a summary.
type field struct{ name, value string }

// printFields writes a summary: the title, then a line a field, aligned;
// fields without a value are left out.
func printFields(w io.Writer, title string, fields []field) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, title)
	for _, f := range fields {
		if f.value != "" {
			fmt.Fprintf(tw, "  %s\t%s\n", f.name, f.value)
		}
	}
	return tw.Flush()
}

// showTime writes an instant for people; "" for none.
func showTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// showDate writes a day; "" for none.
func showDate(d billkit.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// onOff writes a switch.
func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// yesIf writes "yes" when b holds, else nothing.
func yesIf(b bool) string {
	if b {
		return "yes"
	}
	return ""
}

// showPairs writes a map as "k=v, k=v", by key.
func showPairs(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ", ")
}

// showAddons writes addon values as "code=value, ...", by code.
func showAddons(m map[string]catalog.AddonValue) string {
	pairs := make(map[string]string, len(m))
	for k, v := range m {
		if v.Option != "" {
			pairs[k] = v.Option
		} else {
			pairs[k] = v.Quantity.String()
		}
	}
	return showPairs(pairs)
}

// tariffFlags are --tariff and --tariff-code, at most one of them.
type tariffFlags struct {
	rawID, code string
	id          catalog.TariffID
}

func (f *tariffFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.rawID, "tariff", "", "the tariff's ID")
	cmd.Flags().StringVar(&f.code, "tariff-code", "", "the tariff's code, among the client's provider's tariffs (instead of --tariff)")
}

// resolve returns the tariff the flags name: --tariff's, or the one of
// provider whose code --tariff-code gives. provider is read only for a
// code (a client's, a service's).
func (f *tariffFlags) resolve(ctx context.Context, p provisioningStack, provider func() (billkit.ProviderID, error)) (catalog.TariffID, error) {
	if f.code == "" {
		return f.id, nil
	}
	prov, err := provider()
	if err != nil {
		return catalog.TariffID{}, err
	}
	t, err := p.cat.GetTariffByCode(ctx, systemCLI(), prov, f.code)
	if err != nil {
		return catalog.TariffID{}, fmt.Errorf("tariff %q: %w", f.code, err)
	}
	return t.ID, nil
}

// parse checks the flags; with required, one of them must be given.
func (f *tariffFlags) parse(required bool) error {
	f.code = strings.TrimSpace(f.code)
	switch {
	case f.rawID != "" && f.code != "":
		return fmt.Errorf("--tariff and --tariff-code: give one of them, not both")
	case required && f.rawID == "" && f.code == "":
		return fmt.Errorf("--tariff or --tariff-code: a tariff is required")
	}
	return flagID(&f.id, "tariff", f.rawID, "tariff", false)
}

// given reports whether either flag was given.
func (f *tariffFlags) given() bool { return f.rawID != "" || f.code != "" }
