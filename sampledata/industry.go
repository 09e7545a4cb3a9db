package sampledata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// IndustryFile is the department of industry and trade's database.
const IndustryFile = "industry_trade.db"

var industrySchema = []string{
	`CREATE TABLE dien_thuong_pham (ma_bao_cao TEXT, ma_xa TEXT, thang TEXT, tong_so_ho INTEGER, so_ho_co_dien INTEGER, dien_thuong_pham_mwh REAL)`,
	`CREATE TABLE san_xuat_cong_nghiep (ma_bao_cao TEXT, ma_so_thue TEXT, ten_doanh_nghiep TEXT, ma_xa TEXT, thang TEXT, san_pham TEXT, don_vi_tinh TEXT, san_luong REAL, gia_tri_ty_dong REAL)`,
	`CREATE TABLE cho (ma_cho TEXT, ten_cho TEXT, xa_phuong TEXT, hang_cho INTEGER, so_diem_kinh_doanh INTEGER, dien_tich_m2 REAL, don_vi_quan_ly TEXT, nam_hoat_dong INTEGER)`,
	`CREATE TABLE kho_bai_logistics (ma_co_so TEXT, ten_co_so TEXT, loai_hinh TEXT, ma_xa TEXT, suc_chua_tan REAL, dien_tich_m2 REAL, don_vi_khai_thac TEXT, ngay_hoat_dong TEXT)`,
}

// product is a main industrial product with its unit, a monthly range per
// enterprise and a value per unit (billion VND).
type product struct {
	name, unit string
	lo, hi     int
	value      float64
}

var products = []product{
	{"Điện sản xuất", "triệu kWh", 20, 900, 0.0011},
	{"Xi măng", "tấn", 2000, 40000, 0.0012},
	{"Đường kính", "tấn", 500, 9000, 0.017},
	{"Chè chế biến", "tấn", 20, 400, 0.06},
	{"Sữa tươi", "nghìn lít", 500, 12000, 0.018},
	{"Tinh bột sắn", "tấn", 300, 6000, 0.011},
	{"Cà phê nhân", "tấn", 50, 1500, 0.085},
}

var enterpriseStems = []string{"Thủy điện", "Xi măng", "Mía đường", "Chè", "Sữa", "Tinh bột sắn", "Cà phê"}

func genIndustry(ctx context.Context, g *gen) (Source, error) {
	db, err := createDB(ctx, g.path(IndustryFile), industrySchema...)
	if err != nil {
		return Source{}, err
	}
	defer db.Close()
	var items []Item
	for _, step := range []func(context.Context, *gen, *table) error{writeElectricity, writeIndustrialOutput, writeMarkets, writeLogistics} {
		var t *table
		switch len(items) {
		case 0:
			t = sqliteTable(db, IndustryFile, "dien_thuong_pham", "industry_trade.electricity", 6, BadCheckFailed, BadUnknownCommune)
		case 1:
			t = sqliteTable(db, IndustryFile, "san_xuat_cong_nghiep", "industry_trade.industrial_output", 9, BadNegativeValue, BadMissingKey)
		case 2:
			t = sqliteTable(db, IndustryFile, "cho", "industry_trade.markets", 8, BadUnknownCommune)
		default:
			t = sqliteTable(db, IndustryFile, "kho_bai_logistics", "industry_trade.logistics_facilities", 8, BadMissingKey, BadBadValue)
		}
		err := step(ctx, g, t)
		if err = t.w.close(err); err != nil {
			return Source{}, err
		}
		items = append(items, t.it)
	}
	if err := db.Close(); err != nil {
		return Source{}, fmt.Errorf("closing %s: %w", IndustryFile, err)
	}
	return Source{Items: items}, nil
}

