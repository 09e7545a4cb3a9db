package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// column is a result column: how it is selected and carried.
type column struct {
	sqlsource.Column
	// expr selects the column: its quoted name, or to_json(name)::text for
	// arrays and composite values.
	expr string
	// bytea values arrive hex-encoded (\x…) and are decoded.
	bytea bool
	// category is pg_type.typcategory of the (domain's base) type.
	category byte
	// wire is how the binary COPY sends the column (copy.go).
	wire wire
	// output is the output function of the (domain's base) type, which
	// writes the text the text protocol sends.
	output string
}

// typeInfoSQL resolves each result column's type: its declared name with
// modifiers (format_type), and, through any domains, its base type and
// modifier.
const typeInfoSQL = `WITH RECURSIVE x(n, oid, mod) AS (
  SELECT u.n, u.o, u.m FROM unnest($1::oid[], $2::int4[]) WITH ORDINALITY AS u(o, m, n)
), d(n, oid, mod, depth) AS (
  SELECT n, oid, mod, 0 FROM x
  UNION ALL
  SELECT d.n, t.typbasetype, CASE WHEN t.typtypmod <> -1 THEN t.typtypmod ELSE d.mod END, d.depth + 1
  FROM d JOIN pg_catalog.pg_type t ON t.oid = d.oid
  WHERE t.typtype = 'd' AND d.depth < 16
)
SELECT DISTINCT ON (d.n) d.n, format_type(x.oid, x.mod), d.oid::int8, d.mod, t.typtype, t.typcategory, t.typoutput::regproc::text
FROM d JOIN x ON x.n = d.n JOIN pg_catalog.pg_type t ON t.oid = d.oid
ORDER BY d.n, d.depth DESC`

// describe learns the columns of SELECT * FROM from by running it with LIMIT 0
// (which also checks the right to read it), then their types from pg_type.
func describe(ctx context.Context, pc *pgconn.PgConn, from string) ([]column, error) {
	rr := pc.ExecParams(ctx, "SELECT * FROM "+from+" LIMIT 0", nil, nil, nil, nil)
	fields := append([]pgconn.FieldDescription(nil), rr.FieldDescriptions()...)
	if _, err := rr.Close(); err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("the statement returns no columns")
	}
	oids := make([]string, len(fields))
	mods := make([]string, len(fields))
	for i, f := range fields {
		oids[i] = strconv.FormatUint(uint64(f.DataTypeOID), 10)
		mods[i] = strconv.FormatInt(int64(f.TypeModifier), 10)
	}
	res := pc.ExecParams(ctx, typeInfoSQL, [][]byte{
		[]byte("{" + strings.Join(oids, ",") + "}"), []byte("{" + strings.Join(mods, ",") + "}"),
	}, nil, nil, nil).Read()
	if res.Err != nil {
		return nil, fmt.Errorf("reading the column types: %w", res.Err)
	}
	cols := make([]column, len(fields))
	for i, f := range fields {
		cols[i] = column{Column: sqlsource.Column{Name: f.Name, SourceType: "oid " + oids[i]}, expr: quote(f.Name)}
	}
	for _, r := range res.Rows {
		n, _ := strconv.Atoi(string(r[0]))
		if n < 1 || n > len(cols) {
			continue
		}
		oid, _ := strconv.ParseUint(string(r[2]), 10, 32)
		mod, _ := strconv.ParseInt(string(r[3]), 10, 32)
		c := &cols[n-1]
		c.SourceType = string(r[1])
		c.category = first(r[5])
		c.output = string(r[6])
		mapType(c, uint32(oid), int32(mod), first(r[4]))
	}
	return cols, nil
}

func first(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// mapType sets the column's kind from its (base) type, as TYPES.md says.
// Anything not listed is read as its text output: nothing is refused.
func mapType(c *column, oid uint32, mod int32, typtype byte) {
	c.Kind, c.wire = sqlsource.Text, wireText
	switch oid {
	case pgtype.Int2OID:
		c.Kind, c.wire = sqlsource.Int, wireInt2
	case pgtype.Int4OID:
		c.Kind, c.wire = sqlsource.Int, wireInt4
	case pgtype.Int8OID:
		c.Kind, c.wire = sqlsource.Int, wireInt8
	case pgtype.OIDOID:
		c.Kind, c.wire = sqlsource.Int, wireOID
	case pgtype.Float4OID:
		c.Kind, c.wire = sqlsource.Float, wireFloat4
	case pgtype.Float8OID:
		c.Kind, c.wire = sqlsource.Float, wireFloat8
	case pgtype.NumericOID:
		if p, s, ok := numericMod(mod); ok && p >= 1 && p <= 38 && s >= 0 && s <= p {
			c.Kind, c.Precision, c.Scale, c.wire = sqlsource.Decimal, p, s, wireNumeric
		} else {
			c.wire = wireCastText
		}
	case pgtype.BoolOID:
		c.Kind, c.wire = sqlsource.Bool, wireBool
	case pgtype.DateOID:
		c.Kind, c.wire = sqlsource.Date, wireDate
	case pgtype.TimestampOID:
		c.Kind, c.wire = sqlsource.LocalTime, wireTimestamp
	case pgtype.TimestamptzOID:
		c.Kind, c.wire = sqlsource.UTCTime, wireTimestamp
	case pgtype.ByteaOID:
		c.Kind, c.bytea, c.wire = sqlsource.Binary, true, wireBytea
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID:
		// sent as stored (char(n) blank-padded)
	default:
		// arrays and composite values as JSON; every other type (enum,
		// citext, uuid, json, time, interval, inet, ranges, …) as its text
		c.wire = wireCastText
		if c.category == 'A' || typtype == 'c' {
			c.expr, c.wire = "to_json("+quote(c.Name)+")::text", wireText
		}
	}
}

// numericMod decodes numeric's type modifier: ((precision << 16) | scale) + 4,
// the scale an 11-bit signed number since PostgreSQL 15.
func numericMod(mod int32) (precision, scale int32, ok bool) {
	if mod < 4 {
		return 0, 0, false
	}
	m := mod - 4
	precision = (m >> 16) & 0xffff
	scale = ((m & 0x7ff) ^ 1024) - 1024
	return precision, scale, true
}
