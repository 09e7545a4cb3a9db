package lake

import (
	"context"
	"fmt"
	"net/url"
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

// LocalPath turns a file location into a path. A file: URI is
// percent-decoded, as iceberg-go's own file IO does when it writes and reads
// it: under a root holding a space or a Vietnamese letter, iceberg-go records
// file:///srv/d%E1%BB%AF%20li%E1%BB%87u/..., and the file is at
// /srv/dữ liệu/... A bare path is returned as it is.
func LocalPath(loc string) string {
	var rest string
	switch {
	case strings.HasPrefix(loc, "file://"):
		rest = strings.TrimPrefix(loc, "file://")
	case strings.HasPrefix(loc, "file:/"):
		rest = strings.TrimPrefix(loc, "file:")
	default:
		return loc
	}
	if p, err := url.PathUnescape(rest); err == nil {
		return p
	}
	return rest
}

// fileURI is the location iceberg-go records for the local path p: file://
// and p with its bytes escaped as a URL path (a space as %20, a Vietnamese
// letter as its UTF-8 bytes).
func fileURI(p string) string {
	return (&url.URL{Scheme: "file", Path: p}).String()
}
