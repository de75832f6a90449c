package billkit

import (
	"bytes"
	"database/sql/driver"
	"fmt"

	"github.com/google/uuid"
)

// ID identifies one entity of type E. IDs are made by the application, not the
// database, so an ID exists before its insert; they are UUIDv7, so they sort by
// creation time and index well. The type parameter keeps the ID of one entity
// from being passed where another's is expected:
//
//	type ExchangeRateID = billkit.ID[ExchangeRate]
//
// The zero ID is "no ID". IDs encode as their canonical string in JSON, text and
// SQL (a uuid column in PostgreSQL, text in SQLite).
type ID[E any] struct {
	u uuid.UUID
}

// NewID returns a new time-ordered ID.
func NewID[E any]() ID[E] {
	u, err := uuid.NewV7()
	if err != nil {
		// NewV7 fails only when the system's random source fails; there is no
		// sensible way to continue making identifiers then.
		panic(fmt.Sprintf("billkit: generating an ID: %v", err))
	}
	return ID[E]{u: u}
}

// ParseID parses the canonical string form of an ID.
func ParseID[E any](s string) (ID[E], error) {
	u, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return ID[E]{}, &Error{Code: CodeInvalid, Reason: "id.malformed", Message: fmt.Sprintf("malformed ID %q", s)}
	}
	return ID[E]{u: u}, nil
}

// MustParseID is ParseID that panics on error, for tests and constants.
func MustParseID[E any](s string) ID[E] {
	id, err := ParseID[E](s)
	if err != nil {
		panic(err)
	}
	return id
}

// IsZero reports whether id is the zero ID.
func (id ID[E]) IsZero() bool { return id.u == uuid.Nil }

// String returns the canonical form, or "" for the zero ID.
func (id ID[E]) String() string {
	if id.IsZero() {
		return ""
	}
	return id.u.String()
}

// UUID returns the ID as a uuid.UUID.
func (id ID[E]) UUID() uuid.UUID { return id.u }

// Compare orders IDs by their bytes, as PostgreSQL orders uuid columns and
// SQLite their text: -1, 0 or +1.
func (id ID[E]) Compare(o ID[E]) int { return bytes.Compare(id.u[:], o.u[:]) }

// MarshalText implements encoding.TextMarshaler.
func (id ID[E]) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler. Empty text is the zero ID.
func (id *ID[E]) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*id = ID[E]{}
		return nil
	}
	v, err := ParseID[E](string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// Value implements driver.Valuer; the zero ID is NULL.
func (id ID[E]) Value() (driver.Value, error) {
	if id.IsZero() {
		return nil, nil
	}
	return id.u.String(), nil
}

// Scan implements sql.Scanner.
func (id *ID[E]) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*id = ID[E]{}
		return nil
	case string:
		return id.UnmarshalText([]byte(v))
	case []byte:
		if len(v) == 16 {
			copy(id.u[:], v)
			return nil
		}
		return id.UnmarshalText(v)
	default:
		return fmt.Errorf("billkit: cannot scan %T into an ID", src)
	}
}
