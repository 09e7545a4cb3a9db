package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server"
	"github.com/sonla-data/kho/server/api"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/pgwire"
)

// ServeConfig is the serve section of kho.yaml.
type ServeConfig struct {
	Addr            string        `mapstructure:"addr"`
	PGAddr          string        `mapstructure:"pg_addr"`
	MetricsAddr     string        `mapstructure:"metrics_addr"`
	QueryTimeout    time.Duration `mapstructure:"query_timeout"`
	MaxRows         int64         `mapstructure:"max_rows"`
	DownloadTimeout time.Duration `mapstructure:"download_timeout"`
	MemoryLimit     string        `mapstructure:"memory_limit"`
	Threads         int           `mapstructure:"threads"`
	MaxConcurrent   int           `mapstructure:"max_concurrent"`
	Refresh         time.Duration `mapstructure:"refresh"`
	MaterializeRows int64         `mapstructure:"materialize_rows"`
	CacheBytes      int64         `mapstructure:"cache_bytes"`
	// TLSCert and TLSKey (PEM files) turn on TLS on the HTTP address and
	// the PostgreSQL wire port, which then refuse clear text.
	TLSCert string `mapstructure:"tls_cert"`
	TLSKey  string `mapstructure:"tls_key"`

	AuthFailures                  int           `mapstructure:"auth_failures"`
	AuthFailureWindow             time.Duration `mapstructure:"auth_failure_window"`
	PGAuthTimeout                 time.Duration `mapstructure:"pg_auth_timeout"`
	PGMaxUnauthenticated          int           `mapstructure:"pg_max_unauthenticated"`
	PGMaxUnauthenticatedPerClient int           `mapstructure:"pg_max_unauthenticated_per_client"`
	PGAuthFailDelay               time.Duration `mapstructure:"pg_auth_fail_delay"`
}

// validateLimits reports every bad value of the login limits at once.
func (c ServeConfig) validateLimits() error {
	var errs []error
	for _, d := range []struct {
		key string
		bad bool
	}{
		{"serve.auth_failures", c.AuthFailures < 0},
		{"serve.auth_failure_window", c.AuthFailures > 0 && c.AuthFailureWindow <= 0},
		{"serve.pg_auth_timeout", c.PGAuthTimeout < 0},
		{"serve.pg_max_unauthenticated", c.PGMaxUnauthenticated < 0},
		{"serve.pg_max_unauthenticated_per_client", c.PGMaxUnauthenticatedPerClient < 0},
	} {
		if d.bad {
			errs = append(errs, fmt.Errorf("%s: giá trị không hợp lệ / must be positive (0: the default or, for auth_failures, no limit)", d.key))
		}
	}
	return errors.Join(errs...)
}

// securityFiles are the token store and the audit log under the data dir.
func securityFiles(cfg *Config) (tokens, auditLog string) {
	return filepath.Join(cfg.DataDir, "security.db"), filepath.Join(cfg.DataDir, "audit.db")
}

// openAudit opens the audit log with its chain's head kept in the token
// store's file, so that kho audit --verify finds a log cut short.
func openAudit(ctx context.Context, cfg *Config, log *slog.Logger) (*audit.Log, error) {
	tokPath, auditPath := securityFiles(cfg)
	return audit.Open(ctx, auditPath, log, audit.WithHead(tokPath))
}

// servePages, when set (by the file that wires the dashboard and the
// portal), mounts more handlers on the HTTP server before it starts; they
// read through eng, as the API does.
var servePages func(ctx context.Context, srv *server.Server, a *app, tokens auth.Authenticator, eng *engine.Engine) error

func newServeCmd(g *globals) *cobra.Command {
	var (
		addr, pgAddr string
		schedule     bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API, /metrics and the PostgreSQL wire port",
		Long: "Serves the warehouse: the HTTP API (POST /api/query, GET /api/datasets, /api/marts/{name},\n" +
			"downloads), /healthz, /readyz, /metrics, and the PostgreSQL wire protocol for psql, DBeaver and\n" +
			"Metabase (the password is a token of `kho token create`). Every statement is sandboxed, masked\n" +
			"for tokens without the PII grant, bounded in time and rows, and written to the audit log.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("addr") {
				cfg.Serve.Addr = addr
			}
			if cmd.Flags().Changed("pg-addr") {
				cfg.Serve.PGAddr = pgAddr
			}
			return serve(cmd.Context(), cfg, schedule)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", ":8080", "HTTP address (serve.addr)")
	cmd.Flags().StringVar(&pgAddr, "pg-addr", ":5433", `PostgreSQL wire address (serve.pg_addr); "" turns it off`)
	cmd.Flags().BoolVar(&schedule, "schedule", true, "also run the pipelines on their schedules (as kho schedule does)")
	return cmd
}

