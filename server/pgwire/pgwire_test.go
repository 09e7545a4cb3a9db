package pgwire_test

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"
	_ "github.com/lib/pq"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
	"github.com/sonla-data/kho/server/internal/testlake"
)

func TestPsql(t *testing.T) {
	h := newHarness(t, engine.Options{})
	cases := []struct {
		name, who string
		args      []string
		out       []string // each in stdout
		notOut    []string
		errOut    string // in stderr, with a failing exit status
	}{
		{"masked select", testenv.AnalystGrant, []string{"-c", "SELECT visit_id, patient_name, citizen_id FROM health.visits ORDER BY 1"},
			[]string{testlake.NameMasked, "(4 rows)"}, []string{testlake.CCCD}, ""},
		{"pii select", testenv.AnalystPII, []string{"-c", "SELECT citizen_id FROM health.visits WHERE visit_id = 'LK1'"},
			[]string{testlake.CCCD}, nil, ""},
		{"list tables", testenv.Dashboard, []string{"-c", `\dt *.*`}, []string{"clinics", "dossier_kpi_monthly"}, []string{"visits", "kho_catalog"}, ""},
		{"list tables with their labels", testenv.Analyst, []string{"-c", `\dt+ labour.*`}, []string{"wage_reports", "Báo cáo tiền lương bình quân / Average wage reports"}, nil, ""},
		{"column comments", testenv.Analyst, []string{"-c", `SELECT col_description(to_regclass('labour.wage_reports'), 1), col_description(to_regclass('health.visits'), 1) IS NULL AS none`},
			[]string{"Mã báo cáo / Report id", "| t"}, nil, ""},
		{"list schemas", testenv.AnalystGrant, []string{"-c", `\dn`}, []string{"health", "marts"}, []string{"kho_catalog", "main"}, ""},
		{"describe a table", testenv.AnalystGrant, []string{"-c", `\d health.visits`}, []string{`Table "health.visits"`, "citizen_id", "text", "numeric(14,0)", "timestamp with time zone", "bigint", "boolean", "date"}, nil, ""},
		{"describe an unreadable table", testenv.Dashboard, []string{"-c", `\d health.visits`}, nil, nil, "Did not find any relation"},
		{"variables, set and show", testenv.Dashboard, []string{"-c", "SET application_name = 'bảng điều hành'", "-c", "SHOW application_name", "-c", "SHOW server_version"},
			[]string{"bảng điều hành", "14.0"}, nil, ""},
		{"transaction", testenv.Dashboard, []string{"-c", "BEGIN", "-c", "SELECT count(*) AS n FROM marts.dossier_kpi_monthly", "-c", "COMMIT"}, []string{"4"}, nil, ""},
		{"refused", testenv.Dashboard, []string{"-v", "ON_ERROR_STOP=1", "-c", "SELECT * FROM health.visits"}, nil, nil, "statement refused"},
		{"refused file", testenv.Admin, []string{"-v", "ON_ERROR_STOP=1", "-c", "SELECT * FROM read_text('/etc/passwd')"}, nil, []string{"root:"}, "read_text"},
		{"syntax", testenv.Dashboard, []string{"-v", "ON_ERROR_STOP=1", "-c", "SELEC 1"}, nil, nil, "syntax error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := h.psql(t, tc.who, tc.args...)
			if tc.errOut != "" {
				assert.Error(t, err)
				assert.Contains(t, errOut+out, tc.errOut)
			} else {
				require.NoError(t, err, errOut)
			}
			for _, w := range tc.out {
				assert.Contains(t, out, w)
			}
			for _, w := range tc.notOut {
				assert.NotContains(t, out, w)
			}
			if tc.name == "masked select" {
				assert.Regexp(t, testlake.CCCDMaskedIn, out, "the CCCD as a pseudonym")
			}
		})
	}
	t.Run("ssl request answered N", func(t *testing.T) {
		cmd := exec.CommandContext(t.Context(), "psql", strings.Replace(h.dsn(testenv.Dashboard), "sslmode=disable", "sslmode=prefer", 1), "-X", "-c", "SELECT 1 AS one")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		assert.Contains(t, string(out), "(1 row)")
	})
	t.Run("bad password", func(t *testing.T) {
		_, errOut, err := h.psql(t, "nobody", "-c", "SELECT 1")
		assert.Error(t, err)
		assert.Contains(t, errOut, "password authentication failed")
	})
}

