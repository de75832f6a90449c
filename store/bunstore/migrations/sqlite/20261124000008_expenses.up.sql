-- Expenses, the allocations that link money to the debits it pays, the use
-- of each credit, the debits that are not expenses and found no money,
-- and recalculations. Amounts are TEXT holding exact decimals, compared and
-- summed in Go; instants are UTC text, dates "YYYY-MM-DD", IDs TEXT. A
-- status column ('unpaid', 'partly_paid', 'paid') beside amount and
-- covered keeps the lists of debts and of covered expenses on partial
-- indexes, with the same SQL on both databases.
CREATE TABLE billkit_expenses (
    id              TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES billkit_clients (id),
    kind            TEXT NOT NULL,
    amount          TEXT NOT NULL,
    covered         TEXT NOT NULL,
    currency        TEXT NOT NULL,
    status          TEXT NOT NULL,
    description     TEXT NOT NULL,
    cause_type      TEXT NOT NULL,
    cause_id        TEXT NOT NULL,
    period_start    TEXT,
    period_end      TEXT,
    tariff_id       TEXT,
    billing_period  TEXT NOT NULL,
    quantity        TEXT NOT NULL,
    price_date      TEXT,
    ledger_entry_id TEXT NOT NULL UNIQUE REFERENCES billkit_ledger_entries (id),
    actor_kind      TEXT NOT NULL,
    actor_id        TEXT NOT NULL,
    created_at      TEXT NOT NULL
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
    id              TEXT PRIMARY KEY,
    client_id       TEXT NOT NULL REFERENCES billkit_clients (id),
    expense_id      TEXT REFERENCES billkit_expenses (id),
    debit_entry_id  TEXT NOT NULL REFERENCES billkit_ledger_entries (id),
    credit_entry_id TEXT NOT NULL REFERENCES billkit_ledger_entries (id),
    payment_id      TEXT,
    amount          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    entry_id        TEXT NOT NULL REFERENCES billkit_ledger_entries (id),
    created_at      TEXT NOT NULL
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
    entry_id TEXT PRIMARY KEY REFERENCES billkit_ledger_entries (id),
    used     TEXT NOT NULL
);
--bun:split
-- The credits of a client, newest posting first: where its unallocated
-- money lies. Amounts are never zero, so a credit is an amount without a
-- minus sign.
CREATE INDEX billkit_ledger_entries_credit_idx ON billkit_ledger_entries (client_id, id) WHERE amount NOT LIKE '-%';
--bun:split
CREATE TABLE billkit_ledger_debts (
    entry_id   TEXT PRIMARY KEY REFERENCES billkit_ledger_entries (id),
    client_id  TEXT NOT NULL REFERENCES billkit_clients (id),
    kind       TEXT NOT NULL,
    memo       TEXT NOT NULL,
    amount     TEXT NOT NULL,
    covered    TEXT NOT NULL,
    currency   TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_ledger_debts_open_idx ON billkit_ledger_debts (client_id, entry_id) WHERE status <> 'paid';
--bun:split
CREATE TABLE billkit_recalculations (
    id         TEXT PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES billkit_clients (id),
    from_date  TEXT NOT NULL,
    memo       TEXT NOT NULL,
    total      TEXT NOT NULL,
    currency   TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    created_at TEXT NOT NULL
);
--bun:split
CREATE INDEX billkit_recalculations_client_idx ON billkit_recalculations (client_id, created_at, id);
--bun:split
CREATE TABLE billkit_recalculation_lines (
    recalculation_id TEXT NOT NULL REFERENCES billkit_recalculations (id),
    position         INTEGER NOT NULL,
    expense_id       TEXT NOT NULL REFERENCES billkit_expenses (id),
    charged          TEXT NOT NULL,
    adjusted         TEXT NOT NULL,
    correct          TEXT NOT NULL,
    difference       TEXT NOT NULL,
    currency         TEXT NOT NULL,
    ledger_entry_id  TEXT REFERENCES billkit_ledger_entries (id),
    PRIMARY KEY (recalculation_id, position)
);
--bun:split
CREATE INDEX billkit_recalculation_lines_expense_idx ON billkit_recalculation_lines (expense_id);
