-- The catalog: product types, tariff groups, enumerations, tariffs, OS
-- images, agreements and price versions of each provider. Every entity has
-- a code unique per provider and kind. The parts of an entity (a tariff's
-- prices and addons, an enumeration's values, lists of references) are
-- JSON columns (jsonb) read and written with it; amounts inside them are JSON
-- strings holding exact decimals.
CREATE TABLE billkit_catalog_product_types (
    id                    uuid PRIMARY KEY,
    provider_id           uuid NOT NULL REFERENCES billkit_providers (id),
    code                  text NOT NULL,
    kind                  text NOT NULL,
    name                  jsonb NOT NULL,
    module                text NOT NULL,
    service_name_template text NOT NULL,
    lifecycle             jsonb NOT NULL,
    allow_hourly          boolean NOT NULL,
    display_order         integer NOT NULL,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    CONSTRAINT billkit_catalog_product_types_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_catalog_tariff_groups (
    id                  uuid PRIMARY KEY,
    provider_id         uuid NOT NULL REFERENCES billkit_providers (id),
    code                text NOT NULL,
    name                jsonb NOT NULL,
    display_order       integer NOT NULL,
    change_within_group boolean NOT NULL,
    change_to_groups    jsonb NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT billkit_catalog_tariff_groups_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_catalog_enumerations (
    id          uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES billkit_providers (id),
    code        text NOT NULL,
    name        jsonb NOT NULL,
    enum_values jsonb NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT billkit_catalog_enumerations_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_catalog_tariffs (
    id               uuid PRIMARY KEY,
    provider_id      uuid NOT NULL REFERENCES billkit_providers (id),
    code             text NOT NULL,
    name             jsonb NOT NULL,
    description      jsonb NOT NULL,
    product_type_id  uuid NOT NULL REFERENCES billkit_catalog_product_types (id),
    group_id         uuid REFERENCES billkit_catalog_tariff_groups (id),
    status           text NOT NULL,
    currency         text NOT NULL REFERENCES billkit_currencies (code),
    prices           jsonb NOT NULL,
    addons           jsonb NOT NULL,
    trial_days       integer,
    limit_per_client integer NOT NULL,
    stock            integer,
    client_group_ids jsonb NOT NULL,
    display_order    integer NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT billkit_catalog_tariffs_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE INDEX billkit_catalog_tariffs_type_idx ON billkit_catalog_tariffs (product_type_id);
--bun:split
CREATE INDEX billkit_catalog_tariffs_group_idx ON billkit_catalog_tariffs (group_id);
--bun:split
CREATE TABLE billkit_catalog_os_images (
    id               uuid PRIMARY KEY,
    provider_id      uuid NOT NULL REFERENCES billkit_providers (id),
    code             text NOT NULL,
    name             text NOT NULL,
    family           text NOT NULL,
    version          text NOT NULL,
    tariff_ids       jsonb NOT NULL,
    product_type_ids jsonb NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CONSTRAINT billkit_catalog_os_images_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_catalog_agreements (
    id          uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES billkit_providers (id),
    code        text NOT NULL,
    title       jsonb NOT NULL,
    text        jsonb NOT NULL,
    version     integer NOT NULL,
    tariff_ids  jsonb NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT billkit_catalog_agreements_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_catalog_price_versions (
    id             uuid PRIMARY KEY,
    provider_id    uuid NOT NULL REFERENCES billkit_providers (id),
    tariff_id      uuid NOT NULL REFERENCES billkit_catalog_tariffs (id) ON DELETE CASCADE,
    effective_date date NOT NULL,
    prices         jsonb NOT NULL,
    addon_prices   jsonb NOT NULL,
    policy         text NOT NULL,
    keep_periods   integer NOT NULL,
    note           text NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT billkit_catalog_price_versions_date_key UNIQUE (tariff_id, effective_date)
);
