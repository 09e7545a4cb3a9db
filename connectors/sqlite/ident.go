package sqlite

import (
	"strings"

	"github.com/sonla-data/kho/connectors/internal/sqlsource"
)

// checkIdent and splitTable are the SQL connectors' shared identifier checks.
var (
	checkIdent = sqlsource.CheckIdent
	splitTable = sqlsource.SplitTable
)

// quote quotes an identifier for SQLite.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
