package pipelines

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/warehouse/lake"
)

// Period is a reporting period: [From, To).
type Period struct {
	Name     string // 2026-11, 2026-Q4, 2026
	From, To time.Time
}

// PeriodOf is the period of kind (month, quarter, year) containing t, in
// Asia/Ho_Chi_Minh.
func PeriodOf(kind string, t time.Time) Period {
	t = t.In(time.FixedZone("Asia/Ho_Chi_Minh", 7*3600))
	y, m := t.Year(), t.Month()
	day := func(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }
	switch kind {
	case "year":
		return Period{Name: fmt.Sprint(y), From: day(y, 1), To: day(y+1, 1)}
	case "quarter":
		q := (int(m) - 1) / 3
		from := day(y, time.Month(q*3+1))
		return Period{Name: fmt.Sprintf("%d-Q%d", y, q+1), From: from, To: from.AddDate(0, 3, 0)}
	default:
		from := day(y, m)
		return Period{Name: from.Format("2006-01"), From: from, To: from.AddDate(0, 1, 0)}
	}
}

// Reporter is one unit or agency expected to report.
type Reporter struct{ Code, Name string }

// Missing lists who has not reported for a period under a pipeline's
// completeness expectation. db queries the lake (DuckDB views); table is the
// dataset's view, already quoted.
func (c *Completeness) Missing(ctx context.Context, db *sql.DB, table string, quote func(string) string, period Period) (expected int, missing []Reporter, err error) {
	var want []Reporter
	switch c.Kind {
	case "communes":
		// The communes valid on the period's last day (for a year across the
		// reform of 01/07/2025, today's 75).
		for _, u := range units.MustLoad().CommunesAt(period.To.AddDate(0, 0, -1)) {
			want = append(want, Reporter{u.Code, u.Name})
		}
	case "province_agencies":
		rows, err := db.QueryContext(ctx, `SELECT agency_code, agency_name FROM reference.agencies
			WHERE level = 'tỉnh' AND (valid_to IS NULL OR valid_to > ?) AND (valid_from IS NULL OR valid_from < ?)`, period.From, period.To)
		if err != nil {
			return 0, nil, fmt.Errorf("reading reference.agencies: %w", err)
		}
		for rows.Next() {
			var r Reporter
			if err := rows.Scan(&r.Code, &r.Name); err != nil {
				rows.Close()
				return 0, nil, err
			}
			want = append(want, r)
		}
		rows.Close()
	default:
		for _, code := range c.Codes {
			want = append(want, Reporter{Code: code})
		}
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT DISTINCT CAST(%s AS VARCHAR) FROM %s WHERE %s >= ? AND %s < ?`,
		quote(c.Column), table, quote(c.DateColumn), quote(c.DateColumn)), period.From, period.To)
	if err != nil {
		return 0, nil, fmt.Errorf("reading who reported: %w", err)
	}
	defer rows.Close()
	got := map[string]bool{}
	for rows.Next() {
		var code sql.NullString
		if err := rows.Scan(&code); err != nil {
			return 0, nil, err
		}
		got[code.String] = true
	}
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	for _, r := range want {
		if !got[r.Code] {
			missing = append(missing, r)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i].Code < missing[j].Code })
	return len(want), missing, nil
}

// FormatReporters prints at most n reporters.
func FormatReporters(rs []Reporter, n int) string {
	var parts []string
	for i, r := range rs {
		if i == n {
			parts = append(parts, fmt.Sprintf("… %d more", len(rs)-n))
			break
		}
		parts = append(parts, strings.TrimSpace(r.Code+" "+r.Name))
	}
	return strings.Join(parts, ", ")
}

// LastCommit is when a pipeline last committed to a table (zero if never).
func LastCommit(t interface {
	Metadata() table.Metadata
}, pipeline string) time.Time {
	var ms int64
	for _, s := range t.Metadata().Snapshots() {
		if s.Summary != nil && s.Summary.Properties[lake.SumPipeline] == pipeline {
			ms = max(ms, s.TimestampMs)
		}
	}
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
