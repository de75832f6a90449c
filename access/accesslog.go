package access

import (
	"context"
	"fmt"
	"time"

	"github.com/billkit/billkit"
)

// AccessEventID identifies an AccessEvent.
type AccessEventID = billkit.ID[AccessEvent]

// AccessEventKind is what happened to a user's access.
type AccessEventKind string

// The access events.
const (
	AccessLoginSucceeded         AccessEventKind = "login_succeeded"
	AccessLoginFailed            AccessEventKind = "login_failed"
	AccessLocked                 AccessEventKind = "locked"
	AccessLogout                 AccessEventKind = "logout"
	AccessSessionRevoked         AccessEventKind = "session_revoked"
	AccessTOTPEnabled            AccessEventKind = "totp_enabled"
	AccessTOTPDisabled           AccessEventKind = "totp_disabled"
	AccessTOTPFailed             AccessEventKind = "totp_failed"
	AccessRecoveryCodeUsed       AccessEventKind = "recovery_code_used"
	AccessPasswordChanged        AccessEventKind = "password_changed"
	AccessPasswordResetRequested AccessEventKind = "password_reset_requested"
	AccessPasswordReset          AccessEventKind = "password_reset"
	AccessAPIKeyCreated          AccessEventKind = "apikey_created"
	AccessAPIKeyRevoked          AccessEventKind = "apikey_revoked"
)

// AccessEventKinds lists every access event kind, in a fixed order.
func AccessEventKinds() []AccessEventKind {
	return []AccessEventKind{
		AccessLoginSucceeded, AccessLoginFailed, AccessLocked, AccessLogout, AccessSessionRevoked,
		AccessTOTPEnabled, AccessTOTPDisabled, AccessTOTPFailed, AccessRecoveryCodeUsed,
		AccessPasswordChanged, AccessPasswordResetRequested, AccessPasswordReset,
		AccessAPIKeyCreated, AccessAPIKeyRevoked,
	}
}

// Valid reports whether k is a known kind.
func (k AccessEventKind) Valid() bool {
	for _, x := range AccessEventKinds() {
		if x == k {
			return true
		}
	}
	return false
}

// AccessEvent is one entry of the access log: a login, a failure, a logout,
// a 2FA or password event. It is written in the same transaction as the
// change it records (a failed login's counter, a new session). It never
// holds a secret.
type AccessEvent struct {
	ID AccessEventID `json:"id" bun:"id,pk"`
	At time.Time     `json:"at" bun:"at,notnull"`
	// UserID is the user concerned; zero when the email named no user.
	UserID UserID `json:"user_id,omitzero" bun:"user_id,nullzero"`
	// Email is the email given or the user's email.
	Email     string          `json:"email" bun:"email,notnull"`
	Event     AccessEventKind `json:"event" bun:"event,notnull"`
	IP        string          `json:"ip" bun:"ip,notnull"`
	UserAgent string          `json:"user_agent" bun:"user_agent,notnull"`
	// Detail says more: why a login failed ("password", "unknown_email",
	// "disabled", "locked"), which session or key.
	Detail string `json:"detail" bun:"detail,notnull"`
}

// Largest lengths of an access event's free-text fields; longer input is cut.
const (
	maxEventText = 512
)

func clip(s string) string {
	if len(s) <= maxEventText {
		return s
	}
	// Cut on a rune boundary.
	for i := maxEventText; i > 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return s[:i]
		}
	}
	return ""
}

// logAccess appends an access event for u (nil when the email named no
// user) in tx.
func (s *Service) logAccess(ctx context.Context, tx Store, u *User, email string, kind AccessEventKind, ip, userAgent, detail string) error {
	e := &AccessEvent{
		ID: billkit.NewID[AccessEvent](), At: s.now(), Email: clip(email), Event: kind,
		IP: clip(ip), UserAgent: clip(userAgent), Detail: clip(detail),
	}
	if u != nil {
		e.UserID, e.Email = u.ID, u.Email
	}
	return tx.InsertAccessEvent(ctx, e)
}

// ListAccessEvents lists the access log, newest first. It needs
// access.actionlog:read; without it, a user may list its own events (f's
// UserID is then set to the user).
func (s *Service) ListAccessEvents(ctx context.Context, actor billkit.Actor, f AccessEventFilter) (billkit.Page[AccessEvent], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[AccessEvent]{}, err
	}
	var v billkit.FieldErrors
	v.Check(f.Event == "" || f.Event.Valid(), "event", "access.event_unknown", fmt.Sprintf("unknown access event %q", f.Event))
	v.Check(f.From.IsZero() || f.To.IsZero() || f.From.Before(f.To), "to", "access.range_empty", "must be after from")
	v.Merge("", f.PageParams.Validate())
	if err := v.Err(); err != nil {
		return billkit.Page[AccessEvent]{}, err
	}
	if err := actor.Authorize(billkit.R(FunctionActionLog, billkit.OpRead)); err != nil {
		self, perr := selfUserID(actor)
		if perr != nil || (!f.UserID.IsZero() && f.UserID != self) {
			return billkit.Page[AccessEvent]{}, err
		}
		f.UserID = self
	}
	return s.store.ListAccessEvents(ctx, f)
}

// PurgeAccessEvents deletes the access log's events before before, for
// retention, and returns how many it deleted. It needs
// access.actionlog:delete; the purge itself is recorded in the action log.
func (s *Service) PurgeAccessEvents(ctx context.Context, actor billkit.Actor, before time.Time) (int, error) {
	if err := actor.Validate(); err != nil {
		return 0, err
	}
	if before.IsZero() {
		return 0, billkit.InvalidField("before", "required", "is required")
	}
	if err := actor.Authorize(billkit.R(FunctionActionLog, billkit.OpDelete)); err != nil {
		return 0, err
	}
	before = billkit.Instant(before)
	var n int
	err := s.store.InTx(ctx, func(tx Store) error {
		var err error
		if n, err = tx.PurgeAccessEvents(ctx, before); err != nil {
			return err
		}
		type purge struct {
			Before  time.Time `json:"before"`
			Deleted int       `json:"deleted"`
		}
		return s.idRecord(ctx, tx, actor, FunctionActionLog, "purge_access_events", "access_events", nil, purge{before, n})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// selfUserID returns the user a staff or customer actor is, or an invalid
// error for other actors (API keys, the system).
func selfUserID(actor billkit.Actor) (UserID, error) {
	if actor.Kind != billkit.ActorStaff && actor.Kind != billkit.ActorCustomer {
		return UserID{}, billkit.InvalidField("actor.kind", "access.actor_not_user", "is not a staff or customer user")
	}
	id, err := billkit.ParseID[User](actor.ID)
	if err != nil {
		return UserID{}, billkit.InvalidField("actor.id", "id.malformed", "is not a user ID")
	}
	return id, nil
}
