package access

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/billkit/billkit"
)

// UserKind says whether a user works for the provider or for a client.
type UserKind string

// The kinds of user.
const (
	// UserKindStaff is an employee of the provider.
	UserKindStaff UserKind = "staff"
	// UserKindCustomer is a user of one or more client accounts.
	UserKindCustomer UserKind = "customer"
)

// Valid reports whether k is a known kind.
func (k UserKind) Valid() bool { return k == UserKindStaff || k == UserKindCustomer }

// function is the function whose rights govern users of kind k.
func (k UserKind) function() string {
	if k == UserKindStaff {
		return FunctionStaff
	}
	return FunctionUser
}

// actorKind is the kind of actor a user of kind k acts as.
func (k UserKind) actorKind() billkit.ActorKind {
	if k == UserKindStaff {
		return billkit.ActorStaff
	}
	return billkit.ActorCustomer
}

// UserStatus says whether a user may sign in.
type UserStatus string

// The statuses of a user.
const (
	UserStatusActive   UserStatus = "active"
	UserStatusDisabled UserStatus = "disabled"
)

// Valid reports whether s is a known status.
func (s UserStatus) Valid() bool { return s == UserStatusActive || s == UserStatusDisabled }

// Limits of a user's fields.
const (
	MaxEmailLength = 254
	MaxNameLength  = 200
)

// DefaultLocale is the Locale of a user created without one.
const DefaultLocale = "en"

// User is a login: a staff member or a customer user. Its secrets (the
// password hash, the TOTP secret) never leave billkit: they have no JSON form,
// so they appear neither in API responses nor in the action log.
type User struct {
	ID   UserID   `json:"id" bun:"id,pk"`
	Kind UserKind `json:"kind" bun:"kind,notnull"`
	// Email is the login: trimmed, lower-case, unique among all users.
	Email string `json:"email" bun:"email,notnull"`
	Name  string `json:"name" bun:"name,notnull"`
	// Locale is the user's language ("en", "ru").
	Locale string     `json:"locale" bun:"locale,notnull"`
	Status UserStatus `json:"status" bun:"status,notnull"`

	// PasswordHash is the argon2id hash in PHC form; "" means no password
	// (the user cannot sign in until it sets one).
	PasswordHash string `json:"-" bun:"password_hash,notnull"`
	// TOTPSecret is the base32 TOTP secret, set by BeginTOTP and in force
	// once TOTPEnabled.
	TOTPSecret  string `json:"-" bun:"totp_secret,notnull"`
	TOTPEnabled bool   `json:"totp_enabled" bun:"totp_enabled,notnull"`
	// TOTPLastStep is the time step of the last accepted code; a code of
	// that step or an earlier one is refused, so a code works once.
	TOTPLastStep int64 `json:"-" bun:"totp_last_step,notnull"`

	// FailedLogins counts consecutive failed logins; a success resets it.
	FailedLogins int `json:"failed_logins" bun:"failed_logins,notnull"`
	// LockedUntil, when in the future, refuses every login.
	LockedUntil time.Time `json:"locked_until,omitzero" bun:"locked_until,nullzero"`
	LastLoginAt time.Time `json:"last_login_at,omitzero" bun:"last_login_at,nullzero"`
	CreatedAt   time.Time `json:"created_at" bun:"created_at,notnull"`
	UpdatedAt   time.Time `json:"updated_at" bun:"updated_at,notnull"`
}

// CreateUserParams creates a user.
type CreateUserParams struct {
	Kind     UserKind `json:"kind"`
	Email    string   `json:"email"`
	Name     string   `json:"name,omitempty"`
	Locale   string   `json:"locale,omitempty"`
	Password string   `json:"-"`
}

