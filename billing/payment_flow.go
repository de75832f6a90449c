package billing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/billkit/billkit"
	"github.com/shopspring/decimal"
)

// PaymentEvent is a gateway event (a callback) already processed, kept so
// that a replayed event applies once.
type PaymentEvent struct {
	Gateway    string        `json:"gateway" bun:"gateway,pk"`
	EventID    string        `json:"event_id" bun:"event_id,pk"`
	PaymentID  PaymentID     `json:"payment_id" bun:"payment_id,notnull"`
	Status     PaymentStatus `json:"status" bun:"status,notnull"`
	ReceivedAt time.Time     `json:"received_at" bun:"received_at,notnull"`
}

// paymentClient reads a client and checks that the actor may do op on its
// payments.
func (s *Service) paymentClient(ctx context.Context, st Store, actor billkit.Actor, id billkit.ClientID, op billkit.Operation) (*Client, error) {
	c, err := st.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionPayment, op), id, clientNotFound(id)); err != nil {
		return nil, err
	}
	return c, nil
}

// paymentFor reads a payment and checks that the actor may do op on it; a
// customer of another client gets the not_found of a missing payment.
func (s *Service) paymentFor(ctx context.Context, actor billkit.Actor, id PaymentID, op billkit.Operation) (*Payment, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	if id.IsZero() {
		return nil, paymentNotFound(id)
	}
	p, err := s.store.GetPayment(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := actor.AuthorizeClient(billkit.R(FunctionPayment, op), p.ClientID, paymentNotFound(id)); err != nil {
		return nil, err
	}
	return p, nil
}

// preparedPayment is a payment checked and ready to store, with what it
// was checked against.
type preparedPayment struct {
	p       *Payment
	method  *PaymentMethod
	client  *Client
	gateway Gateway
}

// preparePayment checks p as CreatePayment does and returns the payment
// to store, reading through st: the Service's store, or a caller's
// transaction (CreatePaymentTx).
func (s *Service) preparePayment(ctx context.Context, st Store, actor billkit.Actor, p CreatePaymentParams) (*preparedPayment, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	v.Check(!p.ClientID.IsZero(), "client_id", "required", "is required")
	v.Check(!p.MethodID.IsZero(), "method_id", "required", "is required")
	if v.Check(p.Amount.Currency() != "", "amount", "required", "is required") {
		v.Check(p.Amount.IsPositive(), "amount", "payment.amount_not_positive", "must be more than zero")
	}
	memo := text(&v, "memo", p.Memo, 1000, false)
	ref := text(&v, "reference", p.Reference, 200, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, err := s.paymentClient(ctx, st, actor, p.ClientID, billkit.OpCreate)
	if err != nil {
		return nil, err
	}
	if c.Status == ClientStatusDeleted {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "client.deleted", "client %s is deleted", c.Number)
	}
	m, err := st.GetPaymentMethod(ctx, p.MethodID)
	if billkit.IsCode(err, billkit.CodeNotFound) {
		return nil, billkit.InvalidField("method_id", "payment_method.not_found", "is not a payment method")
	}
	if err != nil {
		return nil, err
	}
	if !m.Enabled {
		return nil, billkit.InvalidField("method_id", "payment_method.disabled", "is disabled")
	}
	co, err := st.GetCompany(ctx, m.CompanyID)
	if err != nil {
		return nil, err
	}
	if !m.availableTo(co, c.ProviderID) {
		return nil, billkit.InvalidField("method_id", "payment_method.not_available", "is not offered to the client's provider")
	}
	g, err := s.gateway(m.Gateway)
	if err != nil {
		return nil, renameField(err, "gateway", "method_id")
	}
	if g.Code() == GatewayBalance {
		v.Check(!p.InvoiceID.IsZero(), "invoice_id", ReasonBalanceNeedsInvoice, "a payment from the balance pays an invoice")
	}
	if !p.InvoiceID.IsZero() {
		inv, err := st.GetInvoice(ctx, p.InvoiceID)
		switch {
		case billkit.IsCode(err, billkit.CodeNotFound) || (err == nil && inv.ClientID != c.ID):
			v.Add("invoice_id", "invoice.not_found", "is not an invoice of the client")
		case err != nil:
			return nil, err
		}
	}
	cur := methodCurrency(m, c)
	digits, err := currencyDigits(ctx, st, cur)
	if err != nil {
		return nil, err
	}
	if v.Check(p.Amount.Currency() == cur, "amount", "payment.currency_mismatch", fmt.Sprintf("must be in %s, the method's currency", cur)) {
		if v.Check(p.Amount.Amount().Round(digits).Equal(p.Amount.Amount()), "amount", "payment.too_many_decimals",
			fmt.Sprintf("must have at most %d decimals for %s", digits, cur)) {
			if reason, msg := m.limitProblem(p.Amount.Amount()); reason != "" {
				v.Add("amount", reason, msg)
			}
		}
		if list := g.Capabilities().Currencies; len(list) > 0 {
			found := false
			for _, x := range list {
				found = found || x == cur
			}
			v.Check(found, "amount", "payment.currency_unsupported", fmt.Sprintf("gateway %s does not accept %s", g.Code(), cur))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// Zero with the currency's digits, so that it reads "0.00 RUB".
	refunded, err := billkit.NewMoney(decimal.New(0, -digits), cur)
	if err != nil {
		return nil, err
	}
	pay := &Payment{
		ClientID: c.ID, CompanyID: m.CompanyID, MethodID: m.ID, Gateway: m.Gateway,
		Amount: p.Amount, Refunded: refunded, Status: PaymentNew, InvoiceID: p.InvoiceID,
		Memo: memo, Reference: ref,
	}
	newID(&pay.ID)
	return &preparedPayment{p: pay, method: m, client: c, gateway: g}, nil
}

// insertPayment stores a prepared payment as new. With claim it is stored
// as started already (an attempt counted and a check planned), for a
// start that follows at once. It writes in st: the Service's store, or a
// caller's transaction, in a savepoint of it (CreatePaymentTx).
func (s *Service) insertPayment(ctx context.Context, st Store, actor billkit.Actor, pp *preparedPayment, claim bool) error {
	now := s.now()
	p := pp.p
	p.CreatedAt, p.UpdatedAt = now, now
	if claim {
		p.Attempts, p.CheckAfter = 1, now.Add(NextPaymentCheck(1))
	}
	return st.InTx(ctx, func(tx Store) error {
		if err := tx.InsertPayment(ctx, p); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionPayment, "create", p.ID.String(), p.ClientID, nil, p)
	})
}

// CreatePayment records that a client is about to pay: a top-up of its
// balance, or an invoice (p.InvoiceID). The payment is stored new; nothing
// is asked of the gateway until StartPayment (Pay does both). It needs
// billing.payment:create on the client; customers create payments for
// their own clients. The method must be enabled and offered to the
// client's provider, and the amount positive, in the method's currency,
// with at most the currency's decimals, within the method's limits.
func (s *Service) CreatePayment(ctx context.Context, actor billkit.Actor, p CreatePaymentParams) (*Payment, error) {
	return s.createPayment(ctx, s.store, actor, p)
}

// Pay creates a payment and starts it at the gateway: CreatePayment, then
// StartPayment. A method of the balance gateway is refused before anything
// is stored (failed_precondition ReasonUseInvoiceBalance): the invoice
// code pays from the balance.
func (s *Service) Pay(ctx context.Context, actor billkit.Actor, p PayParams) (*Payment, error) {
	pp, err := s.preparePayment(ctx, s.store, actor, p.CreatePaymentParams)
	if err != nil {
		return nil, err
	}
	if pp.gateway.Code() == GatewayBalance {
		return nil, useInvoiceBalance()
	}
	if err := s.insertPayment(ctx, s.store, actor, pp, true); err != nil {
		return nil, err
	}
	out, err := s.startAtGateway(ctx, actor, pp, p.StartOptions)
	if err != nil {
		return nil, err
	}
	return out.forCustomer(actor), nil
}

// StartPayment asks the gateway to begin a new payment and stores its
// answer: pending with the page to send the customer to (RedirectURL,
// Form) or the instructions to show, or a final status when the payment
// completed at once.
//
// The gateway is called outside any transaction: first the attempt is
// recorded (with a check planned a minute later), then the gateway is
// called, then its answer is stored. When the gateway does not answer (a
// timeout, a network error) the payment stays new with its check planned,
// and the error is unavailable ReasonOutcomeUnknown: ReconcilePayments asks
// the gateway later, so the payment is never lost, and since gateways
// start idempotently by payment ID it is never paid twice. When the
// gateway refuses (invalid or failed_precondition), the payment fails and
// the gateway's error is returned.
//
// A pending payment is returned as it is, its redirect still valid. It
// needs billing.payment:create on the client.
func (s *Service) StartPayment(ctx context.Context, actor billkit.Actor, id PaymentID, o StartOptions) (*Payment, error) {
	p, err := s.paymentFor(ctx, actor, id, billkit.OpCreate)
	if err != nil {
		return nil, err
	}
	switch p.Status {
	case PaymentPending:
		return p.forCustomer(actor), nil
	case PaymentNew:
	default:
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPaymentTransition, "payment %s is %s: it cannot start", id, p.Status)
	}
	m, err := s.store.GetPaymentMethod(ctx, p.MethodID)
	if err != nil {
		return nil, err
	}
	c, err := s.store.GetClient(ctx, p.ClientID)
	if err != nil {
		return nil, err
	}
	g, err := s.gateway(p.Gateway)
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeFailedPrecondition, ReasonGatewayUnknown, fmt.Sprintf("gateway %q is not configured", p.Gateway))
	}
	var claimed *Payment
	err = s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.LockPayment(ctx, id)
		if err != nil {
			return err
		}
		claimed = cur
		if cur.Status != PaymentNew {
			return nil
		}
		before := *cur
		now := s.now()
		cur.Attempts++
		cur.CheckAfter, cur.UpdatedAt = now.Add(NextPaymentCheck(cur.Attempts)), now
		if err := tx.UpdatePayment(ctx, cur); err != nil {
			return err
		}
		return record(ctx, tx, actor, now, FunctionPayment, "start", id.String(), cur.ClientID, &before, cur)
	})
	if err != nil {
		return nil, err
	}
	if claimed.Status != PaymentNew {
		return claimed.forCustomer(actor), nil
	}
	out, err := s.startAtGateway(ctx, actor, &preparedPayment{p: claimed, method: m, client: c, gateway: g}, o)
	if err != nil {
		return nil, err
	}
	return out.forCustomer(actor), nil
}

