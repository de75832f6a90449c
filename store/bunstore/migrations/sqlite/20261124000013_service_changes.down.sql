ALTER TABLE billkit_services DROP COLUMN pending_change;
