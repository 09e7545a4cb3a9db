package sampledata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/sonla-data/kho/schemas/units"
)

var healthSchema = []string{
	`CREATE TABLE co_so_y_te (
		ma_co_so TEXT PRIMARY KEY,
		ten_co_so TEXT,
		loai_hinh TEXT,
		ma_xa TEXT,
		so_giuong INTEGER,
		ngay_cap_nhat TEXT)`,
	`CREATE TABLE luot_kham (
		ma_luot_kham TEXT,
		ma_co_so TEXT,
		ngay_kham TEXT,
		ma_xa_cu_tru TEXT,
		ho_ten TEXT,
		so_cccd TEXT,
		so_dien_thoai TEXT,
		gioi_tinh TEXT,
		nam_sinh INTEGER,
		ma_benh_icd10 TEXT,
		chi_phi REAL,
		co_bhyt INTEGER,
		cap_nhat_luc TEXT)`,
	`CREATE TABLE nhan_luc (ma_co_so TEXT, nam INTEGER, bac_si INTEGER, dieu_duong INTEGER, ho_sinh INTEGER, duoc_si INTEGER, khac INTEGER)`,
	`CREATE TABLE trang_thiet_bi (ma_thiet_bi TEXT, ma_co_so TEXT, loai_thiet_bi TEXT, so_luong INTEGER, dang_hoat_dong INTEGER, nam_su_dung INTEGER)`,
	`CREATE TABLE co_so_duoc (ma_co_so_duoc TEXT, ten_co_so TEXT, loai_hinh TEXT, ma_xa TEXT, nguoi_phu_trach TEXT, so_chung_chi TEXT, ngay_cap TEXT, ngay_het_han TEXT)`,
}

// Kinds of clinic.
const (
	ClinicHospital = "Bệnh viện"
	ClinicCentre   = "Trung tâm y tế"
	ClinicStation  = "Trạm y tế"
	ClinicPrivate  = "Phòng khám đa khoa"
)

var icd10 = []string{"J06", "I10", "E11", "K29", "A09", "J18", "J20", "M54", "N39", "K59", "B34", "R50", "S52", "O80", "Z00", "H10", "L30"}
var icdWeights = []float64{20, 14, 8, 10, 6, 4, 8, 7, 4, 3, 5, 4, 2, 2, 6, 3, 3}

var privateNames = []string{"An Phúc", "Hồng Đức", "Tâm An", "Thành Công", "Việt Pháp", "Bình An", "Hòa Bình", "Tây Bắc"}

const timeLayout = "2006-01-02 15:04:05"
const dayLayout = "2006-01-02"

type clinic struct {
	code, commune string
	big           bool // a hospital or a centre, not a station or a private clinic
}

func genHealth(ctx context.Context, g *gen) (Source, error) {
	db, err := createDB(ctx, g.path("health.db"), healthSchema...)
	if err != nil {
		return Source{}, err
	}
	defer db.Close()
	r := g.rng("health")
	clinics, stations, it1, err := writeClinics(ctx, g, r, newInserter(db, `INSERT INTO co_so_y_te VALUES (?,?,?,?,?,?)`))
	if err != nil {
		return Source{}, err
	}
	it2, err := writeVisits(ctx, g, r, clinics, stations, newInserter(db, `INSERT INTO luot_kham VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`))
	if err != nil {
		return Source{}, err
	}
	items := []Item{it1, it2}
	for _, step := range []struct {
		t   *table
		run func(context.Context, *gen, []clinic, *table) error
	}{
		{sqliteTable(db, "health.db", "nhan_luc", "health.staff", 7, BadNegativeValue), writeStaff},
		{sqliteTable(db, "health.db", "trang_thiet_bi", "health.equipment", 6, BadCheckFailed), writeEquipment},
		{sqliteTable(db, "health.db", "co_so_duoc", "health.pharmacies", 8, BadCheckFailed, BadUnknownCommune), writePharmacies},
	} {
		if err := step.t.w.close(step.run(ctx, g, clinics, step.t)); err != nil {
			return Source{}, err
		}
		items = append(items, step.t.it)
	}
	if err := db.Close(); err != nil {
		return Source{}, fmt.Errorf("closing health.db: %w", err)
	}
	return Source{Items: items}, nil
}

