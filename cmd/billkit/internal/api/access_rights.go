package api

import (
	"context"
	"net/http"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/danielgtaylor/huma/v2"
)

// Path parameters of access objects.

// IDPath is the {id} path parameter.
type IDPath struct {
	ID string `path:"id" maxLength:"64" doc:"The object's ID."`
}

// UserIDPath is the {user_id} path parameter.
type UserIDPath struct {
	UserID string `path:"user_id" maxLength:"64" doc:"The user's ID."`
}

// parseID parses an ID from a request, naming field in the error.
func parseID[T any](field, s string) (billkit.ID[T], error) {
	id, err := billkit.ParseID[T](s)
	if err != nil {
		return id, billkit.InvalidField(field, "id.malformed", "is not a valid ID")
	}
	return id, nil
}

// parseClientID parses the ID of a client.
func parseClientID(field, s string) (billkit.ClientID, error) {
	var id billkit.ClientID
	if err := id.UnmarshalText([]byte(s)); err != nil || id.IsZero() {
		return id, billkit.InvalidField(field, "id.malformed", "is not a valid ID")
	}
	return id, nil
}

// optClientID parses an optional client ID; "" is the zero ID.
func optClientID(field, s string) (billkit.ClientID, error) {
	if s == "" {
		return billkit.ClientID{}, nil
	}
	return parseClientID(field, s)
}

// optID parses an optional ID query parameter; "" is the zero ID.
func optID[T any](field, s string) (billkit.ID[T], error) {
	if s == "" {
		return billkit.ID[T]{}, nil
	}
	return parseID[T](field, s)
}

// optTime parses an optional RFC 3339 instant; "" is the zero time.
func optTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, billkit.InvalidField(field, "time.malformed", "must be an RFC 3339 time such as 2025-01-31T12:00:00Z")
	}
	return t, nil
}

// Done is the answer of a call that returns nothing else.
type Done struct {
	OK bool `json:"ok"`
}

// Purged says how many entries a purge deleted.
type Purged struct {
	Deleted int `json:"deleted"`
}

// PurgeParams says which entries of a log to delete.
type PurgeParams struct {
	Before time.Time `json:"before" doc:"Delete the entries older than this instant."`
}

type purgeInput struct {
	Body PurgeParams
}

// Rules of access's rights side.
var (
	deptRead   = Requires(access.FunctionDepartment, billkit.OpRead)
	deptCreate = Requires(access.FunctionDepartment, billkit.OpCreate)
	deptEdit   = Requires(access.FunctionDepartment, billkit.OpEdit)
	deptDelete = Requires(access.FunctionDepartment, billkit.OpDelete)
	staffRead  = Requires(access.FunctionStaff, billkit.OpRead)
	staffEdit  = Requires(access.FunctionStaff, billkit.OpEdit)
	logRead    = Requires(access.FunctionActionLog, billkit.OpRead)
	logDelete  = Requires(access.FunctionActionLog, billkit.OpDelete)
	// Members and invites of a client need billing.client rights on it.
	membersRead   = Requires(billing.FunctionClient, billkit.OpRead).OnClientOf("id")
	membersManage = Requires(billing.FunctionClient, billkit.OpEdit).OnClientOf("id")
)

type listDepartmentsInput struct {
	PageInput
}

type createDepartmentInput struct {
	Body access.CreateDepartmentParams
}

type updateDepartmentInput struct {
	IDPath
	Body access.UpdateDepartmentParams
}

type listDepartmentMembersInput struct {
	IDPath
	PageInput
}

type departmentMemberInput struct {
	IDPath
	UserIDPath
}

type listGrantsInput struct {
	DepartmentID string `query:"department_id" maxLength:"64" doc:"Only the grants of this department."`
	UserID       string `query:"user_id" maxLength:"64" doc:"Only the grants of this staff user in person."`
	PageInput
}

type grantInput struct {
	Body access.GrantParams
}

