package pgwire

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/engine"
)

// maxMessage bounds a client message (statements are bounded far below, by
// the sandbox).
const maxMessage = 8 << 20

// session is one client connection.
type session struct {
	srv    *Server
	conn   net.Conn
	rd     *watchedConn
	be     *pgproto3.Backend
	remote string

	p       auth.Principal
	params  map[string]string
	pid     uint32
	secret  []byte
	tx      byte // 'I' idle, 'T' in a transaction block
	stmts   map[string]*prepared
	portals map[string]*portal
	skip    bool // an extended-protocol error: skip to Sync

	mu      sync.Mutex
	running context.CancelFunc

	loggedIn func() // called once the token is checked (the connection no longer counts as waiting)
	tls      bool   // the connection was upgraded to TLS
}

func newSession(srv *Server, conn net.Conn) *session {
	rd := &watchedConn{conn: conn}
	be := pgproto3.NewBackend(rd, conn)
	be.SetMaxBodyLen(maxMessage)
	return &session{srv: srv, conn: conn, rd: rd, be: be, remote: conn.RemoteAddr().String(),
		params: map[string]string{}, tx: 'I', stmts: map[string]*prepared{}, portals: map[string]*portal{}}
}

func (s *session) run(ctx context.Context) error {
	ok, err := s.startup(ctx)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		s.srv.audit(ctx, audit.Denied, fmt.Sprintf("auth_timeout: not logged in within %s (serve.pg_auth_timeout)", s.srv.deps.Limits.AuthTimeout))
	}
	if err != nil || !ok {
		return err
	}
	if s.loggedIn != nil {
		s.loggedIn()
	}
	s.srv.register(s)
	defer s.srv.unregister(s)
	s.greet()
	if err := s.be.Flush(); err != nil {
		return err
	}
	for {
		msg, err := s.be.Receive()
		if err != nil {
			return err
		}
		if s.skip {
			switch msg.(type) {
			case *pgproto3.Sync:
				s.skip = false
				s.ready()
			case *pgproto3.Terminate:
				return nil
			}
			if err := s.be.Flush(); err != nil {
				return err
			}
			continue
		}
		switch m := msg.(type) {
		case *pgproto3.Query:
			s.simple(ctx, m.String)
			s.ready()
			s.skip = false
		case *pgproto3.Parse:
			s.parse(ctx, m)
		case *pgproto3.Bind:
			s.bind(m)
		case *pgproto3.Describe:
			s.describe(ctx, m)
		case *pgproto3.Execute:
			s.execute(ctx, m)
		case *pgproto3.Sync:
			s.ready()
		case *pgproto3.Close:
			if m.ObjectType == 'S' {
				delete(s.stmts, m.Name)
			} else {
				delete(s.portals, m.Name)
			}
			s.be.Send(&pgproto3.CloseComplete{})
		case *pgproto3.Flush:
		case *pgproto3.Terminate:
			return nil
		default:
			s.fail(&pgError{code: "0A000", msg: fmt.Sprintf("không hỗ trợ thông điệp %T / message %T is not supported", msg, msg)})
		}
		if err := s.be.Flush(); err != nil {
			return err
		}
	}
}

