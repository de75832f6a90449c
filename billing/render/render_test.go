package render_test

import (
	"bytes"
	"compress/zlib"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/billing/render"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// update rewrites the golden files in testdata:
//
//	go test ./billing/render -run Golden -update
var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

// golden compares got with testdata/name, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./billing/render -run Golden -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); rerun with -update if the change is intended:\n%s", path, diff)
	}
}

func tax(code, name, rate string, level int, compound, inclusive bool) billing.AppliedTax {
	return billing.AppliedTax{Code: code, Name: name, Rate: decimal.RequireFromString(rate), Level: level, Compound: compound, Inclusive: inclusive}
}

// spec is an invoice to build and compute through CalculateTaxes.
type spec struct {
	typ      billing.InvoiceType
	status   billing.InvoiceStatus
	locale   string
	currency string
	digits   int32
	rounding billing.TaxRounding
	seller   billing.InvoiceSeller
	buyer    billing.InvoiceBuyer
	decision billing.TaxDecision
	lines    []specLine
	credits  string
	paid     string
	memo     string
}

type specLine struct {
	desc, qty, price string
	taxes            []billing.AppliedTax
}

var (
	sellerDE = billing.InvoiceSeller{LegalName: "HostCo GmbH", ShortName: "HostCo", Country: "DE",
		Address: billing.Address{Lines: []string{"Hauptstraße 1"}, City: "Berlin", PostalCode: "10115"}, TaxIDs: []string{"DE136695976"},
		BankAccounts: []billing.BankAccount{{BankName: "Commerzbank", IBAN: "DE89370400440532013000", BIC: "COBADEFFXXX"}}}
	buyerDE = billing.InvoiceBuyer{Kind: billing.PayerIndividual, Name: "Jana Müller", Country: "DE",
		Address: billing.Address{Lines: []string{"Gartenweg 7"}, City: "München", PostalCode: "80331"}}
	buyerFR = billing.InvoiceBuyer{Kind: billing.PayerCompany, Name: "Jean Martin", LegalName: "Nuage SARL", Country: "FR",
		Address: billing.Address{Lines: []string{"12 rue de la Paix"}, City: "Paris", PostalCode: "75002"}, TaxID: "FR40303265045"}
	sellerCA = billing.InvoiceSeller{LegalName: "Maple Hosting Inc.", Country: "CA",
		Address: billing.Address{Lines: []string{"100 Rue Sainte-Catherine"}, City: "Montréal", Region: "QC", PostalCode: "H2X 1Z4"}, TaxIDs: []string{"123456789RT0001"}}
	buyerCA = billing.InvoiceBuyer{Kind: billing.PayerIndividual, Name: "Émile Tremblay", Country: "CA", Region: "CA-QC",
		Address: billing.Address{Lines: []string{"5 Rue du Fort"}, City: "Québec", PostalCode: "G1R 3Z8"}}
	sellerUS = billing.InvoiceSeller{LegalName: "Acme Cloud LLC", Country: "US",
		Address: billing.Address{Lines: []string{"1 Market St"}, City: "San Francisco", Region: "CA", PostalCode: "94105"}}
	buyerUS = billing.InvoiceBuyer{Kind: billing.PayerCompany, Name: "Pat Lee", LegalName: "Open Source Foundation", Country: "US", Region: "US-OR",
		Address: billing.Address{Lines: []string{"2 Pine Ave"}, City: "Portland", PostalCode: "97201"}}
	sellerJP = billing.InvoiceSeller{LegalName: "Sakura Server KK", Country: "JP", Address: billing.Address{Lines: []string{"1-1 Chiyoda"}, City: "Tokyo", PostalCode: "100-0001"}}
	buyerJP  = billing.InvoiceBuyer{Kind: billing.PayerIndividual, Name: "Taro Yamada", Country: "JP", Address: billing.Address{City: "Osaka"}}
	sellerBH = billing.InvoiceSeller{LegalName: "Gulf Hosting WLL", Country: "BH", Address: billing.Address{City: "Manama"}, TaxIDs: []string{"200000000100002"}}
	buyerBH  = billing.InvoiceBuyer{Kind: billing.PayerIndividual, Name: "Ali Hassan", Country: "BH", Address: billing.Address{City: "Muharraq"}}
	sellerRU = billing.InvoiceSeller{LegalName: "ООО «Хостинг»", Country: "RU",
		Address: billing.Address{Lines: []string{"ул. Тверская, д. 1"}, City: "Москва", PostalCode: "125009"}, TaxIDs: []string{"7707083893"},
		BankAccounts: []billing.BankAccount{{BankName: "ПАО Сбербанк", Account: "40702810900000000001", BIC: "044525225"}}}
	buyerRU = billing.InvoiceBuyer{Kind: billing.PayerSoleProprietor, Name: "Иван Иванов", LegalName: "ИП Иванов Иван Иванович", Country: "RU",
		Address: billing.Address{Lines: []string{"ул. Ленина, д. 5, кв. 12"}, City: "Тверь", PostalCode: "170100"}, TaxID: "500100732259"}
)

