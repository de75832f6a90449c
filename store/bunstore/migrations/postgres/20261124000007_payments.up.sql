CREATE TABLE billkit_payment_methods (
    id           uuid PRIMARY KEY,
    company_id   uuid NOT NULL REFERENCES billkit_companies (id),
    provider_ids jsonb NOT NULL,
    gateway      text NOT NULL,
    name         jsonb NOT NULL,
    currency     text NOT NULL,
    min_amount   numeric NOT NULL,
    max_amount   numeric NOT NULL,
    enabled      boolean NOT NULL,
    sort_order   integer NOT NULL,
    settings     jsonb NOT NULL,
    instructions jsonb NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_payment_methods_company_idx ON billkit_payment_methods (company_id, sort_order, id);
--bun:split
CREATE INDEX billkit_payment_methods_order_idx ON billkit_payment_methods (sort_order, id);
--bun:split
CREATE TABLE billkit_payments (
    id                 uuid PRIMARY KEY,
    client_id          uuid NOT NULL REFERENCES billkit_clients (id),
    company_id         uuid NOT NULL REFERENCES billkit_companies (id),
    method_id          uuid NOT NULL REFERENCES billkit_payment_methods (id),
    gateway            text NOT NULL,
    amount             numeric NOT NULL,
    currency           text NOT NULL,
    credited           numeric,
    credited_currency  text NOT NULL,
    rate               numeric,
    refunded           numeric NOT NULL,
    status             text NOT NULL,
    invoice_id         uuid,
    gateway_payment_id text,
    redirect_url       text NOT NULL,
    form               jsonb,
    instructions       text NOT NULL,
    reference          text NOT NULL,
    memo               text NOT NULL,
    saved_method_ref   text NOT NULL,
    message            text NOT NULL,
    attention          text NOT NULL,
    attempts           integer NOT NULL,
    check_after        timestamptz,
    paid_at            timestamptz,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
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
    id                uuid PRIMARY KEY,
    payment_id        uuid NOT NULL REFERENCES billkit_payments (id),
    amount            numeric NOT NULL,
    currency          text NOT NULL,
    debited           numeric,
    debited_currency  text NOT NULL,
    status            text NOT NULL,
    source            text NOT NULL,
    gateway_refund_id text NOT NULL,
    gateway_pending   boolean NOT NULL,
    reason            text NOT NULL,
    message           text NOT NULL,
    actor_kind        text NOT NULL,
    actor_id          text NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_payment_refunds_payment_idx ON billkit_payment_refunds (payment_id, id);
--bun:split
CREATE TABLE billkit_payment_events (
    gateway     text NOT NULL,
    event_id    text NOT NULL,
    payment_id  uuid NOT NULL REFERENCES billkit_payments (id),
    status      text NOT NULL,
    received_at timestamptz NOT NULL,
    PRIMARY KEY (gateway, event_id)
);
--bun:split
CREATE INDEX billkit_payment_events_payment_idx ON billkit_payment_events (payment_id);
--bun:split
CREATE TABLE billkit_saved_payment_methods (
    id         uuid PRIMARY KEY,
    client_id  uuid NOT NULL REFERENCES billkit_clients (id),
    method_id  uuid NOT NULL REFERENCES billkit_payment_methods (id) ON DELETE CASCADE,
    gateway    text NOT NULL,
    ref        text NOT NULL,
    label      text NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT billkit_saved_payment_methods_ref_key UNIQUE (client_id, method_id, ref)
);
--bun:split
CREATE INDEX billkit_saved_payment_methods_method_idx ON billkit_saved_payment_methods (method_id);
