package schemas

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/schemas/units"
)

const labourYAML = `
dataset: labour.job_reports
label: Báo cáo
owner: Sở Nội vụ
classification: open
key: [report_id]
columns:
  - {name: report_id, label: Mã báo cáo, type: string, required: true}
  - name: commune_code
    label: Xã/Phường
    type: admin_unit
    required: true
    admin_unit: {date_column: report_month}
  - {name: report_month, label: Tháng báo cáo, type: date, required: true, format: "01/2006"}
  - {name: job_seekers, label: Số người tìm việc, type: int, min: 0}
  - {name: amount, label: Số tiền, type: "decimal(12,2)"}
  - {name: sent, label: Ngày gửi, type: date}
  - {name: due, label: Hạn, type: date}
checks:
  - {name: due_after_sent, assert: due >= sent}
`

func TestConform(t *testing.T) {
	ds, err := Parse("job_reports.yaml", []byte(labourYAML))
	require.NoError(t, err)
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)

	cols := []string{"Mã báo cáo", "Xã/Phường", "Tháng báo cáo", "Số người tìm việc", "Số tiền", "Ngày gửi", "Hạn"}
	rows := [][]string{
		{"R1", "Xã Chiềng Hặc", "03/2025", "1.234", "1.234.567,89", "05/04/2025", "06/04/2025"}, // good, old commune
		{"R2", norm.NFD.String("p. tô hiệu"), "08/2025", "12", "10", "05/09/2025", ""},          // good, new ward, NFD
		{"R3", "Phường Chiềng Lề", "08/2025", "1", "1", "", ""},                                 // ward abolished by the reform
		{"", "Xã Chiềng Hặc", "03/2025", "1", "1", "", ""},                                      // missing key
		{"R5", "Xã Chiềng Hặc", "13/2025", "1", "1", "", ""},                                    // impossible month
		{"R6", "Xã Chiềng Hặc", "03/2025", "khoảng 20", "1", "", ""},                            // not a number
		{"R7", "Xã Chiềng Hặc", "03/2025", "-3", "1", "", ""},                                   // below min
		{"R1", "Xã Chiềng Hặc", "03/2025", "3", "1", "", ""},                                    // duplicate key
		{"R9", "Xã Chiềng Chung", "03/2025", "3", "1", "", ""},                                  // two communes share the name
		{"R10", "Xã Chiềng Hặc", "03/2025", "3", "1", "05/04/2025", "01/04/2025"},               // check fails
	}
	tb := connectors.NewTextBatcher(alloc, cols)
	defer tb.Release()
	for i, r := range rows {
		tb.AppendStrings(r, "drop.csv", int64(i+2))
	}
	in := tb.Flush()
	defer in.Release()

	c, err := NewConformer(ds, in.Schema(), nil, ConformOptions{Alloc: alloc, Units: units.MustLoad(), Today: time.Now()})
	require.NoError(t, err)
	out, bad, err := c.Conform(in)
	require.NoError(t, err)
	require.NotNil(t, out)
	defer out.Release()

	assert.EqualValues(t, 2, out.NumRows())
	assert.Len(t, bad, 8)
	st := c.Stats()
	assert.EqualValues(t, 10, st.Read)
	assert.Equal(t, st.Read, st.Written+st.Quarantined)

	codes := out.Column(1).(*array.String)
	assert.Equal(t, "04078", codes.Value(0))
	assert.Equal(t, "03646", codes.Value(1))
	assert.EqualValues(t, 1234, out.Column(3).(*array.Int64).Value(0))
	assert.Equal(t, "1234567.89", out.Column(4).(*array.Decimal128).ValueStr(0))

	rules := map[int64]string{}
	for _, b := range bad {
		rules[b.Row] = b.Column + ":" + b.Rule
		assert.Equal(t, "drop.csv", b.File)
		assert.NotEmpty(t, b.ReasonVI)
		assert.NotEmpty(t, b.ReasonEN)
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(b.Record), &rec))
		assert.Contains(t, rec, "Mã báo cáo")
	}
	assert.Equal(t, map[int64]string{
		4: "commune_code:admin_unit", 5: "report_id:required", 6: "report_month:type", 7: "job_seekers:type",
		8: "job_seekers:min", 9: "report_id:unique", 10: "commune_code:admin_unit", 11: "due:due_after_sent",
	}, rules)
	for _, b := range bad {
		if b.Row == 10 {
			assert.Contains(t, b.ReasonVI, "04015")
			assert.Contains(t, b.ReasonVI, "04129")
		}
	}
}

func TestConformRequiredColumnWithoutSource(t *testing.T) {
	ds, err := Parse("job_reports.yaml", []byte(labourYAML))
	require.NoError(t, err)
	_, err = NewConformer(ds, connectors.TextSchema([]string{"x"}), map[string]string{"x": "nope"}, ConformOptions{Units: units.MustLoad()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `dataset labour.job_reports has no column "nope"`)
	assert.Contains(t, err.Error(), `column "report_id" is required but no source column maps to it`)
}
