CREATE INDEX IF NOT EXISTS billkit_expense_allocations_entry_idx ON billkit_expense_allocations (entry_id);
