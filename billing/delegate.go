package billing

import (
	"slices"

	"github.com/billkit/billkit"
)

// delegated are an actor's permissions plus some rights on one client,
// which an operation the actor may do implies: confirming a payment posts
// to the ledger, paying an invoice charges its lines. The moves keep the
// actor's identity in the ledger and the action log.
type delegated struct {
	base   billkit.Permissions
	client billkit.ClientID
	rights []billkit.Right
}

func (p delegated) Allows(r billkit.Right, c billkit.ClientID) bool {
	if c == p.client && slices.Contains(p.rights, r) {
		return true
	}
	return p.base.Allows(r, c)
}

func (p delegated) Clients() ([]billkit.ClientID, bool) {
	ids, all := p.base.Clients()
	if all || slices.Contains(ids, p.client) {
		return ids, all
	}
	return append(slices.Clone(ids), p.client), false
}

// withRights returns actor, also allowed rights on client. An actor without
// permissions (the system actor) is returned as it is.
func withRights(actor billkit.Actor, client billkit.ClientID, rights ...billkit.Right) billkit.Actor {
	if actor.Permissions != nil {
		actor.Permissions = delegated{base: actor.Permissions, client: client, rights: rights}
	}
	return actor
}

// poster returns actor, allowed to post to client's ledger.
func poster(actor billkit.Actor, client billkit.ClientID) billkit.Actor {
	return withRights(actor, client, billkit.R(FunctionLedger, billkit.OpCreate))
}

// mover returns actor, allowed to make the ledger moves that follow an
// invoice's payment or credit: charging its lines, crediting money back.
func mover(actor billkit.Actor, client billkit.ClientID) billkit.Actor {
	return withRights(actor, client, billkit.R(FunctionExpense, billkit.OpCreate), billkit.R(FunctionLedger, billkit.OpCreate))
}
