package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/pipelines"
	"github.com/sonla-data/kho/sampledata"
	"github.com/sonla-data/kho/schemas/units"
	"github.com/sonla-data/kho/warehouse/lake"
)

// kho runs the CLI in-process and returns what it printed.
func kho(t *testing.T, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	root := newRoot()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(t.Context())
	require.NoError(t, err, "kho %s:\n%s", strings.Join(args, " "), out.String())
	return out.String()
}

// workspace writes a kho.yaml whose data lives in a temporary folder.
func workspace(t *testing.T) (dir, config string) {
	dir = t.TempDir()
	config = filepath.Join(dir, "kho.yaml")
	require.NoError(t, os.WriteFile(config, []byte("pipelines_dir: \"\"\nlog: {level: warn}\n"), 0o644))
	return dir, config
}

// kpi is one agency-month of the dossier KPIs.
type kpi struct {
	received, completed, onTime, online, digitised, reused, paid int64
}

// expectedKPIs computes the dossier KPIs from the generated JSON files,
// independently of the pipelines and the marts: its own reading of the
// national portal's format, its own rules for what a valid dossier is.
func expectedKPIs(t *testing.T, dir string) map[[2]string]*kpi {
	files, err := filepath.Glob(filepath.Join(dir, "dossiers", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	type doc struct {
		IsDeleted        any
		DuocTaiSuDung    any
		DuocLayTuKhoDMQG any
	}
	type dossier struct {
		MaHoSo                 string
		KenhThucHien           any
		NgayTiepNhan           string
		NgayHenTra             string
		NgayKetThucXuLy        string
		TrangThaiHoSo          any
		HoSoCoThanhPhanSoHoa   any
		DuocThanhToanTrucTuyen any
		TaiLieuNop             []doc
	}
	truthy := func(v any) bool {
		switch v := v.(type) {
		case float64:
			return v == 1
		case string:
			return v == "1"
		case bool:
			return v
		}
		return false
	}
	str := func(v any) string {
		switch v := v.(type) {
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		case string:
			return v
		}
		return ""
	}
	out := map[[2]string]*kpi{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var req struct{ Data []dossier }
		require.NoError(t, json.Unmarshal(b, &req))
		for _, d := range req.Data {
			parts := strings.Split(d.MaHoSo, "-")
			if d.MaHoSo == "" || len(parts) < 3 || !validStamp(d.NgayTiepNhan) {
				continue
			}
			if d.NgayHenTra != "" && d.NgayHenTra < d.NgayTiepNhan {
				continue
			}
			k := [2]string{strings.Join(parts[:len(parts)-2], "-"), d.NgayTiepNhan[:4] + "-" + d.NgayTiepNhan[4:6] + "-01"}
			m := out[k]
			if m == nil {
				m = &kpi{}
				out[k] = m
			}
			m.received++
			status := str(d.TrangThaiHoSo)
			if (status == "9" || status == "10") && d.NgayKetThucXuLy != "" {
				m.completed++
				if d.NgayKetThucXuLy <= d.NgayHenTra {
					m.onTime++
				}
			}
			if str(d.KenhThucHien) == "2" {
				m.online++
			}
			if truthy(d.HoSoCoThanhPhanSoHoa) {
				m.digitised++
			}
			for _, doc := range d.TaiLieuNop {
				if !truthy(doc.IsDeleted) && (truthy(doc.DuocTaiSuDung) || truthy(doc.DuocLayTuKhoDMQG)) {
					m.reused++
					break
				}
			}
			if p := str(d.DuocThanhToanTrucTuyen); p == "1" || p == "2" {
				m.paid++
			}
		}
	}
	return out
}

// validStamp checks a yyyyMMddHHmmss date of the calendar.
func validStamp(s string) bool {
	if len(s) != 14 {
		return false
	}
	days := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	atoi := func(x string) int {
		n := 0
		for _, c := range x {
			if c < '0' || c > '9' {
				return -1
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d := atoi(s[0:4]), atoi(s[4:6]), atoi(s[6:8])
	if y < 0 || mo < 1 || mo > 12 || d < 1 {
		return false
	}
	max := days[mo-1]
	if mo == 2 && (y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
		max = 29
	}
	return d <= max && atoi(s[8:10]) < 24 && atoi(s[10:12]) < 60 && atoi(s[12:14]) < 60
}

func TestDemoEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("the end-to-end demo takes a few seconds; skipped with -short")
	}
	dir, config := workspace(t)
	sample := filepath.Join(dir, "kho-data", "sample")
	kho(t, "sample-data", "--out", sample, "--scale", "1", "--seed", "7")
	out := kho(t, "--config", config, "run", "--all")
	assert.NotContains(t, out, "FAIL")

	ctx := context.Background()
	cfg, err := loadConfig(config)
	require.NoError(t, err)
	a, err := openApp(ctx, cfg, true)
	require.NoError(t, err)
	defer a.close()

	// Every target: rows read = rows written + rows quarantined, in the
	// history and in the lake's snapshot summary; and the quarantine holds
	// exactly the bad rows the generator planted.
	manifestBad := plantedBad(t, sample)
	runs, err := a.history.Latest(ctx)
	require.NoError(t, err)
	require.Len(t, runs, len(a.pipelines))
	for _, r := range runs {
		assert.Equal(t, pipelines.StatusOK, r.Status, r.Pipeline)
		assert.Equal(t, r.Read, r.Written+r.Quarantined, r.Pipeline)
		tbl, err := a.lake.Load(ctx, r.Dataset)
		require.NoError(t, err)
		sum := lake.LastSummary(tbl, r.Pipeline)
		require.NotNil(t, sum, r.Pipeline)
		assert.Equal(t, r.ID, sum[lake.SumRunID], r.Pipeline)
		assert.Equal(t, r.Written, lake.RowCount(tbl), "%s: rows in the lake", r.Dataset)
		if want, ok := manifestBad[r.Dataset]; ok {
			assert.EqualValues(t, want, r.Quarantined, "%s: quarantined rows = planted bad rows", r.Dataset)
			var n int64
			ns, name, _ := strings.Cut(r.Dataset, ".")
			if slices.Contains(a.engine.Tables(), r.Dataset+pipelines.QuarantineSuffix) {
				require.NoError(t, a.engine.DB().QueryRowContext(ctx, `SELECT count(*) FROM "`+ns+`"."`+name+`__quarantine"`).Scan(&n))
			}
			assert.EqualValues(t, want, n, "%s: quarantine table", r.Dataset)
		}
	}

	// The KPI mart equals the KPIs computed from the dossier files.
	want := expectedKPIs(t, sample)
	rows, err := a.engine.DB().QueryContext(ctx, `SELECT agency_code, strftime(month, '%Y-%m-%d'), received, completed, on_time,
		online, digitised, reused, paid_online, on_time_rate, digitised_rate FROM marts.dossier_kpi_monthly`)
	require.NoError(t, err)
	got := map[[2]string]*kpi{}
	for rows.Next() {
		var k [2]string
		var m kpi
		var onTimeRate, digRate *float64
		require.NoError(t, rows.Scan(&k[0], &k[1], &m.received, &m.completed, &m.onTime, &m.online, &m.digitised, &m.reused, &m.paid, &onTimeRate, &digRate))
		got[k] = &m
		if m.completed > 0 {
			require.NotNil(t, onTimeRate)
			assert.InDelta(t, float64(m.onTime)/float64(m.completed), *onTimeRate, 1e-9)
		}
		assert.InDelta(t, float64(m.digitised)/float64(m.received), *digRate, 1e-9)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	require.Equal(t, len(want), len(got), "agency-months")
	for k, w := range want {
		g, ok := got[k]
		if assert.True(t, ok, "missing %v", k) {
			assert.Equal(t, *w, *g, "%v", k)
		}
	}

	// The summary names its period (the year to date, as the dashboard) and
	// the quarantine, and judges as the dashboard does.
	summary := kho(t, "--config", config, "summary")
	assert.Contains(t, summary, "năm 2025, đến hết tháng 12")
	assert.Contains(t, summary, "admin_procedures.dossiers")
	checkSummaryMatchesDashboard(t, a, config)

	// kho status lists exactly the communes of 03/2025 with no labour report
	// in the lake for that month.
	status := kho(t, "--config", config, "status", "--period", "2025-03")
	var reported []string
	rows, err = a.engine.DB().QueryContext(ctx, `SELECT DISTINCT commune_code FROM labour.job_reports WHERE report_month = DATE '2025-03-01'`)
	require.NoError(t, err)
	for rows.Next() {
		var c string
		require.NoError(t, rows.Scan(&c))
		reported = append(reported, c)
	}
	rows.Close()
	all := units.MustLoad().CommunesAt(time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC))
	missing := 0
	for _, u := range all {
		if slices.Contains(reported, u.Code) {
			assert.NotContains(t, status, u.Code+" "+u.Name, "%s reported", u.Code)
		} else {
			missing++
		}
	}
	assert.Contains(t, status, fmt.Sprintf("labour_job_reports (2025-03): %d of %d have not reported", missing, len(all)))

	// A second run changes nothing: the same rows, no duplicates.
	before := tableCounts(t, a)
	kho(t, "--config", config, "run", "--all")
	require.NoError(t, a.engine.Refresh(ctx))
	assert.Equal(t, before, tableCounts(t, a))
}

// plantedBad sums the generator's manifest by the dataset each source feeds.
func plantedBad(t *testing.T, dir string) map[string]int {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	require.NoError(t, err)
	var m sampledata.Manifest
	require.NoError(t, json.Unmarshal(b, &m))
	feeds := map[string]string{ // source file or table -> dataset
		"luot_kham": "health.visits", "co_so_y_te": "health.clinics", "trong_trot": "agriculture.crop_reports",
		"chan_nuoi": "agriculture.livestock_reports", "labour": "labour.job_reports", "culture": "culture_tourism.heritage_sites",
		"dossiers": "admin_procedures.dossiers",
	}
	out := map[string]int{}
	for _, s := range m.Sources {
		for _, it := range s.Items {
			if it.Dataset != "" { // the generator says which dataset the item feeds
				out[it.Dataset] += it.BadRows()
				continue
			}
			ds, ok := feeds[it.Table]
			if !ok {
				ds, ok = feeds[s.Name]
			}
			if ok && (s.Name != "dossiers" || strings.HasPrefix(it.File, "dossiers/")) {
				out[ds] += it.BadRows()
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

func tableCounts(t *testing.T, a *app) map[string]int64 {
	out := map[string]int64{}
	for _, name := range a.engine.Tables() {
		ns, tbl, _ := strings.Cut(name, ".")
		var n int64
		require.NoError(t, a.engine.DB().QueryRow(`SELECT count(*) FROM "`+ns+`"."`+tbl+`"`).Scan(&n))
		out[name] = n
	}
	return out
}
