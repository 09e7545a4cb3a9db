package lake

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/iceberg-go/table"
)

// DataFiles lists the Parquet files of a table's snapshot (the current one
// when snapshotID is 0) as local paths. Kho writes copy-on-write, so a
// snapshot has no delete files; one that has (written by another engine) is
// refused rather than read wrongly.
func DataFiles(ctx context.Context, t *table.Table, snapshotID int64) ([]string, error) {
	if t.CurrentSnapshot() == nil {
		return nil, nil
	}
	var opts []table.ScanOption
	if snapshotID != 0 {
		opts = append(opts, table.WithSnapshotID(snapshotID))
	}
	tasks, err := t.Scan(opts...).PlanFiles(ctx)
	if err != nil {
		return nil, fmt.Errorf("planning the files of %s: %w", name(t), err)
	}
	out := make([]string, 0, len(tasks))
	for _, task := range tasks {
		if len(task.DeleteFiles) > 0 {
			return nil, fmt.Errorf("table %s has delete files (merge-on-read): rewrite it with `kho lake compact` before reading it through DuckDB", name(t))
		}
		out = append(out, LocalPath(task.File.FilePath()))
	}
	return out, nil
}

// LocalPath turns a file:// location into a path.
func LocalPath(loc string) string {
	return strings.TrimPrefix(loc, "file://")
}
