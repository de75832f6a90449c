package provisioning

import (
	"slices"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/catalog"
)

// SettingRenewalPayBy is the billing setting (of a provider, or of a
// client, which overrides its provider's) that says how a client pays its
// renewals: "balance" (the default) from the balance at expiry, or
// "invoice", which also gets the client the renewal's invoice
// Config.InvoiceDaysBefore days before expiry.
const SettingRenewalPayBy = "renewal.pay_by"

// CyclePolicy is what the cycle's decisions depend on besides a service
// and its product type's lifecycle.
type CyclePolicy struct {
	// NoticeDays are the days before expiry a client is reminded
	// (Config.NoticeDays).
	NoticeDays []int `json:"notice_days"`
	// InvoiceDaysBefore is how many days before expiry a client who pays
	// by invoice gets the renewal's invoice (Config.InvoiceDaysBefore).
	InvoiceDaysBefore int `json:"invoice_days_before"`
	// PaysByInvoice is true when the service's client pays its renewals by
	// invoice (SettingRenewalPayBy).
	PaysByInvoice bool `json:"pays_by_invoice,omitempty"`
}

// StepKind is what the cycle does to a service.
type StepKind string

// The steps of the cycle.
const (
	// StepNotice reminds the client of an expiry, once per service, expiry
	// and days before.
	StepNotice StepKind = "notice"
	// StepInvoice is the renewal's invoice for a client who pays by
	// invoice, recorded once per service and expiry: a proforma of the
	// next period's price, whose ID the Notice keeps.
	StepInvoice StepKind = "invoice"
	// StepRenew charges the next period from the balance, and the periods
	// after it while the service is still behind.
	StepRenew StepKind = "renew"
	// StepSuspend suspends an unpaid service for non-payment.
	StepSuspend StepKind = "suspend"
	// StepResume charges a period of a service suspended for non-payment
	// and resumes it.
	StepResume StepKind = "resume"
	// StepDelete deletes a service: suspended for non-payment for the
	// deletion period, or at the end of its paid period at the client's
	// request.
	StepDelete StepKind = "delete"
)

// The reasons of a deletion step.
const (
	// DeleteNonPayment: suspended for non-payment for Lifecycle.DeleteAfterDays.
	DeleteNonPayment = "non_payment"
	// DeletePeriodEnd: the client asked to delete it when its paid period
	// ended (Service.DeleteAtPeriodEnd).
	DeletePeriodEnd = "period_end"
)

// Step is one thing the cycle decided to do to a service on a day.
type Step struct {
	Kind StepKind `json:"kind"`
	// On is the day it is decided for, in the provider's time zone.
	On billkit.Date `json:"on"`
	// ExpiresOn and DaysBefore say which reminder a notice or an invoice
	// is: the expiry it is about, and how many days before it.
	ExpiresOn  billkit.Date `json:"expires_on,omitzero"`
	DaysBefore int          `json:"days_before,omitempty"`
	// Period is the period a renewal or a resumption charges first.
	Period *PaidPeriod `json:"period,omitempty"`
	// Reason says why a service is deleted (DeleteNonPayment,
	// DeletePeriodEnd) or suspended (SuspendNonPayment).
	Reason string `json:"reason,omitempty"`
	// OnSystem marks a renewal the module must also make on its system
	// (Lifecycle.RenewOnSystem): a renew task follows the payment.
	OnSystem bool `json:"on_system,omitempty"`
}

// PaidPeriod is one period of a service paid, or to pay: [Start, End).
type PaidPeriod struct {
	Start billkit.Date `json:"start"`
	End   billkit.Date `json:"end"`
	// Reanchor restarts the counting of periods at Start: for a service
	// resumed after more than a whole unpaid period, which pays from the
	// day it resumes rather than for the time it was stopped, and for a
	// service whose expiry does not follow its anchor.
	Reanchor bool `json:"reanchor,omitempty"`
}

// maxCatchUp bounds how many periods one run charges a service that is
// behind (a daily service after a long stop of the cycle): the next run
// goes on from there.
const maxCatchUp = 400

