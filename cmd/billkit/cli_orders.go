package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
	"github.com/billkit/billkit/provisioning"
	"github.com/spf13/cobra"
)

// orderStatuses are the statuses --status takes.
var orderStatuses = provisioning.OrderStatuses()

func (m *Main) ordersCommand(cfg *config) *cobra.Command {
	type op = func(*provisioning.Manager, context.Context, billkit.Actor, provisioning.OrderID) (*provisioning.Order, error)
	order := func(s lifeSpec, method op) *cobra.Command {
		return idCommand(m, cfg, "order", s, call(method), printOrder)
	}
	return group("orders", "Orders: list, show, create, pay and cancel them",
		m.ordersList(cfg), m.ordersCreate(cfg),
		order(lifeSpec{use: "show ID", short: "Show an order"}, (*provisioning.Manager).GetOrder),
		order(lifeSpec{use: "pay ID", short: "Pay a new order from the client's balance", writes: true,
			long: "Pay a new order (one paid by invoice or gateway, once the client's payment has reached the\n" +
				"balance) from the client's balance, within its credit limit: its services are created and\n" +
				"their opening queued. When the balance does not cover it nothing is written."},
			(*provisioning.Manager).PayOrder),
		order(lifeSpec{use: "cancel ID", short: "Cancel a new order: nothing was charged nor created for it", writes: true},
			(*provisioning.Manager).CancelOrder),
	)
}

func (m *Main) ordersList(cfg *config) *cobra.Command {
	var (
		client string
		f      provisioning.OrderFilter
		status func() error
	)
	cmd := listCommand(m, cfg, lifeSpec{use: "list", short: "List orders, oldest first",
		parse: func([]string) error {
			if err := flagID(&f.ClientID, "client", client, "client", false); err != nil {
				return err
			}
			return status()
		}},
		func(ctx context.Context, p provisioningStack, pp billkit.PageParams) (billkit.Page[provisioning.Order], error) {
			f.PageParams = pp
			return p.mgr.ListOrders(ctx, systemCLI(), f)
		},
		[]string{"ID", "CLIENT", "STATUS", "PAY BY", "TOTAL", "CREATED", "CANCEL AT"}, func(o provisioning.Order) []string {
			return []string{o.ID.String(), o.ClientID.String(), string(o.Status), string(o.PayBy), showMoney(o.Total), showTime(o.CreatedAt), showTime(o.CancelAt)}
		})
	cmd.Flags().StringVar(&client, "client", "", "only the orders of this client (ID)")
	status = statusFlag(cmd, "orders", orderStatuses, &f.Statuses)
	return cmd
}

