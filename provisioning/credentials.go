package provisioning

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/json"

	"github.com/billkit/billkit"
)

// Sealed credentials are laid out as
//
//	version (1 byte) | nonce (12 bytes) | AES-256-GCM ciphertext and tag
//
// The version byte comes first so that a later key rotation (a key ID, a
// different cipher) can be told apart from today's form and both read
// during the change. It is also the GCM additional data, so it cannot be
// altered without the tag failing. The plaintext is the credentials' JSON
// object.
const (
	credentialsV1   byte = 1
	credentialsKey       = 32
	credentialsHead      = 1 + 12 // version and GCM's standard nonce
)

// reasonCredentialsUnreadable is the reason of every failure to open sealed
// credentials: a wrong key, tampered or truncated data, an unknown version.
// Its messages never include any part of the plaintext.
const reasonCredentialsUnreadable = "provisioning.credentials_unreadable"

// sealCredentials encrypts a server's credentials with key (Config.SecretKey)
// for storage. No credentials seal to nil, which needs no key, so servers
// without secrets work on a manager without a SecretKey.
func sealCredentials(key []byte, creds map[string]string) ([]byte, error) {
	if len(creds) == 0 {
		return nil, nil
	}
	aead, err := credentialsCipher(key)
	if err != nil {
		return nil, err
	}
	plain, err := json.Marshal(creds)
	if err != nil {
		// A map of strings always marshals; the cause is not wrapped in case
		// it ever quotes a value.
		return nil, billkit.Errorf(billkit.CodeInternal, "provisioning.credentials_unsealable", "server credentials could not be encoded")
	}
	out := make([]byte, credentialsHead, credentialsHead+len(plain)+aead.Overhead())
	out[0] = credentialsV1
	if _, err := rand.Read(out[1:credentialsHead]); err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, "provisioning.credentials_unsealable", "no randomness for a nonce")
	}
	return aead.Seal(out, out[1:credentialsHead], plain, out[:1]), nil
}

// openCredentials decrypts what sealCredentials made. Empty input opens to
// an empty map. A wrong key, a tampered byte or an unknown version is an
// internal error with reason "provisioning.credentials_unreadable".
func openCredentials(key []byte, sealed []byte) (map[string]string, error) {
	if len(sealed) == 0 {
		return map[string]string{}, nil
	}
	aead, err := credentialsCipher(key)
	if err != nil {
		return nil, err
	}
	if sealed[0] != credentialsV1 {
		return nil, billkit.Errorf(billkit.CodeInternal, reasonCredentialsUnreadable,
			"server credentials are sealed in an unknown version %d", sealed[0])
	}
	if len(sealed) < credentialsHead+aead.Overhead() {
		return nil, billkit.Errorf(billkit.CodeInternal, reasonCredentialsUnreadable, "server credentials are truncated")
	}
	plain, err := aead.Open(nil, sealed[1:credentialsHead], sealed[credentialsHead:], sealed[:1])
	if err != nil {
		return nil, billkit.Errorf(billkit.CodeInternal, reasonCredentialsUnreadable,
			"server credentials cannot be decrypted: the secret key is not the one they were sealed with, or the data was altered")
	}
	creds := map[string]string{}
	if err := json.Unmarshal(plain, &creds); err != nil {
		// A JSON error can quote the text it choked on: it is not wrapped.
		return nil, billkit.Errorf(billkit.CodeInternal, reasonCredentialsUnreadable, "decrypted server credentials are not a JSON object of strings")
	}
	return creds, nil
}

// credentialsCipher returns AES-256-GCM on key.
func credentialsCipher(key []byte) (cipher.AEAD, error) {
	if len(key) == 0 {
		return nil, billkit.Errorf(billkit.CodeFailedPrecondition, "provisioning.secret_key_missing",
			"server credentials need the manager's secret key (Config.SecretKey), and none is set")
	}
	if len(key) != credentialsKey {
		return nil, billkit.Errorf(billkit.CodeInternal, "provisioning.secret_key_length",
			"the secret key is %d bytes; AES-256 needs %d", len(key), credentialsKey)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, "provisioning.secret_key_length", "the secret key is not an AES key")
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, billkit.WrapError(err, billkit.CodeInternal, "provisioning.secret_key_length", "AES-GCM is unavailable")
	}
	return aead, nil
}
