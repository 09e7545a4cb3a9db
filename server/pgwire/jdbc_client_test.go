package pgwire_test

import (
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
	"github.com/sonla-data/kho/server/internal/testlake"
)

// TestJDBCClient runs testdata/jdbc/KhoJdbc.java with the real pgjdbc
// driver (pinned, pgjdbcVersion) against the wire port, in the extended
// protocol (the driver's default) and in simple mode, with an analyst token
// that may read health.clinics, labour.wage_reports (masked) and the mart,
// and not health.visits.
func TestJDBCClient(t *testing.T) {
	java := needTool(t, "java")
	cp := javaProgram(t, pgjdbcJar(t))
	cert := testenv.SelfSigned(t)
	plain := newHarness(t, engine.Options{MaxRows: 5000})
	secure := newHarnessTLS(t, engine.Options{MaxRows: 5000}, &cert)
	for _, tc := range []struct {
		name   string
		h      *harness
		params string
	}{
		{"extended", plain, "sslmode=disable"},
		{"simple", plain, "sslmode=disable&preferQueryMode=simple"},
		{"tls require", secure, "sslmode=require"},
		{"tls verify-full simple", secure, "sslmode=verify-full&sslrootcert=" + cert.CertFile + "&preferQueryMode=simple"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url := fmt.Sprintf("jdbc:postgresql://127.0.0.1:%d/kho_tinh?%s", tc.h.addr.Port, tc.params)
			out, err := exec.CommandContext(t.Context(), java, "-cp", cp, "KhoJdbc", url, testenv.Analyst, tc.h.env.Secrets[testenv.Analyst]).CombinedOutput()
			require.NoError(t, err, "%s", out)
			require.Contains(t, string(out), "\ndone", "%s", out)
			mode := "extended"
			if strings.Contains(tc.params, "simple") {
				mode = "simple"
			}
			checkJDBC(t, mode, string(out))
		})
	}
	t.Run("tls server refuses a plain connection", func(t *testing.T) {
		url := fmt.Sprintf("jdbc:postgresql://127.0.0.1:%d/kho_tinh?sslmode=disable", secure.addr.Port)
		out, err := exec.CommandContext(t.Context(), java, "-cp", cp, "KhoJdbc", url, testenv.Analyst, secure.env.Secrets[testenv.Analyst]).CombinedOutput()
		require.Error(t, err)
		assert.Contains(t, string(out), "accepts TLS connections only")
		assert.NotContains(t, string(out), "\ndone")
	})
}

