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
