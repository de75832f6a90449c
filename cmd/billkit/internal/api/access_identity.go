package api

import (
	"context"
	"net/http"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/danielgtaylor/huma/v2"
)

// accessAuth authenticates with the access service and builds the actor
// with the permissions of the user (or of the API key and its owner) as
// they are now, so a right taken away takes effect on the next request.
type accessAuth struct{ svc *access.Service }

func (a accessAuth) session(ctx context.Context, token string, from origin) (billkit.Actor, error) {
	u, _, err := a.svc.AuthenticateSession(ctx, token, from.IP, from.UserAgent)
	if err != nil {
		return billkit.Actor{}, err
	}
	perms, err := a.permissions(ctx, u)
	if err != nil {
		return billkit.Actor{}, err
	}
	return userActor(u, perms), nil
}

func (a accessAuth) apiKey(ctx context.Context, secret string, _ origin) (billkit.Actor, error) {
	k, u, err := a.svc.AuthenticateAPIKey(ctx, secret)
	if err != nil {
		return billkit.Actor{}, err
	}
	owner, err := a.permissions(ctx, u)
	if err != nil {
		return billkit.Actor{}, err
	}
	return billkit.Actor{
		Kind: billkit.ActorAPIKey, ID: k.ID.String(), Name: k.Name + " (" + u.Email + ")",
		Permissions: access.PermissionsForAPIKey(owner, k.Scopes),
	}, nil
}

func (a accessAuth) permissions(ctx context.Context, u *access.User) (billkit.Permissions, error) {
	if u.Kind == access.UserKindStaff {
		return a.svc.PermissionsForStaff(ctx, u.ID)
	}
	return a.svc.PermissionsForCustomer(ctx, u.ID)
}

// userActor is the actor of a signed-in user.
func userActor(u *access.User, perms billkit.Permissions) billkit.Actor {
	kind := billkit.ActorCustomer
	if u.Kind == access.UserKindStaff {
		kind = billkit.ActorStaff
	}
	return billkit.Actor{Kind: kind, ID: u.ID.String(), Name: u.Email, Permissions: perms}
}

// LoginParams sign a user in.
type LoginParams struct {
	Email        string `json:"email" maxLength:"254"`
	Password     string `json:"password" maxLength:"1024"`
	TOTPCode     string `json:"totp_code,omitempty" maxLength:"16" doc:"The authenticator app's code, when 2FA is on."`
	RecoveryCode string `json:"recovery_code,omitempty" maxLength:"32" doc:"A recovery code, instead of totp_code."`
}

// LoginResult is a successful login. The session token is in the cookie
// billkit_session, and in token for clients that do not keep cookies.
type LoginResult struct {
	User    *access.User    `json:"user"`
	Session *access.Session `json:"session"`
	Token   string          `json:"token" doc:"The session token, shown this once; send it back in the billkit_session cookie."`
}

type loginInput struct {
	Body LoginParams
}

type loginOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      LoginResult
}

type logoutOutput struct {
	SetCookie http.Cookie `header:"Set-Cookie"`
	Body      Done
}

// RegisterParams sign a customer up.
type RegisterParams struct {
	Email    string `json:"email" maxLength:"254"`
	Name     string `json:"name,omitempty" maxLength:"200"`
	Locale   string `json:"locale,omitempty" maxLength:"35"`
	Password string `json:"password" maxLength:"1024"`
}

type registerInput struct {
	Body RegisterParams
}

// PasswordResetParams ask for a password reset.
type PasswordResetParams struct {
	Email string `json:"email" maxLength:"254"`
}

type passwordResetInput struct {
	Body PasswordResetParams
}

// Accepted is the answer of a request taken for processing.
type Accepted struct {
	Status string `json:"status" example:"accepted"`
}

// PasswordResetConfirmParams set a new password with a reset token.
type PasswordResetConfirmParams struct {
	Token    string `json:"token" maxLength:"256"`
	Password string `json:"password" maxLength:"1024"`
}

type passwordResetConfirmInput struct {
	Body PasswordResetConfirmParams
}

// Me is the signed-in caller.
type Me struct {
	Actor billkit.Actor `json:"actor" doc:"Who is calling: kind, ID, name, IP and User-Agent."`
	// User is the signed-in user, or the owner of the API key.
	User *access.User `json:"user,omitempty"`
}

