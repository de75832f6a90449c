package render

import (
	"bytes"
	_ "embed"
	"html/template"
	"io"
	"sync"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
)

// defaultTemplate is the built-in HTML template of every document type.
//
//go:embed templates/invoice.html.tmpl
var defaultTemplate string

// Options tune a rendering.
type Options struct {
	// Locale is the language and number format; the invoice's Locale when
	// empty. Labels exist in English and Russian (Languages); another
	// locale gets English words with its own number format.
	Locale string
}

// Templates renders documents to HTML: a built-in template for every
// company, and a company's own where the caller registered one. Companies'
// templates are kept in memory, not in billkit's store: the embedder keeps
// them where it keeps its other assets and registers them at start (or
// after an edit). A Templates is safe for concurrent use; the zero value
// is not, use NewTemplates.
type Templates struct {
	mu        sync.RWMutex
	builtin   *template.Template
	companies map[billing.CompanyID]*template.Template
}

// NewTemplates returns Templates with only the built-in template.
func NewTemplates() *Templates {
	return &Templates{
		builtin:   template.Must(template.New("invoice").Parse(defaultTemplate)),
		companies: map[billing.CompanyID]*template.Template{},
	}
}

// DefaultTemplate returns the text of the built-in template, for a company
// template to start from.
func DefaultTemplate() string { return defaultTemplate }

// ReasonTemplateInvalid is the reason of the invalid error of a template
// that does not parse, or that fails on a sample document.
const ReasonTemplateInvalid = "render.template_invalid"

// SetCompanyTemplate makes text (an html/template over Document) the
// template of the company's documents. A template that does not parse, or
// that fails when rendering a sample document (an unknown field), is
// refused with an invalid error on field "template" and the previous one
// stays.
func (t *Templates) SetCompanyTemplate(company billing.CompanyID, text string) error {
	if company.IsZero() {
		return billkit.InvalidField("company_id", "required", "is required")
	}
	tpl, err := template.New("invoice").Option("missingkey=error").Parse(text)
	if err != nil {
		return billkit.InvalidField("template", ReasonTemplateInvalid, err.Error())
	}
	if err := tpl.Execute(io.Discard, sampleDocument()); err != nil {
		return billkit.InvalidField("template", ReasonTemplateInvalid, err.Error())
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.companies[company] = tpl
	return nil
}

// RemoveCompanyTemplate makes the company's documents use the built-in
// template again.
func (t *Templates) RemoveCompanyTemplate(company billing.CompanyID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.companies, company)
}

// HTML writes inv as an HTML page with its company's template (the
// built-in one when the company has none).
func (t *Templates) HTML(w io.Writer, inv *billing.Invoice, opts Options) error {
	doc, err := NewDocument(inv, opts.Locale)
	if err != nil {
		return err
	}
	t.mu.RLock()
	tpl, ok := t.companies[inv.CompanyID]
	t.mu.RUnlock()
	if !ok {
		tpl = t.builtin
	}
	// Render fully before writing, so a failing template writes nothing.
	var buf bytes.Buffer
	if err := tpl.Execute(&buf, doc); err != nil {
		return billkit.WrapError(err, billkit.CodeInternal, ReasonTemplateInvalid, "the document's template failed")
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// sampleDocument is a document with every part filled in, to try a
// template on.
func sampleDocument() *Document {
	return &Document{
		Locale: "en", Language: "en", Labels: labelsFor("en"), Type: billing.InvoiceFinal, Title: "Invoice", Number: "INV-2026-00001",
		Status: billing.InvoiceIssued, IssueDate: "March 5, 2026", DueDate: "March 19, 2026",
		Seller: Party{Name: "Seller", Address: []string{"Street 1"}, TaxIDs: []string{"DE136695976"}, Bank: []string{"Bank"}},
		Buyer:  Party{Name: "Buyer", Address: []string{"Street 2"}, TaxIDs: []string{"FR40303265045"}},
		Lines:  []Line{{Position: 1, Description: "VDS", Quantity: "1", UnitPrice: "€10.00", Net: "€10.00", Rates: "20%", Tax: "€2.00", Gross: "€12.00"}},
		Taxes:  []TaxRow{{Name: "VAT", Rate: "20%", Base: "€10.00", Amount: "€2.00"}},
		Net:    "€10.00", Tax: "€2.00", Gross: "€12.00", Paid: "€1.00", Credited: "€1.00", AmountDue: "€10.00",
		Credits: "Corrects invoice INV-2026-00000", Notes: []string{"Note"},
	}
}