func (m *Main) ordersCreate(cfg *config) *cobra.Command {
	var (
		client, period, payBy, datacenter, method string
		tariff                                    tariffFlags
		addons, agreements                        []string
		item                                      provisioning.OrderItemParams
		p                                         provisioning.CreateOrderParams
	)
	cmd := lifeCommand(m, cfg, lifeSpec{use: "create", short: "Order a service for a client: one item, paid from the balance by default", writes: true,
		long: "Order Quantity services of one tariff for a client. With --pay-by balance (the default) the\n" +
			"order is paid at once from the client's balance, within its credit limit: the services are\n" +
			"created, placed, charged and their opening queued, in one transaction; when the balance does\n" +
			"not cover it nothing is written. With invoice or gateway the order waits as new until the\n" +
			"client's payment reaches the balance (then `billkit orders pay`, or the billing cycle, pays it),\n" +
			"and is cancelled when unpaid in time (--order-ttl). With gateway and --method, the order's\n" +
			"payment is created with it; the client pays it at the gateway.",
		parse: func([]string) (err error) {
			if err := flagID(&p.ClientID, "client", client, "client", true); err != nil {
				return err
			}
			if err := tariff.parse(true); err != nil {
				return err
			}
			if strings.TrimSpace(period) == "" {
				return fmt.Errorf("--period: a period is required")
			}
			if item.Period, err = flagEnum("period", period, catalog.Periods()); err != nil {
				return err
			}
			if err := inRange("quantity", item.Quantity, 1, provisioning.MaxOrderServices); err != nil {
				return err
			}
			if item.Addons, err = parseAddons(addons); err != nil {
				return err
			}
			// A datacenter by ID, or by the code the storefront shows.
			if err := flagID(&item.DatacenterID, "datacenter", datacenter, "datacenter", false); err != nil {
				d := strings.TrimSpace(datacenter)
				if !catalog.ValidCode(d) {
					return fmt.Errorf("--datacenter: %q is neither a datacenter's ID nor its code", d)
				}
				item.Datacenter = d
			}
			if err := flagID(&p.MethodID, "method", method, "payment method", false); err != nil {
				return err
			}
			item.Agreements = agreements
			p.PayBy, err = flagEnum("pay-by", payBy, provisioning.PayBys())
			return err
		}},
		func(ctx context.Context, s provisioningStack) (*provisioning.Order, error) {
			var err error
			item.TariffID, err = tariff.resolve(ctx, s, func() (billkit.ProviderID, error) {
				c, err := s.bill.GetClient(ctx, systemCLI(), p.ClientID)
				if err != nil {
					return billkit.ProviderID{}, err
				}
				return c.ProviderID, nil
			})
			if err != nil {
				return nil, err
			}
			p.Items = []provisioning.OrderItemParams{item}
			return s.mgr.CreateOrder(ctx, systemCLI(), p)
		}, printOrder)
	f := cmd.Flags()
	f.StringVar(&client, "client", "", "the client who orders (ID; required)")
	tariff.bind(cmd)
	f.StringVar(&period, "period", "", "the period: hour, day, month, 3months, 6months, year, 2years or 3years (required)")
	f.IntVar(&item.Quantity, "quantity", 1, fmt.Sprintf("how many services (1 to %d)", provisioning.MaxOrderServices))
	f.StringArrayVar(&addons, "addon", nil, "an addon's value, code=value: a quantity, or an enum addon's option (repeat for each)")
	f.StringVar(&item.Domain, "domain", "", "the domain name, where the product type needs one")
	f.StringVar(&item.OSImage, "os-image", "", "the code of an OS image the tariff offers")
	f.StringVar(&datacenter, "datacenter", "", "the datacenter to place the services in (its ID or code; default: the placement chooses)")
	f.StringVar(&method, "method", "", "with --pay-by gateway, the payment method (ID) the client pays with")
	f.StringArrayVar(&agreements, "agree", nil, "the code of an agreement the client accepted (repeat for each)")
	f.StringVar(&item.PromoCode, "promo", "", "a promo code")
	f.StringVar(&payBy, "pay-by", "balance", "balance, invoice or gateway")
	return cmd
}

// printOrder writes an order for people.
func printOrder(w io.Writer, o *provisioning.Order) error {
	fields := []field{
		{"client", o.ClientID.String()},
		{"pay by", string(o.PayBy)},
		{"total", showMoney(o.Total)},
		{"invoice", o.InvoiceID.String()},
		{"payment", o.PaymentID.String()},
		{"cancel at", showTime(o.CancelAt)},
		{"paid at", showTime(o.PaidAt)},
		{"created", showTime(o.CreatedAt)},
	}
	for i, it := range o.Items {
		line := fmt.Sprintf("tariff %s, %s, quantity %d, price %s, then %s a period each", it.TariffID, it.Period, it.Quantity,
			showMoney(it.Price), showMoney(it.Recurring))
		if len(it.Addons) > 0 {
			line += ", " + showAddons(it.Addons)
		}
		if it.Domain != "" {
			line += ", " + it.Domain
		}
		fields = append(fields, field{fmt.Sprintf("item %d", i+1), line})
		for _, id := range it.ServiceIDs {
			fields = append(fields, field{"  service", id.String()})
		}
	}
	return printFields(w, fmt.Sprintf("order %s  %s", o.ID, o.Status), fields)
}
