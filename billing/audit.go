package billing

import (
	"context"
	"fmt"
)

// AuditFinding is one inconsistency found by Service.Audit.
type AuditFinding struct {
	// Check names the check that failed: "ledger", "invoice", "expense".
	Check string `json:"check"`
	// Object is the ID of what is inconsistent (a client, an invoice, an
	// expense).
	Object string `json:"object"`
	// Problem says what is wrong, in words.
	Problem string `json:"problem"`
}

// Audit checks the money core's invariants over the whole database: each
// cached balance equals the sum of its client's entries (AuditLedger);
// each invoice's total equals its lines and taxes; no expense is covered by
// more than its amount, and no payment gives more than it brought. It
// returns what it found, nothing when all holds. It reads everything: run
// it from a maintenance job or after a test, not on a request.
func (s *Service) Audit(ctx context.Context) ([]AuditFinding, error) {
	var out []AuditFinding
	ledger, err := s.AuditLedger(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range ledger {
		out = append(out, AuditFinding{Check: "ledger", Object: d.ClientID.String(),
			Problem: fmt.Sprintf("%s (cached %s over %d entries, entries sum %s over %d)", d.Problem, d.Cached, d.CachedEntries, d.Sum, d.Entries)})
	}
	for _, check := range []func(context.Context) ([]AuditFinding, error){s.auditInvoices, s.auditExpenses} {
		found, err := check(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}