// startAtGateway calls the gateway's Start for a claimed payment and
// applies the answer.
func (s *Service) startAtGateway(ctx context.Context, actor billkit.Actor, pp *preparedPayment, o StartOptions) (*Payment, error) {
	p, c := pp.p, pp.client
	locale := o.Locale
	if locale == "" {
		locale = c.Locale
	}
	desc := p.Memo
	if desc == "" {
		desc = "Payment " + p.ID.String()
	}
	req := StartPaymentRequest{
		PaymentID: p.ID, Amount: p.Amount, Description: desc, ClientID: c.ID, ClientEmail: c.Email, ClientName: c.Name,
		Locale: locale, ReturnURL: o.ReturnURL, CancelURL: o.CancelURL, SaveMethod: o.SaveMethod, Settings: settingsOf(pp.method),
	}
	res, err := callGateway(ctx, func(ctx context.Context) (StartPaymentResult, error) { return pp.gateway.Start(ctx, req) })
	// What the gateway answered is stored even when the caller has gone
	// meanwhile: it is the only record of it.
	wctx := context.WithoutCancel(ctx)
	if err != nil {
		if !gatewayRefused(err) {
			return nil, outcomeUnknown(p.ID, err)
		}
		if _, aerr := s.applyOutcome(wctx, actor, p.ID, outcome{status: PaymentFailed, message: err.Error()}); aerr != nil {
			return nil, errors.Join(err, aerr)
		}
		return nil, err
	}
	if res.Status == "" || res.Status == PaymentNew {
		res.Status = PaymentPending
	}
	switch res.Status {
	case PaymentPending, PaymentPaid, PaymentFailed, PaymentCancelled:
	default:
		return nil, outcomeUnknown(p.ID, fmt.Errorf("gateway %s answered Start with status %q", pp.gateway.Code(), res.Status))
	}
	instr := res.Instructions
	if instr == "" {
		instr = pp.method.Instructions.Get(locale)
	}
	return s.applyOutcome(wctx, actor, p.ID, outcome{
		status: res.Status, gatewayPaymentID: res.GatewayPaymentID, started: true,
		redirectURL: res.RedirectURL, form: res.Form, instructions: instr,
	})
}

