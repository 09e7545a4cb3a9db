package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/sandbox/escapes"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
	"github.com/sonla-data/kho/server/internal/testlake"
	"github.com/sonla-data/kho/server/pgwire"
)

// rawPII are the fixture's personal data as stored: no answer to a token
// without the PII grant may hold one.
var rawPII = []string{testlake.CCCD, testlake.Phone, testlake.Name, testlake.Email, testlake.QuarantinedCCCD,
	"Lò Thị Hoa", "014190000011", "0987000111", "Nguyễn Văn Bình", "pom@gmail.com"}

func assertNoPII(t *testing.T, body, where string) {
	t.Helper()
	for _, v := range rawPII {
		assert.NotContains(t, body, v, where)
	}
}

// startPG serves the harness's engine over the wire protocol.
func startPG(t testing.TB, h *harness) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- pgwire.New(pgwire.Deps{Engine: h.env.Engine, Tokens: h.env.Tokens}).Serve(ctx, ln)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return ln.Addr().String()
}

// TestEscapeCorpus runs every attempt of security/sandbox/testdata/escapes.txt
// for a token of every role over HTTP, the simple and the extended query
// protocol: refused ones are refused (403, SQLSTATE 42501), masked ones never
// return raw personal data, and every attempt leaves an audit entry.
func TestEscapeCorpus(t *testing.T) {
	attempts, err := escapes.Load()
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(attempts), 40)
	h := newHarness(t, engine.Options{})
	pgAddr := startPG(t, h)
	spill := spilledFiles(t, attempts)
	before := catalogs(t, h)

	sent := map[string]map[string]int{} // token -> normalised SQL -> attempts sent
	for _, who := range testenv.Names() {
		conn := (*pgx.Conn)(nil)
		if who != "" {
			var err error
			conn, err = pgx.Connect(t.Context(), fmt.Sprintf("postgres://%s:%s@%s/kho?sslmode=disable", "u", h.env.Secrets[who], pgAddr))
			require.NoError(t, err)
			defer conn.Close(context.Background())
			sent[who] = map[string]int{}
		}
		for _, a := range attempts {
			if a.Kind == escapes.Masked && who == testenv.AnalystPII {
				continue // this token may read personal data
			}
			where := fmt.Sprintf("escapes.txt:%d (%s) as %q", a.Line, a.What, who)

			// HTTP
			r := h.do(t, "POST", "/api/query", who, strings.NewReader(a.SQL), "Content-Type", "application/sql")
			body, err := io.ReadAll(r.Body)
			require.NoError(t, err)
			switch {
			case who == "":
				assert.Equal(t, http.StatusUnauthorized, r.StatusCode, where)
				continue
			case a.Kind == escapes.Refused:
				if assert.Equal(t, http.StatusForbidden, r.StatusCode, "%s: %s", where, body) {
					assert.Contains(t, string(body), `"code":"refused"`, where)
				}
			case a.Kind == escapes.Contained:
				if r.StatusCode == http.StatusForbidden {
					assert.Contains(t, string(body), `"code":"refused"`, where)
					break
				}
				if assert.Equal(t, http.StatusOK, r.StatusCode, "%s: %s", where, body) {
					assert.JSONEq(t, `[{"a": "`+escapes.Checked+`"}]`, string(body), where)
				}
			default:
				assert.Contains(t, []int{http.StatusOK, http.StatusForbidden}, r.StatusCode, "%s: %s", where, body)
				assertNoPII(t, string(body), where+" over HTTP")
			}

			// The simple query protocol.
			res, err := conn.PgConn().Exec(t.Context(), a.SQL).ReadAll()
			checkPG(t, a, where+" (simple)", pgText(res), err)

			// The extended query protocol (Parse, Bind, Describe, Execute, Sync).
			rr := conn.PgConn().ExecParams(t.Context(), a.SQL, nil, nil, nil, nil).Read()
			checkPG(t, a, where+" (extended)", pgRows(rr.Rows), rr.Err)

			sent[who][escapes.Normalize(a.SQL)] += 3
		}
	}

	// Nothing a contained attempt hid ran: every token's catalog is what it
	// was, so is that of a token made now with the profile of one that
	// tried, and no file was written.
	assert.Equal(t, before, catalogs(t, h), "the catalogs after the corpus")
	twin := newTwin(t, h, testenv.AnalystGrant)
	assert.Equal(t, before[testenv.AnalystGrant], catalogOf(t, h, twin), "the catalog of a new token of the same profile")
	for _, f := range spill {
		assert.NoFileExists(t, f)
	}

	// Every attempt of every token is in the audit log, refused ones as refused.
	require.NoError(t, h.env.Audit.Flush(t.Context()))
	kinds := map[string]string{}
	for _, a := range attempts {
		kinds[escapes.Normalize(a.SQL)] = a.Kind
	}
	for who, want := range sent {
		es, err := h.env.Audit.Entries(t.Context(), audit.Filter{User: h.env.IDs[who], Limit: 100000})
		require.NoError(t, err)
		got := map[string]int{}
		for _, e := range es {
			sql := escapes.Normalize(e.SQL)
			got[sql]++
			if kinds[sql] == escapes.Refused {
				assert.Equal(t, audit.Refused, e.Outcome, "%s: %s", who, sql)
				assert.NotEmpty(t, e.Reason)
			}
		}
		for sql, n := range want {
			assert.Equal(t, n, got[sql], "audit entries of %q for %s", who, sql)
		}
	}
}

func checkPG(t *testing.T, a escapes.Attempt, where, text string, err error) {
	t.Helper()
	var pe *pgconn.PgError
	if a.Kind == escapes.Contained {
		if err != nil {
			if assert.True(t, errors.As(err, &pe), "%s: %v", where, err) {
				assert.Equal(t, "42501", pe.Code, "%s: %s", where, pe.Message)
			}
			return
		}
		assert.Equal(t, escapes.Checked+"|\n", text, where)
		return
	}
	if a.Kind == escapes.Refused {
		if assert.True(t, errors.As(err, &pe), "%s: want an error, got %v", where, err) {
			assert.Equal(t, "42501", pe.Code, "%s: %s", where, pe.Message)
		}
		return
	}
	if err != nil {
		require.True(t, errors.As(err, &pe), "%s: %v", where, err)
		assert.Equal(t, "42501", pe.Code, "%s: %s", where, pe.Message)
	}
	assertNoPII(t, text, where)
}

func pgText(rs []*pgconn.Result) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(pgRows(r.Rows))
	}
	return b.String()
}

func pgRows(rows [][][]byte) string {
	var b strings.Builder
	for _, row := range rows {
		for _, v := range row {
			b.Write(v)
			b.WriteByte('|')
		}
		b.WriteByte('\n')
	}
	return b.String()
}
