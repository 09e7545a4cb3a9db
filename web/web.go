// Package web holds the pages' static assets (static/: the style sheet, the
// script that adds chart tooltips and table views, the icon), embedded in the
// binary so that the pages need no third-party host and nothing from the
// internet. They are hand-written and small on purpose (the charts are SVG
// drawn by the server), so there is no build step and no npm.
package web

import "embed"

// Static is static/*, served under /static/ by server/pages/site.
//
//go:embed static
var Static embed.FS
