package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/sonla-data/kho/server/engine"
)

// Options bound what the API serves.
type Options struct {
	// DownloadTimeout bounds a download (default 10 min); downloads have no row limit.
	DownloadTimeout time.Duration
	// MaxBody bounds a query request's body (default 256 KiB).
	MaxBody int64
}

// API serves the handlers of the package comment.
type API struct {
	engine *engine.Engine
	log    *slog.Logger
	opt    Options
}

// New returns the API over an engine.
func New(e *engine.Engine, log *slog.Logger, opt Options) *API {
	if opt.DownloadTimeout <= 0 {
		opt.DownloadTimeout = 10 * time.Minute
	}
	if opt.MaxBody <= 0 {
		opt.MaxBody = 256 << 10
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &API{engine: e, log: log, opt: opt}
}

// Route is one handler and whether it needs a token.
type Route struct {
	Pattern      string
	Handler      http.Handler
	NeedsToken   bool
	OpenToPublic bool // anonymous callers get the public role
}

// Routes lists the API's handlers for a server to mount behind its auth.
func (a *API) Routes() []Route {
	return []Route{
		{Pattern: "POST /api/query", Handler: http.HandlerFunc(a.query), NeedsToken: true},
		{Pattern: "GET /api/datasets", Handler: http.HandlerFunc(a.datasets), OpenToPublic: true},
		{Pattern: "GET /api/datasets/{name}", Handler: http.HandlerFunc(a.dataset), OpenToPublic: true},
		{Pattern: "GET /api/datasets/{name}/download", Handler: http.HandlerFunc(a.download), OpenToPublic: true},
		{Pattern: "GET /api/marts/{name}", Handler: http.HandlerFunc(a.mart), NeedsToken: true},
	}
}
