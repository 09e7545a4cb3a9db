package engine

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkCheck is the sandbox's share of a statement: DuckDB's parse and
// the tree walk.
func BenchmarkCheck(b *testing.B) {
	f := newFixture(b, Options{})
	for b.Loop() {
		_, err := f.engine.Check(context.Background(), dashboard, "SELECT * FROM marts.dossier_kpi_monthly WHERE month = CAST(? AS DATE) AND agency_code IN (CAST(? AS VARCHAR)) ORDER BY agency_code, month")
		require.NoError(b, err)
	}
}

// BenchmarkRun is a small statement end to end, without HTTP.
func BenchmarkRun(b *testing.B) {
	f := newFixture(b, Options{})
	for b.Loop() {
		err := f.engine.Run(context.Background(), Query{Principal: dashboard, SQL: "SELECT * FROM marts.dossier_kpi_monthly WHERE month = CAST(? AS DATE)", Args: []any{"2025-03-01"}},
			func(r *Result) error {
				return r.Scan(func([]ResultColumn) error { return nil }, func([]any) error { return nil })
			})
		require.NoError(b, err)
	}
}

// BenchmarkDuckDB is DuckDB alone on a serving database.
func BenchmarkDuckDB(b *testing.B) {
	f := newFixture(b, Options{})
	for b.Loop() {
		rows, err := f.engine.masked.db.QueryContext(context.Background(), "SELECT * FROM marts.dossier_kpi_monthly WHERE month = CAST(? AS DATE)", "2025-03-01")
		require.NoError(b, err)
		for rows.Next() {
		}
		rows.Close()
	}
}

func BenchmarkDuckDBNoArgs(b *testing.B) {
	f := newFixture(b, Options{})
	for b.Loop() {
		rows, err := f.engine.masked.db.QueryContext(context.Background(), "SELECT * FROM marts.dossier_kpi_monthly WHERE month = DATE '2025-03-01'")
		require.NoError(b, err)
		for rows.Next() {
		}
		rows.Close()
	}
}

func BenchmarkParse(b *testing.B) {
	f := newFixture(b, Options{})
	for b.Loop() {
		_, err := f.engine.checker.Parse(context.Background(), "SELECT * FROM marts.dossier_kpi_monthly WHERE month = CAST(? AS DATE)")
		require.NoError(b, err)
	}
}

// BenchmarkCatalogBuild is the building of a profile's catalog database.
func BenchmarkCatalogBuild(b *testing.B) {
	f := newFixture(b, Options{})
	for b.Loop() {
		f.engine.mu.Lock()
		f.engine.gen++ // a new generation: built again
		f.engine.mu.Unlock()
		_, release, err := f.engine.catalogFor(context.Background(), analyst)
		require.NoError(b, err)
		release()
	}
}
