package sampledata

import (
	"context"
	"fmt"
	"strings"
)

// TransportFile is the vehicle and depot database.
const TransportFile = "transport.db"

var transportSchema = []string{
	`CREATE TABLE dang_ky_xe (ma_dang_ky TEXT, bien_so TEXT, loai_xe TEXT, nhien_lieu TEXT, chu_xe TEXT, so_cccd TEXT, ma_xa_thuong_tru TEXT, ngay_dang_ky TEXT)`,
	`CREATE TABLE ben_xe (ma_ben TEXT, ten_ben TEXT, loai_ben TEXT, ma_xa TEXT, dien_tich_m2 REAL, so_vi_tri INTEGER, so_chuyen_ngay INTEGER, don_vi_khai_thac TEXT, ngay_cong_bo TEXT)`,
}

var vehicleTypes = []string{"Mô tô", "Ô tô con", "Ô tô tải", "Ô tô khách", "Xe máy điện"}
var vehicleWeights = []float64{70, 14, 9, 2, 5}

func genTransport(ctx context.Context, g *gen) (Source, error) {
	db, err := createDB(ctx, g.path(TransportFile), transportSchema...)
	if err != nil {
		return Source{}, err
	}
	defer db.Close()
	t1 := sqliteTable(db, TransportFile, "dang_ky_xe", "transport.vehicles", 8, BadInvalidDate, BadUnknownCommune, BadCheckFailed)
	if err := t1.w.close(writeVehicles(ctx, g, t1)); err != nil {
		return Source{}, err
	}
	t2 := sqliteTable(db, TransportFile, "ben_xe", "transport.depots", 9, BadBadValue)
	if err := t2.w.close(writeDepots(ctx, g, t2)); err != nil {
		return Source{}, err
	}
	if err := db.Close(); err != nil {
		return Source{}, fmt.Errorf("closing %s: %w", TransportFile, err)
	}
	return Source{Items: []Item{t1.it, t2.it}}, nil
}

func writeVehicles(ctx context.Context, g *gen, t *table) error {
	r := g.rng("transport/vehicles")
	pl := newPlanter(g.rng("transport/vehicles/bad"), 67, BadInvalidDate, BadUnknownCommune, BadCheckFailed)
	series := "ABCDEFGHKLMNPSTUVXYZ"
	for i := range 5000 * g.opt.Scale {
		if i%batchSize == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		day := dayIn(r, date(2024, 1, 1), date(2025, 12, 31))
		c := pick(r, g.geo.at(day).communes)
		kind := vehicleTypes[weighted(r, vehicleWeights)]
		fuel := "Xăng"
		switch kind {
		case "Xe máy điện":
			fuel = "Điện"
		case "Ô tô tải", "Ô tô khách":
			fuel = "Dầu"
		case "Ô tô con":
			if chance(r, 0.1) {
				fuel = "Điện"
			}
		}
		// plates are unique: the sequence number gives the last five digits
		letter := string(series[i/100000%len(series)])
		plate := fmt.Sprintf("26%s%d-%03d.%02d", letter, 1+i/100000/len(series)%9, i%100000/100, i%100)
		if kind != "Mô tô" && kind != "Xe máy điện" {
			plate = fmt.Sprintf("26%s-%03d.%02d", letter, i%100000/100, i%100)
		}
		if chance(r, 0.2) {
			plate = strings.ToLower(strings.ReplaceAll(plate, ".", ""))
		}
		p := newPerson(r, 1950, 2006)
		dayText := day.Format(dayLayout)
		code := c.Code
		bad := pl.step()
		switch bad {
		case BadInvalidDate:
			dayText = pick(r, []string{"2025-02-29", "2024-11-31", "2025-00-10"})
		case BadUnknownCommune:
			code = UnknownCommuneCode
		case BadCheckFailed:
			kind, fuel = "Xe máy điện", "Xăng"
		}
		if err := t.row(ctx, bad, fmt.Sprintf("DK%08d", i+1), plate, kind, fuel, p.Name, p.CCCD, code, dayText); err != nil {
			return err
		}
	}
	return nil
}

var depotClasses = []string{"Loại 1", "Loại 2", "Loại 3", "Loại 4", "Loại 5", "Loại 6", "Bãi đỗ xe"}

func writeDepots(ctx context.Context, g *gen, t *table) error {
	r := g.rng("transport/depots")
	pl := newPlanter(g.rng("transport/depots/bad"), 15, BadBadValue)
	today := g.geo.today().communes
	for i := range 30 * g.opt.Scale {
		c := today[(i*7)%len(today)]
		class := depotClasses[between(r, 1, 6)]
		if i == 0 {
			class = "Loại 1"
		}
		bad := pl.step()
		if bad == BadBadValue {
			class = "Loại 7"
		}
		bays := between(r, 4, 40)
		licensed := dayIn(r, date(2012, 1, 1), date(2025, 11, 30))
		if err := t.row(ctx, bad, fmt.Sprintf("BX%03d", i+1), "Bến xe khách "+c.Bare, class, c.Code, float64(bays*between(r, 200, 600)),
			bays, bays*between(r, 2, 8), "Công ty CP Vận tải Sơn La", licensed.Format(dayLayout)); err != nil {
			return err
		}
	}
	return nil
}