// outcome is what is learned of a payment: from Start, a callback, a
// query, or staff.
type outcome struct {
	status           PaymentStatus
	gatewayPaymentID string
	// amount is the amount a paid report names; zero when it names none.
	amount billkit.Money
	// refunded is the total refunded a refund report names.
	refunded billkit.Money
	saved    *SavedMethodRef
	message  string
	eventID  string
	// started: the answer to Start, with what to show the customer.
	started      bool
	redirectURL  string
	form         *RedirectForm
	instructions string
	// reference is staff's reference of a confirmation.
	reference string
}

// conversion is how a payment's amount becomes the client's money.
type conversion struct {
	credited billkit.Money
	rate     *decimal.Decimal
}

// convertPayment converts a payment's amount into the client's currency at
// today's rate (in the provider's time zone). It reads the directory, so
// it runs before the transaction that applies the payment.
func (s *Service) convertPayment(ctx context.Context, p *Payment) (*conversion, error) {
	c, err := s.store.GetClient(ctx, p.ClientID)
	if err != nil {
		return nil, err
	}
	if p.Amount.Currency() == c.Currency {
		return &conversion{credited: p.Amount}, nil
	}
	pr, err := s.store.GetProvider(ctx, c.ProviderID)
	if err != nil {
		return nil, err
	}
	conv, err := s.dir.Convert(ctx, p.Amount, c.Currency, pr.Today(s.now()))
	if err != nil {
		return nil, err
	}
	rate := conv.Rate
	return &conversion{credited: conv.To, rate: &rate}, nil
}

