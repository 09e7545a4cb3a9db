package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/sonla-data/kho/connectors"
)

// Source streams the rows of one table or query. Besides connectors.Source it
// reports the incremental watermark (Watermark) once the stream is done.
type Source struct {
	path   string
	db     *sql.DB
	cols   []column
	stmt   string
	args   []any
	schema *arrow.Schema
	b      *array.RecordBuilder
	rows   *sql.Rows
	batch  int

	incIdx  int  // index of the incremental column, -1 without
	high    mark // highest value of the incremental column seen (or stored)
	hasHigh bool
	row     int64 // ordinal of the last row read
	pending error // an error met after some rows, returned on the next call
	done    bool
	vals    []any
	ptrs    []any
	reasons []string
	closed  bool
}

var _ connectors.Source = (*Source)(nil)

// Open reads the columns of the table or query and prepares the statement; the
// query itself starts on the first Next.
func (c *Config) Open(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	path := c.resolve(env)
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	s, err := c.open(ctx, env, path, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening sqlite source %s: %w", path, err)
	}
	return s, nil
}

func (c *Config) open(ctx context.Context, env connectors.Env, path string, db *sql.DB) (*Source, error) {
	var (
		cols []column
		from string
		err  error
	)
	if strings.TrimSpace(c.Table) != "" {
		cols, err = tableColumns(ctx, db, c.Table)
		schema, table, _ := splitTable(c.Table)
		from = quote(table)
		if schema != "" {
			from = quote(schema) + "." + from
		}
	} else {
		q := cleanQuery(c.Query)
		cols, err = queryColumns(ctx, db, q)
		from = "(" + q + ") AS _kho_query"
	}
	if err != nil {
		return nil, err
	}
	if err := checkColumns(cols); err != nil {
		return nil, err
	}
	if env.Columns != nil {
		cols = slices.DeleteFunc(cols, func(col column) bool {
			return !env.Wants(col.name) && (c.Incremental == nil || col.name != c.Incremental.Column)
		})
	}

	s := &Source{path: path, db: db, cols: cols, batch: env.Rows(), incIdx: -1}
	// +col keeps the value and its storage class but drops the declared type,
	// so the driver hands over DATE/DATETIME text as stored, not parsed.
	list := make([]string, len(cols))
	for i, col := range cols {
		list[i] = "+" + quote(col.name) + " AS " + quote(col.name)
	}
	s.stmt = "SELECT " + strings.Join(list, ", ") + " FROM " + from

	if inc := c.Incremental; inc != nil {
		for i, col := range cols {
			if col.name == inc.Column {
				s.incIdx = i
			}
		}
		if s.incIdx < 0 {
			return nil, fmt.Errorf("source.incremental.column: no column %q in the source", inc.Column)
		}
		if st := env.State; st != nil && st.Watermark != "" {
			from := st.Watermark
			if lag := c.lag(); lag > 0 {
				if from, err = minusLag(st.Watermark, lag); err != nil {
					return nil, fmt.Errorf("source.incremental.lag: %w", err)
				}
			}
			typ := cols[s.incIdx].typ
			s.stmt += " WHERE " + quote(inc.Column) + " > ?"
			s.args = append(s.args, markOfWatermark(from, typ).param())
			s.high, s.hasHigh = markOfWatermark(st.Watermark, typ), true
			env.Log().Info("sqlite: incremental read", "path", path, "column", inc.Column,
				"watermark", st.Watermark, "from", from)
		}
	}

	fields := make([]arrow.Field, 0, len(cols)+3)
	for _, col := range cols {
		fields = append(fields, col.field())
	}
	fields = append(fields,
		arrow.Field{Name: connectors.ColFile, Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: connectors.ColRow, Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		arrow.Field{Name: connectors.ColError, Type: arrow.BinaryTypes.String, Nullable: true})
	s.schema = arrow.NewSchema(fields, nil)
	s.b = array.NewRecordBuilder(env.Allocator(), s.schema)
	s.vals = make([]any, len(cols))
	s.ptrs = make([]any, len(cols))
	for i := range s.vals {
		s.ptrs[i] = &s.vals[i]
	}
	return s, nil
}

// Schema is the typed columns, then _kho_file, _kho_row and _kho_error.
func (s *Source) Schema() *arrow.Schema { return s.schema }

// Next returns up to Env.Rows() rows, or io.EOF.
func (s *Source) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.closed {
		return nil, errors.New("sqlite source: Next after Close")
	}
	if s.pending != nil {
		err := s.pending
		s.pending = nil
		s.done = true
		return nil, err
	}
	if s.done {
		return nil, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.rows == nil {
		rows, err := s.db.QueryContext(ctx, s.stmt, s.args...)
		if err != nil {
			s.done = true
			return nil, fmt.Errorf("reading sqlite %s: %w", s.path, err)
		}
		s.rows = rows
	}
	n := 0
	for n < s.batch {
		if !s.rows.Next() {
			err := s.rows.Err()
			s.closeRows()
			s.done = true
			if err != nil {
				err = fmt.Errorf("reading sqlite %s after row %d: %w", s.path, s.row, err)
				if n == 0 {
					return nil, err
				}
				s.pending = err
			}
			break
		}
		s.row++
		if err := s.rows.Scan(s.ptrs...); err != nil {
			// cannot happen with *any destinations; keep the row, marked bad
			s.appendRow(fmt.Sprintf("scanning row: %v", err))
		} else {
			s.appendRow("")
		}
		n++
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				s.pending = err
				break
			}
		}
	}
	if n == 0 {
		return nil, io.EOF
	}
	return s.b.NewRecordBatch(), nil
}

// appendRow adds the scanned values as one row; values that do not fit their
// column make the row bad.
func (s *Source) appendRow(scanErr string) {
	s.reasons = s.reasons[:0]
	if scanErr != "" {
		s.reasons = append(s.reasons, scanErr)
	}
	for i, col := range s.cols {
		v := s.vals[i]
		if scanErr != "" {
			v = nil
		}
		r := appendValue(s.b.Field(i), col, v)
		if r != "" {
			s.reasons = append(s.reasons, r)
		} else if i == s.incIdx {
			if m, ok := markOf(v); ok && (!s.hasHigh || s.high.less(m)) {
				s.high, s.hasHigh = m, true
			}
		}
	}
	n := len(s.cols)
	s.b.Field(n).(*array.StringBuilder).Append(s.path)
	s.b.Field(n + 1).(*array.Int64Builder).Append(s.row)
	if len(s.reasons) == 0 {
		s.b.Field(n + 2).(*array.StringBuilder).AppendNull()
	} else {
		s.b.Field(n + 2).(*array.StringBuilder).Append(strings.Join(s.reasons, "; "))
	}
}

// Watermark is the highest value of the incremental column read so far (or
// the stored watermark when no newer row was read), as text; "" without
// incremental or without any value.
func (s *Source) Watermark() string {
	if !s.hasHigh {
		return ""
	}
	return s.high.String()
}

func (s *Source) closeRows() {
	if s.rows != nil {
		s.rows.Close()
		s.rows = nil
	}
}

// Close ends the query and closes the database; it may be called at any time.
func (s *Source) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.closeRows()
	s.b.Release()
	return s.db.Close()
}
