CREATE TABLE billkit_idempotency_keys (
    caller      TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint BLOB NOT NULL,
    done        INTEGER NOT NULL,
    status      INTEGER NOT NULL,
    header      TEXT NOT NULL,
    body        BLOB NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (caller, key)
);
--bun:split
CREATE INDEX billkit_idempotency_keys_expires_idx ON billkit_idempotency_keys (expires_at);
