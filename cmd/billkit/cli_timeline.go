package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/provisioning"
	"github.com/spf13/cobra"
)

func (m *Main) timelineCommand(cfg *config) *cobra.Command {
	var days int
	cmd := idCommand(m, cfg, "client", lifeSpec{use: "timeline CLIENT_ID",
		short: "What the billing cycle will do to a client's services and balance, day by day",
		long: "What the billing cycle will do to a client's services and balance in the days ahead, if\n" +
			"nothing else happens (no payment, no order, no change): reminders, renewals (and those the\n" +
			"balance will not cover), suspensions, resumptions and deletions, with the balance at the end\n" +
			"of each day that has any. Nothing is written.",
		parse: func([]string) error { return inRange("days", days, 1, provisioning.MaxTimelineDays) }},
		callWith((*provisioning.Manager).Timeline, &days), printTimeline)
	cmd.Flags().IntVar(&days, "days", 30, fmt.Sprintf("how many days ahead, today first (1 to %d)", provisioning.MaxTimelineDays))
	return cmd
}

// printTimeline writes a timeline: a line an event, on the days that have
// any, with the balance at the end of the day.
func printTimeline(w io.Writer, t *provisioning.Timeline) error {
	if _, err := fmt.Fprintf(w, "timeline of client %s from %s: balance %s, credit limit %s\n",
		t.ClientID, t.From, showMoney(t.Balance), showMoney(t.CreditLimit)); err != nil {
		return err
	}
	var rows [][]string
	for _, d := range t.Days {
		for _, e := range d.Events {
			rows = append(rows, []string{d.Date.String(), describeStep(e), e.ServiceID.String(), e.ServiceName, showOptMoney(e.Amount), showMoney(d.Balance)})
		}
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintf(w, "nothing happens in the next %s\n", count(len(t.Days), "day"))
		return err
	}
	return printTable(w, []string{"DATE", "EVENT", "SERVICE", "NAME", "AMOUNT", "BALANCE"}, rows)
}

// describeStep writes what the cycle does in a step ("notice, 5 days
// before", "renew, unpaid").
func describeStep(a provisioning.CycleAction) string {
	parts := []string{string(a.Step.Kind)}
	switch {
	case a.Step.Kind != provisioning.StepNotice && a.Step.Kind != provisioning.StepInvoice:
	case a.Step.DaysBefore == 0:
		parts = append(parts, "on the expiry day")
	default:
		parts = append(parts, count(a.Step.DaysBefore, "day")+" before")
	}
	if a.Step.Reason != "" {
		parts = append(parts, a.Step.Reason)
	}
	if a.Unpaid {
		parts = append(parts, "unpaid")
	}
	return strings.Join(parts, ", ")
}

// showOptMoney writes an amount that may be missing.
func showOptMoney(m *billkit.Money) string {
	if m == nil {
		return ""
	}
	return showMoney(*m)
}
