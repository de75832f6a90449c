ALTER TABLE billkit_service_notices DROP COLUMN invoice_id;
--bun:split
ALTER TABLE billkit_invoice_lines DROP COLUMN advance;
