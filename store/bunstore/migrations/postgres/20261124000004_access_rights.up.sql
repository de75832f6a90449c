-- Access rights: the action log, staff departments and their members,
-- grants of rights, the full-rights role, customer users' memberships in
-- clients, and invites to clients.
CREATE TABLE billkit_actions (
    id          uuid PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_kind  text NOT NULL,
    actor_id    text NOT NULL,
    actor_name  text NOT NULL,
    ip          text NOT NULL,
    user_agent  text NOT NULL,
    name        text NOT NULL,
    object_type text NOT NULL,
    object_id   text NOT NULL,
    -- No foreign key: the history of a client outlives the client.
    client_id   uuid,
    changes     jsonb NOT NULL
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
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    description text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT billkit_departments_name_key UNIQUE (name)
);
--bun:split
CREATE TABLE billkit_department_members (
    department_id uuid NOT NULL REFERENCES billkit_departments (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (department_id, user_id)
);
--bun:split
CREATE INDEX billkit_department_members_user_idx ON billkit_department_members (user_id, department_id);
--bun:split
CREATE TABLE billkit_grants (
    id            uuid PRIMARY KEY,
    department_id uuid REFERENCES billkit_departments (id) ON DELETE CASCADE,
    user_id       uuid REFERENCES billkit_users (id) ON DELETE CASCADE,
    "function"    text NOT NULL,
    op            text NOT NULL,
    created_at    timestamptz NOT NULL,
    CONSTRAINT billkit_grants_one_holder CHECK ((department_id IS NULL) <> (user_id IS NULL))
);
--bun:split
CREATE UNIQUE INDEX billkit_grants_department_key ON billkit_grants (department_id, "function", op) WHERE department_id IS NOT NULL;
--bun:split
CREATE UNIQUE INDEX billkit_grants_user_key ON billkit_grants (user_id, "function", op) WHERE user_id IS NOT NULL;
--bun:split
CREATE TABLE billkit_full_rights (
    user_id    uuid PRIMARY KEY REFERENCES billkit_users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL
);
--bun:split
CREATE TABLE billkit_client_members (
    client_id  uuid NOT NULL REFERENCES billkit_clients (id),
    user_id    uuid NOT NULL REFERENCES billkit_users (id) ON DELETE CASCADE,
    role       text NOT NULL,
    rights     jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (client_id, user_id)
);
--bun:split
CREATE INDEX billkit_client_members_user_idx ON billkit_client_members (user_id, client_id);
--bun:split
CREATE TABLE billkit_client_invites (
    id          uuid PRIMARY KEY,
    client_id   uuid NOT NULL REFERENCES billkit_clients (id),
    email       text NOT NULL,
    role        text NOT NULL,
    rights      jsonb NOT NULL,
    token_hash  text NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid REFERENCES billkit_users (id) ON DELETE SET NULL,
    revoked_at  timestamptz,
    CONSTRAINT billkit_client_invites_token_key UNIQUE (token_hash)
);
--bun:split
CREATE INDEX billkit_client_invites_client_idx ON billkit_client_invites (client_id, created_at DESC, id DESC);
