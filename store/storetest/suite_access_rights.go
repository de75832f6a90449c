package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/billing"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// rightsFixture is what the rights tests refer to: two staff users, two
// customer users and two clients.
type rightsFixture struct {
	staff, staff2, cust, cust2 access.UserID
	clientA, clientB           billkit.ClientID
}

// newRightsFixture stores the users and clients the rights tables refer to.
func newRightsFixture(t testing.TB, s Stores) rightsFixture {
	t.Helper()
	ctx := context.Background()
	user := func(kind access.UserKind, email string) access.UserID {
		u := access.User{ID: billkit.NewID[access.User](), Kind: kind, Email: email, Name: email, Locale: "en",
			Status: access.UserStatusActive, CreatedAt: t0, UpdatedAt: t0}
		must(t, s.Access.InsertUser(ctx, &u))
		return u.ID
	}
	f := rightsFixture{
		staff: user(access.UserKindStaff, "alice@example.com"), staff2: user(access.UserKindStaff, "bob@example.com"),
		cust: user(access.UserKindCustomer, "carol@example.net"), cust2: user(access.UserKindCustomer, "dan@example.net"),
	}
	if s.Billing == nil {
		t.Fatal("Stores.Billing is nil")
	}
	usd, en := currency("USD", true, false), locale("en", true, true)
	must(t, s.Directory.InsertCurrency(ctx, &usd))
	must(t, s.Directory.InsertLocale(ctx, &en))
	p := billing.Provider{ID: billkit.NewProviderID(), Name: "Host", Currency: "USD", Locale: "en", TimeZone: "UTC",
		Settings: billing.Settings{}, CreatedAt: t0, UpdatedAt: t0}
	must(t, s.Billing.InsertProvider(ctx, &p))
	client := func(n int) billkit.ClientID {
		c := billing.Client{ID: newClientID(), Number: fmt.Sprintf("C-%06d", n), ProviderID: p.ID,
			Status: billing.ClientStatusActive, Name: fmt.Sprint("Client ", n), Currency: "USD", Locale: "en",
			CreditLimit: decimal.Zero, Settings: billing.Settings{}, CreatedAt: t0, UpdatedAt: t0}
		must(t, s.Billing.InsertClient(ctx, &c))
		return c.ID
	}
	f.clientA, f.clientB = client(1), client(2)
	return f
}

