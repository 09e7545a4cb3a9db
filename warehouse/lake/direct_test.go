package lake

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// directRows writes n rows of monthSchema in batches of 97, months (and
// nulls) interleaved within and across batches, into sp.
func directRows(t *testing.T, alloc memory.Allocator, sp *Spool, n int) {
	directRowsFrom(t, alloc, sp, n, 2024)
}

// directRowsFrom is directRows in the years base and base+1 (before 1970:
// an hour after another from November of base).
func directRowsFrom(t *testing.T, alloc memory.Allocator, sp *Spool, n, base int) {
	t.Helper()
	for k := 0; k < n; k += 97 {
		b := array.NewRecordBuilder(alloc, monthSchema)
		for i := k; i < min(n, k+97); i++ {
			b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("r%05d", i))
			if i%13 == 0 {
				b.Field(1).AppendNull()
				continue
			}
			at := time.Date(base+i%2, time.Month(1+(i*5)%12), 1+i%28, i%24, 0, 0, 0, time.UTC)
			if base < 1970 { // hour after hour across the epoch: every day at every hour
				at = time.Date(base, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)
			}
			b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(at.UnixMicro()))
		}
		rec := b.NewRecordBatch()
		require.NoError(t, sp.Write(rec))
		rec.Release()
		b.Release()
	}
}

// fileFacts are, by partition, the rows and the bounds of a table's data
// files (their Iceberg statistics, as the merge's pruning reads them): the
// least lower and the greatest upper bound of each column over the
// partition's files.
func fileFacts(t *testing.T, tbl *table.Table) map[string]string {
	t.Helper()
	tasks, err := tbl.Scan().PlanFiles(context.Background())
	require.NoError(t, err)
	less := func(id int, a, b []byte) bool {
		if id == 2 { // timestamptz: int64, little-endian
			return int64(binary.LittleEndian.Uint64(a)) < int64(binary.LittleEndian.Uint64(b))
		}
		return string(a) < string(b)
	}
	type agg struct {
		rows   int64
		lo, hi map[int][]byte
	}
	by := map[string]*agg{}
	for _, task := range tasks {
		df := task.File
		part := fmt.Sprint(df.Partition())
		a := by[part]
		if a == nil {
			a = &agg{lo: map[int][]byte{}, hi: map[int][]byte{}}
			by[part] = a
		}
		a.rows += df.Count()
		for id, v := range df.LowerBoundValues() {
			if cur, ok := a.lo[id]; !ok || less(id, v, cur) {
				a.lo[id] = v
			}
		}
		for id, v := range df.UpperBoundValues() {
			if cur, ok := a.hi[id]; !ok || less(id, cur, v) {
				a.hi[id] = v
			}
		}
	}
	out := map[string]string{}
	for p, a := range by {
		out[p] = fmt.Sprintf("rows=%d lo=%x hi=%x", a.rows, a.lo, a.hi)
	}
	return out
}

// tableRows is every row of a table as "id|at".
func tableRows(t *testing.T, tbl *table.Table) []string {
	t.Helper()
	_, batches, err := tbl.Scan().ToArrowRecords(context.Background())
	require.NoError(t, err)
	var rows []string
	for b, err := range batches {
		require.NoError(t, err)
		for i := 0; i < int(b.NumRows()); i++ {
			rows = append(rows, b.Column(0).ValueStr(i)+"|"+b.Column(1).ValueStr(i))
		}
		b.Release()
	}
	sort.Strings(rows)
	return rows
}

func parquetFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") {
			out = append(out, p)
		}
		return err
	}))
	return out
}

