package pages

import (
	"net/http"

	"github.com/sonla-data/kho/server/pages/ckan"
	"github.com/sonla-data/kho/server/pages/dashboard"
	"github.com/sonla-data/kho/server/pages/dcat"
	"github.com/sonla-data/kho/server/pages/opendata"
	"github.com/sonla-data/kho/server/pages/portal"
	"github.com/sonla-data/kho/server/pages/site"
)

// Options configure the pages.
type Options struct {
	// Portal sets the open data's licence and public address.
	Portal opendata.Options
}

// Mount registers the pages on mux:
//
//	GET /  GET /marts/…            the dashboard (a token with role admin, engineer, analyst or dashboard)
//	GET /xlsx/{table}              a dashboard table as XLSX (same readers)
//	GET,POST /login  POST /logout  the dashboard's token login
//	GET /open  GET /open/…         the open-data portal (public)
//	/api/3/action/{action}         the CKAN action API (public; /api/action/ too)
//	GET /catalog, .jsonld, .rdf    DCAT (public)
//	GET /static/…                  embedded assets
//
// Every page reads the lake through deps.Query, the serving engine: the
// portal, CKAN, DCAT and the downloads as the anonymous public, the dashboard
// as the signed-in token; each statement is sandboxed, masked for that role
// and audited with the client's address. Text responses are gzipped for
// readers that take it.
func Mount(mux *http.ServeMux, deps *site.Deps, opt Options) {
	cat := opendata.New(deps, opt.Portal)
	dash := site.Gzip(site.Client(site.RequireRole(deps.Auth, site.DashboardRoles, dashboard.New(deps))))
	mux.Handle("GET /{$}", dash)
	mux.Handle("GET /marts/", dash)
	mux.Handle("GET /xlsx/", dash)
	login := site.Gzip(site.Login(deps.Auth))
	mux.Handle("GET /login", login)
	mux.Handle("POST /login", login)
	mux.Handle("POST /logout", site.Logout())
	open := site.Gzip(site.Client(portal.New(deps, cat)))
	mux.Handle("GET /open", open)
	mux.Handle("GET /open/", open)
	api := site.Gzip(site.Client(ckan.New(cat)))
	mux.Handle("GET /api/3/action/{action}", api)
	mux.Handle("POST /api/3/action/{action}", api)
	// CKAN answers the action API unversioned too (ckanapi calls it so).
	mux.Handle("GET /api/action/{action}", api)
	mux.Handle("POST /api/action/{action}", api)
	meta := site.Gzip(site.Client(dcat.New(cat)))
	mux.Handle("GET /catalog", meta)
	mux.Handle("GET /catalog.jsonld", meta)
	mux.Handle("GET /catalog.rdf", meta)
	mux.Handle("GET /static/", site.Static())
}

// New returns the pages as one handler (for a server of their own, or tests).
func New(deps *site.Deps, opt Options) http.Handler {
	mux := http.NewServeMux()
	Mount(mux, deps, opt)
	return mux
}
