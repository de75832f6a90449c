package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/spf13/cobra"
)

// staffSuspendReasons are the reasons `services suspend` takes:
// non_payment is the billing cycle's.
var staffSuspendReasons = slices.DeleteFunc(provisioning.SuspendReasons(),
	func(r provisioning.SuspendReason) bool { return r == provisioning.SuspendNonPayment })

// serviceLifeCommands are the commands of `billkit services` beside import.
func (m *Main) serviceLifeCommands(cfg *config) []*cobra.Command {
	edit := editor[provisioning.Service](m, cfg, "service", printService)
	return []*cobra.Command{
		m.servicesList(cfg),
		idCommand(m, cfg, "service", lifeSpec{use: "show ID", short: "Show a service"}, call((*provisioning.Manager).GetService), printService),
		m.servicesHistory(cfg),
		m.servicesSuspend(edit),
		withMemo(edit, lifeSpec{use: "resume ID", short: "Start resuming a suspended service; the module does it"},
			(*provisioning.Manager).ResumeService),
		withMemo(edit, lifeSpec{use: "open ID", short: "Start opening an ordered service, placing it on a server first; nothing is charged"},
			(*provisioning.Manager).OpenService),
		m.servicesDelete(edit),
		edit(lifeSpec{use: "renew ID", short: "Pay the next period now, from the client's balance"}, call((*provisioning.Manager).RenewService)),
		m.servicesAutoRenew(edit),
		m.servicesSpecialPrice(edit),
		m.servicesMove(edit),
		edit(lifeSpec{use: "clone ID", short: "Create an ordered copy of a service for the same client; open it to start it"},
			call((*provisioning.Manager).CloneService)),
		m.servicesChange(cfg),
		idCommand(m, cfg, "service", lifeSpec{use: "sync ID", short: "Ask the module for the service's state and keep the params it returns", writes: true},
			call((*provisioning.Manager).SyncService), printSync),
	}
}

func (m *Main) servicesList(cfg *config) *cobra.Command {
	var (
		client, tariff, server, provider string
		f                                provisioning.ServiceFilter
		status                           func() error
	)
	cmd := listCommand(m, cfg, lifeSpec{use: "list", short: "List services, oldest first",
		parse: func([]string) error {
			for _, err := range []error{
				flagID(&f.ClientID, "client", client, "client", false),
				flagID(&f.TariffID, "tariff", tariff, "tariff", false),
				flagID(&f.ServerID, "server", server, "server", false),
				flagID(&f.ProviderID, "provider", provider, "provider", false),
			} {
				if err != nil {
					return err
				}
			}
			return status()
		}},
		func(ctx context.Context, p provisioningStack, pp billkit.PageParams) (billkit.Page[provisioning.Service], error) {
			f.PageParams = pp
			return p.mgr.ListServices(ctx, systemCLI(), f)
		},
		[]string{"ID", "NAME", "STATUS", "CLIENT", "EXPIRES", "PRICE", "AUTO-RENEW"}, func(s provisioning.Service) []string {
			return []string{s.ID.String(), s.Name, showStatus(&s), s.ClientID.String(), showDate(s.ExpiresOn), showMoney(s.Price), onOff(s.AutoRenew)}
		})
	cmd.Flags().StringVar(&client, "client", "", "only the services of this client (ID)")
	status = statusFlag(cmd, "services", provisioning.Statuses(), &f.Statuses)
	cmd.Flags().StringVar(&tariff, "tariff", "", "only the services of this tariff (ID)")
	cmd.Flags().StringVar(&server, "server", "", "only the services on this server (ID)")
	cmd.Flags().StringVar(&provider, "provider", "", "only the services of this provider (ID)")
	return cmd
}

func (m *Main) servicesHistory(cfg *config) *cobra.Command {
	return idListCommand(m, cfg, "service", lifeSpec{use: "history ID", short: "A service's history, oldest first: every change, who made it and when"},
		func(ctx context.Context, p provisioningStack, id provisioning.ServiceID, pp billkit.PageParams) (billkit.Page[provisioning.ServiceEvent], error) {
			return p.mgr.ListServiceEvents(ctx, systemCLI(), provisioning.ServiceEventFilter{ServiceID: id, PageParams: pp})
		},
		[]string{"AT", "BY", "KIND", "STATUS", "CHANGED", "MEMO"}, func(e provisioning.ServiceEvent) []string {
			status := ""
			if e.From != "" || e.To != "" {
				status = string(e.From) + " → " + string(e.To)
			}
			// A creation changes every field: they say nothing.
			var changed []string
			for _, c := range e.Changes {
				if e.Kind != "created" {
					changed = append(changed, c.Field)
				}
			}
			return []string{showTime(e.At), string(e.ActorKind) + ":" + e.ActorID, e.Kind, status, strings.Join(changed, ","), e.Memo}
		})
}

