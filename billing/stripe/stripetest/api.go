package stripetest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// checkoutLocales are the locales Stripe Checkout accepts.
var checkoutLocales = map[string]bool{
	"auto": true, "bg": true, "cs": true, "da": true, "de": true, "el": true, "en": true,
	"en-GB": true, "es": true, "es-419": true, "et": true, "fi": true, "fil": true, "fr": true,
	"fr-CA": true, "hr": true, "hu": true, "id": true, "it": true, "ja": true, "ko": true,
	"lt": true, "lv": true, "ms": true, "mt": true, "nb": true, "nl": true, "pl": true,
	"pt": true, "pt-BR": true, "ro": true, "ru": true, "sk": true, "sl": true, "sv": true,
	"th": true, "tr": true, "vi": true, "zh": true, "zh-HK": true, "zh-TW": true,
}

// maxAmount is Stripe's largest amount: eight digits of minor units.
const maxAmount = 99_999_999

// amountParam parses a non-negative integer amount in minor units.
func amountParam(p params, path string, required bool) (int64, bool, *apiError) {
	v, ok := p.get(path)
	if !ok {
		if required {
			return 0, false, missingParam(bracketed(path))
		}
		return 0, false, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, false, invalidRequest(bracketed(path), "parameter_invalid_integer", "Invalid non-negative integer: %s", v)
	}
	return n, true, nil
}

// checkAmount applies Stripe's rules on amounts in special currencies.
func checkAmount(param string, amount int64, currency string) *apiError {
	if amount > maxAmount {
		return invalidRequest(param, "amount_too_large", "Amount must be no more than %d.", maxAmount)
	}
	switch currency {
	case "bhd", "jod", "kwd", "omr", "tnd":
		if amount%10 != 0 {
			return invalidRequest(param, "invalid_charge_amount", "Invalid amount: amounts in %s must end in 0 (round to the nearest ten).", strings.ToUpper(currency))
		}
	case "isk":
		if amount%100 != 0 {
			return invalidRequest(param, "invalid_charge_amount_no_decimal_compatible",
				"Invalid amount. Currency ISK has become effectively zero-decimal and charged amounts must be evenly divisible by 100.")
		}
	}
	return nil
}

func currencyParam(p params, path string) (string, *apiError) {
	v, ok := p.get(path)
	if !ok || v == "" {
		return "", missingParam(bracketed(path))
	}
	c := strings.ToLower(v)
	if len(c) != 3 || strings.Trim(c, "abcdefghijklmnopqrstuvwxyz") != "" {
		return "", invalidRequest(bracketed(path), "parameter_invalid_string", "Invalid currency: %s.", v)
	}
	return c, nil
}

