//go:build tools

// Package deps pins modules that packages being written now will import, so
// that go.mod is settled before they land. It is never built.
package deps

import (
	_ "github.com/chromedp/chromedp"
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/invopop/jsonschema"
	_ "github.com/jackc/pgx/v5/pgproto3"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/lib/pq"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/schollz/progressbar/v3"
	_ "golang.org/x/term"
)
