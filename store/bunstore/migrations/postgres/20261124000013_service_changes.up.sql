-- A change of a service waiting for its next renewal (a product type whose
-- change policy is at_renewal): the target tariff, period, addons and
-- price, and who asked when, as jsonb; NULL when none waits.
ALTER TABLE billkit_services ADD COLUMN pending_change jsonb;