func serve(ctx context.Context, cfg *Config, schedule bool) error {
	if err := cfg.Serve.validateLimits(); err != nil {
		return usageError{err}
	}
	tlsConfig, err := server.LoadTLS(cfg.Serve.TLSCert, cfg.Serve.TLSKey)
	if err != nil {
		return usageError{err}
	}
	a, err := openApp(ctx, cfg, false)
	if err != nil {
		return err
	}
	defer a.close()
	tokPath, _ := securityFiles(cfg)
	tokens, err := auth.Open(ctx, tokPath)
	if err != nil {
		return err
	}
	defer tokens.Close()
	log := a.log.With("component", "serve")
	auditLog, err := openAudit(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer auditLog.Close()
	metrics := server.NewMetrics(a.history)
	pseudonyms, err := pseudonymSecret(cfg.DataDir)
	if err != nil {
		return err
	}
	eng, err := engine.Open(ctx, engine.Deps{Lake: a.lake, Schemas: a.schemas, Marts: a.marts, Audit: auditLog, Log: log, Observe: metrics.Observe},
		engine.Options{MemoryLimit: cfg.Serve.MemoryLimit, Threads: cfg.Serve.Threads, TempDir: filepath.Join(cfg.DataDir, "serve-tmp"),
			Timeout: cfg.Serve.QueryTimeout, MaxRows: cfg.Serve.MaxRows, MaxConcurrent: cfg.Serve.MaxConcurrent,
			MaterializeRows: cfg.Serve.MaterializeRows, PseudonymSecret: pseudonyms, CacheBytes: cfg.Serve.CacheBytes})
	if err != nil {
		return err
	}
	defer eng.Close()
	// Every door (API, pages, pgwire) checks tokens through one guard: failed
	// logins are limited per client address and audited.
	guard := auth.NewGuard(tokens, auth.Limits{Failures: cfg.Serve.AuthFailures, Window: cfg.Serve.AuthFailureWindow}, auditLog)
	srv := server.New(server.Deps{Engine: eng, Tokens: guard, Metrics: metrics, Log: log, Audit: auditLog,
		API: api.Options{DownloadTimeout: cfg.Serve.DownloadTimeout}, TLS: tlsConfig})
	if servePages != nil {
		if err := servePages(ctx, srv, a, guard, eng); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Serve.Refresh > 0 {
		go eng.RefreshEvery(ctx, cfg.Serve.Refresh)
	}
	var lc net.ListenConfig
	httpLn, err := lc.Listen(ctx, "tcp", cfg.Serve.Addr)
	if err != nil {
		return usageError{fmt.Errorf("serve.addr %s: %w", cfg.Serve.Addr, err)}
	}
	errs := make(chan error, 4)
	go func() { errs <- srv.Serve(ctx, httpLn) }()
	running := 1
	log.Info("Kho đang phục vụ HTTP / serving HTTP", "addr", httpLn.Addr().String(), "tables", len(eng.All()), "tls", tlsConfig != nil)
	if cfg.Serve.MetricsAddr != "" {
		mLn, err := lc.Listen(ctx, "tcp", cfg.Serve.MetricsAddr)
		if err != nil {
			cancel()
			<-errs
			return usageError{fmt.Errorf("serve.metrics_addr %s: %w", cfg.Serve.MetricsAddr, err)}
		}
		go func() { errs <- srv.ServeMetrics(ctx, mLn) }()
		running++
		log.Info("Kho phục vụ /metrics không cần token / serving /metrics without a token", "addr", mLn.Addr().String())
	}
	if cfg.Serve.PGAddr != "" {
		pgLn, err := lc.Listen(ctx, "tcp", cfg.Serve.PGAddr)
		if err != nil {
			cancel()
			<-errs
			return usageError{fmt.Errorf("serve.pg_addr %s: %w", cfg.Serve.PGAddr, err)}
		}
		pg := pgwire.New(pgwire.Deps{Engine: eng, Tokens: guard, Log: log, Conns: metrics.PGConn, Audit: auditLog,
			Limits: pgwire.Limits{AuthTimeout: cfg.Serve.PGAuthTimeout, MaxUnauthenticated: cfg.Serve.PGMaxUnauthenticated,
				MaxUnauthenticatedPerClient: cfg.Serve.PGMaxUnauthenticatedPerClient, FailDelay: cfg.Serve.PGAuthFailDelay}, TLS: tlsConfig})
		go func() { errs <- pg.Serve(ctx, pgLn) }()
		running++
		log.Info("Kho đang phục vụ giao thức PostgreSQL / serving the PostgreSQL wire protocol", "addr", pgLn.Addr().String(), "tls", tlsConfig != nil)
	}
	if schedule {
		s := a.scheduler(0)
		go func() { errs <- s.Run(ctx) }()
		running++
	}
	var first error
	for range running {
		if err := <-errs; err != nil && first == nil {
			first = err
			cancel() // one server failing stops the other
		}
	}
	if first == nil {
		log.Info("Kho đã dừng / stopped")
	}
	return first
}

// operator names who runs a CLI command, for the audit log.
func operator() string {
	if u := currentUser(); u != "" {
		return u
	}
	return "operator"
}

// auditAdmin appends an admin action to the audit log now.
func auditAdmin(ctx context.Context, cfg *Config, e audit.Entry) error {
	l, err := openAudit(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	e.Kind, e.Source, e.Name, e.Role = audit.KindAdmin, "cli", operator(), "operator"
	return errors.Join(l.Append(ctx, e), l.Close())
}
