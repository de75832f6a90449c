package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/billing/render"
	"github.com/danielgtaylor/huma/v2"
)

type listInvoicesInput struct {
	ClientID         string `query:"client_id" maxLength:"64" doc:"Only the documents of this client."`
	CompanyID        string `query:"company_id" maxLength:"64" doc:"Only the documents of this company."`
	Type             string `query:"type" enum:"proforma,invoice,credit_note,receipt" doc:"Only documents of this type."`
	Status           string `query:"status" maxLength:"200" doc:"Only documents in one of these statuses, comma-separated (draft,issued,partly_paid,paid,overdue,void,credited)."`
	IssuedFrom       string `query:"issued_from" format:"date" doc:"Only documents issued on or after this day."`
	IssuedTo         string `query:"issued_to" format:"date" doc:"Only documents issued on or before this day."`
	DueBefore        string `query:"due_before" format:"date" doc:"Only documents due before this day."`
	CreditsInvoiceID string `query:"credits_invoice_id" maxLength:"64" doc:"Only the credit notes of this invoice."`
	ExpenseID        string `query:"expense_id" maxLength:"64" doc:"Only the documents with a line billing this expense."`
	PageInput
}

type createInvoiceInput struct{ Body billing.CreateInvoiceParams }

type updateInvoiceInput struct {
	IDPath
	Body billing.UpdateInvoiceParams
}

// CreditNoteRequest is the body of POST /invoices/{id}/credit-notes: what
// the credit note credits.
type CreditNoteRequest struct {
	All   bool                    `json:"all,omitempty" doc:"Credit what is left of every line."`
	Lines []CreditNoteLineRequest `json:"lines,omitempty" doc:"The lines to credit, when not all."`
	Memo  string                  `json:"memo,omitempty" maxLength:"1000"`
}

// CreditNoteLineRequest credits one line of the invoice.
type CreditNoteLineRequest struct {
	Position int            `json:"position" minimum:"1" doc:"The line's position on the invoice."`
	Amount   *billkit.Money `json:"amount,omitempty" doc:"How much of the line's amount to credit. Default: all that is left of it."`
}

type creditNoteInput struct {
	IDPath
	Body CreditNoteRequest
}

type renderInput struct {
	IDPath
	Locale string `query:"locale" maxLength:"35" doc:"The language and number format. Default: the document's."`
}

// InvoiceFile is a rendered document.
type InvoiceFile struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	ContentTypeOptions string `header:"X-Content-Type-Options"`
	SecurityPolicy     string `header:"Content-Security-Policy"`
	Body               []byte
}

// SeriesPath names a company's series of one document type.
type SeriesPath struct {
	IDPath
	Type string `path:"type" enum:"proforma,invoice,credit_note,receipt" doc:"The document type."`
}

type setSeriesInput struct {
	SeriesPath
	Body billing.SetInvoiceSeriesParams
}

// fileName makes a file name of a document's number, or of its ID while a
// draft: letters, digits, '-', '_' and '.' only.
func fileName(inv *billing.Invoice, ext string) string {
	name := inv.Number
	if name == "" {
		name = string(inv.Type) + "-" + inv.ID.String()
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, name)
	return name + "." + ext
}

// fileResponse documents the one content type an operation answers with.
func fileResponse(o huma.Operation, contentType, description string) huma.Operation {
	o.Responses = map[string]*huma.Response{
		"200": {
			Description: description,
			Content:     map[string]*huma.MediaType{contentType: {Schema: &huma.Schema{Type: huma.TypeString, Format: "binary"}}},
		},
	}
	return o
}

// companyNotFound turns the invalid company_id a series call gives for a
// missing company into the not_found of the company in the path.
func companyNotFound(err error, id string) error {
	if billkit.ErrorReason(err) == "company.not_found" {
		return billkit.NotFound("company", id)
	}
	return err
}

