DROP TABLE IF EXISTS billkit_locales;
--bun:split
DROP TABLE IF EXISTS billkit_tlds;
--bun:split
DROP TABLE IF EXISTS billkit_units;
--bun:split
DROP TABLE IF EXISTS billkit_exchange_rates;
--bun:split
DROP TABLE IF EXISTS billkit_currencies;
--bun:split
DROP TABLE IF EXISTS billkit_subdivisions;
--bun:split
DROP TABLE IF EXISTS billkit_countries;
