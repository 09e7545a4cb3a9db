package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/security/sandbox"
	"github.com/sonla-data/kho/server/internal/testlake"
)

type fixture struct {
	*testlake.Lake
	engine *Engine
	audit  *audit.Log
}

func newFixture(t testing.TB, opt Options) *fixture {
	t.Helper()
	f := &fixture{Lake: testlake.Build(t)}
	var err error
	f.audit, err = audit.Open(t.Context(), filepath.Join(t.TempDir(), "audit.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { f.audit.Close() })
	opt.TempDir = t.TempDir()
	f.engine, err = Open(t.Context(), Deps{Lake: f.Lake.Lake, Schemas: f.Schemas, Marts: f.Marts, Audit: f.audit}, opt)
	require.NoError(t, err)
	t.Cleanup(func() { f.engine.Close() })
	return f
}

var (
	analyst    = auth.Principal{TokenID: "tk_an", Name: "an", Role: auth.Analyst, Agency: testlake.HealthOwner, Grants: []string{"health.visits"}}
	analystPII = auth.Principal{TokenID: "tk_pii", Name: "pii", Role: auth.Analyst, Agency: testlake.HealthOwner, Grants: []string{"health.visits"}, PII: true}
	labour     = auth.Principal{TokenID: "tk_lab", Name: "lab", Role: auth.Analyst, Agency: testlake.SharedOwner}
	dashboard  = auth.Principal{TokenID: "tk_dash", Name: "dash", Role: auth.Dashboard}
	engineer   = auth.Principal{TokenID: "tk_eng", Name: "eng", Role: auth.Engineer, Agency: testlake.HealthOwner}
)

// rows runs sql for p and returns its rows.
func rows(t *testing.T, e *Engine, p auth.Principal, sql string, args ...any) ([][]any, error) {
	t.Helper()
	var out [][]any
	err := e.Run(t.Context(), Query{Principal: p, SQL: sql, Args: args, Source: "test", Action: "sql"}, func(r *Result) error {
		return r.Scan(func([]ResultColumn) error { return nil }, func(v []any) error {
			out = append(out, append([]any(nil), v...))
			return nil
		})
	})
	return out, err
}

func TestMasking(t *testing.T) {
	f := newFixture(t, Options{})
	const q = "SELECT patient_name, citizen_id, phone, icd10, birth_year FROM health.visits WHERE visit_id = 'LK1'"
	got, err := rows(t, f.engine, analyst, q)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, testlake.NameMasked, got[0][0])
	assert.Regexp(t, testlake.CCCDMasked, got[0][1])
	assert.Regexp(t, testlake.PhoneMasked, got[0][2])
	assert.Equal(t, []any{nil, int64(1980)}, got[0][3:])

	got, err = rows(t, f.engine, analystPII, q)
	require.NoError(t, err)
	assert.Equal(t, [][]any{{testlake.Name, testlake.CCCD, testlake.Phone, "J20", int64(1980)}}, got)

	// Filtering on the raw value finds nothing through the masked view.
	got, err = rows(t, f.engine, analyst, "SELECT count(*) FROM health.visits WHERE citizen_id = ?", testlake.CCCD)
	require.NoError(t, err)
	assert.Equal(t, [][]any{{int64(0)}}, got)

	// The quarantine keeps no PII for a token without the grant.
	got, err = rows(t, f.engine, engineer, "SELECT raw_value, record, reason_en FROM health.visits__quarantine")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Regexp(t, testlake.QuarantineMasked, got[0][0])
	assert.Equal(t, []any{nil, "Bad pattern"}, got[0][1:])

	// Shared data of the owner agency, masked.
	got, err = rows(t, f.engine, labour, "SELECT contact_name, contact_email FROM labour.wage_reports WHERE report_id = 'W1'")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "L. T. H.", got[0][0])
	assert.Regexp(t, testlake.EmailMasked, got[0][1])
}