var issueDay = billkit.MustDate(2026, 3, 5)

// build makes the invoice of s, issued on issueDay, its taxes computed by
// CalculateTaxes.
func build(t testing.TB, s spec) *billing.Invoice {
	t.Helper()
	if s.typ == "" {
		s.typ = billing.InvoiceFinal
	}
	if s.status == "" {
		s.status = billing.InvoiceIssued
	}
	if s.rounding == "" {
		s.rounding = billing.TaxRoundPerLine
	}
	s.decision.Rounding = s.rounding
	inv := &billing.Invoice{
		ID: billkit.MustParseID[billing.Invoice]("01900000-0000-7000-8000-000000000001"), Type: s.typ, Number: "INV-2026-00042",
		Currency: s.currency, Status: s.status, IssueDate: issueDay, DueDate: issueDay.AddDays(14),
		Seller: &s.seller, Buyer: &s.buyer, TaxDecision: &s.decision, Locale: s.locale, Memo: s.memo,
		CreatedAt: time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC), IssuedAt: time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC),
	}
	switch s.typ {
	case billing.InvoiceCreditNote:
		inv.Number, inv.CreditsInvoiceNumber, inv.DueDate = "CN-2026-00007", s.credits, billkit.Date{}
	case billing.InvoiceProforma:
		inv.Number = "PRO-2026-00003"
	}
	var taxable []billing.TaxableLine
	for i, l := range s.lines {
		price, err := billkit.ParseMoney(l.price, s.currency)
		if err != nil {
			t.Fatal(err)
		}
		qty := decimal.RequireFromString(l.qty)
		amount := price.Mul(qty).RoundTo(s.digits, billkit.RoundHalfUp)
		inv.Lines = append(inv.Lines, billing.InvoiceLine{Position: i + 1, Description: l.desc, Quantity: qty, UnitPrice: price, Amount: amount, AppliedTaxes: l.taxes})
		taxable = append(taxable, billing.TaxableLine{Amount: amount, Taxes: l.taxes})
	}
	tt, err := billing.CalculateTaxes(taxable, s.rounding, s.digits)
	if err != nil {
		t.Fatal(err)
	}
	for i := range inv.Lines {
		l := &inv.Lines[i]
		l.Net, l.Tax, l.Gross, l.Taxes = tt.Lines[i].Net, tt.Lines[i].Tax, tt.Lines[i].Gross, tt.Lines[i].Taxes
	}
	inv.Totals = billing.TaxTotals{Summary: tt.Summary, Net: tt.Net, Tax: tt.Tax, Gross: tt.Gross}
	zero := tt.Gross.Sub
	inv.Paid, _ = zero(tt.Gross)
	inv.Credited = inv.Paid
	if s.paid != "" {
		inv.Paid = billkit.MustParseMoney(s.paid, s.currency)
	}
	return inv
}

