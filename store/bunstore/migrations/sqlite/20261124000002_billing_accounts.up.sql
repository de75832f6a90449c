-- Billing accounts: providers, companies (and the providers they serve),
-- client groups, clients, payers, contract templates, contracts, and the
-- counters of number series. Amounts are TEXT holding exact decimals;
-- instants are UTC text, dates "YYYY-MM-DD", IDs and JSON values TEXT,
-- booleans 0 or 1.
CREATE TABLE billkit_providers (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    currency   TEXT NOT NULL REFERENCES billkit_currencies (code),
    locale     TEXT NOT NULL REFERENCES billkit_locales (code),
    time_zone  TEXT NOT NULL,
    settings   TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
--bun:split
CREATE TABLE billkit_companies (
    id            TEXT PRIMARY KEY,
    legal_name    TEXT NOT NULL,
    short_name    TEXT NOT NULL,
    country       TEXT NOT NULL REFERENCES billkit_countries (code),
    address       TEXT NOT NULL,
    tax_ids       TEXT NOT NULL,
    bank_accounts TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
--bun:split
CREATE TABLE billkit_company_providers (
    company_id  TEXT NOT NULL REFERENCES billkit_companies (id) ON DELETE CASCADE,
    provider_id TEXT NOT NULL REFERENCES billkit_providers (id),
    PRIMARY KEY (company_id, provider_id)
);
--bun:split
CREATE INDEX billkit_company_providers_provider_idx ON billkit_company_providers (provider_id, company_id);
--bun:split
CREATE TABLE billkit_client_groups (
    id          TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES billkit_providers (id),
    name        TEXT NOT NULL,
    settings    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_client_groups_provider_idx ON billkit_client_groups (provider_id, id);
--bun:split
CREATE TABLE billkit_clients (
    id           TEXT PRIMARY KEY,
    "number"     TEXT NOT NULL,
    provider_id  TEXT NOT NULL REFERENCES billkit_providers (id),
    status       TEXT NOT NULL,
    name         TEXT NOT NULL,
    email        TEXT NOT NULL,
    currency     TEXT NOT NULL REFERENCES billkit_currencies (code),
    locale       TEXT NOT NULL REFERENCES billkit_locales (code),
    group_id     TEXT REFERENCES billkit_client_groups (id),
    credit_limit TEXT NOT NULL,
    notes        TEXT NOT NULL,
    settings     TEXT NOT NULL,
    merged_into  TEXT REFERENCES billkit_clients (id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    CONSTRAINT billkit_clients_number_key UNIQUE ("number")
);
--bun:split
CREATE INDEX billkit_clients_provider_idx ON billkit_clients (provider_id, id);
--bun:split
CREATE INDEX billkit_clients_group_idx ON billkit_clients (group_id, id);
--bun:split
CREATE TABLE billkit_payers (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES billkit_clients (id),
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    legal_name TEXT NOT NULL,
    country    TEXT NOT NULL REFERENCES billkit_countries (code),
    region     TEXT NOT NULL,
    address    TEXT NOT NULL,
    email      TEXT NOT NULL,
    phone      TEXT NOT NULL,
    tax_id     TEXT NOT NULL,
    is_default INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_payers_client_idx ON billkit_payers (client_id, id);
--bun:split
-- At most one default payer per client.
CREATE UNIQUE INDEX billkit_payers_default_key ON billkit_payers (client_id) WHERE is_default = 1;
--bun:split
CREATE INDEX billkit_payers_tax_id_idx ON billkit_payers (tax_id);
--bun:split
CREATE TABLE billkit_contract_templates (
    id            TEXT PRIMARY KEY,
    company_id    TEXT NOT NULL REFERENCES billkit_companies (id),
    name          TEXT NOT NULL,
    body          TEXT NOT NULL,
    number_format TEXT NOT NULL,
    reset         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_contract_templates_company_idx ON billkit_contract_templates (company_id, id);
--bun:split
CREATE TABLE billkit_contracts (
    id           TEXT PRIMARY KEY,
    "number"     TEXT NOT NULL,
    company_id   TEXT NOT NULL REFERENCES billkit_companies (id),
    client_id    TEXT NOT NULL REFERENCES billkit_clients (id),
    payer_id     TEXT NOT NULL REFERENCES billkit_payers (id),
    template_id  TEXT NOT NULL REFERENCES billkit_contract_templates (id),
    status       TEXT NOT NULL,
    "date"       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    sent_at      TEXT,
    signed_at    TEXT,
    cancelled_at TEXT,
    updated_at   TEXT NOT NULL,
    CONSTRAINT billkit_contracts_number_key UNIQUE (company_id, "number")
);
--bun:split
CREATE INDEX billkit_contracts_client_idx ON billkit_contracts (client_id, id);
--bun:split
-- Counters of number series: one row per series and period ("" when the
-- series never resets). Drawn inside the transaction that uses the number.
CREATE TABLE billkit_counters (
    series TEXT NOT NULL,
    period TEXT NOT NULL,
    value  INTEGER NOT NULL,
    PRIMARY KEY (series, period)
);
