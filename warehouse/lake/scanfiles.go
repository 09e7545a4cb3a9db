package lake

import (
	"context"
	"fmt"
	"sort"

	"github.com/apache/iceberg-go/table"
)

// SnapshotFiles are the files a reader of a snapshot reads: its data files
// and the position-delete files that remove some of their rows.
type SnapshotFiles struct {
	// Data are the data files' local paths; DataLocations their locations
	// as the delete files name them (same order).
	Data, DataLocations []string
	// Deletes are the local paths of the position-delete files (each
	// holds file_path, a data location, and pos, a row from 0).
	Deletes []string
	// DeletedRows is the number of rows the delete files remove (from
	// their record counts; a row deleted twice counts twice).
	DeletedRows int64
}

// Files lists the files of a table's snapshot (the current one when
// snapshotID is 0). A snapshot with equality deletes or deletion vectors
// (written by another engine) is refused rather than read wrongly.
func Files(ctx context.Context, t *table.Table, snapshotID int64) (SnapshotFiles, error) {
	var out SnapshotFiles
	if t.CurrentSnapshot() == nil {
		return out, nil
	}
	var opts []table.ScanOption
	if snapshotID != 0 {
		opts = append(opts, table.WithSnapshotID(snapshotID))
	}
	tasks, err := t.Scan(opts...).PlanFiles(ctx)
	if err != nil {
		return out, fmt.Errorf("planning the files of %s: %w", name(t), err)
	}
	dels := map[string]int64{}
	for _, task := range tasks {
		if len(task.EqualityDeleteFiles) > 0 || len(task.DeletionVectorFiles) > 0 {
			return out, fmt.Errorf("table %s has equality deletes or deletion vectors (written by another engine): rewrite it with `kho lake compact` before reading it through DuckDB", name(t))
		}
		out.Data = append(out.Data, LocalPath(task.File.FilePath()))
		out.DataLocations = append(out.DataLocations, task.File.FilePath())
		for _, d := range task.DeleteFiles {
			dels[d.FilePath()] = d.Count()
		}
	}
	for loc, n := range dels {
		out.Deletes = append(out.Deletes, LocalPath(loc))
		out.DeletedRows += n
	}
	sort.Strings(out.Deletes)
	return out, nil
}
