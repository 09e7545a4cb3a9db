package sampledata

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var reMaHoSo = regexp.MustCompile(`^(\d{3}\.[0-9.]+\.H56)-(\d{6})-(\d{4,})$`)

type agencyRow struct {
	name, level, commune string
	from, to             time.Time
}

func readAgencies(t *testing.T, dir string) map[string]agencyRow {
	f, err := os.Open(filepath.Join(dir, AgencyFile))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, AgencyHeader, recs[0])
	out := map[string]agencyRow{}
	day := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		d, err := time.ParseInLocation(dayLayout, s, ict)
		require.NoError(t, err)
		return d
	}
	for _, r := range recs[1:] {
		_, dup := out[r[0]]
		require.False(t, dup, "agency %s listed once", r[0])
		out[r[0]] = agencyRow{r[1], r[2], r[3], day(r[4]), day(r[5])}
	}
	return out
}

// monthRates are the shares a dashboard computes for one month.
type monthRates struct{ n, digitised, online, reused, paid, finished, late float64 }

func checkDossiers(t *testing.T, dir string, m *Manifest) {
	v := newValidity()
	agencies := readAgencies(t, dir)
	it, _ := m.Item(SourceDossiers, AgencyFile, "")
	assert.Equal(t, len(agencies), it.Rows)
	keys := map[string]bool{}
	var rates [13]monthRates
	total := 0
	for month := 1; month <= 12; month++ {
		name := DossierFile(month)
		b, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		var req DossierRequest
		require.NoError(t, json.Unmarshal(b, &req), name)
		assert.Equal(t, "DongBoHoSoMC", req.Service)
		assert.False(t, req.IsUpdating)
		c := newCounter(t)
		rt := &rates[month]
		for i, x := range req.Data {
			where := fmt.Sprintf("%s dossier %d", name, i)
			var defects []string
			// digitised flag agrees with the documents, on every dossier
			anyDigit, anyReuse := 0, false
			require.NotEmpty(t, x.TaiLieuNop, where)
			for _, d := range x.TaiLieuNop {
				if d.DuocSoHoa == 1 {
					anyDigit = 1
				}
				if d.DuocTaiSuDung == 1 || d.DuocLayTuKhoDMQG == 1 {
					anyReuse = true
				}
				for _, flag := range []int{d.DuocSoHoa, d.DuocTaiSuDung, d.DuocLayTuKhoDMQG} {
					assert.Contains(t, []int{0, 1}, flag)
				}
			}
			assert.Equal(t, anyDigit, x.HoSoCoThanhPhanSoHoa, "%s: HoSoCoThanhPhanSoHoa", where)

			received, errRecv := time.ParseInLocation(DossierTimeLayout, x.NgayTiepNhan, ict)
			due, errDue := time.ParseInLocation(DossierTimeLayout, x.NgayHenTra, ict)
			require.NoError(t, errDue, where)
			if errRecv != nil {
				defects = append(defects, BadInvalidDate)
				assert.Equal(t, fmt.Sprintf("2025%02d", month), x.NgayTiepNhan[:6], where)
			} else {
				assert.Equal(t, month, int(received.Month()), where)
				if due.Before(received) {
					defects = append(defects, BadDueBeforeReceived)
				}
			}
			if x.MaHoSo == "" {
				defects = append(defects, BadMissingKey)
			} else {
				assert.False(t, keys[x.MaHoSo], "%s: duplicate %s", where, x.MaHoSo)
				keys[x.MaHoSo] = true
				parts := reMaHoSo.FindStringSubmatch(x.MaHoSo)
				require.NotNil(t, parts, "%s: MaHoSo %q", where, x.MaHoSo)
				a, ok := agencies[parts[1]]
				require.True(t, ok, "%s: agency %s listed", where, parts[1])
				assert.Equal(t, a.name, x.DonViXuLy, where)
				if errRecv == nil {
					assert.Equal(t, received.Format("060102"), parts[2], where)
					assert.True(t, (a.from.IsZero() || !received.Before(a.from)) && (a.to.IsZero() || received.Before(a.to)),
						"%s: agency %s valid at %s", where, parts[1], x.NgayTiepNhan)
					if a.level == LevelCommune {
						assert.True(t, v.validAt(a.commune, received), "%s: commune %s valid", where, a.commune)
					}
				}
			}
			submitted, err := time.ParseInLocation(DossierTimeLayout, x.NgayNopHoSo, ict)
			require.NoError(t, err, where)
			if errRecv == nil {
				assert.False(t, submitted.After(received), where)
			}
			assert.Contains(t, []string{"1", "2", "3"}, x.KenhThucHien)
			assert.Contains(t, []int{0, 1, 2}, x.DuocThanhToanTrucTuyen)
			assert.NotEmpty(t, x.DinhDanhCHS, where)
			switch x.TrangThaiHoSo {
			case "9", "10":
				end, err := time.ParseInLocation(DossierTimeLayout, x.NgayKetThucXuLy, ict)
				require.NoError(t, err, where)
				assert.NotEmpty(t, x.DanhSachGiayToKetQua, where)
				if errRecv == nil {
					assert.False(t, end.Before(received), where)
				}
				if x.TrangThaiHoSo == "10" {
					ret, err := time.ParseInLocation(DossierTimeLayout, x.NgayTra, ict)
					require.NoError(t, err, where)
					assert.False(t, ret.Before(end), where)
				} else {
					assert.Empty(t, x.NgayTra, where)
				}
				rt.finished++
				if end.After(due) && len(defects) == 0 {
					rt.late++
				}
			case "2", "4", "5":
				assert.Empty(t, x.NgayKetThucXuLy, where)
				assert.Empty(t, x.NgayTra, where)
				assert.Empty(t, x.DanhSachGiayToKetQua, where)
			default:
				t.Errorf("%s: status %q", where, x.TrangThaiHoSo)
			}
			rt.n++
			rt.digitised += float64(x.HoSoCoThanhPhanSoHoa)
			if x.KenhThucHien == "2" {
				rt.online++
			}
			if anyReuse {
				rt.reused++
			}
			if x.DuocThanhToanTrucTuyen != 0 {
				rt.paid++
			}
			c.row(where, defects...)
		}
		it, ok := m.Item(SourceDossiers, name, "")
		c.equal(it, ok)
		assert.Equal(t, len(req.Data), it.Rows)
		total += len(req.Data)
	}
	assert.Equal(t, 10000*m.Scale, total)

	share := func(m int, x float64) float64 { return x / rates[m].n }
	assert.InDelta(t, 0.55, share(1, rates[1].digitised), 0.06, "digitised in January")
	assert.InDelta(t, 0.88, share(12, rates[12].digitised), 0.06, "digitised in December")
	for mo := 1; mo <= 12; mo++ {
		r := rates[mo]
		assert.True(t, share(mo, r.online) > 0.33 && share(mo, r.online) < 0.67, "online share of month %d: %.2f", mo, share(mo, r.online))
		assert.True(t, share(mo, r.reused) > 0.14 && share(mo, r.reused) < 0.46, "reused share of month %d: %.2f", mo, share(mo, r.reused))
		assert.InDelta(t, 0.30, share(mo, r.paid), 0.07, "paid online, month %d", mo)
		if mo < 12 { // December's last dossiers are still open at the snapshot
			assert.InDelta(t, 0.85, share(mo, r.finished), 0.07, "finished, month %d", mo)
		}
		assert.InDelta(t, 0.10, r.late/r.finished, 0.06, "late among finished, month %d", mo)
	}
}
