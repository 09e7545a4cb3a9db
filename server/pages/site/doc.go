// Package site holds what every page of Kho shares: the small interfaces the
// pages read the warehouse through (Deps; their SQL runs on the serving
// engine through Querier, as the reader of the request), the language
// switch and the Vietnamese/English messages, the layout, the token login of
// the dashboard, gzip and cache headers, and the embedded static assets.
package site
