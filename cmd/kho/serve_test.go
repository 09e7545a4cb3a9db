package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// secretOf reads the secret `kho token create` printed.
func secretOf(t *testing.T, out string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "kho_") {
			return l
		}
	}
	t.Fatalf("no secret in %q", out)
	return ""
}

// serveInProcess runs `kho serve ARGS...` in this process until stop is
// called and waits until base's /readyz answers 200 (a minute at most).
// stop ends it and returns what the command returned.
func serveInProcess(t *testing.T, base string, args ...string) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		root := newRoot()
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs(append([]string{"serve"}, args...))
		done <- root.ExecuteContext(ctx)
	}()
	require.Eventually(t, func() bool {
		r, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		r.Body.Close()
		return r.StatusCode == 200
	}, 60*time.Second, 50*time.Millisecond)
	return func() error {
		cancel()
		return <-done
	}
}

func TestTokenServeAudit(t *testing.T) {
	_, config := workspace(t)
	out := kho(t, "token", "create", "--config", config, "--role", "analyst", "--name", "Phòng thống kê", "--agency", "Sở Y tế", "--grant", "health.visits,health.*")
	secret := secretOf(t, out)
	assert.Contains(t, out, "shown once")
	revokedOut := kho(t, "token", "create", "--config", config, "--role", "dashboard", "--name", "cũ")
	revoked := secretOf(t, revokedOut)

	list := kho(t, "token", "list", "--config", config)
	assert.Contains(t, list, "Phòng thống kê")
	assert.Contains(t, list, "health.visits,health.*")
	assert.NotContains(t, list, secret, "secrets are never listed")
	id := strings.Fields(strings.Split(revokedOut, "created token ")[1])[0]
	assert.Contains(t, kho(t, "token", "revoke", "--config", config, id), "revoked")

	// Bad flags are usage errors.
	for _, args := range [][]string{
		{"token", "create", "--config", config, "--role", "root", "--name", "x"},
		{"token", "create", "--config", config, "--role", "analyst", "--name", "x", "--grant", "health.nope"},
		{"token", "revoke", "--config", config, "tk_nope"},
	} {
		root := newRoot()
		root.SetArgs(args)
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		err := root.ExecuteContext(t.Context())
		var ue usageError
		assert.ErrorAs(t, err, &ue, strings.Join(args, " "))
	}

	// kho serve answers with the token, and not with the revoked one.
	httpPort, pgPort := freePort(t), freePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	stop := serveInProcess(t, base, "--config", config, "--addr", fmt.Sprintf("127.0.0.1:%d", httpPort), "--pg-addr", fmt.Sprintf("127.0.0.1:%d", pgPort))
	post := func(tok, sql string) int {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", base+"/api/query", bytes.NewBufferString(sql))
		req.Header.Set("Authorization", "Bearer "+tok)
		r, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		r.Body.Close()
		return r.StatusCode
	}
	assert.Equal(t, 200, post(secret, "SELECT 42 AS answer"))
	assert.Equal(t, 401, post(revoked, "SELECT 42 AS answer"))
	assert.Equal(t, 403, post(secret, "SELECT * FROM read_text('/etc/passwd')"))

	conn, err := pgx.Connect(t.Context(), fmt.Sprintf("postgres://x:%s@127.0.0.1:%d/kho?sslmode=disable", secret, pgPort))
	require.NoError(t, err)
	var n int
	require.NoError(t, conn.QueryRow(t.Context(), "SELECT $1::INTEGER + 1", 41).Scan(&n))
	assert.Equal(t, 42, n)
	conn.Close(t.Context())

	require.NoError(t, stop())

	log := kho(t, "audit", "--config", config, "--since", "1h")
	for _, want := range []string{"token.create", "token.revoke", "SELECT 42 AS answer", "refused", "read_text", "pgwire"} {
		assert.Contains(t, log, want)
	}
	assert.Contains(t, kho(t, "audit", "--config", config, "--user", "Phòng thống kê", "--outcome", "refused", "--format", "json"), "table_function")
	assert.Contains(t, kho(t, "audit", "--config", config, "--verify"), "intact")
}

func TestParseSince(t *testing.T) {
	now := time.Date(2025, 7, 10, 12, 0, 0, 0, hcmZone)
	cases := map[string]time.Time{
		"24h":              now.Add(-24 * time.Hour),
		"7d":               now.AddDate(0, 0, -7),
		"2025-07-01":       time.Date(2025, 7, 1, 0, 0, 0, 0, hcmZone),
		"2025-07-01 08:30": time.Date(2025, 7, 1, 8, 30, 0, 0, hcmZone),
	}
	for in, want := range cases {
		got, err := parseSince(in, now)
		require.NoError(t, err, in)
		assert.True(t, want.Equal(got), in)
	}
	_, err := parseSince("hôm qua", now)
	assert.Error(t, err)
}
