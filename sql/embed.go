// Package sqlfs embeds the SQL of the marts (sql/marts/*.sql) in the binary.
// The folder is named sql, as the design lays it out; the package is sqlfs so
// that it does not shadow database/sql where both are imported.
package sqlfs

import "embed"

// Marts holds marts/*.sql: each file one mart, its header comments giving its
// label, key and tests (see warehouse/marts).
//
//go:embed marts/*.sql
var Marts embed.FS
