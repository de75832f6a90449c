-- The directory: reference data every other package reads.
-- Amounts and rates are NUMERIC (exact); names per locale are jsonb.
CREATE TABLE billkit_countries (
    code       text PRIMARY KEY,
    alpha3     text NOT NULL,
    "numeric"  text NOT NULL,
    name       jsonb NOT NULL,
    eu         boolean NOT NULL,
    enabled    boolean NOT NULL,
    updated_at timestamptz NOT NULL
);
--bun:split
CREATE TABLE billkit_subdivisions (
    code    text PRIMARY KEY,
    country text NOT NULL REFERENCES billkit_countries (code),
    kind    text NOT NULL,
    name    jsonb NOT NULL
);
--bun:split
CREATE INDEX billkit_subdivisions_country_idx ON billkit_subdivisions (country, code);
--bun:split
CREATE TABLE billkit_currencies (
    code       text PRIMARY KEY,
    "numeric"  text NOT NULL,
    name       jsonb NOT NULL,
    symbol     text NOT NULL,
    digits     integer NOT NULL,
    custom     boolean NOT NULL,
    enabled    boolean NOT NULL,
    margin     numeric NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
--bun:split
CREATE TABLE billkit_exchange_rates (
    id         uuid PRIMARY KEY,
    base       text NOT NULL REFERENCES billkit_currencies (code),
    quote      text NOT NULL REFERENCES billkit_currencies (code),
    rate       numeric NOT NULL,
    "date"     date NOT NULL,
    source     text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CONSTRAINT billkit_exchange_rates_pair_date_key UNIQUE (base, quote, "date")
);
--bun:split
CREATE INDEX billkit_exchange_rates_date_idx ON billkit_exchange_rates ("date" DESC, base, quote);
--bun:split
CREATE TABLE billkit_units (
    code       text PRIMARY KEY,
    name       jsonb NOT NULL,
    dimension  text NOT NULL,
    factor     numeric NOT NULL,
    custom     boolean NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
--bun:split
CREATE TABLE billkit_tlds (
    name       text PRIMARY KEY,
    ascii      text NOT NULL UNIQUE,
    min_years  integer NOT NULL,
    max_years  integer NOT NULL,
    registrar  text NOT NULL,
    enabled    boolean NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
--bun:split
CREATE TABLE billkit_locales (
    code         text PRIMARY KEY,
    name         text NOT NULL,
    english_name text NOT NULL,
    enabled      boolean NOT NULL,
    is_default   boolean NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
