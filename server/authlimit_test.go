package server_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
)

// clientFrom is an HTTP client whose connections come from the loopback
// address local (127.0.0.2 is another client than 127.0.0.1 on Linux).
func clientFrom(t *testing.T, local string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func get(t *testing.T, c *http.Client, url, secret string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	require.NoError(t, err)
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	resp, err := c.Do(req)
	require.NoError(t, err)
	_, _ = resp.Body.Read(make([]byte, 512))
	resp.Body.Close()
	return resp
}

// TestFailedLoginsLimitedAndAudited sends 600 bad tokens from one address,
// as the attack of issue 12 did (600 in 1.1 s, all 401): the first ones are
// 401, then 429 with Retry-After; another address logs in meanwhile; and
// the audit log holds a handful of entries whose counts add up to 600
// (items 5 and 7).
func TestFailedLoginsLimitedAndAudited(t *testing.T) {
	env := testenv.New(t, engine.Options{}, nil)
	const failures, window = 5, time.Minute
	guard := auth.NewGuard(env.Tokens, auth.Limits{Failures: failures, Window: window}, env.Audit)
	s := server.New(server.Deps{Engine: env.Engine, Tokens: guard, Audit: env.Audit})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	attacker, other := clientFrom(t, "127.0.0.2"), clientFrom(t, "127.0.0.1")
	if _, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext(context.Background(), "tcp", srv.Listener.Addr().String()); err != nil {
		t.Fatalf("this test needs the loopback address 127.0.0.2 (Linux routes 127.0.0.0/8 to lo): %v", err)
	}

	start := time.Now()
	codes := map[int]int{}
	retryAfter := ""
	for i := range 600 {
		r := get(t, attacker, srv.URL+"/api/datasets", "kho_guess"+strconv.Itoa(i))
		codes[r.StatusCode]++
		if r.StatusCode == http.StatusTooManyRequests {
			retryAfter = r.Header.Get("Retry-After")
		}
		if i == 300 { // another client, with a good token and with a bad one, is not held
			assert.Equal(t, http.StatusOK, get(t, other, srv.URL+"/api/marts/dossier_kpi_monthly", env.Secrets[testenv.Dashboard]).StatusCode)
			assert.Equal(t, http.StatusUnauthorized, get(t, other, srv.URL+"/api/datasets", "kho_typo").StatusCode)
			// a good token from the attacker's address waits too: its token is not checked
			assert.Equal(t, http.StatusTooManyRequests, get(t, attacker, srv.URL+"/api/datasets", env.Secrets[testenv.Dashboard]).StatusCode)
		}
	}
	elapsed := time.Since(start)
	t.Logf("600 bad tokens in %s: %v", elapsed, codes)
	require.Less(t, elapsed, window/failures, "the loop ran before a failure came back")
	assert.Equal(t, map[int]int{http.StatusUnauthorized: failures, http.StatusTooManyRequests: 600 - failures}, codes)
	assert.Equal(t, "12", retryAfter, "a failure comes back every 12 s")
	// Anonymous reading of open data is not an authentication: not held.
	assert.Equal(t, http.StatusOK, get(t, attacker, srv.URL+"/api/datasets", "").StatusCode)

	// Audit: a few entries, their counts sum to every refused attempt.
	require.NoError(t, env.Audit.Flush(t.Context()))
	es, err := env.Audit.Entries(t.Context(), audit.Filter{})
	require.NoError(t, err)
	counts := map[string]int64{}
	var rows int
	for _, e := range es {
		if e.Kind != audit.KindAuth {
			continue
		}
		rows++
		counts[e.Remote+" "+e.Outcome] += e.Count
		assert.NotContains(t, e.Reason+e.SQL+e.Object, "kho_guess", "no secret in the audit")
	}
	assert.EqualValues(t, codes[http.StatusUnauthorized], counts["127.0.0.2 "+audit.Denied])
	assert.EqualValues(t, codes[http.StatusTooManyRequests]+1, counts["127.0.0.2 "+audit.Refused]) // and the good token refused
	assert.EqualValues(t, 1, counts["127.0.0.1 "+audit.Denied])
	assert.LessOrEqual(t, rows, 12, "folded per client and minute")
	t.Logf("%d audit rows for %v", rows, counts)

	// After the window, the address may log in again.
	short := auth.NewGuard(env.Tokens, auth.Limits{Failures: 2, Window: 200 * time.Millisecond}, nil)
	srv2 := httptest.NewServer(server.New(server.Deps{Engine: env.Engine, Tokens: short}))
	t.Cleanup(srv2.Close)
	for _, want := range []int{http.StatusUnauthorized, http.StatusUnauthorized, http.StatusTooManyRequests} {
		assert.Equal(t, want, get(t, attacker, srv2.URL+"/api/datasets", "kho_guess").StatusCode)
	}
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, http.StatusOK, get(t, attacker, srv2.URL+"/api/marts/dossier_kpi_monthly", env.Secrets[testenv.Dashboard]).StatusCode)
}