func TestAccess(t *testing.T) {
	f := newFixture(t, Options{})
	cases := []struct {
		name string
		p    auth.Principal
		sql  string
		ok   bool
	}{
		{"open for the public", auth.Anonymous(), "SELECT * FROM health.clinics", true},
		{"restricted needs a grant", dashboard, "SELECT * FROM health.visits", false},
		{"restricted with a grant", analyst, "SELECT * FROM health.visits", true},
		{"shared for the owner agency", labour, "SELECT * FROM labour.wage_reports", true},
		{"shared not for another agency", analyst, "SELECT * FROM labour.wage_reports", false},
		{"mart for the dashboard", dashboard, "SELECT * FROM marts.dossier_kpi_monthly", true},
		{"mart not for the public", auth.Anonymous(), "SELECT * FROM marts.dossier_kpi_monthly", false},
		{"quarantine for the owner's engineer", engineer, "SELECT * FROM health.visits__quarantine", true},
		{"quarantine not for an analyst", analyst, "SELECT * FROM health.visits__quarantine", false},
		{"join with restricted", dashboard, "SELECT * FROM health.clinics c JOIN health.visits v USING (clinic_id)", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rows(t, f.engine, tc.p, tc.sql)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			var r *sandbox.Refusal
			assert.True(t, errors.As(err, &r), "want a refusal, got %v", err)
		})
	}
	require.NoError(t, f.audit.Flush(t.Context()))
	refused, err := f.audit.Entries(t.Context(), audit.Filter{Outcome: audit.Refused})
	require.NoError(t, err)
	assert.Len(t, refused, 5)
	for _, e := range refused {
		assert.Contains(t, e.Reason, sandbox.CodeTable)
		assert.NotEmpty(t, e.SQL)
	}
}

func TestLimits(t *testing.T) {
	f := newFixture(t, Options{MaxRows: 2500, Timeout: 300 * time.Millisecond})
	count := func(q Query, arrow bool) (int64, bool) {
		t.Helper()
		q.Principal = dashboard
		var n int64
		var cut bool
		require.NoError(t, f.engine.Run(t.Context(), q, func(r *Result) error {
			var err error
			if arrow {
				err = r.Arrow(func(rdr array.RecordReader) error {
					for rdr.Next() {
						n += rdr.RecordBatch().NumRows()
					}
					return rdr.Err()
				})
			} else {
				err = r.Scan(func([]ResultColumn) error { return nil }, func([]any) error { n++; return nil })
			}
			cut = r.Truncated()
			assert.Equal(t, n, r.Rows())
			return err
		}))
		return n, cut
	}
	const q = "SELECT * FROM range(10000)"
	for _, arrow := range []bool{false, true} {
		n, cut := count(Query{SQL: q}, arrow)
		assert.EqualValues(t, 2500, n, "the engine's limit, across Arrow batches of 2048")
		assert.True(t, cut)
		n, cut = count(Query{SQL: q, MaxRows: 3}, arrow)
		assert.EqualValues(t, 3, n, "a lower limit")
		assert.True(t, cut)
		n, _ = count(Query{SQL: q, MaxRows: 5000}, arrow)
		assert.EqualValues(t, 2500, n, "a statement cannot raise the limit")
		n, cut = count(Query{SQL: q, Unbounded: true}, arrow)
		assert.EqualValues(t, 10000, n, "downloads")
		assert.False(t, cut)
		n, cut = count(Query{SQL: "SELECT * FROM range(2500)"}, arrow)
		assert.EqualValues(t, 2500, n)
		assert.False(t, cut, "exactly the limit is not cut")
	}

	// Time limit: DuckDB is interrupted.
	start := time.Now()
	_, err := rows(t, f.engine, dashboard, "SELECT count(*) FROM range(100000000000) a(i) WHERE i % 7 = 3")
	var te *TimeoutError
	require.ErrorAs(t, err, &te)
	assert.Less(t, time.Since(start), 5*time.Second)

	// Cancellation by the caller.
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	err = f.engine.Run(ctx, Query{Principal: dashboard, SQL: "SELECT count(*) FROM range(100000000000) a(i) WHERE i % 7 = 3", Timeout: time.Minute},
		func(r *Result) error {
			return r.Scan(func([]ResultColumn) error { return nil }, func([]any) error { return nil })
		})
	var ce *CanceledError
	require.ErrorAs(t, err, &ce)

	require.NoError(t, f.audit.Flush(t.Context()))
	for outcome, want := range map[string]int{audit.Timeout: 1, audit.Canceled: 1, audit.OK: 10} {
		es, err := f.audit.Entries(t.Context(), audit.Filter{Outcome: outcome})
		require.NoError(t, err)
		assert.Len(t, es, want, outcome)
	}
}

