// Package testenv wires what the server's tests run against: the testlake
// fixture, a token store with a token of every role, the audit log and the
// engine, all real, under temporary folders.
package testenv

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/internal/testlake"
)

// Env is the wired test warehouse.
type Env struct {
	*testlake.Lake
	Engine  *engine.Engine
	Tokens  *auth.Store
	Audit   *audit.Log
	Secrets map[string]string // token name -> secret
	IDs     map[string]string // token name -> id
}

// Token names of the Env, one per role and kind of grant.
const (
	Admin        = "admin"         // admin, no grants
	Engineer     = "engineer"      // engineer of Sở Y tế (the quarantine of health)
	Analyst      = "analyst"       // analyst of Sở Nội vụ (the shared labour data)
	AnalystGrant = "analyst-grant" // analyst with a grant on health.visits, masked
	AnalystPII   = "analyst-pii"   // analyst with a grant on health.visits and the PII grant
	Dashboard    = "dashboard"
	Public       = "public"
)

var tokens = []auth.NewToken{
	{Name: Admin, Role: auth.Admin, Agency: "Sở Khoa học và Công nghệ"},
	{Name: Engineer, Role: auth.Engineer, Agency: testlake.HealthOwner},
	{Name: Analyst, Role: auth.Analyst, Agency: testlake.SharedOwner},
	{Name: AnalystGrant, Role: auth.Analyst, Agency: testlake.HealthOwner, Grants: []string{"health.visits"}},
	{Name: AnalystPII, Role: auth.Analyst, Agency: testlake.HealthOwner, Grants: []string{"health.visits"}, PII: true},
	{Name: Dashboard, Role: auth.Dashboard},
	{Name: Public, Role: auth.Public},
}

// New builds the Env; opt tunes the engine.
func New(t testing.TB, opt engine.Options, observe func(engine.Event)) *Env {
	t.Helper()
	ctx := context.Background()
	env := &Env{Lake: testlake.Build(t), Secrets: map[string]string{}, IDs: map[string]string{}}
	dir := t.TempDir()
	var err error
	env.Tokens, err = auth.Open(ctx, filepath.Join(dir, "security.db"))
	require.NoError(t, err)
	t.Cleanup(func() { env.Tokens.Close() })
	for _, n := range tokens {
		secret, tok, err := env.Tokens.Create(ctx, n)
		require.NoError(t, err)
		env.Secrets[n.Name], env.IDs[n.Name] = secret, tok.ID
	}
	env.Audit, err = audit.Open(ctx, filepath.Join(dir, "audit.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { env.Audit.Close() })
	opt.TempDir = filepath.Join(dir, "tmp")
	env.Engine, err = engine.Open(ctx, engine.Deps{Lake: env.Lake.Lake, Schemas: env.Schemas, Marts: env.Marts, Audit: env.Audit, Observe: observe}, opt)
	require.NoError(t, err)
	t.Cleanup(func() { env.Engine.Close() })
	return env
}

// Names lists the token names, then "" for a caller without a token.
func Names() []string {
	out := make([]string, 0, len(tokens)+1)
	for _, n := range tokens {
		out = append(out, n.Name)
	}
	return append(out, "")
}
