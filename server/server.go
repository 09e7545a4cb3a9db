package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server/api"
	"github.com/sonla-data/kho/server/engine"
)

// Authenticator checks a token's secret. *auth.Store is one; *auth.Guard
// is one that also limits failed authentications per client address (429)
// and audits them.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (auth.Principal, error)
}

// Deps are what the server serves.
type Deps struct {
	Engine  *engine.Engine
	Tokens  Authenticator
	Metrics *Metrics // nil: a new one, without pipeline history
	Log     *slog.Logger
	API     api.Options
	// Audit, when set, takes the refusals of the server itself, folded per
	// client and minute: requests without the token they need (401), roles
	// refused (403), and datasets or marts not found or not readable (404).
	// The Guard audits bad tokens; the engine audits statements.
	Audit auth.Tallier
	// TLS, when set, makes Serve answer HTTPS only: a plain HTTP request
	// gets 400 (Go's "Client sent an HTTP request to an HTTPS server").
	// The metrics address stays plain (serve.metrics_addr, no token).
	TLS *tls.Config
}

// Server is the HTTP server.
type Server struct {
	mux     *http.ServeMux
	deps    Deps
	log     *slog.Logger
	metrics *Metrics
	handler http.Handler
}

// New builds the server with the API, health, readiness and metrics mounted.
func New(d Deps) *Server {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics(nil)
	}
	d.Metrics.engine = d.Engine
	s := &Server{mux: http.NewServeMux(), deps: d, log: d.Log, metrics: d.Metrics}
	for _, rt := range api.New(d.Engine, d.Log, d.API).Routes() {
		h := rt.Handler
		if rt.NeedsToken {
			h = s.RequireToken(h)
		} else {
			h = s.Authenticate(h)
		}
		s.Handle(rt.Pattern, h)
	}
	s.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	}))
	s.Handle("GET /readyz", http.HandlerFunc(s.ready))
	// /metrics names every table served, its rows and the pipelines'
	// states: engineers and admins only (or a separate address, MetricsHandler).
	s.Handle("GET /metrics", s.RequireRole([]auth.Role{auth.Engineer, auth.Admin}, s.MetricsHandler()))
	s.handler = s.recover(withClient(s.instrument(s.mux)))
	return s
}

// Handle mounts a handler on the server's mux (Go 1.22 patterns:
// "GET /open/{name}"). Wrap it in Authenticate, RequireToken or RequireRole
// for its auth.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Mux is the server's mux, for packages that mount on a *http.ServeMux.
func (s *Server) Mux() *http.ServeMux { return s.mux }

// Metrics are the server's metrics (the pgwire server reports to them too).
func (s *Server) Metrics() *Metrics { return s.metrics }

// MetricsHandler is the Prometheus scrape without any auth, for a separate
// listen address (serve.metrics_addr) that only the monitoring network
// reaches.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.Registry(), promhttp.HandlerOpts{})
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err := s.deps.Engine.Ready(ctx); err != nil {
		// The cause (paths, tables) goes to the log, not to an anonymous probe.
		s.log.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": "not ready"})
		return
	}
	if broken := s.deps.Engine.Unserved(); len(broken) > 0 {
		// Still serving every other table. The names go to the log (and to
		// `kho status`): an anonymous probe learns only how many.
		s.log.Warn("tables not served: kho lake check names the way out", "tables", broken)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "degraded", "tables_not_served": len(broken)})
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"status": "ready"})
}

// Serve answers on ln until ctx ends, then shuts down gracefully (requests
// running get 10 s to finish).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.serve(ctx, ln, s, s.deps.TLS)
}

// ServeMetrics answers GET /metrics on ln, without a token, until ctx ends
// (serve.metrics_addr: an address that only the monitoring network reaches).
func (s *Server) ServeMetrics(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.MetricsHandler())
	return s.serve(ctx, ln, mux, nil)
}

func (s *Server) serve(ctx context.Context, ln net.Listener, h http.Handler, tlsConfig *tls.Config) error {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		done <- hs.Shutdown(sctx)
	}()
	var err error
	if tlsConfig != nil {
		hs.TLSConfig = tlsConfig.Clone()
		err = hs.ServeTLS(ln, "", "")
	} else {
		err = hs.Serve(ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return <-done
	}
	return err
}
