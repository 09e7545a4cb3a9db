package marts_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/marts"
	"github.com/sonla-data/kho/warehouse/query"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, text string
		deps       []string
		volatile   bool
		tests      []string // kinds
		err        string
	}{
		{name: "deps found and declared", text: "-- label: L\n-- depends_on: reference.agencies\n-- test: unique(a)\nSELECT a FROM health.visits JOIN marts.other USING (a)",
			deps: []string{"health.visits", "marts.other", "reference.agencies"}, tests: []string{"unique"}},
		{name: "system tables are volatile", text: "-- label: L\nSELECT * FROM kho.tables", deps: []string{"kho.tables"}, volatile: true},
		{name: "the clock is volatile", text: "-- label: L\nSELECT now() AS t", volatile: true},
		{name: "a cte named today is not the clock", text: "-- label: L\nWITH today AS (SELECT 1 AS x) SELECT * FROM today"},
		{name: "every test kind", text: "-- label: L\n-- test: not_null(a)\n-- test: accepted_values(a, 'x')\n-- test: accepted_range(a, 0, 1)\n" +
			"-- test: reconcile(round(sum(a), 2), SELECT sum(n) FROM health.visits)\n-- test: assert(a >= 0 AND b <= a)\n-- test: row_count(1, 75)\n" +
			"-- test: relationships(a, reference.admin_units, code)\nSELECT 1 AS a",
			deps:  []string{"health.visits", "reference.admin_units"},
			tests: []string{"not_null", "accepted_values", "accepted_range", "reconcile", "assert", "row_count", "relationships"}},
		{name: "bad tests", text: "-- label: L\n-- test: row_count(x)\n-- test: relationships(a, b)\n-- test: frobnicate(a)\nSELECT 1", err: "row_count"},
		{name: "no label", text: "SELECT 1", err: "label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := marts.Parse("marts/m.sql", tt.text)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.Contains(t, err.Error(), "marts/m.sql:", "errors name the file and line")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.deps, m.DependsOn)
			assert.Equal(t, tt.volatile, m.Volatile)
			var kinds []string
			for _, x := range m.Tests {
				kinds = append(kinds, x.Kind)
				assert.NotEmpty(t, x.SQL)
			}
			assert.Equal(t, tt.tests, kinds)
		})
	}
}