// applyOutcome applies what was learned of a payment, exactly once, in one
// transaction: the payment's row is locked first, and the state machine
// decides whether the report changes anything. A report that the state
// machine refuses (a duplicate, a late "pending" after "paid") changes
// nothing and returns the payment as it is, without an error. The call
// that makes the payment paid calls Config.OnPaymentPaid once the
// transaction has committed.
func (s *Service) applyOutcome(ctx context.Context, actor billkit.Actor, id PaymentID, o outcome) (*Payment, error) {
	p, err := s.store.GetPayment(ctx, id)
	if err != nil {
		return nil, err
	}
	// A report of refunds says the money arrived too: for a payment billkit
	// still has unpaid (the "paid" callback was lost), it is applied as
	// paid first, then refunded.
	received := o.status == PaymentPaid || o.status == PaymentPartlyRefunded || o.status == PaymentRefunded
	var conv *conversion
	if received && p.Status.Unpaid() {
		if o.amount.Currency() != "" && !o.amount.Equal(p.Amount) {
			return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPaymentAmountMismatch,
				"the gateway reports payment %s paid with %s, not %s", id, o.amount, p.Amount)
		}
		if conv, err = s.convertPayment(ctx, p); err != nil {
			return nil, err
		}
	}
	var out *Payment
	paid := false // this call made the payment paid
	err = s.store.InTx(ctx, func(tx Store) error {
		paid = false
		now := s.now()
		if o.eventID != "" {
			fresh, err := tx.InsertPaymentEvent(ctx, &PaymentEvent{Gateway: p.Gateway, EventID: o.eventID, PaymentID: id, Status: o.status, ReceivedAt: now})
			if err != nil {
				return err
			}
			if !fresh {
				out, err = tx.GetPayment(ctx, id)
				return err
			}
		}
		cur, err := tx.LockPayment(ctx, id)
		if err != nil {
			return err
		}
		out = cur
		before := *cur
		filled := false
		if o.gatewayPaymentID != "" && cur.GatewayPaymentID == "" {
			cur.GatewayPaymentID, filled = o.gatewayPaymentID, true
		}
		if o.started && cur.Status.Unpaid() && cur.RedirectURL == "" && cur.Form == nil && cur.Instructions == "" {
			cur.RedirectURL, cur.Form, cur.Instructions = o.redirectURL, o.form, o.instructions
			filled = filled || o.redirectURL != "" || o.form != nil || o.instructions != ""
		}
		verb := ""
		switch {
		case received && PaymentTransition(cur.Status, PaymentPaid):
			if conv == nil {
				// Read as received outside the transaction, unpaid inside:
				// a payment never goes back, so this is a store fault.
				return billkit.Errorf(billkit.CodeInternal, "payment.inconsistent", "payment %s changed back to %s", id, cur.Status)
			}
			cur.Status, cur.Credited, cur.Rate, cur.PaidAt = PaymentPaid, conv.credited, conv.rate, now
			cur.CheckAfter, cur.Message = time.Time{}, ""
			if o.reference != "" {
				cur.Reference = o.reference
			}
			if o.saved != nil && o.saved.Ref != "" {
				cur.SavedMethodRef = o.saved.Ref
			}
			verb = "paid"
		case received && (cur.Status == PaymentFailed || cur.Status == PaymentCancelled):
			note := fmt.Sprintf("the gateway reports the payment paid after it was %s: check the payment service, then refund or credit by hand", cur.Status)
			if cur.Attention == note {
				return nil
			}
			cur.Attention, verb = note, "attention"
		case (o.status == PaymentPending || o.status == PaymentFailed || o.status == PaymentCancelled) && PaymentTransition(cur.Status, o.status):
			cur.Status = o.status
			switch o.status {
			case PaymentPending:
				verb = "pending"
				if cur.Gateway == GatewayManual {
					cur.CheckAfter = time.Time{} // staff confirm it; nothing to ask
				} else if cur.CheckAfter.IsZero() {
					cur.CheckAfter = now.Add(NextPaymentCheck(cur.Attempts))
				}
			case PaymentFailed:
				verb, cur.CheckAfter, cur.Message = "fail", time.Time{}, truncate(o.message, 1000)
			default:
				verb, cur.CheckAfter, cur.Message = "cancel", time.Time{}, truncate(o.message, 1000)
			}
		case (o.status == PaymentRefunded || o.status == PaymentPartlyRefunded) && cur.Status.Received():
			return s.applyExternalRefund(ctx, tx, actor, cur, o)
		default:
			if !filled {
				return nil // a duplicate or late report: nothing changes
			}
			verb = "update"
		}
		cur.UpdatedAt = now
		if err := tx.UpdatePayment(ctx, cur); err != nil {
			return err
		}
		if verb == "paid" {
			if err := s.creditPayment(ctx, tx, actor, cur, o); err != nil {
				return err
			}
			paid = true
		}
		if err := record(ctx, tx, actor, now, FunctionPayment, verb, id.String(), cur.ClientID, &before, cur); err != nil {
			return err
		}
		if verb == "paid" && o.status != PaymentPaid {
			return s.applyExternalRefund(ctx, tx, actor, cur, o)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if paid && s.cfg.OnPaymentPaid != nil {
		// The money is on the balance: what the hook does with it is not
		// undone by a caller that stops waiting.
		cp := *out
		s.cfg.OnPaymentPaid(context.WithoutCancel(ctx), &cp)
	}
	return out, nil
}

// creditPayment, in the transaction that made cur paid, credits the money
// to the client's balance, applies it to the invoice it pays, and keeps
// the method the gateway saved.
func (s *Service) creditPayment(ctx context.Context, tx Store, actor billkit.Actor, cur *Payment, o outcome) error {
	if cur.Credited.IsPositive() {
		_, err := s.PostTx(ctx, tx, poster(actor, cur.ClientID), PostParams{
			ClientID: cur.ClientID, Amount: cur.Credited, Kind: LedgerPayment,
			CauseType: "payment", CauseID: cur.ID.String(), Memo: cur.Memo, Rate: cur.Rate,
		})
		if err != nil {
			return err
		}
	}
	if !cur.InvoiceID.IsZero() {
		// In a savepoint: an invoice that cannot take the money any more
		// (paid meanwhile, voided) must not keep money that arrived from
		// being credited; it stays on the balance, and staff are told.
		err := tx.InTx(ctx, func(tx Store) error {
			return s.applyInvoicePayment(ctx, tx, actor, cur.InvoiceID, cur.ID, cur.Credited)
		})
		switch billkit.ErrorCode(err) {
		case "":
		case billkit.CodeFailedPrecondition, billkit.CodeNotFound, billkit.CodeInvalid:
			cur.Attention = truncate(fmt.Sprintf("invoice %s did not take the payment (%s): the money stays on the balance", cur.InvoiceID, billkit.ErrorReason(err)), 1000)
			if err := tx.UpdatePayment(ctx, cur); err != nil {
				return err
			}
		default:
			return err
		}
	}
	if o.saved != nil && o.saved.Ref != "" {
		return s.keepSavedMethod(ctx, tx, actor, cur, *o.saved)
	}
	return nil
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// HandleCallback processes a gateway's callback (webhook) for a payment
// method: the gateway verifies it (a bad signature is unauthenticated
// ReasonCallbackSignature, and nothing is written), the payment it names
// is found by the gateway's payment ID or by billkit's ID echoed back
// (neither known, or a payment of another method: not_found
// "payment.not_found", nothing written), and the reported status is
// applied exactly once. A duplicate, late or
// out-of-order callback ("pending" after "paid", "paid" twice) changes
// nothing and returns the payment as it is, without an error, so that the
// gateway stops retrying; an event ID the gateway gives is stored with the
// change, as a second guard against replays. A callback the gateway
// ignores (another event type) returns nil and no error.
//
// It takes no actor: callbacks come from the gateway, and are recorded as
// the system actor "gateway.<code>".
func (s *Service) HandleCallback(ctx context.Context, methodID PaymentMethodID, r CallbackRequest) (*Payment, error) {
	m, err := s.store.GetPaymentMethod(ctx, methodID)
	if err != nil {
		return nil, err
	}
	g, err := s.gateway(m.Gateway)
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeFailedPrecondition, ReasonGatewayUnknown, fmt.Sprintf("gateway %q is not configured", m.Gateway))
	}
	r.Settings = settingsOf(m)
	rep, err := callGateway(ctx, func(ctx context.Context) (GatewayReport, error) { return g.ParseCallback(ctx, r) })
	if err != nil {
		return nil, err
	}
	if rep.Ignore {
		return nil, nil
	}
	p, err := s.findReported(ctx, g.Code(), rep)
	if err != nil {
		return nil, err
	}
	if p.MethodID != methodID {
		// Verified with another method's secret: not this method's news.
		return nil, paymentNotFound(p.ID)
	}
	actor := billkit.SystemActor("gateway." + g.Code())
	out, err := s.applyOutcome(ctx, actor, p.ID, reportOutcome(rep))
	if err != nil {
		return nil, err
	}
	return out, nil
}

// reportOutcome is what a gateway report says.
func reportOutcome(rep GatewayReport) outcome {
	return outcome{
		status: rep.Status, gatewayPaymentID: rep.GatewayPaymentID, amount: rep.Amount, refunded: rep.Refunded,
		saved: rep.SavedMethod, message: rep.Message, eventID: rep.EventID,
	}
}

// findReported finds the payment a gateway report names: by the gateway's
// payment ID, else by billkit's ID echoed back, which must be a payment of
// the same gateway that the gateway's ID, if any, does not contradict.
func (s *Service) findReported(ctx context.Context, gateway string, rep GatewayReport) (*Payment, error) {
	if rep.GatewayPaymentID != "" {
		p, err := s.store.FindPaymentByGateway(ctx, gateway, rep.GatewayPaymentID)
		if err == nil {
			if !rep.PaymentID.IsZero() && rep.PaymentID != p.ID {
				return nil, paymentNotFound(rep.PaymentID)
			}
			return p, nil
		}
		if !billkit.IsCode(err, billkit.CodeNotFound) {
			return nil, err
		}
	}
	if rep.PaymentID.IsZero() {
		return nil, billkit.Errorf(billkit.CodeNotFound, "payment.not_found", "no payment of gateway %s has ID %q", gateway, rep.GatewayPaymentID)
	}
	p, err := s.store.GetPayment(ctx, rep.PaymentID)
	if err != nil {
		return nil, err
	}
	if p.Gateway != gateway || (rep.GatewayPaymentID != "" && p.GatewayPaymentID != "" && p.GatewayPaymentID != rep.GatewayPaymentID) {
		return nil, paymentNotFound(rep.PaymentID)
	}
	return p, nil
}

// ReconcilePayments asks the gateways about every payment whose outcome is
// unknown and due for a check (new after a start attempt, or pending, with
// CheckAfter at or before now), applies what they answer, and returns how
// many payments it resolved (paid, failed or cancelled). A payment still
// pending, or whose gateway did not answer, is asked again later, with a
// growing wait (NextPaymentCheck); after PaymentUnresolvedAfter it is
// flagged for staff and still asked every six hours. The gateways are
// called outside transactions. A failure with one payment does not stop
// the others: the error, unavailable "payment.reconcile_incomplete",
// comes with the count. The server runs it periodically; it needs
// billing.payment:edit.
func (s *Service) ReconcilePayments(ctx context.Context, actor billkit.Actor) (int, error) {
	if err := actor.Validate(); err != nil {
		return 0, err
	}
	if err := actor.Authorize(billkit.R(FunctionPayment, billkit.OpEdit)); err != nil {
		return 0, err
	}
	now := s.now()
	resolved := 0
	var errs []error
	seen := map[PaymentID]bool{}
	for cursor := ""; ; {
		page, err := s.store.ListPayments(ctx, PaymentFilter{Due: now, PageParams: billkit.PageParams{Cursor: cursor, Limit: 100}})
		if err != nil {
			return resolved, err
		}
		for i := range page.Items {
			p := &page.Items[i]
			if seen[p.ID] {
				continue
			}
			seen[p.ID] = true
			done, err := s.reconcile(ctx, actor, p)
			if err != nil {
				if ctx.Err() != nil {
					return resolved, ctx.Err()
				}
				errs = append(errs, fmt.Errorf("payment %s: %w", p.ID, err))
			}
			if done {
				resolved++
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(errs) > 0 {
		return resolved, billkit.WrapError(errors.Join(errs...), billkit.CodeUnavailable, "payment.reconcile_incomplete",
			fmt.Sprintf("%d payments could not be checked; they will be checked again", len(errs)))
	}
	return resolved, nil
}

// reconcile asks the gateway about one payment and applies the answer; it
// reports whether the payment's outcome is now known.
func (s *Service) reconcile(ctx context.Context, actor billkit.Actor, p *Payment) (bool, error) {
	var (
		rep   GatewayReport
		qerr  error
		note  string
		known bool
	)
	g, err := s.gateway(p.Gateway)
	if err != nil {
		note = fmt.Sprintf("gateway %q is not configured: the payment cannot be checked", p.Gateway)
	} else {
		m, err := s.store.GetPaymentMethod(ctx, p.MethodID)
		if err != nil {
			return false, err
		}
		req := QueryPaymentRequest{PaymentID: p.ID, GatewayPaymentID: p.GatewayPaymentID, Settings: settingsOf(m)}
		rep, qerr = callGateway(ctx, func(ctx context.Context) (GatewayReport, error) { return g.Query(ctx, req) })
	}
	switch {
	case note != "":
	case qerr != nil && p.Status == PaymentNew && billkit.IsCode(qerr, billkit.CodeNotFound):
		// The start never reached the payment service: nothing can be paid.
		out, err := s.applyOutcome(ctx, actor, p.ID, outcome{status: PaymentFailed, message: "the payment service does not know the payment: " + qerr.Error()})
		if err != nil {
			return false, err
		}
		return !out.Status.Unpaid(), nil
	case qerr != nil:
	case rep.Ignore:
	case rep.Status == PaymentPaid || rep.Status == PaymentFailed || rep.Status == PaymentCancelled:
		out, err := s.applyOutcome(ctx, actor, p.ID, reportOutcome(rep))
		switch {
		case billkit.HasReason(err, ReasonPaymentAmountMismatch):
			note = err.Error()
			qerr = err
		case err != nil:
			return false, err
		default:
			known = !out.Status.Unpaid()
		}
	case rep.Status == PaymentPending:
		if p.Status == PaymentNew || (rep.GatewayPaymentID != "" && p.GatewayPaymentID == "") {
			if _, err := s.applyOutcome(ctx, actor, p.ID, reportOutcome(rep)); err != nil {
				return false, err
			}
		}
	}
	if known {
		return true, nil
	}
	if err := s.planCheck(ctx, actor, p.ID, note); err != nil {
		return false, err
	}
	if qerr != nil {
		return false, qerr
	}
	return false, nil
}

// planCheck counts one more attempt of a payment whose outcome is still
// unknown and plans its next check; after PaymentUnresolvedAfter, or with
// a note, it flags the payment for staff, recording the flag.
func (s *Service) planCheck(ctx context.Context, actor billkit.Actor, id PaymentID, note string) error {
	return s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.LockPayment(ctx, id)
		if err != nil {
			return err
		}
		if !cur.Status.Unpaid() {
			return nil
		}
		before := *cur
		now := s.now()
		cur.Attempts++
		cur.CheckAfter, cur.UpdatedAt = now.Add(NextPaymentCheck(cur.Attempts)), now
		if note == "" && now.Sub(cur.CreatedAt) >= PaymentUnresolvedAfter {
			note = fmt.Sprintf("the outcome is still unknown after %d checks since %s: ask the payment service", cur.Attempts, cur.CreatedAt.Format(time.DateOnly))
		}
		flag := note != "" && cur.Attention == ""
		if flag {
			cur.Attention = truncate(note, 1000)
		}
		if err := tx.UpdatePayment(ctx, cur); err != nil {
			return err
		}
		if !flag {
			return nil
		}
		return record(ctx, tx, actor, now, FunctionPayment, "attention", id.String(), cur.ClientID, &before, cur)
	})
}

// ConfirmPayment marks a new or pending payment of the manual gateway paid,
// with staff's reference of the transfer when given: the money is credited
// as for any paid payment. It needs billing.payment:edit, and staff (or an
// API key or the system): customers attach a reference
// (AttachPaymentReference) but cannot confirm (forbidden
// "billing.staff_only"). A payment of another gateway is
// failed_precondition ReasonNotManual; one not new or pending,
// ReasonPaymentTransition.
func (s *Service) ConfirmPayment(ctx context.Context, actor billkit.Actor, id PaymentID, reference string) (*Payment, error) {
	var v billkit.FieldErrors
	reference = text(&v, "reference", reference, 200, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	p, err := s.paymentFor(ctx, actor, id, billkit.OpEdit)
	if err != nil {
		return nil, err
	}
	if actor.Kind == billkit.ActorCustomer {
		return nil, billkit.Errorf(billkit.CodeForbidden, paymentStaffOnly, "only staff confirm payments")
	}
	if p.Gateway != GatewayManual {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonNotManual, "payment %s is by gateway %s: its gateway reports the outcome", id, p.Gateway)
	}
	if !p.Status.Unpaid() {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPaymentTransition, "payment %s is %s: it cannot be confirmed", id, p.Status)
	}
	out, err := s.applyOutcome(ctx, actor, id, outcome{status: PaymentPaid, reference: reference})
	if err != nil {
		return nil, err
	}
	if out.Status != PaymentPaid {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPaymentTransition, "payment %s became %s meanwhile", id, out.Status)
	}
	return out, nil
}

