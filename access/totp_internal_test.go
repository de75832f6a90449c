package access

import (
	"strings"
	"testing"
	"time"
)

// TestTOTPVectors checks the RFC 6238 appendix B vectors for SHA-1 (the
// last 6 of their 8 digits).
func TestTOTPVectors(t *testing.T) {
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	for _, c := range []struct {
		unix int64
		code string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	} {
		at := time.Unix(c.unix, 0)
		if got := totpCode([]byte("12345678901234567890"), totpStep(at)); got != c.code {
			t.Errorf("code at %d = %s, want %s", c.unix, got, c.code)
		}
		step, ok := totpVerify(secret, c.code, at, 0)
		if !ok || step != totpStep(at) {
			t.Errorf("verify at %d = %d, %v", c.unix, step, ok)
		}
		if _, ok := totpVerify(secret, c.code, at, totpStep(at)); ok {
			t.Errorf("a code of an accepted step was accepted again at %d", c.unix)
		}
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef", "28708a"} {
		if _, ok := totpVerify(secret, bad, time.Unix(59, 0), 0); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLockoutFor(t *testing.T) {
	c := IdentityConfig{}.withDefaults()
	want := map[int]time.Duration{0: 0, 4: 0, 5: time.Minute, 6: 2 * time.Minute, 10: 32 * time.Minute, 11: time.Hour, 100: time.Hour, 1 << 20: time.Hour}
	for failed, d := range want {
		if got := c.lockoutFor(failed); got != d {
			t.Errorf("lockoutFor(%d) = %v, want %v", failed, got, d)
		}
	}
}

func TestPasswordHashFormat(t *testing.T) {
	p := Argon2Params{Memory: 64, Time: 1, Threads: 1}.withDefaults()
	h, err := hashPassword("correct horse", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Count(h, "$") != 5 {
		t.Fatalf("hash = %q", h)
	}
	if ok, rehash := verifyPassword("correct horse", h, p); !ok || rehash {
		t.Fatalf("verify = %v, %v", ok, rehash)
	}
	if ok, _ := verifyPassword("correct horsE", h, p); ok {
		t.Fatal("wrong password accepted")
	}
	if ok, rehash := verifyPassword("correct horse", h, Argon2Params{Memory: 128, Time: 1, Threads: 1}.withDefaults()); !ok || !rehash {
		t.Fatalf("changed parameters: verify = %v, rehash = %v", ok, rehash)
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA"} {
		if ok, _ := verifyPassword("x", bad, p); ok {
			t.Fatalf("%q matched", bad)
		}
	}
	// Two hashes of one password differ (random salt).
	h2, _ := hashPassword("correct horse", p)
	if h == h2 {
		t.Fatal("same hash twice")
	}
}
