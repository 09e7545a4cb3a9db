package auth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/sonla-data/kho/security/audit"
)

// Authenticator checks a token's secret. *Store and *Guard are ones.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (Principal, error)
}

// Client is who is connecting, as the limits and the audit see it: the
// remote address (host:port) and the source ("http", "pgwire").
type Client struct {
	Addr   string
	Source string
}

type clientKey struct{}

// WithClient returns ctx carrying the client that asks.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the client of ctx (zero when none).
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// RateLimitedError refuses a client address that failed to authenticate too
// often; it may try again after RetryAfter. Its token was not checked.
type RateLimitedError struct{ After time.Duration }

func (e *RateLimitedError) Error() string {
	s := e.RetrySeconds()
	return fmt.Sprintf("quá nhiều lần xác thực thất bại từ địa chỉ này; thử lại sau %d giây / too many failed authentications from this address; retry in %d s", s, s)
}

// RetryAfter is how long the client should wait.
func (e *RateLimitedError) RetryAfter() time.Duration { return e.After }

// RetrySeconds is RetryAfter in whole seconds, at least 1 (Retry-After).
func (e *RateLimitedError) RetrySeconds() int {
	return max(1, int(math.Ceil(e.After.Seconds())))
}

// Tallier takes audit entries that may come in floods. *audit.Log is one.
type Tallier interface{ Tally(audit.Entry) }

// Guard checks tokens for every door (HTTP API, pages, pgwire): it refuses a
// client address that failed too often (RateLimitedError, without checking
// the token, so that guessing is bounded), counts the failures of each
// address, and audits failures and refusals, folded per client and minute.
// A client is known by the address WithClient put in the context; the
// failures of one address never refuse another, and a check without an
// address is audited but not limited (one shared count would let anyone
// lock everyone out).
type Guard struct {
	tokens Authenticator
	lim    *limiter
	audit  Tallier
	now    func() time.Time
}

// NewGuard guards tokens with limits; audit may be nil.
func NewGuard(tokens Authenticator, limits Limits, audit Tallier) *Guard {
	return &Guard{tokens: tokens, lim: newLimiter(limits), audit: audit, now: time.Now}
}

// Authenticate checks secret for the client of ctx.
func (g *Guard) Authenticate(ctx context.Context, secret string) (Principal, error) {
	c := ClientFrom(ctx)
	key := ClientKey(c.Addr)
	if key == "" {
		p, err := g.tokens.Authenticate(ctx, secret)
		if errors.Is(err, ErrUnauthenticated) {
			g.report(c, audit.Denied, "invalid_token: an unknown, malformed or revoked token")
		}
		return p, err
	}
	if wait := g.lim.blocked(key, g.now()); wait > 0 {
		err := &RateLimitedError{After: wait}
		g.report(c, audit.Refused, "rate_limited: too many failed authentications from this address")
		return Principal{}, err
	}
	p, err := g.tokens.Authenticate(ctx, secret)
	if errors.Is(err, ErrUnauthenticated) {
		g.lim.fail(key, g.now())
		g.report(c, audit.Denied, "invalid_token: an unknown, malformed or revoked token")
	}
	return p, err
}

// Refuse audits a refusal of the client of ctx that is not a token check
// (a connection over a limit, a login that timed out).
func (g *Guard) Refuse(ctx context.Context, outcome, reason string) {
	g.report(ClientFrom(ctx), outcome, reason)
}

func (g *Guard) report(c Client, outcome, reason string) {
	if g.audit == nil {
		return
	}
	g.audit.Tally(audit.Entry{Kind: audit.KindAuth, Source: c.Source, Action: "auth", Name: "anonymous", Role: string(Public),
		Remote: c.Addr, Outcome: outcome, Reason: reason})
}
