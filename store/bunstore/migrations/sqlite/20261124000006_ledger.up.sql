CREATE TABLE billkit_ledger_entries (
    id            TEXT PRIMARY KEY,
    client_id     TEXT NOT NULL REFERENCES billkit_clients (id),
    amount        TEXT NOT NULL,
    currency      TEXT NOT NULL,
    kind          TEXT NOT NULL,
    cause_type    TEXT NOT NULL,
    cause_id      TEXT NOT NULL,
    memo          TEXT NOT NULL,
    rate          TEXT,
    actor_kind    TEXT NOT NULL,
    actor_id      TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    balance_after TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_ledger_entries_client_idx ON billkit_ledger_entries (client_id, created_at, id);
--bun:split
CREATE INDEX billkit_ledger_entries_created_idx ON billkit_ledger_entries (created_at, id);
--bun:split
CREATE TABLE billkit_client_balances (
    client_id  TEXT PRIMARY KEY REFERENCES billkit_clients (id),
    currency   TEXT NOT NULL,
    balance    TEXT NOT NULL,
    entries    INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
