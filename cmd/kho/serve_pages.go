package main

import (
	"context"
	"time"

	"github.com/sonla-data/kho/security/auth"
	"github.com/sonla-data/kho/server"
	"github.com/sonla-data/kho/server/pages"
	"github.com/sonla-data/kho/server/pages/site"
)

// The dashboard (/), the marts' pages (/marts/), the open-data portal
// (/open), its CKAN API (/api/3/action/) and DCAT catalog (/catalog.jsonld,
// /catalog.rdf) on kho serve. The pages read the lake through a DuckDB of
// their own (they run only their own SQL, and the portal only ever selects
// the columns of open datasets without a pii tag); the dashboard's login
// checks the same token store as the API.
func init() { servePages = mountPages }

func mountPages(ctx context.Context, srv *server.Server, a *app, tokens *auth.Store) error {
	if err := a.startEngine(ctx); err != nil {
		return err
	}
	every := a.cfg.Serve.Refresh
	if every <= 0 {
		every = time.Minute
	}
	go func() { // the pages see new commits as the API does
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := a.engine.Refresh(ctx); err != nil && ctx.Err() == nil {
					a.log.Warn("refreshing the pages' views", "err", err)
				}
			}
		}
	}()
	deps := &site.Deps{Query: a.engine.DB(), Arrow: a.engine, History: a.history, Tables: site.LakeTables{Lake: a.lake},
		Schemas: a.schemas, Pipelines: a.pipelines, Marts: a.marts, Auth: pages.Tokens(tokens)}
	pages.Mount(srv.Mux(), deps, pages.Options{Portal: a.cfg.Portal})
	return nil
}
