package access_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/billkit/billkit/directory"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
	"github.com/shopspring/decimal"
)

var rightsStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// rightsWorld is a store with users and clients, and the service on it.
type rightsWorld struct {
	t     testing.TB
	ctx   context.Context
	st    *bunstore.Store
	svc   *access.Service
	clock *billkit.FakeClock
	sys   billkit.Actor
	// provider every client belongs to.
	provider billkit.ProviderID
	n        int
}

func newRightsWorld(t testing.TB) *rightsWorld {
	t.Helper()
	st := storetest.NewMemory(t)
	clock := billkit.NewFakeClock(rightsStart)
	w := &rightsWorld{t: t, ctx: context.Background(), st: st, clock: clock, sys: billkit.SystemActor("test"),
		svc: access.NewService(st.Access(), access.Config{Clock: clock})}
	usd, en := currencyUSD(), localeEN()
	must(t, st.Directory().InsertCurrency(w.ctx, &usd))
	must(t, st.Directory().InsertLocale(w.ctx, &en))
	p := billing.Provider{ID: billkit.NewProviderID(), Name: "Host", Currency: "USD", Locale: "en", TimeZone: "UTC",
		Settings: billing.Settings{}, CreatedAt: rightsStart, UpdatedAt: rightsStart}
	must(t, st.Billing().InsertProvider(w.ctx, &p))
	w.provider = p.ID
	return w
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t testing.TB, err error, code billkit.Code, reason string) {
	t.Helper()
	if billkit.ErrorCode(err) != code || (reason != "" && billkit.ErrorReason(err) != reason) {
		t.Fatalf("err = %v, want %s (%s)", err, code, reason)
	}
}

// user stores a user of kind and returns its ID.
func (w *rightsWorld) user(kind access.UserKind) access.UserID {
	w.t.Helper()
	w.n++
	u := access.User{ID: billkit.NewID[access.User](), Kind: kind, Email: fmt.Sprintf("u%d@example.com", w.n), Name: fmt.Sprint("User ", w.n),
		Locale: "en", Status: access.UserStatusActive, CreatedAt: rightsStart, UpdatedAt: rightsStart}
	must(w.t, w.st.Access().InsertUser(w.ctx, &u))
	return u.ID
}

// client stores a client and returns its ID.
func (w *rightsWorld) client() billkit.ClientID {
	w.t.Helper()
	w.n++
	c := billing.Client{ID: billkit.NewClientID(), Number: fmt.Sprintf("C-%06d", w.n), ProviderID: w.provider,
		Status: billing.ClientStatusActive, Name: fmt.Sprint("Client ", w.n), Currency: "USD", Locale: "en",
		CreditLimit: decimal.Zero, Settings: billing.Settings{}, CreatedAt: rightsStart, UpdatedAt: rightsStart}
	must(w.t, w.st.Billing().InsertClient(w.ctx, &c))
	return c.ID
}

// staff returns the actor of a staff user with its permissions as of now.
func (w *rightsWorld) staff(id access.UserID) billkit.Actor {
	w.t.Helper()
	p, err := w.svc.PermissionsForStaff(w.ctx, id)
	must(w.t, err)
	return billkit.Actor{Kind: billkit.ActorStaff, ID: id.String(), Name: "staff", Permissions: p}
}

// customer returns the actor of a customer user with its permissions.
func (w *rightsWorld) customer(id access.UserID) billkit.Actor {
	w.t.Helper()
	p, err := w.svc.PermissionsForCustomer(w.ctx, id)
	must(w.t, err)
	return billkit.Actor{Kind: billkit.ActorCustomer, ID: id.String(), Name: "customer", Permissions: p}
}

// actionNames lists the names in the action log, oldest first.
func (w *rightsWorld) actionNames() []string {
	w.t.Helper()
	p, err := w.svc.ListActions(w.ctx, w.sys, access.ActionFilter{PageParams: billkit.PageParams{Limit: 1000}})
	must(w.t, err)
	out := make([]string, len(p.Items))
	for i, a := range p.Items {
		out[len(out)-1-i] = a.Name
	}
	return out
}

