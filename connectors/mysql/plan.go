package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// plan is what a source reads: its columns and statement.
type plan struct {
	cols   []column
	stmt   string
	args   []any
	inc    int             // index of the incremental column, -1 without
	stored *sqlsource.Mark // the stored watermark, nil without
}

// plan describes the table or query on an open connection and builds the
// statement, with the incremental condition when a watermark is stored.
func (c *Config) plan(ctx context.Context, conn *sql.Conn, env connectors.Env, from, origin string) (*plan, error) {
	cols, err := c.describe(ctx, conn, from)
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
	for i, col := range cols {
		base[i] = col.Column
		exprs[i] = quote(col.Name)
	}
	if err := sqlsource.CheckColumns(base); err != nil {
		return nil, err
	}
	p := &plan{cols: cols, inc: -1}
	p.stmt = "SELECT " + strings.Join(exprs, ", ") + " FROM " + from
	inc := c.Incremental
	if inc == nil {
		return p, nil
	}
	for i, col := range cols {
		if col.Name == inc.Column {
			p.inc = i
		}
	}
	if p.inc < 0 {
		return nil, fmt.Errorf("source.incremental.column: no column %q in the source", inc.Column)
	}
	col := cols[p.inc]
	if !col.Kind.Incrementable() || col.bit {
		return nil, fmt.Errorf("source.incremental.column: column %q is %s; use a number, date, time or text column", col.Name, col.SourceType)
	}
	st := env.State
	if st == nil || st.Watermark == "" {
		return p, nil
	}
	m, err := sqlsource.ParseMark(col.Column, st.Watermark)
	if err != nil {
		return nil, fmt.Errorf("source.incremental: %w; run with --full-refresh to read the source whole", err)
	}
	lower, err := m.Minus(c.Lag(), col.Column)
	if err != nil {
		return nil, fmt.Errorf("source.incremental.lag: %w", err)
	}
	p.stored = &m
	param, arg := parameter(col.Column, lower)
	cond := quote(col.Name) + " > " + param
	if inc.IncludeNulls {
		cond = "(" + cond + " OR " + quote(col.Name) + " IS NULL)"
	}
	p.stmt += " WHERE " + cond
	p.args = []any{arg}
	env.Log().Info("mysql: incremental read", "source", origin, "column", col.Name,
		"watermark", st.Watermark, "from", lower.String(), "include_nulls", inc.IncludeNulls)
	return p, nil
}

// parameter is the placeholder, cast to the column's type so that MySQL
// compares exactly (a string compared with a DECIMAL would be compared as a
// double), and its argument.
func parameter(c sqlsource.Column, m sqlsource.Mark) (string, any) {
	switch c.Kind {
	case sqlsource.Int:
		return "?", m.Int()
	case sqlsource.Float:
		return "?", m.Float()
	case sqlsource.Decimal:
		return fmt.Sprintf("CAST(? AS DECIMAL(%d,%d))", c.Precision, c.Scale), m.String()
	case sqlsource.Date:
		return "CAST(? AS DATE)", m.String()
	case sqlsource.LocalTime, sqlsource.UTCTime:
		return "CAST(? AS DATETIME(6))", m.SQL(false)
	}
	return "?", m.String()
}
