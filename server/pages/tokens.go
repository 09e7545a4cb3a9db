package pages

import (
	"context"
	"errors"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/pages/site"
)

// TokenStore checks a token's secret. *auth.Store is one.
type TokenStore interface {
	Authenticate(ctx context.Context, secret string) (auth.Principal, error)
}

// Tokens lets the dashboard's login check tokens against the server's token
// store (kho token create), so that the pages and the API know the same
// tokens and roles.
func Tokens(s TokenStore) site.Authenticator { return tokens{s} }

type tokens struct{ s TokenStore }

func (t tokens) Authenticate(ctx context.Context, secret string) (site.Principal, error) {
	p, err := t.s.Authenticate(ctx, secret)
	if errors.Is(err, auth.ErrUnauthenticated) {
		return site.Principal{}, site.ErrBadToken
	}
	if err != nil {
		return site.Principal{}, err
	}
	return site.Principal{Name: p.Name, Role: string(p.Role), Auth: p}, nil
}