func lines(desc, qty, price string, n int, taxes ...billing.AppliedTax) []specLine {
	out := make([]specLine, n)
	for i := range out {
		out[i] = specLine{desc: desc, qty: qty, price: price, taxes: taxes}
	}
	return out
}

var (
	vat20     = tax("vat", "VAT", "20", 1, false, false)
	vat20incl = tax("vat", "VAT", "20", 1, false, true)
	gst       = tax("gst", "GST", "5", 1, false, false)
	qst       = tax("qst", "QST", "9.975", 2, false, false)
	pst       = tax("pst", "PST", "9.5", 2, true, false)
)

// goldenCases are the documents whose renderings are kept in testdata.
func goldenCases() map[string]spec {
	third := []specLine{{"Shared hosting, first third", "1", "3.33", []billing.AppliedTax{vat20}},
		{"Shared hosting, second third", "1", "3.33", []billing.AppliedTax{vat20}}, {"Shared hosting, last third", "1", "3.34", []billing.AppliedTax{vat20}}}
	small := lines("DNS query pack", "1", "0.05", 20, tax("vat", "VAT", "7", 1, false, false))
	return map[string]spec{
		"vat20_exclusive": {locale: "en", currency: "EUR", digits: 2, seller: sellerDE, buyer: buyerDE,
			lines: []specLine{{"VDS L, March 2026", "1", "100.00", []billing.AppliedTax{vat20}}, {"Backup storage, GB", "2.5", "4.99", []billing.AppliedTax{vat20}}}},
		"vat20_inclusive": {locale: "en", currency: "EUR", digits: 2, seller: sellerDE, buyer: buyerDE,
			lines: []specLine{{"VDS L, March 2026", "1", "120.00", []billing.AppliedTax{vat20incl}}, {"Extra IPv4", "3", "9.99", []billing.AppliedTax{vat20incl}}}},
		"reverse_charge": {locale: "en", currency: "EUR", digits: 2, seller: sellerDE, buyer: buyerFR,
			decision: billing.TaxDecision{ReverseCharge: true, Note: "VAT ID FR40303265045 checked in VIES"},
			lines:    []specLine{{"Dedicated server DS-4, March 2026", "1", "249.00", nil}}},
		"two_level_gst_qst": {locale: "en", currency: "CAD", digits: 2, seller: sellerCA, buyer: buyerCA,
			lines: []specLine{{"VPS Pro, March 2026", "1", "100.00", []billing.AppliedTax{gst, qst}}, {"Domain example.ca", "1", "19.99", []billing.AppliedTax{gst, qst}}}},
		"compound": {locale: "en", currency: "CAD", digits: 2, seller: sellerCA, buyer: buyerCA,
			lines: []specLine{{"VPS Pro, March 2026", "1", "100.00", []billing.AppliedTax{gst, pst}}}},
		"exempt": {locale: "en", currency: "USD", digits: 2, seller: sellerUS, buyer: buyerUS,
			decision: billing.TaxDecision{Exempt: true, Note: "Exempt from tax: 501(c)(3) organization (certificate 12-3456789)"},
			lines:    []specLine{{"Cloud server C2, March 2026", "2", "40.00", nil}}},
		"jpy": {locale: "en", currency: "JPY", digits: 0, seller: sellerJP, buyer: buyerJP,
			lines: []specLine{{"VPS 2GB", "1", "1980", []billing.AppliedTax{tax("ct", "Consumption tax", "10", 1, false, false)}}, {"Snapshot", "3", "333", []billing.AppliedTax{tax("ct", "Consumption tax", "10", 1, false, false)}}}},
		"bhd": {locale: "en", currency: "BHD", digits: 3, seller: sellerBH, buyer: buyerBH,
			lines: []specLine{{"Web hosting", "1", "12.345", []billing.AppliedTax{tax("vat", "VAT", "10", 1, false, false)}}, {"SSL certificate", "2", "0.125", []billing.AppliedTax{tax("vat", "VAT", "10", 1, false, false)}}}},
		"third_per_line":           {locale: "en", currency: "EUR", digits: 2, seller: sellerDE, buyer: buyerDE, lines: third},
		"third_per_document":       {locale: "en", currency: "EUR", digits: 2, seller: sellerDE, buyer: buyerDE, lines: third, rounding: billing.TaxRoundPerDocument},
		"small_lines_per_line":     {locale: "en", currency: "EUR", digits: 2, seller: sellerDE, buyer: buyerDE, lines: small},
		"small_lines_per_document": {locale: "en", currency: "EUR", digits: 2, seller: sellerDE, buyer: buyerDE, lines: small, rounding: billing.TaxRoundPerDocument},
		"credit_note": {typ: billing.InvoiceCreditNote, locale: "en", currency: "EUR", digits: 2, seller: sellerDE, buyer: buyerDE, credits: "INV-2026-00042",
			memo:  "Backup storage was not delivered.",
			lines: []specLine{{"Credit: Backup storage, GB", "2.5", "-4.99", []billing.AppliedTax{vat20}}}},
		"russian": {locale: "ru", currency: "RUB", digits: 2, seller: sellerRU, buyer: buyerRU,
			lines: []specLine{{"Виртуальный сервер VDS-2, март 2026", "1", "1500.00", []billing.AppliedTax{tax("vat", "НДС", "20", 1, false, false)}},
				{"Резервное копирование, ГБ", "2.5", "99.99", []billing.AppliedTax{tax("vat", "НДС", "20", 1, false, false)}}}},
		"euro_partly_paid": {typ: billing.InvoiceProforma, status: billing.InvoicePartlyPaid, locale: "de", currency: "EUR", digits: 2, seller: sellerDE, buyer: buyerDE, paid: "50.00",
			lines: []specLine{{"Managed Kubernetes, März 2026", "1", "199.00", []billing.AppliedTax{tax("vat", "USt.", "19", 1, false, false)}}}},
	}
}

