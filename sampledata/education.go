package sampledata

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// Education drops: two workbooks (schools, enrolment) and a CSV of teaching
// materials from the department of education.
const (
	SchoolsFile   = "education/truong_hoc.xlsx"
	LearnersFile  = "education/hoc_sinh.xlsx"
	MaterialsFile = "education/thiet_bi_day_hoc.csv"
)

// SchoolsHeader, LearnersHeader and MaterialsHeader are the drops' headers.
var (
	SchoolsHeader   = []string{"STT", "Mã trường", "Tên trường", "Cấp học", "Loại hình", "Xã/Phường", "Số phòng học", "Số giáo viên", "Năm thành lập", "Đạt chuẩn quốc gia"}
	LearnersHeader  = []string{"Mã trường", "Năm học", "Khối lớp", "Tổng số học sinh", "Học sinh nữ", "Học sinh DTTS", "Ngày báo cáo"}
	MaterialsHeader = []string{"Mã trường", "Năm học", "Loại sách, thiết bị", "Số lượng cần", "Số lượng hiện có", "Ngày báo cáo"}
)

type school struct {
	id, level string
	grades    []string
}

var gradesOf = map[string][]string{
	"Mầm non":                   {"Nhà trẻ", "Mẫu giáo"},
	"Tiểu học":                  {"1", "2", "3", "4", "5"},
	"THCS":                      {"6", "7", "8", "9"},
	"THPT":                      {"10", "11", "12"},
	"Phổ thông dân tộc nội trú": {"6", "7", "8", "9", "10", "11", "12"},
	"Liên cấp":                  {"1", "2", "3", "4", "5", "6", "7", "8", "9"},
}

var levelPrefix = map[string]string{
	"Mầm non": "Trường Mầm non", "Tiểu học": "Trường Tiểu học", "THCS": "Trường THCS", "THPT": "Trường THPT",
	"Phổ thông dân tộc nội trú": "Trường PTDTNT", "Liên cấp": "Trường Tiểu học và THCS",
}

var materials = []string{"Sách giáo khoa", "Bộ thiết bị dạy học tối thiểu", "Máy chiếu", "Máy tính cho học sinh", "Bảng tương tác"}

func genEducation(ctx context.Context, g *gen) (Source, error) {
	r := g.rng("education")
	schools, it1, err := writeSchools(ctx, g, r)
	if err != nil {
		return Source{}, err
	}
	it2, err := writeLearners(ctx, g, r, schools)
	if err != nil {
		return Source{}, err
	}
	it3, err := writeMaterials(ctx, g, r, schools)
	if err != nil {
		return Source{}, err
	}
	return Source{Items: []Item{it1, it2, it3}}, nil
}

