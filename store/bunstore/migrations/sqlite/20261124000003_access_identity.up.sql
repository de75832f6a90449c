-- Access identity: users (staff and customers) and their credentials,
-- sessions, password reset tokens, 2FA recovery codes, API keys and the
-- access log. Secrets are stored only as hashes (argon2id for passwords,
-- SHA-256 for high-entropy tokens); the TOTP secret is kept as is, since
-- codes are computed from it. Instants are UTC text with microseconds.
CREATE TABLE billkit_users (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    locale         TEXT NOT NULL,
    status         TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    totp_secret    TEXT NOT NULL,
    totp_enabled   INTEGER NOT NULL,
    totp_last_step INTEGER NOT NULL,
    failed_logins  INTEGER NOT NULL,
    locked_until   TEXT,
    last_login_at  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CONSTRAINT billkit_users_email_key UNIQUE (email)
);
--bun:split
CREATE INDEX billkit_users_kind_idx ON billkit_users (kind, email);
--bun:split
CREATE TABLE billkit_sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT,
    CONSTRAINT billkit_sessions_token_key UNIQUE (token_hash)
);
--bun:split
CREATE INDEX billkit_sessions_user_idx ON billkit_sessions (user_id, created_at DESC, id DESC);
--bun:split
CREATE INDEX billkit_sessions_created_idx ON billkit_sessions (created_at DESC, id DESC);
--bun:split
CREATE TABLE billkit_reset_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    ip         TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    CONSTRAINT billkit_reset_tokens_token_key UNIQUE (token_hash)
);
--bun:split
CREATE INDEX billkit_reset_tokens_user_idx ON billkit_reset_tokens (user_id);
--bun:split
CREATE TABLE billkit_recovery_codes (
    user_id    TEXT NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (user_id, code_hash)
);
--bun:split
CREATE TABLE billkit_api_keys (
    id           TEXT PRIMARY KEY,
    owner_id     TEXT NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT,
    CONSTRAINT billkit_api_keys_secret_key UNIQUE (secret_hash)
);
--bun:split
CREATE INDEX billkit_api_keys_owner_idx ON billkit_api_keys (owner_id, created_at DESC, id DESC);
--bun:split
CREATE INDEX billkit_api_keys_created_idx ON billkit_api_keys (created_at DESC, id DESC);
--bun:split
CREATE TABLE billkit_access_events (
    id         TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    -- The log outlives a deleted user.
    user_id    TEXT REFERENCES billkit_users (id) ON DELETE SET NULL,
    email      TEXT NOT NULL,
    event      TEXT NOT NULL,
    ip         TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    detail     TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_access_events_at_idx ON billkit_access_events (at DESC, id DESC);
--bun:split
CREATE INDEX billkit_access_events_user_idx ON billkit_access_events (user_id, at DESC, id DESC);