func TestGoldenInvoices(t *testing.T) {
	tpl := render.NewTemplates()
	for name, s := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			inv := build(t, s)
			txt, err := render.Text(inv, render.Options{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".txt.golden", []byte(txt))
			var html bytes.Buffer
			if err := tpl.HTML(&html, inv, render.Options{}); err != nil {
				t.Fatal(err)
			}
			golden(t, name+".html.golden", html.Bytes())
		})
	}
}

// TestGoldenRoundingDiffers shows the 1/3 split and the small lines where
// the two roundings disagree, as the golden files keep them.
func TestGoldenRoundingDiffers(t *testing.T) {
	cases := goldenCases()
	for _, pair := range [][2]string{{"third_per_line", "third_per_document"}, {"small_lines_per_line", "small_lines_per_document"}} {
		a, b := build(t, cases[pair[0]]), build(t, cases[pair[1]])
		if a.Totals.Tax.Equal(b.Totals.Tax) {
			t.Errorf("%s and %s have the same tax %s", pair[0], pair[1], a.Totals.Tax)
		}
	}
	if got := build(t, cases["third_per_document"]).Totals.Tax.String(); got != "2.00 EUR" {
		t.Errorf("per document, the thirds' tax is %s", got)
	}
	if got := build(t, cases["small_lines_per_document"]).Totals.Tax.String(); got != "0.07 EUR" {
		t.Errorf("per document, the small lines' tax is %s", got)
	}
	if got := build(t, cases["small_lines_per_line"]).Totals.Tax.String(); got != "0.00 EUR" {
		t.Errorf("per line, the small lines' tax is %s", got)
	}
}