func (h *handlers) registerInvoices(api huma.API) {
	b := h.billing
	const tag = "Invoices"
	rule := func(op billkit.Operation) Rule { return Requires(billing.FunctionInvoice, op) }
	onInvoice := func(op billkit.Operation) Rule { return rule(op).OnClientOf("id") }
	templates := render.NewTemplates()

	route(api, op("list-invoices", http.MethodGet, "/invoices", "List invoices, proformas, credit notes and receipts, newest first", tag),
		rule(billkit.OpRead).described("customers see only their clients' documents"),
		func(ctx context.Context, in *listInvoicesInput) (*body[List[billing.Invoice]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.Invoice], error) {
				f := billing.InvoiceFilter{Type: billing.InvoiceType(in.Type), PageParams: in.page()}
				var v billkit.FieldErrors
				var err error
				f.ClientID, err = optClientID("client_id", in.ClientID)
				v.Merge("", err)
				f.CompanyID, err = optID[billing.Company]("company_id", in.CompanyID)
				v.Merge("", err)
				f.CreditsInvoiceID, err = optID[billing.Invoice]("credits_invoice_id", in.CreditsInvoiceID)
				v.Merge("", err)
				f.ExpenseID, err = optID[billing.Expense]("expense_id", in.ExpenseID)
				v.Merge("", err)
				f.IssuedFrom, err = optDate("issued_from", in.IssuedFrom)
				v.Merge("", err)
				f.IssuedTo, err = optDate("issued_to", in.IssuedTo)
				v.Merge("", err)
				f.DueBefore, err = optDate("due_before", in.DueBefore)
				v.Merge("", err)
				if in.Status != "" {
					for _, s := range strings.Split(in.Status, ",") {
						st := billing.InvoiceStatus(strings.TrimSpace(s))
						if v.Check(st.Valid(), "status", "invoice.status_unknown", fmt.Sprintf("%q is not one of %v", s, billing.InvoiceStatuses())) {
							f.Statuses = append(f.Statuses, st)
						}
					}
				}
				if err := v.Err(); err != nil {
					return billkit.Page[billing.Invoice]{}, err
				}
				return b.ListInvoices(ctx, a, f)
			})
		})
	route(api, op("get-invoice", http.MethodGet, "/invoices/{id}", "Get a document with its lines", tag), onInvoice(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[*billing.Invoice], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.InvoiceID) (*billing.Invoice, error) { return b.GetInvoice(ctx, a, id) })
		})
	route(api, created(op("create-invoice", http.MethodPost, "/invoices", "Draw up a draft invoice or proforma", tag, http.StatusNotFound, http.StatusUnprocessableEntity)),
		rule(billkit.OpCreate).described("on the client named in the body"),
		func(ctx context.Context, in *createInvoiceInput) (*body[*billing.Invoice], error) {
			return write(ctx, func(a billkit.Actor) (*billing.Invoice, error) { return b.CreateInvoice(ctx, a, in.Body) })
		})
	route(api, op("update-invoice", http.MethodPatch, "/invoices/{id}", "Change a draft; lines given replace all its lines", tag, http.StatusUnprocessableEntity), onInvoice(billkit.OpEdit),
		func(ctx context.Context, in *updateInvoiceInput) (*body[*billing.Invoice], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.InvoiceID) (*billing.Invoice, error) {
				return b.UpdateDraftInvoice(ctx, a, id, in.Body)
			})
		})
	route(api, op("delete-invoice", http.MethodDelete, "/invoices/{id}", "Delete a draft (an issued document is voided or credited, never deleted)", tag, http.StatusUnprocessableEntity),
		onInvoice(billkit.OpDelete),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.InvoiceID) (Done, error) {
				return done(b.DeleteDraftInvoice(ctx, a, id))
			})
		})
	for _, s := range []struct {
		verb, path, summary string
		fn                  func(context.Context, billkit.Actor, billing.InvoiceID) (*billing.Invoice, error)
	}{
		{"issue", "issue", "Issue a draft: number it, decide and compute its taxes, freeze it", b.IssueInvoice},
		{"void", "void", "Void an issued document on which nothing was paid or credited", b.VoidInvoice},
		{"pay-from-balance", "pay-from-balance", "Pay a document from the client's balance", b.PayInvoiceFromBalance},
	} {
		id, r := s.verb+"-invoice", onInvoice(billkit.OpEdit)
		if s.verb == "pay-from-balance" {
			// Paying is a payment: customers who may pay may pay their
			// invoices from the balance.
			id = "pay-invoice-from-balance"
			r = Requires(billing.FunctionPayment, billkit.OpCreate).OnClientOf("id").described("and billing.invoice:read")
		}
		route(api, op(id, http.MethodPost, "/invoices/{id}/"+s.path, s.summary, tag, http.StatusUnprocessableEntity), r,
			func(ctx context.Context, in *IDPath) (*body[*billing.Invoice], error) {
				return withID(ctx, in.ID, func(a billkit.Actor, id billing.InvoiceID) (*billing.Invoice, error) { return s.fn(ctx, a, id) })
			})
	}
	cnOp := created(op("create-credit-note", http.MethodPost, "/invoices/{id}/credit-notes", "Correct an issued invoice with a credit note", tag, http.StatusUnprocessableEntity))
	cnOp.Description = "The credit note is numbered from the company's credit_note series; what the invoice had charged for the credited lines goes back to the balance."
	route(api, cnOp, onInvoice(billkit.OpCreate),
		func(ctx context.Context, in *creditNoteInput) (*body[*billing.Invoice], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.InvoiceID) (*billing.Invoice, error) {
				p := billing.CreditNoteParams{All: in.Body.All, Memo: in.Body.Memo}
				for _, l := range in.Body.Lines {
					cl := billing.CreditNoteLine{Position: l.Position}
					if l.Amount != nil {
						cl.Amount = *l.Amount
					}
					p.Lines = append(p.Lines, cl)
				}
				return b.CreateCreditNote(ctx, a, id, p)
			})
		})

	// Renderings.
	pdfOp := fileResponse(op("get-invoice-pdf", http.MethodGet, "/invoices/{id}/pdf", "The document as a PDF", tag), "application/pdf", "The PDF.")
	route(api, pdfOp, onInvoice(billkit.OpRead),
		func(ctx context.Context, in *renderInput) (*InvoiceFile, error) {
			inv, err := h.readInvoice(ctx, in.ID)
			if err != nil {
				return nil, err
			}
			pdf, err := render.PDF(inv, render.Options{Locale: in.Locale})
			if err != nil {
				return nil, err
			}
			return &InvoiceFile{ContentType: "application/pdf", ContentDisposition: `inline; filename="` + fileName(inv, "pdf") + `"`,
				ContentTypeOptions: "nosniff", Body: pdf}, nil
		})
	htmlOp := fileResponse(op("get-invoice-html", http.MethodGet, "/invoices/{id}/html", "The document as an HTML page", tag), "text/html", "The page.")
	route(api, htmlOp, onInvoice(billkit.OpRead),
		func(ctx context.Context, in *renderInput) (*InvoiceFile, error) {
			inv, err := h.readInvoice(ctx, in.ID)
			if err != nil {
				return nil, err
			}
			var buf bytes.Buffer
			if err := templates.HTML(&buf, inv, render.Options{Locale: in.Locale}); err != nil {
				return nil, err
			}
			// The page runs no script and loads nothing from elsewhere.
			return &InvoiceFile{ContentType: "text/html; charset=utf-8", ContentDisposition: `inline; filename="` + fileName(inv, "html") + `"`,
				ContentTypeOptions: "nosniff", SecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:", Body: buf.Bytes()}, nil
		})

	// Number series.
	route(api, op("list-invoice-series", http.MethodGet, "/companies/{id}/invoice-series", "A company's number series of every document type", tag, http.StatusNotFound), rule(billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[List[billing.InvoiceSeries]], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.CompanyID) (List[billing.InvoiceSeries], error) {
				l, err := items(b.ListInvoiceSeries(ctx, a, id))
				return l, companyNotFound(err, in.ID)
			})
		})
	route(api, op("get-invoice-series", http.MethodGet, "/companies/{id}/invoice-series/{type}", "A company's number series of a document type", tag, http.StatusNotFound), rule(billkit.OpRead),
		func(ctx context.Context, in *SeriesPath) (*body[*billing.InvoiceSeries], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.CompanyID) (*billing.InvoiceSeries, error) {
				s, err := b.GetInvoiceSeries(ctx, a, id, billing.InvoiceType(in.Type))
				return s, companyNotFound(err, in.ID)
			})
		})
	setOp := op("set-invoice-series", http.MethodPut, "/companies/{id}/invoice-series/{type}", "Set how a company numbers a document type", tag, http.StatusNotFound)
	setOp.Description = "format holds {NNNNN} (the counter, zero-padded to as many digits), and {YYYY}, {YY}, {MM} as the reset needs. " +
		"A new format starts its own count; issued documents keep their numbers."
	route(api, setOp, rule(billkit.OpEdit),
		func(ctx context.Context, in *setSeriesInput) (*body[*billing.InvoiceSeries], error) {
			return withID(ctx, in.ID, func(a billkit.Actor, id billing.CompanyID) (*billing.InvoiceSeries, error) {
				s, err := b.SetInvoiceSeries(ctx, a, id, billing.InvoiceType(in.Type), in.Body)
				return s, companyNotFound(err, in.ID)
			})
		})
}

// readInvoice reads the document of the {id} path parameter as the
// request's actor.
func (h *handlers) readInvoice(ctx context.Context, raw string) (*billing.Invoice, error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	id, err := parseID[billing.Invoice]("id", raw)
	if err != nil {
		return nil, err
	}
	return h.billing.GetInvoice(ctx, a, id)
}
