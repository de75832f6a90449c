CREATE TABLE billkit_payment_methods (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL REFERENCES billkit_companies (id),
    provider_ids TEXT NOT NULL,
    gateway      TEXT NOT NULL,
    name         TEXT NOT NULL,
    currency     TEXT NOT NULL,
    min_amount   TEXT NOT NULL,
    max_amount   TEXT NOT NULL,
    enabled      INTEGER NOT NULL,
    sort_order   INTEGER NOT NULL,
    settings     TEXT NOT NULL,
    instructions TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_payment_methods_company_idx ON billkit_payment_methods (company_id, sort_order, id);
--bun:split
CREATE INDEX billkit_payment_methods_order_idx ON billkit_payment_methods (sort_order, id);
--bun:split
CREATE TABLE billkit_payments (
    id                 TEXT PRIMARY KEY,
    client_id          TEXT NOT NULL REFERENCES billkit_clients (id),
    company_id         TEXT NOT NULL REFERENCES billkit_companies (id),
    method_id          TEXT NOT NULL REFERENCES billkit_payment_methods (id),
    gateway            TEXT NOT NULL,
    amount             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    credited           TEXT,
    credited_currency  TEXT NOT NULL,
    rate               TEXT,
    refunded           TEXT NOT NULL,
    status             TEXT NOT NULL,
    invoice_id         TEXT,
    gateway_payment_id TEXT,
    redirect_url       TEXT NOT NULL,
    form               TEXT,
    instructions       TEXT NOT NULL,
    reference          TEXT NOT NULL,
    memo               TEXT NOT NULL,
    saved_method_ref   TEXT NOT NULL,
    message            TEXT NOT NULL,
    attention          TEXT NOT NULL,
    attempts           INTEGER NOT NULL,
    check_after        TEXT,
    paid_at            TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
--bun:split
CREATE UNIQUE INDEX billkit_payments_gateway_key ON billkit_payments (gateway, gateway_payment_id) WHERE gateway_payment_id IS NOT NULL;
--bun:split
CREATE INDEX billkit_payments_created_idx ON billkit_payments (created_at, id);
--bun:split
CREATE INDEX billkit_payments_client_idx ON billkit_payments (client_id, created_at, id);
--bun:split
CREATE INDEX billkit_payments_method_idx ON billkit_payments (method_id, created_at, id);
--bun:split
CREATE INDEX billkit_payments_invoice_idx ON billkit_payments (invoice_id) WHERE invoice_id IS NOT NULL;
--bun:split
CREATE INDEX billkit_payments_due_idx ON billkit_payments (check_after) WHERE check_after IS NOT NULL;
--bun:split
CREATE TABLE billkit_payment_refunds (
    id                TEXT PRIMARY KEY,
    payment_id        TEXT NOT NULL REFERENCES billkit_payments (id),
    amount            TEXT NOT NULL,
    currency          TEXT NOT NULL,
    debited           TEXT,
    debited_currency  TEXT NOT NULL,
    status            TEXT NOT NULL,
    source            TEXT NOT NULL,
    gateway_refund_id TEXT NOT NULL,
    gateway_pending   INTEGER NOT NULL,
    reason            TEXT NOT NULL,
    message           TEXT NOT NULL,
    actor_kind        TEXT NOT NULL,
    actor_id          TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_payment_refunds_payment_idx ON billkit_payment_refunds (payment_id, id);
--bun:split
CREATE TABLE billkit_payment_events (
    gateway     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    payment_id  TEXT NOT NULL REFERENCES billkit_payments (id),
    status      TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (gateway, event_id)
);
--bun:split
CREATE INDEX billkit_payment_events_payment_idx ON billkit_payment_events (payment_id);
--bun:split
CREATE TABLE billkit_saved_payment_methods (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES billkit_clients (id),
    method_id  TEXT NOT NULL REFERENCES billkit_payment_methods (id) ON DELETE CASCADE,
    gateway    TEXT NOT NULL,
    ref        TEXT NOT NULL,
    label      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CONSTRAINT billkit_saved_payment_methods_ref_key UNIQUE (client_id, method_id, ref)
);
--bun:split
CREATE INDEX billkit_saved_payment_methods_method_idx ON billkit_saved_payment_methods (method_id);