func TestDenyByDefault(t *testing.T) {
	w := newRightsWorld(t)
	alice := w.staff(w.user(access.UserKindStaff))
	for _, r := range []billkit.Right{billkit.R("directory", billkit.OpRead), billkit.R("billing.client", billkit.OpRead), billkit.R(access.FunctionDepartment, billkit.OpCreate)} {
		if alice.Permissions.Allows(r, billkit.ClientID{}) {
			t.Fatalf("a staff user without grants is allowed %s", r)
		}
	}
	_, err := w.svc.CreateDepartment(w.ctx, alice, access.CreateDepartmentParams{Name: "Support"})
	wantErr(t, err, billkit.CodeForbidden, "access.denied")
	bare := billkit.Actor{Kind: billkit.ActorStaff, ID: "x"} // nil Permissions
	_, err = w.svc.ListDepartments(w.ctx, bare, access.DepartmentFilter{})
	wantErr(t, err, billkit.CodeForbidden, "access.denied")
	// Bad input is reported first, and nothing is written either way.
	_, err = w.svc.CreateDepartment(w.ctx, alice, access.CreateDepartmentParams{Name: " "})
	wantErr(t, err, billkit.CodeInvalid, "required")
	_, err = w.svc.CreateDepartment(w.ctx, billkit.Actor{}, access.CreateDepartmentParams{Name: "Support"})
	wantErr(t, err, billkit.CodeInvalid, "")
	if names := w.actionNames(); len(names) != 0 {
		t.Fatalf("denied calls recorded %v", names)
	}
}

