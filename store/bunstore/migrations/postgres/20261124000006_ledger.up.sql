CREATE TABLE billkit_ledger_entries (
    id            uuid PRIMARY KEY,
    client_id     uuid NOT NULL REFERENCES billkit_clients (id),
    amount        numeric NOT NULL,
    currency      text NOT NULL,
    kind          text NOT NULL,
    cause_type    text NOT NULL,
    cause_id      text NOT NULL,
    memo          text NOT NULL,
    rate          numeric,
    actor_kind    text NOT NULL,
    actor_id      text NOT NULL,
    created_at    timestamptz NOT NULL,
    balance_after numeric NOT NULL
);
--bun:split
CREATE INDEX billkit_ledger_entries_client_idx ON billkit_ledger_entries (client_id, created_at, id);
--bun:split
CREATE INDEX billkit_ledger_entries_created_idx ON billkit_ledger_entries (created_at, id);
--bun:split
CREATE TABLE billkit_client_balances (
    client_id  uuid PRIMARY KEY REFERENCES billkit_clients (id),
    currency   text NOT NULL,
    balance    numeric NOT NULL,
    entries    bigint NOT NULL,
    updated_at timestamptz NOT NULL
);
