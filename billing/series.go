package billing

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

// InvoiceSeries is how a company numbers one type of document: a format
// (see FormatNumber) and a reset policy. A company that has not set one
// uses DefaultInvoiceSeries.
//
// The counter of a series is per company, type and format: a new format
// starts a new count (its numbers look different, so they cannot repeat
// earlier ones), and going back to a format continues its count. Issued
// documents keep the numbers they were given; a change of format never
// renumbers them.
type InvoiceSeries struct {
	CompanyID CompanyID   `json:"company_id"`
	Type      InvoiceType `json:"type"`
	Format    string      `json:"format"`
	Reset     ResetPolicy `json:"reset"`
	// Default is true for a series the company has not set: the default
	// of its type.
	Default   bool      `json:"default"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// defaultSeriesPrefix is the prefix of each type's default format.
var defaultSeriesPrefix = map[InvoiceType]string{
	InvoiceProforma:   "PRO-",
	InvoiceFinal:      "INV-",
	InvoiceCreditNote: "CN-",
	InvoiceReceipt:    "RCP-",
}

// DefaultInvoiceSeries returns the series a company uses for a type until
// it sets its own: "PRO-", "INV-", "CN-" or "RCP-", then
// "{YYYY}-{NNNNN}", reset yearly ("INV-2026-00042").
func DefaultInvoiceSeries(company CompanyID, t InvoiceType) InvoiceSeries {
	return InvoiceSeries{CompanyID: company, Type: t, Format: defaultSeriesPrefix[t] + "{YYYY}-{NNNNN}", Reset: ResetYearly, Default: true}
}

// numbers is the counter of the series.
func (s InvoiceSeries) numbers() NumberSeries {
	return NumberSeries{Key: "invoice:" + s.CompanyID.String() + ":" + string(s.Type) + ":" + s.Format, Format: s.Format, Reset: s.Reset}
}

// SetInvoiceSeriesParams sets a company's series of a type.
type SetInvoiceSeriesParams struct {
	Format string `json:"format"`
	// Reset defaults to ResetYearly.
	Reset ResetPolicy `json:"reset,omitempty"`
}

// Reasons of series errors.
const (
	// ReasonSeriesFormatTaken: another type of the company uses the format,
	// so two documents could get one number.
	ReasonSeriesFormatTaken = "invoice_series.format_taken"
	// ReasonSeriesResetNeedsFormat: the reset policy of a format changes
	// only with the format, since the new periods would count again from 1
	// and repeat numbers already issued.
	ReasonSeriesResetNeedsFormat = "invoice_series.reset_needs_new_format"
)

// invoiceSeries returns, in tx, the company's series of a type: the one
// it set, or the default.
func invoiceSeries(ctx context.Context, tx Store, company CompanyID, t InvoiceType) (InvoiceSeries, error) {
	s, err := tx.GetInvoiceSeries(ctx, company, t)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return DefaultInvoiceSeries(company, t), nil
	}
	if err != nil {
		return InvoiceSeries{}, err
	}
	return *s, nil
}

// validType checks a document type named in field.
func validType(v *billkit.FieldErrors, field string, t InvoiceType) bool {
	return v.Check(t.Valid(), field, "invoice.type_unknown", fmt.Sprintf("must be one of %v", InvoiceTypes()))
}

// companyExists checks, in tx, that the company exists: invalid on field
// company_id otherwise.
func companyExists(ctx context.Context, tx Store, id CompanyID) (*Company, error) {
	c, err := tx.GetCompany(ctx, id)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return nil, billkit.InvalidField("company_id", "company.not_found", "is not a company")
	}
	return c, err
}

// GetInvoiceSeries returns the company's series of a document type (the
// default when it has not set one). It needs billing.invoice:read.
func (s *Service) GetInvoiceSeries(ctx context.Context, actor billkit.Actor, company CompanyID, t InvoiceType) (*InvoiceSeries, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!company.IsZero(), "company_id", "required", "is required")
	validType(&v, "type", t)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionInvoice, billkit.OpRead)); err != nil {
		return nil, err
	}
	if _, err := companyExists(ctx, s.store, company); err != nil {
		return nil, err
	}
	out, err := invoiceSeries(ctx, s.store, company, t)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListInvoiceSeries returns the company's series of every document type,
// in the order of InvoiceTypes. It needs billing.invoice:read.
func (s *Service) ListInvoiceSeries(ctx context.Context, actor billkit.Actor, company CompanyID) ([]InvoiceSeries, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if company.IsZero() {
		return nil, billkit.InvalidField("company_id", "required", "is required")
	}
	if err := actor.Authorize(billkit.R(FunctionInvoice, billkit.OpRead)); err != nil {
		return nil, err
	}
	if _, err := companyExists(ctx, s.store, company); err != nil {
		return nil, err
	}
	out := make([]InvoiceSeries, 0, len(InvoiceTypes()))
	for _, t := range InvoiceTypes() {
		ser, err := invoiceSeries(ctx, s.store, company, t)
		if err != nil {
			return nil, err
		}
		out = append(out, ser)
	}
	return out, nil
}

// SetInvoiceSeries sets how the company numbers a document type from now
// on. It needs billing.invoice:edit. The format must suit the reset policy
// (ValidateNumberFormat: a yearly series shows the year), must not be the
// format of another type of the company (invalid
// invoice_series.format_taken), and the reset policy of a format changes
// only with the format (invalid invoice_series.reset_needs_new_format),
// since otherwise the new periods would count again from 1 and repeat
// numbers already issued. Issued documents keep their numbers.
func (s *Service) SetInvoiceSeries(ctx context.Context, actor billkit.Actor, company CompanyID, t InvoiceType, p SetInvoiceSeriesParams) (*InvoiceSeries, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if p.Reset == "" {
		p.Reset = ResetYearly
	}
	p.Format = strings.TrimSpace(p.Format)
	var v billkit.FieldErrors
	v.Check(!company.IsZero(), "company_id", "required", "is required")
	validType(&v, "type", t)
	if err := ValidateNumberFormat(p.Format, p.Reset); err != nil {
		v.Merge("", renameField(err, "number_format", "format"))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(FunctionInvoice, billkit.OpEdit)); err != nil {
		return nil, err
	}
	var out *InvoiceSeries
	err := s.store.InTx(ctx, func(tx Store) error {
		if _, err := companyExists(ctx, tx, company); err != nil {
			return err
		}
		before, err := invoiceSeries(ctx, tx, company, t)
		if err != nil {
			return err
		}
		if before.Format == p.Format && before.Reset != p.Reset {
			return billkit.InvalidField("reset", ReasonSeriesResetNeedsFormat,
				"the reset policy of a format changes only with the format: the new periods would repeat issued numbers")
		}
		for _, other := range InvoiceTypes() {
			if other == t {
				continue
			}
			o, err := invoiceSeries(ctx, tx, company, other)
			if err != nil {
				return err
			}
			if o.Format == p.Format {
				return billkit.InvalidField("format", ReasonSeriesFormatTaken, fmt.Sprintf("is the format of the company's %s series", other))
			}
		}
		now := s.now()
		ser := &InvoiceSeries{CompanyID: company, Type: t, Format: p.Format, Reset: p.Reset, UpdatedAt: now}
		if err := tx.PutInvoiceSeries(ctx, ser); err != nil {
			return err
		}
		out = ser
		return record(ctx, tx, actor, now, FunctionInvoice, "series_set", company.String()+":"+string(t), billkit.ClientID{}, &before, ser)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
