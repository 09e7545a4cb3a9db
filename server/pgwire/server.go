package pgwire

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

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
	Tokens Authenticator
	Log    *slog.Logger
	// Conns, when set, is told of connections opening (+1) and closing (-1).
	Conns func(delta int)
}

// ServerVersion is the PostgreSQL version the server reports: clients pick
// their catalog queries by it.
const ServerVersion = "14.0"

// Server accepts PostgreSQL wire protocol connections.
type Server struct {
	deps Deps
	log  *slog.Logger

	mu       sync.Mutex
	sessions map[uint32]*session
	wg       sync.WaitGroup
}

// New returns a server.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Server{deps: d, log: d.Log, sessions: map[uint32]*session{}}
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
	sess := newSession(s, conn)
	if err := sess.run(ctx); err != nil && ctx.Err() == nil {
		s.log.Debug("pgwire session ended", "remote", conn.RemoteAddr().String(), "err", err)
	}
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