func TestDepartmentAndPersonalGrants(t *testing.T) {
	w := newRightsWorld(t)
	aliceID, bobID, custID := w.user(access.UserKindStaff), w.user(access.UserKindStaff), w.user(access.UserKindCustomer)
	must(t, w.svc.SetFullRights(w.ctx, w.sys, aliceID, true))
	admin := w.staff(aliceID)

	support, err := w.svc.CreateDepartment(w.ctx, admin, access.CreateDepartmentParams{Name: "Support", Description: "first line"})
	must(t, err)
	_, err = w.svc.CreateDepartment(w.ctx, admin, access.CreateDepartmentParams{Name: "Support"})
	wantErr(t, err, billkit.CodeConflict, "department.exists")
	_, err = w.svc.AddDepartmentMember(w.ctx, admin, support.ID, bobID)
	must(t, err)
	_, err = w.svc.AddDepartmentMember(w.ctx, admin, support.ID, custID)
	wantErr(t, err, billkit.CodeInvalid, "access.user_not_staff")

	read := billkit.R("billing.client", billkit.OpRead)
	edit := billkit.R("billing.client", billkit.OpEdit)
	dirEdit := billkit.R("directory", billkit.OpEdit)
	_, err = w.svc.Grant(w.ctx, admin, access.GrantParams{DepartmentID: support.ID, Right: read})
	must(t, err)
	personal, err := w.svc.Grant(w.ctx, admin, access.GrantParams{UserID: bobID, Right: edit})
	must(t, err)
	_, err = w.svc.Grant(w.ctx, admin, access.GrantParams{UserID: bobID, Right: read}) // also through Support
	must(t, err)
	_, err = w.svc.Grant(w.ctx, admin, access.GrantParams{UserID: bobID, Right: read})
	wantErr(t, err, billkit.CodeConflict, "grant.exists")
	_, err = w.svc.Grant(w.ctx, admin, access.GrantParams{UserID: bobID, Right: billkit.R("billing.spaceship", billkit.OpRead)})
	wantErr(t, err, billkit.CodeInvalid, "access.right_unknown")
	_, err = w.svc.Grant(w.ctx, admin, access.GrantParams{UserID: bobID, Right: billkit.Right{Function: "directory", Op: "fly"}})
	wantErr(t, err, billkit.CodeInvalid, "access.right_unknown")
	_, err = w.svc.Grant(w.ctx, admin, access.GrantParams{UserID: bobID, DepartmentID: support.ID, Right: read})
	wantErr(t, err, billkit.CodeInvalid, "access.grant_holder")
	_, err = w.svc.Grant(w.ctx, admin, access.GrantParams{UserID: custID, Right: read})
	wantErr(t, err, billkit.CodeInvalid, "access.user_not_staff")

	eff, err := w.svc.EffectiveRights(w.ctx, admin, bobID)
	must(t, err)
	if eff.FullRights || len(eff.Rights) != 2 || eff.Rights[0] != edit || eff.Rights[1] != read {
		t.Fatalf("EffectiveRights = %+v, want the union billing.client:edit, billing.client:read", eff)
	}
	bob := w.staff(bobID)
	if !bob.Permissions.Allows(read, billkit.ClientID{}) || !bob.Permissions.Allows(edit, w.client()) || bob.Permissions.Allows(dirEdit, billkit.ClientID{}) {
		t.Fatal("bob's permissions are not the union of his grants")
	}
	if ids, all := bob.Permissions.Clients(); ids != nil || !all {
		t.Fatalf("staff Clients() = %v, %v, want all", ids, all)
	}
	// Bob reads his own rights without access.staff:read, not Alice's.
	_, err = w.svc.EffectiveRights(w.ctx, bob, bobID)
	must(t, err)
	_, err = w.svc.EffectiveRights(w.ctx, bob, aliceID)
	wantErr(t, err, billkit.CodeForbidden, "access.denied")

	// Nobody hands out more than they hold.
	_, err = w.svc.Grant(w.ctx, admin, access.GrantParams{UserID: bobID, Right: billkit.R(access.FunctionStaff, billkit.OpEdit)})
	must(t, err)
	bob = w.staff(bobID)
	_, err = w.svc.Grant(w.ctx, bob, access.GrantParams{UserID: bobID, Right: dirEdit})
	wantErr(t, err, billkit.CodeForbidden, "access.denied")

	// Revoking the personal grant leaves the department's.
	must(t, w.svc.Revoke(w.ctx, admin, personal.ID))
	bob = w.staff(bobID)
	if bob.Permissions.Allows(edit, billkit.ClientID{}) || !bob.Permissions.Allows(read, billkit.ClientID{}) {
		t.Fatal("after revoking: wrong rights")
	}
	// Leaving the department and dropping the personal read leaves nothing of billing.client.
	must(t, w.svc.RemoveDepartmentMember(w.ctx, admin, support.ID, bobID))
	gs, err := w.svc.ListGrants(w.ctx, admin, access.GrantFilter{UserID: bobID})
	must(t, err)
	for _, g := range gs.Items {
		if g.Right() == read {
			must(t, w.svc.Revoke(w.ctx, admin, g.ID))
		}
	}
	if w.staff(bobID).Permissions.Allows(read, billkit.ClientID{}) {
		t.Fatal("rights remain after leaving the department and revoking")
	}
	// Deleting a department deletes its grants.
	must(t, w.svc.DeleteDepartment(w.ctx, admin, support.ID))
	dg, err := w.svc.ListGrants(w.ctx, admin, access.GrantFilter{DepartmentID: support.ID})
	must(t, err)
	if len(dg.Items) != 0 {
		t.Fatalf("grants of a deleted department: %+v", dg.Items)
	}
	want := []string{"access.staff.full_rights", "access.department.create", "access.department.add_member",
		"access.department.grant", "access.staff.grant", "access.staff.grant", "access.staff.grant", "access.staff.revoke",
		"access.department.remove_member", "access.staff.revoke", "access.department.delete"}
	if got := w.actionNames(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("action log:\n got %v\nwant %v", got, want)
	}
}

