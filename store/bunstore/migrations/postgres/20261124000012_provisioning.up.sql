-- Provisioning: datacenters and servers, orders, services with their
-- history, paid periods (renewals) and reminders (notices), and the tasks
-- that call processing modules with their attempts. Amounts are NUMERIC
-- beside a currency column; addons, params and order items are jsonb; a
-- task's input is text, kept byte for byte as the module wrote it.
CREATE TABLE billkit_datacenters (
    id          uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES billkit_providers (id),
    code        text NOT NULL,
    name        text NOT NULL,
    country     text NOT NULL,
    enabled     boolean NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT billkit_datacenters_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_servers (
    id            uuid PRIMARY KEY,
    provider_id   uuid NOT NULL REFERENCES billkit_providers (id),
    datacenter_id uuid NOT NULL REFERENCES billkit_datacenters (id),
    module        text NOT NULL,
    name          text NOT NULL,
    url           text NOT NULL,
    params        jsonb NOT NULL,
    -- Encrypted by the manager before they get here.
    credentials   bytea,
    capacity      integer NOT NULL,
    load          integer NOT NULL,
    enabled       boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_servers_provider_idx ON billkit_servers (provider_id, id);
--bun:split
CREATE INDEX billkit_servers_datacenter_idx ON billkit_servers (datacenter_id, id);
--bun:split
CREATE TABLE billkit_orders (
    id          uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES billkit_providers (id),
    client_id   uuid NOT NULL REFERENCES billkit_clients (id),
    status      text NOT NULL,
    pay_by      text NOT NULL,
    items       jsonb NOT NULL,
    total       numeric NOT NULL,
    currency    text NOT NULL,
    -- No foreign key: an order only notes the invoice that pays it, and
    -- the invoices' migration stays reversible on its own.
    invoice_id  uuid,
    payment_id  uuid REFERENCES billkit_payments (id),
    cancel_at   timestamptz,
    paid_at     timestamptz,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_orders_client_idx ON billkit_orders (client_id, id);
--bun:split
-- The unpaid orders to cancel.
CREATE INDEX billkit_orders_cancel_idx ON billkit_orders (status, cancel_at) WHERE cancel_at IS NOT NULL;
--bun:split
CREATE TABLE billkit_services (
    id                   uuid PRIMARY KEY,
    provider_id          uuid NOT NULL REFERENCES billkit_providers (id),
    client_id            uuid NOT NULL REFERENCES billkit_clients (id),
    order_id             uuid REFERENCES billkit_orders (id),
    product_type_id      uuid NOT NULL REFERENCES billkit_catalog_product_types (id),
    tariff_id            uuid NOT NULL REFERENCES billkit_catalog_tariffs (id),
    name                 text NOT NULL,
    period               text NOT NULL,
    status               text NOT NULL,
    operation            text NOT NULL,
    -- No foreign key: the service points at the task of its current
    -- operation, which refers back to it, and either may be written first.
    task_id              uuid,
    prev_status          text NOT NULL,
    suspend_reason       text NOT NULL,
    suspended_on         date,
    anchor_on            date,
    periods_paid         integer NOT NULL,
    expires_on           date,
    auto_renew           boolean NOT NULL,
    price                numeric NOT NULL,
    currency             text NOT NULL,
    special_price        boolean NOT NULL,
    addons               jsonb NOT NULL,
    domain               text NOT NULL,
    os_image             text NOT NULL,
    datacenter_id        uuid REFERENCES billkit_datacenters (id),
    server_id            uuid REFERENCES billkit_servers (id),
    params               jsonb NOT NULL,
    delete_at_period_end boolean NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
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
    id           uuid PRIMARY KEY,
    service_id   uuid NOT NULL REFERENCES billkit_services (id),
    client_id    uuid NOT NULL REFERENCES billkit_clients (id),
    operation    text NOT NULL,
    module       text NOT NULL,
    status       text NOT NULL,
    input        text,
    attempts     integer NOT NULL,
    max_attempts integer NOT NULL,
    next_run_at  timestamptz NOT NULL,
    lease_until  timestamptz,
    last_error   text NOT NULL,
    department   text NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    finished_at  timestamptz
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
    task_id     uuid NOT NULL REFERENCES billkit_tasks (id),
    attempt     integer NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    outcome     text NOT NULL,
    error       text NOT NULL,
    PRIMARY KEY (task_id, attempt)
);
--bun:split
CREATE TABLE billkit_service_events (
    id          uuid PRIMARY KEY,
    service_id  uuid NOT NULL REFERENCES billkit_services (id),
    at          timestamptz NOT NULL,
    actor_kind  text NOT NULL,
    actor_id    text NOT NULL,
    kind        text NOT NULL,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    changes     jsonb NOT NULL,
    memo        text NOT NULL
);
--bun:split
CREATE INDEX billkit_service_events_service_idx ON billkit_service_events (service_id, at, id);
--bun:split
-- One row per paid period: the primary key is what makes the billing cycle
-- charge a period once, however many processes run it.
CREATE TABLE billkit_service_renewals (
    service_id   uuid NOT NULL REFERENCES billkit_services (id),
    period_start date NOT NULL,
    period_end   date NOT NULL,
    client_id    uuid NOT NULL REFERENCES billkit_clients (id),
    amount       numeric NOT NULL,
    currency     text NOT NULL,
    expense_id   uuid REFERENCES billkit_expenses (id),
    kind         text NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (service_id, period_start)
);
--bun:split
CREATE INDEX billkit_service_renewals_client_idx ON billkit_service_renewals (client_id, period_start, service_id);
--bun:split
-- One row per reminder sent: the primary key makes it sent once.
CREATE TABLE billkit_service_notices (
    service_id  uuid NOT NULL REFERENCES billkit_services (id),
    expires_on  date NOT NULL,
    days_before integer NOT NULL,
    client_id   uuid NOT NULL REFERENCES billkit_clients (id),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (service_id, expires_on, days_before)
);
--bun:split
CREATE INDEX billkit_service_notices_client_idx ON billkit_service_notices (client_id, service_id, expires_on, days_before);