// Decide returns what the billing cycle does to svc at now, from the clock
// and the data alone: loc is the provider's time zone (the days that bill
// are calendar days in it; nil is UTC), lc the lifecycle of the service's
// product type, cfg the policy. It is pure: the cycle, its dry run and
// Timeline all decide with it.
//
// An active service is reminded before expiry (cfg.NoticeDays: the most
// recent reminder whose day has come, up to the day of expiry), gets the
// renewal's invoice cfg.InvoiceDaysBefore days before expiry when its
// client pays by invoice and it renews itself, is renewed from the day it
// expires when it renews itself, and is suspended for non-payment once
// Lifecycle.GraceDays have passed since it expired (never on a Saturday or
// a Sunday with NoSuspendOnWeekends: the suspension waits for Monday). The
// renewal comes first: the suspension applies only when the balance did
// not pay it; with Lifecycle.RenewOnSystem the renewal is also made on
// the system (Step.OnSystem). A service the client asked to delete at the end of its
// period is not renewed but deleted when it expires.
//
// A service suspended for non-payment that renews itself is resumed once
// the balance pays a period (the next one, or, after more than a whole
// period stopped, one from today), and deleted after
// Lifecycle.DeleteAfterDays (when not zero) unless it was resumed.
//
// Services ordered, processing (an operation under way decides what comes
// next), deleted, suspended for another reason, never paid, or billed by
// the hour get no steps.
func Decide(now time.Time, loc *time.Location, svc Service, lc catalog.Lifecycle, cfg CyclePolicy) []Step {
	if loc == nil {
		loc = time.UTC
	}
	today := billkit.DateIn(now, loc)
	if svc.ExpiresOn.IsZero() || svc.AnchorOn.IsZero() || !datePeriod(svc.Period) {
		return nil
	}
	switch svc.Status {
	case StatusActive:
		return decideActive(today, &svc, lc, cfg)
	case StatusSuspended:
		return decideSuspended(today, &svc, lc)
	}
	return nil
}

// datePeriod reports whether p is counted in days or months: hourly
// services are billed by their usage, not by the cycle.
func datePeriod(p catalog.Period) bool { return p.Months() > 0 || p == catalog.PeriodDay }

func decideActive(today billkit.Date, svc *Service, lc catalog.Lifecycle, cfg CyclePolicy) []Step {
	due := !today.Before(svc.ExpiresOn)
	if svc.DeleteAtPeriodEnd {
		if due {
			return []Step{{Kind: StepDelete, On: today, Reason: DeletePeriodEnd}}
		}
		return nil
	}
	var steps []Step
	if d, ok := noticeDay(today, svc.ExpiresOn, cfg.NoticeDays); ok {
		steps = append(steps, Step{Kind: StepNotice, On: today, ExpiresOn: svc.ExpiresOn, DaysBefore: d})
	}
	if cfg.PaysByInvoice && svc.AutoRenew && invoiceDue(today, svc.ExpiresOn, cfg.InvoiceDaysBefore) {
		// A reminder and the invoice are recorded alike (a Notice, once per
		// service, expiry and days before): on the day both fall due, the
		// invoice is the reminder.
		if len(steps) > 0 && steps[0].DaysBefore == cfg.InvoiceDaysBefore {
			steps = steps[:0]
		}
		steps = append(steps, Step{Kind: StepInvoice, On: today, ExpiresOn: svc.ExpiresOn, DaysBefore: cfg.InvoiceDaysBefore})
	}
	if !due {
		return steps
	}
	if svc.AutoRenew {
		p := nextPeriod(svc, today, false)
		steps = append(steps, Step{Kind: StepRenew, On: today, Period: &p, OnSystem: lc.RenewOnSystem})
	}
	if suspendDue(today, svc.ExpiresOn, lc) {
		steps = append(steps, Step{Kind: StepSuspend, On: today, Reason: string(SuspendNonPayment)})
	}
	return steps
}