func TestFullRights(t *testing.T) {
	w := newRightsWorld(t)
	aliceID, bobID, carolID := w.user(access.UserKindStaff), w.user(access.UserKindStaff), w.user(access.UserKindStaff)
	// Only the system or a full-rights staff user grants full rights.
	wantErr(t, w.svc.SetFullRights(w.ctx, w.staff(aliceID), aliceID, true), billkit.CodeForbidden, "access.denied")
	must(t, w.svc.SetFullRights(w.ctx, w.sys, aliceID, true))
	alice := w.staff(aliceID)
	for _, r := range []billkit.Right{billkit.R("directory", billkit.OpEdit), billkit.R("anything.at_all", billkit.OpDelete)} {
		if !alice.Permissions.Allows(r, w.client()) {
			t.Fatalf("full rights do not allow %s", r)
		}
	}
	// Grants on any function the configuration knows, even without a grant of their own.
	must(t, w.svc.SetFullRights(w.ctx, alice, bobID, true))
	// A staff user with some rights but not full ones may not.
	_, err := w.svc.Grant(w.ctx, alice, access.GrantParams{UserID: carolID, Right: billkit.R(access.FunctionStaff, billkit.OpEdit)})
	must(t, err)
	wantErr(t, w.svc.SetFullRights(w.ctx, w.staff(carolID), carolID, true), billkit.CodeForbidden, "access.denied")
	// Full rights as remembered by an actor's Permissions do not count once taken away.
	bob := w.staff(bobID)
	must(t, w.svc.SetFullRights(w.ctx, alice, bobID, false))
	wantErr(t, w.svc.SetFullRights(w.ctx, bob, carolID, true), billkit.CodeForbidden, "access.denied")
	// The last full-rights user keeps them.
	wantErr(t, w.svc.SetFullRights(w.ctx, alice, aliceID, false), billkit.CodeFailedPrecondition, "access.last_full_rights")
	// Setting what is set is a no-op.
	must(t, w.svc.SetFullRights(w.ctx, alice, aliceID, true))
	cust := w.user(access.UserKindCustomer)
	wantErr(t, w.svc.SetFullRights(w.ctx, alice, cust, true), billkit.CodeInvalid, "access.user_not_staff")
	eff, err := w.svc.EffectiveRights(w.ctx, alice, aliceID)
	must(t, err)
	if !eff.FullRights {
		t.Fatalf("EffectiveRights = %+v", eff)
	}
}

