package lake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// MetadataLocation is where the catalog points a table: its current
// metadata file, as iceberg_tables (Iceberg's JDBC layout) holds it; "" when
// the catalog has no such table. It reads one indexed row and parses no
// metadata: a metadata file is never rewritten (a commit writes a new one
// and moves this pointer), so a reader may keep what it found in a file by
// this location (the dashboard's freshness table does).
func (l *Lake) MetadataLocation(ctx context.Context, name string) (string, error) {
	ns, tbl, ok := strings.Cut(name, ".")
	if !ok {
		return "", fmt.Errorf("table name %q must be <namespace>.<table>", name)
	}
	var loc sql.NullString
	err := l.db.QueryRowContext(ctx, "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = "+l.param(1)+
		" AND table_namespace = "+l.param(2)+" AND table_name = "+l.param(3), CatalogName, ns, tbl).Scan(&loc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the catalog's pointer of %s: %w", name, err)
	}
	return loc.String, nil
}
