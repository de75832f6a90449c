package render

import (
	"embed"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/johnfercher/maroto/v2"
	"github.com/johnfercher/maroto/v2/pkg/components/col"
	"github.com/johnfercher/maroto/v2/pkg/components/line"
	"github.com/johnfercher/maroto/v2/pkg/components/text"
	"github.com/johnfercher/maroto/v2/pkg/config"
	"github.com/johnfercher/maroto/v2/pkg/consts/align"
	"github.com/johnfercher/maroto/v2/pkg/consts/fontstyle"
	"github.com/johnfercher/maroto/v2/pkg/consts/pagesize"
	"github.com/johnfercher/maroto/v2/pkg/core"
	"github.com/johnfercher/maroto/v2/pkg/props"
	"github.com/johnfercher/maroto/v2/pkg/repository"
	"github.com/phpdave11/gofpdf"
)

// The fonts embedded in every PDF: DejaVu Sans has the glyphs of Latin,
// Cyrillic and Greek scripts and of the currency signs (€, ₽, ₸, ...), so a
// document prints whatever its locale and currency. See fonts/LICENSE.
//
//go:embed fonts/DejaVuSans.ttf fonts/DejaVuSans-Bold.ttf
var fonts embed.FS

// FontFamily is the family name of the embedded font in the PDFs.
const FontFamily = "dejavusans"

// pdfGrid is the column grid of the PDF layout.
const pdfGrid = 24

var (
	sortCatalog sync.Once
	// modDate is the modification date gofpdf writes: always the time of
	// writing, which PDF replaces with the creation date.
	modDate = regexp.MustCompile(`/ModDate \(D:\d{14}\)`)
)

// PDF renders inv as an A4 PDF with the embedded DejaVu Sans font, in the
// document's language (Options.Locale, else inv.Locale).
//
// The output is deterministic: the same invoice gives the same bytes, so
// a stored PDF can be checked against the invoice. Its creation and
// modification dates are the issue date (midnight UTC; the creation date of
// a draft is its creation instant), and the PDF's objects are written in a
// fixed order (gofpdf's catalog sort, set once for the process).
func PDF(inv *billing.Invoice, opts Options) ([]byte, error) {
	d, err := NewDocument(inv, opts.Locale)
	if err != nil {
		return nil, err
	}
	regular, err := fonts.ReadFile("fonts/DejaVuSans.ttf")
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, "render.font", "reading the embedded font")
	}
	bold, err := fonts.ReadFile("fonts/DejaVuSans-Bold.ttf")
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, "render.font", "reading the embedded font")
	}
	custom, err := repository.New().
		AddUTF8FontFromBytes(FontFamily, fontstyle.Normal, regular).
		AddUTF8FontFromBytes(FontFamily, fontstyle.Bold, bold).
		Load()
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, "render.font", "loading the embedded font")
	}
	created := inv.CreatedAt.UTC()
	if !inv.IssueDate.IsZero() {
		created = inv.IssueDate.In(time.UTC)
	}
	// gofpdf writes its catalog in map order unless told to sort it; the
	// flag is a process default that maroto gives no other way to set.
	sortCatalog.Do(func() { gofpdf.SetDefaultCatalogSort(true) })
	cfg := config.NewBuilder().
		WithPageSize(pagesize.A4).
		WithMaxGridSize(pdfGrid).
		WithLeftMargin(15).WithRightMargin(15).WithTopMargin(15).
		WithCustomFonts(custom).
		WithDefaultFont(&props.Font{Family: FontFamily, Size: 8}).
		WithCreationDate(created).
		WithTitle(d.heading(), true).
		WithCreator("billkit", false).
		WithCompression(true).
		Build()
	m := maroto.New(cfg)
	layoutPDF(m, d)
	doc, err := m.Generate()
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, "render.pdf", "generating the PDF")
	}
	out := doc.GetBytes()
	// Same length, so the cross-reference offsets stay right.
	stamp := []byte("/ModDate (D:" + created.Format("20060102150405") + ")")
	out = modDate.ReplaceAllLiteral(out, stamp)
	return out, nil
}

// pdfText is the style of body text; bold and right-aligned variants
// follow.
func pdfText(size float64, style fontstyle.Type, al align.Type) props.Text {
	return props.Text{Family: FontFamily, Size: size, Style: style, Align: al, Top: 0.5, Bottom: 0.5}
}

var (
	plain   = pdfText(8, fontstyle.Normal, align.Left)
	strong  = pdfText(8, fontstyle.Bold, align.Left)
	right   = pdfText(8, fontstyle.Normal, align.Right)
	rightB  = pdfText(8, fontstyle.Bold, align.Right)
	heading = pdfText(14, fontstyle.Bold, align.Left)
)