func TestCustomerMembers(t *testing.T) {
	w := newRightsWorld(t)
	staffID := w.user(access.UserKindStaff)
	_, err := w.svc.Grant(w.ctx, w.sys, access.GrantParams{UserID: staffID, Right: billkit.R("billing.client", billkit.OpEdit)})
	must(t, err)
	_, err = w.svc.Grant(w.ctx, w.sys, access.GrantParams{UserID: staffID, Right: billkit.R("billing.client", billkit.OpRead)})
	must(t, err)
	manager := w.staff(staffID)
	a, b := w.client(), w.client()
	ownerA, ownerB, helper, multi := w.user(access.UserKindCustomer), w.user(access.UserKindCustomer), w.user(access.UserKindCustomer), w.user(access.UserKindCustomer)

	_, err = w.svc.AddMember(w.ctx, manager, a, ownerA, access.RoleOwner, nil)
	must(t, err)
	_, err = w.svc.AddMember(w.ctx, manager, b, ownerB, access.RoleOwner, nil)
	must(t, err)
	_, err = w.svc.AddMember(w.ctx, manager, a, staffID, access.RoleOwner, nil)
	wantErr(t, err, billkit.CodeInvalid, "access.user_not_customer")
	_, err = w.svc.AddMember(w.ctx, manager, a, helper, access.RoleOwner, []billkit.Right{billkit.R("billing.payer", billkit.OpRead)})
	wantErr(t, err, billkit.CodeInvalid, "access.rights_not_custom")
	_, err = w.svc.AddMember(w.ctx, manager, a, helper, access.RoleCustom, []billkit.Right{billkit.R("directory", billkit.OpEdit)})
	wantErr(t, err, billkit.CodeInvalid, "access.right_not_client")
	_, err = w.svc.AddMember(w.ctx, manager, a, helper, "admin", nil)
	wantErr(t, err, billkit.CodeInvalid, "access.role_unknown")

	// The owner of A manages A's members.
	custA := w.customer(ownerA)
	m, err := w.svc.AddMember(w.ctx, custA, a, helper, access.RoleCustom, []billkit.Right{billkit.R("billing.payer", billkit.OpRead)})
	must(t, err)
	if m.Role != access.RoleCustom || len(m.Rights) != 1 {
		t.Fatalf("AddMember = %+v", m)
	}
	_, err = w.svc.AddMember(w.ctx, custA, a, helper, access.RoleSupport, nil)
	wantErr(t, err, billkit.CodeConflict, "member.exists")
	// One login reaches several clients.
	_, err = w.svc.AddMember(w.ctx, custA, a, multi, access.RoleBilling, nil)
	must(t, err)
	_, err = w.svc.AddMember(w.ctx, w.customer(ownerB), b, multi, access.RoleTechnical, nil)
	must(t, err)
	mp := w.customer(multi)
	ids, all := mp.Permissions.Clients()
	if all || len(ids) != 2 {
		t.Fatalf("Clients() = %v, %v", ids, all)
	}
	payerEdit := billkit.R("billing.payer", billkit.OpEdit)
	if !mp.Permissions.Allows(payerEdit, a) || mp.Permissions.Allows(payerEdit, b) || !mp.Permissions.Allows(billkit.R("billing.client", billkit.OpRead), b) {
		t.Fatal("per-client roles are mixed up")
	}
	if !mp.Permissions.Allows(billkit.R("directory", billkit.OpRead), billkit.ClientID{}) || mp.Permissions.Allows(billkit.R("billing.client", billkit.OpRead), billkit.ClientID{}) {
		t.Fatal("outside clients a customer may read the directory only")
	}
	clients, err := w.svc.ListClientsOf(w.ctx, mp, multi)
	must(t, err)
	if len(clients) != 2 {
		t.Fatalf("ListClientsOf = %+v", clients)
	}

	// A's customer asking about B gets not_found, never forbidden.
	_, err = w.svc.ListMembers(w.ctx, custA, b)
	wantErr(t, err, billkit.CodeNotFound, "client.not_found")
	_, err = w.svc.AddMember(w.ctx, custA, b, helper, access.RoleSupport, nil)
	wantErr(t, err, billkit.CodeNotFound, "client.not_found")
	wantErr(t, w.svc.RemoveMember(w.ctx, custA, b, ownerB), billkit.CodeNotFound, "client.not_found")
	_, err = w.svc.ListClientsOf(w.ctx, custA, multi)
	wantErr(t, err, billkit.CodeForbidden, "access.denied")
	// A member without the right to manage gets forbidden in its own client.
	_, err = w.svc.AddMember(w.ctx, w.customer(helper), a, ownerB, access.RoleOwner, nil)
	wantErr(t, err, billkit.CodeForbidden, "access.denied")

	ms, err := w.svc.ListMembers(w.ctx, custA, a)
	must(t, err)
	if len(ms) != 3 {
		t.Fatalf("ListMembers(A) = %+v", ms)
	}

	// The last owner stays.
	_, err = w.svc.UpdateMember(w.ctx, custA, a, ownerA, access.RoleBilling, nil)
	wantErr(t, err, billkit.CodeFailedPrecondition, "access.last_owner")
	wantErr(t, w.svc.RemoveMember(w.ctx, manager, a, ownerA), billkit.CodeFailedPrecondition, "access.last_owner")
	_, err = w.svc.UpdateMember(w.ctx, custA, a, multi, access.RoleOwner, nil)
	must(t, err)
	must(t, w.svc.RemoveMember(w.ctx, manager, a, ownerA))
	_, err = w.svc.ListMembers(w.ctx, w.customer(ownerA), a)
	wantErr(t, err, billkit.CodeNotFound, "client.not_found")

	// Every change is on the client's record.
	p, err := w.svc.ListActions(w.ctx, w.sys, access.ActionFilter{ClientID: a})
	must(t, err)
	if len(p.Items) != 5 || p.Items[0].Name != "access.member.delete" || p.Items[0].ClientID != a {
		t.Fatalf("A's history = %d actions, newest %+v", len(p.Items), p.Items[0])
	}
}

