package bunstore

import (
	"context"
	"encoding/json"
	"time"

	"github.com/billkit/billkit"
)

// IdempotentCall is one API call made with an Idempotency-Key: the key its
// caller chose, a fingerprint of the request, and, once the call is done,
// the answer to replay when the same call comes again.
type IdempotentCall struct {
	// Caller names who made the call ("staff:alice"); keys are per caller.
	Caller string
	Key    string
	// Fingerprint identifies the request (method, path, body): the same key
	// with another fingerprint is a different request.
	Fingerprint []byte
	// Done is false while the first call runs.
	Done   bool
	Status int
	Header map[string][]string
	Body   []byte
	// CreatedAt is when the first call began; ExpiresAt when the answer is
	// forgotten.
	CreatedAt time.Time
	ExpiresAt time.Time
}

// idempotencyRow is a row of billkit_idempotency_keys.
type idempotencyRow struct {
	Caller      string    `bun:"caller,pk"`
	Key         string    `bun:"key,pk"`
	Fingerprint []byte    `bun:"fingerprint,notnull"`
	Done        bool      `bun:"done,notnull"`
	Status      int       `bun:"status,notnull"`
	Header      string    `bun:"header,notnull"`
	Body        []byte    `bun:"body,notnull"`
	CreatedAt   time.Time `bun:"created_at,notnull"`
	ExpiresAt   time.Time `bun:"expires_at,notnull"`
}

func (r *idempotencyRow) call() (IdempotentCall, error) {
	c := IdempotentCall{Caller: r.Caller, Key: r.Key, Fingerprint: r.Fingerprint, Done: r.Done, Status: r.Status,
		Body: r.Body, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt}
	if err := json.Unmarshal([]byte(r.Header), &c.Header); err != nil {
		return IdempotentCall{}, billkit.Errorf(billkit.CodeInternal, "store.corrupt", "stored idempotent answer: %v", err)
	}
	return c, nil
}

// ClaimIdempotencyKey records that c.Caller began a call with c.Key. When
// the key is free (never used, or its answer expired at now) it stores c as
// running and returns it with claimed true. When the key is taken it
// returns the stored call (running or done) with claimed false, and the
// caller decides: replay, wait, or refuse a different request. Two
// concurrent claims of one key cannot both succeed: the key is the table's
// primary key.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, c IdempotentCall, now time.Time) (IdempotentCall, bool, error) {
	var v billkit.FieldErrors
	v.Require("caller", c.Caller)
	v.Require("key", c.Key)
	v.Check(len(c.Fingerprint) > 0, "fingerprint", "required", "is required")
	v.Check(c.ExpiresAt.After(now), "expires_at", "idempotency.expired", "must be after now")
	if err := v.Err(); err != nil {
		return IdempotentCall{}, false, err
	}
	row := &idempotencyRow{Caller: c.Caller, Key: c.Key, Fingerprint: c.Fingerprint, Header: "{}", Body: []byte{},
		CreatedAt: billkit.Instant(c.CreatedAt), ExpiresAt: billkit.Instant(c.ExpiresAt)}
	var out IdempotentCall
	claimed := false
	err := s.inTx(ctx, func(tx *Store) error {
		// An expired answer frees its key.
		if _, err := tx.db.NewDelete().TableExpr("billkit_idempotency_keys").
			Where("caller = ? AND key = ? AND expires_at <= ?", c.Caller, c.Key, billkit.Instant(now)).Exec(ctx); err != nil {
			return mapError(ctx, err, target{kind: "idempotency_key", key: c.Key})
		}
		res, err := tx.db.NewInsert().Model(row).ModelTableExpr("billkit_idempotency_keys").On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			return mapError(ctx, err, target{kind: "idempotency_key", key: c.Key})
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claimed = true
			out, err = row.call()
			return err
		}
		var got idempotencyRow
		if err := tx.db.NewSelect().Model(&got).ModelTableExpr("billkit_idempotency_keys AS idempotency_row").
			Where("caller = ? AND key = ?", c.Caller, c.Key).Scan(ctx); err != nil {
			return mapError(ctx, err, target{kind: "idempotency_key", key: c.Key})
		}
		out, err = got.call()
		return err
	})
	if err != nil {
		return IdempotentCall{}, false, err
	}
	return out, claimed, nil
}

// FinishIdempotencyKey stores the answer of the running call of caller's
// key, for replay.
func (s *Store) FinishIdempotencyKey(ctx context.Context, caller, key string, status int, header map[string][]string, body []byte) error {
	h, err := json.Marshal(header)
	if err != nil {
		return billkit.Errorf(billkit.CodeInvalid, "idempotency.header", "answer header: %v", err)
	}
	if body == nil {
		body = []byte{}
	}
	_, err = s.db.NewUpdate().TableExpr("billkit_idempotency_keys").
		Set("done = ?, status = ?, header = ?, body = ?", true, status, string(h), body).
		Where("caller = ? AND key = ? AND done = ?", caller, key, false).Exec(ctx)
	return mapError(ctx, err, target{kind: "idempotency_key", key: key})
}

// AbandonIdempotencyKey frees caller's key of a call that failed on the
// server's side before it changed anything, so that a retry runs again.
func (s *Store) AbandonIdempotencyKey(ctx context.Context, caller, key string) error {
	_, err := s.db.NewDelete().TableExpr("billkit_idempotency_keys").
		Where("caller = ? AND key = ? AND done = ?", caller, key, false).Exec(ctx)
	return mapError(ctx, err, target{kind: "idempotency_key", key: key})
}

// PurgeIdempotencyKeys deletes the answers expired at now and returns how
// many it deleted; the server runs it from time to time.
func (s *Store) PurgeIdempotencyKeys(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().TableExpr("billkit_idempotency_keys").
		Where("expires_at <= ?", billkit.Instant(now)).Exec(ctx)
	if err != nil {
		return 0, mapError(ctx, err, target{kind: "idempotency_key"})
	}
	n, _ := res.RowsAffected()
	return n, nil
}
