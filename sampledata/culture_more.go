package sampledata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// More culture drops: the library list (a workbook) and the tourist arrivals
// (a CSV per year, destinations named with their district before the reform).
const LibrariesFile = "culture/thu_vien/thu_vien.xlsx"

// TouristFile is the tourist arrivals of one year.
func TouristFile(year int) string { return fmt.Sprintf("culture/du_lich/khach_du_lich_%d.csv", year) }

// Headers of the drops.
var (
	LibrariesHeader = []string{"Mã thư viện", "Tên thư viện", "Loại thư viện", "Xã/Phường", "Số bản sách", "Số tài liệu số", "Lượt bạn đọc/năm", "Năm thành lập"}
	TouristHeader   = []string{"Mã báo cáo", "Điểm đến", "Tháng", "Khách trong nước", "Khách quốc tế", "Lượt khách lưu trú", "Doanh thu (triệu đồng)"}
)

func genCultureMore(ctx context.Context, g *gen) ([]Item, error) {
	r := g.rng("culture/libraries")
	it, err := writeLibraries(ctx, g, r)
	if err != nil {
		return nil, err
	}
	items := []Item{it}
	r = g.rng("culture/tourism")
	for _, year := range []int{2024, 2025} {
		it, err := writeTourists(ctx, g, r, year)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

func writeLibraries(ctx context.Context, g *gen, r *rand.Rand) (Item, error) {
	x, err := newXLSXFile(g, LibrariesFile, "Thư viện", []string{"SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH", "DANH SÁCH THƯ VIỆN NĂM 2025"}, LibrariesHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(LibrariesFile, "", BadUnknownCommune, BadMissingKey), w: x}
	t.it.Sheet, t.it.HeaderRows, t.it.Dataset = "Thư viện", 4, "culture_tourism.libraries"
	pl := newPlanter(g.rng("culture/libraries/bad"), 40, BadUnknownCommune, BadMissingKey)
	today := g.geo.today().communes
	n := 0
	add := func(name, kind string, c commune, books int) error {
		n++
		written, mb := name, false
		if chance(r, 0.1) {
			written, mb = mojibake(name)
		}
		id, place := fmt.Sprintf("TV%04d", n), pick(r, nameVariants(c))
		bad := pl.step()
		switch bad {
		case BadUnknownCommune:
			place = UnknownCommuneName
		case BadMissingKey:
			id = ""
		}
		if mb && bad == "" {
			t.it.Mojibake++
		}
		return t.row(ctx, bad, id, written, kind, place, books, books/between(r, 5, 40), books*between(r, 1, 4), between(r, 1960, 2024))
	}
	err = func() error {
		if err := add("Thư viện tỉnh Sơn La", "Thư viện tỉnh", today[0], 180000); err != nil {
			return err
		}
		for _, c := range today {
			for k := range g.opt.Scale {
				name := "Thư viện " + lowerType(c)
				if k > 0 {
					name += fmt.Sprintf(" số %d", k+1)
				}
				if err := add(name, "Thư viện cấp xã", c, between(r, 800, 6000)); err != nil {
					return err
				}
				if chance(r, 0.6) {
					if err := add("Thư viện trường THCS "+c.Bare, "Thư viện trường học", c, between(r, 1500, 9000)); err != nil {
						return err
					}
				}
				if chance(r, 0.1) {
					if err := add("Tủ sách cộng đồng bản "+pick(r, sitePlaces), "Thư viện tư nhân phục vụ cộng đồng", c, between(r, 200, 2000)); err != nil {
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

// writeTourists writes the arrivals of one year at every fourth commune of
// today. Before the reform the office names the old commune that the
// destination lay in, often with its district ("Chiềng Chung, Mai Sơn"): the
// only way to name a commune whose name two units share.
func writeTourists(ctx context.Context, g *gen, r *rand.Rand, year int) (Item, error) {
	name := TouristFile(year)
	w, err := newCSVFile(g, name, "utf-8", ',', TouristHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(name, "", BadNotANumber), w: w}
	t.it.Dataset = "culture_tourism.tourist_arrivals"
	pl := newPlanter(g.rng(fmt.Sprintf("culture/tourism/%d/bad", year)), 67, BadNotANumber)
	today := g.geo.today().communes
	err = func() error {
		for m := time.January; m <= time.December; m++ {
			day := date(year, m, 1)
			p := g.geo.at(day)
			seq := 0
			for i := 0; i < len(today); i += 4 {
				if err := ctx.Err(); err != nil {
					return err
				}
				dest := today[i]
				c := dest
				place := ""
				if day.Before(g.geo.reformDay()) {
					old := g.geo.oldCommuneOf(dest.Code, day)
					for _, x := range p.communes {
						if x.Code == old {
							c = x
						}
					}
					if !c.Nameable || chance(r, 0.5) {
						base := c.Name
						if c.BareOK {
							base = c.Bare
						}
						place = base + ", " + g.geo.districtOf(c, day)
						if chance(r, 0.3) {
							place = c.Name + " (" + g.geo.districtOf(c, day) + ")"
						}
					}
				}
				if place == "" {
					place = pick(r, nameVariants(c))
				}
				for range g.opt.Scale {
					seq++
					dom := between(r, 300, 20000)
					intl := between(r, 0, 800)
					stays := int(float64(dom+intl) * (0.2 + r.Float64()*0.5))
					domText := viInt(dom)
					bad := pl.step()
					if bad == BadNotANumber {
						domText = "đang tổng hợp"
					}
					if err := t.row(ctx, bad, fmt.Sprintf("DL-%d%02d-%04d", year, int(m), seq), place, fmt.Sprintf("%02d/%d", int(m), year),
						domText, viInt(intl), viInt(stays), viInt((dom+intl)*between(r, 3, 12)/10)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}()
	if err = w.close(err); err != nil {
		return Item{}, err
	}
	return t.it, nil
}
