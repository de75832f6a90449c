package access

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/billkit/billkit"
)

// APIKeyID identifies an APIKey.
type APIKeyID = billkit.ID[APIKey]

// APIKey lets a program act for its owner, limited to its Scopes. Its secret,
// "bk_<prefix>_<token>", is shown once, when it is created; only its hash is
// stored, and the Prefix identifies it in lists.
type APIKey struct {
	ID      APIKeyID `json:"id" bun:"id,pk"`
	OwnerID UserID   `json:"owner_id" bun:"owner_id,notnull"`
	Name    string   `json:"name" bun:"name,notnull"`
	// Prefix is the 8 characters after "bk_" in the secret.
	Prefix string `json:"prefix" bun:"prefix,notnull"`
	// SecretHash is the SHA-256 of the whole secret, in hex.
	SecretHash string `json:"-" bun:"secret_hash,notnull"`
	// Scopes are the rights the key is limited to; it never has more than
	// its owner.
	Scopes     []billkit.Right `json:"scopes" bun:"scopes,notnull"`
	CreatedAt  time.Time       `json:"created_at" bun:"created_at,notnull"`
	ExpiresAt  time.Time       `json:"expires_at,omitzero" bun:"expires_at,nullzero"`
	LastUsedAt time.Time       `json:"last_used_at,omitzero" bun:"last_used_at,nullzero"`
	RevokedAt  time.Time       `json:"revoked_at,omitzero" bun:"revoked_at,nullzero"`
}

// Active reports whether the key may be used at now.
func (k *APIKey) Active(now time.Time) bool {
	return k.RevokedAt.IsZero() && (k.ExpiresAt.IsZero() || now.Before(k.ExpiresAt))
}

// CreateAPIKeyParams creates an API key.
type CreateAPIKeyParams struct {
	// OwnerID is the user the key acts for; zero means the actor itself.
	OwnerID UserID `json:"owner_id,omitzero"`
	Name    string `json:"name"`
	// Scopes are the rights of the key; at least one.
	Scopes []billkit.Right `json:"scopes"`
	// ExpiresAt ends the key; zero means never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// CreatedAPIKey is a new key with its secret, shown only here.
type CreatedAPIKey struct {
	Key    APIKey `json:"key"`
	Secret string `json:"secret"`
}

// ErrAPIKeyInvalid: the API key is unknown, malformed, revoked or expired,
// or its owner is disabled.
var ErrAPIKeyInvalid = &billkit.Error{Code: billkit.CodeUnauthenticated, Reason: "access.apikey_invalid", Message: "the API key is unknown, revoked or expired"}

// Limits of API keys.
const (
	apiKeyPrefixLen = 8
	maxAPIKeyScopes = 200
)

// newAPIKeyPrefix returns 8 random lower-case letters and digits.
func newAPIKeyPrefix() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, apiKeyPrefixLen)
	var b [1]byte
	for len(out) < apiKeyPrefixLen {
		if _, err := rand.Read(b[:]); err != nil {
			panic("access: reading random bytes: " + err.Error())
		}
		if int(b[0]) >= 256-256%len(alphabet) {
			continue
		}
		out = append(out, alphabet[int(b[0])%len(alphabet)])
	}
	return string(out)
}