func connect(t *testing.T, h *harness, who string, simple bool) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(h.url(who))
	require.NoError(t, err)
	if simple {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	}
	conn, err := pgx.ConnectConfig(t.Context(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestPgx(t *testing.T) {
	h := newHarness(t, engine.Options{MaxRows: 3})
	for _, mode := range []struct {
		name   string
		simple bool
	}{{"extended", false}, {"simple", true}} {
		t.Run(mode.name, func(t *testing.T) {
			conn := connect(t, h, testenv.AnalystGrant, mode.simple)
			ctx := t.Context()

			var id, name, cccd string
			var cost pgtype.Numeric
			var day time.Time
			var insured bool
			var year int64
			err := conn.QueryRow(ctx, `SELECT visit_id, patient_name, citizen_id, cost_vnd, visit_date, insured, birth_year
				FROM health.visits WHERE clinic_id = $1 AND birth_year > $2 AND visit_date >= $3 ORDER BY visit_id LIMIT 1`,
				"140001", 1970, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)).Scan(&id, &name, &cccd, &cost, &day, &insured, &year)
			require.NoError(t, err)
			assert.Equal(t, "LK1", id)
			assert.Equal(t, testlake.NameMasked, name)
			assert.Regexp(t, testlake.CCCDMasked, cccd)
			f, err := cost.Float64Value()
			require.NoError(t, err)
			assert.Equal(t, 150000.0, f.Float64)
			assert.Equal(t, "2025-03-02", day.Format("2006-01-02"))
			assert.True(t, insured)
			assert.EqualValues(t, 1980, year)

			var at time.Time
			var rate float64
			err = conn.QueryRow(ctx, "SELECT TIMESTAMPTZ '2025-03-01 08:00:00+07', on_time_rate FROM marts.dossier_kpi_monthly WHERE agency_code = $1 AND month = $2",
				"000.04126.H56", time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)).Scan(&at, &rate)
			require.NoError(t, err)
			assert.True(t, at.Equal(time.Date(2025, 3, 1, 1, 0, 0, 0, time.UTC)), at)
			assert.Equal(t, 0.8, rate)

			// The row limit cuts results.
			rows, err := conn.Query(ctx, "SELECT * FROM range(10) t(i)")
			require.NoError(t, err)
			n := 0
			for rows.Next() {
				n++
			}
			require.NoError(t, rows.Err())
			assert.Equal(t, 3, n)

			// Errors carry their SQLSTATE; the connection stays usable.
			_, err = conn.Exec(ctx, "SELECT * FROM labour.wage_reports")
			assertState(t, err, "42501")
			_, err = conn.Exec(ctx, "SELEC 1")
			assertState(t, err, "42601")
			_, err = conn.Exec(ctx, "SELECT nope FROM health.clinics")
			assertState(t, err, "42703")
			var one int
			require.NoError(t, conn.QueryRow(ctx, "SELECT 1").Scan(&one))

			// What drivers send around queries is answered.
			_, err = conn.Exec(ctx, "SET extra_float_digits = 3")
			require.NoError(t, err)
			var v string
			require.NoError(t, conn.QueryRow(ctx, "SHOW transaction_isolation").Scan(&v))
			assert.Equal(t, "read committed", v)
			tx, err := conn.Begin(ctx)
			require.NoError(t, err)
			require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM health.clinics").Scan(&one))
			assert.Equal(t, 3, one)
			require.NoError(t, tx.Commit(ctx))
		})
	}
}

