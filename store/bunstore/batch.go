package bunstore

import (
	"context"
	"strings"

	"github.com/billkit/billkit"
)

// batchRows is how many rows one statement of a batch write carries: large
// enough that a batch of the billing cycle is a few statements, small
// enough that a statement stays a few hundred kilobytes.
const batchRows = 500

// execRows runs head followed by "VALUES (...), (...)" for rows, each a
// list of arguments of one row, in statements of batchRows rows, then
// tail (an ON CONFLICT clause, or ""). Arguments are formatted by bun, as
// everywhere: on PostgreSQL their literals take the type of the columns
// they are inserted into.
func (s *Store) execRows(ctx context.Context, head, tail string, rows [][]any, t target) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	for lo := 0; lo < len(rows); lo += batchRows {
		chunk := rows[lo:min(lo+batchRows, len(rows))]
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(placeholders(len(r)))
			args = append(args, r...)
		}
		b.WriteString(tail)
		if _, err := s.db.ExecContext(ctx, b.String(), args...); err != nil {
			return mapError(ctx, err, t)
		}
	}
	return nil
}

// placeholders is "(?, ?, ...)" with n marks.
func placeholders(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// updateRows updates table from a list of rows: set is the SET clause, in
// terms of the table (alias t) and the values (alias v, columns v.c1,
// v.c2, ... in the order of cols); where joins them. cols name the SQL
// type of each value column on PostgreSQL, where the literals of a VALUES
// list are text until cast; SQLite takes them as they are.
func (s *Store) updateRows(ctx context.Context, table, set, where string, cols []string, rows [][]any, t target) error {
	if err := s.usable(ctx); err != nil {
		return err
	}
	for lo := 0; lo < len(rows); lo += batchRows {
		chunk := rows[lo:min(lo+batchRows, len(rows))]
		var b strings.Builder
		b.WriteString("WITH v (")
		for i := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("c")
			b.WriteString(itoa(i + 1))
		}
		b.WriteString(") AS (VALUES ")
		args := make([]any, 0, len(chunk)*len(cols))
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				if s.dialect == DialectPostgres {
					b.WriteString("CAST(? AS " + cols[j] + ")")
				} else {
					b.WriteString("?")
				}
			}
			b.WriteString(")")
			args = append(args, r...)
		}
		b.WriteString(") UPDATE " + table + " AS t SET " + set + " FROM v WHERE " + where)
		if _, err := s.db.ExecContext(ctx, b.String(), args...); err != nil {
			return mapError(ctx, err, t)
		}
	}
	return nil
}

// insertActions appends acts to billkit_actions in a few statements, as
// insertAction does one.
func (s *Store) insertActions(ctx context.Context, acts []billkit.Action) error {
	if len(acts) == 0 {
		return nil
	}
	rows := make([][]any, len(acts))
	for i := range acts {
		args, err := s.actionArgs(&acts[i])
		if err != nil {
			return err
		}
		rows[i] = args
	}
	return s.execRows(ctx, "INSERT INTO billkit_actions "+actionColumns, "", rows, target{kind: "action"})
}
