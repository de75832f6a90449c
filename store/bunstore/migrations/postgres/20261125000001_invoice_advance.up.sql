-- A proforma's line that asks in advance for money something else charges
-- later (an order, a renewal): paying the document leaves it on the
-- balance instead of charging the line.
ALTER TABLE billkit_invoice_lines ADD COLUMN advance boolean NOT NULL DEFAULT false;
--bun:split
-- The proforma a renewal invoice reminder issued. No foreign key: SQLite
-- cannot drop a column that has one, and an issued document is never
-- deleted.
ALTER TABLE billkit_service_notices ADD COLUMN invoice_id uuid;
