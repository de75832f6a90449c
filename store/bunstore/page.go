package bunstore

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/billkit/billkit"
	"github.com/uptrace/bun"
)

// keyCol is one column of a list's order, which is also its keyset: the
// columns together must identify a row, so that a page ends at one exact key.
type keyCol struct {
	// expr is the SQL expression ordered by ("code", `"date"`).
	expr string
	// arg is the SQL for the cursor's value compared with expr; "?" when
	// empty. SQLite orders a TEXT decimal with CAST(? AS REAL), for example.
	arg string
	// desc orders the column descending.
	desc bool
}

// encodeCursor makes the opaque cursor that continues after the row whose
// key values are vals.
func encodeCursor(vals []string) string {
	b, _ := json.Marshal(vals) // a []string always marshals
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor of n key values; "" is the first page.
func decodeCursor(cursor string, n int) ([]string, error) {
	if cursor == "" {
		return nil, nil
	}
	bad := billkit.InvalidField("cursor", "page.cursor_malformed", "is not a cursor returned by this list")
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	var vals []string
	if err := json.Unmarshal(b, &vals); err != nil || len(vals) != n {
		return nil, bad
	}
	return vals, nil
}

// keysetWhere adds the condition "the row's key comes after vals in the
// order of cols" to q: (c1 > v1) OR (c1 = v1 AND c2 > v2) OR ..., with < for
// descending columns.
func keysetWhere(q *bun.SelectQuery, cols []keyCol, vals []string) *bun.SelectQuery {
	var (
		b    strings.Builder
		args []any
	)
	b.WriteString("(")
	for i := range cols {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("(")
		for j := 0; j < i; j++ {
			b.WriteString(cols[j].expr + " = " + cols[j].argSQL() + " AND ")
			args = append(args, vals[j])
		}
		op := " > "
		if cols[i].desc {
			op = " < "
		}
		b.WriteString(cols[i].expr + op + cols[i].argSQL())
		args = append(args, vals[i])
		b.WriteString(")")
	}
	b.WriteString(")")
	return q.Where(b.String(), args...)
}

func (c keyCol) argSQL() string {
	if c.arg == "" {
		return "?"
	}
	return c.arg
}

// orderBy orders q by cols.
func orderBy(q *bun.SelectQuery, cols []keyCol) *bun.SelectQuery {
	for _, c := range cols {
		dir := " ASC"
		if c.desc {
			dir = " DESC"
		}
		q = q.OrderExpr(c.expr + dir)
	}
	return q
}

// likePattern returns a LIKE pattern that finds s anywhere, with LIKE's
// wildcards in s escaped (the queries say ESCAPE '\').
func likePattern(s string, prefixOnly bool) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	if prefixOnly {
		return r.Replace(s) + "%"
	}
	return "%" + r.Replace(s) + "%"
}

// convertPage turns a page of stored rows into a page of domain values with
// conv, keeping the cursor; the first row that does not convert fails it.
func convertPage[R, T any](page billkit.Page[R], conv func(*R) (T, error)) (billkit.Page[T], error) {
	out := billkit.Page[T]{Items: make([]T, 0, len(page.Items)), NextCursor: page.NextCursor}
	for i := range page.Items {
		v, err := conv(&page.Items[i])
		if err != nil {
			return billkit.Page[T]{}, err
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// converted turns a row reader's answer into its domain value, so that a
// Get reads `return converted((*fooRow).foo)(getRow(...))`.
func converted[R, T any](conv func(*R) (T, error)) func(*R, error) (*T, error) {
	return func(row *R, err error) (*T, error) {
		if err != nil {
			return nil, err
		}
		v, err := conv(row)
		if err != nil {
			return nil, err
		}
		return &v, nil
	}
}