// checkJDBC asserts what DBeaver and Metabase rely on in KhoJdbc's output.
func checkJDBC(t *testing.T, mode, out string) {
	t.Helper()
	got := steps(out)
	for name, lines := range got {
		for _, l := range lines {
			assert.False(t, strings.HasPrefix(l, "ERROR\t"), "%s: %s", name, l)
		}
	}
	assert.NotContains(t, out, "visits", "a table the token may not read")
	assert.NotContains(t, out, "kho_catalog")
	assert.Equal(t, []string{"PostgreSQL\t" + engine.ServerVersion + "\t14"}, got["product"])

	// DatabaseMetaData as DBeaver's navigator and Metabase's sync call it.
	assert.Subset(t, got["schemas"], []string{"health", "labour", "marts"})
	assert.NotContains(t, got["schemas"], "main")
	// REMARKS: the dataset's label, Vietnamese first (pgjdbc joins
	// pg_description on 'pg_class'::regclass).
	require.Len(t, got["tables"], 3)
	assert.Equal(t, []string{"health\tclinics\tTABLE\tCơ sở khám chữa bệnh / Health facilities",
		"labour\twage_reports\tTABLE\tBáo cáo tiền lương bình quân / Average wage reports"}, got["tables"][:2])
	assert.Regexp(t, `^marts\tdossier_kpi_monthly\tTABLE\t[^\t/]*[^\x00-\x7f][^\t/]* / [^\t]+$`, got["tables"][2], "the mart's description, Vietnamese / English")
	assert.Equal(t, []string{"report_id\ttext\t12\tMã báo cáo / Report id", "commune_code\ttext\t12\tXã / Commune",
		"month\tdate\t91\tTháng / Month", "avg_wage_vnd\tint8\t-5\tLương bình quân / Average wage",
		"contact_name\ttext\t12\tNgười báo cáo / Reporter (đã che / masked: name)",
		"contact_email\ttext\t12\tThư điện tử / Email (đã che / masked: email)"}, got["columns"])
	assert.Equal(t, []string{"report_id\t1"}, got["pk"], "the dataset's key is the primary key")
	assert.Equal(t, []string{"wage_reports_report_id_pkey\treport_id\tf"}, got["index"])
	assert.Equal(t, []string{"report_id\ttext"}, got["bestrow"])
	assert.Equal(t, []string{"0"}, got["imported.count"])
	assert.Equal(t, []string{"0"}, got["exported.count"])
	require.Len(t, got["keywords"], 1)
	n, _ := strconv.Atoi(strings.Split(got["keywords"][0], "\t")[0])
	assert.Greater(t, n, 100, "getSQLKeywords")
	assert.Equal(t, []string{"ApplicationName"}, got["clientinfo"])
	assert.Subset(t, got["typeinfo"], []string{"bool\t-7", "int8\t-5", "int4\t4", "numeric\t2", "text\t12", "varchar\t12",
		"date\t91", "timestamp\t93", "timestamptz\t93", "interval\t1111", "uuid\t1111", "bytea\t-2", "name\t12"})
	assert.Equal(t, []string{"upper"}, got["functions"])
	assert.Equal(t, []string{"2"}, got["isolation"], "read committed")

	// Metabase's own table listing and column query.
	assert.Equal(t, []string{"labour\twage_reports\tTABLE", "marts\tdossier_kpi_monthly\tTABLE"}, got["metabase.tables"])
	assert.Equal(t, []string{"report_id\ttext\tt\tMã báo cáo / Report id", "commune_code\ttext\tf\tXã / Commune",
		"month\tdate\tf\tTháng / Month", "avg_wage_vnd\tint8\tf\tLương bình quân / Average wage",
		"contact_name\ttext\tf\tNgười báo cáo / Reporter (đã che / masked: name)",
		"contact_email\ttext\tf\tThư điện tử / Email (đã che / masked: email)"}, got["metabase.columns"], "with col_description's comments")

	// The extended protocol's corners and the server's identity.
	assert.Equal(t, []string{"1\t2"}, got["twocols"])
	assert.Equal(t, []string{"9"}, got["range"])
	require.Len(t, got["identity"], 1)
	assert.Regexp(t, `^PostgreSQL 14\.0 \(Kho[^\t]*\tpublic\tkho_tinh$`, got["identity"][0])
	assert.Equal(t, []string{"interval\t1 days 02:00:00"}, got["interval"])
	notice := "5000\tkết quả bị cắt ở 5000 dòng / the result was cut at 5000 rows (row limit)"
	assert.Equal(t, []string{notice}, got["rowlimit"])
	assert.Equal(t, []string{notice}, got["rowlimit.prepared"])
	assert.Equal(t, []string{"report_id\ttext", "month\tdate", "avg_wage_vnd\tint8"}, got["metadata"], "PreparedStatement.getMetaData")

	// Parameters of every type.
	params := map[string]string{"boolean": "true", "smallint": "7", "integer": "42", "bigint": "9007199254740993", "real": "1.5",
		"double": "2.25", "numeric": "12345678901234.5678", "text": "Sơn La – Mộc Châu",
		"uuid": "0b9b6d2e-6f2a-4f4e-9a5e-2d7b1c9e8f01", "bytea": "[1, 2, -1]", "null": "null"}
	for k, v := range params {
		assert.Equal(t, []string{v}, got["param."+k], "parameter %s", k)
	}
	typed := []string{"date\t2025-03-02", "timestamp\t2025-03-02 13:45:10.123", "time\t13:45:10",
		"uuid\t0b9b6d2e-6f2a-4f4e-9a5e-2d7b1c9e8f01", "numeric\t-1234.5678", "interval\t1 days"}
	assert.Equal(t, typed, got["typed"])
	assert.Equal(t, []string{"W1", "W2", "W3"}, got["where"])
	require.Len(t, got["pii"], 3)
	assert.Regexp(t, testlake.EmailMasked, got["pii"][0], "no personal value for a token without the PII grant")
	assert.NotContains(t, out, testlake.Email)

	// Cursors, cancel.
	assert.Equal(t, []string{"1000\t499500"}, got["cursor"])
	assert.Equal(t, []string{"57014\ttrue"}, got["cancel"])
	assert.Equal(t, []string{"2"}, got["cancel.after"])
}
