package access

import (
	"context"
	"time"

	"github.com/billkit/billkit"
)

// now is the service's clock in the form billkit stores instants.
func (s *Service) now() time.Time { return billkit.Instant(s.clock.Now()) }

// idRecord appends to the action log, in tx, that actor did verb to the
// object of function fn ("access.staff") with key id: the action is
// "<fn>.<verb>". before and after are the object's JSON forms, which carry
// no secrets.
func (s *Service) idRecord(ctx context.Context, tx Store, actor billkit.Actor, fn, verb, id string, before, after any) error {
	return billkit.RecordAction(ctx, tx, actor, s.now(), fn+"."+verb, fn, id, billkit.ClientID{}, before, after)
}

// isSelf reports whether actor is the user id, signed in as itself (not
// through an API key).
func isSelf(actor billkit.Actor, id UserID) bool {
	return (actor.Kind == billkit.ActorStaff || actor.Kind == billkit.ActorCustomer) &&
		!id.IsZero() && actor.ID == id.String()
}

// selfActor is u acting on its own account from ip with userAgent: when it
// signs up, logs in, logs out or resets its password. It carries no
// Permissions; only the self-service rules apply.
func selfActor(u *User, ip, userAgent string) billkit.Actor {
	return billkit.Actor{Kind: u.Kind.actorKind(), ID: u.ID.String(), Name: u.Email, IP: ip, UserAgent: userAgent}
}

// unauthenticated returns an unauthenticated error with reason and message.
func unauthenticated(reason, message string) error {
	return &billkit.Error{Code: billkit.CodeUnauthenticated, Reason: reason, Message: message}
}
