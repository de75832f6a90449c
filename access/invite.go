package access

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/billkit/billkit"
)

// InviteID identifies an Invite.
type InviteID = billkit.ID[Invite]

// Invite asks someone to join a client as a member in a role. It carries a
// secret token, shown once when the invite is created and stored only as a
// hash; whoever presents the token while the invite is open becomes the
// member. It is single use.
type Invite struct {
	ID       InviteID         `json:"id" bun:"id,pk"`
	ClientID billkit.ClientID `json:"client_id" bun:"client_id,notnull"`
	// Email is where the invite was sent. The user who accepts need not have
	// this address: the token is what counts.
	Email  string          `json:"email" bun:"email,notnull"`
	Role   Role            `json:"role" bun:"role,notnull"`
	Rights []billkit.Right `json:"rights" bun:"rights,notnull"`
	// TokenHash is the SHA-256 of the token; it never leaves the store.
	TokenHash string    `json:"-" bun:"token_hash,notnull"`
	CreatedBy string    `json:"created_by" bun:"created_by,notnull"`
	CreatedAt time.Time `json:"created_at" bun:"created_at,notnull"`
	ExpiresAt time.Time `json:"expires_at" bun:"expires_at,notnull"`
	// AcceptedAt and AcceptedBy are set once the invite is accepted.
	AcceptedAt time.Time `json:"accepted_at,omitzero" bun:"accepted_at,nullzero"`
	AcceptedBy UserID    `json:"accepted_by,omitzero" bun:"accepted_by,nullzero"`
	// RevokedAt is set when the invite was revoked.
	RevokedAt time.Time `json:"revoked_at,omitzero" bun:"revoked_at,nullzero"`
}

// InviteStatus says whether an invite can still be accepted.
type InviteStatus string

// The statuses of an invite.
const (
	InviteStatusOpen     InviteStatus = "open"
	InviteStatusAccepted InviteStatus = "accepted"
	InviteStatusRevoked  InviteStatus = "revoked"
	InviteStatusExpired  InviteStatus = "expired"
)

// Status returns the invite's status at now.
func (inv Invite) Status(now time.Time) InviteStatus {
	switch {
	case !inv.AcceptedAt.IsZero():
		return InviteStatusAccepted
	case !inv.RevokedAt.IsZero():
		return InviteStatusRevoked
	case !now.Before(inv.ExpiresAt):
		return InviteStatusExpired
	}
	return InviteStatusOpen
}

// InviteFilter selects invites. Lists are newest first.
type InviteFilter struct {
	ClientID billkit.ClientID `json:"client_id,omitzero"`
	billkit.PageParams
}

// CreatedInvite is an invite with its token: the one time the token is
// returned. Send it to the invitee; billkit keeps only its hash.
type CreatedInvite struct {
	Invite
	Token string `json:"token"`
}

// invalidInvite is the one error for a token that is unknown, expired,
// revoked or used, so that a token's state cannot be probed.
func invalidInvite() error {
	return billkit.InvalidField("token", "access.invite_invalid", "the invite is unknown, expired, revoked or already used")
}

// normalizeEmail trims, checks and lower-cases the domain of an address.
func normalizeEmail(v *billkit.FieldErrors, field, email string) string {
	e := strings.TrimSpace(email)
	if !v.Require(field, e) {
		return ""
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > 254 || strings.Count(e, "@") != 1 {
		v.Add(field, "access.email_malformed", fmt.Sprintf("%q is not an email address", email))
		return ""
	}
	local, domain, _ := strings.Cut(e, "@")
	return local + "@" + strings.ToLower(domain)
}

// CreateInvite invites someone, by email, to join a client in a role (with
// rights, for RoleCustom). It needs billing.client:edit on the client, like
// AddMember. The invite can be accepted until RightsConfig.InviteTTL has
// passed. The token is returned this once.
func (s *Service) CreateInvite(ctx context.Context, actor billkit.Actor, client billkit.ClientID, email string, role Role, rights []billkit.Right) (*CreatedInvite, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!client.IsZero(), "client_id", "required", "is required")
	addr := normalizeEmail(&v, "email", email)
	stored := s.validRole(&v, role, rights)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(rightManageMembers, client, clientNotFound(client)); err != nil {
		return nil, err
	}
	token := newToken()
	now := s.now()
	inv := &Invite{
		ID: billkit.NewID[Invite](), ClientID: client, Email: addr, Role: role, Rights: stored,
		TokenHash: hashToken(token), CreatedBy: actor.String(), CreatedAt: now, ExpiresAt: now.Add(s.cfg.Rights.InviteTTL),
	}
	err := s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertInvite(ctx, inv); err != nil {
			return err
		}
		return s.recordRights(ctx, tx, actor, "access.invite.create", "access.invite", inv.ID.String(), client, nil, inv)
	})
	if err != nil {
		return nil, err
	}
	return &CreatedInvite{Invite: *inv, Token: token}, nil
}

