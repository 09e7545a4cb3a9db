package schemas

import (
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/schemas/vntext"
)

const namesYAML = `
dataset: labour.job_reports
label: Báo cáo
owner: Sở Nội vụ
classification: open
key: [report_id]
columns:
  - {name: report_id, label: Mã báo cáo, type: string, required: true}
  - {name: place, label: Nơi, type: string}
  - {name: person, label: Người, type: string}
`

// The text cache gives every value the normal form and the repair counts
// Normalize gives it, for repeated values (cached), values that never repeat
// (the column stops being cached) and across several batches.
func TestConformTextCache(t *testing.T) {
	ds, err := Parse("job_reports.yaml", []byte(namesYAML))
	require.NoError(t, err)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)

	places := []string{"Bản Hụm, xã Chiềng Cơi", norm.NFD.String("Xã Mường Bú"), "  Thị trấn  Hát Lót ", "xã Phiêng Khoài", "Bản Hòa"}
	var want []string
	wantRepairs := map[string]int64{}
	c, err := NewConformer(ds, connectors.TextSchema([]string{"report_id", "place", "person"}), nil, ConformOptions{Alloc: alloc, Units: units.MustLoad(), Today: time.Now()})
	require.NoError(t, err)
	row := 0
	for batch := 0; batch < 3; batch++ {
		tb := connectors.NewTextBatcher(alloc, []string{"report_id", "place", "person"})
		for i := 0; i < 3000; i++ {
			place := places[row%len(places)]
			person := fmt.Sprintf("Lò Văn Hòa %d", row) // never repeats
			tb.AppendStrings([]string{fmt.Sprint("R", row), place, person}, "drop.csv", int64(row+2))
			for col, v := range map[string]string{"place": place, "person": person} {
				out, did := vntext.Normalize(v, vntext.Options{Whitespace: vntext.Trim})
				if col == "place" {
					want = append(want, out)
				}
				for _, r := range did {
					wantRepairs[col+":"+r]++
				}
			}
			row++
		}
		in := tb.Flush()
		out, bad, err := c.Conform(in)
		require.NoError(t, err)
		assert.Empty(t, bad)
		got := out.Column(1).(*array.String)
		for i := 0; i < got.Len(); i++ {
			require.Equal(t, want[batch*3000+i], got.Value(i), "row %d", batch*3000+i)
		}
		out.Release()
		in.Release()
		tb.Release()
	}
	assert.Equal(t, wantRepairs, c.Stats().Repaired)
	assert.False(t, c.texts[1].off, "repeated places are cached")
	assert.True(t, c.texts[2].off, "people's names that never repeat are not")
}
