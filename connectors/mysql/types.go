package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// column is a result column and how its values arrive.
type column struct {
	sqlsource.Column
	// bit values arrive as big-endian bytes and are read as a number (or a
	// boolean for BIT(1)).
	bit bool
}

// describe learns the columns of SELECT * FROM from by preparing and running
// it with LIMIT 0 (which also checks the right to read it). For a table, the
// declared types of information_schema refine what the protocol tells:
// TINYINT(1), BIT(n) and exact DECIMAL precisions.
func (c *Config) describe(ctx context.Context, conn *sql.Conn, from string) ([]column, error) {
	stmt, err := conn.PrepareContext(ctx, "SELECT * FROM "+from+" LIMIT 0")
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	rows, err := stmt.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	types, err := rows.ColumnTypes()
	rows.Close()
	if err != nil {
		return nil, err
	}
	declared := map[string]string{}
	if strings.TrimSpace(c.Table) != "" {
		if declared, err = columnTypes(ctx, conn, c.Table); err != nil {
			return nil, err
		}
	}
	cols := make([]column, len(types))
	for i, t := range types {
		cols[i] = mapType(t, declared[t.Name()], c.TinyInt1Bool)
	}
	return cols, nil
}

// columnTypes reads the declared types (COLUMN_TYPE) of a table's columns.
func columnTypes(ctx context.Context, conn *sql.Conn, qualified string) (map[string]string, error) {
	schema, table, _ := sqlsource.SplitTable(qualified)
	var schemaArg any
	if schema != "" {
		schemaArg = schema
	}
	rows, err := conn.QueryContext(ctx, `SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS
		WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?`, schemaArg, table)
	if err != nil {
		return nil, fmt.Errorf("reading the column types of %s: %w", qualified, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, fmt.Errorf("reading the column types of %s: %w", qualified, err)
		}
		out[name] = typ
	}
	return out, rows.Err()
}

var (
	decimalType = regexp.MustCompile(`^decimal\((\d+),(\d+)\)`)
	bitType     = regexp.MustCompile(`^bit\((\d+)\)`)
)

// mapType picks a column's kind from the protocol's type name and, for a
// table, its declared type, as TYPES.md says. Anything not listed is text.
func mapType(t *sql.ColumnType, declared string, tinyBool bool) column {
	name := t.DatabaseTypeName()
	c := column{Column: sqlsource.Column{Name: t.Name(), SourceType: declared, Kind: sqlsource.Text}}
	if c.SourceType == "" {
		c.SourceType = strings.ToLower(name)
	}
	declared = strings.ToLower(declared)
	switch name {
	case "TINYINT":
		c.Kind = sqlsource.Int
		if tinyBool && strings.HasPrefix(declared, "tinyint(1)") {
			c.Kind = sqlsource.Bool
		}
	case "UNSIGNED TINYINT", "SMALLINT", "UNSIGNED SMALLINT", "MEDIUMINT", "UNSIGNED MEDIUMINT",
		"INT", "UNSIGNED INT", "BIGINT", "YEAR":
		c.Kind = sqlsource.Int
	case "UNSIGNED BIGINT":
		c.Kind, c.Precision, c.Scale = sqlsource.Decimal, 20, 0
	case "DECIMAL":
		p, s, ok := decimalSize(t, declared)
		if ok && p <= 38 {
			c.Kind, c.Precision, c.Scale = sqlsource.Decimal, p, s
		}
	case "FLOAT", "DOUBLE":
		c.Kind = sqlsource.Float
	case "DATE":
		c.Kind = sqlsource.Date
	case "DATETIME":
		c.Kind = sqlsource.LocalTime
	case "TIMESTAMP":
		c.Kind = sqlsource.UTCTime
	case "BINARY", "VARBINARY", "BLOB", "TINYBLOB", "MEDIUMBLOB", "LONGBLOB", "GEOMETRY":
		c.Kind = sqlsource.Binary
	case "BIT":
		c.bit = true
		c.Kind = sqlsource.Int
		if m := bitType.FindStringSubmatch(declared); m != nil {
			switch n, _ := strconv.Atoi(m[1]); {
			case n == 1:
				c.Kind = sqlsource.Bool
			case n == 64:
				c.Kind, c.Precision, c.Scale = sqlsource.Decimal, 20, 0
			}
		}
	}
	return c
}

// decimalSize is a DECIMAL's precision and scale: declared for a table; from
// the protocol for a query, which derives them from the display length and
// may undercount an UNSIGNED one by a digit, so one is added (a larger
// precision holds the same values).
func decimalSize(t *sql.ColumnType, declared string) (p, s int32, ok bool) {
	if m := decimalType.FindStringSubmatch(declared); m != nil {
		pp, _ := strconv.Atoi(m[1])
		ss, _ := strconv.Atoi(m[2])
		return int32(pp), int32(ss), true
	}
	pp, ss, ok := t.DecimalSize()
	if !ok || pp > 38 {
		return int32(pp), int32(ss), ok
	}
	return int32(min(pp+1, 38)), int32(ss), true
}

// bitValue reads BIT's big-endian bytes as a number.
func bitValue(b []byte) uint64 {
	var v uint64
	for _, x := range b {
		v = v<<8 | uint64(x)
	}
	return v
}
