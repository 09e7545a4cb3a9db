package pgwire_test

import (
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

// TestPythonClients runs testdata/python/kho_clients.py with psycopg 3 and
// SQLAlchemy's PostgreSQL dialect (pinned, testdata/python/requirements.txt)
// against the wire port, with TLS off, and on with sslmode=require and
// verify-full, as an analyst who may read labour.wage_reports masked and not
// health.visits.
func TestPythonClients(t *testing.T) {
	py := pythonClients(t)
	cert := testenv.SelfSigned(t)
	plain := newHarness(t, engine.Options{MaxRows: 5000})
	secure := newHarnessTLS(t, engine.Options{MaxRows: 5000}, &cert)
	for _, tc := range []struct {
		name string
		h    *harness
		ssl  []string
	}{
		{"plain", plain, []string{"disable"}},
		{"tls require", secure, []string{"require"}},
		{"tls verify-full", secure, []string{"verify-full", cert.CertFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"testdata/python/kho_clients.py", "127.0.0.1", strconv.Itoa(tc.h.addr.Port), "kho_tinh",
				testenv.Analyst, tc.h.env.Secrets[testenv.Analyst]}, tc.ssl...)
			b, err := exec.CommandContext(t.Context(), py, args...).CombinedOutput()
			out := string(b)
			require.NoError(t, err, "%s", out)
			require.Contains(t, out, "\ndone", "%s", out)
			got := steps(out)
			for name, lines := range got {
				for _, l := range lines {
					assert.False(t, strings.HasPrefix(l, "ERROR\t"), "%s: %s", name, l)
				}
			}
			assert.Equal(t, []string{"3.3.9\t2.1.9"}, got["versions"])
			assert.Equal(t, []string{strconv.FormatBool(tc.h == secure)}, lower(got["ssl"]), "TLS in use")
			assert.Equal(t, []string{"140000"}, got["server_version"])
			assert.Equal(t, []string{"3"}, got["count"])
			assert.Equal(t, []string{"bool\tTrue", "int\t7", "int\t9007199254740993", "float\t2.25", "Decimal\t'12345678901234.5678'",
				"str\t'Sơn La – Mộc Châu'", "date\t'2025-03-02'", "datetime\t'2025-03-02 13:45:10.123'",
				"UUID\t'0b9b6d2e-6f2a-4f4e-9a5e-2d7b1c9e8f01'", `bytes` + "\t" + `b'\x01\x02\xff'`, "NoneType\tNone"}, got["param"])
			assert.Equal(t, []string{"140001\tBệnh viện Đa khoa tỉnh\t700", "140002\tTrạm y tế xã Hua La\t5",
				"140003\tTrung tâm y tế Mộc Châu\t150"}, got["rows"])
			require.Len(t, got["pii"], 3)
			assert.Regexp(t, testlake.EmailMasked, got["pii"][0])
			assert.NotContains(t, out, testlake.Email, "no personal value for a token without the PII grant")
			assert.NotContains(t, out, "visits")
			assert.Equal(t, []string{"5000\tkết quả bị cắt ở 5000 dòng / the result was cut at 5000 rows (row limit)"}, got["rowlimit"])
			require.Len(t, got["identity"], 1)
			assert.Regexp(t, `^PostgreSQL 14\.0 \(Kho[^\t]*\tpublic\tkho_tinh$`, got["identity"][0])
			assert.Equal(t, []string{"57014\tTrue"}, got["cancel"])
			assert.Equal(t, []string{"ok"}, got["cancel.request"], "libpq's cancel request succeeds (over TLS too)")
			assert.Equal(t, []string{"2"}, got["cancel.after"])

			// SQLAlchemy: the dialect connects (psycopg's type lookups,
			// version, schema), lists schemas and tables, binds parameters.
			assert.Equal(t, []string{"health\tlabour\tmarts\tpublic"}, got["sa.schemas"])
			assert.Equal(t, []string{"wage_reports"}, got["sa.tables"])
			assert.Equal(t, []string{"0"}, got["sa.views"])
			assert.Equal(t, []string{"W1\tW2\tW3"}, got["sa.select"])
			// Inspector.get_columns: names, PostgreSQL types, nullability
			// (the key is NOT NULL) and the schema's labels as comments,
			// Vietnamese first, the masked columns saying so (as JDBC's
			// REMARKS); the dataset's key as the primary key; the table's
			// label as its comment.
			assert.Equal(t, []string{"report_id\tTEXT\tFalse\tMã báo cáo / Report id", "commune_code\tTEXT\tTrue\tXã / Commune",
				"month\tDATE\tTrue\tTháng / Month", "avg_wage_vnd\tBIGINT\tTrue\tLương bình quân / Average wage",
				"contact_name\tTEXT\tTrue\tNgười báo cáo / Reporter (đã che / masked: name)",
				"contact_email\tTEXT\tTrue\tThư điện tử / Email (đã che / masked: email)"}, got["sa.columns"])
			assert.Equal(t, []string{"report_id"}, got["sa.pk"], "the dataset's key, as a list of column names")
			assert.Equal(t, []string{"Báo cáo tiền lương bình quân / Average wage reports"}, got["sa.comment"])
			// A table the token may not read (health.visits) has no columns,
			// oid or comments in the catalog, by SQLAlchemy's reflection or
			// by pg_attribute; one it may read (health.clinics) has.
			assert.Equal(t, []string{"readable\t6", "not readable\tNoSuchTableError"}, got["sa.hidden"])
			assert.Equal(t, []string{"readable\t6\tTrue\t7", "not readable\t0\tFalse\t0"}, got["catalog.hidden"])
			// Inspector.get_foreign_keys and get_indexes answer (there are
			// none: the key's index is the primary key, which SQLAlchemy
			// leaves out of get_indexes).
			assert.Equal(t, []string{"0"}, got["sa.fks"])
			assert.Equal(t, []string{"0"}, got["sa.indexes"])
		})
	}
}

func lower(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}
