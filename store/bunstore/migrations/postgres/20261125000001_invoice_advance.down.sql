ALTER TABLE billkit_service_notices DROP COLUMN IF EXISTS invoice_id;
--bun:split
ALTER TABLE billkit_invoice_lines DROP COLUMN IF EXISTS advance;