type updateMeInput struct {
	Body access.UpdateUserParams
}

// ChangePasswordParams change the caller's password.
type ChangePasswordParams struct {
	OldPassword string `json:"old_password" maxLength:"1024"`
	NewPassword string `json:"new_password" maxLength:"1024"`
}

type changePasswordInput struct {
	Body ChangePasswordParams
}

// TOTPCodeParams carry a code of the authenticator app.
type TOTPCodeParams struct {
	Code string `json:"code" maxLength:"16"`
}

type confirmTOTPInput struct {
	Body TOTPCodeParams
}

// RecoveryCodes are the single-use codes that replace a TOTP code, shown
// this once.
type RecoveryCodes struct {
	RecoveryCodes []string `json:"recovery_codes"`
}

// DisableTOTPParams turn 2FA off.
type DisableTOTPParams struct {
	Password string `json:"password" maxLength:"1024" doc:"The caller's password."`
}

type disableTOTPInput struct {
	Body DisableTOTPParams
}

type listSessionsInput struct {
	UserID       string `query:"user_id" maxLength:"64" doc:"Only this user's sessions (access.session:read unless it is the caller)."`
	IncludeEnded bool   `query:"include_ended" doc:"Also list revoked and expired sessions."`
	PageInput
}

// Revoked says how many sessions were ended.
type Revoked struct {
	Revoked int `json:"revoked"`
}

type listAPIKeysInput struct {
	OwnerID        string `query:"owner_id" maxLength:"64" doc:"Only this user's keys (access.apikey:read unless it is the caller)."`
	IncludeRevoked bool   `query:"include_revoked" doc:"Also list revoked keys."`
	PageInput
}

type createAPIKeyInput struct {
	Body access.CreateAPIKeyParams
}

