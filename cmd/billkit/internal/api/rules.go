package api

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/billkit/billkit"
	"github.com/danielgtaylor/huma/v2"
)

// ruleKind says who may call an operation.
type ruleKind int

const (
	rulePublic ruleKind = iota + 1
	ruleAuthenticated
	ruleRight
	ruleFullRights
)

// Rule is the access rule of an operation. Every operation of the API has
// exactly one, given when it is registered ([route]); an operation without
// one is refused to everybody. The rule documents the operation (its
// description says "Requires: ...") and the middleware enforces its first
// half, authentication: an anonymous caller of a non-public operation gets
// 401. The right itself is checked by the domain service the handler calls,
// the one place that knows the client an object belongs to, so the API
// never duplicates a business rule.
type Rule struct {
	kind  ruleKind
	right billkit.Right
	// clientParam names the path parameter whose object's client scopes the
	// right; "" for a global right (or a list filtered by the clients the
	// actor may see).
	clientParam string
	// note adds to the description what the service checks besides the
	// right ("a staff user may read its own").
	note string
}

// Public is the rule of operations anyone may call, even anonymously.
func Public() Rule { return Rule{kind: rulePublic} }

// Authenticated is the rule of operations any signed-in actor may call, such
// as GET /me.
func Authenticated() Rule { return Rule{kind: ruleAuthenticated} }

// Requires is the rule of operations that need the right r, checked
// globally: on objects that belong to no client, or on lists that the
// service filters by the clients the actor may see.
func Requires(function string, op billkit.Operation) Rule {
	return Rule{kind: ruleRight, right: billkit.R(function, op)}
}

// FullRightsOnly is the rule of operations only staff users with the
// full-rights role may call (giving or taking that role).
func FullRightsOnly() Rule { return Rule{kind: ruleFullRights} }

// described returns the rule with a note for its description about what the
// service checks besides the right.
func (r Rule) described(note string) Rule {
	r.note = note
	return r
}

// OnClientOf scopes the rule's right to the client that owns the object the
// path parameter param names: a customer user of that client may be allowed,
// a customer user of another client gets not_found, the answer a missing
// object gives.
func (r Rule) OnClientOf(param string) Rule {
	r.clientParam = param
	return r
}

// IsPublic reports whether anyone may call the operation.
func (r Rule) IsPublic() bool { return r.kind == rulePublic }

// Right returns the right the rule requires, and false when it requires none.
func (r Rule) Right() (billkit.Right, bool) { return r.right, r.kind == ruleRight }

// IsFullRightsOnly reports whether only full-rights staff may call the
// operation.
func (r Rule) IsFullRightsOnly() bool { return r.kind == ruleFullRights }

// ClientParam returns the path parameter that names the object whose client
// scopes the right, or "".
func (r Rule) ClientParam() string { return r.clientParam }

// String is the rule as the OpenAPI document shows it: "public",
// "authenticated", "billing.client:read" or
// "billing.client:read on the client of {id}".
func (r Rule) String() string {
	switch r.kind {
	case rulePublic:
		return "public"
	case ruleAuthenticated:
		return "authenticated"
	case ruleFullRights:
		return "full rights"
	case ruleRight:
		if r.clientParam != "" {
			return r.right.String() + " on the client of {" + r.clientParam + "}"
		}
		return r.right.String()
	}
	return "none"
}

// ruleKey is the operation metadata key of the rule, and ruleExtension the
// OpenAPI extension that shows it.
const (
	ruleKey       = "billkit.access"
	ruleExtension = "x-billkit-access"
)

// RuleOf returns the access rule of an operation, and false when it has
// none.
func RuleOf(o *huma.Operation) (Rule, bool) {
	if o == nil {
		return Rule{}, false
	}
	r, ok := o.Metadata[ruleKey].(Rule)
	return r, ok && r.kind != 0
}

// route registers an operation with its access rule. It is the only way
// operations are registered: the rule is stored in the operation's metadata
// for the middleware, shown in its description and OpenAPI extension, and
// the errors it implies (401, 403, 404) are added to the documented ones.
func route[I, O any](api huma.API, o huma.Operation, rule Rule, h func(context.Context, *I) (*O, error)) {
	if rule.kind == 0 {
		panic("api: operation " + o.OperationID + " registered without an access rule")
	}
	if o.Metadata == nil {
		o.Metadata = map[string]any{}
	}
	o.Metadata[ruleKey] = rule
	if o.Extensions == nil {
		o.Extensions = map[string]any{}
	}
	o.Extensions[ruleExtension] = rule.String()
	requires := "Requires: " + rule.String() + "."
	switch rule.kind {
	case rulePublic:
		requires = "Public: no credentials needed."
	case ruleAuthenticated:
		requires = "Requires: a signed-in user or an API key."
	case ruleFullRights:
		requires = "Requires: a staff user with the full-rights role."
	}
	if rule.note != "" {
		requires = requires[:len(requires)-1] + " (" + rule.note + ")."
	}
	if o.Description == "" {
		o.Description = requires
	} else {
		o.Description += "\n\n" + requires
	}
	if rule.kind != rulePublic {
		o.Errors = addStatus(o.Errors, http.StatusUnauthorized)
	}
	if rule.kind == ruleRight || rule.kind == ruleFullRights {
		o.Errors = addStatus(o.Errors, http.StatusForbidden)
	}
	if rule.clientParam != "" {
		o.Errors = addStatus(o.Errors, http.StatusNotFound)
	}
	if rule.kind != rulePublic && o.Method != http.MethodGet && o.Metadata[noReplayKey] != true {
		o.Parameters = append(o.Parameters, &huma.Param{
			Name: IdempotencyHeader, In: "header",
			Description: "Makes the call safe to retry: the same key, from the same caller, within 24 hours, gets the first call's answer again.",
			Schema:      &huma.Schema{Type: huma.TypeString, MaxLength: ptr(maxIdempotencyKeyLen)},
		})
	}
	slices.Sort(o.Errors)
	huma.Register(api, o, h)
}

// secretResult marks an operation whose answer holds a secret shown once;
// it refuses an Idempotency-Key rather than keep the secret for a replay.
func secretResult(o huma.Operation) huma.Operation {
	if o.Metadata == nil {
		o.Metadata = map[string]any{}
	}
	o.Metadata[noReplayKey] = true
	return o
}

func addStatus(s []int, status int) []int {
	if slices.Contains(s, status) {
		return s
	}
	return append(s, status)
}

// describeRule is the first line of the API description about access.
func describeRules() string {
	return strings.Join([]string{
		"Every operation names who may call it in its description (\"Public\", \"Requires: a signed-in user\" or \"Requires: function:operation\") and in the extension " + ruleExtension + ".",
		"Sign in with POST /auth/login, which sets the session cookie billkit_session, or send an API key as Authorization: Bearer <key>.",
		"A credential that is presented but not valid is refused with 401 on every operation, public ones included.",
		"A customer user asking for an object of a client it does not belong to gets 404, as if the object did not exist.",
	}, "\n\n")
}
