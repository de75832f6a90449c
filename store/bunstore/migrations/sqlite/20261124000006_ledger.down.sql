DROP TABLE IF EXISTS billkit_client_balances;
--bun:split
DROP TABLE IF EXISTS billkit_ledger_entries;
