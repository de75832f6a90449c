package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/billkit/billkit"
	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost parameters of argon2id password hashes.
type Argon2Params struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
	// SaltLength and KeyLength are in bytes. Default: 16 and 32.
	SaltLength uint32
	KeyLength  uint32
}

// DefaultArgon2 are the parameters of new password hashes: 19 MiB of
// memory, 2 passes, 1 thread, the first of OWASP's recommended argon2id
// configurations (Password Storage Cheat Sheet), which RFC 9106 considers
// sound for memory-constrained servers. billkit's login server typically
// runs on a small machine beside the database: memory, not CPU, bounds how
// many logins it can hash at once, and 19 MiB lets 50 concurrent logins fit
// in under 1 GiB where 64 MiB would need 3.2 GiB. One hash costs about
// 25 ms of one core (see BENCHMARKS.md, BenchmarkLogin), slow enough to make
// offline guessing expensive and fast enough that a login stays well under
// a tenth of a second. Installations with memory to spare raise Memory;
// existing hashes are upgraded on the next successful login.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLength: 16, KeyLength: 32}

func (p Argon2Params) withDefaults() Argon2Params {
	if p.Memory == 0 {
		p.Memory = DefaultArgon2.Memory
	}
	if p.Time == 0 {
		p.Time = DefaultArgon2.Time
	}
	if p.Threads == 0 {
		p.Threads = DefaultArgon2.Threads
	}
	if p.SaltLength == 0 {
		p.SaltLength = DefaultArgon2.SaltLength
	}
	if p.KeyLength == 0 {
		p.KeyLength = DefaultArgon2.KeyLength
	}
	return p
}

// hashPassword returns the argon2id hash of password in PHC string form:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, salt and hash in unpadded
// standard base64.
func hashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, p.SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", billkit.WrapError(err, billkit.CodeInternal, "access.random_failed", "reading random bytes")
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLength)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// parsedHash is a PHC argon2id string taken apart.
type parsedHash struct {
	params Argon2Params
	salt   []byte
	key    []byte
}

// parseHash reads a PHC argon2id string; ok is false for anything else.
func parseHash(phc string) (h parsedHash, ok bool) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, false
	}
	var m, t, p uint64
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return h, false
		}
		switch k {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			p = n
		default:
			return h, false
		}
	}
	// Bounds keep a corrupted or hostile row from making a login allocate
	// gigabytes or spin for minutes.
	if m < 8 || m > 4*1024*1024 || t < 1 || t > 64 || p < 1 || p > 255 {
		return h, false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 128 {
		return h, false
	}
	h.params = Argon2Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p), SaltLength: uint32(len(salt)), KeyLength: uint32(len(key))}
	h.salt, h.key = salt, key
	return h, true
}

// verifyPassword reports whether password matches the PHC hash, comparing
// in constant time, and whether the hash should be remade with want
// because it was made with other parameters. A malformed hash matches
// nothing.
func verifyPassword(password, phc string, want Argon2Params) (ok, rehash bool) {
	h, parsed := parseHash(phc)
	if !parsed {
		// Spend the time a real check would, so that a user without a
		// password is not told apart by timing.
		dummyVerify(password, want)
		return false, false
	}
	key := argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLength)
	ok = subtle.ConstantTimeCompare(key, h.key) == 1
	return ok, ok && h.params != want
}

// dummyHashes holds one hash per parameter set, made once, to verify
// against when a login names an unknown email.
var dummyHashes sync.Map // Argon2Params -> string

// dummyVerify spends the time of verifying password against a hash made
// with p, so that an unknown email takes as long as a wrong password.
func dummyVerify(password string, p Argon2Params) {
	v, ok := dummyHashes.Load(p)
	if !ok {
		h, err := hashPassword(newToken(), p)
		if err != nil {
			return
		}
		v, _ = dummyHashes.LoadOrStore(p, h)
	}
	if h, ok := parseHash(v.(string)); ok {
		argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.Memory, h.params.Threads, h.params.KeyLength)
	}
}

// ValidatePassword checks password against the policy and returns an
// invalid error naming field: at least MinPasswordLength characters
// ("password.too_short"), at most MaxPasswordBytes bytes
// ("password.too_long"), not containing the local part of email
// ("password.contains_email"), not one of the most common passwords nor one
// of them with digits or symbols added, nor made of fewer than four
// different characters ("password.too_common").
func (s *Service) ValidatePassword(field, password, email string) error {
	if password == "" {
		return billkit.InvalidField(field, "required", "is required")
	}
	minLen := s.cfg.Identity.MinPasswordLength
	switch {
	case len(password) > MaxPasswordBytes:
		return billkit.InvalidField(field, "password.too_long", fmt.Sprintf("must be at most %d bytes", MaxPasswordBytes))
	case !utf8.ValidString(password):
		return billkit.InvalidField(field, "password.malformed", "must be valid UTF-8 text")
	case utf8.RuneCountInString(password) < minLen:
		return billkit.InvalidField(field, "password.too_short", fmt.Sprintf("must be at least %d characters", minLen))
	}
	lower := strings.ToLower(password)
	if local, _, ok := strings.Cut(strings.ToLower(email), "@"); ok && len(local) >= 3 && strings.Contains(lower, local) {
		return billkit.InvalidField(field, "password.contains_email", "must not contain the email address")
	}
	if commonPassword(lower) {
		return billkit.InvalidField(field, "password.too_common", "is one of the most common passwords; choose another")
	}
	return nil
}

// commonPassword reports whether the lower-case password is in the list of
// common passwords, or is one of them with digits and symbols around it
// ("Password2024!"), or has fewer than four different characters.
func commonPassword(lower string) bool {
	distinct := map[rune]bool{}
	for _, r := range lower {
		distinct[r] = true
	}
	if len(distinct) < 4 {
		return true
	}
	if _, ok := commonPasswords[lower]; ok {
		return true
	}
	core := strings.TrimFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if len(core) >= 4 && core != lower {
		if _, ok := commonPasswords[core]; ok {
			return true
		}
	}
	return false
}
