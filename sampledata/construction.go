package sampledata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Construction drops: plans and building permits as CSV, the monthly price
// list as a workbook.
const (
	PlanningFile = "construction/quy_hoach.csv"
	PricesFile   = "construction/don_gia_vat_lieu.xlsx"
)

// PermitsFile is the building-permit register of one year.
func PermitsFile(year int) string { return fmt.Sprintf("construction/giay_phep/gpxd_%d.csv", year) }

// Headers of the construction drops.
var (
	PlanningHeader = []string{"Mã đồ án", "Tên đồ án", "Loại quy hoạch", "Địa bàn", "Diện tích (ha)", "Quy mô dân số", "Ngày phê duyệt", "Số quyết định", "Tình trạng"}
	PermitsHeader  = []string{"Số giấy phép", "Xã/phường", "Ngày cấp", "Loại công trình", "Số tầng", "Tổng diện tích sàn (m2)", "Chủ đầu tư", "Dự toán (triệu đồng)"}
	PricesHeader   = []string{"Mã vật liệu", "Tên vật liệu", "Đơn vị tính", "Tháng công bố", "Đơn giá (đồng)"}
)

type material struct {
	code, name, unit string
	price            int
}

var priceList = []material{
	{"XM01", "Xi măng PCB30 Mai Sơn", "tấn", 1350000}, {"XM02", "Xi măng PCB40 Mai Sơn", "tấn", 1480000},
	{"TH01", "Thép cuộn phi 6-8", "kg", 15600}, {"TH02", "Thép thanh vằn phi 10", "kg", 15900},
	{"CA01", "Cát xây", "m3", 260000}, {"CA02", "Cát bê tông", "m3", 310000},
	{"DA01", "Đá dăm 1x2", "m3", 285000}, {"DA02", "Đá hộc", "m3", 190000},
	{"GA01", "Gạch chỉ đặc 6,5x10,5x22", "viên", 1450}, {"GA02", "Gạch không nung 10x15x22", "viên", 1800},
	{"NH01", "Nhựa đường 60/70", "tấn", 17500000}, {"GO01", "Gỗ cốp pha", "m3", 4200000},
	{"SO01", "Sơn nước nội thất", "lít", 58000}, {"TO01", "Tôn lợp mạ màu 0,4mm", "m2", 98000},
	{"ON01", "Ống nhựa PVC phi 90", "m", 62000}, {"DI01", "Dây điện 2x2,5mm2", "m", 16500},
}

func genConstruction(ctx context.Context, g *gen) (Source, error) {
	r := g.rng("construction")
	var src Source
	it, err := writePlanning(ctx, g, r)
	if err != nil {
		return Source{}, err
	}
	src.Items = append(src.Items, it)
	for _, year := range []int{2024, 2025} {
		it, err := writePermits(ctx, g, r, year)
		if err != nil {
			return Source{}, err
		}
		src.Items = append(src.Items, it)
	}
	it, err = writePrices(ctx, g, r)
	if err != nil {
		return Source{}, err
	}
	src.Items = append(src.Items, it)
	return src, nil
}

var planTypes = []string{"Quy hoạch chung", "Quy hoạch phân khu", "Quy hoạch chi tiết", "Quy hoạch nông thôn mới"}

func writePlanning(ctx context.Context, g *gen, r *rand.Rand) (Item, error) {
	w, err := newCSVFile(g, PlanningFile, "utf-8", ',', PlanningHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(PlanningFile, "", BadInvalidDate), w: w}
	t.it.Dataset = "construction.planning"
	pl := newPlanter(g.rng("construction/planning/bad"), 50, BadInvalidDate)
	err = func() error {
		for i := range 120 * g.opt.Scale {
			day := dayIn(r, date(2024, 1, 1), date(2025, 12, 31))
			c := pick(r, g.geo.at(day).communes)
			kind := pick(r, planTypes)
			approved := day.Format("02/01/2006")
			bad := pl.step()
			if bad == BadInvalidDate {
				approved = pick(r, []string{"30/02/2025", "31/04/2024", "15/13/2025"})
			}
			place := c.Code
			if c.Nameable {
				place = pick(r, nameVariants(c))
			}
			if err := t.row(ctx, bad, fmt.Sprintf("QH%04d", i+1), fmt.Sprintf("%s %s", kind, c.Bare), kind, place,
				float64(between(r, 20, 3000)), between(r, 1000, 40000), approved, fmt.Sprintf("%d/QĐ-UBND", between(r, 100, 3000)),
				pick(r, []string{"Đang thực hiện", "Đã hoàn thành", "Đang điều chỉnh"})); err != nil {
				return err
			}
		}
		return nil
	}()
	if err = w.close(err); err != nil {
		return Item{}, err
	}
	return t.it, nil
}

