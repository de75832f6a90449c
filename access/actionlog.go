package access

import (
	"context"
	"time"

	"github.com/billkit/billkit"
)

// ActionFilter selects entries of the action log. Lists are newest first.
type ActionFilter struct {
	// ActorID, when set, keeps the actions of that actor (a user ID, an API
	// key ID, a system component).
	ActorID string `json:"actor_id,omitempty"`
	// Name, when set, keeps actions of that name ("billing.client.create").
	Name string `json:"name,omitempty"`
	// ObjectType and ObjectID, when set, keep actions on that kind of object
	// and that object.
	ObjectType string `json:"object_type,omitempty"`
	ObjectID   string `json:"object_id,omitempty"`
	// ClientID, when set, keeps actions on objects of that client.
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	// Clients, when not nil, keeps only actions on objects of those clients
	// (none when empty). Service.ListActions sets it for actors who see only
	// some clients.
	Clients []billkit.ClientID `json:"-"`
	// From and To bound At: From inclusive, To exclusive; zero means
	// unbounded.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	billkit.PageParams
}

// ListActions lists the action log, newest first. It needs
// access.actionlog:read; an actor who sees only some clients (a customer)
// sees only the actions on their objects.
func (s *Service) ListActions(ctx context.Context, actor billkit.Actor, f ActionFilter) (billkit.Page[billkit.Action], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[billkit.Action]{}, err
	}
	var v billkit.FieldErrors
	v.Merge("", f.PageParams.Validate())
	v.Check(f.From.IsZero() || f.To.IsZero() || f.From.Before(f.To), "to", "access.range_empty", "must be after from")
	if err := v.Err(); err != nil {
		return billkit.Page[billkit.Action]{}, err
	}
	r := billkit.R(FunctionActionLog, billkit.OpRead)
	f.Clients = nil
	if ids, all := actor.VisibleClients(); !all {
		// A customer reads the history of its own clients, where its role
		// gives it the right.
		f.Clients = []billkit.ClientID{}
		for _, id := range ids {
			if actor.Permissions != nil && actor.Permissions.Allows(r, id) {
				f.Clients = append(f.Clients, id)
			}
		}
		if len(f.Clients) == 0 {
			if err := actor.Authorize(r); err != nil {
				return billkit.Page[billkit.Action]{}, err
			}
		}
	} else if err := actor.Authorize(r); err != nil {
		return billkit.Page[billkit.Action]{}, err
	}
	if !f.From.IsZero() {
		f.From = billkit.Instant(f.From)
	}
	if !f.To.IsZero() {
		f.To = billkit.Instant(f.To)
	}
	return s.store.ListActions(ctx, f)
}

// PurgeActions deletes the actions that happened before before, for
// retention, and returns how many it deleted. It needs
// access.actionlog:delete. The purge itself is recorded
// ("access.actionlog.purge"), after the deletion, so it stays on the record.
func (s *Service) PurgeActions(ctx context.Context, actor billkit.Actor, before time.Time) (int, error) {
	if err := actor.Validate(); err != nil {
		return 0, err
	}
	if before.IsZero() {
		return 0, billkit.InvalidField("before", "required", "is required")
	}
	if err := actor.Authorize(billkit.R(FunctionActionLog, billkit.OpDelete)); err != nil {
		return 0, err
	}
	before = billkit.Instant(before)
	var n int
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		if n, err = tx.DeleteActionsBefore(ctx, before); err != nil {
			return err
		}
		return s.recordRights(ctx, tx, actor, FunctionActionLog+".purge", FunctionActionLog, "", billkit.ClientID{},
			nil, map[string]any{"before": before, "deleted": n})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