// AcceptInvite makes the customer user acting a member of the invite's
// client, in the invite's role, and closes the invite. The token is the
// authority: the user's email need not match the address invited, so an
// invite reaches whoever it was forwarded to; keep tokens as secret as
// passwords. A token that is unknown, expired, revoked or used is invalid
// "access.invite_invalid"; a user who is a member already is conflict
// "member.exists" and leaves the invite open. Only customer users (actor
// kind customer, ID the user's) can accept.
func (s *Service) AcceptInvite(ctx context.Context, actor billkit.Actor, token string) (*Member, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, billkit.InvalidField("token", "required", "is required")
	}
	if actor.Kind != billkit.ActorCustomer {
		return nil, &billkit.Error{Code: billkit.CodeForbidden, Reason: "access.invite_customer_only", Message: "only a customer user can accept an invite"}
	}
	user, err := billkit.ParseID[User](actor.ID)
	if err != nil {
		return nil, billkit.InvalidField("actor.id", "access.user_id_malformed", "is not a user ID")
	}
	var out *Member
	err = s.store.InTx(ctx, func(tx Store) error {
		inv, err := tx.GetInviteByTokenHash(ctx, hashToken(token))
		if err != nil {
			if billkit.IsCode(err, billkit.CodeNotFound) {
				return invalidInvite()
			}
			return err
		}
		now := s.now()
		if inv.Status(now) != InviteStatusOpen || !equalHash(inv.TokenHash, hashToken(token)) {
			return invalidInvite()
		}
		if err := requireCustomerUser(ctx, tx, user); err != nil {
			return err
		}
		before := *inv
		inv.AcceptedAt, inv.AcceptedBy = now, user
		if err := tx.UpdateInvite(ctx, inv); err != nil {
			return err
		}
		if err := s.recordRights(ctx, tx, actor, "access.invite.accept", "access.invite", inv.ID.String(), inv.ClientID, before, inv); err != nil {
			return err
		}
		m := &Member{ClientID: inv.ClientID, UserID: user, Role: inv.Role, Rights: inv.Rights, CreatedAt: now, UpdatedAt: now}
		if m.Rights == nil {
			m.Rights = []billkit.Right{}
		}
		if err := s.insertMember(ctx, tx, actor, m); err != nil {
			return err
		}
		out = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RevokeInvite closes an open invite so that its token no longer works. It
// needs what CreateInvite needs; a customer of another client gets not_found
// "invite.not_found", as for an invite that does not exist. An invite that
// is not open is failed_precondition "access.invite_closed".
func (s *Service) RevokeInvite(ctx context.Context, actor billkit.Actor, id InviteID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	if id.IsZero() {
		return billkit.InvalidField("id", "required", "is required")
	}
	return s.store.InTx(ctx, func(tx Store) error {
		inv, err := tx.GetInvite(ctx, id)
		if err != nil {
			return err
		}
		if err := actor.AuthorizeClient(rightManageMembers, inv.ClientID, billkit.NotFound("invite", id)); err != nil {
			return err
		}
		now := s.now()
		if st := inv.Status(now); st != InviteStatusOpen {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "access.invite_closed", "the invite is %s", st)
		}
		before := *inv
		inv.RevokedAt = now
		if err := tx.UpdateInvite(ctx, inv); err != nil {
			return err
		}
		return s.recordRights(ctx, tx, actor, "access.invite.revoke", "access.invite", id.String(), inv.ClientID, before, inv)
	})
}

// ListInvites lists a client's invites, newest first. It needs what
// CreateInvite needs.
func (s *Service) ListInvites(ctx context.Context, actor billkit.Actor, client billkit.ClientID, pp billkit.PageParams) (billkit.Page[Invite], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Invite]{}, err
	}
	var v billkit.FieldErrors
	v.Check(!client.IsZero(), "client_id", "required", "is required")
	v.Merge("", pp.Validate())
	if err := v.Err(); err != nil {
		return billkit.Page[Invite]{}, err
	}
	if err := actor.AuthorizeClient(rightManageMembers, client, clientNotFound(client)); err != nil {
		return billkit.Page[Invite]{}, err
	}
	return s.store.ListInvites(ctx, InviteFilter{ClientID: client, PageParams: pp})
}
