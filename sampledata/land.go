package sampledata

import (
	"context"
	"fmt"
	"time"
)

// landTypes with the share of an old commune's area (ha) they take.
var landTypes = []struct {
	name   string
	lo, hi int
}{
	{"Đất trồng lúa", 50, 400}, {"Đất trồng cây hằng năm khác", 300, 2500}, {"Đất trồng cây lâu năm", 100, 1500},
	{"Đất rừng sản xuất", 500, 5000}, {"Đất rừng phòng hộ", 500, 6000}, {"Đất rừng đặc dụng", 0, 800},
	{"Đất nuôi trồng thủy sản", 2, 60}, {"Đất ở", 30, 300}, {"Đất chuyên dùng", 40, 500}, {"Đất chưa sử dụng", 50, 2500},
}

func writeLandUse(ctx context.Context, g *gen, t *table) error {
	r := g.rng("agriculture/land")
	pl := newPlanter(g.rng("agriculture/land/bad"), 67, BadNegativeValue)
	seq := 0
	for _, year := range []int{2024, 2025} {
		day := date(year, 12, 31)
		p := g.geo.at(day)
		for _, c := range p.communes {
			if err := ctx.Err(); err != nil {
				return err
			}
			for _, lt := range landTypes {
				seq++
				ha := round2(float64(between(r, lt.lo, lt.hi)) * size(p) * (0.9 + r.Float64()*0.2))
				bad := pl.step()
				if bad == BadNegativeValue {
					ha = -ha - 1
				}
				if err := t.row(ctx, bad, fmt.Sprintf("DD%07d", seq), c.Code, year, lt.name, ha, day.Format(dayLayout)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

var fishSpecies = []string{"Cá rô phi", "Cá trắm cỏ", "Cá chép", "Cá tầm", "Cá hồi vân", "Cá lăng"}
var farmingTypes = []string{"Ao hồ nhỏ", "Lồng bè trên sông", "Lồng bè trên hồ thủy điện"}

func writeAquaculture(ctx context.Context, g *gen, t *table) error {
	r := g.rng("agriculture/aquaculture")
	pl := newPlanter(g.rng("agriculture/aquaculture/bad"), 50, BadCheckFailed, BadUnknownCommune)
	seq := 0
	for _, year := range []int{2024, 2025} {
		for q := 1; q <= 4; q++ {
			day := date(year, time.Month(3*q), 25)
			p := g.geo.at(day)
			for i, c := range p.communes {
				if i%3 != 0 { // a third of the communes farm fish
					continue
				}
				for range g.opt.Scale {
					seq++
					ft := farmingTypes[weighted(r, []float64{60, 15, 25})]
					sp := pick(r, fishSpecies)
					var area, cages any
					out := 0.0
					if ft == "Ao hồ nhỏ" {
						a := round2(1 + r.Float64()*20*size(p)/float64(g.opt.Scale))
						area, out = a, round2(a*(0.6+r.Float64()*0.8))
					} else {
						n := between(r, 5, 120)
						cages, out = n, round2(float64(n)*(0.4+r.Float64()*0.6))
					}
					code := c.Code
					bad := pl.step()
					switch bad {
					case BadCheckFailed:
						ft, cages, area = "Lồng bè trên hồ thủy điện", 0, nil
					case BadUnknownCommune:
						code = UnknownCommuneCode
					}
					if err := t.row(ctx, bad, fmt.Sprintf("TS%07d", seq), code, fmt.Sprintf("%d-Q%d", year, q), sp, ft, area, cages, out, day.Format(dayLayout)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
