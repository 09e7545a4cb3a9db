// Package server is Kho's HTTP server: a mux with the API of server/api,
// /healthz, /readyz and /metrics mounted, the token middleware and the
// metrics, ready for more handlers (the dashboard and the portal mount their
// pages with Handle and reuse Authenticate / RequireToken / RequireRole).
// The PostgreSQL wire server is server/pgwire; the SQL engine both use is
// server/engine. The package writes no HTML.
package server
