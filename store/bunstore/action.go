package bunstore

import (
	"context"

	"github.com/billkit/billkit"
)

// insertAction appends act to billkit_actions. Every domain adapter's
// InsertAction calls it, so the action log has one writer. The table is
// created by the access rights migration.
func (s *Store) insertAction(ctx context.Context, act *billkit.Action) error {
	if act == nil {
		return billkit.InvalidField("action", "required", "is required")
	}
	return insertRow(ctx, s, actionsTable, act)
}

var actionsTable = table[billkit.Action]{
	name: "billkit_actions",
	kind: "action",
	key:  func(a *billkit.Action) any { return a.ID },
	norm: func(a *billkit.Action) { instant(&a.At) },
}
