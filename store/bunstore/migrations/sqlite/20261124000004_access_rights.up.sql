-- Access rights: the action log, staff departments and their members,
-- grants of rights, the full-rights role, customer users' memberships in
-- clients, and invites to clients. IDs, instants and JSON are TEXT.
CREATE TABLE billkit_actions (
    id          TEXT PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_kind  TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    ip          TEXT NOT NULL,
    user_agent  TEXT NOT NULL,
    name        TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    -- No foreign key: the history of a client outlives the client.
    client_id   TEXT,
    changes     TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_actions_object_idx ON billkit_actions (object_type, object_id, at DESC, id DESC);
--bun:split
CREATE INDEX billkit_actions_client_idx ON billkit_actions (client_id, at DESC, id DESC);
--bun:split
CREATE INDEX billkit_actions_actor_idx ON billkit_actions (actor_id, at DESC, id DESC);
--bun:split
CREATE INDEX billkit_actions_at_idx ON billkit_actions (at DESC, id DESC);
--bun:split
CREATE TABLE billkit_departments (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CONSTRAINT billkit_departments_name_key UNIQUE (name)
);
--bun:split
CREATE TABLE billkit_department_members (
    department_id TEXT NOT NULL REFERENCES billkit_departments (id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (department_id, user_id)
);
--bun:split
CREATE INDEX billkit_department_members_user_idx ON billkit_department_members (user_id, department_id);
--bun:split
CREATE TABLE billkit_grants (
    id            TEXT PRIMARY KEY,
    department_id TEXT REFERENCES billkit_departments (id) ON DELETE CASCADE,
    user_id       TEXT REFERENCES billkit_users (id) ON DELETE CASCADE,
    "function"    TEXT NOT NULL,
    op            TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CONSTRAINT billkit_grants_one_holder CHECK ((department_id IS NULL) <> (user_id IS NULL))
);
--bun:split
CREATE UNIQUE INDEX billkit_grants_department_key ON billkit_grants (department_id, "function", op) WHERE department_id IS NOT NULL;
--bun:split
CREATE UNIQUE INDEX billkit_grants_user_key ON billkit_grants (user_id, "function", op) WHERE user_id IS NOT NULL;
--bun:split
CREATE TABLE billkit_full_rights (
    user_id    TEXT PRIMARY KEY REFERENCES billkit_users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
--bun:split
CREATE TABLE billkit_client_members (
    client_id  TEXT NOT NULL REFERENCES billkit_clients (id),
    user_id    TEXT NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    rights     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (client_id, user_id)
);
--bun:split
CREATE INDEX billkit_client_members_user_idx ON billkit_client_members (user_id, client_id);
--bun:split
CREATE TABLE billkit_client_invites (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES billkit_clients (id),
    email       TEXT NOT NULL,
    role        TEXT NOT NULL,
    rights      TEXT NOT NULL,
    token_hash  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by TEXT REFERENCES billkit_users (id) ON DELETE SET NULL,
    revoked_at  TEXT,
    CONSTRAINT billkit_client_invites_token_key UNIQUE (token_hash)
);
--bun:split
CREATE INDEX billkit_client_invites_client_idx ON billkit_client_invites (client_id, created_at DESC, id DESC);
