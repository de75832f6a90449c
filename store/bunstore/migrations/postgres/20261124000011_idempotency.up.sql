CREATE TABLE billkit_idempotency_keys (
    caller      TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint BYTEA NOT NULL,
    done        BOOLEAN NOT NULL,
    status      INTEGER NOT NULL,
    header      TEXT NOT NULL,
    body        BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (caller, key)
);
--bun:split
CREATE INDEX billkit_idempotency_keys_expires_idx ON billkit_idempotency_keys (expires_at);
