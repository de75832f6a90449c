package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The bounds of the provisioning settings.
const (
	minOrderTTL     = time.Minute
	maxOrderTTL     = 366 * 24 * time.Hour
	maxNoticeDay    = 366
	maxTaskAttempts = 100
)

// provisioningSettings are the settings of the provisioning manager that
// the configuration gives. A zero field leaves provisioning's default
// (provisioning.Config): 72 hours, reminders 10, 5, 3, 1 and 0 days
// before expiry, invoices 10 days before, 8 attempts.
type provisioningSettings struct {
	// orderTTL is how long an unpaid order waits before it is cancelled.
	orderTTL time.Duration
	// noticeDays are the days before expiry clients are reminded: nil for
	// the default, empty (not nil) for no reminder at all.
	noticeDays []int
	// invoiceDaysBefore is how many days before expiry a client who pays
	// by invoice gets the renewal's invoice.
	invoiceDaysBefore int
	// maxAttempts is how many times a task runs before it fails for staff.
	maxAttempts int
}

// settingError names a setting by its flag and its variable.
func settingError(flag, env, format string, args ...any) error {
	return fmt.Errorf("--%s (%s): %s", flag, env, fmt.Sprintf(format, args...))
}

// provisioningSettings reads --order-ttl, --notice-days,
// --invoice-days-before and --task-attempts. An empty value leaves the
// default; a bad one is an error that names the flag and the variable.
func (c config) provisioningSettings() (provisioningSettings, error) {
	var s provisioningSettings
	if raw := strings.TrimSpace(c.OrderTTL); raw != "" {
		d, err := time.ParseDuration(raw)
		switch {
		case err != nil:
			return s, settingError("order-ttl", "BILLKIT_ORDER_TTL", "%q is not a duration such as 72h or 90m", raw)
		case d < minOrderTTL || d > maxOrderTTL:
			return s, settingError("order-ttl", "BILLKIT_ORDER_TTL", "%s is not between 1m and 8784h (366 days)", raw)
		}
		s.orderTTL = d
	}
	if raw := strings.TrimSpace(c.NoticeDays); raw != "" {
		days, err := parseNoticeDays(raw)
		if err != nil {
			return s, settingError("notice-days", "BILLKIT_NOTICE_DAYS", "%v", err)
		}
		s.noticeDays = days
	}
	var err error
	if s.invoiceDaysBefore, err = settingInt(c.InvoiceDaysBefore, 1, maxNoticeDay); err != nil {
		return s, settingError("invoice-days-before", "BILLKIT_INVOICE_DAYS_BEFORE", "%v", err)
	}
	if s.maxAttempts, err = settingInt(c.TaskAttempts, 1, maxTaskAttempts); err != nil {
		return s, settingError("task-attempts", "BILLKIT_TASK_ATTEMPTS", "%v", err)
	}
	return s, nil
}

// settingInt reads a whole number from lo to hi; "" is 0, the default.
func settingInt(raw string, lo, hi int) (int, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q is not a whole number from %d to %d", raw, lo, hi)
	}
	return n, nil
}

// parseNoticeDays reads days before expiry separated by commas
// ("10,5,3,1,0"), each from 0 to 366 and given once, or "none" for no
// reminder.
func parseNoticeDays(raw string) ([]int, error) {
	if strings.EqualFold(raw, "none") {
		return []int{}, nil
	}
	var days []int
	for part := range strings.SplitSeq(raw, ",") {
		n, err := settingInt(part, 0, maxNoticeDay)
		switch {
		case strings.TrimSpace(part) == "":
			return nil, fmt.Errorf("%q has an empty day; write days such as 10,5,3,1,0, or none", raw)
		case err != nil:
			return nil, err
		case slices.Contains(days, n):
			return nil, fmt.Errorf("%d is given twice", n)
		}
		days = append(days, n)
	}
	return days, nil
}
