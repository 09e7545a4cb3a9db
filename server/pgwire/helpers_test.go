package pgwire_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testenv"
	"github.com/sonla-data/kho/server/pgwire"
)

type harness struct {
	env  *testenv.Env
	addr *net.TCPAddr
}

func newHarness(t *testing.T, opt engine.Options) *harness {
	t.Helper()
	return newHarnessTLS(t, opt, nil)
}

// newHarnessTLS serves with TLS when cert is set: TLS only.
func newHarnessTLS(t *testing.T, opt engine.Options, cert *testenv.Cert) *harness {
	t.Helper()
	env := testenv.New(t, opt, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	deps := pgwire.Deps{Engine: env.Engine, Tokens: env.Tokens}
	if cert != nil {
		kp, err := tls.LoadX509KeyPair(cert.CertFile, cert.KeyFile)
		require.NoError(t, err)
		deps.TLS = &tls.Config{Certificates: []tls.Certificate{kp}}
	}
	srv := pgwire.New(deps)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return &harness{env: env, addr: ln.Addr().(*net.TCPAddr)}
}

// dsn is a connection string for the token named who.
func (h *harness) dsn(who string) string {
	return fmt.Sprintf("host=127.0.0.1 port=%d user=%s password=%s dbname=kho sslmode=disable", h.addr.Port, strings.ReplaceAll(who, "-", "_"), h.env.Secrets[who])
}

func (h *harness) url(who string) string {
	return fmt.Sprintf("postgres://%s:%s@127.0.0.1:%d/kho?sslmode=disable", strings.ReplaceAll(who, "-", "_"), h.env.Secrets[who], h.addr.Port)
}

// psql runs the real psql client; it returns stdout and stderr.
func (h *harness) psql(t *testing.T, who string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "psql", append([]string{h.dsn(who), "-X", "--no-psqlrc"}, args...)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}
