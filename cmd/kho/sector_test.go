package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/sonla-data/kho/quality"
	"github.com/sonla-data/kho/sampledata"
	"github.com/sonla-data/kho/schemas/units"
)

// TestSectorsAndQuality runs the agriculture and market pipelines on a
// synthetic province and checks: the agriculture mart puts the crop areas of
// 2024 (reported on the communes of 2024) on the 75 communes of today with
// the totals the source holds, computed here from the SQLite file; the
// quality report of the crops run counts the planted bad rows per rule; a
// market quarantined for an unknown commune, fixed in the exported records
// and replayed, lands in the dataset; kho schemas and kho docs list every
// dataset.
func TestSectorsAndQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pipelines and marts on a synthetic province; skipped with -short")
	}
	dir, config := workspace(t)
	sample := filepath.Join(dir, "kho-data", "sample")
	kho(t, "sample-data", "--out", sample, "--scale", "1", "--seed", "11")
	kho(t, "--config", config, "run", "--no-marts", "reference_admin_units", "reference_admin_unit_succession",
		"agriculture_crops", "agriculture_aquaculture", "agriculture_land_use", "agriculture_livestock", "industry_trade_markets")
	kho(t, "--config", config, "marts", "build", "commune_today_map", "sector_agriculture")

	// The expected areas, from the database file: a row is good when it has
	// a key, an area of at least 0 and a commune valid at its date; it counts
	// for the communes of today its commune became part of.
	set := units.MustLoad()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(sample, "agriculture.db")+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT ma_bao_cao, ma_xa, dien_tich_ha, ngay_bao_cao FROM trong_trot`)
	require.NoError(t, err)
	want := map[[2]string]float64{} // today's commune, year -> area
	total := map[string]float64{}
	for rows.Next() {
		var key, code, day sql.NullString
		var area float64
		require.NoError(t, rows.Scan(&key, &code, &area, &day))
		d, err := time.Parse("2006-01-02", day.String)
		if err != nil || key.String == "" || area < 0 {
			continue
		}
		shares := set.TodayOf(code.String, d)
		if shares == nil {
			continue // no commune of that code on that day
		}
		for _, s := range shares {
			want[[2]string{s.Code, day.String[:4]}] += area * s.Share
		}
		total[day.String[:4]] += area
	}
	require.NoError(t, rows.Err())
	require.Positive(t, total["2024"])

	out := kho(t, "--config", config, "query", "--format", "json",
		"SELECT commune_code, CAST(year AS VARCHAR) AS year, crop_area_ha FROM marts.sector_agriculture")
	var got []struct {
		Commune string  `json:"commune_code"`
		Year    string  `json:"year"`
		Area    float64 `json:"crop_area_ha"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	communes := map[string]bool{}
	sum := map[string]float64{}
	for _, g := range got {
		communes[g.Commune] = true
		sum[g.Year] += g.Area
		assert.InDelta(t, want[[2]string{g.Commune, g.Year}], g.Area, 0.005, "%s %s", g.Commune, g.Year)
	}
	assert.Len(t, communes, 75, "today's communes")
	assert.Len(t, got, 75*2, "a row per commune and year")
	for _, y := range []string{"2024", "2025"} {
		assert.InDelta(t, total[y], sum[y], 0.01, "the province's crop area of %s", y)
	}
	for _, u := range set.CommunesAt(units.Reform) {
		assert.Positive(t, want[[2]string{u.Code, "2024"}], "%s %s has 2024 crops", u.Code, u.Name)
	}

	// A commune split between two of today's: the same facts, shared.
	testSplitShares(t, dir, config, db, got)

	// The quality report of the crops run counts the planted bad rows.
	var m sampledata.Manifest
	b, err := os.ReadFile(filepath.Join(sample, sampledata.ManifestFile))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &m))
	crops, ok := m.Item(sampledata.SourceAgriculture, "agriculture.db", "trong_trot")
	require.True(t, ok)
	var rep quality.Report
	require.NoError(t, json.Unmarshal([]byte(kho(t, "--config", config, "quality", "agriculture_crops", "--format", "json")), &rep))
	failed := map[string]int64{}
	for _, r := range rep.Rules {
		failed[r.Key] = r.Failed
		if r.Rule == "required" {
			assert.Positive(t, r.Checked, r.Key)
		}
	}
	assert.EqualValues(t, crops.Bad[sampledata.BadNegativeValue], failed["area_ha:min"])
	assert.EqualValues(t, crops.Bad[sampledata.BadUnknownCommune], failed["commune_code:admin_unit"])
	assert.EqualValues(t, crops.Rows, rep.Read)
	line := kho(t, "--config", config, "quality", rep.RunID, "--format", "line")
	assert.Contains(t, line, "rows failed (")

	// A market of an unknown commune, fixed and replayed.
	markets, ok := m.Item(sampledata.SourceIndustry, sampledata.IndustryFile, "cho")
	require.True(t, ok)
	require.Positive(t, markets.Bad[sampledata.BadUnknownCommune])
	records := filepath.Join(dir, "cho_sua.csv")
	kho(t, "--config", config, "quarantine", "industry_trade.markets", "--format", "records", "--out", records)
	text, err := os.ReadFile(records)
	require.NoError(t, err)
	fixed := strings.NewReplacer(","+sampledata.UnknownCommuneName+",", ",Xã Chiềng Hặc,",
		","+sampledata.UnknownCommuneName+"\n", ",Xã Chiềng Hặc\n").Replace(string(text))
	require.NotEqual(t, string(text), fixed)
	require.NoError(t, os.WriteFile(records, []byte(fixed), 0o644))
	replay := kho(t, "--config", config, "quarantine", "replay", "industry_trade.markets", "--file", records)
	assert.Contains(t, replay, "0 still failing")
	left := kho(t, "--config", config, "quarantine", "industry_trade.markets", "--format", "json")
	assert.JSONEq(t, "[]", left)
	n := kho(t, "--config", config, "query", "--format", "csv", "SELECT count(*) FROM industry_trade.markets")
	assert.Equal(t, markets.Rows, atoi(t, strings.Split(strings.TrimSpace(n), "\n")[1]))

	// kho schemas and kho docs.
	list := kho(t, "--config", config, "schemas")
	for _, name := range []string{"environment.emission_monitoring", "education.learners", "transport.vehicles", "construction.unit_prices"} {
		assert.Contains(t, list, name)
	}
	assert.Contains(t, kho(t, "--config", config, "schemas", "health.visits"), "citizen_id")
	docs := filepath.Join(dir, "docs")
	kho(t, "--config", config, "docs", "--out", docs)
	index, err := os.ReadFile(filepath.Join(docs, "index.html"))
	require.NoError(t, err)
	assert.Contains(t, string(index), "Thủ tục hành chính")
	page, err := os.ReadFile(filepath.Join(docs, "agriculture.crop_reports.html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), "agriculture_crops")
	assert.Contains(t, string(page), "marts.sector_agriculture")
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var f float64
	require.NoError(t, json.Unmarshal([]byte(s), &f), s)
	return int(math.Round(f))
}

// testSplitShares replaces the succession by one where Xã Chiềng Hắc (04012)
// went 40% to Phường Mộc Châu (03980) and 60% to Xã Chiềng Hặc (04078),
// rebuilds the mart and checks that its crops of before the reform moved in
// those shares while the province's totals stayed.
func testSplitShares(t *testing.T, dir, config string, db *sql.DB, before []struct {
	Commune string  `json:"commune_code"`
	Year    string  `json:"year"`
	Area    float64 `json:"crop_area_ha"`
}) {
	t.Helper()
	var moved map[string]float64 = map[string]float64{}
	rows, err := db.Query(`SELECT substr(ngay_bao_cao, 1, 4), sum(dien_tich_ha) FROM trong_trot
		WHERE ma_xa = '04012' AND dien_tich_ha >= 0 AND ma_bao_cao <> '' AND ngay_bao_cao < '2025-07-01' GROUP BY 1`)
	require.NoError(t, err)
	for rows.Next() {
		var y string
		var a float64
		require.NoError(t, rows.Scan(&y, &a))
		moved[y] = a
	}
	require.NoError(t, rows.Err())
	require.Positive(t, moved["2024"])

	var b strings.Builder
	b.WriteString("old_code,old_name,old_district,new_code,new_name,share,basis,effective_date\n")
	for _, x := range units.MustLoad().Succession {
		line := func(code, name string, share float64) {
			fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%g,%q,%s\n", x.OldCode, x.OldName, x.OldDistrict, code, name, share, x.Basis, x.Effective.Format("2006-01-02"))
		}
		if x.OldCode == "04012" && x.Effective.Equal(units.Reform) {
			line("03980", "Phường Mộc Châu", 0.4)
			line("04078", "Xã Chiềng Hặc", 0.6)
			continue
		}
		line(x.NewCode, x.NewName, x.Share)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "succession.csv"), []byte(b.String()), 0o644))
	pdir := filepath.Join(dir, "split")
	require.NoError(t, os.MkdirAll(pdir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(pdir, "split.yaml"), []byte("name: succession_split\nsource:\n  type: csv\n  path: "+
		filepath.Join(dir, "succession.csv")+"\ntarget:\n  dataset: reference.admin_unit_succession\n  mode: overwrite\non_error: fail\n"), 0o644))
	split := filepath.Join(dir, "split.yaml")
	require.NoError(t, os.WriteFile(split, []byte("pipelines_dir: "+pdir+"\nlog: {level: warn}\n"), 0o644))
	kho(t, "--config", split, "run", "--no-marts", "succession_split")
	kho(t, "--config", config, "marts", "build", "commune_today_map", "sector_agriculture")

	out := kho(t, "--config", config, "query", "--format", "json",
		"SELECT commune_code, CAST(year AS VARCHAR) AS year, crop_area_ha FROM marts.sector_agriculture")
	var after []struct {
		Commune string  `json:"commune_code"`
		Year    string  `json:"year"`
		Area    float64 `json:"crop_area_ha"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &after))
	was := map[[2]string]float64{}
	for _, x := range before {
		was[[2]string{x.Commune, x.Year}] = x.Area
	}
	sums := map[string][2]float64{}
	for _, x := range after {
		k := [2]string{x.Commune, x.Year}
		want := was[k]
		switch x.Commune {
		case "03980":
			want -= 0.6 * moved[x.Year]
		case "04078":
			want += 0.6 * moved[x.Year]
		}
		assert.InDelta(t, want, x.Area, 0.005, "%v after the split", k)
		s := sums[x.Year]
		sums[x.Year] = [2]float64{s[0] + x.Area, s[1] + was[k]}
	}
	for y, s := range sums {
		assert.InDelta(t, s[1], s[0], 0.01, "the province's total of %s is kept", y)
	}
}
