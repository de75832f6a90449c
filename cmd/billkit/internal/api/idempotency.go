package api

import (
	"bytes"
	"container/list"
	"crypto/sha256"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/billkit/billkit"
	"github.com/danielgtaylor/huma/v2"
)

// IdempotencyHeader is the request header that makes a mutating call safe
// to retry: a second call with the same key, by the same caller, gets the
// first call's answer instead of doing the work again.
const IdempotencyHeader = "Idempotency-Key"

// Limits of idempotency keys.
const (
	// IdempotencyTTL is how long an answer is kept for replay.
	IdempotencyTTL = 24 * time.Hour
	// maxIdempotencyKeyLen bounds the header.
	maxIdempotencyKeyLen = 255
	// maxIdempotentEntries bounds the memory the answers take; the oldest
	// go first.
	maxIdempotentEntries = 10000
	// maxIdempotentBody is the largest request body fingerprinted; larger
	// ones are refused by the operation's own body limit anyway.
	maxIdempotentBody = 1 << 20
)

// noReplayKey marks operations whose answer carries a secret shown once
// (an API key, an invite token, TOTP codes): they refuse an Idempotency-Key
// rather than keep the secret to show it again.
const noReplayKey = "billkit.no_replay"

// idemKey names one caller's key.
type idemKey struct{ actor, key string }

// idemEntry is the answer to one call, or a call still running.
type idemEntry struct {
	fingerprint [32]byte
	done        bool
	status      int
	header      http.Header
	body        []byte
	expires     time.Time
	elem        *list.Element
}

// idempotency keeps the answers of the calls made with an Idempotency-Key,
// in memory: they are lost on restart and not shared between server
// processes.
type idempotency struct {
	now     func() time.Time
	mu      sync.Mutex
	entries map[idemKey]*idemEntry
	order   *list.List // of idemKey, oldest first
}

func newIdempotency(clock billkit.Clock) *idempotency {
	return &idempotency{now: clock.Now, entries: map[idemKey]*idemEntry{}, order: list.New()}
}

// begin claims k for a call with fingerprint fp. It returns the stored
// answer to replay, or nil when the call is to be made (and finish or
// abandon called after it).
func (s *idempotency) begin(k idemKey, fp [32]byte) (*idemEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.prune(now)
	if e, ok := s.entries[k]; ok {
		switch {
		case e.fingerprint != fp:
			return nil, &billkit.Error{Code: billkit.CodeFailedPrecondition, Reason: "idempotency.key_reused",
				Message: "this Idempotency-Key was used for a different request",
				Fields:  []billkit.FieldError{{Field: IdempotencyHeader, Reason: "idempotency.key_reused", Message: "was used for a different request"}}}
		case !e.done:
			return nil, billkit.Errorf(billkit.CodeConflict, "idempotency.in_progress", "a request with this Idempotency-Key is still running")
		}
		return e, nil
	}
	e := &idemEntry{fingerprint: fp, expires: now.Add(IdempotencyTTL)}
	e.elem = s.order.PushBack(k)
	s.entries[k] = e
	return nil, nil
}

// finish stores the answer of the call that claimed k.
func (s *idempotency) finish(k idemKey, status int, header http.Header, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[k]; ok {
		e.done, e.status, e.header, e.body = true, status, header, body
	}
}

// abandon forgets k, for a call that failed on the server's side and may
// be retried.
func (s *idempotency) abandon(k idemKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.entries[k]; ok {
		s.order.Remove(e.elem)
		delete(s.entries, k)
	}
}

// prune drops expired answers, and the oldest beyond the limit.
func (s *idempotency) prune(now time.Time) {
	for f := s.order.Front(); f != nil; f = s.order.Front() {
		k := f.Value.(idemKey)
		e := s.entries[k]
		if s.order.Len() < maxIdempotentEntries && now.Before(e.expires) {
			return
		}
		s.order.Remove(f)
		delete(s.entries, k)
	}
}

