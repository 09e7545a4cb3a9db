package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// cursorName is the source's server-side cursor.
const cursorName = "kho_cursor"

// plan is what a source reads: its columns and the statements that read
// them: a binary COPY (the one used) or a cursor on the text protocol.
type plan struct {
	cols    []column
	copy    string // the SELECT of COPY (…) TO STDOUT (FORMAT binary), the watermark inlined
	declare string
	args    [][]byte
	inc     int             // index of the incremental column, -1 without
	stored  *sqlsource.Mark // the stored watermark, nil without
}

// plan describes the table or query on an open connection and builds the
// DECLARE statement, with the incremental condition when a watermark is
// stored.
func (c *Config) plan(ctx context.Context, pc *pgconn.PgConn, env connectors.Env, from, origin string) (*plan, error) {
	cols, err := describe(ctx, pc, from)
	if err != nil {
		if strings.TrimSpace(c.Table) != "" {
			return nil, fmt.Errorf("source.table: reading %s: %w", c.Table, err)
		}
		return nil, fmt.Errorf("source.query: %w", err)
	}
	if env.Columns != nil {
		cols = slices.DeleteFunc(cols, func(col column) bool {
			return !env.Wants(col.Name) && (c.Incremental == nil || col.Name != c.Incremental.Column)
		})
	}
	base := make([]sqlsource.Column, len(cols))
	exprs := make([]string, len(cols))
	copyExprs := make([]string, len(cols))
	for i, col := range cols {
		base[i] = col.Column
		exprs[i] = col.expr
		if col.expr != quote(col.Name) {
			exprs[i] += " AS " + quote(col.Name)
		}
		copyExprs[i] = col.copyExpr()
	}
	if err := sqlsource.CheckColumns(base); err != nil {
		return nil, err
	}
	p := &plan{cols: cols, inc: -1}
	stmt := "SELECT " + strings.Join(exprs, ", ") + " FROM " + from
	p.copy = "SELECT " + strings.Join(copyExprs, ", ") + " FROM " + from
	if inc := c.Incremental; inc != nil {
		for i, col := range cols {
			if col.Name == inc.Column {
				p.inc = i
			}
		}
		if p.inc < 0 {
			return nil, fmt.Errorf("source.incremental.column: no column %q in the source", inc.Column)
		}
		col := cols[p.inc]
		if !col.Kind.Incrementable() || (col.Kind == sqlsource.Text && col.category != 'S' && col.category != 'N') {
			return nil, fmt.Errorf("source.incremental.column: column %q is %s; use a number, date, time or text column", col.Name, col.SourceType)
		}
		if st := env.State; st != nil && st.Watermark != "" {
			m, err := sqlsource.ParseMark(col.Column, st.Watermark)
			if err != nil {
				return nil, fmt.Errorf("source.incremental: %w; run with --full-refresh to read the source whole", err)
			}
			lower, err := m.Minus(c.Lag(), col.Column)
			if err != nil {
				return nil, fmt.Errorf("source.incremental.lag: %w", err)
			}
			p.stored = &m
			// COPY takes no parameter: its condition holds the watermark as
			// a literal of unknown type, which PostgreSQL reads as a value
			// of the column's type as it does the cursor's $1.
			where := func(value string) string {
				cond := quote(col.Name) + " > " + value
				if inc.IncludeNulls {
					cond = "(" + cond + " OR " + quote(col.Name) + " IS NULL)"
				}
				return " WHERE " + cond
			}
			stmt += where("$1")
			p.copy += where(literal(lower.SQL(true)))
			p.args = [][]byte{[]byte(lower.SQL(true))}
			env.Log().Info("postgres: incremental read", "source", origin, "column", col.Name,
				"watermark", st.Watermark, "from", lower.String(), "include_nulls", inc.IncludeNulls)
		}
	}
	p.declare = "DECLARE " + cursorName + " NO SCROLL CURSOR FOR " + stmt
	return p, nil
}
