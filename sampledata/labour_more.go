package sampledata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// More labour drops: enterprises' monthly labour reports (a CSV per
// quarter), the register of job seekers (a workbook) and the posted
// vacancies (a CSV).
const (
	SeekersFile   = "labour/tim_viec/nguoi_tim_viec.xlsx"
	VacanciesFile = "labour/tuyen_dung/viec_lam_trong.csv"
)

// WorkersFile is the enterprises' reports of one quarter.
func WorkersFile(year, q int) string {
	return fmt.Sprintf("labour/doanh_nghiep/lao_dong_dn_%d_q%d.csv", year, q)
}

// Headers of the drops.
var (
	WorkersHeader   = []string{"Mã báo cáo", "Mã số thuế", "Tên doanh nghiệp", "Xã/Phường", "Tháng báo cáo", "Tổng số lao động", "Lao động nữ", "Lao động tham gia BHXH", "Thu nhập bình quân (triệu đồng)"}
	SeekersHeader   = []string{"Mã hồ sơ", "Họ và tên", "Số CCCD", "Điện thoại", "Năm sinh", "Giới tính", "Nơi cư trú", "Ngày đăng ký", "Nghề mong muốn", "Trình độ"}
	VacanciesHeader = []string{"Mã tin", "Mã số thuế", "Doanh nghiệp", "Nơi làm việc", "Ngày đăng", "Vị trí", "Số lượng", "Lương từ (triệu đồng)", "Lương đến (triệu đồng)"}
)

var occupations = []string{"Công nhân may", "Công nhân chế biến nông sản", "Lái xe", "Nhân viên bán hàng", "Thợ điện", "Kế toán", "Kỹ thuật viên nông nghiệp", "Nhân viên bảo vệ", "Thợ xây", "Hướng dẫn viên du lịch"}
var educationLevels = []string{"Chưa qua đào tạo", "Sơ cấp", "Trung cấp", "Cao đẳng", "Đại học trở lên"}

func genLabourMore(ctx context.Context, g *gen) ([]Item, error) {
	r := g.rng("labour/enterprises")
	ents := enterprises(g, r, 60*g.opt.Scale)
	var items []Item
	for _, year := range []int{2024, 2025} {
		for q := 1; q <= 4; q++ {
			it, err := writeWorkers(ctx, g, r, ents, year, q)
			if err != nil {
				return nil, err
			}
			items = append(items, it)
		}
	}
	it, err := writeSeekers(ctx, g, g.rng("labour/seekers"))
	if err != nil {
		return nil, err
	}
	items = append(items, it)
	it, err = writeVacancies(ctx, g, g.rng("labour/vacancies"), ents)
	if err != nil {
		return nil, err
	}
	return append(items, it), nil
}

