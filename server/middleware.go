package server

import (
	"errors"
	"net/http"
	"slices"
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
				w.Header().Set("WWW-Authenticate", `Bearer realm="kho"`)
				writeAuthError(w, http.StatusUnauthorized, "cần token (Authorization: Bearer …)", "a token is needed (Authorization: Bearer …)")
				return
			}
			next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Anonymous())))
			return
		}
		p, err := s.deps.Tokens.Authenticate(r.Context(), secret)
		if err != nil {
			s.denied(r, err)
			w.Header().Set("WWW-Authenticate", `Bearer realm="kho", error="invalid_token"`)
			writeAuthError(w, http.StatusUnauthorized, "token không hợp lệ hoặc đã bị thu hồi", "invalid or revoked token")
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// denied counts a refused authentication.
func (s *Server) denied(r *http.Request, err error) {
	s.metrics.queries.WithLabelValues("http", "auth", "", audit.Denied).Inc()
	s.log.Info("authentication refused", "path", r.URL.Path, "remote", r.RemoteAddr, "err", err)
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
