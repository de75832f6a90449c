package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net/http"
	"time"

	"github.com/billkit/billkit"
	"github.com/billkit/billkit/store/bunstore"
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
	// idempotencyLease is how long a first call may run before a retry is
	// told its outcome is unknown rather than to wait.
	idempotencyLease = 5 * time.Minute
	// maxIdempotencyKeyLen bounds the header.
	maxIdempotencyKeyLen = 255
	// maxIdempotentBody is the largest request body fingerprinted; larger
	// ones are refused by the operation's own body limit anyway.
	maxIdempotentBody = 1 << 20
)

// noReplayKey marks operations whose answer carries a secret shown once
// (an API key, an invite token, TOTP codes): they refuse an Idempotency-Key
// rather than keep the secret to show it again.
const noReplayKey = "billkit.no_replay"

// IdempotencyStore keeps the calls made with an Idempotency-Key and their
// answers, durably, shared by every server process on the database.
// *bunstore.Store implements it.
type IdempotencyStore interface {
	ClaimIdempotencyKey(ctx context.Context, c bunstore.IdempotentCall, now time.Time) (bunstore.IdempotentCall, bool, error)
	FinishIdempotencyKey(ctx context.Context, caller, key string, status int, header map[string][]string, body []byte) error
	AbandonIdempotencyKey(ctx context.Context, caller, key string) error
}

var _ IdempotencyStore = (*bunstore.Store)(nil)

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
func idempotencyMiddleware(api huma.API, store IdempotencyStore, clock billkit.Clock) func(huma.Context, func(huma.Context)) {
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
		case store == nil:
			refuse("idempotency.not_supported", "is not accepted: this server keeps no idempotency keys")
			return
		}
		body, err := io.ReadAll(io.LimitReader(ctx.BodyReader(), maxIdempotentBody+1))
		if err != nil {
			_ = huma.WriteErr(api, ctx, http.StatusBadRequest, "", billkit.Errorf(billkit.CodeInvalid, "request.unreadable", "the request body could not be read"))
			return
		}
		u := ctx.URL()
		fp := fingerprint(ctx.Method(), u.Path+"?"+u.RawQuery, string(body))
		caller := string(c.actor.Kind) + ":" + c.actor.ID
		now := clock.Now()
		prev, claimed, err := store.ClaimIdempotencyKey(ctx.Context(), bunstore.IdempotentCall{
			Caller: caller, Key: key, Fingerprint: fp, CreatedAt: now, ExpiresAt: now.Add(IdempotencyTTL),
		}, now)
		switch {
		case err != nil:
			_ = huma.WriteErr(api, ctx, Status(billkit.ErrorCode(err)), "", err)
			return
		case claimed:
		case !bytes.Equal(prev.Fingerprint, fp):
			_ = huma.WriteErr(api, ctx, http.StatusUnprocessableEntity, "", &billkit.Error{Code: billkit.CodeFailedPrecondition, Reason: "idempotency.key_reused",
				Message: "this Idempotency-Key was used for a different request",
				Fields:  []billkit.FieldError{{Field: IdempotencyHeader, Reason: "idempotency.key_reused", Message: "was used for a different request"}}})
			return
		case !prev.Done && now.Sub(prev.CreatedAt) < idempotencyLease:
			_ = huma.WriteErr(api, ctx, http.StatusConflict, "", billkit.Errorf(billkit.CodeConflict, "idempotency.in_progress", "a request with this Idempotency-Key is still running"))
			return
		case !prev.Done:
			// The first call never finished (the server stopped in the
			// middle): whether it changed anything is unknown, so it is
			// not run again; the caller checks and uses a new key.
			_ = huma.WriteErr(api, ctx, http.StatusConflict, "", billkit.Errorf(billkit.CodeConflict, "idempotency.outcome_unknown",
				"the first request with this Idempotency-Key did not finish; check its effect, then retry with a new key"))
			return
		default:
			for name, vs := range prev.Header {
				for _, v := range vs {
					ctx.AppendHeader(name, v)
				}
			}
			ctx.SetHeader("Idempotent-Replayed", "true")
			ctx.SetStatus(prev.Status)
			_, _ = ctx.BodyWriter().Write(prev.Body)
			return
		}
		rec := &recorder{hctx: ctx, body: bytes.NewReader(body), status: http.StatusOK, header: http.Header{}}
		completed := false
		// The answer is stored with a context of its own: a client that hung
		// up must not leave its key running.
		bg := context.WithoutCancel(ctx.Context())
		defer func() {
			if !completed || rec.status >= 500 {
				_ = store.AbandonIdempotencyKey(bg, caller, key)
			}
		}()
		next(rec)
		completed = true
		if rec.status < 500 {
			_ = store.FinishIdempotencyKey(bg, caller, key, rec.status, rec.header, rec.buf.Bytes())
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

// fingerprint identifies a request: its method, path and query, and body.
func fingerprint(method, target, body string) []byte {
	h := sha256.New()
	io.WriteString(h, method+" "+target+"\n")
	io.WriteString(h, body)
	return h.Sum(nil)
}
