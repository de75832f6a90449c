package billkit_test

import (
	"errors"
	"testing"

	"github.com/billkit/billkit"
)

func TestActorKind(t *testing.T) {
	for _, k := range []billkit.ActorKind{billkit.ActorStaff, billkit.ActorCustomer, billkit.ActorAPIKey, billkit.ActorSystem} {
		if !k.Valid() {
			t.Errorf("%s is not Valid", k)
		}
	}
	for _, k := range []billkit.ActorKind{"", "admin", "Staff"} {
		if k.Valid() {
			t.Errorf("%q is Valid", k)
		}
	}
}

func TestActorValidate(t *testing.T) {
	good := []billkit.Actor{
		billkit.SystemActor("scheduler"),
		{Kind: billkit.ActorStaff, ID: "u1", Name: "alice@example.com", IP: "192.0.2.1", UserAgent: "x"},
		{Kind: billkit.ActorAPIKey, ID: "k1"},
	}
	for _, a := range good {
		if err := a.Validate(); err != nil {
			t.Errorf("Validate(%v): %v", a, err)
		}
	}
	err := billkit.Actor{Kind: "robot", ID: "r1"}.Validate()
	wantInvalid(t, err, "actor.kind", "actor.kind_unknown")
	err = billkit.Actor{Kind: billkit.ActorCustomer, ID: "  "}.Validate()
	wantInvalid(t, err, "actor.id", "required")
	// Both mistakes at once.
	var e *billkit.Error
	if err := (billkit.Actor{}).Validate(); !errors.As(err, &e) || len(e.Fields) != 2 {
		t.Errorf("empty actor: %v", err)
	}
}

func TestActorString(t *testing.T) {
	a := billkit.SystemActor("cli")
	if a.Kind != billkit.ActorSystem || a.ID != "cli" || a.Name != "cli" || a.String() != "system:cli" {
		t.Errorf("SystemActor = %+v, %s", a, a)
	}
}
