package sqltest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/lake"
)

// Incremental is the incremental scenario of a database connector, run on
// one dialect. The table luot_kham (id, ten, cap_nhat) gets rows 1–50 stamped
// a minute apart from 23:30 on 30 June 2025 in Asia/Ho_Chi_Minh, across
// midnight to 00:19 (the watermark W), and rows 101 and 102 without a stamp.
// While the first run reads, another connection commits: row 45 stamped
// W − 3m (a writer whose transaction began before the run's snapshot), row 3
// stamped W + 1h, a new row 200 stamped W + 2h, and a new name for row 101
// (its stamp still NULL).
type Incremental struct {
	// Type is the pipeline's source.type; DSN its dsn.
	Type, DSN string
	// Create makes the empty table luot_kham (id bigint key, ten text, cap_nhat nullable).
	Create string
	// Stamp is the SQL literal of a stamp given as Vietnam's wall clock.
	Stamp func(local string) string
	// Watermark is the watermark text of a stamp given as Vietnam's wall clock.
	Watermark func(local string) string
	// Exec runs statements on a connection other than the source's.
	Exec func(t *testing.T, sql string)
	// Query returns the rows of a query as text.
	Query func(t *testing.T, sql string) [][]string
}

// Run runs the scenario's cases: three pipeline runs each, checking which rows
// each run read and what the lake holds.
func (s Incremental) Run(t *testing.T) {
	ids := func(from, to int64, more ...int64) []int64 {
		var out []int64
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
		out = append(out, more...)
		slices.Sort(out)
		return out
	}
	tests := []struct {
		name         string
		lag          string
		includeNulls bool
		second       []int64 // rows the second run reads
		third        []int64 // rows a third run, with nothing changed, reads
		missed       []int64 // rows whose change the lake lacks after the second run
	}{
		{name: "lag covers a change committed during the run", lag: "10m",
			second: ids(41, 50, 3, 200), third: []int64{200}, missed: []int64{101}},
		{name: "rows without a stamp read on every run", lag: "10m", includeNulls: true,
			second: ids(41, 50, 3, 101, 102, 200), third: []int64{101, 102, 200}},
		{name: "without a lag the change committed during the run is missed", lag: "0s",
			second: []int64{3, 200}, third: nil, missed: []int64{45, 101}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if i > 0 {
				s.Exec(t, "DROP TABLE luot_kham")
			}
			s.seed(t)
			before := s.names(t)
			w := NewWarehouse(t, `dataset: health.visits_incremental
label: Lượt khám
owner: Sở Y tế
classification: restricted
key: [id]
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: ten, label: Tên, type: string}
  - {name: cap_nhat, label: Cập nhật, type: timestamp}
`)
			p := Pipeline(t, fmt.Sprintf(`name: visits_incremental
source:
  type: %s
  dsn: ${DSN}
  table: luot_kham
  batch_rows: 10
  incremental: {column: cap_nhat, lag: %s, include_nulls: %t}
target: {dataset: health.visits_incremental, mode: merge, key: [id]}
`, s.Type, tt.lag, tt.includeNulls), map[string]string{"DSN": s.DSN})
			src := &Watched{Config: p.SourceConfig}
			p.SourceConfig = src

			// first run: everything, as of the snapshot taken when it opened
			src.During = func() {
				for _, q := range []string{
					"UPDATE luot_kham SET ten = 'Sửa trong lúc chạy', cap_nhat = " + s.Stamp("2025-07-01 00:16:00") + " WHERE id = 45",
					"UPDATE luot_kham SET ten = 'Sửa sau', cap_nhat = " + s.Stamp("2025-07-01 01:19:00") + " WHERE id = 3",
					"INSERT INTO luot_kham VALUES (200, 'Thêm sau', " + s.Stamp("2025-07-01 02:19:00") + ")",
					"UPDATE luot_kham SET ten = 'Chưa có ngày, đã sửa' WHERE id = 101",
				} {
					s.Exec(t, q)
				}
			}
			res, err := w.Runner.Run(t.Context(), p, pipelines.RunOptions{})
			require.NoError(t, err)
			assert.EqualValues(t, 52, res.Read)
			slices.Sort(src.Read)
			assert.Equal(t, ids(1, 50, 101, 102), src.Read)
			assert.Equal(t, before, s.lakeNames(t, w), "the first run reads one snapshot: no change made during it")
			assert.Equal(t, s.Watermark("2025-07-01 00:19:00"), s.watermark(t, w, p.Name), "W")

			// second run: the rows above W − lag, which include every change
			src.During, src.Read = nil, nil
			res, err = w.Runner.Run(t.Context(), p, pipelines.RunOptions{})
			require.NoError(t, err)
			slices.Sort(src.Read)
			assert.Equal(t, tt.second, src.Read)
			assert.EqualValues(t, len(tt.second), res.Read)
			want := map[int64]string{}
			for id, name := range s.names(t) {
				want[id] = name
				if slices.Contains(tt.missed, id) {
					want[id] = before[id]
				}
			}
			assert.Equal(t, want, s.lakeNames(t, w))
			assert.Equal(t, s.Watermark("2025-07-01 02:19:00"), s.watermark(t, w, p.Name), "row 200's stamp")

			// third run, nothing changed: only the lag window (and NULL stamps)
			src.Read = nil
			_, err = w.Runner.Run(t.Context(), p, pipelines.RunOptions{})
			require.NoError(t, err)
			slices.Sort(src.Read)
			assert.Equal(t, tt.third, src.Read)
			assert.Equal(t, want, s.lakeNames(t, w), "nothing changes")
		})
	}
}

// seed makes the table and its 52 rows.
func (s Incremental) seed(t *testing.T) {
	s.Exec(t, s.Create)
	base := time.Date(2025, 6, 30, 23, 30, 0, 0, sqlsource.Local)
	var vals []string
	for i := range 50 {
		stamp := base.Add(time.Duration(i) * time.Minute).Format("2006-01-02 15:04:05")
		vals = append(vals, fmt.Sprintf("(%d, 'Lượt %d', %s)", i+1, i+1, s.Stamp(stamp)))
	}
	vals = append(vals, "(101, 'Chưa có ngày', NULL)", "(102, 'Chưa có ngày 2', NULL)")
	s.Exec(t, "INSERT INTO luot_kham VALUES "+strings.Join(vals, ", "))
}

// names is id -> ten of the source table.
func (s Incremental) names(t *testing.T) map[int64]string {
	out := map[int64]string{}
	for _, r := range s.Query(t, "SELECT id, ten FROM luot_kham") {
		id, err := strconv.ParseInt(r[0], 10, 64)
		require.NoError(t, err)
		out[id] = r[1]
	}
	return out
}

// lakeNames is id -> ten of the lake table.
func (s Incremental) lakeNames(t *testing.T, w *Warehouse) map[int64]string {
	out := map[int64]string{}
	for _, r := range w.Scan(t, "health.visits_incremental") {
		id, err := strconv.ParseInt(r["id"].(string), 10, 64) // a merge key is text in the lake
		require.NoError(t, err)
		out[id] = r["ten"].(string)
	}
	return out
}

// watermark is the incremental state the pipeline's last commit holds.
func (s Incremental) watermark(t *testing.T, w *Warehouse, pipeline string) string {
	tbl, err := w.Lake.Load(t.Context(), "health.visits_incremental")
	require.NoError(t, err)
	var st connectors.State
	require.NoError(t, lake.DecodeState(lake.LastSummary(tbl, pipeline), &st))
	return st.Watermark
}
