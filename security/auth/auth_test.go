package auth

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStore(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "security.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })

	secret, tok, err := s.Create(ctx, NewToken{Name: "Phòng thống kê", Role: Analyst, Agency: "Sở Y tế", Grants: []string{"health.visits"}, PII: false, CreatedBy: "test"})
	require.NoError(t, err)
	assert.Regexp(t, `^kho_[A-Za-z0-9_-]{43}$`, secret)

	p, err := s.Authenticate(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, tok.ID, p.TokenID)
	assert.Equal(t, Analyst, p.Role)
	assert.Equal(t, []string{"health.visits"}, p.Grants)

	_, err = s.Authenticate(ctx, secret+"x")
	assert.ErrorIs(t, err, ErrUnauthenticated)
	_, err = s.Authenticate(ctx, "")
	assert.ErrorIs(t, err, ErrUnauthenticated)

	var stored string
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT hash FROM tokens WHERE id = ?`, tok.ID).Scan(&stored))
	assert.NotContains(t, stored, secret[4:], "the secret is not stored")

	ts, err := s.List(ctx)
	require.NoError(t, err)
	require.Len(t, ts, 1)
	assert.True(t, ts[0].Revoked.IsZero())

	r, err := s.Revoke(ctx, tok.ID)
	require.NoError(t, err)
	assert.False(t, r.Revoked.IsZero())
	_, err = s.Authenticate(ctx, secret)
	assert.ErrorIs(t, err, ErrUnauthenticated)
	_, err = s.Revoke(ctx, "tk_nope")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestNewTokenValidate(t *testing.T) {
	err := NewToken{Role: "root", Grants: []string{"health", "Health.Visits", "health.*"}}.Validate()
	require.Error(t, err)
	for _, want := range []string{"--name", `"root"`, `"health"`, `"Health.Visits"`} {
		assert.Contains(t, err.Error(), want)
	}
	assert.NotContains(t, err.Error(), `"health.*"`)
	assert.Error(t, NewToken{Name: "x", Role: Public, PII: true}.Validate())
	assert.NoError(t, NewToken{Name: "x", Role: Engineer, Grants: []string{"health.*", "marts.dossier_kpi_monthly"}}.Validate())
}

func TestCanRead(t *testing.T) {
	open := Object{Name: "health.clinics", Kind: Dataset, Classification: "open", Owner: "Sở Y tế"}
	shared := Object{Name: "labour.jobs", Kind: Dataset, Classification: "shared", Owner: "Sở Nội vụ"}
	restricted := Object{Name: "health.visits", Kind: Dataset, Classification: "restricted", Owner: "Sở Y tế"}
	mart := Object{Name: "marts.dossier_kpi_monthly", Kind: Mart}
	quar := Object{Name: "health.visits__quarantine", Kind: Quarantine, Classification: "restricted", Owner: "Sở Y tế"}

	type want struct{ open, shared, restricted, mart, quar bool }
	cases := []struct {
		name string
		p    Principal
		want want
	}{
		{"anonymous", Anonymous(), want{true, false, false, false, false}},
		{"public token", Principal{TokenID: "t", Role: Public, Grants: []string{"health.visits"}}, want{true, false, false, false, false}},
		{"dashboard", Principal{TokenID: "t", Role: Dashboard, Agency: "Sở Nội vụ"}, want{true, false, false, true, false}},
		{"analyst of the owner", Principal{TokenID: "t", Role: Analyst, Agency: "sở  nội VỤ"}, want{true, true, false, true, false}},
		{"analyst elsewhere", Principal{TokenID: "t", Role: Analyst, Agency: "Sở Y tế"}, want{true, false, false, true, false}},
		{"engineer of the owner", Principal{TokenID: "t", Role: Engineer, Agency: "Sở Y tế"}, want{true, false, false, true, true}},
		{"admin without grant", Principal{TokenID: "t", Role: Admin, Agency: "Sở Y tế"}, want{true, false, false, true, true}},
		{"admin with grant", Principal{TokenID: "t", Role: Admin, Grants: []string{"health.visits"}}, want{true, false, true, true, false}},
		{"dashboard with grants", Principal{TokenID: "t", Role: Dashboard, Grants: []string{"labour.jobs", "health.visits__quarantine"}}, want{true, true, false, true, true}},
		{"domain grant", Principal{TokenID: "t", Role: Analyst, Grants: []string{"health.*"}}, want{true, false, true, true, true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := want{tc.p.CanRead(open), tc.p.CanRead(shared), tc.p.CanRead(restricted), tc.p.CanRead(mart), tc.p.CanRead(quar)}
			assert.Equal(t, tc.want, got)
		})
	}
}
