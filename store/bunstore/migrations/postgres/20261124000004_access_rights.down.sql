-- Access rights: drops what the up migration created.
DROP TABLE IF EXISTS billkit_client_invites;
--bun:split
DROP TABLE IF EXISTS billkit_client_members;
--bun:split
DROP TABLE IF EXISTS billkit_full_rights;
--bun:split
DROP TABLE IF EXISTS billkit_grants;
--bun:split
DROP TABLE IF EXISTS billkit_department_members;
--bun:split
DROP TABLE IF EXISTS billkit_departments;
--bun:split
DROP TABLE IF EXISTS billkit_actions;
