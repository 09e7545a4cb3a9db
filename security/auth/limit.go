package auth

import (
	"math"
	"net"
	"sync"
	"time"
)

// Limits bound failed authentications per client address.
type Limits struct {
	// Failures is how many failed authentications a client address may
	// make in a row before it is refused; they come back at Failures per
	// Window. 0: no limit.
	Failures int
	Window   time.Duration
}

// maxClients bounds the addresses the limiter follows; beyond it, an
// address it does not follow yet is not limited (rather than limiting
// everyone) until the idle ones are forgotten.
const maxClients = 100_000

// limiter is a token bucket of failures per client address.
type limiter struct {
	l   Limits
	mu  sync.Mutex
	buc map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(l Limits) *limiter {
	return &limiter{l: l, buc: map[string]*bucket{}}
}

func (lm *limiter) on() bool { return lm != nil && lm.l.Failures > 0 && lm.l.Window > 0 }

// rate is the failures that come back per second.
func (lm *limiter) rate() float64 { return float64(lm.l.Failures) / lm.l.Window.Seconds() }

// refill brings b to now; the caller holds mu.
func (lm *limiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = math.Min(float64(lm.l.Failures), b.tokens+d.Seconds()*lm.rate())
		b.at = now
	}
}

// blocked returns how long the client must wait, 0 when it may try.
func (lm *limiter) blocked(key string, now time.Time) time.Duration {
	if !lm.on() {
		return 0
	}
	lm.mu.Lock()
	defer lm.mu.Unlock()
	b := lm.buc[key]
	if b == nil {
		return 0
	}
	lm.refill(b, now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / lm.rate() * float64(time.Second))
}

// fail counts a failure of the client.
func (lm *limiter) fail(key string, now time.Time) {
	if !lm.on() {
		return
	}
	lm.mu.Lock()
	defer lm.mu.Unlock()
	b := lm.buc[key]
	if b == nil {
		if len(lm.buc) >= maxClients {
			lm.forget(now)
			if len(lm.buc) >= maxClients {
				return
			}
		}
		b = &bucket{tokens: float64(lm.l.Failures), at: now}
		lm.buc[key] = b
	}
	lm.refill(b, now)
	b.tokens = math.Max(b.tokens-1, 0)
}

// forget drops the addresses whose bucket is full again; the caller holds mu.
func (lm *limiter) forget(now time.Time) {
	for k, b := range lm.buc {
		if now.Sub(b.at) >= lm.l.Window {
			delete(lm.buc, k)
		}
	}
}

// ClientKey is what the limits count by: the address without its port, and
// an IPv6 address by its /64 (what one host usually holds).
func ClientKey(addr string) string {
	host := addr
	if h, _, err := net.SplitHostPort(addr); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