// CreateAPIKey creates an API key and returns it with its secret, shown
// only here. A user creates keys for itself; keys of another user need
// access.apikey:create. Scopes must be well-formed rights; whether the owner
// holds them is checked when the key is used.
func (s *Service) CreateAPIKey(ctx context.Context, actor billkit.Actor, p CreateAPIKeyParams) (*CreatedAPIKey, error) {
	if err := actor.Validate(); err != nil {
		return nil, err
	}
	owner := p.OwnerID
	if owner.IsZero() {
		if id, err := selfUserID(actor); err == nil {
			owner = id
		}
	}
	now := s.now()
	var v billkit.FieldErrors
	v.Check(!owner.IsZero(), "owner_id", "required", "is required")
	name := strings.TrimSpace(p.Name)
	if v.Require("name", name) {
		v.Check(utf8.ValidString(name) && utf8.RuneCountInString(name) <= MaxNameLength, "name", "apikey.name_too_long",
			fmt.Sprintf("must be at most %d characters", MaxNameLength))
	}
	scopes := make([]billkit.Right, 0, len(p.Scopes))
	seen := map[billkit.Right]bool{}
	if v.Check(len(p.Scopes) > 0, "scopes", "required", "needs at least one right") {
		v.Check(len(p.Scopes) <= maxAPIKeyScopes, "scopes", "apikey.too_many_scopes", fmt.Sprintf("must be at most %d rights", maxAPIKeyScopes))
		for i, r := range p.Scopes {
			if _, err := billkit.ParseRight(r.String()); err != nil {
				v.Merge(fmt.Sprintf("scopes[%d]", i), err)
				continue
			}
			if !seen[r] {
				seen[r] = true
				scopes = append(scopes, r)
			}
		}
	}
	expires := time.Time{}
	if !p.ExpiresAt.IsZero() {
		expires = billkit.Instant(p.ExpiresAt)
		v.Check(expires.After(now), "expires_at", "apikey.expiry_past", "must be in the future")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !isSelf(actor, owner) {
		if err := actor.Authorize(billkit.R(FunctionAPIKey, billkit.OpCreate)); err != nil {
			if actor.Kind == billkit.ActorCustomer {
				return nil, billkit.NotFound("user", owner)
			}
			return nil, err
		}
	}
	prefix := newAPIKeyPrefix()
	secret := "bk_" + prefix + "_" + newToken()
	k := &APIKey{
		ID: billkit.NewID[APIKey](), OwnerID: owner, Name: name, Prefix: prefix, SecretHash: hashToken(secret),
		Scopes: scopes, CreatedAt: now, ExpiresAt: expires,
	}
	err := s.store.InTx(ctx, func(tx Store) error {
		u, err := tx.GetUser(ctx, owner)
		if err != nil {
			return err
		}
		if u.Status != UserStatusActive {
			return billkit.Errorf(billkit.CodeFailedPrecondition, "user.disabled", "the owner is disabled")
		}
		if err := tx.InsertAPIKey(ctx, k); err != nil {
			return err
		}
		if err := s.logAccess(ctx, tx, u, "", AccessAPIKeyCreated, actor.IP, actor.UserAgent, "key "+k.ID.String()+" "+prefix); err != nil {
			return err
		}
		return s.idRecord(ctx, tx, actor, FunctionAPIKey, "create", k.ID.String(), nil, k)
	})
	if err != nil {
		return nil, err
	}
	return &CreatedAPIKey{Key: *k, Secret: secret}, nil
}

// AuthenticateAPIKey returns the key of a secret and the user it acts for.
// An unknown or malformed secret, a revoked or expired key, or a disabled
// owner is unauthenticated "access.apikey_invalid". It records the key's
// last use, at most once a minute.
func (s *Service) AuthenticateAPIKey(ctx context.Context, secret string) (*APIKey, *User, error) {
	if len(secret) < 3+apiKeyPrefixLen+2 || len(secret) > 256 || !strings.HasPrefix(secret, "bk_") || secret[3+apiKeyPrefixLen] != '_' {
		return nil, nil, errCopy(ErrAPIKeyInvalid)
	}
	hash := hashToken(secret)
	k, err := s.store.GetAPIKeyBySecretHash(ctx, hash)
	if err != nil {
		if billkit.IsCode(err, billkit.CodeNotFound) {
			return nil, nil, errCopy(ErrAPIKeyInvalid)
		}
		return nil, nil, err
	}
	now := s.now()
	if !equalHash(k.SecretHash, hash) || k.Prefix != secret[3:3+apiKeyPrefixLen] || !k.Active(now) {
		return nil, nil, errCopy(ErrAPIKeyInvalid)
	}
	u, err := s.store.GetUser(ctx, k.OwnerID)
	if err != nil {
		return nil, nil, err
	}
	if u.Status != UserStatusActive {
		return nil, nil, errCopy(ErrAPIKeyInvalid)
	}
	if now.Sub(k.LastUsedAt) >= touchInterval {
		k.LastUsedAt = now
		if err := s.store.UpdateAPIKey(ctx, k); err != nil {
			return nil, nil, err
		}
	}
	return k, u, nil
}

// ListAPIKeys lists API keys, newest first, without revoked ones unless
// f.IncludeRevoked. A user lists its own; other users' keys need
// access.apikey:read. Without the right and without an OwnerID, a user
// lists its own.
func (s *Service) ListAPIKeys(ctx context.Context, actor billkit.Actor, f APIKeyFilter) (billkit.Page[APIKey], error) {
	if err := actor.Validate(); err != nil {
		return billkit.Page[APIKey]{}, err
	}
	if err := f.PageParams.Validate(); err != nil {
		return billkit.Page[APIKey]{}, err
	}
	if err := actor.Authorize(billkit.R(FunctionAPIKey, billkit.OpRead)); err != nil {
		self, serr := selfUserID(actor)
		if serr != nil || (!f.OwnerID.IsZero() && f.OwnerID != self) {
			return billkit.Page[APIKey]{}, err
		}
		f.OwnerID = self
	}
	return s.store.ListAPIKeys(ctx, f)
}

// RevokeAPIKey revokes a key for good. A user revokes its own; other users'
// keys need access.apikey:delete (a customer asking for another's key gets
// not_found "apikey.not_found"). Revoking a revoked key does nothing.
func (s *Service) RevokeAPIKey(ctx context.Context, actor billkit.Actor, id APIKeyID) error {
	if err := actor.Validate(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx Store) error {
		k, err := tx.GetAPIKey(ctx, id)
		if err != nil {
			return err
		}
		if !isSelf(actor, k.OwnerID) {
			if err := actor.Authorize(billkit.R(FunctionAPIKey, billkit.OpDelete)); err != nil {
				if actor.Kind == billkit.ActorCustomer {
					return billkit.NotFound("apikey", id)
				}
				return err
			}
		}
		if !k.RevokedAt.IsZero() {
			return nil
		}
		u, err := tx.GetUser(ctx, k.OwnerID)
		if err != nil {
			return err
		}
		before := *k
		k.RevokedAt = s.now()
		if err := tx.UpdateAPIKey(ctx, k); err != nil {
			return err
		}
		if err := s.logAccess(ctx, tx, u, "", AccessAPIKeyRevoked, actor.IP, actor.UserAgent, "key "+k.ID.String()+" "+k.Prefix); err != nil {
			return err
		}
		return s.idRecord(ctx, tx, actor, FunctionAPIKey, "revoke", k.ID.String(), &before, k)
	})
}
