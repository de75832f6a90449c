package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/billkit/billkit"
	"github.com/danielgtaylor/huma/v2"
)

// SessionCookie is the name of the cookie that carries a session token.
const SessionCookie = "billkit_session"

// authenticator turns a presented credential into the actor it belongs to.
// An invalid, expired or revoked credential is an unauthenticated error.
type authenticator interface {
	session(ctx context.Context, token string, from origin) (billkit.Actor, error)
	apiKey(ctx context.Context, key string, from origin) (billkit.Actor, error)
}

// origin is where a request comes from: the peer address of the connection
// (never a header such as X-Forwarded-For, which the client sets) and the
// User-Agent.
type origin struct {
	IP        string
	UserAgent string
}

func originOf(remoteAddr, userAgent string) origin {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	return origin{IP: strings.Trim(host, "[]"), UserAgent: userAgent}
}

// caller is what the middleware learned about the request's caller.
type caller struct {
	actor  billkit.Actor
	signed bool // false for an anonymous caller
	from   origin
	// token is the session token the request was authenticated with, "" for
	// an API key or an anonymous caller; /auth/logout ends that session.
	token string
	// tls says whether the connection is TLS, for the cookie's Secure flag.
	tls bool
}

type callerKey struct{}

func callerFrom(ctx context.Context) (caller, bool) {
	c, ok := ctx.Value(callerKey{}).(caller)
	return c, ok
}

// actorFrom returns the actor of a signed-in caller. An anonymous caller
// never reaches a handler that needs one (the middleware answers 401), so
// the error is a safety net.
func actorFrom(ctx context.Context) (billkit.Actor, error) {
	c, ok := callerFrom(ctx)
	if !ok || !c.signed {
		return billkit.Actor{}, errUnauthenticated
	}
	return c.actor, nil
}

var errUnauthenticated = &billkit.Error{Code: billkit.CodeUnauthenticated, Reason: "auth.required",
	Message: "sign in or send an API key"}

var errNoAuthenticator = errors.New("api: no access service configured")

// credential returns the credential a request presents: a bearer API key
// (which wins when both are present) or a session cookie. kind is "" when
// there is none.
func credential(ctx huma.Context) (kind, secret string, err error) {
	if h := ctx.Header("Authorization"); h != "" {
		scheme, v, ok := strings.Cut(h, " ")
		v = strings.TrimSpace(v)
		if !ok || !strings.EqualFold(scheme, "Bearer") || v == "" {
			return "", "", &billkit.Error{Code: billkit.CodeUnauthenticated, Reason: "auth.malformed_authorization",
				Message: "the Authorization header must be \"Bearer <api key>\""}
		}
		return "api_key", v, nil
	}
	if c, err := huma.ReadCookie(ctx, SessionCookie); err == nil && c.Value != "" {
		return "session", c.Value, nil
	}
	return "", "", nil
}

// authMiddleware authenticates the caller and enforces the authentication
// half of the operation's rule. A credential that is presented but not
// valid is refused even on public operations, so a client learns at once
// that its key or session is no good.
func authMiddleware(api huma.API, auth authenticator) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		rule, ok := RuleOf(ctx.Operation())
		if !ok {
			// Unreachable when every operation is registered through route;
			// fail closed if one is not.
			_ = huma.WriteErr(api, ctx, http.StatusForbidden, "", &billkit.Error{Code: billkit.CodeForbidden,
				Reason: "api.no_access_rule", Message: "this operation has no access rule"})
			return
		}
		c := caller{from: originOf(ctx.RemoteAddr(), ctx.Header("User-Agent")), tls: ctx.TLS() != nil}
		kind, secret, err := credential(ctx)
		if err == nil && kind != "" {
			if auth == nil {
				err = billkit.WrapError(errNoAuthenticator, billkit.CodeUnauthenticated, "auth.unavailable",
					"credentials cannot be checked: no access service is configured")
			} else if kind == "api_key" {
				c.actor, err = auth.apiKey(ctx.Context(), secret, c.from)
			} else {
				c.actor, err = auth.session(ctx.Context(), secret, c.from)
				c.token = secret
			}
			c.signed = err == nil
		}
		if err != nil {
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "", asUnauthenticated(err))
			return
		}
		if !c.signed && !rule.IsPublic() {
			_ = huma.WriteErr(api, ctx, http.StatusUnauthorized, "", errUnauthenticated)
			return
		}
		c.actor.IP, c.actor.UserAgent = c.from.IP, c.from.UserAgent
		next(huma.WithValue(ctx, callerKey{}, c))
	}
}

// asUnauthenticated keeps an authentication failure's reason when it is
// unauthenticated already (expired, revoked, locked out) and turns any other
// failure of a credential into a plain unauthenticated error; a database
// failure stays internal.
func asUnauthenticated(err error) error {
	var be *billkit.Error
	if errors.As(err, &be) {
		switch be.Code {
		case billkit.CodeUnauthenticated, billkit.CodeInternal, billkit.CodeUnavailable:
			return err
		}
	}
	return &billkit.Error{Code: billkit.CodeUnauthenticated, Reason: "auth.invalid_credential",
		Message: "the session or API key is not valid", Err: err}
}

// csrf protects cookie-authenticated browsers against cross-site requests:
// an unsafe request that a browser marks as cross-origin is refused. Calls
// with an API key carry no ambient credential and are not checked.
type csrf struct{ cop *http.CrossOriginProtection }

var defaultCrossOrigin = http.NewCrossOriginProtection()

func (c csrf) check(r *http.Request) error {
	if r.Header.Get("Authorization") != "" {
		return nil
	}
	cop := c.cop
	if cop == nil {
		cop = defaultCrossOrigin
	}
	if err := cop.Check(r); err != nil {
		return &billkit.Error{Code: billkit.CodeForbidden, Reason: "auth.cross_origin",
			Message: "cross-origin requests are refused; call from the panel's own origin or use an API key"}
	}
	return nil
}

// sessionCookie returns the cookie that carries token, or that clears it
// when token is "". It is HttpOnly (no script reads it), SameSite=Lax, and
// Secure when the connection is TLS or the server is configured so.
func sessionCookie(token string, maxAge int, secure bool) *http.Cookie {
	c := &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure, MaxAge: maxAge,
	}
	if token == "" {
		c.MaxAge = -1
	}
	return c
}