func TestInvites(t *testing.T) {
	w := newRightsWorld(t)
	a, b := w.client(), w.client()
	owner, guest, other := w.user(access.UserKindCustomer), w.user(access.UserKindCustomer), w.user(access.UserKindCustomer)
	_, err := w.svc.AddMember(w.ctx, w.sys, a, owner, access.RoleOwner, nil)
	must(t, err)
	ownerA := w.customer(owner)

	_, err = w.svc.CreateInvite(w.ctx, ownerA, a, "not an email", access.RoleBilling, nil)
	wantErr(t, err, billkit.CodeInvalid, "access.email_malformed")
	_, err = w.svc.CreateInvite(w.ctx, ownerA, b, "x@example.com", access.RoleBilling, nil)
	wantErr(t, err, billkit.CodeNotFound, "client.not_found")

	inv, err := w.svc.CreateInvite(w.ctx, ownerA, a, "Guest@Example.COM", access.RoleBilling, nil)
	must(t, err)
	if inv.Token == "" || inv.Email != "Guest@example.com" || !inv.ExpiresAt.Equal(rightsStart.Add(7*24*time.Hour)) {
		t.Fatalf("CreateInvite = %+v", inv)
	}
	// Staff cannot accept; a wrong token is invalid.
	_, err = w.svc.AcceptInvite(w.ctx, w.sys, inv.Token)
	wantErr(t, err, billkit.CodeForbidden, "access.invite_customer_only")
	_, err = w.svc.AcceptInvite(w.ctx, w.customer(guest), inv.Token+"x")
	wantErr(t, err, billkit.CodeInvalid, "access.invite_invalid")

	m, err := w.svc.AcceptInvite(w.ctx, w.customer(guest), inv.Token)
	must(t, err)
	if m.ClientID != a || m.UserID != guest || m.Role != access.RoleBilling {
		t.Fatalf("AcceptInvite = %+v", m)
	}
	// Single use.
	_, err = w.svc.AcceptInvite(w.ctx, w.customer(other), inv.Token)
	wantErr(t, err, billkit.CodeInvalid, "access.invite_invalid")

	// Expired.
	late, err := w.svc.CreateInvite(w.ctx, ownerA, a, "late@example.com", access.RoleSupport, nil)
	must(t, err)
	w.clock.Advance(7*24*time.Hour + time.Second)
	_, err = w.svc.AcceptInvite(w.ctx, w.customer(other), late.Token)
	wantErr(t, err, billkit.CodeInvalid, "access.invite_invalid")

	// Revoked.
	rv, err := w.svc.CreateInvite(w.ctx, ownerA, a, "rv@example.com", access.RoleCustom, []billkit.Right{billkit.R("billing.contract", billkit.OpRead)})
	must(t, err)
	wantErr(t, w.svc.RevokeInvite(w.ctx, w.customer(guest), rv.ID), billkit.CodeForbidden, "access.denied")
	must(t, w.svc.RevokeInvite(w.ctx, ownerA, rv.ID))
	wantErr(t, w.svc.RevokeInvite(w.ctx, ownerA, rv.ID), billkit.CodeFailedPrecondition, "access.invite_closed")
	_, err = w.svc.AcceptInvite(w.ctx, w.customer(other), rv.Token)
	wantErr(t, err, billkit.CodeInvalid, "access.invite_invalid")

	// Another client's owner cannot see or revoke A's invites.
	ownerBID := w.user(access.UserKindCustomer)
	_, err = w.svc.AddMember(w.ctx, w.sys, b, ownerBID, access.RoleOwner, nil)
	must(t, err)
	wantErr(t, w.svc.RevokeInvite(w.ctx, w.customer(ownerBID), late.ID), billkit.CodeNotFound, "invite.not_found")
	_, err = w.svc.ListInvites(w.ctx, w.customer(ownerBID), a, billkit.PageParams{})
	wantErr(t, err, billkit.CodeNotFound, "client.not_found")

	list, err := w.svc.ListInvites(w.ctx, ownerA, a, billkit.PageParams{})
	must(t, err)
	if len(list.Items) != 3 || list.Items[0].Status(w.clock.Now()) != access.InviteStatusRevoked ||
		list.Items[1].Status(w.clock.Now()) != access.InviteStatusExpired || list.Items[2].Status(w.clock.Now()) != access.InviteStatusAccepted {
		t.Fatalf("ListInvites = %+v", list.Items)
	}
	// Tokens and their hashes never reach the action log.
	p, err := w.svc.ListActions(w.ctx, w.sys, access.ActionFilter{ObjectType: "access.invite"})
	must(t, err)
	for _, act := range p.Items {
		for _, c := range act.Changes {
			if c.Field == "token" || c.Field == "token_hash" {
				t.Fatalf("a secret in the action log: %+v", act)
			}
		}
	}
}

