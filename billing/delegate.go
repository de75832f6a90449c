package billing

import "github.com/billkit/billkit"

// poster returns actor, allowed to post to client's ledger (see
// billkit.Actor.WithRights): confirming a payment posts to the ledger.
func poster(actor billkit.Actor, client billkit.ClientID) billkit.Actor {
	return actor.WithRights(client, billkit.R(FunctionLedger, billkit.OpCreate))
}

// mover returns actor, allowed to make the ledger moves that follow an
// invoice's payment or credit: charging its lines, crediting money back.
func mover(actor billkit.Actor, client billkit.ClientID) billkit.Actor {
	return actor.WithRights(client, billkit.R(FunctionExpense, billkit.OpCreate), billkit.R(FunctionLedger, billkit.OpCreate))
}
