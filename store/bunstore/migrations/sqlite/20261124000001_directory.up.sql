-- The directory: reference data every other package reads.
-- Amounts and rates are TEXT holding exact decimals; SQLite SQL never sums
-- them. Instants are UTC text with microseconds, dates "YYYY-MM-DD", IDs and
-- names per locale (JSON) are TEXT. Booleans are 0 or 1.
CREATE TABLE billkit_countries (
    code       TEXT PRIMARY KEY,
    alpha3     TEXT NOT NULL,
    "numeric"  TEXT NOT NULL,
    name       TEXT NOT NULL,
    eu         INTEGER NOT NULL,
    enabled    INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
--bun:split
CREATE TABLE billkit_subdivisions (
    code    TEXT PRIMARY KEY,
    country TEXT NOT NULL REFERENCES billkit_countries (code),
    kind    TEXT NOT NULL,
    name    TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_subdivisions_country_idx ON billkit_subdivisions (country, code);
--bun:split
CREATE TABLE billkit_currencies (
    code       TEXT PRIMARY KEY,
    "numeric"  TEXT NOT NULL,
    name       TEXT NOT NULL,
    symbol     TEXT NOT NULL,
    digits     INTEGER NOT NULL,
    custom     INTEGER NOT NULL,
    enabled    INTEGER NOT NULL,
    margin     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
--bun:split
CREATE TABLE billkit_exchange_rates (
    id         TEXT PRIMARY KEY,
    base       TEXT NOT NULL REFERENCES billkit_currencies (code),
    quote      TEXT NOT NULL REFERENCES billkit_currencies (code),
    rate       TEXT NOT NULL,
    "date"     TEXT NOT NULL,
    source     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT billkit_exchange_rates_pair_date_key UNIQUE (base, quote, "date")
);
--bun:split
CREATE INDEX billkit_exchange_rates_date_idx ON billkit_exchange_rates ("date" DESC, base, quote);
--bun:split
CREATE TABLE billkit_units (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    dimension  TEXT NOT NULL,
    factor     TEXT NOT NULL,
    custom     INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
--bun:split
CREATE TABLE billkit_tlds (
    name       TEXT PRIMARY KEY,
    ascii      TEXT NOT NULL UNIQUE,
    min_years  INTEGER NOT NULL,
    max_years  INTEGER NOT NULL,
    registrar  TEXT NOT NULL,
    enabled    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
--bun:split
CREATE TABLE billkit_locales (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    english_name TEXT NOT NULL,
    enabled      INTEGER NOT NULL,
    is_default   INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
