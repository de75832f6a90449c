package bunstore

import (
	"context"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/uptrace/bun"
)

var members = list[access.Member]{
	table: table[access.Member]{
		name: "billkit_client_members",
		kind: "member",
		key:  func(m *access.Member) any { return m.ClientID.String() + "/" + m.UserID.String() },
		norm: func(m *access.Member) {
			instant(&m.CreatedAt)
			instant(&m.UpdatedAt)
			if m.Rights == nil {
				m.Rights = []billkit.Right{}
			}
		},
	},
	order: []keyCol{{expr: "?TableAlias.client_id"}, {expr: "?TableAlias.user_id"}},
	keyOf: func(m *access.Member) []string { return []string{m.ClientID.String(), m.UserID.String()} },
}

// InsertMember returns conflict "member.exists" when the user is a member of
// the client already, and failed_precondition when the client or the user
// does not exist.
func (a accessStore) InsertMember(ctx context.Context, m *access.Member) error {
	if m != nil && (m.ClientID.IsZero() || m.UserID.IsZero()) {
		return billkit.InvalidField("member", "required", "needs a client and a user")
	}
	return insertRow(ctx, a.s, members.table, m)
}

func (a accessStore) GetMember(ctx context.Context, client billkit.ClientID, user access.UserID) (*access.Member, error) {
	key := client.String() + "/" + user.String()
	if client.IsZero() || user.IsZero() {
		return nil, billkit.NotFound("member", key)
	}
	return getRow(ctx, a.s, members.table, key, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.client_id = ?", client).Where("?TableAlias.user_id = ?", user)
	})
}

func (a accessStore) UpdateMember(ctx context.Context, m *access.Member) error {
	return updateRow(ctx, a.s, members.table, m)
}

func (a accessStore) DeleteMember(ctx context.Context, client billkit.ClientID, user access.UserID) error {
	return deleteRows(ctx, a.s, "billkit_client_members", "member", client.String()+"/"+user.String(),
		"client_id = ? AND user_id = ?", client, user)
}

func (a accessStore) ListMembers(ctx context.Context, f access.MemberFilter) (billkit.Page[access.Member], error) {
	return listRows(ctx, a.s, members, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		if !f.UserID.IsZero() {
			q = q.Where("?TableAlias.user_id = ?", f.UserID)
		}
		if f.Role != "" {
			q = q.Where("?TableAlias.role = ?", f.Role)
		}
		return q
	})
}

var invites = list[access.Invite]{
	table: table[access.Invite]{
		name: "billkit_client_invites",
		kind: "invite",
		key:  func(i *access.Invite) any { return i.ID },
		norm: func(i *access.Invite) {
			instant(&i.CreatedAt)
			instant(&i.ExpiresAt)
			if !i.AcceptedAt.IsZero() {
				instant(&i.AcceptedAt)
			}
			if !i.RevokedAt.IsZero() {
				instant(&i.RevokedAt)
			}
			if i.Rights == nil {
				i.Rights = []billkit.Right{}
			}
		},
	},
	order: []keyCol{{expr: "?TableAlias.created_at", desc: true}, {expr: "?TableAlias.id", desc: true}},
	keyOf: func(i *access.Invite) []string { return []string{cursorTime(i.CreatedAt), i.ID.String()} },
}

// InsertInvite returns conflict "invite.exists" when the ID or the token
// hash is taken.
func (a accessStore) InsertInvite(ctx context.Context, inv *access.Invite) error {
	if inv != nil && (inv.ID.IsZero() || inv.TokenHash == "") {
		return billkit.InvalidField("invite", "required", "needs an ID and a token hash")
	}
	return insertRow(ctx, a.s, invites.table, inv)
}

func (a accessStore) GetInvite(ctx context.Context, id access.InviteID) (*access.Invite, error) {
	if id.IsZero() {
		return nil, billkit.NotFound("invite", id)
	}
	return getRow(ctx, a.s, invites.table, id, byID(id))
}

// GetInviteByTokenHash returns not_found "invite.not_found" for an unknown
// hash; the message does not repeat the hash.
func (a accessStore) GetInviteByTokenHash(ctx context.Context, hash string) (*access.Invite, error) {
	if hash == "" {
		return nil, billkit.NotFound("invite", "by token")
	}
	return getRow(ctx, a.s, invites.table, "by token", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.token_hash = ?", hash)
	})
}

func (a accessStore) UpdateInvite(ctx context.Context, inv *access.Invite) error {
	return updateRow(ctx, a.s, invites.table, inv)
}

func (a accessStore) ListInvites(ctx context.Context, f access.InviteFilter) (billkit.Page[access.Invite], error) {
	return listRows(ctx, a.s, invites, f.PageParams, func(q *bun.SelectQuery) *bun.SelectQuery {
		if !f.ClientID.IsZero() {
			q = q.Where("?TableAlias.client_id = ?", f.ClientID)
		}
		return q
	})
}
