package quality

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

// maxDuplicatesShown bounds the duplicate keys a report names.
const maxDuplicatesShown = 5

// Removed says whether a merge deletes the table row r of b (a batch of the
// table's key columns) besides the rows it replaces: the source's deletes
// (deletes: detect, deletes: {soft: …}, a change log's). nil: none.
type Removed func(b arrow.RecordBatch, r int) (bool, error)

// Facts measures, for the dataset checks, a commit of the spooled rows into
// tbl: the rows before and after it, and, when a key_unique check asks, the
// keys held by more than one row of the table the commit would leave. mode
// is the write mode, mergeKey the pipeline's key of a merge and removed the
// rows a merge deletes. The spool is rewound for the commit that follows.
func Facts(ctx context.Context, ds *schemas.Dataset, tbl *table.Table, spool *lake.Spool, mode string, mergeKey []string, removed Removed) (schemas.TableFacts, error) {
	f := schemas.TableFacts{RowsBefore: lake.RowCount(tbl)}
	defer spool.Rewind()
	needKeys := ds.NeedsKeyScan() && len(ds.Key) > 0
	if mode == lake.Merge && len(mergeKey) == 0 {
		mergeKey = ds.Key
	}
	var keyCols []string
	if needKeys {
		keyCols = append(keyCols, ds.Key...)
	}
	if mode == lake.Merge {
		for _, k := range mergeKey {
			if !slices.Contains(keyCols, k) {
				keyCols = append(keyCols, k)
			}
		}
	}
	// the new rows' keys; a merge writes one row of each of its keys (a
	// change log's last version), whose dataset key counts
	newMerge := map[string]string{}
	newKeys := map[string]int{}
	spool.Rewind()
	// only the key columns are read (a direct spool reads them back from the
	// data files it wrote), and only when keys are counted
	spool.Select(keyCols...)
	defer spool.Select()
	for (needKeys || mode == lake.Merge) && spool.Next() {
		b := spool.RecordBatch()
		for r := 0; r < int(b.NumRows()); r++ {
			switch {
			case mode == lake.Merge:
				k := ""
				if needKeys {
					k = rowKey(b, ds.Key, r)
				}
				newMerge[rowKey(b, mergeKey, r)] = k
			case needKeys:
				newKeys[rowKey(b, ds.Key, r)]++
			}
		}
	}
	if err := spool.Err(); err != nil {
		return f, fmt.Errorf("reading the spooled rows: %w", err)
	}
	if needKeys {
		for _, k := range newMerge {
			newKeys[k]++
		}
	}
	keep := func(b arrow.RecordBatch, r int) (bool, error) { // does an existing row stay after the commit?
		switch mode {
		case lake.Overwrite:
			return false, nil
		case lake.Merge:
			if _, ok := newMerge[rowKey(b, mergeKey, r)]; ok {
				return false, nil
			}
			if removed != nil {
				gone, err := removed(b, r)
				return !gone, err
			}
		}
		return true, nil
	}
	kept := f.RowsBefore
	if mode == lake.Overwrite {
		kept = 0
	}
	if (mode == lake.Merge || needKeys && mode != lake.Overwrite) && f.RowsBefore > 0 {
		kept = 0
		_, batches, err := tbl.Scan(table.WithSelectedFields(keyCols...)).ToArrowRecords(ctx)
		if err != nil {
			return f, fmt.Errorf("reading the keys of the table: %w", err)
		}
		for b, err := range batches {
			if err != nil {
				return f, fmt.Errorf("reading the keys of the table: %w", err)
			}
			for r := 0; r < int(b.NumRows()); r++ {
				k, err := keep(b, r)
				if err != nil {
					b.Release()
					return f, fmt.Errorf("reading the keys of the table: %w", err)
				}
				if k {
					kept++
					if needKeys {
						newKeys[rowKey(b, ds.Key, r)]++
					}
				}
			}
			b.Release()
		}
	}
	f.RowsAfter = kept + spool.Rows()
	if mode == lake.Merge {
		// a key the run holds several times leaves one row
		f.RowsAfter = kept + int64(len(newMerge))
	}
	if needKeys {
		f.KeysChecked = true
		for k, n := range newKeys {
			if n > 1 {
				f.DuplicateKeys++
				f.Duplicates = append(f.Duplicates, k)
			}
		}
		sort.Strings(f.Duplicates)
		if len(f.Duplicates) > maxDuplicatesShown {
			f.Duplicates = f.Duplicates[:maxDuplicatesShown]
		}
	}
	return f, nil
}

// rowKey is the text of the key columns of row r.
func rowKey(b arrow.RecordBatch, cols []string, r int) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		idx := b.Schema().FieldIndices(c)
		if len(idx) == 0 {
			continue
		}
		col := b.Column(idx[0])
		if col.IsNull(r) {
			parts[i] = "∅"
			continue
		}
		parts[i] = cellText(col, r)
	}
	return strings.Join(parts, "|")
}

// Check measures the facts of a commit and runs the dataset's checks on
// them: the warnings, and a *schemas.DatasetCheckError that must block the
// commit. A dataset without dataset checks costs nothing.
func Check(ctx context.Context, ds *schemas.Dataset, tbl *table.Table, spool *lake.Spool, mode string, mergeKey []string, removed Removed) ([]schemas.DatasetCheckFailure, error) {
	if len(ds.DatasetChecks) == 0 {
		return nil, nil
	}
	f, err := Facts(ctx, ds, tbl, spool, mode, mergeKey, removed)
	if err != nil {
		return nil, fmt.Errorf("measuring %s for its dataset checks: %w", ds.Name, err)
	}
	return ds.CheckTable(f)
}
