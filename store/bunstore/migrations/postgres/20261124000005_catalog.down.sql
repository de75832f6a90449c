DROP TABLE IF EXISTS billkit_catalog_price_versions;
--bun:split
DROP TABLE IF EXISTS billkit_catalog_agreements;
--bun:split
DROP TABLE IF EXISTS billkit_catalog_os_images;
--bun:split
DROP TABLE IF EXISTS billkit_catalog_tariffs;
--bun:split
DROP TABLE IF EXISTS billkit_catalog_enumerations;
--bun:split
DROP TABLE IF EXISTS billkit_catalog_tariff_groups;
--bun:split
DROP TABLE IF EXISTS billkit_catalog_product_types;
