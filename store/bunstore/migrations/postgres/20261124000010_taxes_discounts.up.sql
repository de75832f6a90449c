-- Taxes (rules, company settings, exemptions, VAT ID checks), discounts,
-- promo codes and their redemptions. Rates and amounts are NUMERIC; names
-- per locale and lists are jsonb; validity dates are DATE, NULL when open.
CREATE TABLE billkit_tax_rules (
    id            uuid PRIMARY KEY,
    company_id    uuid NOT NULL REFERENCES billkit_companies (id),
    code          text NOT NULL,
    name          jsonb NOT NULL,
    country       text NOT NULL,
    region        text NOT NULL,
    product_types jsonb NOT NULL,
    rate          numeric NOT NULL,
    inclusive     boolean NOT NULL,
    level         integer NOT NULL,
    compound      boolean NOT NULL,
    valid_from    date,
    valid_to      date,
    priority      integer NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_tax_rules_company_idx ON billkit_tax_rules (company_id, code, id);
--bun:split
CREATE TABLE billkit_tax_settings (
    company_id     uuid PRIMARY KEY REFERENCES billkit_companies (id),
    rounding       text NOT NULL,
    reverse_charge boolean NOT NULL,
    updated_at     timestamptz NOT NULL
);
--bun:split
CREATE TABLE billkit_tax_exemptions (
    id          uuid PRIMARY KEY,
    client_id   uuid REFERENCES billkit_clients (id),
    group_id    uuid REFERENCES billkit_client_groups (id),
    company_id  uuid REFERENCES billkit_companies (id),
    reason      text NOT NULL,
    certificate text NOT NULL,
    valid_from  date,
    valid_to    date,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT billkit_tax_exemptions_subject_check CHECK ((client_id IS NULL) <> (group_id IS NULL))
);
--bun:split
CREATE INDEX billkit_tax_exemptions_client_idx ON billkit_tax_exemptions (client_id, id);
--bun:split
CREATE INDEX billkit_tax_exemptions_group_idx ON billkit_tax_exemptions (group_id, id);
--bun:split
-- Answers of the VAT ID checker (VIES), kept as evidence; never changed.
CREATE TABLE billkit_vat_checks (
    id           uuid PRIMARY KEY,
    payer_id     uuid NOT NULL REFERENCES billkit_payers (id),
    country_code text NOT NULL,
    "number"     text NOT NULL,
    valid        boolean NOT NULL,
    confirmed    boolean NOT NULL,
    name         text NOT NULL,
    address      text NOT NULL,
    reference    text NOT NULL,
    checked_at   timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_vat_checks_payer_idx ON billkit_vat_checks (payer_id, checked_at, id);
--bun:split
CREATE TABLE billkit_discounts (
    id             uuid PRIMARY KEY,
    provider_id    uuid NOT NULL REFERENCES billkit_providers (id),
    name           text NOT NULL,
    scope          text NOT NULL,
    client_id      uuid REFERENCES billkit_clients (id),
    group_id       uuid REFERENCES billkit_client_groups (id),
    tariffs        jsonb NOT NULL,
    periods        jsonb NOT NULL,
    min_quantity   integer NOT NULL,
    percent        numeric NOT NULL,
    fixed_amount   numeric,
    fixed_currency text REFERENCES billkit_currencies (code),
    valid_from     date,
    valid_to       date,
    stackable      boolean NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
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
    id                  uuid PRIMARY KEY,
    provider_id         uuid NOT NULL REFERENCES billkit_providers (id),
    code                text NOT NULL,
    kind                text NOT NULL,
    value               numeric NOT NULL,
    currency            text REFERENCES billkit_currencies (code),
    tariffs             jsonb NOT NULL,
    every_renewal       boolean NOT NULL,
    valid_from          date,
    valid_to            date,
    max_uses            integer NOT NULL,
    max_uses_per_client integer NOT NULL,
    uses                integer NOT NULL,
    batch_id            uuid,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT billkit_promo_codes_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE INDEX billkit_promo_codes_batch_idx ON billkit_promo_codes (batch_id, id);
--bun:split
CREATE TABLE billkit_promo_redemptions (
    id          uuid PRIMARY KEY,
    promo_id    uuid NOT NULL REFERENCES billkit_promo_codes (id),
    code        text NOT NULL,
    client_id   uuid NOT NULL REFERENCES billkit_clients (id),
    ref         text NOT NULL,
    actor_kind  text NOT NULL,
    actor_id    text NOT NULL,
    redeemed_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_promo_redemptions_promo_idx ON billkit_promo_redemptions (promo_id, client_id);
--bun:split
CREATE INDEX billkit_promo_redemptions_client_idx ON billkit_promo_redemptions (client_id);
