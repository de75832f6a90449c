-- Billing accounts: providers, companies (and the providers they serve),
-- client groups, clients, payers, contract templates, contracts, and the
-- counters of number series. Amounts are NUMERIC; settings, addresses and
-- texts per locale are jsonb.
CREATE TABLE billkit_providers (
    id         uuid PRIMARY KEY,
    name       text NOT NULL,
    currency   text NOT NULL REFERENCES billkit_currencies (code),
    locale     text NOT NULL REFERENCES billkit_locales (code),
    time_zone  text NOT NULL,
    settings   jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
--bun:split
CREATE TABLE billkit_companies (
    id            uuid PRIMARY KEY,
    legal_name    text NOT NULL,
    short_name    text NOT NULL,
    country       text NOT NULL REFERENCES billkit_countries (code),
    address       jsonb NOT NULL,
    tax_ids       jsonb NOT NULL,
    bank_accounts jsonb NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
--bun:split
CREATE TABLE billkit_company_providers (
    company_id  uuid NOT NULL REFERENCES billkit_companies (id) ON DELETE CASCADE,
    provider_id uuid NOT NULL REFERENCES billkit_providers (id),
    PRIMARY KEY (company_id, provider_id)
);
--bun:split
CREATE INDEX billkit_company_providers_provider_idx ON billkit_company_providers (provider_id, company_id);
--bun:split
CREATE TABLE billkit_client_groups (
    id          uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES billkit_providers (id),
    name        text NOT NULL,
    settings    jsonb NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_client_groups_provider_idx ON billkit_client_groups (provider_id, id);
--bun:split
CREATE TABLE billkit_clients (
    id           uuid PRIMARY KEY,
    "number"     text NOT NULL,
    provider_id  uuid NOT NULL REFERENCES billkit_providers (id),
    status       text NOT NULL,
    name         text NOT NULL,
    email        text NOT NULL,
    currency     text NOT NULL REFERENCES billkit_currencies (code),
    locale       text NOT NULL REFERENCES billkit_locales (code),
    group_id     uuid REFERENCES billkit_client_groups (id),
    credit_limit numeric NOT NULL,
    notes        text NOT NULL,
    settings     jsonb NOT NULL,
    merged_into  uuid REFERENCES billkit_clients (id),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT billkit_clients_number_key UNIQUE ("number")
);
--bun:split
CREATE INDEX billkit_clients_provider_idx ON billkit_clients (provider_id, id);
--bun:split
CREATE INDEX billkit_clients_group_idx ON billkit_clients (group_id, id);
--bun:split
CREATE TABLE billkit_payers (
    id         uuid PRIMARY KEY,
    client_id  uuid NOT NULL REFERENCES billkit_clients (id),
    kind       text NOT NULL,
    name       text NOT NULL,
    legal_name text NOT NULL,
    country    text NOT NULL REFERENCES billkit_countries (code),
    region     text NOT NULL,
    address    jsonb NOT NULL,
    email      text NOT NULL,
    phone      text NOT NULL,
    tax_id     text NOT NULL,
    is_default boolean NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_payers_client_idx ON billkit_payers (client_id, id);
--bun:split
-- At most one default payer per client.
CREATE UNIQUE INDEX billkit_payers_default_key ON billkit_payers (client_id) WHERE is_default;
--bun:split
CREATE INDEX billkit_payers_tax_id_idx ON billkit_payers (tax_id);
--bun:split
CREATE TABLE billkit_contract_templates (
    id            uuid PRIMARY KEY,
    company_id    uuid NOT NULL REFERENCES billkit_companies (id),
    name          text NOT NULL,
    body          jsonb NOT NULL,
    number_format text NOT NULL,
    reset         text NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_contract_templates_company_idx ON billkit_contract_templates (company_id, id);
--bun:split
CREATE TABLE billkit_contracts (
    id           uuid PRIMARY KEY,
    "number"     text NOT NULL,
    company_id   uuid NOT NULL REFERENCES billkit_companies (id),
    client_id    uuid NOT NULL REFERENCES billkit_clients (id),
    payer_id     uuid NOT NULL REFERENCES billkit_payers (id),
    template_id  uuid NOT NULL REFERENCES billkit_contract_templates (id),
    status       text NOT NULL,
    "date"       date NOT NULL,
    created_at   timestamptz NOT NULL,
    sent_at      timestamptz,
    signed_at    timestamptz,
    cancelled_at timestamptz,
    updated_at   timestamptz NOT NULL,
    CONSTRAINT billkit_contracts_number_key UNIQUE (company_id, "number")
);
--bun:split
CREATE INDEX billkit_contracts_client_idx ON billkit_contracts (client_id, id);
--bun:split
-- Counters of number series: one row per series and period ("" when the
-- series never resets). Drawn inside the transaction that uses the number.
CREATE TABLE billkit_counters (
    series text NOT NULL,
    period text NOT NULL,
    value  bigint NOT NULL,
    PRIMARY KEY (series, period)
);