// FullRightsParams turns the full-rights role of a staff user on or off.
type FullRightsParams struct {
	On bool `json:"on" doc:"true gives the user full rights, false takes them away."`
}

type fullRightsInput struct {
	IDPath
	Body FullRightsParams
}

// MemberParams are the role of a customer user in a client.
type MemberParams struct {
	Role   access.Role     `json:"role" enum:"owner,billing,technical,support,custom"`
	Rights []billkit.Right `json:"rights,omitempty" doc:"The rights of a custom role, as function:operation."`
}

type memberInput struct {
	IDPath
	UserIDPath
	Body MemberParams
}

type clientMemberInput struct {
	IDPath
	UserIDPath
}

// InviteParams invite someone to a client.
type InviteParams struct {
	Email  string          `json:"email" maxLength:"254"`
	Role   access.Role     `json:"role" enum:"owner,billing,technical,support,custom"`
	Rights []billkit.Right `json:"rights,omitempty" doc:"The rights of a custom role, as function:operation."`
}

type createInviteInput struct {
	IDPath
	Body InviteParams
}

type listInvitesInput struct {
	IDPath
	PageInput
}

// AcceptInviteParams carry an invite's token.
type AcceptInviteParams struct {
	Token string `json:"token" maxLength:"256" doc:"The token of the invite, as sent to the invitee."`
}

type acceptInviteInput struct {
	Body AcceptInviteParams
}

type listActionsInput struct {
	ActorID    string `query:"actor_id" maxLength:"128" doc:"Only actions of this actor."`
	Name       string `query:"name" maxLength:"128" doc:"Only actions of this name, such as billing.client.create."`
	ObjectType string `query:"object_type" maxLength:"128" doc:"Only actions on this kind of object."`
	ObjectID   string `query:"object_id" maxLength:"128" doc:"Only actions on this object."`
	ClientID   string `query:"client_id" maxLength:"64" doc:"Only actions on objects of this client."`
	From       string `query:"from" doc:"Only actions at or after this instant (RFC 3339)."`
	To         string `query:"to" doc:"Only actions before this instant (RFC 3339)."`
	PageInput
}

