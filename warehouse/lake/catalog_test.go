package lake_test

import (
	"database/sql"
	"sort"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/lake/laketest"
)

// row is one row of the test table: an id, a day, a number.
type row struct {
	ID  string
	Day string // yyyy-mm-dd
	N   int64
}

var (
	rowArrow = arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	rowIceberg = iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.String},
		iceberg.NestedField{ID: 2, Name: "day", Type: iceberg.PrimitiveTypes.Date},
		iceberg.NestedField{ID: 3, Name: "n", Type: iceberg.PrimitiveTypes.Int64})
	// byMonth partitions the test table by the month of its day, as the
	// schemas' partition: {column, transform: month} does.
	byMonth = iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{2}, FieldID: 1000, Name: "day_month", Transform: iceberg.MonthTransform{}})
)

func spool(t *testing.T, key []string, rows ...row) *lake.Spool {
	t.Helper()
	sp, err := lake.NewSpool(t.TempDir(), rowArrow, memory.DefaultAllocator, key)
	require.NoError(t, err)
	b := array.NewRecordBuilder(memory.DefaultAllocator, rowArrow)
	defer b.Release()
	for _, r := range rows {
		d, err := time.Parse(time.DateOnly, r.Day)
		require.NoError(t, err)
		b.Field(0).(*array.StringBuilder).Append(r.ID)
		b.Field(1).(*array.Date32Builder).Append(arrow.Date32FromTime(d))
		b.Field(2).(*array.Int64Builder).Append(r.N)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	require.NoError(t, sp.Write(rec))
	require.NoError(t, sp.Finish())
	return sp
}

func commit(t *testing.T, l *lake.Lake, tbl *table.Table, mode string, pipeline string, rows ...row) *table.Table {
	t.Helper()
	sp := spool(t, []string{"id"}, rows...)
	defer sp.Release()
	nt, err := l.Commit(t.Context(), tbl, sp, lake.Write{Mode: mode, Key: []string{"id"}, Summary: map[string]string{
		lake.SumPipeline: pipeline, lake.SumRunID: "run-" + mode, lake.SumState: `{"watermark":"` + pipeline + `"}`,
	}})
	require.NoError(t, err)
	return nt
}

// read scans a table's snapshot (0: current) with iceberg-go, sorted by id.
func read(t *testing.T, tbl *table.Table, snapshotID int64) []row {
	t.Helper()
	var opts []table.ScanOption
	if snapshotID != 0 {
		opts = append(opts, table.WithSnapshotID(snapshotID))
	}
	at, err := tbl.Scan(opts...).ToArrowTable(t.Context())
	require.NoError(t, err)
	defer at.Release()
	var out []row
	tr := array.NewTableReader(at, 1024)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		ids := rec.Column(0).(*array.String)
		days := rec.Column(1).(*array.Date32)
		ns := rec.Column(2).(*array.Int64)
		for i := 0; i < int(rec.NumRows()); i++ {
			out = append(out, row{ids.Value(i), days.Value(i).FormattedString(), ns.Value(i)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// columnsOf lists a catalog table's columns, lower-cased, on either
// database.
func columnsOf(t *testing.T, l *lake.Lake, tableName string) []string {
	t.Helper()
	var q string
	switch l.CatalogKind() {
	case "sqlite":
		q = `SELECT lower(name) FROM pragma_table_info(?) ORDER BY name`
	case "postgres":
		q = `SELECT lower(column_name) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY column_name`
	}
	rows, err := l.CatalogDB().QueryContext(t.Context(), q, tableName)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		require.NoError(t, rows.Scan(&c))
		out = append(out, c)
	}
	require.NoError(t, rows.Err())
	return out
}

// TestCatalogIsIcebergJDBC checks, on SQLite and on PostgreSQL, that the
// catalog is the one Iceberg's JDBC catalog (Trino's iceberg.catalog.type=jdbc,
// Spark's JdbcCatalog) reads: its two tables with their columns, and a row per
// table pointing at the current metadata file and the previous one.
func TestCatalogIsIcebergJDBC(t *testing.T) {
	for _, kind := range laketest.Catalogs {
		t.Run(kind, func(t *testing.T) {
			ctx := t.Context()
			l, err := lake.Open(ctx, laketest.Config(t, kind))
			require.NoError(t, err)
			defer l.Close()
			assert.Equal(t, kind, l.CatalogKind())

			// The JDBC catalog's columns (JdbcUtil in Apache Iceberg): V1 adds
			// iceberg_type to V0's five.
			assert.Equal(t, []string{"catalog_name", "iceberg_type", "metadata_location", "previous_metadata_location", "table_name", "table_namespace"},
				columnsOf(t, l, "iceberg_tables"))
			assert.Equal(t, []string{"catalog_name", "namespace", "property_key", "property_value"},
				columnsOf(t, l, "iceberg_namespace_properties"))

			tbl, err := l.Ensure(ctx, "health.t", rowIceberg, byMonth, nil)
			require.NoError(t, err)
			first := tbl.MetadataLocation()
			tbl = commit(t, l, tbl, lake.Append, "p", row{"a", "2025-01-02", 1})

			var cat, ns, name, typ, loc string
			var prev sql.NullString
			q := `SELECT catalog_name, table_namespace, table_name, iceberg_type, metadata_location, previous_metadata_location FROM iceberg_tables`
			require.NoError(t, l.CatalogDB().QueryRowContext(ctx, q).Scan(&cat, &ns, &name, &typ, &loc, &prev))
			assert.Equal(t, []string{lake.CatalogName, "health", "t", "TABLE", tbl.MetadataLocation(), first},
				[]string{cat, ns, name, typ, loc, prev.String})
			assert.Regexp(t, `^file:///.*/health\.db/t/metadata/00001-.*\.metadata\.json$`, loc)

			var nsProps int
			require.NoError(t, l.CatalogDB().QueryRowContext(ctx, `SELECT count(*) FROM iceberg_namespace_properties WHERE catalog_name = 'kho' AND namespace = 'health'`).Scan(&nsProps))
			assert.Positive(t, nsProps, "the namespace is recorded as the JDBC catalog records it")
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  lake.Config
		errs []string
	}{
		{"defaults", lake.Config{Root: "x"}, nil},
		{"days", lake.Config{Root: "x", Retention: "7d", LockTimeout: "30s", MinSnapshots: 3}, nil},
		{"everything wrong", lake.Config{Catalog: lake.CatalogConfig{Type: "oracle"}, Retention: "a month", MinSnapshots: -1, LockTimeout: "-1m"},
			[]string{"lake.root", "lake.catalog.type", "lake.retention", "lake.min_snapshots", "lake.lock_timeout"}},
		{"postgres without dsn", lake.Config{Root: "x", Catalog: lake.CatalogConfig{Type: "postgres"}}, []string{"lake.catalog.dsn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.errs) == 0 {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, e := range tt.errs {
				assert.Contains(t, err.Error(), e)
			}
		})
	}
	d, err := lake.ParseDuration("30d")
	require.NoError(t, err)
	assert.Equal(t, 720*time.Hour, d)
}
