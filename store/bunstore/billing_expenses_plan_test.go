package bunstore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/billkit/billkit/store/storetest"
)

// TestExpenseQueriesUseTheirIndexes checks, on SQLite, that the queries a
// posting makes to link money to debts read their partial indexes instead
// of a client's whole history: the client's credits (where unallocated
// money lies), its open debts and its covered expenses.
func TestExpenseQueriesUseTheirIndexes(t *testing.T) {
	st := storetest.NewMemory(t)
	ctx := context.Background()
	for _, tc := range []struct{ query, index string }{
		{`SELECT * FROM billkit_ledger_entries AS ledger_row WHERE ledger_row.client_id = 'x' AND ledger_row.amount NOT LIKE '-%'
			AND ledger_row.id < 'y' ORDER BY ledger_row.id DESC LIMIT 21`, "billkit_ledger_entries_credit_idx"},
		{`SELECT * FROM billkit_expenses AS expense_row WHERE expense_row.client_id = 'x' AND expense_row.status <> 'paid'
			ORDER BY expense_row.ledger_entry_id LIMIT 101`, "billkit_expenses_debt_idx"},
		{`SELECT * FROM billkit_expenses AS expense_row WHERE expense_row.client_id = 'x' AND expense_row.status <> 'unpaid'
			ORDER BY expense_row.ledger_entry_id DESC LIMIT 51`, "billkit_expenses_covered_idx"},
		{`SELECT * FROM billkit_ledger_debts AS ledger_debt_row WHERE ledger_debt_row.client_id = 'x' AND ledger_debt_row.status <> 'paid'
			ORDER BY ledger_debt_row.entry_id LIMIT 101`, "billkit_ledger_debts_open_idx"},
	} {
		rows, err := st.DB().QueryContext(ctx, "EXPLAIN QUERY PLAN "+tc.query)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		if p := strings.Join(plan, "; "); !strings.Contains(p, "USING INDEX "+tc.index) || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("%s\nplan: %s\nwant a search of %s in order", tc.query, p, tc.index)
		}
	}
}
