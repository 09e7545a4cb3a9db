package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/engine"
)

// Authenticator checks a token's secret. *auth.Store is one.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (auth.Principal, error)
}

// Deps are what the wire server serves.
type Deps struct {
	Engine *engine.Engine
	// Tokens checks the password (a token); an *auth.Guard also limits
	// failed logins per client address and audits them.
	Tokens Authenticator
	Log    *slog.Logger
	// Conns, when set, is told of connections opening (+1) and closing (-1).
	Conns func(delta int)
	// Audit, when set, takes the connections refused before their token is
	// checked (over a limit, too slow to log in), folded per client and minute.
	Audit  auth.Tallier
	Limits Limits
	// TLS, when set, answers SSLRequest with 'S' and upgrades the
	// connection; a client that starts without TLS is refused before it is
	// asked for its password, so that a token never crosses in clear text.
	TLS *tls.Config
}

// Limits bound the connections that have not logged in yet, so that clients
// that connect and never authenticate cannot hold the server.
type Limits struct {
	// AuthTimeout is how long a connection may take from its first byte to
	// a checked token; then it is closed. 0: 5 s.
	AuthTimeout time.Duration
	// MaxUnauthenticated caps the connections not logged in yet, in all;
	// MaxUnauthenticatedPerClient caps them per client address, so that one
	// address cannot take the whole cap. Further ones get SQLSTATE 53300 and
	// are closed. 0: 64 and 8.
	MaxUnauthenticated          int
	MaxUnauthenticatedPerClient int
	// FailDelay is how long a failed login waits before its answer (28P01,
	// or 53400 when the address is refused for too many failures), as
	// PostgreSQL's auth_delay does. 0: 500 ms; negative: none.
	FailDelay time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.AuthTimeout <= 0 {
		l.AuthTimeout = 5 * time.Second
	}
	if l.MaxUnauthenticated <= 0 {
		l.MaxUnauthenticated = 64
	}
	if l.MaxUnauthenticatedPerClient <= 0 {
		l.MaxUnauthenticatedPerClient = 8
	}
	if l.FailDelay == 0 {
		l.FailDelay = 500 * time.Millisecond
	}
	return l
}

// ServerVersion is the PostgreSQL version the server reports: clients pick
// their catalog queries by it.
const ServerVersion = engine.ServerVersion

// Server accepts PostgreSQL wire protocol connections.
type Server struct {
	deps Deps
	log  *slog.Logger

	mu       sync.Mutex
	sessions map[uint32]*session
	wg       sync.WaitGroup

	pendMu  sync.Mutex
	pending map[string]int // connections not logged in yet, by client address
	pendAll int
}

// New returns a server.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	d.Limits = d.Limits.withDefaults()
	return &Server{deps: d, log: d.Log, sessions: map[uint32]*session{}, pending: map[string]int{}}
}

// Serve accepts connections on ln until ctx ends; then it closes them and
// waits for their sessions to end.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	var delay time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				s.wg.Wait()
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			s.wg.Wait()
			return err
		}
		delay = 0
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(ctx, conn)
		}()
	}
}

func (s *Server) serveConn(ctx context.Context, conn net.Conn) {
	if s.deps.Conns != nil {
		s.deps.Conns(1)
		defer s.deps.Conns(-1)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	remote := conn.RemoteAddr().String()
	ctx = auth.WithClient(ctx, auth.Client{Addr: remote, Source: "pgwire"})
	release, ok := s.admit(auth.ClientKey(remote))
	if !ok {
		s.refuse(ctx, conn)
		return
	}
	defer release()
	sess := newSession(s, conn)
	sess.loggedIn = release
	if err := sess.run(ctx); err != nil && ctx.Err() == nil {
		s.log.Debug("pgwire session ended", "remote", remote, "err", err)
	}
	// Over TLS the session ends with close_notify, as PostgreSQL's does:
	// libpq (OpenSSL 3) reports a cancel request whose connection was cut
	// without one as failed ("SSL error: unexpected eof while reading").
	if tc, ok := sess.conn.(*tls.Conn); ok {
		_ = tc.Close()
	}
}

// admit counts a connection that has not logged in yet, unless a cap is
// reached; release (idempotent) stops counting it.
func (s *Server) admit(client string) (release func(), ok bool) {
	s.pendMu.Lock()
	defer s.pendMu.Unlock()
	if s.pendAll >= s.deps.Limits.MaxUnauthenticated || s.pending[client] >= s.deps.Limits.MaxUnauthenticatedPerClient {
		return nil, false
	}
	s.pendAll++
	s.pending[client]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.pendMu.Lock()
			defer s.pendMu.Unlock()
			s.pendAll--
			if s.pending[client]--; s.pending[client] <= 0 {
				delete(s.pending, client)
			}
		})
	}, true
}

// refuse answers a connection over the caps with SQLSTATE 53300 and closes it.
func (s *Server) refuse(ctx context.Context, conn net.Conn) {
	s.audit(ctx, audit.Refused, "too_many_connections: over the cap of connections not logged in yet (serve.pg_max_unauthenticated)")
	_ = conn.SetWriteDeadline(time.Now().Add(time.Second))
	be := pgproto3.NewBackend(conn, conn)
	be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: "53300",
		Message: "quá nhiều kết nối đang chờ đăng nhập / too many connections waiting to log in; try again later"})
	_ = be.Flush()
	conn.Close()
}

// audit tallies a refusal of the client of ctx.
func (s *Server) audit(ctx context.Context, outcome, reason string) {
	if s.deps.Audit == nil {
		return
	}
	c := auth.ClientFrom(ctx)
	s.deps.Audit.Tally(audit.Entry{Kind: audit.KindAuth, Source: "pgwire", Action: "auth", Name: "anonymous", Role: string(auth.Public),
		Remote: c.Addr, Outcome: outcome, Reason: reason})
}

// register gives a session its key for CancelRequest.
func (s *Server) register(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		var b [8]byte
		_, _ = rand.Read(b[:])
		pid := binary.BigEndian.Uint32(b[:4]) &^ (1 << 31)
		if _, taken := s.sessions[pid]; pid != 0 && !taken {
			sess.pid, sess.secret = pid, b[4:8]
			s.sessions[pid] = sess
			return
		}
	}
}

func (s *Server) unregister(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[sess.pid] == sess {
		delete(s.sessions, sess.pid)
	}
}

// cancel stops the running statement of the session with pid and secret.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	sess := s.sessions[pid]
	s.mu.Unlock()
	if sess == nil || len(secret) != len(sess.secret) || string(secret) != string(sess.secret) {
		return
	}
	sess.cancelRunning()
}
