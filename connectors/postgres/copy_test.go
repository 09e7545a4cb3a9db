package postgres

import (
	"errors"
	"fmt"
	"io"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
)

// readAll reads a source whole through the binary COPY or the text cursor
// and returns every cell as text (floats by their bits, so that -0 and NaN
// count), row by row with _kho_row and _kho_error, the schema, and the
// watermark.
func readAll(t *testing.T, cfg Config, text bool, state *connectors.State) ([][]string, *arrow.Schema, string) {
	t.Helper()
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer checked.AssertSize(t, 0)
	cfg.textCursor = text
	src, err := cfg.Open(t.Context(), connectors.Env{Alloc: checked, State: state})
	require.NoError(t, err)
	defer src.Close()
	if !text {
		require.NotNil(t, src.(*Source).copy, "the binary COPY is the default")
	}
	var out [][]string
	for {
		rec, err := src.Next(t.Context())
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		for r := range int(rec.NumRows()) {
			row := make([]string, rec.NumCols())
			for c, col := range rec.Columns() {
				switch {
				case col.IsNull(r):
					row[c] = "NULL"
				case col.DataType().ID() == arrow.FLOAT64:
					row[c] = fmt.Sprintf("bits %x", math.Float64bits(col.(*array.Float64).Value(r)))
				default:
					row[c] = col.ValueStr(r)
				}
			}
			out = append(out, row)
		}
		rec.Release()
	}
	return out, src.Schema(), src.(*Source).Watermark()
}

// TestIntegrationCopyMatchesText: every type of TYPES.md (the cases of
// TestIntegrationTypes), and the values that do not fit (NaN in
// numeric(10,2), infinite dates and times; ±Infinity where numeric allows it) and edges (BC dates, numerics of 38
// digits and of scale 5 in numeric(5,5), float4 extremes), read through the
// binary COPY give the same batches as through the text protocol: the same
// schema with its source types, the same values, the same _kho_error text,
// the same watermark — in batches of several sizes, and incrementally from
// a stored watermark holding a quote and a backslash.
func TestIntegrationCopyMatchesText(t *testing.T) {
	dsn, conn := testDB(t)
	cases := pgTypeCases()
	run(t, conn, `CREATE EXTENSION IF NOT EXISTS citext;
		CREATE TYPE gioi_tinh AS ENUM ('Nam', 'Nữ');
		CREATE DOMAIN so_tien AS numeric(10,2);
		CREATE TYPE dia_chi AS (xa text, ma int)`)
	create, inserts := sqltest.TypesTable("kieu_du_lieu", "integer", cases)
	run(t, conn, create)
	for _, ins := range inserts {
		run(t, conn, ins)
	}
	run(t, conn, `CREATE TABLE bien (id int, ma text, n numeric(10,2), n38 numeric(38,0), n5 numeric(5,5), n_free numeric,
		d date, ts timestamp, tz timestamptz, r real, o oid, ch "char", nm name, x xml, m money, c cidr, b bit(3));
		INSERT INTO bien VALUES
		(1, 'a''b\c', 'NaN', 99999999999999999999999999999999999999, 0.00001, 'Infinity', 'infinity', '-infinity', 'infinity', 3.4028235e38, 4294967295, 'x', 'tên', '<a>Sơn La</a>', 12.5, '10.1.0.0/16', B'101'),
		(2, 'a''b', -0.01, -99999999999999999999999999999999999999, -0.99999, '-Infinity', '0044-03-15 BC', '0044-03-15 12:00 BC', '4713-11-24 00:00+00 BC', 1.4e-45, 0, 'y', '', '<b/>', -0.01, '::/0', B'000'),
		(3, 'z\\', NULL, 0, 0, 1e100, '9999-12-31', '9999-12-31 23:59:59.999999', '1999-12-31 23:59:59.999999+00', '-Infinity', 1, NULL, NULL, NULL, NULL, NULL, NULL),
		(4, NULL, 12345678.91, 1, 0.5, 0.000000000000000000000001, '2000-01-01', '2000-01-01 00:00', '2000-01-01 00:00+07', -0, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`)

	for _, table := range []string{"kieu_du_lieu", "bien"} {
		for _, batch := range []int{1, 3, 1000} {
			t.Run(fmt.Sprintf("%s in batches of %d", table, batch), func(t *testing.T) {
				cfg := NewConfig()
				cfg.DSN, cfg.Table, cfg.BatchRows = sqlsource.Secret(dsn), table, batch
				want, wantSchema, _ := readAll(t, *cfg, true, nil)
				got, gotSchema, _ := readAll(t, *cfg, false, nil)
				require.Len(t, want, 4)
				assert.True(t, wantSchema.Equal(gotSchema), "schemas:\n%s\n%s", wantSchema, gotSchema)
				for f := range wantSchema.NumFields() {
					assert.Equal(t, wantSchema.Field(f).Metadata, gotSchema.Field(f).Metadata, wantSchema.Field(f).Name)
				}
				for r := range want {
					for c := range want[r] {
						assert.Equal(t, want[r][c], got[r][c], "row %d column %s", r+1, wantSchema.Field(c).Name)
					}
				}
			})
		}
	}

	// The bad values are bad the same way through both.
	cfg := NewConfig()
	cfg.DSN, cfg.Table = sqlsource.Secret(dsn), "bien"
	got, schema, _ := readAll(t, *cfg, false, nil)
	errCol := schema.NumFields() - 1
	assert.Contains(t, got[0][errCol], `column "n": "NaN" is not a decimal number (numeric(10,2) → decimal(10, 2))`)
	assert.Contains(t, got[0][errCol], `column "d": infinity does not fit a date (date → date32)`)
	assert.Contains(t, got[0][errCol], `column "ts": -infinity does not fit a timestamp`)

	// Incremental reads: the watermark is inlined in the COPY, quoted.
	for _, inc := range []struct{ col, mark string }{
		{"ma", `a'b`}, {"ma", `a'b\c`}, {"id", "2"}, {"ts", "2000-01-01T07:00:00+07:00"}, {"n5", "0.00000"},
	} {
		t.Run("incremental on "+inc.col+" from "+inc.mark, func(t *testing.T) {
			cfg := NewConfig()
			cfg.DSN, cfg.Table = sqlsource.Secret(dsn), "bien"
			cfg.Incremental = &sqlsource.Incremental{Column: inc.col}
			st := &connectors.State{Watermark: inc.mark}
			want, _, wantMark := readAll(t, *cfg, true, st)
			got, _, gotMark := readAll(t, *cfg, false, st)
			require.NotEmpty(t, want)
			require.Less(t, len(want), 4, "only rows past the watermark")
			assert.Equal(t, want, got)
			assert.Equal(t, wantMark, gotMark)
		})
	}
}