var srcArrow = arrow.NewSchema([]arrow.Field{
	{Name: "agency", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

func writeSource(t *testing.T, l *lake.Lake, rows map[string]int64) {
	t.Helper()
	ctx := t.Context()
	tbl, err := l.Ensure(ctx, "health.src", iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "agency", Type: iceberg.PrimitiveTypes.String},
		iceberg.NestedField{ID: 2, Name: "n", Type: iceberg.PrimitiveTypes.Int64}), *iceberg.UnpartitionedSpec, nil)
	require.NoError(t, err)
	sp, err := lake.NewSpool(t.TempDir(), srcArrow, memory.DefaultAllocator, nil)
	require.NoError(t, err)
	defer sp.Release()
	b := array.NewRecordBuilder(memory.DefaultAllocator, srcArrow)
	defer b.Release()
	for a, n := range rows {
		b.Field(0).(*array.StringBuilder).Append(a)
		b.Field(1).(*array.Int64Builder).Append(n)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	require.NoError(t, sp.Write(rec))
	require.NoError(t, sp.Finish())
	_, err = l.Commit(ctx, tbl, sp, lake.Write{Mode: lake.Overwrite, Summary: map[string]string{lake.SumPipeline: "src"}})
	require.NoError(t, err)
}

var martFiles = fstest.MapFS{
	"marts/by_agency.sql": {Data: []byte(`-- label: Theo cơ quan
-- key: agency
-- test: unique(agency)
-- test: reconcile(sum(total), SELECT sum(n) FROM health.src)
-- test: assert(total >= 0)
SELECT agency, CAST(sum(n) AS BIGINT) AS total FROM health.src GROUP BY agency`)},
	"marts/province.sql": {Data: []byte(`-- label: Toàn tỉnh
-- test: row_count(1, 1)
SELECT CAST(sum(total) AS BIGINT) AS total, count(*) AS agencies FROM marts.by_agency`)},
	"marts/freshness.sql": {Data: []byte(`-- label: Độ mới
SELECT dataset, "rows" FROM kho.tables WHERE kind = 'table'`)},
}

// TestBuild builds marts in dependency order, skips those whose inputs did
// not change, rebuilds those downstream of a change, and fails the build
// when a test fails.
func TestBuild(t *testing.T) {
	ctx := t.Context()
	l, err := lake.Open(ctx, lake.Config{Root: t.TempDir()})
	require.NoError(t, err)
	defer l.Close()
	writeSource(t, l, map[string]int64{"a": 1, "b": 2})
	ms, err := marts.Load(martFiles, "marts")
	require.NoError(t, err)
	e, err := query.Open(ctx, l, query.Options{})
	require.NoError(t, err)
	defer e.Close()
	b := &marts.Builder{Lake: l, Engine: e, Marts: ms, RunID: "r1"}

	built := func(res []marts.Result) map[string]bool {
		out := map[string]bool{}
		for _, r := range res {
			out[r.Mart] = !r.Skipped
			assert.Empty(t, r.Failures, r.Mart)
		}
		return out
	}
	res, err := b.Build(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"by_agency", "freshness", "province"}, []string{res[0].Mart, res[1].Mart, res[2].Mart}, "by_agency before province")
	assert.Equal(t, map[string]bool{"by_agency": true, "freshness": true, "province": true}, built(res))
	var total, agencies int64
	require.NoError(t, e.DB().QueryRowContext(ctx, `SELECT total, agencies FROM marts.province`).Scan(&total, &agencies))
	assert.Equal(t, []int64{3, 2}, []int64{total, agencies})

	// Nothing changed: only the volatile mart is rebuilt; all are tested.
	res, err = b.Build(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]bool{"by_agency": false, "freshness": true, "province": false}, built(res))
	assert.EqualValues(t, 2, res[0].Rows, "a skipped mart reports its rows")

	// The source changed: both marts downstream are rebuilt.
	writeSource(t, l, map[string]int64{"a": 1, "b": 2, "c": 4})
	res, err = b.Build(ctx)
	require.NoError(t, err)
	assert.Equal(t, map[string]bool{"by_agency": true, "freshness": true, "province": true}, built(res))
	require.NoError(t, e.DB().QueryRowContext(ctx, `SELECT total, agencies FROM marts.province`).Scan(&total, &agencies))
	assert.Equal(t, []int64{7, 3}, []int64{total, agencies})

	// Force rebuilds what did not change.
	b.Force = true
	res, err = b.Build(ctx, "by_agency")
	require.NoError(t, err)
	assert.Equal(t, map[string]bool{"by_agency": true}, built(res))
	b.Force = false

	// A failing test fails the build, naming the file, the line and the rows.
	writeSource(t, l, map[string]int64{"a": -10})
	res, err = b.Build(ctx)
	var te *marts.TestError
	require.True(t, errors.As(err, &te), "%v", err)
	require.Len(t, te.Failures, 1)
	assert.Contains(t, te.Failures[0], "marts/by_agency.sql:5: by_agency: assert(total >= 0) failed: {agency=a total=-10}")
	assert.Len(t, res, 3, "every mart was still tried")
}

func TestLineage(t *testing.T) {
	ms, err := marts.Load(martFiles, "marts")
	require.NoError(t, err)
	l, err := marts.BuildLineage(ms, map[string][]string{"health.src": {"health_src"}, "health.unread": {"x"}})
	require.NoError(t, err)

	var text strings.Builder
	require.NoError(t, l.WriteText(&text))
	assert.Equal(t, `marts.by_agency
   <- health.src
      <- pipeline health_src
marts.freshness
   <- kho.tables (lake metadata)
marts.province
   <- marts.by_agency
      <- health.src
         <- pipeline health_src
`, text.String())

	var mm strings.Builder
	require.NoError(t, l.WriteMermaid(&mm))
	out := mm.String()
	assert.True(t, strings.HasPrefix(out, "flowchart LR\n"))
	for _, want := range []string{
		`p_health_src(["health_src"]):::pipeline`,
		`t_health_src[("health.src")]:::table`,
		`s_kho_tables{{"kho.tables"}}:::system`,
		`m_marts_by_agency[["marts.by_agency"]]:::mart`,
		"p_health_src --> t_health_src",
		"t_health_src --> m_marts_by_agency",
		"m_marts_by_agency --> m_marts_province",
		"s_kho_tables --> m_marts_freshness",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "unread", "only tables a mart reads")
}

