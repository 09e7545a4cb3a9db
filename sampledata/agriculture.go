package sampledata

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

var agricultureSchema = []string{
	`CREATE TABLE trong_trot (
		ma_bao_cao TEXT,
		ma_xa TEXT,
		vu TEXT,
		nam INTEGER,
		cay_trong TEXT,
		dien_tich_ha REAL,
		san_luong_tan REAL,
		ngay_bao_cao TEXT)`,
	`CREATE TABLE chan_nuoi (
		ma_bao_cao TEXT,
		ma_xa TEXT,
		ky_bao_cao TEXT,
		vat_nuoi TEXT,
		so_con INTEGER,
		ngay_bao_cao TEXT)`,
	`CREATE TABLE dat_dai (ma_bao_cao TEXT, ma_xa TEXT, nam INTEGER, loai_dat TEXT, dien_tich_ha REAL, ngay_kiem_ke TEXT)`,
	`CREATE TABLE thuy_san (ma_bao_cao TEXT, ma_xa TEXT, quy TEXT, loai_nuoi TEXT, hinh_thuc_nuoi TEXT, dien_tich_ha REAL, so_long INTEGER, san_luong_tan REAL, ngay_bao_cao TEXT)`,
}

// season is a crop season and the window in which it is reported.
type season struct {
	name              string
	month, fromDay, n int // report days: fromDay .. fromDay+n-1 of month
}

var seasons = []season{
	{"Đông Xuân", 5, 5, 25},
	{"Hè Thu", 8, 10, 20},
	{"Vụ Mùa", 11, 5, 25},
}

// crop with its yield range in tonnes per hectare.
type crop struct {
	name      string
	lo, hi    float64
	maxHa     int
	perennial bool
}

var crops = []crop{
	{"Lúa", 4, 6.5, 400, false},
	{"Ngô", 3.5, 5.5, 600, false},
	{"Sắn", 14, 20, 300, false},
	{"Cà phê", 1.5, 3, 250, true},
	{"Mận", 8, 13, 200, true},
	{"Xoài", 6, 10, 150, true},
	{"Nhãn", 5, 9, 200, true},
}

// livestock with its head-count range for an old commune.
type livestock struct {
	name   string
	lo, hi int
}

var animals = []livestock{
	{"Trâu", 80, 1500},
	{"Bò", 100, 3000},
	{"Lợn", 500, 9000},
	{"Dê", 30, 1500},
	{"Gia cầm", 2000, 45000},
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func genAgriculture(ctx context.Context, g *gen) (Source, error) {
	db, err := createDB(ctx, g.path("agriculture.db"), agricultureSchema...)
	if err != nil {
		return Source{}, err
	}
	defer db.Close()
	r := g.rng("agriculture")
	it1, err := writeCrops(ctx, g, r, newInserter(db, `INSERT INTO trong_trot VALUES (?,?,?,?,?,?,?,?)`))
	if err != nil {
		return Source{}, err
	}
	it2, err := writeLivestock(ctx, g, r, newInserter(db, `INSERT INTO chan_nuoi VALUES (?,?,?,?,?,?)`))
	if err != nil {
		return Source{}, err
	}
	t3 := sqliteTable(db, "agriculture.db", "dat_dai", "agriculture.land_use", 6, BadNegativeValue)
	if err := t3.w.close(writeLandUse(ctx, g, t3)); err != nil {
		return Source{}, err
	}
	t4 := sqliteTable(db, "agriculture.db", "thuy_san", "agriculture.aquaculture", 9, BadCheckFailed, BadUnknownCommune)
	if err := t4.w.close(writeAquaculture(ctx, g, t4)); err != nil {
		return Source{}, err
	}
	if err := db.Close(); err != nil {
		return Source{}, fmt.Errorf("closing agriculture.db: %w", err)
	}
	return Source{Items: []Item{it1, it2, t3.it, t4.it}}, nil
}

// size is how much bigger a commune of a period is than an old commune.
func size(p *period) float64 { return 204 / float64(len(p.communes)) }

func writeCrops(ctx context.Context, g *gen, r *rand.Rand, w *inserter) (it Item, err error) {
	defer func() { err = w.close(err) }()
	it = newItem("agriculture.db", "trong_trot", BadNegativeValue, BadUnknownCommune)
	it.Dataset = "agriculture.crop_reports"
	pl := newPlanter(g.rng("agriculture/crops/bad"), 67, BadNegativeValue, BadUnknownCommune)
	seq := 0
	for _, year := range []int{2024, 2025} {
		for _, s := range seasons {
			if err = ctx.Err(); err != nil {
				return
			}
			p := g.geo.at(date(year, time.Month(s.month), 1))
			k := size(p)
			for _, c := range p.communes {
				// each commune grows three to five of the crops
				grown := r.Perm(len(crops))[:between(r, 3, 5)]
				slices.Sort(grown)
				for _, ci := range grown {
					cr := crops[ci]
					for range g.opt.Scale {
						seq++
						day := date(year, time.Month(s.month), s.fromDay+r.IntN(s.n))
						ha := round2((0.5 + r.Float64()*float64(cr.maxHa)) * k / float64(g.opt.Scale))
						if ha < 0.1 {
							ha = 0.1
						}
						tonnes := round2(ha * (cr.lo + r.Float64()*(cr.hi-cr.lo)))
						if cr.perennial && s.name != "Hè Thu" {
							tonnes = round2(tonnes * 0.3)
						}
						code := c.Code
						bad := pl.step()
						switch bad {
						case BadNegativeValue:
							ha = -ha
						case BadUnknownCommune:
							code = UnknownCommuneCode
						}
						if bad != "" {
							it.Bad[bad]++
						}
						it.Rows++
						if err = w.add(ctx, fmt.Sprintf("TT%08d", seq), code, s.name, year, cr.name, ha, tonnes, day.Format(dayLayout)); err != nil {
							return
						}
					}
				}
			}
		}
	}
	return
}

func writeLivestock(ctx context.Context, g *gen, r *rand.Rand, w *inserter) (it Item, err error) {
	defer func() { err = w.close(err) }()
	it = newItem("agriculture.db", "chan_nuoi", BadMissingKey)
	it.Dataset = "agriculture.livestock_reports"
	pl := newPlanter(g.rng("agriculture/livestock/bad"), 67, BadMissingKey)
	seq := 0
	for _, year := range []int{2024, 2025} {
		for m := time.January; m <= time.December; m++ {
			if err = ctx.Err(); err != nil {
				return
			}
			p := g.geo.at(date(year, m, 1))
			k := size(p)
			period := fmt.Sprintf("%04d-%02d", year, int(m))
			for _, c := range p.communes {
				day := date(year, m, between(r, 20, 28)).Format(dayLayout)
				for _, a := range animals {
					seq++
					var key any = fmt.Sprintf("CN%08d", seq)
					if bad := pl.step(); bad != "" {
						it.Bad[bad]++
						if seq%2 == 0 {
							key = nil
						} else {
							key = ""
						}
					}
					heads := int(float64(between(r, a.lo, a.hi)) * k)
					it.Rows++
					if err = w.add(ctx, key, c.Code, period, a.name, heads, day); err != nil {
						return
					}
				}
			}
		}
	}
	return
}
