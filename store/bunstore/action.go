package bunstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/billkit/billkit"
)

// insertAction appends act to billkit_actions. Every domain adapter's
// InsertAction calls it, so the action log has one writer. The table is
// created by the access rights migration. It is a hot statement (see
// hotStatements): every change writes an action.
func (s *Store) insertAction(ctx context.Context, act *billkit.Action) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	if act == nil {
		return billkit.InvalidField("action", "required", "is required")
	}
	args, err := s.actionArgs(act)
	if err != nil {
		return err
	}
	_, err = s.execHot(ctx, qActionInsert, args...)
	return mapError(ctx, err, actionsTable.target(act))
}

// actionArgs normalizes act and returns the arguments of its row, in the
// order of qActionInsert's columns.
func (s *Store) actionArgs(act *billkit.Action) ([]any, error) {
	actionsTable.norm(act)
	changes, err := changesJSON(act.Changes)
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInvalid, "action.changes_invalid", "an action's changes are not JSON")
	}
	var client any
	if !act.ClientID.IsZero() {
		client = act.ClientID
	}
	return []any{act.ID, s.timeArg(act.At), string(act.ActorKind), act.ActorID, act.ActorName, act.IP, act.UserAgent,
		act.Name, act.ObjectType, act.ObjectID, client, changes}, nil
}

// actionColumns are the columns of qActionInsert.
const actionColumns = "(id, at, actor_kind, actor_id, actor_name, ip, user_agent, name, object_type, object_id, client_id, changes)"

var qActionInsert = hotQuery("INSERT INTO billkit_actions " + actionColumns + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

// changesJSON encodes an action's changes as its column holds them: a JSON
// array, empty rather than null. Before and After are JSON already, so they
// are checked and copied rather than encoded again.
func changesJSON(changes []billkit.Change) (string, error) {
	b := make([]byte, 0, 64*len(changes)+2)
	b = append(b, '[')
	for i, c := range changes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"field":`...)
		b = billkit.AppendJSONString(b, c.Field)
		for _, part := range []struct {
			name string
			v    json.RawMessage
		}{{`,"before":`, c.Before}, {`,"after":`, c.After}} {
			b = append(b, part.name...)
			switch {
			case len(part.v) == 0:
				b = append(b, "null"...)
			case !json.Valid(part.v):
				return "", fmt.Errorf("change %q: %s is not JSON", c.Field, strings.Trim(part.name, `,:"`))
			default:
				b = append(b, part.v...)
			}
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	return string(b), nil
}

var actionsTable = table[billkit.Action]{
	name: "billkit_actions",
	kind: "action",
	key:  func(a *billkit.Action) any { return a.ID },
	norm: func(a *billkit.Action) { instant(&a.At) },
}
