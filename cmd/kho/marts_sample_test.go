package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sonla-data/kho/sampledata"
)

// This file reads the generated sample province on its own — the dossier
// JSON files, the agencies' CSV, the manifest, and the seed facts of the
// administrative reform — to compute the leadership marts' figures
// independently of the pipelines, the lake and the marts' SQL.

// dossierFacts is one valid dossier as the marts count it.
type dossierFacts struct {
	agency, procedure, month, received   string // month yyyy-mm-01, received yyyy-mm-dd
	completed, onTime, online, digitised bool
	reused, paid                         bool
}

// counts are the KPI counts of a group of dossiers (weighted for communes).
type counts struct {
	received, completed, onTime, online, digitised, reused, paid float64
}

func (c *counts) add(d dossierFacts, w float64) {
	c.received += w
	flag := func(b bool) float64 {
		if b {
			return w
		}
		return 0
	}
	c.completed += flag(d.completed)
	c.onTime += flag(d.onTime)
	c.online += flag(d.online)
	c.digitised += flag(d.digitised)
	c.reused += flag(d.reused)
	c.paid += flag(d.paid)
}

// sampleDossiers reads every dossier of the sample's JSON files that the
// warehouse keeps (not a planted bad row): a key of agency-date-number, a
// calendar date of receipt, a due date not before it.
func sampleDossiers(t *testing.T, dir string) []dossierFacts {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "dossiers", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	type doc struct{ IsDeleted, DuocTaiSuDung, DuocLayTuKhoDMQG any }
	type dossier struct {
		MaHoSo, MaTTHC, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy string
		KenhThucHien, TrangThaiHoSo, HoSoCoThanhPhanSoHoa         any
		DuocThanhToanTrucTuyen                                    any
		TaiLieuNop                                                []doc
	}
	str := func(v any) string {
		switch v := v.(type) {
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		case string:
			return v
		case bool:
			if v {
				return "1"
			}
			return "0"
		}
		return ""
	}
	var out []dossierFacts
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		var req struct{ Data []dossier }
		require.NoError(t, json.Unmarshal(b, &req))
		for _, d := range req.Data {
			parts := strings.Split(d.MaHoSo, "-")
			if d.MaHoSo == "" || len(parts) < 3 || !validStamp(d.NgayTiepNhan) || (d.NgayHenTra != "" && d.NgayHenTra < d.NgayTiepNhan) {
				continue
			}
			status := str(d.TrangThaiHoSo)
			x := dossierFacts{
				agency:    strings.Join(parts[:len(parts)-2], "-"),
				procedure: d.MaTTHC,
				month:     d.NgayTiepNhan[:4] + "-" + d.NgayTiepNhan[4:6] + "-01",
				received:  d.NgayTiepNhan[:4] + "-" + d.NgayTiepNhan[4:6] + "-" + d.NgayTiepNhan[6:8],
				completed: (status == "9" || status == "10") && d.NgayKetThucXuLy != "",
				online:    str(d.KenhThucHien) == "2",
				digitised: str(d.HoSoCoThanhPhanSoHoa) == "1",
				paid:      str(d.DuocThanhToanTrucTuyen) == "1" || str(d.DuocThanhToanTrucTuyen) == "2",
			}
			x.onTime = x.completed && d.NgayKetThucXuLy <= d.NgayHenTra
			for _, doc := range d.TaiLieuNop {
				if str(doc.IsDeleted) != "1" && (str(doc.DuocTaiSuDung) == "1" || str(doc.DuocLayTuKhoDMQG) == "1") {
					x.reused = true
					break
				}
			}
			out = append(out, x)
		}
	}
	return out
}

// readCSV reads a CSV file with a header into maps.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, recs, path)
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[strings.TrimPrefix(h, "\ufeff")] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// reform holds the seed facts of the reform of 01/07/2025, read from
// schemas/units/seed: today's communes, and where each older commune went.
type reform struct {
	today     map[string]string // code -> name, the 75 communes of today
	july, jan map[string]string // old code -> new code, at 01/07/2025 and at 01/01/2025
	agencies  map[string]agency // from the sample's reference/co_quan.csv
}

type agency struct{ level, commune, validTo string }

func readReform(t *testing.T, sample string) *reform {
	seed := filepath.Join("..", "..", "schemas", "units", "seed")
	r := &reform{today: map[string]string{}, july: map[string]string{}, jan: map[string]string{}, agencies: map[string]agency{}}
	for _, c := range readCSV(t, filepath.Join(seed, "communes_2025-07-01.csv")) {
		r.today[c["ma_so"]] = c["ten_don_vi"]
	}
	for _, s := range readCSV(t, filepath.Join(seed, "succession_2025-07-01.csv")) {
		r.july[s["old_code"]] = s["new_code"]
	}
	for _, s := range readCSV(t, filepath.Join(seed, "succession_2025-01-01.csv")) {
		r.jan[s["old_code"]] = s["new_code"]
	}
	for _, a := range readCSV(t, filepath.Join(sample, "reference", "co_quan.csv")) {
		r.agencies[a["ma_co_quan"]] = agency{level: a["cap"], commune: a["ma_xa"], validTo: a["hieu_luc_den"]}
	}
	require.Len(t, r.today, 75)
	return r
}

// communeToday is the commune of today that a commune agency's dossier
// counts for: the agency's own commune when the agency is one of today's,
// else where its commune went at the reform (through the changes of
// 01/01/2025 when it was gone by then). Every Sơn La commune went whole.
func (r *reform) communeToday(t *testing.T, a agency) string {
	code := a.commune
	if a.validTo != "" {
		if mid, ok := r.jan[code]; ok {
			code = mid
		}
		next, ok := r.july[code]
		require.True(t, ok, "commune %s of an agency valid to %s went nowhere", a.commune, a.validTo)
		code = next
	}
	_, ok := r.today[code]
	require.True(t, ok, "%s is not a commune of today", code)
	return code
}

// manifestByDataset sums the manifest's rows and planted bad rows by the
// dataset each item feeds.
func manifestByDataset(t *testing.T, sample string) (rows, bad map[string]int) {
	b, err := os.ReadFile(filepath.Join(sample, sampledata.ManifestFile))
	require.NoError(t, err)
	var m sampledata.Manifest
	require.NoError(t, json.Unmarshal(b, &m))
	rows, bad = map[string]int{}, map[string]int{}
	for _, s := range m.Sources {
		for _, it := range s.Items {
			if it.Dataset != "" {
				rows[it.Dataset] += it.Rows
				bad[it.Dataset] += it.BadRows()
			}
		}
	}
	require.NotEmpty(t, rows)
	return rows, bad
}