func runAccessRights(t *testing.T, newStores func(t testing.TB) Stores) {
	ctx := context.Background()
	open := func(t *testing.T) (access.Store, rightsFixture) {
		t.Helper()
		s := newStores(t)
		if s.Access == nil {
			t.Fatal("Stores.Access is nil")
		}
		return s.Access, newRightsFixture(t, s)
	}

	t.Run("department", func(t *testing.T) {
		a, _ := open(t)
		names := []string{"Support", "Billing", "Abuse", "Network", "Sales"}
		ids := map[string]access.DepartmentID{}
		for _, n := range names {
			d := access.Department{ID: billkit.NewID[access.Department](), Name: n, Description: "the " + n + " team", CreatedAt: t0, UpdatedAt: t0}
			must(t, a.InsertDepartment(ctx, &d))
			ids[n] = d.ID
		}
		dup := access.Department{ID: billkit.NewID[access.Department](), Name: "Sales", CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, a.InsertDepartment(ctx, &dup), billkit.CodeConflict, "department.exists")
		got, err := a.GetDepartment(ctx, ids["Billing"])
		must(t, err)
		want := access.Department{ID: ids["Billing"], Name: "Billing", Description: "the Billing team", CreatedAt: storedTime(t0), UpdatedAt: storedTime(t0)}
		if diff := cmp.Diff(&want, got, rightsCmp); diff != "" {
			t.Fatalf("GetDepartment (-want +got):\n%s", diff)
		}
		got.Name, got.UpdatedAt = "Accounts", t0.Add(time.Hour)
		must(t, a.UpdateDepartment(ctx, got))
		again, err := a.GetDepartment(ctx, got.ID)
		must(t, err)
		if diff := cmp.Diff(got, again, rightsCmp); diff != "" {
			t.Fatalf("after UpdateDepartment (-want +got):\n%s", diff)
		}
		name := func(d access.Department) string { return d.Name }
		for _, limit := range []int{1, 2, 10} {
			all := collect(t, limit, name, func(pp billkit.PageParams) (billkit.Page[access.Department], error) {
				return a.ListDepartments(ctx, access.DepartmentFilter{PageParams: pp})
			})
			if diff := cmp.Diff([]string{"Abuse", "Accounts", "Network", "Sales", "Support"}, keys(all, name)); diff != "" {
				t.Fatalf("limit %d (-want +got):\n%s", limit, diff)
			}
		}
		must(t, a.DeleteDepartment(ctx, ids["Abuse"]))
		_, err = a.GetDepartment(ctx, ids["Abuse"])
		wantCode(t, err, billkit.CodeNotFound, "department.not_found")
		wantCode(t, a.DeleteDepartment(ctx, ids["Abuse"]), billkit.CodeNotFound, "department.not_found")
		missing := access.Department{ID: billkit.NewID[access.Department](), Name: "Ghosts", CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, a.UpdateDepartment(ctx, &missing), billkit.CodeNotFound, "department.not_found")
	})

	t.Run("department_member", func(t *testing.T) {
		a, f := open(t)
		d1 := access.Department{ID: billkit.NewID[access.Department](), Name: "One", CreatedAt: t0, UpdatedAt: t0}
		d2 := access.Department{ID: billkit.NewID[access.Department](), Name: "Two", CreatedAt: t0, UpdatedAt: t0}
		must(t, a.InsertDepartment(ctx, &d1))
		must(t, a.InsertDepartment(ctx, &d2))
		for _, m := range []access.DepartmentMember{{DepartmentID: d1.ID, UserID: f.staff}, {DepartmentID: d1.ID, UserID: f.staff2}, {DepartmentID: d2.ID, UserID: f.staff}} {
			m.CreatedAt = t0
			must(t, a.InsertDepartmentMember(ctx, &m))
		}
		dup := access.DepartmentMember{DepartmentID: d1.ID, UserID: f.staff, CreatedAt: t0}
		wantCode(t, a.InsertDepartmentMember(ctx, &dup), billkit.CodeConflict, "department_member.exists")
		ghost := access.DepartmentMember{DepartmentID: d1.ID, UserID: billkit.NewID[access.User](), CreatedAt: t0}
		wantCode(t, a.InsertDepartmentMember(ctx, &ghost), billkit.CodeFailedPrecondition, "")
		key := func(m access.DepartmentMember) string { return m.DepartmentID.String() + "/" + m.UserID.String() }
		byUser := collect(t, 1, key, func(pp billkit.PageParams) (billkit.Page[access.DepartmentMember], error) {
			return a.ListDepartmentMembers(ctx, access.DepartmentMemberFilter{UserID: f.staff, PageParams: pp})
		})
		if len(byUser) != 2 || !byUser[0].CreatedAt.Equal(storedTime(t0)) {
			t.Fatalf("memberships of a user = %+v", byUser)
		}
		byDept := collect(t, 1, key, func(pp billkit.PageParams) (billkit.Page[access.DepartmentMember], error) {
			return a.ListDepartmentMembers(ctx, access.DepartmentMemberFilter{DepartmentID: d1.ID, PageParams: pp})
		})
		if len(byDept) != 2 {
			t.Fatalf("members of a department = %+v", byDept)
		}
		must(t, a.DeleteDepartmentMember(ctx, d1.ID, f.staff2))
		wantCode(t, a.DeleteDepartmentMember(ctx, d1.ID, f.staff2), billkit.CodeNotFound, "department_member.not_found")
		// Deleting a department takes its memberships with it.
		must(t, a.DeleteDepartment(ctx, d1.ID))
		p, err := a.ListDepartmentMembers(ctx, access.DepartmentMemberFilter{})
		must(t, err)
		if len(p.Items) != 1 || p.Items[0].DepartmentID != d2.ID {
			t.Fatalf("after deleting a department: %+v", p.Items)
		}
	})

	t.Run("grant", func(t *testing.T) {
		a, f := open(t)
		d := access.Department{ID: billkit.NewID[access.Department](), Name: "Billing", CreatedAt: t0, UpdatedAt: t0}
		must(t, a.InsertDepartment(ctx, &d))
		must(t, a.InsertDepartmentMember(ctx, &access.DepartmentMember{DepartmentID: d.ID, UserID: f.staff, CreatedAt: t0}))
		grant := func(dept access.DepartmentID, user access.UserID, fn string, op billkit.Operation) *access.Grant {
			return &access.Grant{ID: billkit.NewID[access.Grant](), DepartmentID: dept, UserID: user, Function: fn, Op: op, CreatedAt: t0}
		}
		gs := []*access.Grant{
			grant(d.ID, access.UserID{}, "billing.client", billkit.OpRead),
			grant(d.ID, access.UserID{}, "billing.client", billkit.OpEdit),
			grant(access.DepartmentID{}, f.staff, "billing.client", billkit.OpRead), // also through the department
			grant(access.DepartmentID{}, f.staff, "directory", billkit.OpEdit),
			grant(access.DepartmentID{}, f.staff2, "access.staff", billkit.OpRead),
		}
		for _, g := range gs {
			must(t, a.InsertGrant(ctx, g))
		}
		wantCode(t, a.InsertGrant(ctx, grant(d.ID, access.UserID{}, "billing.client", billkit.OpEdit)), billkit.CodeConflict, "grant.exists")
		wantCode(t, a.InsertGrant(ctx, grant(access.DepartmentID{}, f.staff, "directory", billkit.OpEdit)), billkit.CodeConflict, "grant.exists")
		wantCode(t, a.InsertGrant(ctx, grant(d.ID, f.staff, "directory", billkit.OpRead)), billkit.CodeInvalid, "")
		wantCode(t, a.InsertGrant(ctx, grant(access.DepartmentID{}, access.UserID{}, "directory", billkit.OpRead)), billkit.CodeInvalid, "")

		got, err := a.GetGrant(ctx, gs[3].ID)
		must(t, err)
		want := *gs[3]
		want.CreatedAt = storedTime(t0)
		if diff := cmp.Diff(&want, got, rightsCmp); diff != "" {
			t.Fatalf("GetGrant (-want +got):\n%s", diff)
		}
		rights, err := a.ListUserRights(ctx, f.staff)
		must(t, err)
		wantRights := []billkit.Right{billkit.R("billing.client", billkit.OpEdit), billkit.R("billing.client", billkit.OpRead), billkit.R("directory", billkit.OpEdit)}
		if diff := cmp.Diff(wantRights, rights); diff != "" {
			t.Fatalf("ListUserRights: union of personal and department grants, distinct (-want +got):\n%s", diff)
		}
		if r, err := a.ListUserRights(ctx, f.cust); err != nil || len(r) != 0 {
			t.Fatalf("rights of a user without grants = %v, %v", r, err)
		}
		id := func(g access.Grant) string { return g.ID.String() }
		byDept := collect(t, 1, id, func(pp billkit.PageParams) (billkit.Page[access.Grant], error) {
			return a.ListGrants(ctx, access.GrantFilter{DepartmentID: d.ID, PageParams: pp})
		})
		if len(byDept) != 2 || byDept[0].Op != billkit.OpEdit {
			t.Fatalf("grants of a department (by function, op) = %+v", byDept)
		}
		all := collect(t, 2, id, func(pp billkit.PageParams) (billkit.Page[access.Grant], error) {
			return a.ListGrants(ctx, access.GrantFilter{PageParams: pp})
		})
		if len(all) != 5 {
			t.Fatalf("all grants = %d, want 5", len(all))
		}
		must(t, a.DeleteGrant(ctx, gs[3].ID))
		wantCode(t, a.DeleteGrant(ctx, gs[3].ID), billkit.CodeNotFound, "grant.not_found")
		_, err = a.GetGrant(ctx, gs[3].ID)
		wantCode(t, err, billkit.CodeNotFound, "grant.not_found")
		// Leaving the department loses its rights.
		must(t, a.DeleteDepartmentMember(ctx, d.ID, f.staff))
		rights, err = a.ListUserRights(ctx, f.staff)
		must(t, err)
		if diff := cmp.Diff([]billkit.Right{billkit.R("billing.client", billkit.OpRead)}, rights); diff != "" {
			t.Fatalf("after leaving the department (-want +got):\n%s", diff)
		}
		// Deleting the department deletes its grants.
		must(t, a.DeleteDepartment(ctx, d.ID))
		p, err := a.ListGrants(ctx, access.GrantFilter{DepartmentID: d.ID})
		must(t, err)
		if len(p.Items) != 0 {
			t.Fatalf("grants of a deleted department remain: %+v", p.Items)
		}
	})

	t.Run("full_rights", func(t *testing.T) {
		a, f := open(t)
		_, err := a.GetFullRights(ctx, f.staff)
		wantCode(t, err, billkit.CodeNotFound, "full_rights.not_found")
		must(t, a.InsertFullRights(ctx, &access.FullRights{UserID: f.staff, CreatedAt: t0}))
		must(t, a.InsertFullRights(ctx, &access.FullRights{UserID: f.staff2, CreatedAt: t0.Add(time.Second)}))
		wantCode(t, a.InsertFullRights(ctx, &access.FullRights{UserID: f.staff, CreatedAt: t0}), billkit.CodeConflict, "full_rights.exists")
		got, err := a.GetFullRights(ctx, f.staff)
		must(t, err)
		if got.UserID != f.staff || !got.CreatedAt.Equal(storedTime(t0)) {
			t.Fatalf("GetFullRights = %+v", got)
		}
		all, err := a.ListFullRights(ctx)
		must(t, err)
		if len(all) != 2 || all[0].UserID != f.staff || all[1].UserID != f.staff2 {
			t.Fatalf("ListFullRights = %+v", all)
		}
		must(t, a.DeleteFullRights(ctx, f.staff))
		wantCode(t, a.DeleteFullRights(ctx, f.staff), billkit.CodeNotFound, "full_rights.not_found")
	})

	t.Run("member", func(t *testing.T) {
		a, f := open(t)
		custom := []billkit.Right{billkit.R("billing.payer", billkit.OpRead), billkit.R("billing.contract", billkit.OpRead)}
		ms := []access.Member{
			{ClientID: f.clientA, UserID: f.cust, Role: access.RoleOwner, Rights: []billkit.Right{}},
			{ClientID: f.clientA, UserID: f.cust2, Role: access.RoleCustom, Rights: custom},
			{ClientID: f.clientB, UserID: f.cust, Role: access.RoleBilling, Rights: []billkit.Right{}},
		}
		for i := range ms {
			ms[i].CreatedAt, ms[i].UpdatedAt = t0, t0
			must(t, a.InsertMember(ctx, &ms[i]))
		}
		dup := access.Member{ClientID: f.clientA, UserID: f.cust, Role: access.RoleSupport, Rights: []billkit.Right{}, CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, a.InsertMember(ctx, &dup), billkit.CodeConflict, "member.exists")
		noClient := access.Member{ClientID: newClientID(), UserID: f.cust, Role: access.RoleOwner, Rights: []billkit.Right{}, CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, a.InsertMember(ctx, &noClient), billkit.CodeFailedPrecondition, "")
		noUser := access.Member{ClientID: f.clientA, UserID: billkit.NewID[access.User](), Role: access.RoleOwner, Rights: []billkit.Right{}, CreatedAt: t0, UpdatedAt: t0}
		wantCode(t, a.InsertMember(ctx, &noUser), billkit.CodeFailedPrecondition, "")

		got, err := a.GetMember(ctx, f.clientA, f.cust2)
		must(t, err)
		want := ms[1]
		want.CreatedAt, want.UpdatedAt = storedTime(t0), storedTime(t0)
		if diff := cmp.Diff(&want, got, rightsCmp); diff != "" {
			t.Fatalf("GetMember (-want +got):\n%s", diff)
		}
		got.Role, got.Rights, got.UpdatedAt = access.RoleTechnical, []billkit.Right{}, t0.Add(time.Hour)
		must(t, a.UpdateMember(ctx, got))
		again, err := a.GetMember(ctx, f.clientA, f.cust2)
		must(t, err)
		if diff := cmp.Diff(got, again, rightsCmp); diff != "" {
			t.Fatalf("after UpdateMember (-want +got):\n%s", diff)
		}
		_, err = a.GetMember(ctx, f.clientB, f.cust2)
		wantCode(t, err, billkit.CodeNotFound, "member.not_found")

		key := func(m access.Member) string { return m.ClientID.String() + "/" + m.UserID.String() }
		ofA := collect(t, 1, key, func(pp billkit.PageParams) (billkit.Page[access.Member], error) {
			return a.ListMembers(ctx, access.MemberFilter{ClientID: f.clientA, PageParams: pp})
		})
		if len(ofA) != 2 {
			t.Fatalf("members of A = %+v", ofA)
		}
		ofCust := collect(t, 1, key, func(pp billkit.PageParams) (billkit.Page[access.Member], error) {
			return a.ListMembers(ctx, access.MemberFilter{UserID: f.cust, PageParams: pp})
		})
		if len(ofCust) != 2 {
			t.Fatalf("clients of a user = %+v", ofCust)
		}
		owners, err := a.ListMembers(ctx, access.MemberFilter{ClientID: f.clientA, Role: access.RoleOwner})
		must(t, err)
		if len(owners.Items) != 1 || owners.Items[0].UserID != f.cust {
			t.Fatalf("owners of A = %+v", owners.Items)
		}
		must(t, a.DeleteMember(ctx, f.clientA, f.cust2))
		wantCode(t, a.DeleteMember(ctx, f.clientA, f.cust2), billkit.CodeNotFound, "member.not_found")
	})

	t.Run("invite", func(t *testing.T) {
		a, f := open(t)
		var ids []access.InviteID
		for i := 0; i < 4; i++ {
			inv := access.Invite{
				ID: billkit.NewID[access.Invite](), ClientID: f.clientA, Email: fmt.Sprintf("x%d@example.org", i),
				Role: access.RoleCustom, Rights: []billkit.Right{billkit.R("billing.payer", billkit.OpRead)},
				TokenHash: fmt.Sprintf("%064d", i), CreatedBy: "staff:x",
				CreatedAt: t0.Add(time.Duration(i%2) * time.Minute), ExpiresAt: t0.Add(24 * time.Hour),
			}
			must(t, a.InsertInvite(ctx, &inv))
			ids = append(ids, inv.ID)
		}
		other := access.Invite{ID: billkit.NewID[access.Invite](), ClientID: f.clientB, Email: "y@example.org", Role: access.RoleOwner,
			Rights: []billkit.Right{}, TokenHash: fmt.Sprintf("%064d", 9), CreatedBy: "staff:x", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		must(t, a.InsertInvite(ctx, &other))
		sameHash := other
		sameHash.ID = billkit.NewID[access.Invite]()
		wantCode(t, a.InsertInvite(ctx, &sameHash), billkit.CodeConflict, "invite.exists")

		got, err := a.GetInviteByTokenHash(ctx, fmt.Sprintf("%064d", 2))
		must(t, err)
		if got.ID != ids[2] || got.TokenHash != fmt.Sprintf("%064d", 2) || len(got.Rights) != 1 || !got.AcceptedAt.IsZero() {
			t.Fatalf("GetInviteByTokenHash = %+v", got)
		}
		_, err = a.GetInviteByTokenHash(ctx, "nope")
		wantCode(t, err, billkit.CodeNotFound, "invite.not_found")
		got.AcceptedAt, got.AcceptedBy = t0.Add(time.Hour), f.cust
		must(t, a.UpdateInvite(ctx, got))
		again, err := a.GetInvite(ctx, ids[2])
		must(t, err)
		if diff := cmp.Diff(got, again, rightsCmp); diff != "" {
			t.Fatalf("after UpdateInvite (-want +got):\n%s", diff)
		}
		id := func(i access.Invite) string { return i.ID.String() }
		for _, limit := range []int{1, 3, 10} {
			list := collect(t, limit, id, func(pp billkit.PageParams) (billkit.Page[access.Invite], error) {
				return a.ListInvites(ctx, access.InviteFilter{ClientID: f.clientA, PageParams: pp})
			})
			// Newest first; equal instants by ID, descending.
			want := []string{ids[3].String(), ids[1].String(), ids[2].String(), ids[0].String()}
			if diff := cmp.Diff(want, keys(list, id)); diff != "" {
				t.Fatalf("limit %d (-want +got):\n%s", limit, diff)
			}
		}
	})

	t.Run("action", func(t *testing.T) {
		a, f := open(t)
		actor := billkit.Actor{Kind: billkit.ActorStaff, ID: f.staff.String(), Name: "alice", IP: "192.0.2.1", UserAgent: "ua"}
		mk := func(at time.Time, name, objType, objID string, client billkit.ClientID, before, after any) *billkit.Action {
			act, err := billkit.NewAction(actor, at, name, objType, objID, before, after)
			must(t, err)
			act.ClientID = client
			return act
		}
		first := mk(t0, "billing.client.update", "billing.client", f.clientA.String(), f.clientA,
			map[string]any{"name": "Old", "limit": "10.50", "tags": []string{"a"}}, map[string]any{"name": "Ново «x»", "limit": "11", "tags": []string{"a", "b"}})
		must(t, a.InsertAction(ctx, first))
		wantCode(t, a.InsertAction(ctx, first), billkit.CodeConflict, "action.exists")
		var all []*billkit.Action
		all = append(all, first)
		for i := 1; i < 12; i++ {
			client := f.clientA
			if i%3 == 0 {
				client = f.clientB
			}
			if i%4 == 0 {
				client = billkit.ClientID{}
			}
			// Pairs of actions share an instant, so IDs break ties.
			act := mk(t0.Add(time.Duration(i/2)*time.Minute), fmt.Sprintf("test.thing.v%d", i%2), "test.thing", fmt.Sprint("obj", i%5), client, nil, map[string]int{"n": i})
			must(t, a.InsertAction(ctx, act))
			all = append(all, act)
		}
		key := func(x billkit.Action) string { return x.ID.String() }
		list := func(f access.ActionFilter, limit int) []billkit.Action {
			return collect(t, limit, key, func(pp billkit.PageParams) (billkit.Page[billkit.Action], error) {
				f.PageParams = pp
				return a.ListActions(ctx, f)
			})
		}
		got := list(access.ActionFilter{}, 5)
		if len(got) != 12 {
			t.Fatalf("listed %d actions, want 12", len(got))
		}
		for i := 1; i < len(got); i++ {
			p, c := got[i-1], got[i]
			if p.At.Before(c.At) || (p.At.Equal(c.At) && p.ID.String() < c.ID.String()) {
				t.Fatalf("not newest first at %d: %v %s then %v %s", i, p.At, p.ID, c.At, c.ID)
			}
		}
		// The first action comes back as written: instants in UTC,
		// microseconds; changes as JSON of the same meaning.
		last := got[len(got)-1]
		if last.ID != first.ID || !last.At.Equal(storedTime(t0)) || last.At.Location() != time.UTC || last.ClientID != f.clientA ||
			last.ActorKind != billkit.ActorStaff || last.ActorID != f.staff.String() || last.ActorName != "alice" ||
			last.IP != "192.0.2.1" || last.UserAgent != "ua" || last.Name != first.Name || last.ObjectType != "billing.client" || last.ObjectID != f.clientA.String() {
			t.Fatalf("round trip: %+v", last)
		}
		if len(last.Changes) != len(first.Changes) {
			t.Fatalf("changes = %+v, want %+v", last.Changes, first.Changes)
		}
		for i, c := range last.Changes {
			w := first.Changes[i]
			if c.Field != w.Field || !sameJSON(t, c.Before, w.Before) || !sameJSON(t, c.After, w.After) {
				t.Fatalf("change %d = %s %s→%s, want %s %s→%s", i, c.Field, c.Before, c.After, w.Field, w.Before, w.After)
			}
		}
		if last.Changes[0].Field != "limit" {
			t.Fatalf("changes not sorted by field: %+v", last.Changes)
		}

		count := func(f access.ActionFilter) int { return len(list(f, 3)) }
		for _, tc := range []struct {
			name string
			f    access.ActionFilter
			want int
		}{
			{"actor", access.ActionFilter{ActorID: f.staff.String()}, 12},
			{"other actor", access.ActionFilter{ActorID: "nobody"}, 0},
			{"name", access.ActionFilter{Name: "test.thing.v1"}, 6},
			{"object type", access.ActionFilter{ObjectType: "test.thing"}, 11},
			{"object", access.ActionFilter{ObjectType: "test.thing", ObjectID: "obj1"}, 3},
			{"client", access.ActionFilter{ClientID: f.clientB}, 3},
			{"clients", access.ActionFilter{Clients: []billkit.ClientID{f.clientA, f.clientB}}, 10},
			{"no clients", access.ActionFilter{Clients: []billkit.ClientID{}}, 0},
			{"from", access.ActionFilter{From: t0.Add(4 * time.Minute)}, 4},
			{"to", access.ActionFilter{To: t0.Add(time.Minute)}, 2},
			{"range", access.ActionFilter{From: t0.Add(time.Minute), To: t0.Add(3 * time.Minute)}, 4},
		} {
			if n := count(tc.f); n != tc.want {
				t.Errorf("filter %s: %d actions, want %d", tc.name, n, tc.want)
			}
		}

		n, err := a.DeleteActionsBefore(ctx, t0.Add(2*time.Minute))
		must(t, err)
		if n != 4 {
			t.Fatalf("purged %d, want 4", n)
		}
		if left := count(access.ActionFilter{}); left != 8 {
			t.Fatalf("%d actions left, want 8", left)
		}
		n, err = a.DeleteActionsBefore(ctx, t0)
		must(t, err)
		if n != 0 {
			t.Fatalf("second purge deleted %d", n)
		}
	})

	t.Run("action/rollback", func(t *testing.T) {
		a, _ := open(t)
		act, err := billkit.NewAction(billkit.SystemActor("test"), t0, "test.thing.create", "test.thing", "1", nil, map[string]int{"n": 1})
		must(t, err)
		d := access.Department{ID: billkit.NewID[access.Department](), Name: "Gone", CreatedAt: t0, UpdatedAt: t0}
		err = a.InTx(ctx, func(tx access.Store) error {
			if err := tx.InsertDepartment(ctx, &d); err != nil {
				return err
			}
			if err := tx.InsertAction(ctx, act); err != nil {
				return err
			}
			return errBoom
		})
		if err != errBoom {
			t.Fatalf("InTx = %v", err)
		}
		p, err := a.ListActions(ctx, access.ActionFilter{})
		must(t, err)
		_, derr := a.GetDepartment(ctx, d.ID)
		if len(p.Items) != 0 || !billkit.IsCode(derr, billkit.CodeNotFound) {
			t.Fatalf("after rollback: %d actions, department %v", len(p.Items), derr)
		}
	})
}

var errBoom = fmt.Errorf("boom")

// sameJSON reports whether two JSON texts have the same meaning (PostgreSQL's
// jsonb does not keep spacing or key order).
func sameJSON(t testing.TB, a, b json.RawMessage) bool {
	t.Helper()
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return cmp.Equal(x, y)
}

// newClientID makes a new client ID; billkit.ClientID's entity type is the
// kernel's own, so the ID is converted from another.
func newClientID() billkit.ClientID { return billkit.NewClientID() }

// rightsCmp compares the values of the rights tables.
var rightsCmp = cmp.Options{
	cmpOpts,
	cmp.Comparer(func(a, b access.DepartmentID) bool { return a == b }),
	cmp.Comparer(func(a, b access.UserID) bool { return a == b }),
	cmp.Comparer(func(a, b access.GrantID) bool { return a == b }),
	cmp.Comparer(func(a, b access.InviteID) bool { return a == b }),
	cmp.Comparer(func(a, b billkit.ClientID) bool { return a == b }),
}