// AttachPaymentReference sets the reference of a new or pending payment:
// the customer's receipt of a bank transfer, so staff can match it. It
// needs billing.payment:edit on the client; customers attach to their own
// clients' payments.
func (s *Service) AttachPaymentReference(ctx context.Context, actor billkit.Actor, id PaymentID, reference string) (*Payment, error) {
	var v billkit.FieldErrors
	reference = text(&v, "reference", reference, 200, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.changeUnpaid(ctx, actor, id, "reference", func(p *Payment) { p.Reference = reference })
}

// CancelPayment cancels a new or pending payment: staff, or a customer its
// own client's. It needs billing.payment:edit on the client. The gateway
// is not told; if it reports the payment paid later, the payment is
// flagged for staff (Attention) rather than credited.
func (s *Service) CancelPayment(ctx context.Context, actor billkit.Actor, id PaymentID) (*Payment, error) {
	return s.changeUnpaid(ctx, actor, id, "cancel", func(p *Payment) {
		p.Status, p.CheckAfter = PaymentCancelled, time.Time{}
	})
}

// changeUnpaid changes a new or pending payment in one transaction.
func (s *Service) changeUnpaid(ctx context.Context, actor billkit.Actor, id PaymentID, verb string, change func(p *Payment)) (*Payment, error) {
	if _, err := s.paymentFor(ctx, actor, id, billkit.OpEdit); err != nil {
		return nil, err
	}
	var out *Payment
	err := s.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.LockPayment(ctx, id)
		if err != nil {
			return err
		}
		if !cur.Status.Unpaid() {
			return billkit.Errorf(billkit.CodeFailedPrecondition, ReasonPaymentTransition, "payment %s is %s", id, cur.Status)
		}
		before := *cur
		change(cur)
		now := s.now()
		cur.UpdatedAt = now
		if err := tx.UpdatePayment(ctx, cur); err != nil {
			return err
		}
		out = cur
		return record(ctx, tx, actor, now, FunctionPayment, verb, id.String(), cur.ClientID, &before, cur)
	})
	if err != nil {
		return nil, err
	}
	return out.forCustomer(actor), nil
}

