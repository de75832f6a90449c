package api

import (
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/danielgtaylor/huma/v2"
)

// CreateUserParams create a staff or customer user.
type CreateUserParams struct {
	Email    string `json:"email" maxLength:"254"`
	Name     string `json:"name,omitempty" maxLength:"200"`
	Locale   string `json:"locale,omitempty" maxLength:"35"`
	Password string `json:"password" maxLength:"1024" doc:"The initial password; it must pass the password policy."`
}

type createUserInput struct {
	Body CreateUserParams
}

type listUsersInput struct {
	Status string `query:"status" enum:"active,disabled" doc:"Only users with this status."`
	Query  string `query:"query" maxLength:"254" doc:"Matches part of the email or the name."`
	PageInput
}

type updateUserInput struct {
	IDPath
	Body access.UpdateUserParams
}

// SetPasswordParams set a user's password.
type SetPasswordParams struct {
	Password string `json:"password" maxLength:"1024" doc:"The new password; it must pass the password policy."`
}

type setPasswordInput struct {
	IDPath
	Body SetPasswordParams
}

type listAccessEventsInput struct {
	UserID string `query:"user_id" maxLength:"64" doc:"Only this user's events."`
	Event  string `query:"event" maxLength:"64" doc:"Only events of this kind, such as login_failed."`
	From   string `query:"from" doc:"Only events at or after this instant (RFC 3339)."`
	To     string `query:"to" doc:"Only events before this instant (RFC 3339)."`
	PageInput
}

// registerUsers registers staff users under /staff and customer users under
// /users: the same calls, each kind with its own function.
func (h *handlers) registerUsers(api huma.API) {
	acc := h.access
	for _, k := range []struct {
		kind       access.UserKind
		path, noun string
		function   string
		tag        string
	}{
		{access.UserKindStaff, "/staff", "staff", access.FunctionStaff, "Staff"},
		{access.UserKindCustomer, "/users", "customer", access.FunctionUser, "Customer users"},
	} {
		kind := k.kind
		plural := k.noun + "-users"
		route(api, op("list-"+plural, http.MethodGet, k.path, "List "+k.noun+" users", k.tag), Requires(k.function, billkit.OpRead),
			func(ctx context.Context, in *listUsersInput) (*body[List[access.User]], error) {
				return readList(ctx, func(a billkit.Actor) (billkit.Page[access.User], error) {
					return acc.ListUsers(ctx, a, access.UserFilter{Kind: kind, Status: access.UserStatus(in.Status), Query: in.Query, PageParams: in.page()})
				})
			})
		route(api, op("create-"+k.noun+"-user", http.MethodPost, k.path, "Create a "+k.noun+" user", k.tag, http.StatusConflict), Requires(k.function, billkit.OpCreate),
			func(ctx context.Context, in *createUserInput) (*body[*access.User], error) {
				return write(ctx, func(a billkit.Actor) (*access.User, error) {
					return acc.CreateUser(ctx, a, access.CreateUserParams{Kind: kind, Email: in.Body.Email, Name: in.Body.Name, Locale: in.Body.Locale, Password: in.Body.Password})
				})
			})
		route(api, op("get-"+k.noun+"-user", http.MethodGet, k.path+"/{id}", "Get a "+k.noun+" user", k.tag, http.StatusNotFound), Requires(k.function, billkit.OpRead).described("a user may read itself"),
			func(ctx context.Context, in *IDPath) (*body[*access.User], error) {
				return write(ctx, func(a billkit.Actor) (*access.User, error) {
					id, err := parseID[access.User]("id", in.ID)
					if err != nil {
						return nil, err
					}
					return ofKind(kind, id)(acc.GetUser(ctx, a, id))
				})
			})
		route(api, op("update-"+k.noun+"-user", http.MethodPatch, k.path+"/{id}", "Rename, relocalize, disable or enable a "+k.noun+" user", k.tag, http.StatusNotFound), Requires(k.function, billkit.OpEdit).described("and "+k.function+":read; a user may change its own name and locale"),
			func(ctx context.Context, in *updateUserInput) (*body[*access.User], error) {
				return write(ctx, func(a billkit.Actor) (*access.User, error) {
					id, err := parseID[access.User]("id", in.ID)
					if err != nil {
						return nil, err
					}
					// The kind is checked before the change, so /staff/{id}
					// cannot change a customer user and the other way round.
					if _, err := ofKind(kind, id)(acc.GetUser(ctx, a, id)); err != nil {
						return nil, err
					}
					return acc.UpdateUser(ctx, a, id, in.Body)
				})
			})
		route(api, op("set-"+k.noun+"-user-password", http.MethodPost, k.path+"/{id}/password", "Set a "+k.noun+" user's password; ends its sessions", k.tag, http.StatusNotFound),
			Requires(k.function, billkit.OpEdit).described("and "+k.function+":read"),
			func(ctx context.Context, in *setPasswordInput) (*body[Done], error) {
				return write(ctx, func(a billkit.Actor) (Done, error) {
					id, err := parseID[access.User]("id", in.ID)
					if err != nil {
						return Done{}, err
					}
					if _, err := ofKind(kind, id)(acc.GetUser(ctx, a, id)); err != nil {
						return Done{}, err
					}
					return done(acc.ChangePassword(ctx, a, id, "", in.Body.Password))
				})
			})
	}

	// The access log.
	route(api, op("list-access-events", http.MethodGet, "/access-events", "List the access log (logins, logouts, failures, 2FA events), newest first", "Logs"),
		Authenticated().described("access.actionlog:read to see other users' events; without it, a user sees its own"),
		func(ctx context.Context, in *listAccessEventsInput) (*body[List[access.AccessEvent]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[access.AccessEvent], error) {
				f := access.AccessEventFilter{Event: access.AccessEventKind(in.Event), PageParams: in.page()}
				var err error
				if f.UserID, err = optID[access.User]("user_id", in.UserID); err != nil {
					return billkit.Page[access.AccessEvent]{}, err
				}
				if f.From, err = optTime("from", in.From); err != nil {
					return billkit.Page[access.AccessEvent]{}, err
				}
				if f.To, err = optTime("to", in.To); err != nil {
					return billkit.Page[access.AccessEvent]{}, err
				}
				return acc.ListAccessEvents(ctx, a, f)
			})
		})
	route(api, op("purge-access-events", http.MethodPost, "/access-events/purge", "Delete the access log's events older than an instant", "Logs"), logDelete,
		func(ctx context.Context, in *purgeInput) (*body[Purged], error) {
			return write(ctx, func(a billkit.Actor) (Purged, error) {
				n, err := acc.PurgeAccessEvents(ctx, a, in.Body.Before)
				return Purged{Deleted: n}, err
			})
		})
}

// ofKind passes a user through when it is of kind, and answers not_found
// otherwise, as for a missing user.
func ofKind(kind access.UserKind, id access.UserID) func(*access.User, error) (*access.User, error) {
	return func(u *access.User, err error) (*access.User, error) {
		if err != nil {
			return nil, err
		}
		if u.Kind != kind {
			return nil, billkit.NotFound("user", id)
		}
		return u, nil
	}
}
