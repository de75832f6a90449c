DROP TABLE IF EXISTS billkit_invoice_series;
--bun:split
DROP TABLE IF EXISTS billkit_invoice_lines;
--bun:split
DROP TABLE IF EXISTS billkit_invoices;
