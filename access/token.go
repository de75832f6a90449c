package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// newToken returns a random secret of 32 bytes in URL-safe base64 (43
// characters), for session tokens, reset tokens, invites and API keys.
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand fails only when the system's random source is broken;
		// no secret can be made safely then.
		panic("access: reading random bytes: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken returns the SHA-256 of a high-entropy token in hex: what is
// stored instead of the token. (Passwords, which are low-entropy, use
// argon2id instead.)
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// equalHash compares two hex hashes in constant time.
func equalHash(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