func writeWorkers(ctx context.Context, g *gen, r *rand.Rand, ents []enterprise, year, q int) (Item, error) {
	name := WorkersFile(year, q)
	w, err := newCSVFile(g, name, "utf-8", ',', WorkersHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(name, "", BadCheckFailed, BadUnknownCommune), w: w}
	t.it.Dataset = "labour.workers"
	pl := newPlanter(g.rng(fmt.Sprintf("labour/workers/%d/%d/bad", year, q)), 67, BadCheckFailed, BadUnknownCommune)
	err = func() error {
		for m := 3*q - 2; m <= 3*q; m++ {
			day := date(year, time.Month(m), 1)
			if err := ctx.Err(); err != nil {
				return err
			}
			for i, e := range ents {
				code := e.commune
				if day.Before(g.geo.reformDay()) {
					code = g.geo.oldCommuneOf(e.commune, day)
				}
				n := 20 + (i*37)%400 + r.IntN(10)
				women := int(float64(n) * (0.3 + r.Float64()*0.4))
				insured := int(float64(n) * (0.6 + r.Float64()*0.4))
				bad := pl.step()
				switch bad {
				case BadCheckFailed:
					insured = n + between(r, 1, 30)
				case BadUnknownCommune:
					code = UnknownCommuneCode
				}
				wage := fmt.Sprintf("%d,%d", between(r, 5, 14), r.IntN(10))
				if err := t.row(ctx, bad, fmt.Sprintf("LDDN-%d%02d-%04d", year, m, i+1), e.tax, e.name, code, fmt.Sprintf("%02d/%d", m, year),
					viInt(n), viInt(women), viInt(insured), wage); err != nil {
					return err
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

func writeSeekers(ctx context.Context, g *gen, r *rand.Rand) (Item, error) {
	x, err := newXLSXFile(g, SeekersFile, "Người tìm việc", []string{"TRUNG TÂM DỊCH VỤ VIỆC LÀM TỈNH SƠN LA", "DANH SÁCH NGƯỜI ĐĂNG KÝ TÌM VIỆC LÀM"}, SeekersHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(SeekersFile, "", BadInvalidDate, BadUnknownCommune), w: x}
	t.it.Sheet, t.it.HeaderRows, t.it.Dataset = "Người tìm việc", 4, "labour.job_seekers"
	pl := newPlanter(g.rng("labour/seekers/bad"), 67, BadInvalidDate, BadUnknownCommune)
	err = func() error {
		for i := range 2500 * g.opt.Scale {
			day := dayIn(r, date(2024, 1, 1), date(2025, 12, 31))
			c := pick(r, g.geo.at(day).communes)
			p := newPerson(r, 1970, 2007)
			var reg any = dateCell{day}
			place := c.Code
			if c.Nameable && chance(r, 0.5) {
				place = pick(r, nameVariants(c))
			}
			bad := pl.step()
			switch bad {
			case BadInvalidDate:
				reg = pick(r, []string{"31/02/2025", "00/01/2024"})
			case BadUnknownCommune:
				place = UnknownCommuneName
			}
			name := p.Name
			if chance(r, 0.2) {
				name = asciiLower(name)
			}
			if err := t.row(ctx, bad, fmt.Sprintf("TV%06d", i+1), name, p.CCCD, p.Phone, p.BirthYear, p.Gender, place, reg,
				pick(r, occupations), pick(r, educationLevels)); err != nil {
				return err
			}
		}
		return nil
	}()
	if err = x.close(err); err != nil {
		return Item{}, err
	}
	return t.it, nil
}

// asciiLower writes a name in lower case, as some offices type it (the
// title-case rule of the column restores it).
func asciiLower(s string) string {
	out := []rune(s)
	for i, c := range out {
		if c >= 'A' && c <= 'Z' {
			out[i] = c + 32
		}
	}
	return string(out)
}

func writeVacancies(ctx context.Context, g *gen, r *rand.Rand, ents []enterprise) (Item, error) {
	w, err := newCSVFile(g, VacanciesFile, "utf-8", ',', VacanciesHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(VacanciesFile, "", BadCheckFailed), w: w}
	t.it.Dataset = "labour.vacancies"
	pl := newPlanter(g.rng("labour/vacancies/bad"), 67, BadCheckFailed)
	err = func() error {
		for i := range 1500 * g.opt.Scale {
			day := dayIn(r, date(2024, 1, 1), date(2025, 12, 31))
			e := pick(r, ents)
			code := e.commune
			if day.Before(g.geo.reformDay()) {
				code = g.geo.oldCommuneOf(e.commune, day)
			}
			lo := between(r, 4, 10)
			hi := lo + between(r, 1, 8)
			bad := pl.step()
			if bad == BadCheckFailed {
				lo, hi = hi, lo
			}
			if err := t.row(ctx, bad, fmt.Sprintf("TD%06d", i+1), e.tax, e.name, code, day.Format("02/01/2006"), pick(r, occupations),
				between(r, 1, 30), lo, hi); err != nil {
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