// TestRefusalsAudited: a request without the token it needs, a role refused
// and a dataset the token may not read (answered 404, as one that does not
// exist) leave entries in the audit log (item 5).
func TestRefusalsAudited(t *testing.T) {
	env := testenv.New(t, engine.Options{}, nil)
	s := server.New(server.Deps{Engine: env.Engine, Tokens: env.Tokens, Audit: env.Audit})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := clientFrom(t, "127.0.0.1")
	assert.Equal(t, http.StatusNotFound, get(t, c, srv.URL+"/api/datasets/health.visits", env.Secrets[testenv.Analyst]).StatusCode)
	assert.Equal(t, http.StatusNotFound, get(t, c, srv.URL+"/api/datasets/health.visits/download", env.Secrets[testenv.Analyst]).StatusCode)
	assert.Equal(t, http.StatusNotFound, get(t, c, srv.URL+"/api/datasets/health.nope", env.Secrets[testenv.Analyst]).StatusCode)
	assert.Equal(t, http.StatusNotFound, get(t, c, srv.URL+"/api/marts/dossier_kpi_monthly", env.Secrets[testenv.Public]).StatusCode)
	assert.Equal(t, http.StatusUnauthorized, get(t, c, srv.URL+"/api/marts/dossier_kpi_monthly", "").StatusCode)
	assert.Equal(t, http.StatusForbidden, get(t, c, srv.URL+"/metrics", env.Secrets[testenv.Analyst]).StatusCode)
	assert.Equal(t, http.StatusOK, get(t, c, srv.URL+"/api/datasets/health.visits", env.Secrets[testenv.AnalystGrant]).StatusCode)

	require.NoError(t, env.Audit.Flush(t.Context()))
	es, err := env.Audit.Entries(t.Context(), audit.Filter{Outcome: audit.Refused})
	require.NoError(t, err)
	type got struct{ who, action, object, reason string }
	var all []got
	for _, e := range es {
		all = append(all, got{e.Name, e.Action, e.Object, e.Reason[:min(len(e.Reason), 13)]}) // the start of the reason: its code
	}
	assert.ElementsMatch(t, []got{
		{testenv.Analyst, "dataset", "health.visits", "not_permitted"},
		{testenv.Analyst, "dataset", "health.visits", "not_permitted"},
		{testenv.Analyst, "dataset", "health.nope", "not_found: no"},
		{testenv.Public, "dataset", "marts.dossier_kpi_monthly", "not_permitted"},
		{testenv.Analyst, "role", "/metrics", "role_not_allo"},
	}, all)
	denied, err := env.Audit.Entries(t.Context(), audit.Filter{Outcome: audit.Denied})
	require.NoError(t, err)
	require.Len(t, denied, 1)
	assert.Contains(t, denied[0].Reason, "no_token")
}