// The one write: a direct spool's rows, arriving in interleaved months,
// land in data files whose rows, partitions and statistics are those
// iceberg-go's writer gives the same rows (through a clustered spool), also
// with row groups encoded every few rows and files rolled every few bytes;
// read back (for the dataset checks), selected columns only; the table is
// the same once committed, read by iceberg-go.
func TestDirectSpoolWritesTheTablesFiles(t *testing.T) {
	ctx := context.Background()
	sc, month := monthIceberg, monthSpec
	day := iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{2}, FieldID: 1000, Name: "at_day", Transform: iceberg.DayTransform{}})
	ident := iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{1}, FieldID: 1000, Name: "id", Transform: iceberg.IdentityTransform{}})
	const n = 3000
	for _, c := range []struct {
		name        string
		spec        iceberg.PartitionSpec
		bound, size int64
		rows        int
		open, base  int
	}{
		{"month", month, 0, 0, n, 0, 0},
		{"month, a row group every few rows, files rolled", month, 4 << 10, 2 << 10, n, 0, 0},
		{"day", day, 0, 0, n, 0, 0},
		{"day, more partitions than files open", day, 4 << 10, 0, n, 8, 0},
		{"day, before 1970, at any hour", day, 0, 0, n, 0, 1969},
		{"unpartitioned", *iceberg.UnpartitionedSpec, 0, 0, n, 0, 0},
		{"unpartitioned, files rolled", *iceberg.UnpartitionedSpec, 8 << 10, 1, n, 0, 0},
		{"identity on text", ident, 0, 0, 300, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer alloc.AssertSize(t, 0)
			root := t.TempDir()
			l, err := Open(ctx, Config{Root: root})
			require.NoError(t, err)
			defer l.Close()
			direct, err := l.Ensure(ctx, "health.direct", sc, c.spec, nil)
			require.NoError(t, err)
			ref, err := l.Ensure(ctx, "health.ref", sc, c.spec, nil)
			require.NoError(t, err)

			sp, err := NewSpool(t.TempDir(), monthSchema, alloc, nil)
			require.NoError(t, err)
			defer sp.Release()
			sp.TrackContent()
			require.True(t, sp.Direct(ctx, direct))
			sp.SetDirectBound(c.bound)
			sp.SetTargetFileSize(c.size)
			sp.SetMaxOpenFiles(c.open)
			base := cmp.Or(c.base, 2024)
			directRowsFrom(t, alloc, sp, c.rows, base)
			require.NoError(t, sp.Finish())
			assert.EqualValues(t, c.rows, sp.Rows())
			groups := 0
			for _, df := range sp.DataFiles() {
				u, err := url.Parse(df.FilePath())
				require.NoError(t, err)
				f, err := file.OpenParquetFile(u.Path, false)
				require.NoError(t, err)
				groups += f.NumRowGroups()
				f.Close()
			}
			if c.size > 0 || c.open > 0 {
				assert.Greater(t, len(sp.DataFiles()), len(fileFacts(t, direct)), "files rolled, or closed for others")
			}
			if c.bound > 0 && c.size != 1 && c.open == 0 { // (a file of one byte at most holds one row group)
				assert.Greater(t, groups, 2*len(sp.DataFiles()), "row groups encoded as the bound is passed")
			}

			rs, err := NewSpool(t.TempDir(), monthSchema, alloc, nil)
			require.NoError(t, err)
			defer rs.Release()
			rs.TrackContent()
			rs.ClusterBy(ref)
			directRowsFrom(t, alloc, rs, c.rows, base)
			require.NoError(t, rs.Finish())
			assert.Equal(t, rs.Fingerprint(), sp.Fingerprint())

			// read back, the id column only
			sp.Select("id")
			seen := map[string]bool{}
			for sp.Next() {
				b := sp.RecordBatch()
				require.EqualValues(t, 1, b.NumCols())
				for i := 0; i < int(b.NumRows()); i++ {
					seen[b.Column(0).ValueStr(i)] = true
				}
			}
			require.NoError(t, sp.Err())
			assert.Len(t, seen, c.rows)
			sp.Rewind()

			direct, err = l.Commit(ctx, direct, sp, Write{Mode: Append})
			require.NoError(t, err)
			ref, err = l.Commit(ctx, ref, rs, Write{Mode: Append})
			require.NoError(t, err)
			assert.Equal(t, tableRows(t, ref), tableRows(t, direct))
			assert.Equal(t, fileFacts(t, ref), fileFacts(t, direct))
			assert.Len(t, tableRows(t, direct), c.rows)
			files, err := DataFiles(ctx, direct, 0)
			require.NoError(t, err)
			assert.Len(t, files, len(sp.DataFiles()))
		})
	}
}

// A direct spool whose rows are not committed (a failed check, an
// unchanged overwrite, an error) removes its files; an overwrite with the
// table's own rows commits nothing and leaves no file behind.
func TestDirectSpoolRemovesUncommittedFiles(t *testing.T) {
	ctx := context.Background()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	root := t.TempDir()
	l, err := Open(ctx, Config{Root: root})
	require.NoError(t, err)
	defer l.Close()
	tbl, err := l.Ensure(ctx, "health.d", monthIceberg, monthSpec, nil)
	require.NoError(t, err)

	// released before Finish: the writer stops, its files go
	sp, err := NewSpool(t.TempDir(), monthSchema, alloc, nil)
	require.NoError(t, err)
	require.True(t, sp.Direct(ctx, tbl))
	sp.SetDirectBound(1 << 10)
	directRows(t, alloc, sp, 2000)
	sp.Release()
	assert.Empty(t, parquetFiles(t, root))

	// finished, not committed; nothing was spooled
	tmp := t.TempDir()
	sp, err = NewSpool(tmp, monthSchema, alloc, nil)
	require.NoError(t, err)
	require.True(t, sp.Direct(ctx, tbl))
	directRows(t, alloc, sp, 2000)
	require.NoError(t, sp.Finish())
	spooled, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, spooled, "no temporary file")
	assert.NotEmpty(t, parquetFiles(t, root))
	sp.Release()
	assert.Empty(t, parquetFiles(t, root))

	// committed, then the same rows again: unchanged, nothing committed
	write := func() (Outcome, *Spool) {
		sp, err := NewSpool(t.TempDir(), monthSchema, alloc, nil)
		require.NoError(t, err)
		sp.TrackContent()
		require.True(t, sp.Direct(ctx, tbl))
		directRows(t, alloc, sp, 2000)
		require.NoError(t, sp.Finish())
		out, err := l.Write(ctx, tbl, sp, Write{Mode: Overwrite, SkipUnchanged: true})
		require.NoError(t, err)
		return out, sp
	}
	out, sp := write()
	require.True(t, out.Committed)
	tbl = out.Table
	committed := parquetFiles(t, root)
	sp.Release()
	assert.Equal(t, committed, parquetFiles(t, root), "the committed files stay")
	out, sp = write()
	assert.False(t, out.Committed)
	sp.Release()
	assert.Equal(t, committed, parquetFiles(t, root), "the unchanged run's files are gone")
	assert.EqualValues(t, 2000, RowCount(tbl))

	// a spool with keys (a merge) or other columns is not direct
	ks, err := NewSpool(t.TempDir(), monthSchema, alloc, []string{"id"})
	require.NoError(t, err)
	assert.False(t, ks.Direct(ctx, tbl))
	ks.Release()
	other := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	osp, err := NewSpool(t.TempDir(), other, alloc, nil)
	require.NoError(t, err)
	assert.False(t, osp.Direct(ctx, tbl))
	osp.Release()
}