// households of an old commune, scaled like the other sizes.
func writeElectricity(ctx context.Context, g *gen, t *table) error {
	r := g.rng("industry/electricity")
	pl := newPlanter(g.rng("industry/electricity/bad"), 67, BadCheckFailed, BadUnknownCommune)
	hh := map[string]int{}
	seq := 0
	for _, year := range []int{2024, 2025} {
		for m := time.January; m <= time.December; m++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			p := g.geo.at(date(year, m, 1))
			k := size(p)
			for _, c := range p.communes {
				for part := range g.opt.Scale {
					seq++
					key := fmt.Sprintf("%s-%d", c.Code, part)
					if hh[key] == 0 || m == time.January || m == time.July && year == 2025 || m == time.January && year == 2025 {
						hh[key] = int(float64(between(r, 900, 2600)) * k / float64(g.opt.Scale))
					}
					total := hh[key] + r.IntN(5)
					powered := int(float64(total) * (0.88 + r.Float64()*0.12))
					mwh := round2(float64(powered) * (0.08 + r.Float64()*0.12))
					code := c.Code
					bad := pl.step()
					switch bad {
					case BadCheckFailed:
						powered = total + between(r, 1, 50)
					case BadUnknownCommune:
						code = UnknownCommuneCode
					}
					if err := t.row(ctx, bad, fmt.Sprintf("DTP%07d", seq), code, date(year, m, 1).Format(dayLayout), total, powered, mwh); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// enterprise is a reporting enterprise.
type enterprise struct {
	tax, name, commune string
	product            int
}

func enterprises(g *gen, r *rand.Rand, n int) []enterprise {
	today := g.geo.today().communes
	out := make([]enterprise, n)
	for i := range out {
		c := pick(r, today)
		pi := i % len(products)
		tax := fmt.Sprintf("55%08d", 100000+r.IntN(99000000))
		if chance(r, 0.2) {
			tax += fmt.Sprintf("-%03d", between(r, 1, 20))
		}
		out[i] = enterprise{tax: tax, commune: c.Code, product: pi,
			name: fmt.Sprintf("Công ty %s %s %s", pick(r, []string{"CP", "TNHH", "TNHH MTV"}), enterpriseStems[pi], c.Bare)}
	}
	return out
}

func writeIndustrialOutput(ctx context.Context, g *gen, t *table) error {
	r := g.rng("industry/output")
	pl := newPlanter(g.rng("industry/output/bad"), 67, BadNegativeValue, BadMissingKey)
	ents := enterprises(g, r, 25*g.opt.Scale)
	seq := 0
	for _, year := range []int{2024, 2025} {
		for m := time.January; m <= time.December; m++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			day := date(year, m, 1)
			for _, e := range ents {
				seq++
				pr := products[e.product]
				qty := float64(between(r, pr.lo, pr.hi))
				value := round2(qty * pr.value * (0.9 + r.Float64()*0.2))
				// before the reform the enterprise sat in the old commune that its commune took in
				code := e.commune
				if day.Before(g.geo.reformDay()) {
					code = g.geo.oldCommuneOf(e.commune, day)
				}
				var key any = fmt.Sprintf("SXCN%07d", seq)
				bad := pl.step()
				switch bad {
				case BadNegativeValue:
					qty = -qty
				case BadMissingKey:
					key = nil
				}
				if err := t.row(ctx, bad, key, e.tax, e.name, code, day.Format(dayLayout), pr.name, pr.unit, qty, value); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

var marketPlaces = []string{"trung tâm", "bản", "cửa khẩu", "nông sản", "đầu mối", "phiên"}

func writeMarkets(ctx context.Context, g *gen, t *table) error {
	r := g.rng("industry/markets")
	pl := newPlanter(g.rng("industry/markets/bad"), 40, BadUnknownCommune)
	today := g.geo.today().communes
	n := 0
	for _, c := range today {
		for range between(r, 1, 3) * g.opt.Scale {
			n++
			name := fmt.Sprintf("Chợ %s %s", pick(r, marketPlaces), c.Bare)
			written := name
			mb := false
			if chance(r, 0.1) {
				written, mb = mojibake(name)
			}
			class := 3
			if chance(r, 0.15) {
				class = 2
			}
			if c.Type == "Phường" && chance(r, 0.3) {
				class = 1
			}
			stalls := between(r, 20, 200) * (4 - class)
			place := pick(r, nameVariants(c))
			bad := pl.step()
			if bad == BadUnknownCommune {
				place = UnknownCommuneName
			} else if mb {
				t.it.Mojibake++
			}
			if err := t.row(ctx, bad, fmt.Sprintf("CHO%04d", n), written, place, class, stalls,
				float64(stalls*between(r, 8, 20)), "Ban quản lý chợ "+lowerType(c), between(r, 1975, 2024)); err != nil {
				return err
			}
		}
	}
	return nil
}

var facilityTypes = []string{"Kho lạnh", "Kho thường", "Trung tâm logistics", "Điểm tập kết nông sản"}

func writeLogistics(ctx context.Context, g *gen, t *table) error {
	r := g.rng("industry/logistics")
	pl := newPlanter(g.rng("industry/logistics/bad"), 20, BadMissingKey, BadBadValue)
	today := g.geo.today().communes
	for i := range 40 * g.opt.Scale {
		c := pick(r, today)
		kind := pick(r, facilityTypes)
		var key any = fmt.Sprintf("LOG%04d", i+1)
		bad := pl.step()
		switch bad {
		case BadMissingKey:
			key = ""
		case BadBadValue:
			kind = "Kho ngoại quan"
		}
		capacity := float64(between(r, 50, 5000))
		opened := dayIn(r, date(2010, 1, 1), date(2025, 12, 1))
		if err := t.row(ctx, bad, key, fmt.Sprintf("%s %s %s", kind, pick(r, []string{"nông sản", "quả", "rau"}), c.Bare), kind, c.Code,
			capacity, capacity*float64(between(r, 2, 5)), fmt.Sprintf("Công ty TNHH Logistics %s", c.Bare), opened.Format(dayLayout)); err != nil {
			return err
		}
	}
	return nil
}
