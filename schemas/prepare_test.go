package schemas

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas/units"
)

// Batches prepared on forks, on other goroutines and in any order, then
// finished in source order give what Conform gives batch after batch: the
// same rows, bad rows (duplicates across batches included) and counts.
func TestPrepareOnForksIsConform(t *testing.T) {
	ds, err := Parse("job_reports.yaml", []byte(labourYAML))
	require.NoError(t, err)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	cols := []string{"Mã báo cáo", "Xã/Phường", "Tháng báo cáo", "Số người tìm việc", "Số tiền", "Ngày gửi", "Hạn", "Ghi chú"}
	var batches []arrow.RecordBatch
	for k := 0; k < 6; k++ {
		tb := connectors.NewTextBatcher(alloc, cols)
		for i := 0; i < 500; i++ {
			row := k*500 + i
			id := fmt.Sprint("R", row)
			if row%97 == 0 {
				id = fmt.Sprint("R", row/3) // a key seen before, often in another batch
			}
			commune := []string{"Xã Chiềng Hặc", "p. tô hiệu", "Phường Chiềng Lề", "Xã Chiềng Chung"}[row%4]
			month := []string{"03/2025", "08/2025", "13/2025"}[row%3]
			note := []string{"liên hệ 0912345678", "ghi chú", "a@b.vn"}[row%3]
			tb.AppendStrings([]string{id, commune, month, fmt.Sprint(row % 50), "1.234,5", "05/04/2025", "06/04/2025", note}, "drop.csv", int64(row+2))
		}
		batches = append(batches, tb.Flush())
		tb.Release()
	}
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	opt := ConformOptions{Alloc: alloc, Units: units.MustLoad(), Today: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), PIISample: 100}

	seq, err := NewConformer(ds, batches[0].Schema(), nil, opt)
	require.NoError(t, err)
	var wantRows []string
	var wantBad []Bad
	for _, b := range batches {
		out, bad, err := seq.Conform(b)
		require.NoError(t, err)
		wantRows = append(wantRows, rowsOf(out)...)
		wantBad = append(wantBad, bad...)
		if out != nil {
			out.Release()
		}
	}

	par, err := NewConformer(ds, batches[0].Schema(), nil, opt)
	require.NoError(t, err)
	forks := []*Conformer{par.Fork(), par.Fork()}
	prepared := make([]*Prepared, len(batches))
	var wg sync.WaitGroup
	for w, f := range forks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := len(batches) - 1 - w; k >= 0; k -= len(forks) { // last batches first
				prepared[k] = f.Prepare(batches[k])
			}
		}()
	}
	wg.Wait()
	var gotRows []string
	var gotBad []Bad
	for _, p := range prepared {
		out, bad, err := par.Finish(p)
		require.NoError(t, err)
		gotRows = append(gotRows, rowsOf(out)...)
		gotBad = append(gotBad, bad...)
		if out != nil {
			out.Release()
		}
	}
	assert.Equal(t, wantRows, gotRows)
	assert.Equal(t, wantBad, gotBad)
	assert.Equal(t, seq.Stats(), par.Stats())
	assert.NotEmpty(t, seq.Stats().FailedRule["report_id:unique"], "the test has duplicates")
}

func rowsOf(b arrow.RecordBatch) []string {
	if b == nil {
		return nil
	}
	var out []string
	for r := 0; r < int(b.NumRows()); r++ {
		s := ""
		for c := 0; c < int(b.NumCols()); c++ {
			s += b.Column(c).ValueStr(r) + "|"
		}
		out = append(out, s)
	}
	return out
}
