package main

import (
	"context"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server"
	"github.com/sonla-data/kho/server/engine"
	"github.com/sonla-data/kho/server/pages"
	"github.com/sonla-data/kho/server/pages/site"
)

// The dashboard (/), the marts' pages (/marts/), the open-data portal
// (/open), its CKAN API (/api/3/action/) and DCAT catalog (/catalog.jsonld,
// /catalog.rdf) on kho serve. The pages read the lake through the serving
// engine of the API and pgwire, and through no DuckDB of their own: their
// statements are sandboxed, masked for the reader's role (the portal's
// anonymous public, the dashboard's signed-in token), bounded and audited;
// the dashboard's login checks the same token store as the API.
func init() { servePages = mountPages }

func mountPages(_ context.Context, srv *server.Server, a *app, tokens auth.Authenticator, eng *engine.Engine) error {
	q := &site.Querier{Engine: eng, DownloadTimeout: a.cfg.Serve.DownloadTimeout}
	deps := &site.Deps{Query: q, History: a.history, Tables: site.LakeTables{Lake: a.lake},
		Schemas: a.schemas, Pipelines: a.pipelines, Marts: a.marts, Auth: pages.Tokens(tokens)}
	pages.Mount(srv.Mux(), deps, pages.Options{Portal: a.cfg.Portal})
	return nil
}
