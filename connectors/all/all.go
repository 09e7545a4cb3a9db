// Package all registers every connector kind of Kho in connectors.Default.
// Import it for its side effect where the whole binary is wired (cmd/kho) and
// in tests that load pipelines of every kind.
package all

import (
	_ "github.com/sonla-data/kho/connectors/csv"      // csv
	_ "github.com/sonla-data/kho/connectors/dvcqg"    // dvcqg
	_ "github.com/sonla-data/kho/connectors/excel"    // excel
	_ "github.com/sonla-data/kho/connectors/mysql"    // mysql
	_ "github.com/sonla-data/kho/connectors/postgres" // postgres
	_ "github.com/sonla-data/kho/connectors/sqlite"   // sqlite
	_ "github.com/sonla-data/kho/connectors/units"    // admin_units
)
