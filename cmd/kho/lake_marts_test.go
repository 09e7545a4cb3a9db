package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/warehouse/lake"
	"github.com/sonla-data/kho/warehouse/lake/laketest"
	"github.com/sonla-data/kho/warehouse/marts"
	"github.com/sonla-data/kho/warehouse/query"
)

// volatileColumns change with the moment of a build, not with the data.
var volatileColumns = []string{"as_of", "last_write_at"}

// martRows reads a mart through the engine, without its volatile columns.
func martRows(t *testing.T, a *app, table string) []string {
	t.Helper()
	ctx := t.Context()
	ns, name, _ := strings.Cut(table, ".")
	rows, err := a.engine.DB().QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`, ns, name)
	require.NoError(t, err)
	var cols []string
	for rows.Next() {
		var c, typ string
		require.NoError(t, rows.Scan(&c, &typ))
		switch {
		case slices.Contains(volatileColumns, c):
		case typ == "DOUBLE" || typ == "FLOAT":
			// sums of doubles differ in their last bits with the order
			// DuckDB's threads add them in
			cols = append(cols, fmt.Sprintf("round(%s, 6) AS %s", query.Ident(c), query.Ident(c)))
		default:
			cols = append(cols, query.Ident(c))
		}
	}
	require.NoError(t, rows.Err())
	rows.Close()
	require.NotEmpty(t, cols, table)
	var out []string
	require.NoError(t, a.engine.ArrowQuery(ctx, fmt.Sprintf("SELECT %s FROM %s.%s", strings.Join(cols, ", "), query.Ident(ns), query.Ident(name)),
		func(r array.RecordReader) error {
			out = laketest.Rows(t, r)
			return nil
		}))
	return out
}

// agree checks that the DuckDB view of every table of the lake (or of the
// named ones) returns what iceberg-go's scan of its current snapshot
// returns, row for row.
func agree(t *testing.T, a *app, when string, names ...string) {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, a.engine.Refresh(ctx))
	if len(names) == 0 {
		all, err := a.lake.Tables(ctx)
		require.NoError(t, err)
		names = all
	}
	require.NotEmpty(t, names)
	for _, n := range names {
		tbl, err := a.lake.Load(ctx, n)
		require.NoError(t, err)
		ns, name, _ := strings.Cut(n, ".")
		var duck []string
		require.NoError(t, a.engine.ArrowQuery(ctx, fmt.Sprintf("SELECT * FROM %s.%s", query.Ident(ns), query.Ident(name)), func(r array.RecordReader) error {
			duck = laketest.Rows(t, r)
			return nil
		}))
		ice := laketest.IcebergRows(t, ctx, tbl, 0)
		if !assert.Equal(t, len(ice), len(duck), "%s: %s rows", when, n) {
			continue
		}
		assert.True(t, slices.Equal(ice, duck), "%s: %s: DuckDB and iceberg-go disagree", when, n)
	}
}

// demoOn runs the demo at scale 1 in a workspace whose lake has the given
// catalog, and opens it; it returns the app and the sample's folder. The
// workspace and the app live as long as owner, t runs the commands.
func demoOn(owner, t *testing.T, catalog string) (*app, string) {
	t.Helper()
	dir, config := workspace(owner)
	if catalog == "postgres" {
		f, err := os.OpenFile(config, os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = fmt.Fprintf(f, "lake:\n  catalog: {type: postgres, dsn: %q}\n", laketest.PostgresDSN(owner))
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}
	sample := filepath.Join(dir, "kho-data", "sample")
	kho(t, "sample-data", "--out", sample, "--scale", "1", "--seed", "7")
	out := kho(t, "--config", config, "run", "--all")
	require.NotContains(t, out, "FAIL", out)
	cfg, err := loadConfig(config)
	require.NoError(t, err)
	a, err := openApp(context.WithoutCancel(t.Context()), cfg, true)
	require.NoError(t, err)
	owner.Cleanup(a.close)
	require.Equal(t, catalog, a.lake.CatalogKind())
	return a, sample
}

// TestLakeAndMarts runs the whole demo on the SQLite catalog and on the
// PostgreSQL one, then checks that every leadership mart reconciles with
// figures computed from the sample's files; that every mart is the same on
// both catalogs; that on both every table reads the same through DuckDB as
// through iceberg-go, before and after `kho lake maintain`; and that
// snapshots, time travel and rollback work from the command line.
func TestLakeAndMarts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the demo twice; skipped with -short")
	}
	var (
		lite, pg *app
		sample   string
	)
	// The two demos run side by side: most of their time is spent waiting
	// for the disk.
	t.Run("demo", func(d *testing.T) {
		d.Run("sqlite", func(s *testing.T) {
			s.Parallel()
			lite, sample = demoOn(t, s, "sqlite")
		})
		d.Run("postgres", func(s *testing.T) {
			s.Parallel()
			pg, _ = demoOn(t, s, "postgres")
		})
	})
	if lite == nil || pg == nil {
		t.FailNow()
	}

	t.Run("marts reconcile with the sample", func(t *testing.T) { reconcileMarts(t, lite, sample) })

	t.Run("PostgreSQL catalog gives the same marts", func(t *testing.T) {
		var n int
		require.NoError(t, pg.lake.CatalogDB().QueryRowContext(t.Context(), `SELECT count(*) FROM iceberg_tables WHERE catalog_name = 'kho'`).Scan(&n))
		tables, err := pg.lake.Tables(t.Context())
		require.NoError(t, err)
		assert.Equal(t, len(tables), n, "every table is a row of the JDBC catalog's iceberg_tables on PostgreSQL")
		require.NotEmpty(t, lite.marts)
		for _, m := range lite.marts {
			want := martRows(t, lite, m.Table())
			assert.NotEmpty(t, want, m.Table())
			assert.True(t, slices.Equal(want, martRows(t, pg, m.Table())), "%s differs between the SQLite and the PostgreSQL catalog", m.Table())
		}
	})

	t.Run("DuckDB agrees with iceberg-go on every table", func(t *testing.T) {
		for _, a := range []*app{lite, pg} {
			agree(t, a, a.lake.CatalogKind()+" after the demo")
		}
	})

	t.Run("snapshots, time travel and rollback", func(t *testing.T) { timeTravel(t, lite) })
}

// cobraWith is a command to hand to what a subcommand runs: the test's
// context, output to w.
func cobraWith(t *testing.T, w io.Writer) *cobra.Command {
	c := &cobra.Command{}
	c.SetOut(w)
	c.SetContext(t.Context())
	return c
}

// khoErr runs the CLI in-process and returns what it printed and its error.
func khoErr(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	root := newRoot()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(t.Context())
	return out.String(), err
}

// timeTravel deletes rows of a table, reads the past by --as-of and by
// name, rolls the table back and forth from the command line, and sees the
// marts that read it rebuilt while the others are not.
func timeTravel(t *testing.T, a *app) {
	ctx := t.Context()
	cfg := a.cfg.File
	count := func(args ...string) string {
		out := kho(t, append([]string{"--config", cfg, "query", "-f", "csv"}, args...)...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, 2, out)
		return lines[1]
	}
	const q = `SELECT count(*) FROM reference.agencies`
	before := count(q)
	tbl, err := a.lake.Load(ctx, "reference.agencies")
	require.NoError(t, err)
	s0 := tbl.CurrentSnapshot().SnapshotID
	tbl, err = a.lake.Delete(ctx, tbl, iceberg.EqualTo(iceberg.Reference("level"), "tỉnh"), map[string]string{lake.SumPipeline: "test"})
	require.NoError(t, err)
	s1 := tbl.CurrentSnapshot().SnapshotID

	after := count(q)
	assert.NotEqual(t, before, after, "the delete removed the province's agencies")
	// The marts that read reference.agencies see a new input and are
	// rebuilt; those that do not are the same.
	// The agency mart's relationships test fails the build: its dossiers'
	// agencies are gone.
	built, err := khoErr(t, "--config", cfg, "marts", "build")
	var te *marts.TestError
	require.ErrorAs(t, err, &te)
	assert.Contains(t, err.Error(), "dossier_kpi_monthly: relationships(agency_code, reference.agencies, agency_code) failed")
	assert.Regexp(t, `ok   mart marts\.dossier_kpi_commune_monthly`, built)
	assert.Regexp(t, `same mart marts\.sector_health`, built)
	assert.Regexp(t, `ok   mart marts\.data_development_index`, built, "volatile: always rebuilt")
	assert.Equal(t, before, count("--as-of", fmt.Sprint(s0), q))
	assert.Equal(t, before, count(fmt.Sprintf(`SELECT count(*) FROM reference.agencies__snapshot_%d`, s0)))
	assert.Equal(t, "0", count(`SELECT count(*) FROM reference.agencies__asof_20000101`), "before the lake existed")

	snaps := kho(t, "--config", cfg, "lake", "snapshots", "reference.agencies", "-f", "csv")
	assert.Contains(t, snaps, fmt.Sprint(s0))
	assert.Contains(t, snaps, ",delete,")

	out := kho(t, "--config", cfg, "lake", "rollback", "reference.agencies", fmt.Sprint(s0))
	assert.Contains(t, out, fmt.Sprintf("-> %d", s0))
	assert.Equal(t, before, count(q))
	assert.Contains(t, kho(t, "--config", cfg, "lake", "snapshots", "reference.agencies"), "rolled back")

	// Back to the snapshot the marts were first built on: rebuilt again.
	built = kho(t, "--config", cfg, "marts", "build")
	assert.Regexp(t, `ok   mart marts\.dossier_kpi_commune_monthly`, built)
	assert.Regexp(t, `same mart marts\.sector_health`, built)

	_, err = khoErr(t, "--config", cfg, "lake", "rollback", "reference.agencies", "42")
	var ue usageError
	assert.ErrorAs(t, err, &ue, "an unknown snapshot is the user's mistake")
	_, err = khoErr(t, "--config", cfg, "query", "--as-of", "yesterday", q)
	assert.ErrorAs(t, err, &ue)

	// Maintenance with no retention expires the delete the rollback stepped
	// over, not the snapshot that holds the pipeline's state; the table
	// still reads the same both ways, the expired snapshot no more.
	t.Setenv("KHO_LAKE_RETENTION", "0s")
	t.Setenv("KHO_LAKE_MIN_SNAPSHOTS", "1")
	out = kho(t, "--config", cfg, "lake", "maintain", "reference.agencies")
	assert.Regexp(t, `ok   reference\.agencies +files +1 -> 1 +snapshots +2, expired 1 `, out)
	agree(t, a, "after kho lake maintain", "reference.agencies")
	_, err = khoErr(t, "--config", cfg, "query", fmt.Sprintf(`SELECT count(*) FROM reference.agencies__snapshot_%d`, s1))
	assert.ErrorContains(t, err, "has no snapshot")
	assert.Equal(t, before, count(fmt.Sprintf(`SELECT count(*) FROM reference.agencies__snapshot_%d`, s0)))

	mermaid := kho(t, "--config", cfg, "marts", "lineage", "--format", "mermaid")
	text := kho(t, "--config", cfg, "marts", "lineage")
	for _, m := range a.marts {
		assert.Contains(t, mermaid, `[["`+m.Table()+`"]]`)
		assert.Contains(t, text, m.Table()+"\n")
	}
	assert.Contains(t, mermaid, `p_admin_procedures_dossiers(["admin_procedures_dossiers"]):::pipeline`)
	assert.Contains(t, mermaid, "t_admin_procedures_dossiers --> m_marts_dossier_kpi_monthly")
}