// hctx names huma.Context for embedding, so its Context method is
// promoted.
type hctx = huma.Context

// recorder is a huma.Context that keeps a copy of the answer it writes and
// serves a request body read in advance.
type recorder struct {
	hctx
	body   io.Reader
	status int
	header http.Header
	buf    bytes.Buffer
}

func (r *recorder) BodyReader() io.Reader { return r.body }

func (r *recorder) SetStatus(code int) {
	r.status = code
	r.hctx.SetStatus(code)
}

func (r *recorder) SetHeader(name, value string) {
	r.header.Set(name, value)
	r.hctx.SetHeader(name, value)
}

func (r *recorder) AppendHeader(name, value string) {
	r.header.Add(name, value)
	r.hctx.AppendHeader(name, value)
}

func (r *recorder) BodyWriter() io.Writer { return io.MultiWriter(r.hctx.BodyWriter(), &r.buf) }

// idempotencyMiddleware replays the answer of a mutating call made again
// with the same Idempotency-Key by the same caller. It runs after
// authentication; public operations (signing in, signing up) do not take
// keys, nor do operations whose answer holds a secret.
func idempotencyMiddleware(api huma.API, store *idempotency) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		key := ctx.Header(IdempotencyHeader)
		if key == "" || !unsafeMethod(ctx.Method()) {
			next(ctx)
			return
		}
		c, _ := callerFrom(ctx.Context())
		rule, _ := RuleOf(ctx.Operation())
		refuse := func(reason, msg string) {
			_ = huma.WriteErr(api, ctx, http.StatusBadRequest, "", &billkit.Error{Code: billkit.CodeInvalid, Reason: reason, Message: "invalid input",
				Fields: []billkit.FieldError{{Field: IdempotencyHeader, Reason: reason, Message: msg}}})
		}
		switch {
		case len(key) > maxIdempotencyKeyLen:
			refuse("idempotency.key_too_long", "must be at most 255 characters")
			return
		case rule.IsPublic() || !c.signed:
			refuse("idempotency.not_supported", "is not accepted on public operations")
			return
		case ctx.Operation().Metadata[noReplayKey] == true:
			refuse("idempotency.not_supported", "is not accepted here: the answer holds a secret shown only once")
			return
		}
		body, err := io.ReadAll(io.LimitReader(ctx.BodyReader(), maxIdempotentBody+1))
		if err != nil {
			_ = huma.WriteErr(api, ctx, http.StatusBadRequest, "", billkit.Errorf(billkit.CodeInvalid, "request.unreadable", "the request body could not be read"))
			return
		}
		h := sha256.New()
		u := ctx.URL()
		io.WriteString(h, ctx.Method()+" "+u.Path+"?"+u.RawQuery+"\n")
		h.Write(body)
		var fp [32]byte
		copy(fp[:], h.Sum(nil))
		k := idemKey{actor: string(c.actor.Kind) + ":" + c.actor.ID, key: key}
		prev, err := store.begin(k, fp)
		if err != nil {
			status := http.StatusConflict
			if billkit.IsCode(err, billkit.CodeFailedPrecondition) {
				status = http.StatusUnprocessableEntity
			}
			_ = huma.WriteErr(api, ctx, status, "", err)
			return
		}
		if prev != nil {
			for name, vs := range prev.header {
				for _, v := range vs {
					ctx.AppendHeader(name, v)
				}
			}
			ctx.SetHeader("Idempotent-Replayed", "true")
			ctx.SetStatus(prev.status)
			_, _ = ctx.BodyWriter().Write(prev.body)
			return
		}
		rec := &recorder{hctx: ctx, body: bytes.NewReader(body), status: http.StatusOK, header: http.Header{}}
		completed := false
		defer func() {
			if !completed || rec.status >= 500 {
				store.abandon(k)
			}
		}()
		next(rec)
		completed = true
		if rec.status < 500 {
			store.finish(k, rec.status, rec.header, append([]byte(nil), rec.buf.Bytes()...))
		}
	}
}

func unsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}
