DROP TABLE IF EXISTS billkit_recalculation_lines;
--bun:split
DROP TABLE IF EXISTS billkit_recalculations;
--bun:split
DROP TABLE IF EXISTS billkit_ledger_debts;
--bun:split
DROP INDEX IF EXISTS billkit_ledger_entries_credit_idx;
--bun:split
DROP TABLE IF EXISTS billkit_credit_usage;
--bun:split
DROP TABLE IF EXISTS billkit_expense_allocations;
--bun:split
DROP TABLE IF EXISTS billkit_expenses;
