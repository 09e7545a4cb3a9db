package sampledata

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

// LabourHeader is the header row of the labour CSV files.
var LabourHeader = []string{"Mã báo cáo", "Xã/Phường", "Tháng báo cáo", "Số người tìm việc",
	"Số vị trí việc làm trống", "Số người có việc làm mới", "Ngày gửi"}

// LabourFile is the path under Out of the labour file of a quarter.
func LabourFile(year, quarter int) string {
	return fmt.Sprintf("labour/lao_dong_%04d_q%d.csv", year, quarter)
}

func genLabour(ctx context.Context, g *gen) (Source, error) {
	r := g.rng("labour")
	pl := newPlanter(g.rng("labour/bad"), 67, BadUnknownCommune, BadNotANumber, BadMissingKey)
	var src Source
	for _, year := range []int{2024, 2025} {
		for q := 1; q <= 4; q++ {
			if err := ctx.Err(); err != nil {
				return Source{}, err
			}
			it, err := writeLabourQuarter(g, r, pl, year, q)
			if err != nil {
				return Source{}, err
			}
			src.Items = append(src.Items, it)
		}
	}
	more, err := genLabourMore(ctx, g)
	if err != nil {
		return Source{}, err
	}
	src.Items = append(src.Items, more...)
	return src, nil
}

func writeLabourQuarter(g *gen, r *rand.Rand, pl *planter, year, q int) (it Item, err error) {
	name := LabourFile(year, q)
	it = newItem(name, "", BadUnknownCommune, BadNotANumber, BadMissingKey)
	it.Dataset = "labour.job_reports"
	f, err := os.Create(g.path(name))
	if err != nil {
		return it, fmt.Errorf("creating %s: %w", name, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing %s: %w", name, cerr)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	bw.WriteString("\ufeff")
	w := csv.NewWriter(bw)
	w.UseCRLF = true
	if err = w.Write(LabourHeader); err != nil {
		return it, fmt.Errorf("writing %s: %w", name, err)
	}
	for m := 3*q - 2; m <= 3*q; m++ {
		p := g.geo.at(date(year, time.Month(m), 1))
		k := size(p)
		seq := 0
		for _, c := range p.communes {
			if !c.Nameable {
				continue
			}
			urban := c.Type != "Xã"
			for range g.opt.Scale {
				seq++
				base := float64(between(r, 20, 350)) * k / float64(g.opt.Scale)
				if urban {
					base *= 3
				}
				seekers := max(1, int(base))
				vacancies := int(float64(seekers) * (0.4 + r.Float64()*0.9))
				hired := int(float64(min(seekers, vacancies)) * (0.3 + r.Float64()*0.6))
				rec := []string{
					fmt.Sprintf("LD-%04d%02d-%06d", year, m, seq),
					pick(r, nameVariants(c)),
					fmt.Sprintf("%02d/%04d", m, year),
					viInt(seekers), viInt(vacancies), viInt(hired),
					date(year, time.Month(m), between(r, 20, 28)).Format("02/01/2006"),
				}
				bad := pl.step()
				switch bad {
				case BadUnknownCommune:
					rec[1] = UnknownCommuneName
				case BadNotANumber:
					rec[3+r.IntN(3)] = "khoảng 20"
				case BadMissingKey:
					rec[0] = ""
				}
				if bad != "" {
					it.Bad[bad]++
				}
				it.Rows++
				if err = w.Write(rec); err != nil {
					return it, fmt.Errorf("writing %s row %d: %w", name, it.Rows+1, err)
				}
			}
		}
	}
	w.Flush()
	if err = w.Error(); err != nil {
		return it, fmt.Errorf("writing %s: %w", name, err)
	}
	if err = bw.Flush(); err != nil {
		return it, fmt.Errorf("writing %s: %w", name, err)
	}
	return it, nil
}