// RegisterParams signs a customer up.
type RegisterParams struct {
	Email     string `json:"email"`
	Name      string `json:"name,omitempty"`
	Locale    string `json:"locale,omitempty"`
	Password  string `json:"-"`
	IP        string `json:"ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
}

// UpdateUserParams changes a user; nil fields stay as they are.
type UpdateUserParams struct {
	Name   *string     `json:"name,omitempty"`
	Locale *string     `json:"locale,omitempty"`
	Status *UserStatus `json:"status,omitempty"`
}

// NormalizeEmail returns email trimmed and lower-cased, or an invalid error
// naming field: empty, longer than MaxEmailLength, or not a bare address
// ("a@example.com", without a display name or angle brackets).
func NormalizeEmail(field, email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" {
		return "", billkit.InvalidField(field, "required", "is required")
	}
	if len(e) > MaxEmailLength {
		return "", billkit.InvalidField(field, "user.email_too_long", fmt.Sprintf("must be at most %d characters", MaxEmailLength))
	}
	bad := billkit.InvalidField(field, "user.email_malformed", "is not an email address such as name@example.com")
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" {
		return "", bad
	}
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || len(local) > 64 || domain == "" || strings.ContainsAny(e, " \t\r\n\"") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") ||
		strings.HasPrefix(domain, "[") {
		return "", bad
	}
	return e, nil
}

func normalizeName(v *billkit.FieldErrors, field, name string) string {
	n := strings.TrimSpace(name)
	v.Check(utf8.ValidString(n) && utf8.RuneCountInString(n) <= MaxNameLength, field, "user.name_too_long",
		fmt.Sprintf("must be at most %d characters", MaxNameLength))
	return n
}

// normalizeLocale accepts a BCP 47 tag of letters, digits and hyphens
// ("en", "pt-BR"); "" is DefaultLocale.
func normalizeLocale(v *billkit.FieldErrors, field, locale string) string {
	l := strings.TrimSpace(locale)
	if l == "" {
		return DefaultLocale
	}
	ok := len(l) <= 35 && l[0] != '-' && l[len(l)-1] != '-'
	for i := 0; ok && i < len(l); i++ {
		c := l[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
	}
	v.Check(ok, field, "user.locale_malformed", "is not a language tag such as en or pt-BR")
	return strings.ReplaceAll(l, "_", "-")
}

// CreateUser creates a staff or customer user with a password. Staff users
// need access.staff:create, customer users access.user:create. The password
// must pass the policy (see ValidatePassword). An email in use is conflict
// "user.email_taken".
func (s *Service) CreateUser(ctx context.Context, actor billkit.Actor, p CreateUserParams) (*User, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	u, err := s.newUser(p)
	if err != nil {
		return nil, err
	}
	if err := actor.Authorize(billkit.R(u.Kind.function(), billkit.OpCreate)); err != nil {
		return nil, err
	}
	if err := s.insertUser(ctx, actor, u); err != nil {
		return nil, err
	}
	return u, nil
}

// Register signs a customer up by itself: it creates a customer user, acting
// as that user. It is failed_precondition "access.signup_disabled" when
// IdentityConfig.DisableSignup is set. The new user belongs to no client yet.
func (s *Service) Register(ctx context.Context, p RegisterParams) (*User, error) {
	if s.cfg.Identity.DisableSignup {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "access.signup_disabled", "sign-up is disabled")
	}
	u, err := s.newUser(CreateUserParams{Kind: UserKindCustomer, Email: p.Email, Name: p.Name, Locale: p.Locale, Password: p.Password})
	if err != nil {
		return nil, err
	}
	if err := s.insertUser(ctx, selfActor(u, p.IP, p.UserAgent), u); err != nil {
		return nil, err
	}
	return u, nil
}

// newUser validates p and returns the user it describes, password hashed.
func (s *Service) newUser(p CreateUserParams) (*User, error) {
	var v billkit.FieldErrors
	v.Check(p.Kind.Valid(), "kind", "user.kind_unknown", fmt.Sprintf("must be %q or %q", UserKindStaff, UserKindCustomer))
	email, err := NormalizeEmail("email", p.Email)
	v.Merge("", err)
	name := normalizeName(&v, "name", p.Name)
	locale := normalizeLocale(&v, "locale", p.Locale)
	v.Merge("", s.ValidatePassword("password", p.Password, email))
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := hashPassword(p.Password, s.cfg.Identity.Argon2)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return &User{
		ID: billkit.NewID[User](), Kind: p.Kind, Email: email, Name: name, Locale: locale,
		Status: UserStatusActive, PasswordHash: hash, CreatedAt: now, UpdatedAt: now,
	}, nil
}

func (s *Service) insertUser(ctx context.Context, actor billkit.Actor, u *User) error {
	return s.store.InTx(ctx, func(tx Store) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			if billkit.IsCode(err, billkit.CodeConflict) {
				return &billkit.Error{Code: billkit.CodeConflict, Reason: "user.email_taken", Message: "invalid input",
					Fields: []billkit.FieldError{{Field: "email", Reason: "user.email_taken", Message: "is already used by another user"}}, Err: err}
			}
			return err
		}
		return s.idRecord(ctx, tx, actor, u.Kind.function(), "create", u.ID.String(), nil, u)
	})
}

// GetUser returns a user. A user may read itself; others need
// access.staff:read or access.user:read for the user's kind. A customer
// asking for another user gets not_found "user.not_found", as if it did not
// exist.
func (s *Service) GetUser(ctx context.Context, actor billkit.Actor, id UserID) (*User, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	u, err := s.store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeUser(actor, u, billkit.OpRead); err != nil {
		return nil, err
	}
	return u, nil
}

// authorizeUser lets a user act on itself, and others who hold the right
// of op on the user's kind. Customers get not_found for other users.
func (s *Service) authorizeUser(actor billkit.Actor, u *User, op billkit.Operation) error {
	if isSelf(actor, u.ID) {
		return nil
	}
	if err := actor.Authorize(billkit.R(u.Kind.function(), op)); err != nil {
		if actor.Kind == billkit.ActorCustomer {
			return billkit.NotFound("user", u.ID)
		}
		return err
	}
	return nil
}

// ListUsers lists users. It needs access.staff:read to see staff and
// access.user:read to see customer users; without a Kind in f it lists the
// kinds the actor may read, and is forbidden when it may read neither.
func (s *Service) ListUsers(ctx context.Context, actor billkit.Actor, f UserFilter) (billkit.Page[User], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[User]{}, err
	}
	var v billkit.FieldErrors
	v.Check(f.Kind == "" || f.Kind.Valid(), "kind", "user.kind_unknown", fmt.Sprintf("must be %q or %q", UserKindStaff, UserKindCustomer))
	v.Check(f.Status == "" || f.Status.Valid(), "status", "user.status_unknown", fmt.Sprintf("must be %q or %q", UserStatusActive, UserStatusDisabled))
	v.Merge("", f.PageParams.Validate())
	if err := v.Err(); err != nil {
		return billkit.Page[User]{}, err
	}
	if f.Kind != "" {
		if err := actor.Authorize(billkit.R(f.Kind.function(), billkit.OpRead)); err != nil {
			return billkit.Page[User]{}, err
		}
	} else {
		staffErr := actor.Authorize(billkit.R(FunctionStaff, billkit.OpRead))
		userErr := actor.Authorize(billkit.R(FunctionUser, billkit.OpRead))
		switch {
		case staffErr != nil && userErr != nil:
			return billkit.Page[User]{}, staffErr
		case staffErr != nil:
			f.Kind = UserKindCustomer
		case userErr != nil:
			f.Kind = UserKindStaff
		}
	}
	f.Query = strings.TrimSpace(f.Query)
	return s.store.ListUsers(ctx, f)
}

// UpdateUser changes a user's name, locale or status. A user may change its
// own name and locale; anything else needs access.staff:edit or
// access.user:edit for the user's kind. Disabling a user revokes its
// sessions.
func (s *Service) UpdateUser(ctx context.Context, actor billkit.Actor, id UserID, p UpdateUserParams) (*User, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	var v billkit.FieldErrors
	var name, locale string
	if p.Name != nil {
		name = normalizeName(&v, "name", *p.Name)
	}
	if p.Locale != nil {
		locale = normalizeLocale(&v, "locale", *p.Locale)
	}
	if p.Status != nil {
		v.Check(p.Status.Valid(), "status", "user.status_unknown", fmt.Sprintf("must be %q or %q", UserStatusActive, UserStatusDisabled))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *User
	err := s.store.InTx(ctx, func(tx Store) error {
		u, err := tx.GetUser(ctx, id)
		if err != nil {
			return err
		}
		if p.Status != nil || !isSelf(actor, id) {
			if isSelf(actor, id) {
				if err := actor.Authorize(billkit.R(u.Kind.function(), billkit.OpEdit)); err != nil {
					return err
				}
			} else if err := s.authorizeUser(actor, u, billkit.OpEdit); err != nil {
				return err
			}
		}
		before := *u
		if p.Name != nil {
			u.Name = name
		}
		if p.Locale != nil {
			u.Locale = locale
		}
		if p.Status != nil {
			u.Status = *p.Status
		}
		now := s.now()
		u.UpdatedAt = now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if before.Status == UserStatusActive && u.Status == UserStatusDisabled {
			if _, err := s.revokeAll(ctx, tx, actor, u, "disabled"); err != nil {
				return err
			}
		}
		out = u
		return s.idRecord(ctx, tx, actor, u.Kind.function(), "update", u.ID.String(), &before, u)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