func writeClinics(ctx context.Context, g *gen, r *rand.Rand, w *inserter) (clinics []clinic, stations map[string]string, it Item, err error) {
	defer func() { err = w.close(err) }()
	it = newItem("health.db", "co_so_y_te")
	it.Dataset = "health.clinics"
	stations = map[string]string{}
	add := func(name, kind string, c commune, beds int) error {
		code := fmt.Sprintf("14%04d", len(clinics)+1)
		upd := dayIn(r, units.Reform, date(2025, 12, 31)).Add(time.Duration(between(r, 7*3600, 17*3600)) * time.Second)
		clinics = append(clinics, clinic{code, c.Code, kind == ClinicHospital || kind == ClinicCentre})
		it.Rows++
		return w.add(ctx, code, name, kind, c.Code, beds, upd.Format(timeLayout))
	}
	today := g.geo.today().communes
	for _, c := range today {
		stations[c.Code] = fmt.Sprintf("14%04d", len(clinics)+1)
		if err = add("Trạm Y tế "+lowerType(c), ClinicStation, c, between(r, 3, 10)); err != nil {
			return
		}
	}
	hospitalSeat := today[0] // Phường Tô Hiệu, the provincial capital
	if err = add("Bệnh viện Đa khoa tỉnh Sơn La", ClinicHospital, hospitalSeat, 800); err != nil {
		return
	}
	for i := 1; i < 10*g.opt.Scale; i++ {
		c := pick(r, today)
		switch i % 5 {
		case 0:
			err = add("Bệnh viện Đa khoa khu vực "+c.Bare, ClinicHospital, c, between(r, 100, 500))
		case 1, 3:
			err = add("Trung tâm Y tế khu vực "+c.Bare, ClinicCentre, c, between(r, 30, 250))
		default:
			err = add(fmt.Sprintf("Phòng khám đa khoa %s %s", pick(r, privateNames), c.Bare), ClinicPrivate, c, between(r, 0, 20))
		}
		if err != nil {
			return
		}
	}
	return
}

func writeVisits(ctx context.Context, g *gen, r *rand.Rand, clinics []clinic, stations map[string]string, w *inserter) (it Item, err error) {
	defer func() { err = w.close(err) }()
	it = newItem("health.db", "luot_kham", BadMissingKey, BadInvalidDate, BadUnknownCommune, BadNegativeValue)
	it.Dataset = "health.visits"
	pl := newPlanter(g.rng("health/bad"), 67, BadMissingKey, BadInvalidDate, BadUnknownCommune, BadNegativeValue)
	from, to := date(2024, 1, 1), date(2025, 12, 31)
	n := 10000 * g.opt.Scale
	for i := range n {
		if i%batchSize == 0 {
			if err = ctx.Err(); err != nil {
				return
			}
		}
		bad := pl.step()
		day := dayIn(r, from, to)
		c := pick(r, g.geo.at(day).communes)
		cl := pick(r, clinics).code
		if st, ok := stations[g.geo.newCode(day, c.Code)]; ok && chance(r, 0.6) {
			cl = st
		}
		p := newPerson(r, 1935, 2024)
		cost := float64(between(r, 50, 5000)) * 1000
		if chance(r, 0.7) {
			cost = float64(between(r, 50, 800)) * 1000
		}
		insured := 0
		if chance(r, 0.88) {
			insured = 1
		}
		upd := day.Add(time.Duration(between(r, 7*3600, 40*3600)) * time.Second)
		key := any(fmt.Sprintf("LK%09d", i+1))
		dayText := day.Format(dayLayout)
		code := c.Code
		switch bad {
		case BadMissingKey:
			if i%2 == 0 {
				key = nil
			} else {
				key = ""
			}
		case BadInvalidDate:
			dayText = pick(r, []string{"2025-02-30", "2025-13-05", "2024-02-31", "2024-04-31"})
		case BadUnknownCommune:
			code = UnknownCommuneCode
		case BadNegativeValue:
			cost = -cost
		}
		if bad != "" {
			it.Bad[bad]++
		}
		it.Rows++
		if err = w.add(ctx, key, cl, dayText, code, p.Name, p.CCCD, p.Phone, p.Gender, p.BirthYear,
			icd10[weighted(r, icdWeights)], cost, insured, upd.Format(timeLayout)); err != nil {
			return
		}
	}
	return
}