func space(m core.Maroto, h float64) { m.AddRow(h, col.New(pdfGrid)) }

func rule(m core.Maroto) {
	m.AddRow(3, line.NewCol(pdfGrid, props.Line{Thickness: 0.2, SizePercent: 100, OffsetPercent: 50}))
}

// layoutPDF lays the document out: title, dates, the two parties, the
// lines, the tax summary, the totals and the notes.
func layoutPDF(m core.Maroto, d *Document) {
	title := d.heading()
	if d.Stamp != "" {
		m.AddAutoRow(text.NewCol(18, title, heading), text.NewCol(6, d.Stamp, pdfText(12, fontstyle.Bold, align.Right)))
	} else {
		m.AddAutoRow(text.NewCol(pdfGrid, title, heading))
	}
	l := d.Labels
	if d.IssueDate != "" {
		m.AddAutoRow(text.NewCol(pdfGrid, l["issue_date"]+": "+d.IssueDate, plain))
	}
	if d.DueDate != "" {
		m.AddAutoRow(text.NewCol(pdfGrid, l["due_date"]+": "+d.DueDate, plain))
	}
	if d.Credits != "" {
		m.AddAutoRow(text.NewCol(pdfGrid, d.Credits, strong))
	}
	space(m, 5)
	m.AddAutoRow(text.NewCol(12, l["seller"], strong), text.NewCol(12, l["buyer"], strong))
	m.AddAutoRow(text.NewCol(12, d.Seller.Name, strong), text.NewCol(12, d.Buyer.Name, strong))
	seller, buyer := partyLines(d.Seller, l), partyLines(d.Buyer, l)
	for i := 0; i < max(len(seller), len(buyer)); i++ {
		m.AddAutoRow(text.NewCol(12, at(seller, i), plain), text.NewCol(12, at(buyer, i), plain))
	}
	space(m, 6)

	sizes := []int{1, 7, 2, 3, 3, 2, 3, 3} // #, description, qty, unit price, net, rate, tax, total
	head := []string{l["position"], l["description"], l["quantity"], l["unit_price"], l["net"], l["rate"], l["tax"], l["gross"]}
	cols := make([]core.Col, len(sizes))
	for i, s := range sizes {
		st := rightB
		if i < 2 {
			st = strong
		}
		cols[i] = text.NewCol(s, head[i], st)
	}
	m.AddAutoRow(cols...)
	rule(m)
	for _, ln := range d.Lines {
		vals := []string{strconv.Itoa(ln.Position), ln.Description, ln.Quantity, ln.UnitPrice, ln.Net, ln.Rates, ln.Tax, ln.Gross}
		cols := make([]core.Col, len(sizes))
		for i, s := range sizes {
			st := right
			if i < 2 {
				st = plain
			}
			cols[i] = text.NewCol(s, vals[i], st)
		}
		m.AddAutoRow(cols...)
	}
	rule(m)

	if len(d.Taxes) > 0 {
		space(m, 3)
		m.AddAutoRow(text.NewCol(8, l["tax_summary"], strong), text.NewCol(4, l["rate"], rightB), text.NewCol(6, l["base"], rightB), text.NewCol(6, l["amount"], rightB))
		for _, t := range d.Taxes {
			m.AddAutoRow(text.NewCol(8, t.Name, plain), text.NewCol(4, t.Rate, right), text.NewCol(6, t.Base, right), text.NewCol(6, t.Amount, right))
		}
	}
	space(m, 3)
	total := func(label, value string, bold bool) {
		if value == "" {
			return
		}
		ls, vs := right, right
		if bold {
			ls, vs = rightB, rightB
		}
		m.AddAutoRow(col.New(12), text.NewCol(7, label, ls), text.NewCol(5, value, vs))
	}
	total(l["total_net"], d.Net, false)
	total(l["total_tax"], d.Tax, false)
	total(l["total_gross"], d.Gross, true)
	total(l["credited"], d.Credited, false)
	total(l["paid"], d.Paid, false)
	total(l["amount_due"], d.AmountDue, true)
	if len(d.Notes) > 0 {
		space(m, 5)
		for _, n := range d.Notes {
			m.AddAutoRow(text.NewCol(pdfGrid, n, plain))
		}
	}
}

// partyLines are the lines under a party's name.
func partyLines(p Party, l Labels) []string {
	out := append([]string{}, p.Address...)
	for _, id := range p.TaxIDs {
		out = append(out, l["tax_id"]+": "+id)
	}
	for _, b := range p.Bank {
		out = append(out, l["bank"]+": "+b)
	}
	return out
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}