func TestAPIKeyNeverExceedsOwner(t *testing.T) {
	w := newRightsWorld(t)
	bobID := w.user(access.UserKindStaff)
	read, edit := billkit.R("billing.client", billkit.OpRead), billkit.R("billing.client", billkit.OpEdit)
	_, err := w.svc.Grant(w.ctx, w.sys, access.GrantParams{UserID: bobID, Right: read})
	must(t, err)
	key := access.PermissionsForAPIKey(w.staff(bobID).Permissions, []billkit.Right{read, edit})
	c := w.client()
	if !key.Allows(read, c) {
		t.Fatal("a key scoped to a right its owner has is denied")
	}
	if key.Allows(edit, c) {
		t.Fatal("a key exceeds its owner")
	}
	narrow := access.PermissionsForAPIKey(w.staff(bobID).Permissions, nil)
	if narrow.Allows(read, c) {
		t.Fatal("a key without scopes allows something")
	}
	if access.PermissionsForAPIKey(nil, []billkit.Right{read}).Allows(read, c) {
		t.Fatal("a key without an owner allows something")
	}
	// A customer's key sees only the owner's clients.
	custID := w.user(access.UserKindCustomer)
	_, err = w.svc.AddMember(w.ctx, w.sys, c, custID, access.RoleOwner, nil)
	must(t, err)
	ck := access.PermissionsForAPIKey(w.customer(custID).Permissions, []billkit.Right{read})
	if ids, all := ck.Clients(); all || len(ids) != 1 || ids[0] != c {
		t.Fatalf("customer key Clients() = %v, %v", ids, all)
	}
	if !ck.Allows(read, c) || ck.Allows(read, w.client()) {
		t.Fatal("customer key rights are wrong")
	}
}

