-- The datacenters a client may choose from when ordering a tariff, by code.
ALTER TABLE billkit_catalog_tariffs ADD COLUMN datacenters jsonb NOT NULL DEFAULT '[]';
