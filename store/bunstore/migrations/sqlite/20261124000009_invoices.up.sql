-- Invoices: documents of every type (proforma, invoice, credit note,
-- receipt) with their lines, and the number series companies set per
-- document type. Amounts are TEXT decimals in the document's currency,
-- never summed by SQLite; the frozen seller, buyer, tax decision and tax
-- summary are JSON text, read and written whole.
CREATE TABLE billkit_invoices (
    id                     TEXT PRIMARY KEY,
    type                   TEXT NOT NULL,
    "number"               TEXT NOT NULL,
    company_id             TEXT NOT NULL REFERENCES billkit_companies (id),
    client_id              TEXT NOT NULL REFERENCES billkit_clients (id),
    payer_id               TEXT NOT NULL REFERENCES billkit_payers (id),
    currency               TEXT NOT NULL REFERENCES billkit_currencies (code),
    status                 TEXT NOT NULL,
    issue_date             TEXT,
    due_date               TEXT,
    seller                 TEXT,
    buyer                  TEXT,
    tax_decision           TEXT,
    tax_summary            TEXT NOT NULL,
    net                    TEXT NOT NULL,
    tax                    TEXT NOT NULL,
    gross                  TEXT NOT NULL,
    paid                   TEXT NOT NULL,
    credited               TEXT NOT NULL,
    credits_invoice_id     TEXT REFERENCES billkit_invoices (id),
    credits_invoice_number TEXT NOT NULL,
    payment_id             TEXT,
    locale                 TEXT NOT NULL,
    memo                   TEXT NOT NULL,
    issued_at              TEXT,
    paid_at                TEXT,
    voided_at              TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
--bun:split
-- A number is unique within its company; drafts have none yet.
CREATE UNIQUE INDEX billkit_invoices_number_key ON billkit_invoices (company_id, "number") WHERE "number" <> '';
--bun:split
CREATE INDEX billkit_invoices_client_idx ON billkit_invoices (client_id, id);
--bun:split
CREATE INDEX billkit_invoices_status_due_idx ON billkit_invoices (status, due_date);
--bun:split
CREATE INDEX billkit_invoices_credits_idx ON billkit_invoices (credits_invoice_id) WHERE credits_invoice_id IS NOT NULL;
--bun:split
CREATE TABLE billkit_invoice_lines (
    invoice_id        TEXT NOT NULL REFERENCES billkit_invoices (id) ON DELETE CASCADE,
    position          INTEGER NOT NULL,
    description       TEXT NOT NULL,
    quantity          TEXT NOT NULL,
    unit_price        TEXT NOT NULL,
    product_type      TEXT NOT NULL,
    expense_id        TEXT,
    amount            TEXT NOT NULL,
    applied_taxes     TEXT NOT NULL,
    net               TEXT,
    tax               TEXT,
    gross             TEXT,
    taxes             TEXT NOT NULL,
    credits_position  INTEGER NOT NULL,
    charge_expense_id TEXT,
    PRIMARY KEY (invoice_id, position)
);
--bun:split
CREATE INDEX billkit_invoice_lines_expense_idx ON billkit_invoice_lines (expense_id) WHERE expense_id IS NOT NULL;
--bun:split
CREATE TABLE billkit_invoice_series (
    company_id TEXT NOT NULL REFERENCES billkit_companies (id),
    type       TEXT NOT NULL,
    format     TEXT NOT NULL,
    reset      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (company_id, type)
);