func TestActionLogQueries(t *testing.T) {
	w := newRightsWorld(t)
	aliceID := w.user(access.UserKindStaff)
	alice := w.staff(aliceID)
	_, err := w.svc.ListActions(w.ctx, alice, access.ActionFilter{})
	wantErr(t, err, billkit.CodeForbidden, "access.denied")
	for i := 0; i < 3; i++ {
		_, err := w.svc.CreateDepartment(w.ctx, w.sys, access.CreateDepartmentParams{Name: fmt.Sprint("D", i)})
		must(t, err)
		w.clock.Advance(24 * time.Hour)
	}
	_, err = w.svc.Grant(w.ctx, w.sys, access.GrantParams{UserID: aliceID, Right: billkit.R(access.FunctionActionLog, billkit.OpRead)})
	must(t, err)
	alice = w.staff(aliceID)
	p, err := w.svc.ListActions(w.ctx, alice, access.ActionFilter{Name: "access.department.create", PageParams: billkit.PageParams{Limit: 2}})
	must(t, err)
	if len(p.Items) != 2 || p.NextCursor == "" || !p.Items[0].At.After(p.Items[1].At) {
		t.Fatalf("first page = %+v", p)
	}
	p2, err := w.svc.ListActions(w.ctx, alice, access.ActionFilter{Name: "access.department.create", PageParams: billkit.PageParams{Limit: 2, Cursor: p.NextCursor}})
	must(t, err)
	if len(p2.Items) != 1 || p2.NextCursor != "" {
		t.Fatalf("second page = %+v", p2)
	}
	_, err = w.svc.ListActions(w.ctx, alice, access.ActionFilter{From: rightsStart.Add(time.Hour), To: rightsStart})
	wantErr(t, err, billkit.CodeInvalid, "access.range_empty")

	_, err = w.svc.PurgeActions(w.ctx, alice, w.clock.Now())
	wantErr(t, err, billkit.CodeForbidden, "access.denied")
	n, err := w.svc.PurgeActions(w.ctx, w.sys, rightsStart.Add(36*time.Hour))
	must(t, err)
	if n != 2 {
		t.Fatalf("purged %d, want 2", n)
	}
	if got := w.actionNames(); fmt.Sprint(got) != "[access.department.create access.staff.grant access.actionlog.purge]" {
		t.Fatalf("after the purge: %v", got)
	}

	// A customer sees none of the log without a role that gives it.
	cust := w.user(access.UserKindCustomer)
	_, err = w.svc.ListActions(w.ctx, w.customer(cust), access.ActionFilter{})
	wantErr(t, err, billkit.CodeForbidden, "access.denied")
}

// BenchmarkAllows measures right checks on the permissions access builds:
// map lookups that allocate nothing.
func BenchmarkAllows(b *testing.B) {
	w := newRightsWorld(b)
	staffID, custID := w.user(access.UserKindStaff), w.user(access.UserKindCustomer)
	for _, fn := range access.DefaultFunctions() {
		for _, op := range []billkit.Operation{billkit.OpRead, billkit.OpCreate, billkit.OpEdit} {
			_, err := w.svc.Grant(w.ctx, w.sys, access.GrantParams{UserID: staffID, Right: billkit.R(fn, op)})
			must(b, err)
		}
	}
	clients := make([]billkit.ClientID, 20)
	for i := range clients {
		clients[i] = w.client()
		_, err := w.svc.AddMember(w.ctx, w.sys, clients[i], custID, access.Roles()[i%4], nil)
		must(b, err)
	}
	staff, cust := w.staff(staffID), w.customer(custID)
	key := billkit.Actor{Kind: billkit.ActorAPIKey, ID: "key", Permissions: access.PermissionsForAPIKey(staff.Permissions, []billkit.Right{billkit.R("billing.contract", billkit.OpEdit)})}
	hit, miss := billkit.R("billing.contract", billkit.OpEdit), billkit.R("billing.provider", billkit.OpDelete)
	for _, bc := range []struct {
		name   string
		actor  billkit.Actor
		client billkit.ClientID
		want   billkit.Right
	}{
		{"staff", staff, billkit.ClientID{}, hit},
		{"customer", cust, clients[0], billkit.R("billing.payer", billkit.OpEdit)},
		{"api_key", key, billkit.ClientID{}, hit},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if bc.actor.AuthorizeClient(bc.want, bc.client, nil) != nil {
					b.Fatal("denied")
				}
				if bc.actor.Permissions.Allows(miss, bc.client) {
					b.Fatal("allowed")
				}
			}
		})
	}
}

func currencyUSD() directory.Currency {
	return directory.Currency{Code: "USD", Numeric: "840", Name: directory.Text{"en": "US dollar"}, Symbol: "$", Digits: 2,
		Enabled: true, Margin: decimal.Zero, CreatedAt: rightsStart, UpdatedAt: rightsStart}
}

func localeEN() directory.Locale {
	return directory.Locale{Code: "en", Name: "English", EnglishName: "English", Enabled: true, Default: true, CreatedAt: rightsStart, UpdatedAt: rightsStart}
}