func writeSchools(ctx context.Context, g *gen, r *rand.Rand) ([]school, Item, error) {
	x, err := newXLSXFile(g, SchoolsFile, "Trường học", []string{"SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH SƠN LA", "DANH SÁCH CƠ SỞ GIÁO DỤC NĂM HỌC 2025-2026"}, SchoolsHeader)
	if err != nil {
		return nil, Item{}, err
	}
	t := &table{it: newItem(SchoolsFile, "", BadUnknownCommune, BadBadValue), w: x}
	t.it.Sheet, t.it.HeaderRows, t.it.Dataset = "Trường học", 4, "education.schools"
	pl := newPlanter(g.rng("education/schools/bad"), 50, BadUnknownCommune, BadBadValue)
	var out []school
	err = func() error {
		for _, c := range g.geo.today().communes {
			levels := []string{"Mầm non", "Tiểu học", "THCS"}
			if chance(r, 0.5) {
				levels = append(levels, "Tiểu học")
			}
			if chance(r, 0.4) {
				levels = append(levels, "THPT")
			}
			if chance(r, 0.08) {
				levels = append(levels, "Phổ thông dân tộc nội trú")
			}
			if c.Type == "Phường" && chance(r, 0.5) {
				levels = append(levels, "Liên cấp")
			}
			for _, lv := range levels {
				for k := range g.opt.Scale {
					id := fmt.Sprintf("TH%05d", len(out)+1)
					name := fmt.Sprintf("%s %s", levelPrefix[lv], c.Bare)
					if k > 0 || lv == "Tiểu học" && chance(r, 0.5) {
						name += fmt.Sprintf(" số %d", k+2)
					}
					own := "Công lập"
					if lv == "Liên cấp" || chance(r, 0.03) {
						own = "Tư thục"
					}
					level, place := lv, pick(r, nameVariants(c))
					bad := pl.step()
					switch bad {
					case BadUnknownCommune:
						place = UnknownCommuneName
					case BadBadValue:
						level = "Trung cấp"
					}
					if bad == "" {
						out = append(out, school{id: id, level: lv, grades: gradesOf[lv]})
					}
					rooms := between(r, 6, 40)
					std := ""
					if chance(r, 0.55) {
						std = "x"
					}
					if err := t.row(ctx, bad, t.it.Rows+1, id, name, level, own, place, rooms, rooms+between(r, 2, 20), between(r, 1960, 2022), std); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}()
	if err = x.close(err); err != nil {
		return nil, Item{}, err
	}
	return out, t.it, nil
}

func writeLearners(ctx context.Context, g *gen, r *rand.Rand, schools []school) (Item, error) {
	x, err := newXLSXFile(g, LearnersFile, "Học sinh", []string{"SỞ GIÁO DỤC VÀ ĐÀO TẠO TỈNH SƠN LA", "THỐNG KÊ HỌC SINH ĐẦU NĂM HỌC"}, LearnersHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(LearnersFile, "", BadCheckFailed, BadMissingKey), w: x}
	t.it.Sheet, t.it.HeaderRows, t.it.Dataset = "Học sinh", 4, "education.learners"
	pl := newPlanter(g.rng("education/learners/bad"), 67, BadCheckFailed, BadMissingKey)
	err = func() error {
		for _, year := range []int{2024, 2025} {
			sy := fmt.Sprintf("%d-%d", year, year+1)
			for _, s := range schools {
				if err := ctx.Err(); err != nil {
					return err
				}
				for _, gr := range s.grades {
					n := between(r, 25, 160)
					girls := int(float64(n) * (0.42 + r.Float64()*0.14))
					minority := int(float64(n) * (0.6 + r.Float64()*0.38))
					id := s.id
					bad := pl.step()
					switch bad {
					case BadCheckFailed:
						girls = n + between(r, 1, 20)
					case BadMissingKey:
						id = ""
					}
					if err := t.row(ctx, bad, id, sy, gr, n, girls, minority, dateCell{date(year, 9, 30)}); err != nil {
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

func writeMaterials(ctx context.Context, g *gen, r *rand.Rand, schools []school) (Item, error) {
	w, err := newCSVFile(g, MaterialsFile, "utf-8", ',', MaterialsHeader)
	if err != nil {
		return Item{}, err
	}
	t := &table{it: newItem(MaterialsFile, "", BadNegativeValue), w: w}
	t.it.Dataset = "education.teaching_materials"
	pl := newPlanter(g.rng("education/materials/bad"), 67, BadNegativeValue)
	err = func() error {
		for _, year := range []int{2024, 2025} {
			sy := fmt.Sprintf("%d-%d", year, year+1)
			for _, s := range schools {
				for _, m := range materials {
					need := between(r, 1, 40)
					if m == "Sách giáo khoa" {
						need = between(r, 200, 2000)
					}
					have := int(float64(need) * (0.5 + r.Float64()*0.6))
					bad := pl.step()
					if bad == BadNegativeValue {
						have = -have - 1
					}
					if err := t.row(ctx, bad, s.id, sy, m, viInt(need), viInt(have), date(year, 10, 15).Format("02/01/2006")); err != nil {
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
