package pgwire_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
	"github.com/sonla-data/kho/server/pgwire"
)

// connectFrom logs in with pgx from the loopback address local.
func connectFrom(ctx context.Context, t *testing.T, addr *net.TCPAddr, local, password string) (*pgx.Conn, error) {
	t.Helper()
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=127.0.0.1 port=%d user=x dbname=kho sslmode=disable connect_timeout=5", addr.Port))
	require.NoError(t, err)
	cfg.Password = password
	cfg.DialFunc = (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}).DialContext
	return pgx.ConnectConfig(ctx, cfg)
}

func sqlstate(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// TestLoginLimits: failed logins of one address answer late, then with
// SQLSTATE 53400; connections that never log in are capped per address and
// closed after pg_auth_timeout; another address logs in all along; and
// every refusal is in the audit log (issue 12, items 5 and 7: pgwire held
// 400 connections that never logged in).
func TestLoginLimits(t *testing.T) {
	env := testenv.New(t, engine.Options{}, nil)
	limits := pgwire.Limits{AuthTimeout: 700 * time.Millisecond, MaxUnauthenticated: 16, MaxUnauthenticatedPerClient: 4, FailDelay: 60 * time.Millisecond}
	guard := auth.NewGuard(env.Tokens, auth.Limits{Failures: 3, Window: time.Minute}, env.Audit)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	srv := pgwire.New(pgwire.Deps{Engine: env.Engine, Tokens: guard, Audit: env.Audit, Limits: limits})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	addr := ln.Addr().(*net.TCPAddr)
	good := env.Secrets[testenv.Analyst]
	loginOK := func(local string) {
		t.Helper()
		c, err := connectFrom(t.Context(), t, addr, local, good)
		require.NoError(t, err, "a login from %s", local)
		var one int
		require.NoError(t, c.QueryRow(t.Context(), "SELECT 1").Scan(&one))
		require.NoError(t, c.Close(t.Context()))
	}

	// Bad passwords from 127.0.0.2: three 28P01, then 53400, each late.
	var codes []string
	for i := range 8 {
		start := time.Now()
		_, err := connectFrom(t.Context(), t, addr, "127.0.0.2", fmt.Sprintf("kho_guess%d", i))
		require.Error(t, err)
		codes = append(codes, sqlstate(err))
		assert.GreaterOrEqual(t, time.Since(start), limits.FailDelay, "a failed login answers late")
	}
	assert.Equal(t, []string{"28P01", "28P01", "28P01", "53400", "53400", "53400", "53400", "53400"}, codes)
	_, err = connectFrom(t.Context(), t, addr, "127.0.0.2", good)
	assert.Equal(t, "53400", sqlstate(err), "the address waits, whatever its token")
	loginOK("127.0.0.1")

	// 127.0.0.3 opens 10 connections and never logs in: 4 are held, the
	// others refused at once with 53300; the 4 are closed after the timeout.
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}
	dialed := time.Now()
	var conns []net.Conn
	for range 10 {
		c, err := d.DialContext(t.Context(), "tcp", addr.String())
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		conns = append(conns, c)
	}
	loginOK("127.0.0.1") // another address is not held by them
	held, refused := 0, 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, 256)
		n, err := c.Read(b)
		if n > 0 {
			assert.Equal(t, byte('E'), b[0])
			assert.Contains(t, string(b[:n]), "53300")
			refused++
			continue
		}
		require.ErrorIs(t, err, io.EOF, "closed by the server, without a word")
		assert.GreaterOrEqual(t, time.Since(dialed), limits.AuthTimeout-100*time.Millisecond, "held until the timeout")
		held++
	}
	assert.Equal(t, 4, held)
	assert.Equal(t, 6, refused)
	assert.Less(t, time.Since(dialed), limits.AuthTimeout+3*time.Second)
	require.Eventually(t, func() bool { // the slots are free again
		c, err := connectFrom(t.Context(), t, addr, "127.0.0.3", good)
		if err == nil {
			c.Close(t.Context())
		}
		return err == nil
	}, 2*time.Second, 20*time.Millisecond)

	require.NoError(t, env.Audit.Flush(t.Context()))
	es, err := env.Audit.Entries(t.Context(), audit.Filter{})
	require.NoError(t, err)
	counts := map[string]int64{}
	for _, e := range es {
		if e.Kind == audit.KindAuth {
			assert.Equal(t, "pgwire", e.Source)
			code, _, _ := cut(e.Reason)
			counts[e.Remote+" "+code] += e.Count
		}
	}
	assert.Equal(t, map[string]int64{
		"127.0.0.2 invalid_token":        3,
		"127.0.0.2 rate_limited":         6,
		"127.0.0.3 too_many_connections": 6,
		"127.0.0.3 auth_timeout":         4,
	}, counts)
}

func cut(reason string) (string, string, bool) {
	for i, r := range reason {
		if r == ':' {
			return reason[:i], reason[i+1:], true
		}
	}
	return reason, "", false
}
