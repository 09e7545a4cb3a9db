package server

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/api"
)

// TokenFromRequest is the bearer token of a request ("" when none).
func TokenFromRequest(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
		return strings.TrimSpace(tok)
	}
	return ""
}

var errNoToken = errors.New("cần token: Authorization: Bearer <token> / a token is needed: Authorization: Bearer <token>")

// Authenticate puts the caller's principal in the request's context
// (auth.FromContext): the token's, or the anonymous public when there is no
// token. A token that is not valid is refused with 401, never downgraded.
func (s *Server) Authenticate(next http.Handler) http.Handler {
	return s.authenticate(next, false)
}

// RequireToken is Authenticate that also refuses callers without a token.
func (s *Server) RequireToken(next http.Handler) http.Handler {
	return s.authenticate(next, true)
}

// RequireRole is RequireToken that also refuses tokens of other roles (403).
func (s *Server) RequireRole(roles []auth.Role, next http.Handler) http.Handler {
	return s.RequireToken(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := auth.FromContext(r.Context()); !slices.Contains(roles, p.Role) {
			s.tally(r, p, audit.Refused, "role", r.URL.Path, "role_not_allowed: the role "+string(p.Role)+" may not use "+r.Pattern)
			writeAuthError(w, http.StatusForbidden, "vai trò "+string(p.Role)+" không được dùng trang này", "the role "+string(p.Role)+" may not use this")
			return
		}
		next.ServeHTTP(w, r)
	}))
}

func (s *Server) authenticate(next http.Handler, required bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret := TokenFromRequest(r)
		if secret == "" {
			if required {
				s.denied(r, errNoToken)
				s.tally(r, auth.Anonymous(), audit.Denied, "auth", "", "no_token: "+r.Pattern+" needs a token")
				w.Header().Set("WWW-Authenticate", `Bearer realm="kho"`)
				writeAuthError(w, http.StatusUnauthorized, "cần token (Authorization: Bearer …)", "a token is needed (Authorization: Bearer …)")
				return
			}
			s.serveAs(w, r, auth.Anonymous(), next)
			return
		}
		p, err := s.deps.Tokens.Authenticate(r.Context(), secret)
		var limited *auth.RateLimitedError
		switch {
		case errors.As(err, &limited):
			s.denied(r, err)
			w.Header().Set("Retry-After", strconv.Itoa(limited.RetrySeconds()))
			api.WriteProblem(w, http.StatusTooManyRequests, api.Problem{Code: "rate_limited",
				MessageVI: fmt.Sprintf("quá nhiều lần xác thực thất bại từ địa chỉ này; thử lại sau %d giây", limited.RetrySeconds()),
				MessageEN: fmt.Sprintf("too many failed authentications from this address; retry in %d s", limited.RetrySeconds())})
			return
		case err != nil:
			s.denied(r, err)
			w.Header().Set("WWW-Authenticate", `Bearer realm="kho", error="invalid_token"`)
			writeAuthError(w, http.StatusUnauthorized, "token không hợp lệ hoặc đã bị thu hồi", "invalid or revoked token")
			return
		}
		s.serveAs(w, r, p, next)
	})
}

// serveAs serves r as p; a 404 on a named dataset or mart is audited (a
// token probing for what it may not read).
func (s *Server) serveAs(w http.ResponseWriter, r *http.Request, p auth.Principal, next http.Handler) {
	r = r.WithContext(auth.WithPrincipal(r.Context(), p))
	name := r.PathValue("name")
	if name == "" || s.deps.Audit == nil {
		next.ServeHTTP(w, r)
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	next.ServeHTTP(sw, r)
	if sw.status != http.StatusNotFound {
		return
	}
	if strings.HasPrefix(r.Pattern, "GET /api/marts/") {
		name = "marts." + name
	}
	reason := "not_found: no such dataset"
	if s.exists(name) {
		reason = "not_permitted: the dataset exists but the token may not read it (answered 404)"
	}
	s.tally(r, p, audit.Refused, "dataset", name, reason)
}

// exists reports whether a table of that name is served, to anyone.
func (s *Server) exists(name string) bool {
	if s.deps.Engine == nil {
		return false
	}
	for _, o := range s.deps.Engine.All() {
		if strings.EqualFold(o.Name, name) {
			return true
		}
	}
	return false
}

// tally audits a refusal of the server, folded per client and minute.
func (s *Server) tally(r *http.Request, p auth.Principal, outcome, action, object, reason string) {
	if s.deps.Audit == nil {
		return
	}
	s.deps.Audit.Tally(audit.Entry{Kind: audit.KindAuth, Source: "http", Action: action, TokenID: p.TokenID, Name: p.Name,
		Role: string(p.Role), Remote: r.RemoteAddr, Object: object, Outcome: outcome, Reason: reason})
}

// denied counts a refused authentication.
func (s *Server) denied(r *http.Request, err error) {
	s.metrics.queries.WithLabelValues("http", "auth", "", audit.Denied).Inc()
	s.log.Info("authentication refused", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
}

// withClient tells the token checks (auth.Guard) which client asks.
func withClient(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(auth.WithClient(r.Context(), auth.Client{Addr: r.RemoteAddr, Source: "http"})))
	})
}

func writeAuthError(w http.ResponseWriter, status int, vi, en string) {
	code := "unauthorized"
	if status == http.StatusForbidden {
		code = "forbidden"
	}
	api.WriteProblem(w, status, api.Problem{Code: code, MessageVI: vi, MessageEN: en})
}

// statusWriter remembers the status of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts requests by route and status.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			s.metrics.requests.WithLabelValues(route, http.StatusText(status)).Inc()
		}()
		next.ServeHTTP(sw, r)
	})
}

// recover turns a handler's panic into a 500 (an aborted stream stays aborted).
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panic", "path", r.URL.Path, "panic", v)
				api.WriteProblem(w, http.StatusInternalServerError, api.Problem{Code: "internal", MessageVI: "Lỗi máy chủ", MessageEN: "Server error"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}
