// Package laketest gives tests a lake on each catalog — a SQLite file in a
// temporary folder, and a PostgreSQL database of its own on the server named
// by KHO_TEST_PG_DSN, created with a random name and dropped afterwards — and
// a canonical form of rows to compare two readers of the lake.
package laketest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go/table"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/sonla-data/kho/warehouse/lake"
)

// Catalogs are the catalog types a lake test runs on.
var Catalogs = []string{"sqlite", "postgres"}

// Config is a lake config on a fresh catalog of the given type, with its
// root in a temporary folder. A postgres catalog needs KHO_TEST_PG_DSN; the
// test is skipped when it is unset, unless KHO_TEST_REQUIRE_SERVICES=1
// (CI), where it fails.
func Config(t testing.TB, catalog string) lake.Config {
	t.Helper()
	cfg := lake.Config{Root: t.TempDir()}
	if catalog == "postgres" {
		cfg.Catalog = lake.CatalogConfig{Type: "postgres", DSN: PostgresDSN(t)}
	}
	return cfg
}

// PostgresDSN creates a database with a random name on the server of
// KHO_TEST_PG_DSN and returns its connection string; the database is
// dropped when the test ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	return PostgresDSNNamed(t, "kho_lake_test")
}

// PostgresDSNNamed is PostgresDSN with a database named prefix_<random>
// (each helper of a shared server names its own).
func PostgresDSNNamed(t testing.TB, prefix string) string {
	t.Helper()
	base := os.Getenv("KHO_TEST_PG_DSN")
	if base == "" {
		if os.Getenv("KHO_TEST_REQUIRE_SERVICES") == "1" {
			t.Fatal("KHO_TEST_PG_DSN is unset but KHO_TEST_REQUIRE_SERVICES=1: the PostgreSQL catalog must be tested")
		}
		t.Skip("the PostgreSQL catalog test needs a server: set KHO_TEST_PG_DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("KHO_TEST_PG_DSN: %v", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := prefix + "_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("opening %s: %v", u.Redacted(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		admin.Close()
		t.Fatalf("creating database %s on %s: %v", name, u.Redacted(), err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Rows renders each row of rdr as "col=value|…" in column-name order, and
// sorts them: the form in which two readers of the same data (DuckDB's
// views, iceberg-go's scan) are compared row for row. Timestamps are
// rendered as UTC instants, decimals at their scale, NULL as ∅.
func Rows(t testing.TB, rdr array.RecordReader) []string {
	t.Helper()
	var out []string
	for rdr.Next() {
		rec := rdr.RecordBatch()
		names := make([]string, rec.NumCols())
		order := make([]int, rec.NumCols())
		for i := range names {
			names[i] = rec.ColumnName(i)
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return names[order[a]] < names[order[b]] })
		for r := 0; r < int(rec.NumRows()); r++ {
			parts := make([]string, 0, len(order))
			for _, c := range order {
				parts = append(parts, names[c]+"="+value(t, rec.Column(c), r))
			}
			out = append(out, strings.Join(parts, "|"))
		}
	}
	if err := rdr.Err(); err != nil {
		t.Fatalf("reading rows: %v", err)
	}
	sort.Strings(out)
	return out
}

func value(t testing.TB, col arrow.Array, i int) string {
	if col.IsNull(i) {
		return "∅"
	}
	switch c := col.(type) {
	case *array.String:
		return c.Value(i)
	case *array.LargeString:
		return c.Value(i)
	case *array.StringView:
		return c.Value(i)
	case *array.Int64:
		return strconv.FormatInt(c.Value(i), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(c.Value(i)), 10)
	case *array.Float64:
		return strconv.FormatFloat(c.Value(i), 'g', -1, 64)
	case *array.Float32:
		return strconv.FormatFloat(float64(c.Value(i)), 'g', -1, 32)
	case *array.Boolean:
		return strconv.FormatBool(c.Value(i))
	case *array.Date32:
		return c.Value(i).FormattedString()
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		return c.Value(i).ToTime(unit).UTC().Format(time.RFC3339Nano)
	case *array.Decimal128:
		return c.Value(i).ToString(c.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Binary:
		return fmt.Sprintf("%x", c.Value(i))
	}
	t.Fatalf("no canonical form for %s", col.DataType())
	return ""
}

// IcebergRows scans a table's snapshot (0: the current one) with iceberg-go's
// own reader, rendered by Rows.
func IcebergRows(t testing.TB, ctx context.Context, tbl *table.Table, snapshotID int64) []string {
	t.Helper()
	var opts []table.ScanOption
	if snapshotID != 0 {
		opts = append(opts, table.WithSnapshotID(snapshotID))
	}
	at, err := tbl.Scan(opts...).ToArrowTable(ctx)
	if err != nil {
		t.Fatalf("scanning %v: %v", tbl.Identifier(), err)
	}
	defer at.Release()
	tr := array.NewTableReader(at, 4096)
	defer tr.Release()
	return Rows(t, tr)
}
