package access_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/access"
	"github.com/billkit/billkit/store/bunstore"
	"github.com/billkit/billkit/store/storetest"
)

// idCheapArgon2 keeps tests fast; the defaults are measured by the
// benchmarks.
var idCheapArgon2 = access.Argon2Params{Memory: 64, Time: 1, Threads: 1}

// idStart is a Monday morning, the tests' epoch.
var idStart = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

type idEnv struct {
	svc   *access.Service
	clock *billkit.FakeClock
	st    *bunstore.Store
	ctx   context.Context
}

func newIDEnv(t testing.TB, cfg access.IdentityConfig) *idEnv {
	t.Helper()
	if cfg.Argon2 == (access.Argon2Params{}) {
		cfg.Argon2 = idCheapArgon2
	}
	st := storetest.NewMemory(t)
	clock := billkit.NewFakeClock(idStart)
	svc := access.NewService(st.Access(), access.Config{Clock: clock, Identity: cfg})
	return &idEnv{svc: svc, clock: clock, st: st, ctx: context.Background()}
}

// idPerms is a Permissions that allows exactly the rights it holds.
type idPerms map[billkit.Right]bool

func (p idPerms) Allows(r billkit.Right, _ billkit.ClientID) bool { return p[r] }
func (p idPerms) Clients() ([]billkit.ClientID, bool)             { return nil, true }

func idStaff(id string, rights ...billkit.Right) billkit.Actor {
	p := idPerms{}
	for _, r := range rights {
		p[r] = true
	}
	return billkit.Actor{Kind: billkit.ActorStaff, ID: id, Name: id, IP: "203.0.113.9", UserAgent: "panel", Permissions: p}
}

// idAs is the actor of a signed-in user with no rights beyond self-service.
func idAs(u *access.User) billkit.Actor {
	kind := billkit.ActorCustomer
	if u.Kind == access.UserKindStaff {
		kind = billkit.ActorStaff
	}
	return billkit.Actor{Kind: kind, ID: u.ID.String(), Name: u.Email, IP: "198.51.100.1", UserAgent: "browser", Permissions: idPerms{}}
}

var idSystem = billkit.SystemActor("cli")

const idPassword = "correct horse battery"

func (e *idEnv) user(t testing.TB, kind access.UserKind, email string) *access.User {
	t.Helper()
	u, err := e.svc.CreateUser(e.ctx, idSystem, access.CreateUserParams{Kind: kind, Email: email, Name: "Test " + email, Password: idPassword})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (e *idEnv) login(t testing.TB, email, password string) *access.LoginResult {
	t.Helper()
	res, err := e.svc.Login(e.ctx, access.LoginParams{Email: email, Password: password, IP: "198.51.100.1", UserAgent: "browser"})
	if err != nil {
		t.Fatalf("Login(%s): %v", email, err)
	}
	return res
}

// idWant fails unless err is a *billkit.Error with code and reason.
func idWant(t testing.TB, err error, code billkit.Code, reason string) {
	t.Helper()
	var be *billkit.Error
	if !errors.As(err, &be) {
		t.Fatalf("error = %v (%T), want %s %s", err, err, code, reason)
	}
	if be.Code != code || (reason != "" && be.Reason != reason) {
		t.Fatalf("error = %v, want code %s reason %q", err, code, reason)
	}
}

func idMust(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// idTOTP computes the RFC 6238 code of a base32 secret at t, independently
// of the package's own implementation.
func idTOTP(t testing.TB, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[19] & 0xf
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1000000)
}

// idEvents returns the kinds of the user's access events, oldest first.
func (e *idEnv) events(t testing.TB, user access.UserID) []access.AccessEventKind {
	t.Helper()
	p, err := e.svc.ListAccessEvents(e.ctx, idSystem, access.AccessEventFilter{UserID: user, PageParams: billkit.PageParams{Limit: 1000}})
	idMust(t, err)
	out := make([]access.AccessEventKind, len(p.Items))
	for i, ev := range p.Items {
		out[len(p.Items)-1-i] = ev.Event
	}
	return out
}

// idActionRow is one action as stored, with its changes as text.
type idActionRow struct {
	Name     string `bun:"name"`
	ObjectID string `bun:"object_id"`
	ActorID  string `bun:"actor_id"`
	Changes  string `bun:"changes"`
}

// actions returns every recorded action, oldest first.
func (e *idEnv) actions(t testing.TB) []idActionRow {
	t.Helper()
	var rows []idActionRow
	idMust(t, e.st.DB().NewRaw("SELECT name, object_id, actor_id, changes FROM billkit_actions ORDER BY at, id").Scan(e.ctx, &rows))
	return rows
}

func (e *idEnv) actionNames(t testing.TB) []string {
	var out []string
	for _, a := range e.actions(t) {
		out = append(out, a.Name)
	}
	return out
}
