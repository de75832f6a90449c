package bunstore

import (
	"context"
	"database/sql"
	"sync"
	"time"

	"github.com/uptrace/bun"
)

// hotStatements keeps the statements of billkit's hottest paths (a ledger
// posting: the account read, the balance write, the entry and the action)
// prepared on SQLite, shared by a Store and the transaction Stores bound
// from it.
//
// Why: SQLite spends most of a small statement's time parsing it, and bun
// sends every query as new text with its values inlined, so nothing is
// reused. A statement prepared once on SQLite's single connection is
// parsed once. PostgreSQL is left on bun's simple protocol (see
// openPostgres): there the round trip dominates, and prepared statements
// would not survive a transaction pooler.
type hotStatements struct {
	db *sql.DB // nil when the Store was made on a handle billkit cannot prepare on

	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func newHotStatements(db bun.IDB, d Dialect) *hotStatements {
	h := &hotStatements{stmts: map[string]*sql.Stmt{}}
	if b, ok := db.(*bun.DB); ok && d == DialectSQLite {
		h.db = b.DB
	}
	return h
}

// hotQueries are the statements Open and Migrate prepare ahead (see
// hotQuery).
var hotQueries []string

// hotQuery registers a hot statement to be prepared ahead, and returns it.
func hotQuery(q string) string {
	hotQueries = append(hotQueries, q)
	return q
}

// prepareAll prepares the registered hot statements it can: one whose
// table is not there yet (before Migrate) is left for later.
func (h *hotStatements) prepareAll(ctx context.Context) {
	if h == nil || h.db == nil {
		return
	}
	for _, q := range hotQueries {
		_, _ = h.stmt(ctx, q, false)
	}
}

// stmt returns query prepared on the database. Outside a transaction it
// prepares it on first use; inside one it cannot (the transaction holds
// SQLite's one connection, which preparing on the database would wait for),
// so there it returns nil for a statement not prepared yet.
func (h *hotStatements) stmt(ctx context.Context, query string, inTx bool) (*sql.Stmt, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st, ok := h.stmts[query]; ok {
		return st, nil
	}
	if inTx {
		return nil, nil
	}
	st, err := h.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	h.stmts[query] = st
	return st, nil
}

// close closes the prepared statements.
func (h *hotStatements) close() {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for q, st := range h.stmts {
		_ = st.Close()
		delete(h.stmts, q)
	}
}

// hot reports whether s runs hot statements prepared, and on which
// transaction: the *sql.Tx of s's transaction, nil outside one.
func (s *Store) hot() (ok bool, tx *sql.Tx) {
	if s.stmts == nil || s.stmts.db == nil {
		return false, nil
	}
	switch db := s.db.(type) {
	case bun.Tx:
		return true, db.Tx
	case *bun.Tx:
		return true, db.Tx
	}
	return true, nil
}

// execHot runs a statement of a hot path. query uses ? placeholders and
// times go through timeArg; on SQLite it runs
// prepared, elsewhere through bun, which fills the placeholders itself.
func (s *Store) execHot(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ok, tx := s.hot()
	if !ok {
		return s.db.ExecContext(ctx, query, args...)
	}
	st, err := s.stmts.stmt(ctx, query, tx != nil)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return tx.ExecContext(ctx, query, args...)
	case tx != nil:
		st = tx.StmtContext(ctx, st)
		defer st.Close()
	}
	return st.ExecContext(ctx, args...)
}

// queryRowHot is execHot for a query that returns one row.
func (s *Store) queryRowHot(ctx context.Context, query string, dest []any, args ...any) error {
	ok, tx := s.hot()
	if !ok {
		return s.db.QueryRowContext(ctx, query, args...).Scan(dest...)
	}
	st, err := s.stmts.stmt(ctx, query, tx != nil)
	switch {
	case err != nil:
		return err
	case st == nil:
		return tx.QueryRowContext(ctx, query, args...).Scan(dest...)
	case tx != nil:
		st = tx.StmtContext(ctx, st)
		defer st.Close()
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

// timeArg is a time as a hot statement's argument: on SQLite the text bun
// writes, so that rows written by a hot statement read back like any other.
func (s *Store) timeArg(t time.Time) any {
	if s.dialect == DialectSQLite {
		return t.UTC().Format("2006-01-02 15:04:05.999999-07:00")
	}
	return t
}
