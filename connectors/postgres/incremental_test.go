package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/connectors"
	"github.com/sonla-data/kho/connectors/internal/sqlsource/sqltest"
	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/warehouse/lake"
)

// watched wraps a pipeline's source so that the test learns which rows a run
// read (the first column, an integer id) and can act while the run reads:
// during is called after the first batch, when the source's snapshot has
// been taken but the run has not finished.
type watched struct {
	*Config
	during func()
	read   *[]int64
}

func (w watched) Open(ctx context.Context, env connectors.Env) (connectors.Source, error) {
	src, err := w.Config.Open(ctx, env)
	if err != nil {
		return nil, err
	}
	return &watchedSource{Source: src.(*Source), w: w}, nil
}

type watchedSource struct {
	*Source
	w       watched
	batches int
}

func (s *watchedSource) Next(ctx context.Context) (arrow.RecordBatch, error) {
	rec, err := s.Source.Next(ctx)
	if err != nil {
		return rec, err
	}
	ids := rec.Column(0).(*array.Int64)
	for i := range ids.Len() {
		*s.w.read = append(*s.w.read, ids.Value(i))
	}
	if s.batches++; s.batches == 1 && s.w.during != nil {
		s.w.during()
	}
	return rec, nil
}

// sourceRows reads the table as the test expects the lake to hold it.
func sourceRows(t *testing.T, conn *pgconn.PgConn) map[int64]string {
	res := conn.ExecParams(t.Context(), "SELECT id, ten FROM luot_kham", nil, nil, nil, nil).Read()
	require.NoError(t, res.Err)
	out := map[int64]string{}
	for _, r := range res.Rows {
		id, _ := strconv.ParseInt(string(r[0]), 10, 64)
		out[id] = string(r[1])
	}
	return out
}

func ids(from, to int64, more ...int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	out = append(out, more...)
	slices.Sort(out)
	return out
}

// TestIntegrationIncremental runs a pipeline three times on a table that
// changes during the first run. Rows 1–50 are stamped a minute apart from
// 23:30 on 30 June 2025 (Asia/Ho_Chi_Minh) across midnight to 00:19 (the
// watermark W); rows 101 and 102 have no stamp. While the first run reads,
// another connection commits: row 45 stamped W − 3m (a writer whose
// transaction began before the run's snapshot), row 3 stamped W + 1h, a new
// row 200 stamped W + 2h, and a new name for row 101 (stamp still NULL).
// The first run must not see them (one snapshot); the second must pick up
// exactly the rows above W − lag, and with them every change.
func TestIntegrationIncremental(t *testing.T) {
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn, conn := testDB(t)
			run(t, conn, `CREATE TABLE luot_kham (id bigint PRIMARY KEY, ten text NOT NULL, cap_nhat timestamptz);
				INSERT INTO luot_kham SELECT g, 'Lượt ' || g, timestamptz '2025-06-30 23:30:00+07' + (g - 1) * interval '1 minute'
				FROM generate_series(1, 50) g;
				INSERT INTO luot_kham VALUES (101, 'Chưa có ngày', NULL), (102, 'Chưa có ngày 2', NULL)`)
			before := sourceRows(t, conn)
			w := sqltest.NewWarehouse(t, `dataset: health.pg_visits
label: Lượt khám
owner: Sở Y tế
classification: restricted
key: [id]
columns:
  - {name: id, label: Mã, type: string, required: true}
  - {name: ten, label: Tên, type: string}
  - {name: cap_nhat, label: Cập nhật, type: timestamp}
`)
			p := sqltest.Pipeline(t, fmt.Sprintf(`name: pg_visits
source:
  type: postgres
  dsn: ${PG_DSN}
  table: luot_kham
  batch_rows: 10
  incremental: {column: cap_nhat, lag: %s, include_nulls: %t}
target: {dataset: health.pg_visits, mode: merge, key: [id]}
`, tt.lag, tt.includeNulls), map[string]string{"PG_DSN": dsn})
			var read []int64
			src := watched{Config: p.SourceConfig.(*Config), read: &read}
			p.SourceConfig = &src

			// first run: everything, as of the snapshot taken when it opened
			src.during = func() {
				run(t, conn, `UPDATE luot_kham SET ten = 'Sửa trong lúc chạy', cap_nhat = timestamptz '2025-07-01 00:16:00+07' WHERE id = 45;
					UPDATE luot_kham SET ten = 'Sửa sau', cap_nhat = timestamptz '2025-07-01 01:19:00+07' WHERE id = 3;
					INSERT INTO luot_kham VALUES (200, 'Thêm sau', timestamptz '2025-07-01 02:19:00+07');
					UPDATE luot_kham SET ten = 'Chưa có ngày, đã sửa' WHERE id = 101`)
			}
			res := w.Run(t, p, pipelines.RunOptions{})
			assert.EqualValues(t, 52, res.Read)
			slices.Sort(read)
			assert.Equal(t, ids(1, 50, 101, 102), read)
			assert.Equal(t, before, lakeNames(t, w), "the first run reads one snapshot: no change made during it")
			assert.Equal(t, "2025-06-30T17:19:00Z", watermark(t, w, p.Name), "W = 00:19 in Vietnam")

			// second run: the rows above W − lag, which include every change
			src.during, read = nil, nil
			res = w.Run(t, p, pipelines.RunOptions{})
			slices.Sort(read)
			assert.Equal(t, tt.second, read)
			assert.EqualValues(t, len(tt.second), res.Read)
			now := sourceRows(t, conn)
			want := map[int64]string{}
			for id, name := range now {
				want[id] = name
				if slices.Contains(tt.missed, id) {
					want[id] = before[id]
				}
			}
			assert.Equal(t, want, lakeNames(t, w))
			assert.Equal(t, "2025-06-30T19:19:00Z", watermark(t, w, p.Name), "row 200's stamp")

			// third run, nothing changed: only the lag window (and NULL stamps)
			read = nil
			res = w.Run(t, p, pipelines.RunOptions{})
			slices.Sort(read)
			assert.Equal(t, tt.third, read)
			assert.Equal(t, want, lakeNames(t, w), "nothing changes")
		})
	}
}

// lakeNames is id -> ten of the lake table.
func lakeNames(t *testing.T, w *sqltest.Warehouse) map[int64]string {
	out := map[int64]string{}
	for _, r := range w.Scan(t, "health.pg_visits") {
		id, err := strconv.ParseInt(r["id"].(string), 10, 64) // a merge key is text in the lake
		require.NoError(t, err)
		out[id] = r["ten"].(string)
	}
	return out
}

// watermark is the incremental state the pipeline's last commit holds.
func watermark(t *testing.T, w *sqltest.Warehouse, pipeline string) string {
	tbl, err := w.Lake.Load(t.Context(), "health.pg_visits")
	require.NoError(t, err)
	var st connectors.State
	require.NoError(t, lake.DecodeState(lake.LastSummary(tbl, pipeline), &st))
	return st.Watermark
}