// registerIdentity registers sign-in, /me, sessions, TOTP and API keys.
func (h *handlers) registerIdentity(api huma.API) {
	acc := h.access

	route(api, op("login", http.MethodPost, "/auth/login", "Sign in; sets the session cookie", "Auth"), Public(),
		func(ctx context.Context, in *loginInput) (*loginOutput, error) {
			c, _ := callerFrom(ctx)
			res, err := acc.Login(ctx, access.LoginParams{
				Email: in.Body.Email, Password: in.Body.Password, TOTPCode: in.Body.TOTPCode, RecoveryCode: in.Body.RecoveryCode,
				IP: c.from.IP, UserAgent: c.from.UserAgent,
			})
			if err != nil {
				return nil, err
			}
			// A browser session cookie: the server ends the session itself
			// (idle and absolute timeouts), by its own clock.
			return &loginOutput{
				SetCookie: *sessionCookie(res.Token, 0, c.tls || h.cookieSecure),
				Body:      LoginResult{User: res.User, Session: res.Session, Token: res.Token},
			}, nil
		})
	route(api, op("logout", http.MethodPost, "/auth/logout", "End the current session; clears the cookie", "Auth"), Authenticated(),
		func(ctx context.Context, _ *emptyInput) (*logoutOutput, error) {
			c, _ := callerFrom(ctx)
			if c.token == "" {
				return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "auth.no_session", "the call is not made with a session; API keys are revoked with DELETE /api-keys/{id}")
			}
			if err := acc.Logout(ctx, c.token); err != nil {
				return nil, err
			}
			return &logoutOutput{SetCookie: *sessionCookie("", 0, c.tls || h.cookieSecure), Body: Done{OK: true}}, nil
		})
	route(api, op("register", http.MethodPost, "/auth/register", "Sign up as a customer user", "Auth", http.StatusConflict, http.StatusUnprocessableEntity), Public(),
		func(ctx context.Context, in *registerInput) (*body[*access.User], error) {
			c, _ := callerFrom(ctx)
			return out(acc.Register(ctx, access.RegisterParams{
				Email: in.Body.Email, Name: in.Body.Name, Locale: in.Body.Locale, Password: in.Body.Password,
				IP: c.from.IP, UserAgent: c.from.UserAgent,
			}))
		})
	passwordReset := op("request-password-reset", http.MethodPost, "/auth/password-reset", "Ask for a password reset link", "Auth")
	passwordReset.DefaultStatus = http.StatusAccepted
	passwordReset.Description = "Always answers 202, whether or not the email belongs to a user, so the answer tells nothing about accounts."
	route(api, passwordReset, Public(),
		func(ctx context.Context, in *passwordResetInput) (*body[Accepted], error) {
			c, _ := callerFrom(ctx)
			token, err := acc.RequestPasswordReset(ctx, in.Body.Email, c.from.IP, c.from.UserAgent)
			if err != nil {
				return nil, err
			}
			if token != "" && h.resetSender != nil {
				if err := h.resetSender(ctx, in.Body.Email, token); err != nil {
					return nil, err
				}
			}
			return out(Accepted{Status: "accepted"}, nil)
		})
	route(api, op("confirm-password-reset", http.MethodPost, "/auth/password-reset/confirm", "Set a new password with a reset token", "Auth"), Public(),
		func(ctx context.Context, in *passwordResetConfirmInput) (*body[Done], error) {
			return out(done(acc.ResetPassword(ctx, in.Body.Token, in.Body.Password)))
		})

	// The caller.
	route(api, op("get-me", http.MethodGet, "/me", "Who is calling", "Me"), Authenticated(),
		func(ctx context.Context, _ *emptyInput) (*body[Me], error) {
			return write(ctx, func(a billkit.Actor) (Me, error) {
				u, err := h.meUser(ctx, a)
				return Me{Actor: a, User: u}, err
			})
		})
	route(api, op("update-me", http.MethodPatch, "/me", "Change the caller's name or locale", "Me"), Authenticated(),
		func(ctx context.Context, in *updateMeInput) (*body[*access.User], error) {
			return write(ctx, func(a billkit.Actor) (*access.User, error) {
				id, err := selfID(a)
				if err != nil {
					return nil, err
				}
				return acc.UpdateUser(ctx, a, id, in.Body)
			})
		})
	route(api, op("change-my-password", http.MethodPost, "/me/password", "Change the caller's password; ends all its sessions", "Me"), Authenticated(),
		func(ctx context.Context, in *changePasswordInput) (*logoutOutput, error) {
			c, _ := callerFrom(ctx)
			id, err := selfID(c.actor)
			if err != nil {
				return nil, err
			}
			if err := acc.ChangePassword(ctx, c.actor, id, in.Body.OldPassword, in.Body.NewPassword); err != nil {
				return nil, err
			}
			return &logoutOutput{SetCookie: *sessionCookie("", 0, c.tls || h.cookieSecure), Body: Done{OK: true}}, nil
		})
	route(api, secretResult(op("begin-totp", http.MethodPost, "/me/totp", "Start turning on 2FA: a new TOTP secret for the authenticator app", "Me")), Authenticated(),
		func(ctx context.Context, _ *emptyInput) (*body[*access.TOTPSetup], error) {
			return write(ctx, func(a billkit.Actor) (*access.TOTPSetup, error) {
				id, err := selfID(a)
				if err != nil {
					return nil, err
				}
				return acc.BeginTOTP(ctx, a, id)
			})
		})
	route(api, secretResult(op("confirm-totp", http.MethodPost, "/me/totp/confirm", "Turn on 2FA with a code of the app; returns the recovery codes once", "Me")), Authenticated(),
		func(ctx context.Context, in *confirmTOTPInput) (*body[RecoveryCodes], error) {
			return write(ctx, func(a billkit.Actor) (RecoveryCodes, error) {
				id, err := selfID(a)
				if err != nil {
					return RecoveryCodes{}, err
				}
				codes, err := acc.ConfirmTOTP(ctx, a, id, in.Body.Code)
				return RecoveryCodes{RecoveryCodes: nonNil(codes)}, err
			})
		})
	route(api, op("disable-totp", http.MethodDelete, "/me/totp", "Turn off 2FA", "Me"), Authenticated(),
		func(ctx context.Context, in *disableTOTPInput) (*body[Done], error) {
			return write(ctx, func(a billkit.Actor) (Done, error) {
				id, err := selfID(a)
				if err != nil {
					return Done{}, err
				}
				return done(acc.DisableTOTP(ctx, a, id, in.Body.Password))
			})
		})

	// Sessions.
	route(api, op("list-sessions", http.MethodGet, "/sessions", "List current sessions: the caller's, or anyone's with access.session:read", "Sessions"),
		Authenticated().described("access.session:read for other users' sessions"),
		func(ctx context.Context, in *listSessionsInput) (*body[List[access.Session]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[access.Session], error) {
				user, err := optID[access.User]("user_id", in.UserID)
				if err != nil {
					return billkit.Page[access.Session]{}, err
				}
				return acc.ListSessions(ctx, a, access.SessionFilter{UserID: user, IncludeEnded: in.IncludeEnded, PageParams: in.page()})
			})
		})
	route(api, op("revoke-session", http.MethodDelete, "/sessions/{id}", "End a session", "Sessions", http.StatusNotFound),
		Authenticated().described("access.session:delete for other users' sessions"),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return write(ctx, func(a billkit.Actor) (Done, error) {
				id, err := parseID[access.Session]("id", in.ID)
				if err != nil {
					return Done{}, err
				}
				return done(acc.RevokeSession(ctx, a, id))
			})
		})
	route(api, op("revoke-user-sessions", http.MethodPost, "/users/{id}/sessions/revoke", "End every session of a user", "Sessions", http.StatusNotFound),
		Requires(access.FunctionSession, billkit.OpDelete).described("a user may end its own"),
		func(ctx context.Context, in *IDPath) (*body[Revoked], error) {
			return write(ctx, func(a billkit.Actor) (Revoked, error) {
				id, err := parseID[access.User]("id", in.ID)
				if err != nil {
					return Revoked{}, err
				}
				n, err := acc.RevokeUserSessions(ctx, a, id)
				return Revoked{Revoked: n}, err
			})
		})

	// API keys.
	route(api, op("list-api-keys", http.MethodGet, "/api-keys", "List API keys: the caller's, or anyone's with access.apikey:read", "API keys"),
		Authenticated().described("access.apikey:read for other users' keys"),
		func(ctx context.Context, in *listAPIKeysInput) (*body[List[access.APIKey]], error) {
			return readList(ctx, func(a billkit.Actor) (billkit.Page[access.APIKey], error) {
				owner, err := optID[access.User]("owner_id", in.OwnerID)
				if err != nil {
					return billkit.Page[access.APIKey]{}, err
				}
				return acc.ListAPIKeys(ctx, a, access.APIKeyFilter{OwnerID: owner, IncludeRevoked: in.IncludeRevoked, PageParams: in.page()})
			})
		})
	createKey := secretResult(op("create-api-key", http.MethodPost, "/api-keys", "Create an API key; its secret is shown this once", "API keys", http.StatusConflict))
	route(api, createKey, Authenticated().described("access.apikey:create for another user's key"),
		func(ctx context.Context, in *createAPIKeyInput) (*body[*access.CreatedAPIKey], error) {
			return write(ctx, func(a billkit.Actor) (*access.CreatedAPIKey, error) { return acc.CreateAPIKey(ctx, a, in.Body) })
		})
	route(api, op("revoke-api-key", http.MethodDelete, "/api-keys/{id}", "Revoke an API key", "API keys", http.StatusNotFound),
		Authenticated().described("access.apikey:delete for other users' keys"),
		func(ctx context.Context, in *IDPath) (*body[Done], error) {
			return write(ctx, func(a billkit.Actor) (Done, error) {
				id, err := parseID[access.APIKey]("id", in.ID)
				if err != nil {
					return Done{}, err
				}
				return done(acc.RevokeAPIKey(ctx, a, id))
			})
		})
}

// selfID is the user the actor is: the signed-in user. An API key acts for
// its owner but is not the owner: calls about "me" need a session.
func selfID(a billkit.Actor) (access.UserID, error) {
	if a.Kind != billkit.ActorStaff && a.Kind != billkit.ActorCustomer {
		return access.UserID{}, billkit.Errorf(billkit.CodeFailedPrecondition, "auth.session_required",
			"this call changes the signed-in user and needs a session, not an API key")
	}
	return parseID[access.User]("id", a.ID)
}

// meUser returns the user of a signed-in actor, or nil for an API key.
func (h *handlers) meUser(ctx context.Context, a billkit.Actor) (*access.User, error) {
	if a.Kind != billkit.ActorStaff && a.Kind != billkit.ActorCustomer {
		return nil, nil
	}
	id, err := parseID[access.User]("id", a.ID)
	if err != nil {
		return nil, err
	}
	return h.access.GetUser(ctx, a, id)
}