var buildingTypes = []string{"Nhà ở riêng lẻ", "Nhà ở chung cư", "Công trình thương mại", "Công trình công cộng"}
var buildingWeights = []float64{88, 2, 7, 3}

func writePermits(ctx context.Context, g *gen, r *rand.Rand, year int) (Item, error) {
	name := PermitsFile(year)
	w, err := newCSVFile(g, name, "utf-8", ',', PermitsHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(name, "", BadMissingKey, BadUnknownCommune), w: w}
	t.it.Dataset = "construction.housing"
	pl := newPlanter(g.rng(fmt.Sprintf("construction/permits/%d/bad", year)), 67, BadMissingKey, BadUnknownCommune)
	err = func() error {
		for i := range 1200 * g.opt.Scale {
			day := dayIn(r, date(year, 1, 1), date(year, 12, 31))
			c := pick(r, g.geo.at(day).communes)
			kind := buildingTypes[weighted(r, buildingWeights)]
			floors := between(r, 1, 4)
			if kind == "Nhà ở chung cư" {
				floors = between(r, 5, 15)
			}
			area := float64(floors * between(r, 60, 250))
			owner := newPerson(r, 1950, 2000).Name
			id := fmt.Sprintf("%d/GPXD-%d", i+1, year)
			place := c.Code
			bad := pl.step()
			switch bad {
			case BadMissingKey:
				id = ""
			case BadUnknownCommune:
				place = UnknownCommuneCode
			}
			if err := t.row(ctx, bad, id, place, day.Format("02/01/2006"), kind, floors, viInt(int(area)), owner,
				viInt(int(area)*between(r, 5, 9))); err != nil {
				return err
			}
		}
		return nil
	}()
	if err = w.close(err); err != nil {
		return Item{}, err
	}
	return t.it, nil
}

func writePrices(ctx context.Context, g *gen, r *rand.Rand) (Item, error) {
	x, err := newXLSXFile(g, PricesFile, "Đơn giá", []string{"SỞ XÂY DỰNG TỈNH SƠN LA", "CÔNG BỐ GIÁ VẬT LIỆU XÂY DỰNG"}, PricesHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(PricesFile, "", BadNotANumber), w: x}
	t.it.Sheet, t.it.HeaderRows, t.it.Dataset = "Đơn giá", 4, "construction.unit_prices"
	pl := newPlanter(g.rng("construction/prices/bad"), 67, BadNotANumber)
	err = func() error {
		for _, year := range []int{2024, 2025} {
			for m := time.January; m <= time.December; m++ {
				for _, mat := range priceList {
					// prices drift by up to 1% a month around the list
					drift := 1 + (float64(year-2024)*12+float64(m-1))*0.004 + (r.Float64()-0.5)*0.02
					var price any = int(float64(mat.price)*drift/10) * 10
					bad := pl.step()
					if bad == BadNotANumber {
						price = "liên hệ"
					}
					code := mat.code
					if chance(r, 0.1) {
						code = fmt.Sprintf("%s%s", string(code[0]+32), code[1:]) // typed in lower case
					}
					if err := t.row(ctx, bad, code, mat.name, mat.unit, fmt.Sprintf("%02d/%d", int(m), year), price); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}()
	if err = x.close(err); err != nil {
		return Item{}, err
	}
	return t.it, nil
}
