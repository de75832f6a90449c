-- The catalog: product types, tariff groups, enumerations, tariffs, OS
-- images, agreements and price versions of each provider. Every entity has
-- a code unique per provider and kind. The parts of an entity (a tariff's
-- prices and addons, an enumeration's values, lists of references) are
-- JSON columns read and written with it; amounts inside them are JSON
-- strings holding exact decimals.
CREATE TABLE billkit_catalog_product_types (
    id                    TEXT PRIMARY KEY,
    provider_id           TEXT NOT NULL REFERENCES billkit_providers (id),
    code                  TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    module                TEXT NOT NULL,
    service_name_template TEXT NOT NULL,
    lifecycle             TEXT NOT NULL,
    allow_hourly          INTEGER NOT NULL,
    display_order         INTEGER NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    CONSTRAINT billkit_catalog_product_types_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_catalog_tariff_groups (
    id                  TEXT PRIMARY KEY,
    provider_id         TEXT NOT NULL REFERENCES billkit_providers (id),
    code                TEXT NOT NULL,
    name                TEXT NOT NULL,
    display_order       INTEGER NOT NULL,
    change_within_group INTEGER NOT NULL,
    change_to_groups    TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    CONSTRAINT billkit_catalog_tariff_groups_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_catalog_enumerations (
    id          TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES billkit_providers (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    enum_values TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT billkit_catalog_enumerations_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_catalog_tariffs (
    id               TEXT PRIMARY KEY,
    provider_id      TEXT NOT NULL REFERENCES billkit_providers (id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    product_type_id  TEXT NOT NULL REFERENCES billkit_catalog_product_types (id),
    group_id         TEXT REFERENCES billkit_catalog_tariff_groups (id),
    status           TEXT NOT NULL,
    currency         TEXT NOT NULL REFERENCES billkit_currencies (code),
    prices           TEXT NOT NULL,
    addons           TEXT NOT NULL,
    trial_days       INTEGER,
    limit_per_client INTEGER NOT NULL,
    stock            INTEGER,
    client_group_ids TEXT NOT NULL,
    display_order    INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CONSTRAINT billkit_catalog_tariffs_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE INDEX billkit_catalog_tariffs_type_idx ON billkit_catalog_tariffs (product_type_id);
--bun:split
CREATE INDEX billkit_catalog_tariffs_group_idx ON billkit_catalog_tariffs (group_id);
--bun:split
CREATE TABLE billkit_catalog_os_images (
    id               TEXT PRIMARY KEY,
    provider_id      TEXT NOT NULL REFERENCES billkit_providers (id),
    code             TEXT NOT NULL,
    name             TEXT NOT NULL,
    family           TEXT NOT NULL,
    version          TEXT NOT NULL,
    tariff_ids       TEXT NOT NULL,
    product_type_ids TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CONSTRAINT billkit_catalog_os_images_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_catalog_agreements (
    id          TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL REFERENCES billkit_providers (id),
    code        TEXT NOT NULL,
    title       TEXT NOT NULL,
    text        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    tariff_ids  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT billkit_catalog_agreements_code_key UNIQUE (provider_id, code)
);
--bun:split
CREATE TABLE billkit_catalog_price_versions (
    id             TEXT PRIMARY KEY,
    provider_id    TEXT NOT NULL REFERENCES billkit_providers (id),
    tariff_id      TEXT NOT NULL REFERENCES billkit_catalog_tariffs (id) ON DELETE CASCADE,
    effective_date TEXT NOT NULL,
    prices         TEXT NOT NULL,
    addon_prices   TEXT NOT NULL,
    policy         TEXT NOT NULL,
    keep_periods   INTEGER NOT NULL,
    note           TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CONSTRAINT billkit_catalog_price_versions_date_key UNIQUE (tariff_id, effective_date)
);
