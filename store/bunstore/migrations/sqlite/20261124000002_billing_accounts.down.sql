DROP TABLE IF EXISTS billkit_counters;
--bun:split
DROP TABLE IF EXISTS billkit_contracts;
--bun:split
DROP TABLE IF EXISTS billkit_contract_templates;
--bun:split
DROP TABLE IF EXISTS billkit_payers;
--bun:split
DROP TABLE IF EXISTS billkit_clients;
--bun:split
DROP TABLE IF EXISTS billkit_client_groups;
--bun:split
DROP TABLE IF EXISTS billkit_company_providers;
--bun:split
DROP TABLE IF EXISTS billkit_companies;
--bun:split
DROP TABLE IF EXISTS billkit_providers;
