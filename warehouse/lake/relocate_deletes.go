package lake

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	icebergio "github.com/apache/iceberg-go/io"
	"github.com/google/uuid"
)

// relocatePositionDeletes relocates the manifest entry of a position-delete
// file (df, an Avro record already copied under the new root): the
// (file_path, pos) rows name data files by their old locations, so the
// file is written again beside the copy with the locations mapped, and the
// entry points at it, with its size, its file_path bounds and its
// referenced data file mapped too. The original is not read.
func relocatePositionDeletes(m locMapper, df map[string]any) error {
	p, _ := df["file_path"].(string)
	np, ok := m.mapLoc(p)
	if !ok {
		return fmt.Errorf("delete file %s is outside the lake's root", p)
	}
	ctx := context.Background()
	alloc := memory.DefaultAllocator
	var paths []string
	var pos []int64
	ids := []int{posDeleteFields[0].ID, posDeleteFields[1].ID}
	err := fileColumns(ctx, icebergio.LocalFS{}, alloc, np, ids, func(cols []arrow.Array, _ int64, n int) error {
		ps, ok1 := cols[0].(*array.String)
		xs, ok2 := cols[1].(*array.Int64)
		if !ok1 || !ok2 {
			return fmt.Errorf("delete file %s: file_path and pos must be text and int64", np)
		}
		for i := 0; i < n; i++ {
			loc, _ := m.mapLoc(ps.Value(i))
			paths = append(paths, loc)
			pos = append(pos, xs.Value(i))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("relocating the delete file %s: %w", np, err)
	}
	var buf bytes.Buffer
	if _, err := writePosDeleteParquet(&buf, alloc, paths, pos); err != nil {
		return fmt.Errorf("relocating the delete file %s: %w", np, err)
	}
	local := LocalPath(np)
	name := strings.TrimSuffix(filepath.Base(local), ".parquet") + "-r" + uuid.NewString()[:8] + ".parquet"
	if err := writeNew(filepath.Join(filepath.Dir(local), name), buf.Bytes()); err != nil {
		return err
	}
	df["file_path"] = strings.TrimSuffix(np, filepath.Base(local)) + name
	df["file_size_in_bytes"] = int64(buf.Len())
	if ref, ok := df["referenced_data_file"].(string); ok {
		if n, ok := m.mapLoc(ref); ok {
			df["referenced_data_file"] = n
		}
	}
	for _, k := range []string{"lower_bounds", "upper_bounds"} {
		df[k] = mapPathBound(m, df[k])
	}
	return nil
}

// mapPathBound maps the file_path bound inside a decoded bounds value
// (an array of {key, value} records, possibly inside a union).
func mapPathBound(m locMapper, v any) any {
	switch x := v.(type) {
	case map[string]any:
		if k, ok := x["key"]; ok && fmt.Sprint(k) == fmt.Sprint(posDeleteFields[0].ID) {
			if b, ok := x["value"].([]byte); ok {
				if n, ok := m.mapLoc(string(b)); ok {
					x["value"] = []byte(n)
				}
			}
			return x
		}
		for k, e := range x {
			x[k] = mapPathBound(m, e)
		}
	case []any:
		for i, e := range x {
			x[i] = mapPathBound(m, e)
		}
	}
	return v
}