// serviceEdit is the edit builder of serviceLifeCommands.
type serviceEdit = func(lifeSpec, func(context.Context, provisioningStack, provisioning.ServiceID) (*provisioning.Service, error)) *cobra.Command

func (m *Main) servicesSuspend(edit serviceEdit) *cobra.Command {
	var reason provisioning.SuspendReason
	var raw, memo string
	cmd := edit(lifeSpec{use: "suspend ID", short: "Start suspending an active service; the module does it",
		parse: func([]string) (err error) {
			if reason, err = flagEnum("reason", raw, staffSuspendReasons); err == nil && reason == "" {
				err = fmt.Errorf("--reason: a reason is required: staff, abuse, client or temporary")
			}
			return err
		}},
		func(ctx context.Context, p provisioningStack, id provisioning.ServiceID) (*provisioning.Service, error) {
			return p.mgr.SuspendService(ctx, systemCLI(), id, reason, memo)
		})
	cmd.Flags().StringVar(&raw, "reason", "", "why: staff, abuse, client or temporary (required; non_payment is the billing cycle's)")
	return memoFlag(cmd, &memo)
}

func (m *Main) servicesDelete(edit serviceEdit) *cobra.Command {
	var p provisioning.DeleteParams
	cmd := edit(lifeSpec{use: "delete ID", short: "Delete a service: now (through its module), or when its paid period ends"},
		callWith((*provisioning.Manager).DeleteService, &p))
	cmd.Flags().BoolVar(&p.AtPeriodEnd, "at-period-end", false, "delete it when its paid period ends (the billing cycle does it) instead of now")
	return memoFlag(cmd, &p.Memo)
}

func (m *Main) servicesMove(edit serviceEdit) *cobra.Command {
	var to billkit.ClientID
	var raw string
	cmd := edit(lifeSpec{use: "move ID", short: "Give a service to another client of the same provider and currency",
		parse: func([]string) error { return flagID(&to, "to", raw, "client", true) }},
		callWith((*provisioning.Manager).MoveService, &to))
	cmd.Flags().StringVar(&raw, "to", "", "the client who gets the service (ID; required)")
	return cmd
}

func (m *Main) servicesAutoRenew(edit serviceEdit) *cobra.Command {
	var on bool
	return edit(lifeSpec{use: "auto-renew ID on|off", short: "Turn renewing from the balance on or off",
		parse: func(args []string) error {
			switch strings.ToLower(args[1]) {
			case "on", "off":
				on = strings.EqualFold(args[1], "on")
				return nil
			}
			return fmt.Errorf("on|off: %q is not on or off", args[1])
		}},
		callWith((*provisioning.Manager).SetAutoRenew, &on))
}

func (m *Main) servicesSpecialPrice(edit serviceEdit) *cobra.Command {
	var price billkit.Money
	return edit(lifeSpec{use: "special-price ID AMOUNT CURRENCY",
		short: "Set what one period costs, in the client's currency; recalculations and price changes leave it alone",
		parse: func(args []string) (err error) {
			price, err = parseAmount(args[1], args[2])
			return err
		}},
		callWith((*provisioning.Manager).SetSpecialPrice, &price))
}

// parseAmount reads the AMOUNT and CURRENCY arguments: an amount of zero
// or more in plain digits ("12.50"), and a currency code.
func parseAmount(amount, currency string) (billkit.Money, error) {
	currency = strings.ToUpper(strings.TrimSpace(currency))
	if !billkit.ValidCurrencyCode(currency) {
		return billkit.Money{}, fmt.Errorf("CURRENCY: %q is not a currency code such as USD", currency)
	}
	price, err := billkit.ParseMoney(strings.TrimSpace(amount), currency)
	if err != nil {
		return billkit.Money{}, fmt.Errorf("AMOUNT: %q is not an amount such as 12.50", amount)
	}
	if price.IsNegative() {
		return billkit.Money{}, fmt.Errorf("AMOUNT: %s is negative; a price is zero or more", amount)
	}
	return price, nil
}