func decideSuspended(today billkit.Date, svc *Service, lc catalog.Lifecycle) []Step {
	if svc.SuspendReason != SuspendNonPayment {
		return nil
	}
	var steps []Step
	// A service stopped for non-payment but paid beyond today was
	// suspended by hand: paying cannot be what lifts it.
	if svc.AutoRenew && !today.Before(svc.ExpiresOn) {
		p := nextPeriod(svc, today, true)
		steps = append(steps, Step{Kind: StepResume, On: today, Period: &p})
	}
	if lc.DeleteAfterDays > 0 && !svc.SuspendedOn.IsZero() && !today.Before(svc.SuspendedOn.AddDays(lc.DeleteAfterDays)) {
		steps = append(steps, Step{Kind: StepDelete, On: today, Reason: DeleteNonPayment})
	}
	return steps
}

// noticeDay returns the reminder due on today for an expiry: of the days
// before expiry in days whose day has come, the fewest (a reminder missed
// on its day is stale once a later one is due); none after the expiry.
func noticeDay(today, expires billkit.Date, days []int) (int, bool) {
	if today.After(expires) {
		return 0, false
	}
	left := today.DaysUntil(expires)
	best, ok := 0, false
	for _, d := range days {
		if d >= left && (!ok || d < best) {
			best, ok = d, true
		}
	}
	return best, ok
}

// invoiceDue reports whether the renewal's invoice is due on today: from
// days before expiry until the day before it (on the day, the renewal
// itself comes).
func invoiceDue(today, expires billkit.Date, days int) bool {
	return days > 0 && today.Before(expires) && !today.Before(expires.AddDays(-days))
}

// suspendDue reports whether an unpaid service that expired on expires is
// suspended on today.
func suspendDue(today, expires billkit.Date, lc catalog.Lifecycle) bool {
	if today.Before(expires.AddDays(max(lc.GraceDays, 0))) {
		return false
	}
	return !(lc.NoSuspendOnWeekends && weekend(today))
}

// SuspendOn returns the day an unpaid service that expired on expires is
// suspended under lc: GraceDays after it expired, moved to the Monday
// after with NoSuspendOnWeekends when that falls on a weekend.
func SuspendOn(expires billkit.Date, lc catalog.Lifecycle) billkit.Date {
	d := expires.AddDays(max(lc.GraceDays, 0))
	for lc.NoSuspendOnWeekends && weekend(d) {
		d = d.AddDays(1)
	}
	return d
}

// weekend reports whether d is a Saturday or a Sunday.
func weekend(d billkit.Date) bool {
	wd := d.In(time.UTC).Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// nextPeriod is the period svc pays next: the one after ExpiresOn, counted
// from AnchorOn so month ends never drift. With late (a resumption), a
// service more than a whole period behind pays instead a period from
// today. A service whose expiry is not where its anchor and periods put it
// (imported, or changed by hand) restarts its count at its expiry.
func nextPeriod(svc *Service, today billkit.Date, late bool) PaidPeriod {
	p := PaidPeriod{Start: svc.ExpiresOn, End: svc.Period.Advance(svc.AnchorOn, svc.PeriodsPaid+1)}
	if svc.Period.Advance(svc.AnchorOn, svc.PeriodsPaid) != svc.ExpiresOn || !p.End.After(p.Start) {
		p = PaidPeriod{Start: svc.ExpiresOn, End: svc.Period.AddTo(svc.ExpiresOn), Reanchor: true}
	}
	if late && !p.End.After(today) {
		p = PaidPeriod{Start: today, End: svc.Period.AddTo(today), Reanchor: true}
	}
	return p
}

// paidThrough moves svc's expiry to the end of the period p it paid.
func (svc *Service) paidThrough(p PaidPeriod) {
	if p.Reanchor {
		svc.AnchorOn, svc.PeriodsPaid = p.Start, 1
	} else {
		svc.PeriodsPaid++
	}
	svc.ExpiresOn = p.End
}

// maxNoticeDays is how far ahead of expiry the policy looks.
func (c CyclePolicy) maxNoticeDays() int {
	n := c.InvoiceDaysBefore
	if len(c.NoticeDays) > 0 {
		n = max(n, slices.Max(c.NoticeDays))
	}
	return n
}
