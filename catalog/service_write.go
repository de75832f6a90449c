package catalog

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

// outcome is what a save did.
type outcome int

const (
	unchanged outcome = iota
	created
	updated
)

// save stores next, built from a document over old (nil when new): insert
// when new, update when it differs (same is false), nothing otherwise; and
// records the action.
func save[T any](ctx context.Context, tx Store, actor billkit.Actor, now time.Time, object, id string, old, next *T, same bool, insert, update func(context.Context, *T) error) (outcome, error) {
	switch {
	case old == nil:
		if err := insert(ctx, next); err != nil {
			return 0, err
		}
		return created, record(ctx, tx, actor, now, object, "create", id, nil, next)
	case same:
		return unchanged, nil
	default:
		if err := update(ctx, next); err != nil {
			return 0, err
		}
		return updated, record(ctx, tx, actor, now, object, "update", id, old, next)
	}
}

// stamp sets the instants of an entity built over old.
func stamp(oldCreated time.Time, isNew bool, now time.Time) (createdAt, updatedAt time.Time) {
	if isNew {
		return now, now
	}
	return oldCreated, now
}

// inUse is the error of a delete refused because others refer to the
// entity.
func inUse(kind, code string, users []string) error {
	return billkit.Errorf(billkit.CodeFailedPrecondition, "catalog."+kind+"_in_use",
		"%s %s is used by %s", strings.ReplaceAll(kind, "_", " "), code, strings.Join(users, ", "))
}

// exists is the conflict of a create whose code is taken.
func exists(kind, code string) error {
	return billkit.Errorf(billkit.CodeConflict, kind+".exists", "%s %q already exists", strings.ReplaceAll(kind, "_", " "), code)
}

// codeTaken checks that no other entity of the kind has the code.
func codeTaken(v *billkit.FieldErrors, field, kind, code string, taken bool) {
	v.Check(!taken, field, ReasonCodeDuplicate, fmt.Sprintf("another %s has code %q", strings.ReplaceAll(kind, "_", " "), code))
}

// write runs fn in a transaction with the provider's snapshot; v's errors,
// with those fn adds, are returned before anything is stored: fn builds
// first, calls check, then writes.
//
// Catalog entities reference their provider, which billing owns and catalog
// cannot look up; a provider that does not exist surfaces as the store's
// failed reference (store.reference_missing), reported here as a bad
// provider_id.
func (s *Service) write(ctx context.Context, provider billkit.ProviderID, fn func(tx Store, sn *snapshot) error) error {
	err := s.store.InTx(ctx, func(tx Store) error {
		sn, err := loadSnapshot(ctx, tx, provider)
		if err != nil {
			return err
		}
		return fn(tx, sn)
	})
	if billkit.IsCode(err, billkit.CodeFailedPrecondition) && billkit.HasReason(err, "store.reference_missing") {
		return billkit.InvalidField("provider_id", "provider.not_found", "is not a provider")
	}
	return err
}