func (m *Main) servicesChange(cfg *config) *cobra.Command {
	var (
		tariff tariffFlags
		period string
		addons []string
		quote  bool
		p      provisioning.ChangeParams
	)
	cmd := idCommand(m, cfg, "service", lifeSpec{use: "change ID", writes: true,
		short: "Change a service's tariff, period or addons (--quote prices the change and makes none)",
		long: "Change a service's tariff, period or addons, as its product type's change policy says: now\n" +
			"(the unused paid days are credited at the old price and charged at the new one, the net\n" +
			"taken from or given to the balance, and the module applies it) or at the next renewal (kept\n" +
			"as a pending change; nothing is charged now). Flags left out keep what the service has;\n" +
			"--addon lists only the addons that change. --quote shows what the change costs, computed\n" +
			"by the same code, and writes nothing.",
		parse: func([]string) (err error) {
			if err := tariff.parse(false); err != nil {
				return err
			}
			if p.Period, err = flagEnum("period", period, catalog.Periods()); err != nil {
				return err
			}
			if p.Addons, err = parseAddons(addons); err != nil {
				return err
			}
			if !tariff.given() && p.Period == "" && p.Addons == nil {
				return fmt.Errorf("--tariff, --tariff-code, --period or --addon: say what changes")
			}
			return nil
		}},
		func(ctx context.Context, s provisioningStack, id provisioning.ServiceID) (any, error) {
			var err error
			p.TariffID, err = tariff.resolve(ctx, s, func() (billkit.ProviderID, error) {
				svc, err := s.mgr.GetService(ctx, systemCLI(), id)
				if err != nil {
					return billkit.ProviderID{}, err
				}
				return svc.ProviderID, nil
			})
			if err != nil {
				return nil, err
			}
			if quote {
				return s.mgr.QuoteChange(ctx, systemCLI(), id, p)
			}
			return s.mgr.ChangeService(ctx, systemCLI(), id, p)
		},
		func(w io.Writer, v any) error {
			if q, ok := v.(*provisioning.ChangeQuote); ok {
				return printQuote(w, q)
			}
			return printService(w, v.(*provisioning.Service))
		})
	tariff.bind(cmd)
	cmd.Flags().StringVar(&period, "period", "", "the new period: hour, day, month, 3months, 6months, year, 2years or 3years")
	cmd.Flags().StringArrayVar(&addons, "addon", nil, "an addon's new value, code=value (repeat for each)")
	cmd.Flags().StringVar(&p.Memo, "memo", "", "a note for the service's history")
	cmd.Flags().BoolVar(&quote, "quote", false, "price the change and make none")
	return cmd
}

// showStatus writes a service's status with what qualifies it: the
// operation under way, the suspend reason.
func showStatus(s *provisioning.Service) string {
	switch {
	case s.Status == provisioning.StatusProcessing && s.Operation != "":
		return fmt.Sprintf("%s (%s)", s.Status, s.Operation)
	case s.Status == provisioning.StatusSuspended && s.SuspendReason != "":
		return fmt.Sprintf("%s (%s)", s.Status, s.SuspendReason)
	}
	return string(s.Status)
}

// printService writes a service for people.
func printService(w io.Writer, s *provisioning.Service) error {
	price := showMoney(s.Price)
	if s.Special {
		price += " (special)"
	}
	fields := []field{
		{"status", showStatus(s)},
		{"task", s.TaskID.String()},
		{"client", s.ClientID.String()},
		{"provider", s.ProviderID.String()},
		{"tariff", s.TariffID.String()},
		{"period", string(s.Period)},
		{"price", price},
		{"expires", showDate(s.ExpiresOn)},
		{"auto-renew", onOff(s.AutoRenew)},
		{"addons", showAddons(s.Addons)},
		{"domain", s.Domain},
		{"os image", s.OSImage},
		{"datacenter", s.DatacenterID.String()},
		{"server", s.ServerID.String()},
		{"params", showPairs(s.Params)},
		{"suspended on", showDate(s.SuspendedOn)},
		{"delete at period end", yesIf(s.DeleteAtPeriodEnd)},
	}
	if pc := s.PendingChange; pc != nil {
		fields = append(fields, field{"pending change", fmt.Sprintf("tariff %s, %s, %s, from %s", pc.Tariff, pc.Period, showMoney(pc.Price), pc.EffectiveOn)})
	}
	fields = append(fields, field{"order", s.OrderID.String()}, field{"created", showTime(s.CreatedAt)}, field{"updated", showTime(s.UpdatedAt)})
	return printFields(w, fmt.Sprintf("service %s  %s", s.ID, s.Name), fields)
}

// printQuote writes what a change would cost.
func printQuote(w io.Writer, q *provisioning.ChangeQuote) error {
	return printFields(w, fmt.Sprintf("change of service %s, quoted: nothing was changed", q.ServiceID), []field{
		{"policy", string(q.Policy)},
		{"tariff", q.TariffID.String()},
		{"period", string(q.Period)},
		{"addons", showAddons(q.Addons)},
		{"old price", showMoney(q.OldPrice)},
		{"new price", showMoney(q.NewPrice)},
		{"credit", showMoney(q.Credit)},
		{"charge", showMoney(q.Charge)},
		{"net", showMoney(q.Net)},
		{"effective on", showDate(q.EffectiveOn)},
		{"expires", showDate(q.ExpiresOn)},
		{"special price dropped", yesIf(q.SpecialPriceDropped)},
	})
}

// printSync writes what a service's module reported.
func printSync(w io.Writer, r *provisioning.SyncResult) error {
	if err := printService(w, r.Service); err != nil {
		return err
	}
	return printFields(w, "the system reports", []field{{"status", dash(string(r.Reported))}, {"message", r.Message}})
}
