ALTER TABLE billkit_catalog_tariffs DROP COLUMN datacenters;