// startup reads the startup packets and checks the token; false: the
// connection was a cancel request or was refused.
func (s *session) startup(ctx context.Context) (bool, error) {
	deadline := time.Now().Add(s.srv.deps.Limits.AuthTimeout)
	_ = s.conn.SetDeadline(deadline)
	defer s.conn.SetDeadline(time.Time{})
	for {
		msg, err := s.be.ReceiveStartupMessage()
		if err != nil {
			return false, err
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			if s.srv.deps.TLS == nil || s.tls {
				if _, err := s.conn.Write([]byte("N")); err != nil {
					return false, err
				}
				continue
			}
			if _, err := s.conn.Write([]byte("S")); err != nil {
				return false, err
			}
			if err := s.upgrade(ctx); err != nil {
				return false, err
			}
			continue
		case *pgproto3.GSSEncRequest:
			if _, err := s.conn.Write([]byte("N")); err != nil {
				return false, err
			}
			continue
		case *pgproto3.CancelRequest:
			s.srv.cancel(m.ProcessID, m.SecretKey)
			return false, nil
		case *pgproto3.StartupMessage:
			for k, v := range m.Parameters {
				s.params[strings.ToLower(k)] = v
			}
			if s.srv.deps.TLS != nil && !s.tls {
				// Refused before the password is asked for: the client never
				// sends its token over this connection.
				s.srv.audit(ctx, audit.Refused, "tls_required: a connection without TLS (serve.tls_cert is set)")
				s.be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: "28000",
					Message: "máy chủ chỉ nhận kết nối mã hóa TLS / this server accepts TLS connections only: connect with sslmode=require (or verify-full)"})
				return false, s.be.Flush()
			}
		default:
			return false, fmt.Errorf("unexpected startup message %T", msg)
		}
		break
	}
	s.be.Send(&pgproto3.AuthenticationCleartextPassword{})
	if err := s.be.Flush(); err != nil {
		return false, err
	}
	if err := s.be.SetAuthType(pgproto3.AuthTypeCleartextPassword); err != nil {
		return false, err
	}
	msg, err := s.be.Receive()
	if err != nil {
		return false, err
	}
	pw, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return false, fmt.Errorf("expected a password, got %T", msg)
	}
	actx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	p, err := s.srv.deps.Tokens.Authenticate(actx, pw.Password)
	if err != nil {
		s.srv.log.Info("pgwire authentication refused", "remote", s.remote, "user", s.params["user"], "err", err)
		code, msg := "28P01", "xác thực thất bại: mật khẩu phải là một token Kho còn hiệu lực / password authentication failed: the password must be a valid Kho token"
		var limited *auth.RateLimitedError
		if errors.As(err, &limited) {
			code, msg = "53400", limited.Error()
		}
		// Like PostgreSQL's auth_delay: a failure answers late (never past
		// the login's deadline), which slows guessing on one connection.
		if d := min(s.srv.deps.Limits.FailDelay, time.Until(deadline)-50*time.Millisecond); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return false, ctx.Err()
			}
		}
		s.be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: code, Message: msg})
		return false, s.be.Flush()
	}
	s.p = p
	return true, nil
}

// upgrade runs the TLS handshake after an SSLRequest answered 'S'; the
// session then reads and writes through TLS.
func (s *session) upgrade(ctx context.Context) error {
	tc := tls.Server(s.conn, s.srv.deps.TLS)
	if err := tc.HandshakeContext(ctx); err != nil {
		return fmt.Errorf("TLS handshake: %w", err)
	}
	s.conn, s.tls = tc, true
	s.rd = &watchedConn{conn: tc}
	s.be = pgproto3.NewBackend(s.rd, tc)
	s.be.SetMaxBodyLen(maxMessage)
	return nil
}

func (s *session) greet() {
	s.be.Send(&pgproto3.AuthenticationOk{})
	for _, kv := range [][2]string{
		{"server_version", ServerVersion},
		{"server_encoding", "UTF8"},
		{"client_encoding", "UTF8"},
		{"DateStyle", "ISO, MDY"},
		{"IntervalStyle", "postgres"},
		{"TimeZone", "Asia/Ho_Chi_Minh"},
		{"integer_datetimes", "on"},
		{"standard_conforming_strings", "on"},
		{"is_superuser", "off"},
		{"default_transaction_read_only", "on"},
		{"in_hot_standby", "off"},
		{"session_authorization", s.params["user"]},
		{"application_name", s.params["application_name"]},
	} {
		s.be.Send(&pgproto3.ParameterStatus{Name: kv[0], Value: kv[1]})
	}
	s.be.Send(&pgproto3.BackendKeyData{ProcessID: s.pid, SecretKey: s.secret})
	s.ready()
}

func (s *session) ready() { s.be.Send(&pgproto3.ReadyForQuery{TxStatus: s.tx}) }

// fail sends an error; in the extended protocol, what follows is skipped
// until Sync.
func (s *session) fail(err error) {
	s.be.Send(toResponse(err))
	s.skip = true
}

// begin makes the context of a statement: cancelled by a CancelRequest, by
// the client closing the connection, or when the session ends.
func (s *session) begin(ctx context.Context) (context.Context, func()) {
	rctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.running = cancel
	s.mu.Unlock()
	stop := s.rd.watch(cancel)
	return rctx, func() {
		stop()
		s.mu.Lock()
		s.running = nil
		s.mu.Unlock()
		cancel()
	}
}

func (s *session) cancelRunning() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running != nil {
		s.running()
	}
}

func (s *session) query(sql string, args []any, action string) engine.Query {
	db := s.params["database"]
	if db == "" {
		db = s.params["user"] // PostgreSQL's default
	}
	return engine.Query{Principal: s.p, SQL: sql, Args: args, Source: "pgwire", Action: action, Remote: s.remote, Database: db}
}