func TestCatalogShowsOnlyWhatTheTokenReads(t *testing.T) {
	f := newFixture(t, Options{})
	const q = "SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1"
	got, err := rows(t, f.engine, dashboard, q)
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"health.clinics"}, {"marts.dossier_kpi_monthly"}}, got)
	got, err = rows(t, f.engine, analyst, q)
	require.NoError(t, err)
	assert.Equal(t, [][]any{{"health.clinics"}, {"health.visits"}, {"marts.dossier_kpi_monthly"}}, got)
	// The catalog has no data.
	got, err = rows(t, f.engine, analyst, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'visits'")
	require.NoError(t, err)
	assert.Equal(t, [][]any{{int64(13)}}, got)
}

// TestCatalogSchemata: information_schema.schemata lists the schemas the
// token may read and PostgreSQL's own, as pg_namespace does, in the database
// the client named.
func TestCatalogSchemata(t *testing.T) {
	f := newFixture(t, Options{})
	const q = "SELECT catalog_name, schema_name FROM information_schema.schemata ORDER BY 2"
	for _, tc := range []struct {
		p    auth.Principal
		want []string
	}{
		{dashboard, []string{"health", "marts", "pg_catalog", "public"}},
		{labour, []string{"health", "labour", "marts", "pg_catalog", "public"}},
	} {
		got, err := rows(t, f.engine, tc.p, q)
		require.NoError(t, err)
		var names []string
		for _, r := range got {
			assert.Equal(t, "kho", r[0], "the database's name (none given)")
			names = append(names, r[1].(string))
		}
		assert.Equal(t, tc.want, names, tc.p.Name)
		ns, err := rows(t, f.engine, tc.p, "SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1")
		require.NoError(t, err)
		assert.Len(t, ns, len(tc.want), "pg_namespace lists the same schemas")
	}
}

func TestRefreshSeesNewSnapshots(t *testing.T) {
	cases := []struct {
		name         string
		materialize  int64
		before, then bool // materialised before and after the append
	}{
		{"views over the files", -1, false, false},
		{"in-memory copies", 100, true, true},
		{"a copy that grows into a view", 3, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, Options{MaterializeRows: tc.materialize})
			o, _ := f.engine.Object(dashboard, "health.clinics")
			assert.Equal(t, tc.before, o.materialized)
			f.Append(t, "health.clinics", `[{"clinic_id": "140004", "clinic_name": "Trạm y tế xã Mường Bon", "beds": 3}]`)
			got, err := rows(t, f.engine, dashboard, "SELECT count(*) FROM health.clinics")
			require.NoError(t, err)
			assert.Equal(t, [][]any{{int64(3)}}, got, "the views read the snapshot of the last refresh")
			require.NoError(t, f.engine.Refresh(t.Context()))
			for _, p := range []auth.Principal{dashboard, analystPII} {
				got, err = rows(t, f.engine, p, "SELECT count(*) FROM health.clinics")
				require.NoError(t, err)
				assert.Equal(t, [][]any{{int64(4)}}, got)
			}
			o, ok := f.engine.Object(dashboard, "health.clinics")
			require.True(t, ok)
			assert.EqualValues(t, 4, o.Rows)
			assert.Equal(t, tc.then, o.materialized)
			assert.WithinDuration(t, time.Now(), o.Freshness, time.Minute)
			// The masked copy holds masked values only.
			got, err = rows(t, f.engine, analyst, "SELECT citizen_id FROM health.visits WHERE visit_id = 'LK1'")
			require.NoError(t, err)
			require.Len(t, got, 1)
			assert.Regexp(t, testlake.CCCDMasked, got[0][0])
		})
	}
}

