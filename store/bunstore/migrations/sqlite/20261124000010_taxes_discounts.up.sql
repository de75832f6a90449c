-- Taxes (rules, company settings, exemptions, VAT ID checks), discounts,
-- promo codes and their redemptions. Rates and amounts are TEXT holding
-- exact decimals; names per locale and lists are JSON TEXT; validity dates
-- are "YYYY-MM-DD", NULL when open; booleans 0 or 1.
CREATE TABLE billkit_tax_rules (
    id            TEXT PRIMARY KEY,
    company_id    TEXT NOT NULL REFERENCES billkit_companies (id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    country       TEXT NOT NULL,
    region        TEXT NOT NULL,
    product_types TEXT NOT NULL,
    rate          TEXT NOT NULL,
    inclusive     INTEGER NOT NULL,
    level         INTEGER NOT NULL,
    compound      INTEGER NOT NULL,
    valid_from    TEXT,
    valid_to      TEXT,
    priority      INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_tax_rules_company_idx ON billkit_tax_rules (company_id, code, id);
--bun:split
CREATE TABLE billkit_tax_settings (
    company_id     TEXT PRIMARY KEY REFERENCES billkit_companies (id),
    rounding       TEXT NOT NULL,
    reverse_charge INTEGER NOT NULL,
    updated_at     TEXT NOT NULL
);
--bun:split
CREATE TABLE billkit_tax_exemptions (
    id          TEXT PRIMARY KEY,
    client_id   TEXT REFERENCES billkit_clients (id),
    group_id    TEXT REFERENCES billkit_client_groups (id),
    company_id  TEXT REFERENCES billkit_companies (id),
    reason      TEXT NOT NULL,
    certificate TEXT NOT NULL,
    valid_from  TEXT,
    valid_to    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT billkit_tax_exemptions_subject_check CHECK ((client_id IS NULL) <> (group_id IS NULL))
);
--bun:split
CREATE INDEX billkit_tax_exemptions_client_idx ON billkit_tax_exemptions (client_id, id);
--bun:split
CREATE INDEX billkit_tax_exemptions_group_idx ON billkit_tax_exemptions (group_id, id);
--bun:split
-- Answers of the VAT ID checker (VIES), kept as evidence; never changed.
CREATE TABLE billkit_vat_checks (
    id           TEXT PRIMARY KEY,
    payer_id     TEXT NOT NULL REFERENCES billkit_payers (id),
    country_code TEXT NOT NULL,
    "number"     TEXT NOT NULL,
    valid        INTEGER NOT NULL,
    confirmed    INTEGER NOT NULL,
    name         TEXT NOT NULL,
    address      TEXT NOT NULL,
    reference    TEXT NOT NULL,
    checked_at   TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_vat_checks_payer_idx ON billkit_vat_checks (payer_id, checked_at, id);
--bun:split
CREATE TABLE billkit_discounts (
    id             TEXT PRIMARY KEY,
    provider_id    TEXT NOT NULL REFERENCES billkit_providers (id),
    name           TEXT NOT NULL,
    scope          TEXT NOT NULL,
    client_id      TEXT REFERENCES billkit_clients (id),
    group_id       TEXT REFERENCES billkit_client_groups (id),
    tariffs        TEXT NOT NULL,
    periods        TEXT NOT NULL,
    min_quantity   INTEGER NOT NULL,
    percent        TEXT NOT NULL,
    fixed_amount   TEXT,
    fixed_currency TEXT REFERENCES billkit_currencies (code),
    valid_from     TEXT,
    valid_to       TEXT,
    stackable      INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_discounts_provider_idx ON billkit_discounts (provider_id, id);
--bun:split
CREATE INDEX billkit_discounts_client_idx ON billkit_discounts (client_id);
--bun:split
CREATE INDEX billkit_discounts_group_idx ON billkit_discounts (group_id);
--bun:split
-- Codes are stored upper-case, so the unique key ignores the case people
-- type them in.
CREATE TABLE billkit_promo_codes (
    id                  TEXT PRIMARY KEY,
    provider_id         TEXT NOT NULL REFERENCES billkit_providers (id),
    code                TEXT NOT NULL,
    kind                TEXT NOT NULL,
    value               TEXT NOT NULL,
    currency            TEXT REFERENCES billkit_currencies (code),
    tariffs             TEXT NOT NULL,
    every_renewal       INTEGER NOT NULL,
    valid_from          TEXT,
    valid_to            TEXT,
    max_uses            INTEGER NOT NULL,
    max_uses_per_client INTEGER NOT NULL,
    uses                INTEGER NOT NULL,
    batch_id            TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CONSTRAINT billkit_promo_codes_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE INDEX billkit_promo_codes_batch_idx ON billkit_promo_codes (batch_id, id);
--bun:split
CREATE TABLE billkit_promo_redemptions (
    id          TEXT PRIMARY KEY,
    promo_id    TEXT NOT NULL REFERENCES billkit_promo_codes (id),
    code        TEXT NOT NULL,
    client_id   TEXT NOT NULL REFERENCES billkit_clients (id),
    ref         TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    redeemed_at TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_promo_redemptions_promo_idx ON billkit_promo_redemptions (promo_id, client_id);
--bun:split
CREATE INDEX billkit_promo_redemptions_client_idx ON billkit_promo_redemptions (client_id);