// pdfText returns the text of the PDF's content streams: gofpdf writes
// text in the embedded font as UTF-16BE code points (Identity-H, whose
// CIDs are the code points).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	var out strings.Builder
	streams := regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllSubmatch(pdf, -1)
	strs := regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\)\s*Tj`)
	for _, s := range streams {
		r, err := zlib.NewReader(bytes.NewReader(s[1]))
		if err != nil {
			continue
		}
		content, err := io.ReadAll(r)
		if err != nil {
			continue
		}
		for _, m := range strs.FindAllSubmatch(content, -1) {
			raw := unescapePDF(m[1])
			if len(raw)%2 != 0 {
				continue
			}
			u := make([]uint16, len(raw)/2)
			for i := range u {
				u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
			}
			out.WriteString(string(utf16.Decode(u)))
			out.WriteString("\n")
		}
	}
	return out.String()
}

// unescapePDF undoes the escapes of a PDF literal string.
func unescapePDF(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 == len(b) {
			out = append(out, b[i])
			continue
		}
		i++
		switch b[i] {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		default:
			if b[i] >= '0' && b[i] <= '7' {
				n, j := 0, i
				for ; j < len(b) && j < i+3 && b[j] >= '0' && b[j] <= '7'; j++ {
					n = n*8 + int(b[j]-'0')
				}
				out = append(out, byte(n))
				i = j - 1
				continue
			}
			out = append(out, b[i])
		}
	}
	return out
}

func TestPDF(t *testing.T) {
	cases := goldenCases()
	for _, name := range []string{"euro_partly_paid", "russian", "vat20_exclusive"} {
		t.Run(name, func(t *testing.T) {
			inv := build(t, cases[name])
			a, err := render.PDF(inv, render.Options{})
			if err != nil {
				t.Fatal(err)
			}
			b, err := render.PDF(inv, render.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(a, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimSpace(a), []byte("%%EOF")) {
				t.Fatalf("not a PDF: %q...%q", a[:min(20, len(a))], a[max(0, len(a)-20):])
			}
			if !bytes.Equal(a, b) {
				t.Fatal("two renderings of one invoice differ")
			}
			for _, want := range []string{"/BaseFont /utf8" + render.FontFamily, "/FontFile2", "/CreationDate (D:20260305000000)", "/ModDate (D:20260305000000)"} {
				if !bytes.Contains(a, []byte(want)) {
					t.Fatalf("the PDF lacks %q", want)
				}
			}
			// Lines that wrap come back as two strings.
			txt := strings.ReplaceAll(pdfText(t, a), "\n", " ")
			doc, err := render.NewDocument(inv, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{doc.Gross, doc.Lines[0].Description, doc.Seller.Name, doc.Labels["total_gross"]} {
				if !strings.Contains(txt, want) {
					t.Fatalf("the PDF's text lacks %q:\n%s", want, txt)
				}
			}
		})
	}
	// Renderings in parallel give the same bytes.
	inv := build(t, cases["russian"])
	want, err := render.PDF(inv, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]byte, 4)
	errs := make([]error, 4)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = render.PDF(inv, render.Options{})
		}()
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil || !bytes.Equal(got[i], want) {
			t.Fatalf("parallel rendering %d differs: %v", i, errs[i])
		}
	}
	// The euro sign and Cyrillic print.
	euro, err := render.PDF(build(t, cases["euro_partly_paid"]), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if txt := pdfText(t, euro); !strings.Contains(txt, "€") || !strings.Contains(txt, "199,00\u00a0€") {
		t.Fatalf("no € in the PDF's text:\n%s", txt)
	}
	ru, err := render.PDF(build(t, cases["russian"]), render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if txt := pdfText(t, ru); !strings.Contains(txt, "Итого") || !strings.Contains(txt, "₽") || !strings.Contains(txt, "НДС") {
		t.Fatalf("no Russian in the PDF's text:\n%s", txt)
	}
	// Another language for the same invoice gives another PDF.
	en, err := render.PDF(build(t, cases["russian"]), render.Options{Locale: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(en, ru) || !strings.Contains(pdfText(t, en), "Total") {
		t.Fatal("the locale option changed nothing")
	}
}

func TestTemplates(t *testing.T) {
	inv := build(t, goldenCases()["vat20_exclusive"])
	inv.CompanyID = billkit.NewID[billing.Company]()
	tpl := render.NewTemplates()
	var b bytes.Buffer
	if err := tpl.HTML(&b, inv, render.Options{Locale: "ru"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Счёт № INV-2026-00042") || !strings.Contains(b.String(), "134,98\u00a0€") {
		t.Fatalf("Russian rendering:\n%s", b.String())
	}
	if err := tpl.SetCompanyTemplate(inv.CompanyID, `<p>{{.Title}} {{.Number}}: {{.Gross}} &amp; {{.Buyer.Name}}</p>`); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	inv.Buyer.Name = "<script>"
	if err := tpl.HTML(&b, inv, render.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "<p>Invoice INV-2026-00042: €134.98 &amp; &lt;script&gt;</p>" {
		t.Fatalf("company template: %s", got)
	}
	other := *inv
	other.CompanyID = billkit.NewID[billing.Company]()
	b.Reset()
	if err := tpl.HTML(&b, &other, render.Options{}); err != nil || !strings.HasPrefix(b.String(), "<!DOCTYPE html>") {
		t.Fatalf("another company: %v\n%s", err, b.String())
	}
	for _, bad := range []string{`{{.Nope}}`, `{{.Labels.nope}}`, `{{if}}`} {
		err := tpl.SetCompanyTemplate(inv.CompanyID, bad)
		if billkit.ErrorCode(err) != billkit.CodeInvalid || billkit.ErrorReason(err) != render.ReasonTemplateInvalid {
			t.Fatalf("template %q: %v", bad, err)
		}
	}
	tpl.RemoveCompanyTemplate(inv.CompanyID)
	b.Reset()
	if err := tpl.HTML(&b, inv, render.Options{}); err != nil || !strings.HasPrefix(b.String(), "<!DOCTYPE html>") {
		t.Fatalf("after removing: %v", err)
	}
	if !strings.Contains(render.DefaultTemplate(), "{{.Title}}") {
		t.Fatal("DefaultTemplate is not the built-in template")
	}
}

func TestDraftDocument(t *testing.T) {
	inv := build(t, goldenCases()["vat20_exclusive"])
	inv.Status, inv.Number, inv.Seller, inv.Buyer, inv.IssueDate, inv.DueDate = billing.InvoiceDraft, "", nil, nil, billkit.Date{}, billkit.Date{}
	for i := range inv.Lines {
		l := &inv.Lines[i]
		l.Net, l.Tax, l.Gross, l.Taxes = billkit.Money{}, billkit.Money{}, billkit.Money{}, nil
	}
	txt, err := render.Text(inv, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(txt, "Draft: Invoice\n") || !strings.Contains(txt, "€12.48") {
		t.Fatalf("draft:\n%s", txt)
	}
	if _, err := render.PDF(inv, render.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := render.Text(nil, render.Options{}); billkit.ErrorCode(err) != billkit.CodeInvalid {
		t.Fatalf("nil invoice: %v", err)
	}
}

// BenchmarkPDF renders the Russian golden invoice as PDF:
//
//	go test ./billing/render -run XXX -bench PDF
func BenchmarkPDF(b *testing.B) {
	inv := build(b, goldenCases()["russian"])
	for b.Loop() {
		if _, err := render.PDF(inv, render.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHTML renders the same invoice as HTML.
func BenchmarkHTML(b *testing.B) {
	inv := build(b, goldenCases()["russian"])
	tpl := render.NewTemplates()
	for b.Loop() {
		if err := tpl.HTML(io.Discard, inv, render.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
