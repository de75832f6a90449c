ALTER TABLE billkit_services DROP COLUMN IF EXISTS pending_change;