// TestCatalogRowCountsFollowRefresh: pg_stat_user_tables (Metabase's row
// estimate) counts the rows of the last refresh's snapshot, not those of the
// catalog database's first build, though no table or column changed.
func TestCatalogRowCountsFollowRefresh(t *testing.T) {
	f := newFixture(t, Options{})
	const q = "SELECT n_live_tup FROM pg_catalog.pg_stat_user_tables WHERE schemaname = 'health' AND relname = 'clinics'"
	got, err := rows(t, f.engine, dashboard, q)
	require.NoError(t, err)
	assert.Equal(t, [][]any{{int64(3)}}, got)
	f.Append(t, "health.clinics", `[{"clinic_id": "140004", "clinic_name": "Trạm y tế xã Mường Bon", "beds": 3}]`)
	require.NoError(t, f.engine.Refresh(t.Context()))
	for _, p := range []auth.Principal{dashboard, analyst} {
		got, err = rows(t, f.engine, p, q)
		require.NoError(t, err)
		assert.Equal(t, [][]any{{int64(4)}}, got, "%s after the refresh", p.Name)
	}
}

// TestDuckDBLayer checks the second layer alone: the serving databases, with
// their configuration locked, still read the views but no other file, even
// for SQL the sandbox would have refused.
func TestDuckDBLayer(t *testing.T) {
	f := newFixture(t, Options{MaterializeRows: -1}) // views over the lake's files
	ctx := t.Context()
	for _, db := range []*database{f.engine.masked, f.engine.raw} {
		var n int
		require.NoError(t, db.db.QueryRowContext(ctx, "SELECT count(*) FROM health.visits").Scan(&n))
		assert.Equal(t, 4, n)
		var kind string
		require.NoError(t, db.db.QueryRowContext(ctx, "SELECT table_type FROM information_schema.tables WHERE table_schema = 'health' AND table_name = 'visits'").Scan(&kind))
		assert.Equal(t, "VIEW", kind)
		for _, q := range []string{
			"SELECT * FROM read_text('/etc/passwd')",
			"SELECT * FROM read_blob('" + filepath.Join(f.Root, "catalog.db") + "')",
			"SELECT * FROM glob('/etc/*')",
			"ATTACH '" + filepath.Join(t.TempDir(), "x.db") + "' AS x",
			"COPY (SELECT 1) TO '" + filepath.Join(t.TempDir(), "x.csv") + "'",
			"SET enable_external_access = true",
			"SET memory_limit = '100GB'",
			"LOAD httpfs",
		} {
			_, err := db.db.ExecContext(ctx, q)
			var de *duckdb.Error
			assert.True(t, errors.As(err, &de), "%s: %v", q, err)
		}
	}
}

func TestDescribe(t *testing.T) {
	f := newFixture(t, Options{})
	d, err := f.engine.Describe(t.Context(), Query{Principal: dashboard, SQL: "SELECT month, received, on_time_rate FROM marts.dossier_kpi_monthly WHERE agency_code = $1 AND received > $2"})
	require.NoError(t, err)
	assert.Equal(t, []ResultColumn{{"month", "DATE"}, {"received", "BIGINT"}, {"on_time_rate", "DOUBLE"}}, d.Columns)
	assert.Equal(t, []string{"VARCHAR", "BIGINT"}, d.Params)
	_, err = f.engine.Describe(t.Context(), Query{Principal: dashboard, SQL: "SELECT * FROM health.visits"})
	var r *sandbox.Refusal
	assert.ErrorAs(t, err, &r)
}

// TestATableThatFailsDoesNotStopTheOthers: a table whose files are gone is
// not served; the others are.
func TestATableThatFailsDoesNotStopTheOthers(t *testing.T) {
	l := testlake.Build(t)
	require.NoError(t, os.RemoveAll(filepath.Join(l.Root, "health.db", "clinics", "data")))
	e, err := Open(t.Context(), Deps{Lake: l.Lake, Schemas: l.Schemas, Marts: l.Marts}, Options{MaterializeRows: -1, TempDir: t.TempDir()})
	require.NoError(t, err)
	defer e.Close()
	_, ok := e.Object(dashboard, "health.clinics")
	assert.False(t, ok)
	_, ok = e.Object(dashboard, "marts.dossier_kpi_monthly")
	assert.True(t, ok)
	got, err := rows(t, e, analyst, "SELECT count(*) FROM health.visits")
	require.NoError(t, err)
	assert.Equal(t, [][]any{{int64(4)}}, got)
	var te *TableError
	require.ErrorAs(t, e.Refresh(t.Context()), &te)
	assert.Len(t, te.Errs, 1)
	assert.ErrorContains(t, te, "health.clinics")
}
