package sampledata

import (
	"context"
	"fmt"
	"strings"
)

// Environment drops: the monitoring stations' daily exports (semicolon CSV,
// UTF-8) and the hot-spot list an office still keeps in TCVN3.
const (
	HotspotFile = "environment/diem_nong_o_nhiem.csv"
)

// MonitoringFile is the export of one station for one year.
func MonitoringFile(station string, year int) string {
	return fmt.Sprintf("environment/quan_trac/%s_%d.csv", station, year)
}

// MonitoringHeader is the header of the stations' exports.
var MonitoringHeader = []string{"Mã trạm", "Tên trạm", "Khu công nghiệp", "Mã xã", "Ngày", "Thông số", "Đơn vị", "Giá trị TB", "Giới hạn QCVN"}

// HotspotHeader is the header of the hot-spot list.
var HotspotHeader = []string{"Mã điểm", "Tên điểm ô nhiễm", "Xã, phường", "Loại ô nhiễm", "Nguồn gây ô nhiễm", "Mức độ", "Tình trạng", "Ngày phát hiện", "Ngày xử lý xong"}

type parameter struct {
	name, unit  string
	base, limit float64
}

var (
	airParams   = []parameter{{"Bụi TSP", "µg/m3", 120, 300}, {"SO2", "µg/m3", 90, 350}, {"NO2", "µg/m3", 60, 200}, {"CO", "µg/m3", 9000, 30000}}
	waterParams = []parameter{{"COD", "mg/l", 70, 150}, {"TSS", "mg/l", 45, 100}, {"pH", "", 7.2, 9}}
)

// station is a monitoring station and today's commune it stands in.
type station struct {
	id, name, zone, commune string
	water                   bool
}

var stationSeeds = []station{
	{"QT01", "Trạm khí thải KCN Mai Sơn", "Khu công nghiệp Mai Sơn", "04123", false},
	{"QT02", "Trạm nước thải KCN Mai Sơn", "Khu công nghiệp Mai Sơn", "04123", true},
	{"QT03", "Trạm khí thải CCN Gia Phù", "Cụm công nghiệp Gia Phù", "03922", false},
	{"QT04", "Trạm nước thải CCN Vân Hồ", "Cụm công nghiệp Vân Hồ", "04048", true},
}

func genEnvironment(ctx context.Context, g *gen) (Source, error) {
	var src Source
	r := g.rng("environment/monitoring")
	pl := newPlanter(g.rng("environment/monitoring/bad"), 67, BadNotANumber)
	for i := range len(stationSeeds) + g.opt.Scale - 1 {
		st := stationSeeds[i%len(stationSeeds)]
		if i >= len(stationSeeds) {
			st.id = fmt.Sprintf("QT%02d", i+1)
			st.name += fmt.Sprintf(" số %d", i/len(stationSeeds)+1)
		}
		params := airParams
		if st.water {
			params = waterParams
		}
		for _, year := range []int{2024, 2025} {
			name := MonitoringFile(st.id, year)
			w, err := newCSVFile(g, name, "utf-8", ';', MonitoringHeader)
			if err != nil {
				return Source{}, err
			}
			t := &table{it: newItem(name, "", BadNotANumber), w: w}
			t.it.Dataset = "environment.emission_monitoring"
			err = func() error {
				for d := date(year, 1, 1); d.Year() == year; d = d.AddDate(0, 0, 1) {
					if err := ctx.Err(); err != nil {
						return err
					}
					code := st.commune
					if d.Before(g.geo.reformDay()) {
						code = g.geo.oldCommuneOf(st.commune, d)
					}
					for _, p := range params {
						v := p.base * (0.6 + r.Float64()*0.8)
						if chance(r, 0.03) {
							v = p.limit * (1.02 + r.Float64()*0.3) // an exceedance: kept, warned
						}
						value := strings.Replace(fmt.Sprintf("%.2f", v), ".", ",", 1) // "120,35": a decimal comma
						bad := pl.step()
						if bad == BadNotANumber {
							value = "Lỗi TB"
						}
						limit := strings.Replace(fmt.Sprintf("%.0f", p.limit), ".", ",", 1)
						if err := t.row(ctx, bad, st.id, st.name, st.zone, code, d.Format(dayLayout), p.name, p.unit, value, limit); err != nil {
							return err
						}
					}
				}
				return nil
			}()
			if err = w.close(err); err != nil {
				return Source{}, err
			}
			src.Items = append(src.Items, t.it)
		}
	}
	it, err := writeHotspots(ctx, g)
	if err != nil {
		return Source{}, err
	}
	src.Items = append(src.Items, it)
	return src, nil
}

var (
	pollutionKinds   = []string{"Nước thải", "Khí thải", "Chất thải rắn", "Đất"}
	pollutionSources = map[string][]string{
		"Nước thải":     {"Cơ sở chế biến tinh bột sắn", "Cơ sở chế biến cà phê", "Trang trại chăn nuôi lợn", "Lò mổ gia súc"},
		"Khí thải":      {"Lò gạch thủ công", "Trạm trộn bê tông nhựa", "Cơ sở sấy nông sản"},
		"Chất thải rắn": {"Bãi rác sinh hoạt", "Bãi tập kết rác chợ"},
		"Đất":           {"Kho thuốc bảo vệ thực vật cũ", "Bãi thải khai thác đá"},
	}
	severities = []string{"Nghiêm trọng", "Trung bình", "Nhẹ"}
)

// writeHotspots writes the hot-spot list in TCVN3. A commune whose name has
// a capital with a tone mark (no TCVN3 code in the ordinary fonts) is
// written by its code.
func writeHotspots(ctx context.Context, g *gen) (Item, error) {
	r := g.rng("environment/hotspots")
	pl := newPlanter(g.rng("environment/hotspots/bad"), 25, BadCheckFailed, BadUnknownCommune)
	w, err := newCSVFile(g, HotspotFile, "tcvn3", ',', HotspotHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(HotspotFile, "", BadCheckFailed, BadUnknownCommune), w: w}
	t.it.Dataset = "environment.pollution_hotspots"
	err = func() error {
		for i := range 80 * g.opt.Scale {
			detected := dayIn(r, date(2024, 1, 1), date(2025, 12, 15))
			c := pick(r, g.geo.at(detected).communes)
			place := c.Code
			if c.Nameable && tcvn3OK(c.Name) {
				place = c.Name
			}
			kind := pick(r, pollutionKinds)
			src := pick(r, pollutionSources[kind])
			status := pick(r, []string{"Chưa xử lý", "Đang xử lý", "Đã xử lý"})
			resolved := ""
			if status == "Đã xử lý" {
				resolved = detected.AddDate(0, 0, between(r, 10, 300)).Format("02/01/2006")
			}
			bad := pl.step()
			switch bad {
			case BadCheckFailed:
				status = "Đã xử lý"
				resolved = detected.AddDate(0, 0, -between(r, 1, 60)).Format("02/01/2006")
			case BadUnknownCommune:
				place = UnknownCommuneName
			}
			name := src + " " + c.Bare
			if !tcvn3OK(name) {
				name = fmt.Sprintf("%s số %d", src, i+1)
			}
			if err := t.row(ctx, bad, fmt.Sprintf("DN%04d", i+1), name,
				place, kind, src, pick(r, severities), status, detected.Format("02/01/2006"), resolved); err != nil {
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
