package pgwire_test

import (
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
)

// TestArraysAsPostgres: a DuckDB list of scalars reaches a client as the
// PostgreSQL array it would get from PostgreSQL for the same values
// (SQLAlchemy's get_pk_constraint reads array_agg of names so). The
// reference is the real PostgreSQL of KHO_TEST_PG_DSN: the same values, as
// PostgreSQL's literals, must give the same type OIDs and the same text
// bytes (quoting of empty, "NULL", quotes, backslashes, spaces and braces;
// NULL elements; the empty array), and pgx's binary decoding the same values,
// in the extended protocol and the simple one.
func TestArraysAsPostgres(t *testing.T) {
	dsn := os.Getenv("KHO_TEST_PG_DSN")
	if dsn == "" {
		if os.Getenv("KHO_TEST_REQUIRE_SERVICES") != "" {
			t.Fatal("KHO_TEST_PG_DSN is unset but KHO_TEST_REQUIRE_SERVICES is set: PostgreSQL is the reference of this test")
		}
		t.Skip("skipped: KHO_TEST_PG_DSN is unset (PostgreSQL is the reference of this test)")
	}
	const kho = `SELECT ['a', 'b"c', NULL, 'x y', '', 'NULL', 'null', 'back\slash', '{br,ace}', 'Sơn La']::VARCHAR[] AS t,
		[1, NULL, 3]::INTEGER[] AS i4, [9007199254740993]::BIGINT[] AS i8, [1.50, -2.25]::DECIMAL(5,2)[] AS n,
		[]::BIGINT[] AS e, [DATE '2025-03-02', NULL] AS d, [true, false] AS b, [2.5]::DOUBLE[] AS f`
	const pg = `SELECT ARRAY['a', 'b"c', NULL, 'x y', '', 'NULL', 'null', 'back\slash', '{br,ace}', 'Sơn La']::text[] AS t,
		ARRAY[1, NULL, 3]::int4[] AS i4, ARRAY[9007199254740993]::int8[] AS i8, ARRAY[1.50, -2.25]::numeric(5,2)[] AS n,
		ARRAY[]::int8[] AS e, ARRAY[DATE '2025-03-02', NULL] AS d, ARRAY[true, false] AS b, ARRAY[2.5]::float8[] AS f`
	ref, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err, "connecting to the reference PostgreSQL")
	defer ref.Close(t.Context())

	h := newHarness(t, engine.Options{})
	for _, simple := range []bool{false, true} {
		conn := connect(t, h, testenv.Analyst, simple)
		// Text format, as psycopg and psql read it: the same OIDs, the same bytes.
		want := textResult(t, ref.PgConn(), pg)
		got := textResult(t, conn.PgConn(), kho)
		assert.Equal(t, want.oids, got.oids, "simple=%v: array type OIDs", simple)
		assert.Equal(t, want.values, got.values, "simple=%v: array texts", simple)
		require.Equal(t, "{a,\"b\\\"c\",NULL,\"x y\",\"\",\"NULL\",\"null\",\"back\\\\slash\",\"{br,ace}\",\"Sơn La\"}", got.values[0])

		// pgx's own decoding (binary in the extended protocol).
		var wantVals, gotVals []any
		rows, err := ref.Query(t.Context(), pg)
		require.NoError(t, err)
		for rows.Next() {
			wantVals, err = rows.Values()
			require.NoError(t, err)
		}
		require.NoError(t, rows.Err())
		rows, err = conn.Query(t.Context(), kho)
		require.NoError(t, err)
		for rows.Next() {
			gotVals, err = rows.Values()
			require.NoError(t, err)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, wantVals, gotVals, "simple=%v: decoded arrays", simple)
	}
}

type rawResult struct {
	oids   []uint32
	values []string
}

// textResult runs sql asking for text results and keeps the column OIDs and
// the raw texts of its one row.
func textResult(t *testing.T, c *pgconn.PgConn, sql string) rawResult {
	t.Helper()
	res := c.ExecParams(t.Context(), sql, nil, nil, nil, []int16{0}).Read()
	require.NoError(t, res.Err)
	require.Len(t, res.Rows, 1)
	var r rawResult
	for i, f := range res.FieldDescriptions {
		r.oids = append(r.oids, f.DataTypeOID)
		r.values = append(r.values, string(res.Rows[0][i]))
	}
	return r
}
