package server_test

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/server"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
)

// TestTLS: with serve.tls_cert and serve.tls_key the HTTP address answers
// HTTPS, verified against the certificate, and refuses plain HTTP.
func TestTLS(t *testing.T) {
	cert := testenv.SelfSigned(t)
	cfg, err := server.LoadTLS(cert.CertFile, cert.KeyFile)
	require.NoError(t, err)
	env := testenv.New(t, engine.Options{}, nil)
	s := server.New(server.Deps{Engine: env.Engine, Tokens: env.Tokens, TLS: cfg})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	addr := ln.Addr().String()

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cert.Pool}}}
	req, err := http.NewRequestWithContext(t.Context(), "POST", "https://"+addr+"/api/query", strings.NewReader("SELECT count(*) AS n FROM marts.dossier_kpi_monthly"))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+env.Secrets[testenv.Dashboard])
	resp, err := client.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.JSONEq(t, `[{"n": 4}]`, string(body))

	resp, err = http.Get("http://" + addr + "/healthz")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "plain HTTP is refused")
	assert.Contains(t, string(body), "HTTPS")

	_, err = server.LoadTLS(cert.CertFile, "")
	assert.ErrorContains(t, err, "serve.tls_key")
	_, err = server.LoadTLS(cert.KeyFile, cert.CertFile)
	assert.ErrorContains(t, err, "serve.tls_cert")
}