func boolParam(p params, path string) (bool, *apiError) {
	v, ok := p.get(path)
	if !ok {
		return false, nil
	}
	switch v {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, invalidRequest(bracketed(path), "parameter_invalid_boolean", "Invalid boolean: %s", v)
}

func urlParam(p params, path string, required bool) (string, *apiError) {
	v, ok := p.get(path)
	if !ok || v == "" {
		if required {
			return "", missingParam(path)
		}
		return "", nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", invalidRequest(path, "url_invalid", "Not a valid URL")
	}
	return v, nil
}

// metadataParam checks Stripe's limits on metadata: 50 keys, keys of 40
// characters, values of 500.
func metadataParam(p params, path string) (map[string]string, *apiError) {
	m := p.sub(path)
	if len(m) > 50 {
		return nil, invalidRequest(bracketed(path), "parameter_invalid_string", "You can specify up to 50 keys in metadata.")
	}
	for k, v := range m {
		if len(k) > 40 || strings.Contains(k, ".") || k == "" {
			return nil, invalidRequest(bracketed(path+"."+k), "parameter_invalid_string", "Metadata keys must be 1 to 40 characters without brackets.")
		}
		if len(v) > 500 {
			return nil, invalidRequest(bracketed(path+"."+k), "parameter_invalid_string", "Metadata values can have up to 500 characters.")
		}
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// createSession is POST /v1/checkout/sessions, payment mode only.
func (s *Server) createSession(p params) (any, *apiError) {
	if bad := p.unknown("mode", "line_items", "success_url", "cancel_url", "client_reference_id",
		"metadata", "customer_email", "customer", "customer_creation", "payment_intent_data",
		"locale", "expires_at", "expand", "payment_method_types"); bad != "" {
		return nil, unknownParam(bad)
	}
	mode, ok := p.get("mode")
	if !ok {
		return nil, missingParam("mode")
	}
	if mode != "payment" {
		return nil, invalidRequest("mode", "parameter_invalid_string", "The fake Stripe server supports only mode=payment, not %q.", mode)
	}
	x := &Session{Status: "open", PaymentStatus: "unpaid", Created: s.now()}
	n := p.count("line_items")
	if n == 0 {
		return nil, missingParam("line_items")
	}
	for i := 0; i < n; i++ {
		base := "line_items." + strconv.Itoa(i)
		if bad := p.unknownUnder(base, "price_data", "quantity", "price"); bad != "" {
			return nil, unknownParam(bracketed(bad))
		}
		if p.has(base + ".price") {
			return nil, invalidRequest(bracketed(base+".price"), "parameter_unsupported", "The fake Stripe server supports price_data only, not stored prices.")
		}
		if bad := p.unknownUnder(base+".price_data", "currency", "unit_amount", "product_data"); bad != "" {
			return nil, unknownParam(bracketed(bad))
		}
		if bad := p.unknownUnder(base+".price_data.product_data", "name", "description"); bad != "" {
			return nil, unknownParam(bracketed(bad))
		}
		cur, err := currencyParam(p, base+".price_data.currency")
		if err != nil {
			return nil, err
		}
		if x.Currency != "" && cur != x.Currency {
			return nil, invalidRequest(bracketed(base+".price_data.currency"), "parameter_invalid_string", "All line items must have the same currency.")
		}
		x.Currency = cur
		unit, _, err := amountParam(p, base+".price_data.unit_amount", true)
		if err != nil {
			return nil, err
		}
		if err := checkAmount(bracketed(base+".price_data.unit_amount"), unit, cur); err != nil {
			return nil, err
		}
		qty, _, err := amountParam(p, base+".quantity", true)
		if err != nil {
			return nil, err
		}
		if qty < 1 {
			return nil, invalidRequest(bracketed(base+".quantity"), "parameter_invalid_integer", "Quantity must be at least 1.")
		}
		name := p.str(base + ".price_data.product_data.name")
		if name == "" {
			return nil, missingParam(bracketed(base + ".price_data.product_data.name"))
		}
		x.Lines = append(x.Lines, Line{Name: name, UnitAmount: unit, Quantity: qty})
		x.AmountTotal += unit * qty
	}
	if x.AmountTotal < 1 {
		return nil, invalidRequest("line_items", "amount_too_small", "The Checkout Session's total amount must be greater than zero.")
	}
	if err := checkAmount("line_items", x.AmountTotal, x.Currency); err != nil {
		return nil, err
	}
	var err *apiError
	if x.SuccessURL, err = urlParam(p, "success_url", true); err != nil {
		return nil, err
	}
	if x.CancelURL, err = urlParam(p, "cancel_url", false); err != nil {
		return nil, err
	}
	x.ClientReferenceID = p.str("client_reference_id")
	if len(x.ClientReferenceID) > 200 {
		return nil, invalidRequest("client_reference_id", "parameter_invalid_string", "client_reference_id can have up to 200 characters.")
	}
	if x.Metadata, err = metadataParam(p, "metadata"); err != nil {
		return nil, err
	}
	x.Customer = p.str("customer")
	if x.Customer != "" && s.customers[x.Customer] == nil {
		return nil, noSuch("customer", "customer", x.Customer)
	}
	x.CustomerEmail = p.str("customer_email")
	if x.CustomerEmail != "" {
		if x.Customer != "" {
			return nil, invalidRequest("customer_email", "parameter_invalid_string", "You may only specify one of these parameters: customer, customer_email.")
		}
		if !strings.Contains(x.CustomerEmail, "@") {
			return nil, invalidRequest("customer_email", "email_invalid", "Invalid email address: %s", x.CustomerEmail)
		}
	}
	x.CustomerCreation = p.str("customer_creation")
	switch x.CustomerCreation {
	case "", "if_required", "always":
	default:
		return nil, invalidRequest("customer_creation", "parameter_invalid_string", "Invalid customer_creation: %s", x.CustomerCreation)
	}
	if x.CustomerCreation != "" && x.Customer != "" {
		return nil, invalidRequest("customer_creation", "parameter_invalid_string", "customer_creation can only be used when customer is not set.")
	}
	if bad := p.unknownUnder("payment_intent_data", "metadata", "description", "setup_future_usage"); bad != "" {
		return nil, unknownParam(bracketed(bad))
	}
	if x.PaymentIntentMetadata, err = metadataParam(p, "payment_intent_data.metadata"); err != nil {
		return nil, err
	}
	x.PaymentIntentDescription = p.str("payment_intent_data.description")
	x.SetupFutureUsage = p.str("payment_intent_data.setup_future_usage")
	switch x.SetupFutureUsage {
	case "", "on_session", "off_session":
	default:
		return nil, invalidRequest("payment_intent_data[setup_future_usage]", "parameter_invalid_string", "Invalid setup_future_usage: %s", x.SetupFutureUsage)
	}
	x.Locale = p.str("locale")
	if x.Locale != "" && !checkoutLocales[x.Locale] {
		return nil, invalidRequest("locale", "parameter_invalid_string", "Invalid locale: %s", x.Locale)
	}
	for _, t := range p.list("payment_method_types") {
		if t != "card" {
			return nil, invalidRequest("payment_method_types", "parameter_unsupported", "The fake Stripe server supports only card payments, not %s.", t)
		}
	}
	x.ExpiresAt = x.Created + 24*3600
	if v, ok := p.get("expires_at"); ok {
		at, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || at < x.Created+30*60 || at > x.Created+24*3600 {
			return nil, invalidRequest("expires_at", "parameter_invalid_integer", "expires_at must be between 30 minutes and 24 hours from now.")
		}
		x.ExpiresAt = at
	}
	exp, err := expandTree("checkout.session", p.list("expand"))
	if err != nil {
		return nil, err
	}
	x.ID = s.newID("cs")
	x.URL = s.URL + "/c/pay/" + x.ID
	s.sessions[x.ID] = x
	s.order = append(s.order, x.ID)
	obj, _ := s.render("checkout.session", x.ID, exp)
	return obj, nil
}

// listSessions is GET /v1/checkout/sessions, newest first.
func (s *Server) listSessions(p params) (any, *apiError) {
	if bad := p.unknown("payment_intent", "customer", "status", "limit", "starting_after", "expand"); bad != "" {
		return nil, unknownParam(bad)
	}
	limit := int64(10)
	if v, ok, err := amountParam(p, "limit", false); err != nil {
		return nil, err
	} else if ok {
		if v < 1 || v > 100 {
			return nil, invalidRequest("limit", "parameter_invalid_integer", "limit must be between 1 and 100.")
		}
		limit = v
	}
	var paths []string
	for _, e := range p.list("expand") {
		rest, ok := strings.CutPrefix(e, "data.")
		if !ok {
			return nil, invalidRequest("expand", "", "This property cannot be expanded (%s).", e)
		}
		paths = append(paths, rest)
	}
	exp, err := expandTree("checkout.session", paths)
	if err != nil {
		return nil, err
	}
	after := p.str("starting_after")
	skipping := after != ""
	data := []any{}
	more := false
	for i := len(s.order) - 1; i >= 0; i-- {
		x := s.sessions[s.order[i]]
		if skipping {
			if x.ID == after {
				skipping = false
			}
			continue
		}
		if v := p.str("payment_intent"); v != "" && x.PaymentIntent != v {
			continue
		}
		if v := p.str("customer"); v != "" && x.Customer != v {
			continue
		}
		if v := p.str("status"); v != "" && x.Status != v {
			continue
		}
		if int64(len(data)) == limit {
			more = true
			break
		}
		obj, _ := s.render("checkout.session", x.ID, exp)
		data = append(data, obj)
	}
	return map[string]any{"object": "list", "url": "/v1/checkout/sessions", "has_more": more, "data": data}, nil
}

// expireSessionAPI is POST /v1/checkout/sessions/{id}/expire.
func (s *Server) expireSessionAPI(id string, p params) (any, *apiError) {
	if bad := p.unknown("expand"); bad != "" {
		return nil, unknownParam(bad)
	}
	exp, err := expandTree("checkout.session", p.list("expand"))
	if err != nil {
		return nil, err
	}
	if _, aerr := s.expire(id); aerr != nil {
		return nil, aerr
	}
	obj, _ := s.render("checkout.session", id, exp)
	return obj, nil
}

// expire moves an open session to expired and records the event.
func (s *Server) expire(id string) (Event, *apiError) {
	x, ok := s.sessions[id]
	if !ok {
		return Event{}, noSuch("checkout.session", "session", id)
	}
	if x.Status != "open" {
		return Event{}, invalidRequest("", "checkout_session_not_open", "Only Checkout Sessions with a status of open can be expired; %s is %s.", id, x.Status)
	}
	x.Status = "expired"
	return s.record("checkout.session.expired", s.sessionJSON(x)), nil
}

// createIntent is POST /v1/payment_intents; with confirm it charges the
// payment method at once, as a saved card is charged.
func (s *Server) createIntent(p params) (any, *apiError) {
	if bad := p.unknown("amount", "currency", "customer", "payment_method", "confirm", "off_session",
		"description", "metadata", "automatic_payment_methods", "payment_method_types",
		"error_on_requires_action", "receipt_email", "capture_method", "setup_future_usage", "expand"); bad != "" {
		return nil, unknownParam(bad)
	}
	if bad := p.unknownUnder("automatic_payment_methods", "enabled", "allow_redirects"); bad != "" {
		return nil, unknownParam(bracketed(bad))
	}
	amount, _, err := amountParam(p, "amount", true)
	if err != nil {
		return nil, err
	}
	cur, err := currencyParam(p, "currency")
	if err != nil {
		return nil, err
	}
	if amount < 1 {
		return nil, invalidRequest("amount", "amount_too_small", "Amount must be at least 1.")
	}
	if err := checkAmount("amount", amount, cur); err != nil {
		return nil, err
	}
	if v := p.str("capture_method"); v != "" && v != "automatic" && v != "automatic_async" {
		return nil, invalidRequest("capture_method", "parameter_unsupported", "The fake Stripe server supports only automatic capture.")
	}
	if v := p.str("automatic_payment_methods.allow_redirects"); v != "" && v != "always" && v != "never" {
		return nil, invalidRequest("automatic_payment_methods[allow_redirects]", "parameter_invalid_string", "Invalid allow_redirects: %s", v)
	}
	confirm, err := boolParam(p, "confirm")
	if err != nil {
		return nil, err
	}
	offSession, err := boolParam(p, "off_session")
	if err != nil {
		return nil, err
	}
	if _, sent := p.get("off_session"); sent && !confirm {
		return nil, invalidRequest("off_session", "parameter_invalid_boolean", "off_session can only be used when confirm=true.")
	}
	meta, err := metadataParam(p, "metadata")
	if err != nil {
		return nil, err
	}
	cus := p.str("customer")
	if cus != "" && s.customers[cus] == nil {
		return nil, noSuch("customer", "customer", cus)
	}
	pmID := p.str("payment_method")
	var pm *PaymentMethod
	if pmID != "" {
		if pm = s.methods[pmID]; pm == nil {
			return nil, noSuch("PaymentMethod", "payment_method", pmID)
		}
		if pm.Customer != "" && pm.Customer != cus {
			return nil, invalidRequest("payment_method", "payment_method_customer_mismatch",
				"The provided PaymentMethod %s belongs to customer %s; pass that customer with it.", pmID, pm.Customer)
		}
	}
	if confirm && pm == nil {
		return nil, invalidRequest("payment_method", "payment_intent_unexpected_state", "You cannot confirm this PaymentIntent because it's missing a payment method.")
	}
	exp, err := expandTree("payment_intent", p.list("expand"))
	if err != nil {
		return nil, err
	}
	pi := &PaymentIntent{
		ID: s.newID("pi"), Status: "requires_payment_method", Amount: amount, Currency: cur,
		Customer: cus, PaymentMethod: pmID, Description: p.str("description"),
		SetupFutureUsage: p.str("setup_future_usage"), OffSession: offSession, Metadata: meta, Created: s.now(),
	}
	s.intents[pi.ID] = pi
	if pm != nil {
		pi.Status = "requires_confirmation"
	}
	if !confirm {
		obj, _ := s.render("payment_intent", pi.ID, exp)
		return obj, nil
	}
	code, decline, msg := pm.Card.outcome(offSession)
	switch {
	case code == "" && pm.Card == CardAuthenticationRequired:
		// On session the customer must authenticate first.
		pi.Status = "requires_action"
		s.record("payment_intent.requires_action", s.intentJSON(pi))
	case code == "":
		ch := s.newCharge(pi, "succeeded")
		pi.Status, pi.AmountReceived, pi.LatestCharge = "succeeded", pi.Amount, ch.ID
		s.record("payment_intent.succeeded", s.intentJSON(pi))
	default:
		ch := s.newCharge(pi, "failed")
		ch.FailureCode, ch.FailureMessage = code, msg
		pi.LatestCharge = ch.ID
		pi.Status, pi.LastPaymentError, pi.DeclineCode, pi.ErrorMessage = "requires_payment_method", code, decline, msg
		s.record("payment_intent.payment_failed", s.intentJSON(pi))
		intent, _ := s.render("payment_intent", pi.ID, tree{})
		return nil, &apiError{status: http.StatusPaymentRequired, Type: "card_error", Code: code,
			DeclineCode: decline, Message: msg, Charge: ch.ID, Intent: intent, Method: methodJSON(pm)}
	}
	obj, _ := s.render("payment_intent", pi.ID, exp)
	return obj, nil
}

func (s *Server) newCharge(pi *PaymentIntent, status string) *Charge {
	ch := &Charge{ID: s.newID("ch"), Status: status, Amount: pi.Amount, Currency: pi.Currency,
		Customer: pi.Customer, PaymentIntent: pi.ID, PaymentMethod: pi.PaymentMethod,
		Metadata: cloneMeta(pi.Metadata), Created: s.now()}
	s.charges[ch.ID] = ch
	return ch
}

func cloneMeta(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// createRefund is POST /v1/refunds.
func (s *Server) createRefund(p params) (any, *apiError) {
	if bad := p.unknown("payment_intent", "charge", "amount", "reason", "metadata", "expand"); bad != "" {
		return nil, unknownParam(bad)
	}
	exp, err := expandTree("refund", p.list("expand"))
	if err != nil {
		return nil, err
	}
	meta, err := metadataParam(p, "metadata")
	if err != nil {
		return nil, err
	}
	reason := p.str("reason")
	switch reason {
	case "", "duplicate", "fraudulent", "requested_by_customer":
	default:
		return nil, invalidRequest("reason", "parameter_invalid_string", "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer")
	}
	amount, given, err := amountParam(p, "amount", false)
	if err != nil {
		return nil, err
	}
	var ch *Charge
	switch {
	case p.str("payment_intent") != "" && p.str("charge") != "":
		return nil, invalidRequest("charge", "parameter_invalid_string", "You may only specify one of these parameters: charge, payment_intent.")
	case p.str("payment_intent") != "":
		id := p.str("payment_intent")
		pi := s.intents[id]
		if pi == nil {
			return nil, noSuch("payment_intent", "payment_intent", id)
		}
		if pi.Status != "succeeded" {
			return nil, invalidRequest("payment_intent", "charge_not_refundable", "This PaymentIntent (%s) does not have a successful charge to refund.", id)
		}
		ch = s.charges[pi.LatestCharge]
	case p.str("charge") != "":
		id := p.str("charge")
		if ch = s.charges[id]; ch == nil {
			return nil, noSuch("charge", "charge", id)
		}
	default:
		return nil, missingParam("payment_intent")
	}
	r, aerr := s.refund(ch, amount, given, reason, meta)
	if aerr != nil {
		return nil, aerr
	}
	obj, _ := s.render("refund", r.ID, exp)
	return obj, nil
}

// refund refunds amount (the rest when not given) of a charge and records
// charge.refunded.
func (s *Server) refund(ch *Charge, amount int64, given bool, reason string, meta map[string]string) (*Refund, *apiError) {
	if ch == nil || ch.Status != "succeeded" {
		return nil, invalidRequest("charge", "charge_not_refundable", "This charge has not succeeded and cannot be refunded.")
	}
	left := ch.Amount - ch.AmountRefunded
	if left == 0 {
		return nil, invalidRequest("charge", "charge_already_refunded", "Charge %s has already been refunded.", ch.ID)
	}
	if !given {
		amount = left
	}
	if amount < 1 {
		return nil, invalidRequest("amount", "parameter_invalid_integer", "Refund amount must be positive.")
	}
	if amount > left {
		return nil, invalidRequest("amount", "amount_too_large", "Refund amount (%d) is greater than unrefunded amount on charge (%d)", amount, left)
	}
	if err := checkAmount("amount", amount, ch.Currency); err != nil {
		return nil, err
	}
	status := "succeeded"
	if s.refundsPending {
		status = "pending"
	}
	r := &Refund{ID: s.newID("re"), Status: status, Amount: amount, Currency: ch.Currency, Charge: ch.ID,
		PaymentIntent: ch.PaymentIntent, Reason: reason, Metadata: meta, Created: s.now()}
	s.refunds[r.ID] = r
	ch.AmountRefunded += amount
	ch.Refunded = ch.AmountRefunded == ch.Amount
	s.record("charge.refunded", s.chargeJSON(ch))
	return r, nil
}

// searchIntents is GET /v1/payment_intents/search for the one query form
// billkit uses, metadata['key']:'value', newest first. Unlike Stripe's
// search, whose index lags writes by up to a minute, it sees every
// PaymentIntent at once.
func (s *Server) searchIntents(p params) (any, *apiError) {
	if bad := p.unknown("query", "limit", "page", "expand"); bad != "" {
		return nil, unknownParam(bad)
	}
	key, value, ok := parseMetadataQuery(p.str("query"))
	if !ok {
		return nil, invalidRequest("query", "parameter_unsupported",
			"The fake Stripe server searches only metadata['key']:'value', not %q.", p.str("query"))
	}
	limit := int64(10)
	if v, given, err := amountParam(p, "limit", false); err != nil {
		return nil, err
	} else if given {
		if v < 1 || v > 100 {
			return nil, invalidRequest("limit", "parameter_invalid_integer", "limit must be between 1 and 100.")
		}
		limit = v
	}
	var paths []string
	for _, e := range p.list("expand") {
		rest, ok := strings.CutPrefix(e, "data.")
		if !ok {
			return nil, invalidRequest("expand", "", "This property cannot be expanded (%s).", e)
		}
		paths = append(paths, rest)
	}
	exp, err := expandTree("payment_intent", paths)
	if err != nil {
		return nil, err
	}
	data := []any{}
	more := false
	for i := s.seq["pi"]; i >= 1; i-- {
		pi := s.intents[s.idFor("pi", i)]
		if pi == nil || pi.Metadata[key] != value {
			continue
		}
		if int64(len(data)) == limit {
			more = true
			break
		}
		obj, _ := s.render("payment_intent", pi.ID, exp)
		data = append(data, obj)
	}
	return map[string]any{"object": "search_result", "url": "/v1/payment_intents/search",
		"has_more": more, "next_page": nil, "data": data}, nil
}

// parseMetadataQuery reads metadata['key']:'value' (either quotes).
func parseMetadataQuery(q string) (key, value string, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(q), "metadata[")
	if !found || len(rest) < 2 {
		return "", "", false
	}
	quote := rest[0]
	if quote != '\'' && quote != '"' {
		return "", "", false
	}
	end := strings.IndexByte(rest[1:], quote)
	if end < 0 {
		return "", "", false
	}
	key, rest = rest[1:1+end], rest[2+end:]
	rest, found = strings.CutPrefix(rest, "]:")
	if !found || len(rest) < 2 || rest[0] != quote || rest[len(rest)-1] != quote {
		return "", "", false
	}
	return key, rest[1 : len(rest)-1], true
}
