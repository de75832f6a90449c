package billkit

import (
	"fmt"
	"strings"
)

// ActorKind says what kind of party acts.
type ActorKind string

// The kinds of actor.
const (
	// ActorStaff is an employee of the provider, signed in to the panel.
	ActorStaff ActorKind = "staff"
	// ActorCustomer is a user of a client account.
	ActorCustomer ActorKind = "customer"
	// ActorAPIKey is a program calling with an API key.
	ActorAPIKey ActorKind = "api_key"
	// ActorSystem is billkit itself: the scheduler, a job, the CLI, a migration.
	ActorSystem ActorKind = "system"
)

// Valid reports whether k is a known kind.
func (k ActorKind) Valid() bool {
	switch k {
	case ActorStaff, ActorCustomer, ActorAPIKey, ActorSystem:
		return true
	}
	return false
}

// Actor is who performs a call. Every write in billkit takes one, so the action
// log can record who did what, from where.
type Actor struct {
	Kind ActorKind `json:"kind"`
	// ID identifies the staff user, customer user or API key; for the system it
	// names the component ("scheduler", "cli").
	ID string `json:"id"`
	// Name is a display name for logs ("alice@example.com").
	Name string `json:"name,omitempty"`
	// IP and UserAgent say where the call came from, when it came over a network.
	IP        string `json:"ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	// Permissions says what the actor may do. access builds it when it
	// authenticates a staff user, a customer user or an API key. A nil
	// Permissions allows everything to ActorSystem and nothing to anyone else:
	// access is denied by default.
	Permissions Permissions `json:"-"`
}

// SystemActor returns the actor for an automated component of billkit.
func SystemActor(component string) Actor {
	return Actor{Kind: ActorSystem, ID: component, Name: component}
}

// Validate checks that the actor names its kind and identity.
func (a Actor) Validate() error {
	var v FieldErrors
	v.Check(a.Kind.Valid(), "actor.kind", "actor.kind_unknown", fmt.Sprintf("unknown actor kind %q", a.Kind))
	v.Check(strings.TrimSpace(a.ID) != "", "actor.id", "required", "is required")
	return v.Err()
}

// String returns "kind:id".
func (a Actor) String() string { return string(a.Kind) + ":" + a.ID }