// GetPayment returns a payment. It needs billing.payment:read on its
// client; a customer asking for another client's payment gets not_found.
func (s *Service) GetPayment(ctx context.Context, actor billkit.Actor, id PaymentID) (*Payment, error) {
	p, err := s.paymentFor(ctx, actor, id, billkit.OpRead)
	if err != nil {
		return nil, err
	}
	return p.forCustomer(actor), nil
}

// ListPayments lists payments, newest first. With f.ClientID it needs
// billing.payment:read on that client; without, it lists the payments of
// the clients the actor may read payments of.
func (s *Service) ListPayments(ctx context.Context, actor billkit.Actor, f PaymentFilter) (billkit.Page[Payment], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[Payment]{}, err
	}
	if err := f.validate(); err != nil {
		return billkit.Page[Payment]{}, err
	}
	f.ClientIDs = nil
	if !f.ClientID.IsZero() {
		if _, err := s.paymentClient(ctx, s.store, actor, f.ClientID, billkit.OpRead); err != nil {
			return billkit.Page[Payment]{}, err
		}
	} else {
		ids, err := listScope(actor, billkit.R(FunctionPayment, billkit.OpRead))
		if err != nil {
			return billkit.Page[Payment]{}, err
		}
		f.ClientIDs = ids
	}
	page, err := s.store.ListPayments(ctx, f)
	if err != nil {
		return page, err
	}
	for i := range page.Items {
		page.Items[i].forCustomer(actor)
	}
	return page, nil
}
