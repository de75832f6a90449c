-- Invoices: documents of every type (proforma, invoice, credit note,
-- receipt) with their lines, and the number series companies set per
-- document type. Amounts are NUMERIC in the document's currency; the frozen
-- seller, buyer, tax decision and tax summary are jsonb, read and written
-- whole.
CREATE TABLE billkit_invoices (
    id                     uuid PRIMARY KEY,
    type                   text NOT NULL,
    "number"               text NOT NULL,
    company_id             uuid NOT NULL REFERENCES billkit_companies (id),
    client_id              uuid NOT NULL REFERENCES billkit_clients (id),
    payer_id               uuid NOT NULL REFERENCES billkit_payers (id),
    currency               text NOT NULL REFERENCES billkit_currencies (code),
    status                 text NOT NULL,
    issue_date             date,
    due_date               date,
    seller                 jsonb,
    buyer                  jsonb,
    tax_decision           jsonb,
    tax_summary            jsonb NOT NULL,
    net                    numeric NOT NULL,
    tax                    numeric NOT NULL,
    gross                  numeric NOT NULL,
    paid                   numeric NOT NULL,
    credited               numeric NOT NULL,
    credits_invoice_id     uuid REFERENCES billkit_invoices (id),
    credits_invoice_number text NOT NULL,
    payment_id             uuid,
    locale                 text NOT NULL,
    memo                   text NOT NULL,
    issued_at              timestamptz,
    paid_at                timestamptz,
    voided_at              timestamptz,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
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
    invoice_id        uuid NOT NULL REFERENCES billkit_invoices (id) ON DELETE CASCADE,
    position          integer NOT NULL,
    description       text NOT NULL,
    quantity          numeric NOT NULL,
    unit_price        numeric NOT NULL,
    product_type      text NOT NULL,
    expense_id        uuid,
    amount            numeric NOT NULL,
    applied_taxes     jsonb NOT NULL,
    net               numeric,
    tax               numeric,
    gross             numeric,
    taxes             jsonb NOT NULL,
    credits_position  integer NOT NULL,
    charge_expense_id uuid,
    PRIMARY KEY (invoice_id, position)
);
--bun:split
CREATE INDEX billkit_invoice_lines_expense_idx ON billkit_invoice_lines (expense_id) WHERE expense_id IS NOT NULL;
--bun:split
CREATE TABLE billkit_invoice_series (
    company_id uuid NOT NULL REFERENCES billkit_companies (id),
    type       text NOT NULL,
    format     text NOT NULL,
    reset      text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (company_id, type)
);
