package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/billing"
	"github.com/danielgtaylor/huma/v2"
)

// ClientBalance is a client's balance: the sum of its ledger entries, in
// its currency.
type ClientBalance struct {
	ClientID billkit.ClientID `json:"client_id"`
	Balance  billkit.Money    `json:"balance" doc:"Negative when the client owes money."`
}

type listLedgerInput struct {
	ClientID string `query:"client_id" maxLength:"64" doc:"Only the entries of this client."`
	Kind     string `query:"kind" enum:"payment,expense,refund,adjustment,transfer,conversion" doc:"Only entries of this kind."`
	From     string `query:"from" format:"date-time" doc:"Only entries posted at or after this instant (RFC 3339)."`
	To       string `query:"to" format:"date-time" doc:"Only entries posted before this instant (RFC 3339)."`
	PageInput
}

// LedgerAdjustment is the body of POST /ledger-entries: a correction of a
// client's balance by staff.
type LedgerAdjustment struct {
	ClientID string        `json:"client_id" maxLength:"64" doc:"The client whose balance is corrected."`
	Amount   billkit.Money `json:"amount" doc:"Signed, in the client's currency: positive credits the client, negative debits it."`
	Memo     string        `json:"memo" maxLength:"1000" doc:"Why: the entry keeps it for good."`
	// AllowBelowLimit forces a debit past the client's credit limit.
	AllowBelowLimit bool `json:"allow_below_limit,omitempty" doc:"Let a debit take the balance below minus the client's credit limit."`
}

type postLedgerInput struct{ Body LedgerAdjustment }

func (h *handlers) registerLedger(api huma.API) {
	b := h.billing
	const tag = "Ledger"

	route(api, op("get-client-balance", http.MethodGet, "/clients/{id}/balance", "A client's balance", tag), onClient(billing.FunctionClient, billkit.OpRead),
		func(ctx context.Context, in *IDPath) (*body[ClientBalance], error) {
			return withClientID(ctx, in.ID, func(a billkit.Actor, id billkit.ClientID) (ClientBalance, error) {
				m, err := b.Balance(ctx, a, id)
				return ClientBalance{ClientID: id, Balance: m}, err
			})
		})
	route(api, op("list-ledger-entries", http.MethodGet, "/ledger-entries", "List ledger entries, newest first", tag),
		Requires(billing.FunctionClient, billkit.OpRead).described("customers see only their clients' entries"),
		func(ctx context.Context, in *listLedgerInput) (*body[List[billing.LedgerEntry]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[billing.LedgerEntry], error) {
				f := billing.LedgerFilter{Kind: billing.LedgerKind(in.Kind), PageParams: in.page()}
				var err error
				if f.ClientID, err = optClientID("client_id", in.ClientID); err != nil {
					return billkit.Page[billing.LedgerEntry]{}, err
				}
				if f.From, err = optTime("from", in.From); err != nil {
					return billkit.Page[billing.LedgerEntry]{}, err
				}
				if f.To, err = optTime("to", in.To); err != nil {
					return billkit.Page[billing.LedgerEntry]{}, err
				}
				return b.ListEntries(ctx, a, f)
			})
		})
	postOp := created(op("post-ledger-adjustment", http.MethodPost, "/ledger-entries", "Correct a client's balance with an adjustment entry", tag, http.StatusNotFound, http.StatusUnprocessableEntity))
	postOp.Description = "Posts one entry of kind adjustment. Entries are never changed or deleted: a wrong adjustment is corrected by another. " +
		"A debit that would take the balance below minus the credit limit is refused (422 billing.insufficient_funds) unless allow_below_limit."
	route(api, postOp, Requires(billing.FunctionLedger, billkit.OpCreate).described("on the client named in the body"),
		func(ctx context.Context, in *postLedgerInput) (*body[*billing.LedgerEntry], error) {
			return write(ctx, func(a billkit.Actor) (*billing.LedgerEntry, error) {
				var v billkit.FieldErrors
				client, err := parseClientID("client_id", in.Body.ClientID)
				v.Merge("", err)
				v.Require("memo", strings.TrimSpace(in.Body.Memo))
				if err := v.Err(); err != nil {
					return nil, err
				}
				return b.Post(ctx, a, billing.PostParams{
					ClientID: client, Amount: in.Body.Amount, Kind: billing.LedgerAdjustment,
					Memo: in.Body.Memo, AllowBelowLimit: in.Body.AllowBelowLimit,
				})
			})
		})
}