// TestFigures: "-- figure:" lines say how a numeric column adds up; a mart
// that declares figures must declare every numeric column outside its key,
// and a sector mart must declare them.
func TestFigures(t *testing.T) {
	m, err := marts.Parse("marts/sector_x.sql", `-- mart: sector_x
-- label: X
-- key: commune_code, year
-- figure: area_ha = sum
-- figure: output_t = sum
-- figure: yield_t_ha = output_t / area_ha
-- figure: price = none
-- column: area_ha = Diện tích (ha) | Area (ha)
-- column: output_t = Sản lượng (tấn) | Output (t)
-- column: yield_t_ha = Năng suất (tấn/ha) | Yield (t/ha)
SELECT 1`)
	require.NoError(t, err)
	require.Equal(t, []marts.Figure{
		{Column: "area_ha", Kind: marts.FigureSum, Line: 4}, {Column: "output_t", Kind: marts.FigureSum, Line: 5},
		{Column: "yield_t_ha", Kind: marts.FigureRatio, Num: "output_t", Den: "area_ha", Line: 6}, {Column: "price", Kind: marts.FigureNone, Line: 7},
	}, m.Figures)
	numeric := map[string]bool{"year": true, "area_ha": true, "output_t": true, "yield_t_ha": true, "price": true}
	require.NoError(t, m.CheckFigures([]string{"commune_code", "year", "area_ha", "output_t", "yield_t_ha", "price"}, numeric))
	numeric["heads"] = true
	assert.ErrorContains(t, m.CheckFigures([]string{"commune_code", "year", "area_ha", "output_t", "yield_t_ha", "price", "heads"}, numeric),
		"numeric column heads has no")
	delete(numeric, "area_ha")
	assert.ErrorContains(t, m.CheckFigures([]string{"commune_code", "year", "output_t", "yield_t_ha", "price", "heads"}, numeric),
		"area_ha is not a numeric column")

	bare, err := marts.Parse("marts/sector_y.sql", "-- mart: sector_y\n-- label: Y\nSELECT 1")
	require.NoError(t, err)
	assert.ErrorContains(t, bare.CheckFigures([]string{"n"}, map[string]bool{"n": true}), "a sector mart needs")

	_, err = marts.Parse("marts/sector_z.sql", "-- mart: sector_z\n-- label: Z\n-- figure: rate = avg\nSELECT 1")
	assert.ErrorContains(t, err, "sector_z.sql:3: figure \"rate = avg\" must be")
}

// TestColumnLabels: "-- column:" lines label a mart's columns in Vietnamese
// and English; a sector mart labels every figure it shows, and a label
// names a column the mart has.
func TestColumnLabels(t *testing.T) {
	m, err := marts.Parse("marts/sector_a.sql", `-- mart: sector_a
-- label: A
-- description: English.
-- description_vi: Mô tả
--   tiếng Việt.
-- figure: visits = sum
-- figure: price = none
-- column: visits = Lượt khám | Visits
SELECT 1`)
	require.NoError(t, err)
	require.Equal(t, "Mô tả tiếng Việt.", m.DescriptionVI)
	c, ok := m.ColumnLabel("visits")
	require.True(t, ok)
	require.Equal(t, marts.ColumnLabel{Name: "visits", Label: "Lượt khám", LabelEN: "Visits", Line: 8}, c)
	assert.ErrorContains(t, m.CheckFigures([]string{"price"}, map[string]bool{"price": true}), "column visits is labelled but the mart has no such column")

	_, err = marts.Parse("marts/sector_b.sql", "-- mart: sector_b\n-- label: B\n-- figure: visits = sum\nSELECT 1")
	assert.ErrorContains(t, err, "sector_b.sql:3: figure visits needs a \"-- column: visits = ")
	_, err = marts.Parse("marts/sector_c.sql", "-- mart: sector_c\n-- label: C\n-- column: visits = Lượt khám\nSELECT 1")
	assert.ErrorContains(t, err, "sector_c.sql:3: column \"visits = Lượt khám\" must be name = Vietnamese label | English label")
	_, err = marts.Parse("marts/other.sql", "-- mart: other\n-- label: O\n-- figure: visits = sum\nSELECT 1")
	assert.NoError(t, err, "only the dashboard's sector marts must label their figures")
}
