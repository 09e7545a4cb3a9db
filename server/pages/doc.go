// Package pages serves Kho's pages: the leadership dashboard (/), the pages
// of the marts behind it (/marts/), the open-data portal (/open), its
// CKAN-compatible action API (/api/3/action/) and its DCAT catalog
// (/catalog.jsonld, /catalog.rdf).
//
// New wires them into one http.Handler from a Deps, whose interfaces are
// small so that the HTTP server mounts the pages over the warehouse it
// already holds. The sub-packages do one thing each: site (layout, language,
// login, static assets), chart (SVG charts), dashboard, opendata (what the
// portal may publish: open datasets, never a PII column), portal, ckan and
// dcat.
package pages
