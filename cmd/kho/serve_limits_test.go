package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeLimitsFromConfig runs kho serve with the login limits and the
// metrics address of kho.yaml and checks that each one is honoured: the
// limits on failed logins (429 and in the audit with a count), /metrics
// behind a token on serve.addr and open on serve.metrics_addr, and pgwire
// connections that never log in closed after serve.pg_auth_timeout
// (issue 12, items 5, 6 and 7).
func TestServeLimitsFromConfig(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "kho.yaml")
	httpPort, pgPort, metricsPort := freePort(t), freePort(t), freePort(t)
	require.NoError(t, os.WriteFile(config, []byte(fmt.Sprintf(`pipelines_dir: ""
log: {level: warn}
serve:
  addr: 127.0.0.1:%d
  pg_addr: 127.0.0.1:%d
  metrics_addr: 127.0.0.1:%d
  auth_failures: 3
  auth_failure_window: 1m
  pg_auth_timeout: 300ms
  pg_max_unauthenticated_per_client: 2
  pg_auth_fail_delay: 10ms
`, httpPort, pgPort, metricsPort)), 0o644))
	engineer := secretOf(t, kho(t, "token", "create", "--config", config, "--role", "engineer", "--name", "kỹ sư"))

	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	stop := serveInProcess(t, base, "--config", config, "--schedule=false")
	get := func(url, tok string) *http.Response {
		req, _ := http.NewRequestWithContext(t.Context(), "GET", url, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		r, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return r
	}

	assert.Equal(t, 401, get(base+"/metrics", "").StatusCode)
	assert.Equal(t, 200, get(base+"/metrics", engineer).StatusCode)
	assert.Equal(t, 200, get(fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort), "").StatusCode)

	var codes []int
	for range 6 {
		codes = append(codes, get(base+"/api/datasets", "kho_wrong").StatusCode)
	}
	assert.Equal(t, []int{401, 401, 401, 429, 429, 429}, codes)

	conns := make([]net.Conn, 3)
	for i := range conns {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", pgPort))
		require.NoError(t, err)
		defer c.Close()
		conns[i] = c
	}
	start := time.Now()
	refused, closed := 0, 0
	for _, c := range conns {
		b := make([]byte, 256)
		_ = c.SetReadDeadline(time.Now().Add(3 * time.Second))
		n, err := c.Read(b)
		if n > 0 && strings.Contains(string(b[:n]), "53300") { // over serve.pg_max_unauthenticated_per_client
			refused++
			continue
		}
		assert.ErrorIs(t, err, io.EOF)
		closed++
	}
	assert.Equal(t, 1, refused)
	assert.Equal(t, 2, closed)
	assert.Less(t, time.Since(start), 2*time.Second, "closed after serve.pg_auth_timeout")

	require.NoError(t, stop())
	out := kho(t, "audit", "--config", config, "--format", "json")
	for _, want := range []string{`"reason":"invalid_token`, `"reason":"rate_limited`, `"reason":"no_token`, `"reason":"too_many_connections`, `"reason":"auth_timeout`} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "kho_wrong")
	verify := kho(t, "audit", "--config", config, "--verify")
	assert.Contains(t, verify, "intact")
	assert.Contains(t, verify, "head in security.db")
	assert.True(t, strings.Count(out, "\n") < 20, "folded: %s", out)
}
