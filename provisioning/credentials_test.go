package provisioning

import (
	"bytes"
	"strings"
	"testing"

	"github.com/billkit/billkit"
	"github.com/google/go-cmp/cmp"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

const testPassword = "hunter2-very-secret"

func testCreds() map[string]string {
	return map[string]string{"user": "root", "password": testPassword}
}

func TestCredentialsRoundTrip(t *testing.T) {
	key := testKey(7)
	sealed, err := sealCredentials(key, testCreds())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(testPassword)) || bytes.Contains(sealed, []byte("root")) {
		t.Fatal("sealed credentials contain the plaintext")
	}
	if sealed[0] != credentialsV1 {
		t.Fatalf("version byte = %d, want %d", sealed[0], credentialsV1)
	}
	got, err := openCredentials(key, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(testCreds(), got); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}

	// A random nonce: sealing the same credentials twice differs.
	again, err := sealCredentials(key, testCreds())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(sealed, again) {
		t.Fatal("two seals of the same credentials are equal: the nonce is not random")
	}
}

func TestCredentialsEmptyMap(t *testing.T) {
	for _, creds := range []map[string]string{nil, {}} {
		// No credentials need no key.
		sealed, err := sealCredentials(nil, creds)
		if err != nil {
			t.Fatal(err)
		}
		if sealed != nil {
			t.Fatalf("empty credentials sealed to %x, want nil", sealed)
		}
		got, err := openCredentials(nil, sealed)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || len(got) != 0 {
			t.Fatalf("opened %v, want an empty map", got)
		}
	}
	// An explicit empty value is kept.
	key := testKey(1)
	sealed, err := sealCredentials(key, map[string]string{"token": ""})
	if err != nil {
		t.Fatal(err)
	}
	got, err := openCredentials(key, sealed)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := got["token"]; !ok || v != "" {
		t.Fatalf("opened %v, want token kept empty", got)
	}
}

// assertUnreadable checks err is the internal credentials_unreadable error
// and does not leak the plaintext.
func assertUnreadable(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("opened, want an error")
	}
	if !billkit.IsCode(err, billkit.CodeInternal) || !billkit.HasReason(err, reasonCredentialsUnreadable) {
		t.Fatalf("err = %v, want internal %s", err, reasonCredentialsUnreadable)
	}
	if strings.Contains(err.Error(), testPassword) || strings.Contains(err.Error(), "root") {
		t.Fatalf("error leaks the plaintext: %v", err)
	}
}

func TestCredentialsWrongKey(t *testing.T) {
	sealed, err := sealCredentials(testKey(7), testCreds())
	if err != nil {
		t.Fatal(err)
	}
	got, err := openCredentials(testKey(8), sealed)
	assertUnreadable(t, err)
	if got != nil {
		t.Fatalf("opened %v with the wrong key", got)
	}
}

func TestCredentialsTampered(t *testing.T) {
	key := testKey(7)
	sealed, err := sealCredentials(key, testCreds())
	if err != nil {
		t.Fatal(err)
	}
	// Every byte matters: the version (additional data), the nonce, the
	// ciphertext and the tag.
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		_, err := openCredentials(key, bad)
		assertUnreadable(t, err)
	}
	for _, n := range []int{1, credentialsHead, len(sealed) - 1} {
		_, err := openCredentials(key, sealed[:n])
		assertUnreadable(t, err)
	}
}

func TestCredentialsKeyMissingOrShort(t *testing.T) {
	_, err := sealCredentials(nil, testCreds())
	if !billkit.IsCode(err, billkit.CodeFailedPrecondition) || !billkit.HasReason(err, "provisioning.secret_key_missing") {
		t.Fatalf("seal without a key: %v, want failed_precondition provisioning.secret_key_missing", err)
	}
	sealed, err := sealCredentials(testKey(3), testCreds())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openCredentials(nil, sealed); !billkit.HasReason(err, "provisioning.secret_key_missing") {
		t.Fatalf("open without a key: %v, want provisioning.secret_key_missing", err)
	}
	if _, err := sealCredentials(make([]byte, 16), testCreds()); !billkit.HasReason(err, "provisioning.secret_key_length") {
		t.Fatalf("seal with a 16-byte key: %v, want provisioning.secret_key_length", err)
	}
}
