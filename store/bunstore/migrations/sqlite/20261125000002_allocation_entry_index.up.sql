-- An allocation's entry_id (the posting that made it) is kept for the
-- record but never looked up: its index only slowed every charge down.
DROP INDEX IF EXISTS billkit_expense_allocations_entry_idx;
