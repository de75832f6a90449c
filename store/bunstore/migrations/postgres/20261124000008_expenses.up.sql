-- Expenses, the allocations that link money to the debits it pays, the use
-- of each credit, the debits that are not expenses and found no money,
-- and recalculations. A status column ('unpaid', 'partly_paid', 'paid')
-- beside amount and covered keeps the lists of debts and of covered
-- expenses on partial indexes, with the same SQL on both databases.
CREATE TABLE billkit_expenses (
    id              uuid PRIMARY KEY,
    client_id       uuid NOT NULL REFERENCES billkit_clients (id),
    kind            text NOT NULL,
    amount          numeric NOT NULL,
    covered         numeric NOT NULL,
    currency        text NOT NULL,
    status          text NOT NULL,
    description     text NOT NULL,
    cause_type      text NOT NULL,
    cause_id        text NOT NULL,
    period_start    date,
    period_end      date,
    tariff_id       uuid,
    billing_period  text NOT NULL,
    quantity        numeric NOT NULL,
    price_date      date,
    ledger_entry_id uuid NOT NULL UNIQUE REFERENCES billkit_ledger_entries (id),
    actor_kind      text NOT NULL,
    actor_id        text NOT NULL,
    created_at      timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_expenses_client_idx ON billkit_expenses (client_id, ledger_entry_id);
--bun:split
CREATE INDEX billkit_expenses_debt_idx ON billkit_expenses (client_id, ledger_entry_id) WHERE status <> 'paid';
--bun:split
CREATE INDEX billkit_expenses_covered_idx ON billkit_expenses (client_id, ledger_entry_id) WHERE status <> 'unpaid';
--bun:split
CREATE INDEX billkit_expenses_cause_idx ON billkit_expenses (cause_type, cause_id);
--bun:split
CREATE TABLE billkit_expense_allocations (
    id              uuid PRIMARY KEY,
    client_id       uuid NOT NULL REFERENCES billkit_clients (id),
    expense_id      uuid REFERENCES billkit_expenses (id),
    debit_entry_id  uuid NOT NULL REFERENCES billkit_ledger_entries (id),
    credit_entry_id uuid NOT NULL REFERENCES billkit_ledger_entries (id),
    payment_id      uuid,
    amount          numeric NOT NULL,
    currency        text NOT NULL,
    entry_id        uuid NOT NULL REFERENCES billkit_ledger_entries (id),
    created_at      timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_expense_allocations_created_idx ON billkit_expense_allocations (created_at, id);
--bun:split
CREATE INDEX billkit_expense_allocations_client_idx ON billkit_expense_allocations (client_id, created_at, id);
--bun:split
CREATE INDEX billkit_expense_allocations_expense_idx ON billkit_expense_allocations (expense_id, created_at, id) WHERE expense_id IS NOT NULL;
--bun:split
CREATE INDEX billkit_expense_allocations_debit_idx ON billkit_expense_allocations (debit_entry_id);
--bun:split
CREATE INDEX billkit_expense_allocations_credit_idx ON billkit_expense_allocations (credit_entry_id);
--bun:split
CREATE INDEX billkit_expense_allocations_payment_idx ON billkit_expense_allocations (payment_id, created_at, id) WHERE payment_id IS NOT NULL;
--bun:split
CREATE INDEX billkit_expense_allocations_entry_idx ON billkit_expense_allocations (entry_id);
--bun:split
CREATE TABLE billkit_credit_usage (
    entry_id uuid PRIMARY KEY REFERENCES billkit_ledger_entries (id),
    used     numeric NOT NULL
);
--bun:split
-- The credits of a client, newest posting first: where its unallocated
-- money lies.
CREATE INDEX billkit_ledger_entries_credit_idx ON billkit_ledger_entries (client_id, id) WHERE amount > 0;
--bun:split
CREATE TABLE billkit_ledger_debts (
    entry_id   uuid PRIMARY KEY REFERENCES billkit_ledger_entries (id),
    client_id  uuid NOT NULL REFERENCES billkit_clients (id),
    kind       text NOT NULL,
    memo       text NOT NULL,
    amount     numeric NOT NULL,
    covered    numeric NOT NULL,
    currency   text NOT NULL,
    status     text NOT NULL,
    created_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_ledger_debts_open_idx ON billkit_ledger_debts (client_id, entry_id) WHERE status <> 'paid';
--bun:split
CREATE TABLE billkit_recalculations (
    id         uuid PRIMARY KEY,
    client_id  uuid NOT NULL REFERENCES billkit_clients (id),
    from_date  date NOT NULL,
    memo       text NOT NULL,
    total      numeric NOT NULL,
    currency   text NOT NULL,
    actor_kind text NOT NULL,
    actor_id   text NOT NULL,
    created_at timestamptz NOT NULL
);
--bun:split
CREATE INDEX billkit_recalculations_client_idx ON billkit_recalculations (client_id, created_at, id);
--bun:split
CREATE TABLE billkit_recalculation_lines (
    recalculation_id uuid NOT NULL REFERENCES billkit_recalculations (id),
    position         integer NOT NULL,
    expense_id       uuid NOT NULL REFERENCES billkit_expenses (id),
    charged          numeric NOT NULL,
    adjusted         numeric NOT NULL,
    correct          numeric NOT NULL,
    difference       numeric NOT NULL,
    currency         text NOT NULL,
    ledger_entry_id  uuid REFERENCES billkit_ledger_entries (id),
    PRIMARY KEY (recalculation_id, position)
);
--bun:split
CREATE INDEX billkit_recalculation_lines_expense_idx ON billkit_recalculation_lines (expense_id);
