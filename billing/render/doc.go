// Package render turns billing's documents (invoices, proformas, credit
// notes, receipts) into HTML, PDF and plain text, in English or Russian,
// with amounts formatted for the locale (billkit.Money.Format).
//
// All three renderings start from one Document, built by NewDocument from
// a billing.Invoice: the same words and figures whatever the format. HTML
// comes from html/template: Templates holds a built-in template and,
// per company, a template the embedder registers (SetCompanyTemplate). PDF
// is laid out with maroto and embeds the DejaVu Sans font, so Cyrillic and
// currency signs print; its bytes depend only on the document.
//
// render imports billing; billing never imports render, so the money core
// carries no template or PDF code.
package render