func assertState(t *testing.T, err error, code string) {
	t.Helper()
	var pe *pgconn.PgError
	require.True(t, errors.As(err, &pe), "want a PgError, got %v", err)
	assert.Equal(t, code, pe.Code, pe.Message)
}

func TestCatalogForTools(t *testing.T) {
	h := newHarness(t, engine.Options{})
	conn := connect(t, h, testenv.Analyst, false)
	// What Metabase and DBeaver ask to list schemas, tables and columns.
	rows, err := conn.Query(t.Context(), `SELECT table_schema, table_name FROM information_schema.tables
		WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`)
	require.NoError(t, err)
	var got []string
	for rows.Next() {
		var s, n string
		require.NoError(t, rows.Scan(&s, &n))
		got = append(got, s+"."+n)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"health.clinics", "labour.wage_reports", "marts.dossier_kpi_monthly"}, got)

	var cols int
	require.NoError(t, conn.QueryRow(t.Context(), `SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
		"labour", "wage_reports").Scan(&cols))
	assert.Equal(t, 6, cols)

	var nsp []string
	rows, err = conn.Query(t.Context(), `SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' ORDER BY 1`)
	require.NoError(t, err)
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		nsp = append(nsp, n)
	}
	assert.Equal(t, []string{"health", "labour", "marts", "public"}, nsp, "PostgreSQL's ~ finds the pattern anywhere")

	var version string
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT version()").Scan(&version))
	assert.NotEmpty(t, version)
}

