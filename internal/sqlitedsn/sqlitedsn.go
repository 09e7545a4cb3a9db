// Package sqlitedsn spells the data source name of a SQLite file for the
// modernc driver, whatever characters its path holds.
package sqlitedsn

import "strings"

// uriPath escapes the characters that end or change a SQLite URI's path: a
// '?' starts its parameters, a '#' its fragment, and a '%' starts an escape.
// Without it, a lake under /srv/kho#2 opened the catalog /srv/kho (a new,
// empty file) and one under /srv/100%41 the catalog /srv/100A.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// File is the "file:" URI of the SQLite database at path, with the given
// parameters (e.g. "mode=ro", "_pragma=busy_timeout(10000)"), joined by '&'.
func File(path string, params ...string) string {
	dsn := "file:" + uriPath.Replace(path)
	if len(params) > 0 {
		dsn += "?" + strings.Join(params, "&")
	}
	return dsn
}
