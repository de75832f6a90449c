-- Provisioning: datacenters and servers, orders, services with their
-- history, paid periods (renewals) and reminders (notices), and the tasks
-- that call processing modules with their attempts. Amounts are TEXT
-- holding exact decimals beside a currency column, compared and summed in
-- Go; instants are UTC text, dates "YYYY-MM-DD", IDs TEXT, booleans
-- INTEGER; addons, params, order items and a task's input are JSON text;
-- credentials a BLOB.
CREATE TABLE billkit_datacenters (
    id          TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES billkit_providers (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,
    enabled     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT billkit_datacenters_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_servers (
    id            TEXT PRIMARY KEY,
    provider_id   TEXT NOT NULL REFERENCES billkit_providers (id),
    datacenter_id TEXT NOT NULL REFERENCES billkit_datacenters (id),
    module        TEXT NOT NULL,
    name          TEXT NOT NULL,
    url           TEXT NOT NULL,
    params        TEXT NOT NULL,
    -- Encrypted by the manager before they get here.
    credentials   BLOB,
    capacity      INTEGER NOT NULL,
    load          INTEGER NOT NULL,
    enabled       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_servers_provider_idx ON billkit_servers (provider_id, id);
--bun:split
CREATE INDEX billkit_servers_datacenter_idx ON billkit_servers (datacenter_id, id);
--bun:split
CREATE TABLE billkit_orders (
    id          TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES billkit_providers (id),
    client_id   TEXT NOT NULL REFERENCES billkit_clients (id),
    status      TEXT NOT NULL,
    pay_by      TEXT NOT NULL,
    items       TEXT NOT NULL,
    total       TEXT NOT NULL,
    currency    TEXT NOT NULL,
    -- No foreign key: an order only notes the invoice that pays it, and
    -- the invoices' migration stays reversible on its own.
    invoice_id  TEXT,
    payment_id  TEXT REFERENCES billkit_payments (id),
    cancel_at   TEXT,
    paid_at     TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_orders_client_idx ON billkit_orders (client_id, id);
--bun:split
-- The unpaid orders to cancel.
CREATE INDEX billkit_orders_cancel_idx ON billkit_orders (status, cancel_at) WHERE cancel_at IS NOT NULL;
--bun:split
CREATE TABLE billkit_services (
    id                   TEXT PRIMARY KEY,
    provider_id          TEXT NOT NULL REFERENCES billkit_providers (id),
    client_id            TEXT NOT NULL REFERENCES billkit_clients (id),
    order_id             TEXT REFERENCES billkit_orders (id),
    product_type_id      TEXT NOT NULL REFERENCES billkit_catalog_product_types (id),
    tariff_id            TEXT NOT NULL REFERENCES billkit_catalog_tariffs (id),
    name                 TEXT NOT NULL,
    period               TEXT NOT NULL,
    status               TEXT NOT NULL,
    operation            TEXT NOT NULL,
    -- No foreign key: the service points at the task of its current
    -- operation, which refers back to it, and either may be written first.
    task_id              TEXT,
    prev_status          TEXT NOT NULL,
    suspend_reason       TEXT NOT NULL,
    suspended_on         TEXT,
    anchor_on            TEXT,
    periods_paid         INTEGER NOT NULL,
    expires_on           TEXT,
    auto_renew           INTEGER NOT NULL,
    price                TEXT NOT NULL,
    currency             TEXT NOT NULL,
    special_price        INTEGER NOT NULL,
    addons               TEXT NOT NULL,
    domain               TEXT NOT NULL,
    os_image             TEXT NOT NULL,
    datacenter_id        TEXT REFERENCES billkit_datacenters (id),
    server_id            TEXT REFERENCES billkit_servers (id),
    params               TEXT NOT NULL,
    delete_at_period_end INTEGER NOT NULL,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_services_client_idx ON billkit_services (client_id, id);
--bun:split
CREATE INDEX billkit_services_provider_idx ON billkit_services (provider_id, id);
--bun:split
-- The billing cycle's scan: services of some statuses expiring before a day.
CREATE INDEX billkit_services_cycle_idx ON billkit_services (status, expires_on) WHERE expires_on IS NOT NULL;
--bun:split
CREATE INDEX billkit_services_tariff_idx ON billkit_services (tariff_id, id);
--bun:split
-- A client's services of a tariff, for the tariff's limit per client.
CREATE INDEX billkit_services_client_tariff_idx ON billkit_services (client_id, tariff_id);
--bun:split
CREATE INDEX billkit_services_server_idx ON billkit_services (server_id, id) WHERE server_id IS NOT NULL;
--bun:split
CREATE TABLE billkit_tasks (
    id           TEXT PRIMARY KEY,
    service_id   TEXT NOT NULL REFERENCES billkit_services (id),
    client_id    TEXT NOT NULL REFERENCES billkit_clients (id),
    operation    TEXT NOT NULL,
    module       TEXT NOT NULL,
    status       TEXT NOT NULL,
    input        TEXT,
    attempts     INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    next_run_at  TEXT NOT NULL,
    lease_until  TEXT,
    last_error   TEXT NOT NULL,
    department   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    finished_at  TEXT
);
--bun:split
-- What workers may claim: queued tasks by when they are due, running ones
-- by when their lease ends.
CREATE INDEX billkit_tasks_due_idx ON billkit_tasks (status, next_run_at);
--bun:split
CREATE INDEX billkit_tasks_lease_idx ON billkit_tasks (status, lease_until) WHERE lease_until IS NOT NULL;
--bun:split
CREATE INDEX billkit_tasks_service_idx ON billkit_tasks (service_id, id);
--bun:split
CREATE INDEX billkit_tasks_client_idx ON billkit_tasks (client_id, id);
--bun:split
CREATE TABLE billkit_task_attempts (
    task_id     TEXT NOT NULL REFERENCES billkit_tasks (id),
    attempt     INTEGER NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    error       TEXT NOT NULL,
    PRIMARY KEY (task_id, attempt)
);
--bun:split
CREATE TABLE billkit_service_events (
    id          TEXT PRIMARY KEY,
    service_id  TEXT NOT NULL REFERENCES billkit_services (id),
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    changes     TEXT NOT NULL,
    memo        TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_service_events_service_idx ON billkit_service_events (service_id, at, id);
--bun:split
-- One row per paid period: the primary key is what makes the billing cycle
-- charge a period once, however many processes run it.
CREATE TABLE billkit_service_renewals (
    service_id   TEXT NOT NULL REFERENCES billkit_services (id),
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    client_id    TEXT NOT NULL REFERENCES billkit_clients (id),
    amount       TEXT NOT NULL,
    currency     TEXT NOT NULL,
    expense_id   TEXT REFERENCES billkit_expenses (id),
    kind         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (service_id, period_start)
);
--bun:split
CREATE INDEX billkit_service_renewals_client_idx ON billkit_service_renewals (client_id, period_start, service_id);
--bun:split
-- One row per reminder sent: the primary key makes it sent once.
CREATE TABLE billkit_service_notices (
    service_id  TEXT NOT NULL REFERENCES billkit_services (id),
    expires_on  TEXT NOT NULL,
    days_before INTEGER NOT NULL,
    client_id   TEXT NOT NULL REFERENCES billkit_clients (id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (service_id, expires_on, days_before)
);
--bun:split
CREATE INDEX billkit_service_notices_client_idx ON billkit_service_notices (client_id, service_id, expires_on, days_before);