func (h *handlers) registerRights(api huma.API) {
	acc := h.access

	// Departments.
	route(api, op("list-departments", http.MethodGet, "/departments", "List departments", "Departments"), deptRead,
		func(ctx context.Context, in *listDepartmentsInput) (*body[List[access.Department]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[access.Department], error) {
				return acc.ListDepartments(ctx, a, access.DepartmentFilter{PageParams: in.page()})
			})
		})
	route(api, op("create-department", http.MethodPost, "/departments", "Create a department", "Departments", http.StatusConflict), deptCreate,
		func(ctx context.Context, in *createDepartmentInput) (*body[*access.Department], error) {
			return write(ctx, func(a billkit.Actor) (*access.Department, error) { return acc.CreateDepartment(ctx, a, in.Body) })
		})
	route(api, op("get-department", http.MethodGet, "/departments/{id}", "Get a department", "Departments", http.StatusNotFound), deptRead,
		func(ctx context.Context, in *IDPath) (*body[*access.Department], error) {
			return write(ctx, func(a billkit.Actor) (*access.Department, error) {
				id, err := parseID[access.Department]("id", in.ID)
				if err != nil {
					return nil, err
				}
				return acc.GetDepartment(ctx, a, id)
			})
		})
	route(api, op("update-department", http.MethodPatch, "/departments/{id}", "Rename or describe a department", "Departments", http.StatusNotFound, http.StatusConflict), deptEdit,
		func(ctx context.Context, in *updateDepartmentInput) (*body[*access.Department], error) {
			return write(ctx, func(a billkit.Actor) (*access.Department, error) {
				id, err := parseID[access.Department]("id", in.ID)
				if err != nil {
					return nil, err
				}
				return acc.UpdateDepartment(ctx, a, id, in.Body)
			})
		})
	route(api, op("delete-department", http.MethodDelete, "/departments/{id}", "Delete a department with its memberships and grants", "Departments", http.StatusNotFound), deptDelete,
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return write(ctx, func(a billkit.Actor) (Done, error) {
				id, err := parseID[access.Department]("id", in.ID)
				if err != nil {
					return Done{}, err
				}
				return done(acc.DeleteDepartment(ctx, a, id))
			})
		})
	route(api, op("list-department-members", http.MethodGet, "/departments/{id}/members", "List the staff users of a department", "Departments", http.StatusNotFound), deptRead,
		func(ctx context.Context, in *listDepartmentMembersInput) (*body[List[access.DepartmentMember]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[access.DepartmentMember], error) {
				id, err := parseID[access.Department]("id", in.ID)
				if err != nil {
					return billkit.Page[access.DepartmentMember]{}, err
				}
				return acc.ListDepartmentMembers(ctx, a, access.DepartmentMemberFilter{DepartmentID: id, PageParams: in.page()})
			})
		})
	route(api, op("add-department-member", http.MethodPut, "/departments/{id}/members/{user_id}", "Add a staff user to a department", "Departments", http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity), deptEdit,
		func(ctx context.Context, in *departmentMemberInput) (*body[*access.DepartmentMember], error) {
			return write(ctx, func(a billkit.Actor) (*access.DepartmentMember, error) {
				id, err := parseID[access.Department]("id", in.ID)
				if err != nil {
					return nil, err
				}
				user, err := parseID[access.User]("user_id", in.UserID)
				if err != nil {
					return nil, err
				}
				return acc.AddDepartmentMember(ctx, a, id, user)
			})
		})
	route(api, op("remove-department-member", http.MethodDelete, "/departments/{id}/members/{user_id}", "Remove a staff user from a department", "Departments", http.StatusNotFound), deptEdit,
		func(ctx context.Context, in *departmentMemberInput) (*body[Done], error) {
			return write(ctx, func(a billkit.Actor) (Done, error) {
				id, err := parseID[access.Department]("id", in.ID)
				if err != nil {
					return Done{}, err
				}
				user, err := parseID[access.User]("user_id", in.UserID)
				if err != nil {
					return Done{}, err
				}
				return done(acc.RemoveDepartmentMember(ctx, a, id, user))
			})
		})

	// Grants and full rights.
	route(api, op("list-grants", http.MethodGet, "/grants", "List the rights granted to departments and staff users", "Rights"), staffRead.described("access.department:read when filtering by department_id alone"),
		func(ctx context.Context, in *listGrantsInput) (*body[List[access.Grant]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[access.Grant], error) {
				dept, err := optID[access.Department]("department_id", in.DepartmentID)
				if err != nil {
					return billkit.Page[access.Grant]{}, err
				}
				user, err := optID[access.User]("user_id", in.UserID)
				if err != nil {
					return billkit.Page[access.Grant]{}, err
				}
				return acc.ListGrants(ctx, a, access.GrantFilter{DepartmentID: dept, UserID: user, PageParams: in.page()})
			})
		})
	route(api, op("create-grant", http.MethodPost, "/grants", "Grant a right to a department or a staff user", "Rights", http.StatusConflict, http.StatusNotFound, http.StatusUnprocessableEntity),
		staffEdit.described("access.department:edit for a department's grant; the caller must hold the right it grants"),
		func(ctx context.Context, in *grantInput) (*body[*access.Grant], error) {
			return write(ctx, func(a billkit.Actor) (*access.Grant, error) { return acc.Grant(ctx, a, in.Body) })
		})
	route(api, op("delete-grant", http.MethodDelete, "/grants/{id}", "Revoke a granted right", "Rights", http.StatusNotFound),
		staffEdit.described("access.department:edit for a department's grant; the caller must hold the right it revokes"),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return write(ctx, func(a billkit.Actor) (Done, error) {
				id, err := parseID[access.Grant]("id", in.ID)
				if err != nil {
					return Done{}, err
				}
				return done(acc.Revoke(ctx, a, id))
			})
		})
	route(api, op("get-staff-rights", http.MethodGet, "/staff/{id}/rights", "What a staff user may do", "Rights", http.StatusNotFound), staffRead.described("a staff user may read its own"),
		func(ctx context.Context, in *IDPath) (*body[*access.StaffRights], error) {
			return write(ctx, func(a billkit.Actor) (*access.StaffRights, error) {
				id, err := parseID[access.User]("id", in.ID)
				if err != nil {
					return nil, err
				}
				return acc.EffectiveRights(ctx, a, id)
			})
		})
	route(api, op("set-full-rights", http.MethodPut, "/staff/{id}/full-rights", "Give or take the full-rights role", "Rights", http.StatusNotFound, http.StatusUnprocessableEntity), FullRightsOnly(),
		func(ctx context.Context, in *fullRightsInput) (*body[*access.StaffRights], error) {
			return write(ctx, func(a billkit.Actor) (*access.StaffRights, error) {
				id, err := parseID[access.User]("id", in.ID)
				if err != nil {
					return nil, err
				}
				if err := acc.SetFullRights(ctx, a, id, in.Body.On); err != nil {
					return nil, err
				}
				return acc.EffectiveRights(ctx, a, id)
			})
		})

	// Customer users of clients.
	route(api, op("list-client-members", http.MethodGet, "/clients/{id}/members", "List the users of a client and their roles", "Client users"), membersRead,
		func(ctx context.Context, in *IDPath) (*body[List[access.Member]], error) {
			return write(ctx, func(a billkit.Actor) (List[access.Member], error) {
				id, err := parseClientID("id", in.ID)
				if err != nil {
					return List[access.Member]{}, err
				}
				m, err := acc.ListMembers(ctx, a, id)
				return List[access.Member]{Items: nonNil(m)}, err
			})
		})
	route(api, op("put-client-member", http.MethodPut, "/clients/{id}/members/{user_id}", "Add a customer user to a client, or change its role", "Client users", http.StatusUnprocessableEntity), membersManage,
		func(ctx context.Context, in *memberInput) (*body[*access.Member], error) {
			return write(ctx, func(a billkit.Actor) (*access.Member, error) {
				client, user, err := clientAndUser(in.ID, in.UserID)
				if err != nil {
					return nil, err
				}
				m, err := acc.UpdateMember(ctx, a, client, user, in.Body.Role, in.Body.Rights)
				if billkit.IsCode(err, billkit.CodeNotFound) && billkit.ErrorReason(err) == "member.not_found" {
					return acc.AddMember(ctx, a, client, user, in.Body.Role, in.Body.Rights)
				}
				return m, err
			})
		})
	route(api, op("remove-client-member", http.MethodDelete, "/clients/{id}/members/{user_id}", "Remove a customer user from a client", "Client users"), membersManage,
		func(ctx context.Context, in *clientMemberInput) (*body[Done], error) {
			return write(ctx, func(a billkit.Actor) (Done, error) {
				client, user, err := clientAndUser(in.ID, in.UserID)
				if err != nil {
					return Done{}, err
				}
				return done(acc.RemoveMember(ctx, a, client, user))
			})
		})
	route(api, op("list-client-invites", http.MethodGet, "/clients/{id}/invites", "List the invites to a client", "Client users"), membersManage,
		func(ctx context.Context, in *listInvitesInput) (*body[List[access.Invite]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[access.Invite], error) {
				id, err := parseClientID("id", in.ID)
				if err != nil {
					return billkit.Page[access.Invite]{}, err
				}
				return acc.ListInvites(ctx, a, id, in.page())
			})
		})
	route(api, secretResult(op("create-client-invite", http.MethodPost, "/clients/{id}/invites", "Invite someone to a client; the token is shown this once", "Client users", http.StatusConflict)), membersManage,
		func(ctx context.Context, in *createInviteInput) (*body[*access.CreatedInvite], error) {
			return write(ctx, func(a billkit.Actor) (*access.CreatedInvite, error) {
				id, err := parseClientID("id", in.ID)
				if err != nil {
					return nil, err
				}
				return acc.CreateInvite(ctx, a, id, in.Body.Email, in.Body.Role, in.Body.Rights)
			})
		})
	route(api, op("revoke-invite", http.MethodDelete, "/invites/{id}", "Revoke an invite", "Client users", http.StatusNotFound),
		Requires(billing.FunctionClient, billkit.OpEdit).described("on the invite's client"),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return write(ctx, func(a billkit.Actor) (Done, error) {
				id, err := parseID[access.Invite]("id", in.ID)
				if err != nil {
					return Done{}, err
				}
				return done(acc.RevokeInvite(ctx, a, id))
			})
		})
	route(api, op("accept-invite", http.MethodPost, "/invites/accept", "Accept an invite as the signed-in customer user", "Client users", http.StatusConflict), Authenticated(),
		func(ctx context.Context, in *acceptInviteInput) (*body[*access.Member], error) {
			return write(ctx, func(a billkit.Actor) (*access.Member, error) { return acc.AcceptInvite(ctx, a, in.Body.Token) })
		})
	route(api, op("list-my-clients", http.MethodGet, "/me/clients", "The clients the signed-in customer user belongs to", "Me"), Authenticated(),
		func(ctx context.Context, _ *emptyInput) (*body[List[access.Member]], error) {
			return write(ctx, func(a billkit.Actor) (List[access.Member], error) {
				if a.Kind != billkit.ActorCustomer {
					return List[access.Member]{Items: []access.Member{}}, nil
				}
				id, err := parseID[access.User]("id", a.ID)
				if err != nil {
					return List[access.Member]{}, err
				}
				m, err := acc.ListClientsOf(ctx, a, id)
				return List[access.Member]{Items: nonNil(m)}, err
			})
		})

	// The action log.
	route(api, op("list-actions", http.MethodGet, "/actions", "List the action log, newest first", "Logs"), logRead.described("customers see the actions on their clients' objects"),
		func(ctx context.Context, in *listActionsInput) (*body[List[billkit.Action]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billkit.Action], error) {
				f := access.ActionFilter{ActorID: in.ActorID, Name: in.Name, ObjectType: in.ObjectType, ObjectID: in.ObjectID, PageParams: in.page()}
				var err error
				if f.ClientID, err = optClientID("client_id", in.ClientID); err != nil {
					return billkit.Page[billkit.Action]{}, err
				}
				if f.From, err = optTime("from", in.From); err != nil {
					return billkit.Page[billkit.Action]{}, err
				}
				if f.To, err = optTime("to", in.To); err != nil {
					return billkit.Page[billkit.Action]{}, err
				}
				return acc.ListActions(ctx, a, f)
			})
		})
	route(api, op("purge-actions", http.MethodPost, "/actions/purge", "Delete the actions older than an instant", "Logs"), logDelete,
		func(ctx context.Context, in *purgeInput) (*body[Purged], error) {
			return write(ctx, func(a billkit.Actor) (Purged, error) {
				n, err := acc.PurgeActions(ctx, a, in.Body.Before)
				return Purged{Deleted: n}, err
			})
		})
}

// clientAndUser parses the {id} of a client and the {user_id} of a user.
func clientAndUser(client, user string) (billkit.ClientID, access.UserID, error) {
	c, err := parseClientID("id", client)
	if err != nil {
		return billkit.ClientID{}, access.UserID{}, err
	}
	u, err := parseID[access.User]("user_id", user)
	return c, u, err
}

func done(err error) (Done, error) {
	if err != nil {
		return Done{}, err
	}
	return Done{OK: true}, nil
}

// readList runs a list call with the request's actor.
func readList[T any](ctx context.Context, fn func(billkit.Actor) (billkit.Page[T], error)) (*body[List[T]], error) {
	a, err := actorFrom(ctx)
	if err != nil {
		return nil, err
	}
	return outList(fn(a))
}