func TestLibPQ(t *testing.T) {
	h := newHarness(t, engine.Options{})
	db, err := sql.Open("postgres", h.dsn(testenv.Dashboard))
	require.NoError(t, err)
	defer db.Close()
	var n int
	var total float64
	require.NoError(t, db.QueryRowContext(t.Context(), "SELECT count(*), sum(received) FROM marts.dossier_kpi_monthly WHERE month >= $1", "2025-04-01").Scan(&n, &total))
	assert.Equal(t, 2, n)
	assert.Equal(t, 115.0, total)
	_, err = db.ExecContext(t.Context(), "ATTACH '/tmp/x.db' AS x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "42501")
}

func TestCancel(t *testing.T) {
	h := newHarness(t, engine.Options{Timeout: time.Minute})
	const slow = "SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 1"
	t.Run("cancel request", func(t *testing.T) {
		conn := connect(t, h, testenv.Dashboard, false)
		go func() {
			time.Sleep(200 * time.Millisecond)
			_ = conn.PgConn().CancelRequest(context.Background())
		}()
		start := time.Now()
		_, err := conn.Exec(t.Context(), slow)
		assertState(t, err, "57014")
		assert.Less(t, time.Since(start), 10*time.Second)
		var one int
		require.NoError(t, conn.QueryRow(t.Context(), "SELECT 1").Scan(&one), "the connection stays usable")
	})
	t.Run("client goes away", func(t *testing.T) {
		conn := connect(t, h, testenv.Engineer, false)
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		_, err := conn.Exec(ctx, slow) // pgx closes the connection when ctx ends
		require.Error(t, err)
		require.Eventually(t, func() bool {
			require.NoError(t, h.env.Audit.Flush(t.Context()))
			es, err := h.env.Audit.Entries(t.Context(), audit.Filter{Outcome: audit.Canceled, User: testenv.Engineer})
			require.NoError(t, err)
			return len(es) == 1 && strings.Contains(es[0].SQL, "range")
		}, 10*time.Second, 50*time.Millisecond)
	})
	t.Run("timeout", func(t *testing.T) {
		h := newHarness(t, engine.Options{Timeout: 300 * time.Millisecond})
		conn := connect(t, h, testenv.Dashboard, false)
		_, err := conn.Exec(t.Context(), slow)
		assertState(t, err, "57014")
	})
}

// TestTLS: with a certificate configured, the wire port upgrades on
// SSLRequest (psql with sslmode=require and verify-full) and refuses a
// client that starts in clear text before asking for its password, so the
// token is never sent unencrypted.
func TestTLS(t *testing.T) {
	cert := testenv.SelfSigned(t)
	h := newHarnessTLS(t, engine.Options{}, &cert)
	for _, mode := range []string{"sslmode=require", "sslmode=verify-full sslrootcert=" + cert.CertFile} {
		t.Run(mode, func(t *testing.T) {
			dsn := strings.Replace(h.dsn(testenv.AnalystGrant), "sslmode=disable", mode, 1)
			out, err := exec.CommandContext(t.Context(), "psql", dsn, "-X", "-At", "-c", "SELECT count(*) FROM health.visits").CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Equal(t, "4\n", string(out))
		})
	}
	t.Run("plain refused before the password", func(t *testing.T) {
		conn, err := net.Dial("tcp", h.addr.String())
		require.NoError(t, err)
		defer conn.Close()
		fe := pgproto3.NewFrontend(conn, conn)
		fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "x", "database": "kho"}})
		require.NoError(t, fe.Flush())
		msg, err := fe.Receive()
		require.NoError(t, err)
		e, ok := msg.(*pgproto3.ErrorResponse)
		require.True(t, ok, "got %T, not a refusal (a password request would make the client send its token in clear)", msg)
		assert.Equal(t, "28000", e.Code)
		assert.Contains(t, e.Message, "TLS connections only")
	})
	t.Run("psql sslmode=disable refused", func(t *testing.T) {
		_, errOut, err := h.psql(t, testenv.Dashboard, "-c", "SELECT 1")
		require.Error(t, err)
		assert.Contains(t, errOut, "TLS connections only")
	})
	t.Run("cancel request over TLS ends with close_notify", func(t *testing.T) {
		// libpq sends its CancelRequest inside TLS and waits for the
		// server to end the connection; without close_notify OpenSSL 3
		// calls it "unexpected eof" and the cancel a failure. TLS 1.2
		// here: after its handshake the server sends nothing but that
		// alert, whose record header (type 21) is in clear.
		raw, err := net.Dial("tcp", h.addr.String())
		require.NoError(t, err)
		defer raw.Close()
		fe := pgproto3.NewFrontend(raw, raw)
		fe.Send(&pgproto3.SSLRequest{})
		require.NoError(t, fe.Flush())
		b := make([]byte, 1)
		_, err = io.ReadFull(raw, b)
		require.NoError(t, err)
		require.Equal(t, "S", string(b))
		//nolint:gosec // the test's own self-signed certificate
		tc := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12})
		require.NoError(t, tc.HandshakeContext(t.Context()))
		fe = pgproto3.NewFrontend(tc, tc)
		fe.Send(&pgproto3.CancelRequest{ProcessID: 1, SecretKey: []byte{0, 0, 0, 1}})
		require.NoError(t, fe.Flush())
		require.NoError(t, raw.SetReadDeadline(time.Now().Add(10*time.Second)))
		rest, err := io.ReadAll(raw)
		require.NoError(t, err)
		require.NotEmpty(t, rest, "the connection was cut without close_notify")
		assert.Equal(t, byte(21), rest[0], "an alert record")
	})
	t.Run("pgx over TLS", func(t *testing.T) {
		cfg, err := pgx.ParseConfig(strings.Replace(h.url(testenv.Dashboard), "sslmode=disable", "sslmode=verify-full&sslrootcert="+cert.CertFile, 1))
		require.NoError(t, err)
		conn, err := pgx.ConnectConfig(t.Context(), cfg)
		require.NoError(t, err)
		defer conn.Close(context.Background())
		var n int
		require.NoError(t, conn.QueryRow(t.Context(), "SELECT count(*) FROM marts.dossier_kpi_monthly WHERE received > $1", 0).Scan(&n))
		assert.Equal(t, 4, n)
	})
}
