package auth

import (
	"context"
	"slices"
	"sort"
	"strings"
)

// Principal is who is asking: a token's identity and rights, or the
// anonymous public.
type Principal struct {
	TokenID string // "" for the anonymous public
	Name    string
	Role    Role
	Agency  string
	Grants  []string
	PII     bool
}

// Anonymous is a caller without a token.
func Anonymous() Principal { return Principal{Name: "anonymous", Role: Public} }

// Anonymous reports whether p has no token.
func (p Principal) Anonymous() bool { return p.TokenID == "" }

// Who names p for logs and the audit: "name (id, role)".
func (p Principal) Who() string {
	if p.Anonymous() {
		return "anonymous (public)"
	}
	return p.Name + " (" + p.TokenID + ", " + string(p.Role) + ")"
}

// Profile is a key of what p may see: principals with the same profile read
// the same views with the same masking.
func (p Principal) Profile() string {
	g := slices.Clone(p.Grants)
	sort.Strings(g)
	pii := "masked"
	if p.PII {
		pii = "pii"
	}
	return strings.Join([]string{string(p.Role), normAgency(p.Agency), pii, strings.Join(g, ",")}, "|")
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal of ctx; the anonymous public when none.
func FromContext(ctx context.Context) Principal {
	if p, ok := ctx.Value(ctxKey{}).(Principal); ok {
		return p
	}
	return Anonymous()
}
