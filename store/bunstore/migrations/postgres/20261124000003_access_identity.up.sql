-- Access identity: users (staff and customers) and their credentials,
-- sessions, password reset tokens, 2FA recovery codes, API keys and the
-- access log. Secrets are stored only as hashes (argon2id for passwords,
-- SHA-256 for high-entropy tokens); the TOTP secret is kept as is, since
-- codes are computed from it. Instants are timestamptz; scopes are jsonb.
CREATE TABLE billkit_users (
    id             uuid PRIMARY KEY,
    kind           text NOT NULL,
    email          text NOT NULL,
    name           text NOT NULL,
    locale         text NOT NULL,
    status         text NOT NULL,
    password_hash  text NOT NULL,
    totp_secret    text NOT NULL,
    totp_enabled   boolean NOT NULL,
    totp_last_step bigint NOT NULL,
    failed_logins  integer NOT NULL,
    locked_until   timestamptz,
    last_login_at  timestamptz,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    CONSTRAINT billkit_users_email_key UNIQUE (email)
);
--bun:split
CREATE INDEX billkit_users_kind_idx ON billkit_users (kind, email);
--bun:split
CREATE TABLE billkit_sessions (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    token_hash   text NOT NULL,
    ip           text NOT NULL,
    user_agent   text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    CONSTRAINT billkit_sessions_token_key UNIQUE (token_hash)
);
--bun:split
CREATE INDEX billkit_sessions_user_idx ON billkit_sessions (user_id, created_at DESC, id DESC);
--bun:split
CREATE INDEX billkit_sessions_created_idx ON billkit_sessions (created_at DESC, id DESC);
--bun:split
CREATE TABLE billkit_reset_tokens (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    token_hash text NOT NULL,
    ip         text NOT NULL,
    user_agent text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT billkit_reset_tokens_token_key UNIQUE (token_hash)
);
--bun:split
CREATE INDEX billkit_reset_tokens_user_idx ON billkit_reset_tokens (user_id);
--bun:split
CREATE TABLE billkit_recovery_codes (
    user_id    uuid NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    code_hash  text NOT NULL,
    created_at timestamptz NOT NULL,
    used_at    timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
--bun:split
CREATE TABLE billkit_api_keys (
    id           uuid PRIMARY KEY,
    owner_id     uuid NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    name         text NOT NULL,
    prefix       text NOT NULL,
    secret_hash  text NOT NULL,
    scopes       jsonb NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    CONSTRAINT billkit_api_keys_secret_key UNIQUE (secret_hash)
);
--bun:split
CREATE INDEX billkit_api_keys_owner_idx ON billkit_api_keys (owner_id, created_at DESC, id DESC);
--bun:split
CREATE INDEX billkit_api_keys_created_idx ON billkit_api_keys (created_at DESC, id DESC);
--bun:split
CREATE TABLE billkit_access_events (
    id         uuid PRIMARY KEY,
    at         timestamptz NOT NULL,
    -- The log outlives a deleted user.
    user_id    uuid REFERENCES billkit_users (id) ON DELETE SET NULL,
    email      text NOT NULL,
    event      text NOT NULL,
    ip         text NOT NULL,
    user_agent text NOT NULL,
    detail     text NOT NULL
);
--bun:split
CREATE INDEX billkit_access_events_at_idx ON billkit_access_events (at DESC, id DESC);
--bun:split
CREATE INDEX billkit_access_events_user_idx ON billkit_access_events (user_id, at DESC, id DESC);
