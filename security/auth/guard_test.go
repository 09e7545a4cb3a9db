package auth

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientKey(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:5432":             "127.0.0.1",
		"[::ffff:10.0.0.7]:80":       "10.0.0.7",
		"[2001:db8:1:2:a:b:c:d]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:1":   "2001:db8:1:2::/64",
		"[2001:db8:1:3::1]:1":        "2001:db8:1:3::/64",
		"":                           "",
		"not an address":             "not an address",
	} {
		assert.Equal(t, want, ClientKey(in), in)
	}
}

// TestGuardLimitsPerAddress runs the guard on a real store with a clock of
// its own: failures of one address refuse that address only, come back at
// the limit's rate, and a check without an address is never limited.
func TestGuardLimitsPerAddress(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "security.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	secret, _, err := s.Create(ctx, NewToken{Name: "a", Role: Analyst})
	require.NoError(t, err)
	g := NewGuard(s, Limits{Failures: 3, Window: time.Minute}, nil)
	now := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	g.now = func() time.Time { return now }
	from := func(addr string) context.Context { return WithClient(ctx, Client{Addr: addr, Source: "http"}) }

	for range 3 {
		_, err := g.Authenticate(from("10.0.0.9:1000"), "kho_bad")
		assert.ErrorIs(t, err, ErrUnauthenticated)
	}
	_, err = g.Authenticate(from("10.0.0.9:1001"), secret)
	var rl *RateLimitedError
	require.True(t, errors.As(err, &rl), "%v", err)
	assert.Equal(t, 20*time.Second, rl.RetryAfter())
	assert.Equal(t, 20, rl.RetrySeconds())
	_, err = g.Authenticate(from("10.0.0.10:1000"), secret)
	assert.NoError(t, err, "another address")
	for range 10 {
		_, err = g.Authenticate(ctx, "kho_bad")
		assert.ErrorIs(t, err, ErrUnauthenticated, "no address: not limited")
	}
	now = now.Add(20 * time.Second)
	_, err = g.Authenticate(from("10.0.0.9:1002"), secret)
	assert.NoError(t, err, "a failure came back")
}
