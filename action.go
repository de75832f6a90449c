package billkit

import (
	"bytes"
	"context"
	"encoding/json"
	"sort"
	"time"
)

// ActionID identifies an Action.
type ActionID = ID[Action]

// Action is one entry of the action log: who did what to which object, when,
// from where, and the fields it changed. Every write in billkit records one in
// the same transaction as the change, so the two commit or roll back together.
// Entries are never changed; they are removed only by the retention policy.
type Action struct {
	ID ActionID  `json:"id" bun:"id,pk"`
	At time.Time `json:"at" bun:"at,notnull"`

	ActorKind ActorKind `json:"actor_kind" bun:"actor_kind,notnull"`
	ActorID   string    `json:"actor_id" bun:"actor_id,notnull"`
	ActorName string    `json:"actor_name" bun:"actor_name,notnull"`
	IP        string    `json:"ip" bun:"ip,notnull"`
	UserAgent string    `json:"user_agent" bun:"user_agent,notnull"`

	// Name is the action, "<function>.<verb>" ("billing.client.create").
	Name string `json:"name" bun:"name,notnull"`
	// ObjectType is the function of the object ("billing.client") and ObjectID
	// its key.
	ObjectType string `json:"object_type" bun:"object_type,notnull"`
	ObjectID   string `json:"object_id" bun:"object_id,notnull"`
	// ClientID is the client the object belongs to, when it belongs to one, so
	// a client's history can be listed.
	ClientID ClientID `json:"client_id,omitzero" bun:"client_id,nullzero"`
	// Changes are the fields that changed, before and after.
	Changes []Change `json:"changes" bun:"changes,notnull"`
}

// Change is one changed field of an Action. Before and After are JSON values;
// null means absent. Secrets never appear: types keep them out of their JSON
// form (json:"-"), and Diff compares JSON forms only.
type Change struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// NewAction returns the Action for actor doing name to an object at at, with
// the changes between before and after (either may be nil, for a creation or
// a deletion). It fails only when before or after cannot be encoded as JSON.
func NewAction(actor Actor, at time.Time, name, objectType, objectID string, before, after any) (*Action, error) {
	changes, err := Diff(before, after)
	if err != nil {
		return nil, err
	}
	return ActionOf(actor, at, name, objectType, objectID, changes), nil
}

// ActionOf is NewAction with the changes computed already (by Diff), for a
// caller that records them elsewhere too, such as an object's own history.
func ActionOf(actor Actor, at time.Time, name, objectType, objectID string, changes []Change) *Action {
	return &Action{
		ID: NewID[Action](), At: Instant(at),
		ActorKind: actor.Kind, ActorID: actor.ID, ActorName: actor.Name, IP: actor.IP, UserAgent: actor.UserAgent,
		Name: name, ObjectType: objectType, ObjectID: objectID, Changes: changes,
	}
}

// Diff compares the JSON forms of before and after, field by field at the top
// level, and returns the fields that differ, sorted by name. nil stands for
// an absent object. Fields that are the same are left out, so an update
// records only what it changed.
func Diff(before, after any) ([]Change, error) {
	b, err := jsonFields(before)
	if err != nil {
		return nil, err
	}
	a, err := jsonFields(after)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for k := range b {
		names[k] = true
	}
	for k := range a {
		names[k] = true
	}
	changes := []Change{}
	for k := range names {
		bv, av := b[k], a[k]
		if bytes.Equal(bv, av) {
			continue
		}
		changes = append(changes, Change{Field: k, Before: orNull(bv), After: orNull(av)})
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Field < changes[j].Field })
	return changes, nil
}

var jsonNull = json.RawMessage("null")

func orNull(v json.RawMessage) json.RawMessage {
	if v == nil {
		return jsonNull
	}
	return v
}

// ActionFielder is implemented by types that list the top-level fields of
// their own JSON form, compacted, for the action log: the same fields
// json.Marshal would write. Diff then skips encoding the value whole and
// decoding it again, which matters on hot paths (every ledger posting
// records one).
type ActionFielder interface {
	ActionFields() (map[string]json.RawMessage, error)
}

// AppendJSONString appends s to b as a JSON string, as encoding/json writes
// it (HTML characters escaped), without reflection: ActionFields methods
// and the stores' action writers use it on hot paths.
func AppendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonFields returns the top-level fields of v's JSON object form, compacted.
// A value that is not an object is returned under the field "value".
func jsonFields(v any) (map[string]json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	if f, ok := v.(ActionFielder); ok {
		fields, err := f.ActionFields()
		if err != nil {
			return nil, WrapError(err, CodeInternal, "action.encode", "encoding an object for the action log")
		}
		return fields, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, WrapError(err, CodeInternal, "action.encode", "encoding an object for the action log")
	}
	if bytes.Equal(raw, jsonNull) {
		return nil, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return map[string]json.RawMessage{"value": raw}, nil
	}
	for k, f := range fields {
		var buf bytes.Buffer
		if err := json.Compact(&buf, f); err == nil {
			fields[k] = buf.Bytes()
		}
	}
	return fields, nil
}

// ActionLog is where actions are appended: every domain Store has this
// method, bound to the transaction of the change being recorded.
type ActionLog interface {
	InsertAction(ctx context.Context, a *Action) error
}

// RecordAction appends to log the action of actor doing name to an object of
// objectType with key objectID, belonging to client (zero for none), with the
// changes between before and after. Call it with the transaction's store, so
// the entry commits or rolls back with the change.
func RecordAction(ctx context.Context, log ActionLog, actor Actor, at time.Time, name, objectType, objectID string, client ClientID, before, after any) error {
	a, err := NewAction(actor, at, name, objectType, objectID, before, after)
	if err != nil {
		return err
	}
	a.ClientID = client
	return log.InsertAction(ctx, a)
}
