package sampledata

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/sonla-data/kho/schemas/units"
)

// DossierRequest is one file of dossiers: a DongBoHoSoMC sync request.
type DossierRequest struct {
	Service    string    `json:"service"`
	IsUpdating bool      `json:"isUpdating"`
	Data       []Dossier `json:"data"`
}

// Dossier is a dossier as the DongBoHoSoMC service carries it. Dates are
// yyyyMMddHHmmss in Asia/Ho_Chi_Minh, "" when not reached.
type Dossier struct {
	MaHoSo                 string       `json:"MaHoSo"`
	MaTTHC                 string       `json:"MaTTHC"`
	TenTTHC                string       `json:"TenTTHC"`
	MaLinhVuc              string       `json:"MaLinhVuc"`
	TenLinhVuc             string       `json:"TenLinhVuc"`
	KenhThucHien           string       `json:"KenhThucHien"`
	SoGiayToChuHoSo        string       `json:"SoGiayToChuHoSo"`
	ChuHoSo                string       `json:"ChuHoSo"`
	LoaiDoiTuong           string       `json:"LoaiDoiTuong"`
	Email                  string       `json:"Email"`
	SoDienThoai            string       `json:"SoDienThoai"`
	TrichYeuHoSo           string       `json:"TrichYeuHoSo"`
	NgayTiepNhan           string       `json:"NgayTiepNhan"`
	NgayHenTra             string       `json:"NgayHenTra"`
	TrangThaiHoSo          string       `json:"TrangThaiHoSo"`
	NgayTra                string       `json:"NgayTra"`
	NgayKetThucXuLy        string       `json:"NgayKetThucXuLy"`
	DonViXuLy              string       `json:"DonViXuLy"`
	TaiLieuNop             []Document   `json:"TaiLieuNop"`
	DanhSachGiayToKetQua   []Result     `json:"DanhSachGiayToKetQua"`
	HoSoCoThanhPhanSoHoa   int          `json:"HoSoCoThanhPhanSoHoa"`
	DuocThanhToanTrucTuyen int          `json:"DuocThanhToanTrucTuyen"`
	NgayNopHoSo            string       `json:"NgayNopHoSo"`
	DinhDanhCHS            []Identifier `json:"DinhDanhCHS"`
}

// Document is a submitted document (TaiLieuNop); flags are 0/1.
type Document struct {
	TepDinhKemId     string `json:"TepDinhKemId"`
	TenTepDinhKem    string `json:"TenTepDinhKem"`
	MaThanhPhanHoSo  string `json:"MaThanhPhanHoSo"`
	DuocSoHoa        int    `json:"DuocSoHoa"`
	DuocTaiSuDung    int    `json:"DuocTaiSuDung"`
	DuocLayTuKhoDMQG int    `json:"DuocLayTuKhoDMQG"`
}

// Result is a result paper (DanhSachGiayToKetQua).
type Result struct {
	TenGiayTo      string `json:"TenGiayTo"`
	GiayToId       string `json:"GiayToId"`
	MaGiayToKetQua string `json:"MaGiayToKetQua"`
}

// Identifier is an owner identifier (DinhDanhCHS): LoaiDinhDanh "1" citizen
// id (CCCD), "2" enterprise tax code.
type Identifier struct {
	LoaiDinhDanh string `json:"LoaiDinhDanh"`
	SoDinhDanh   string `json:"SoDinhDanh"`
}

// DossierTimeLayout is the layout of dossier dates.
const DossierTimeLayout = "20060102150405"

// DossierFile is the path under Out of the dossiers of a month of 2025.
func DossierFile(month int) string { return fmt.Sprintf("dossiers/ho_so_2025_%02d.json", month) }

// AgencyFile is the path under Out of the agency list.
const AgencyFile = "reference/co_quan.csv"

// ict is Asia/Ho_Chi_Minh (UTC+7, no daylight saving), fixed so that no
// time zone database is needed.
var ict = time.FixedZone("ICT", 7*3600)

// snapshot is when the sync is taken: nothing ends after it.
var snapshot = time.Date(2025, 12, 31, 23, 59, 59, 0, ict)

// dayWeight is the relative number of dossiers received on a day.
func dayWeight(d time.Time) float64 {
	w := 1.0
	switch d.Weekday() {
	case time.Saturday:
		w = 0.1
	case time.Sunday:
		return 0
	}
	md := d.Format("01-02")
	switch {
	case md >= "01-25" && md <= "02-02", md == "01-01", md == "04-30", md == "05-01", md == "09-01", md == "09-02":
		return 0.03 // Tết and public holidays
	case md >= "01-15" && md < "01-25":
		w *= 1.4 // the rush before Tết
	}
	if d.Month() == time.July {
		w *= 0.8 // the first month of the new communes
	}
	return w
}

type dossierGen struct {
	g                  *gen
	r                  *rand.Rand
	pl                 *planter
	commune, province  []int
	wc, wp             []float64
	fileSeq, resultSeq int
}

func genDossiers(ctx context.Context, g *gen) (Source, error) {
	dg := &dossierGen{g: g, r: g.rng("dossiers"),
		pl: newPlanter(g.rng("dossiers/bad"), 67, BadMissingKey, BadInvalidDate, BadDueBeforeReceived)}
	dg.commune, dg.province, dg.wc, dg.wp = procedureIndex()

	start := date(2025, 1, 1)
	var days []time.Time
	var cum []float64
	total := 0.0
	for d := start; d.Year() == 2025; d = d.AddDate(0, 0, 1) {
		total += dayWeight(d)
		days, cum = append(days, d), append(cum, total)
	}
	n := 10000 * g.opt.Scale
	var src Source
	var it Item
	var w *dossierWriter
	prev := 0
	for i, d := range days {
		if err := ctx.Err(); err != nil {
			return Source{}, err
		}
		if d.Day() == 1 {
			it = newItem(DossierFile(int(d.Month())), "", BadMissingKey, BadInvalidDate, BadDueBeforeReceived)
			it.Dataset = "admin_procedures.dossiers"
			var err error
			if w, err = newDossierWriter(g.path(it.File)); err != nil {
				return Source{}, err
			}
		}
		upto := int(math.Round(cum[i] / total * float64(n)))
		batch := dg.day(d, upto-prev, &it)
		prev = upto
		for _, x := range batch {
			if err := w.write(x); err != nil {
				return Source{}, fmt.Errorf("writing %s: %w", it.File, err)
			}
		}
		it.Rows += len(batch)
		if d.AddDate(0, 0, 1).Day() == 1 {
			if err := w.close(); err != nil {
				return Source{}, fmt.Errorf("writing %s: %w", it.File, err)
			}
			src.Items = append(src.Items, it)
		}
	}
	ag, err := writeAgencies(g)
	if err != nil {
		return Source{}, err
	}
	src.Items = append(src.Items, ag)
	return src, nil
}

// day generates the dossiers received on day d, ordered by reception.
func (dg *dossierGen) day(d time.Time, n int, it *Item) []Dossier {
	r := dg.r
	f := float64(d.YearDay()-1) / 364 // 0 in January .. 1 in December
	pDigit := 0.55 + 0.33*f
	pOnline := 0.40 + 0.20*f
	pReuse := 0.20 + 0.20*f
	type draft struct {
		x      Dossier
		at     time.Time
		agency string
		bad    string
	}
	drafts := make([]draft, n)
	communes := dg.g.geo.at(d).communes
	after := !d.Before(units.Reform)
	for k := range drafts {
		var p procedure
		var agency, agencyName string
		if chance(r, 0.6) {
			p = procedures[dg.commune[weighted(r, dg.wc)]]
			c := pick(r, communes)
			agency, agencyName = communeAgencyCode(c.Code, after), "UBND "+c.Name
		} else {
			p = procedures[dg.province[weighted(r, dg.wp)]]
			agency, agencyName = deptCode(p.dept), departments[p.dept]
		}
		at := time.Date(d.Year(), d.Month(), d.Day(), 7, 30, 0, 0, ict).Add(time.Duration(r.IntN(9*3600)) * time.Second)
		if d.Weekday() == time.Saturday {
			at = time.Date(d.Year(), d.Month(), d.Day(), 7, 30, 0, 0, ict).Add(time.Duration(r.IntN(4*3600)) * time.Second)
		}
		x := Dossier{MaTTHC: p.code, TenTTHC: p.name, MaLinhVuc: p.field.code, TenLinhVuc: p.field.name,
			DonViXuLy: agencyName, NgayTiepNhan: at.Format(DossierTimeLayout)}
		dg.owner(&x, p)
		// channel and submission
		submitted := at
		switch {
		case chance(r, pOnline):
			x.KenhThucHien = "2"
			submitted = at.Add(-time.Duration(between(r, 5*60, 48*3600)) * time.Second)
			if chance(r, math.Min(1, 0.30/pOnline)) {
				x.DuocThanhToanTrucTuyen = 1 + weighted(r, []float64{4, 6})
			}
		case chance(r, 0.06):
			x.KenhThucHien = "3"
			submitted = at.Add(-time.Duration(between(r, 24*3600, 72*3600)) * time.Second)
		default:
			x.KenhThucHien = "1"
		}
		x.NgayNopHoSo = submitted.Format(DossierTimeLayout)
		due := dueDate(at, p.days)
		x.NgayHenTra = due.Format(DossierTimeLayout)
		dg.documents(&x, p, chance(r, pDigit), chance(r, pReuse))
		dg.outcome(&x, p, at, due)
		drafts[k] = draft{x: x, at: at, agency: agency, bad: dg.pl.step()}
	}
	slices.SortStableFunc(drafts, func(a, b draft) int { return a.at.Compare(b.at) })
	seq := map[string]int{}
	out := make([]Dossier, n)
	for k, dr := range drafts {
		seq[dr.agency]++
		x := dr.x
		x.MaHoSo = fmt.Sprintf("%s-%s-%04d", dr.agency, dr.at.Format("060102"), seq[dr.agency])
		switch dr.bad {
		case BadMissingKey:
			x.MaHoSo = ""
		case BadInvalidDate:
			// an impossible day of the same month: the 31st of a short month,
			// the 30th of February
			last := time.Date(d.Year(), d.Month()+1, 0, 0, 0, 0, 0, ict).Day()
			x.NgayTiepNhan = fmt.Sprintf("%04d%02d%02d%s", d.Year(), int(d.Month()), max(last+1, 30), dr.at.Format("150405"))
			if last == 31 {
				x.NgayTiepNhan = fmt.Sprintf("%04d%02d32%s", d.Year(), int(d.Month()), dr.at.Format("150405"))
			}
		case BadDueBeforeReceived:
			x.NgayHenTra = dr.at.Add(-time.Duration(between(r, 3600, 72*3600)) * time.Second).Format(DossierTimeLayout)
		}
		if dr.bad != "" {
			it.Bad[dr.bad]++
		}
		out[k] = x
	}
	return out
}

var companyWords = []string{"Tây Bắc", "Sơn La Xanh", "Mộc Châu", "Hoàng Long", "Thuận Châu", "Nông sản Việt", "Đại Phát", "Minh Anh", "Bản Mường"}
var companyKinds = []string{"Công ty TNHH", "Công ty TNHH MTV", "Công ty cổ phần", "Hợp tác xã"}

// owner fills the dossier's owner (citizen or business).
func (dg *dossierGen) owner(x *Dossier, p procedure) {
	r := dg.r
	if p.business {
		name := pick(r, companyKinds) + " " + pick(r, companyWords)
		tax := "55" + digits(r, 8)
		x.ChuHoSo, x.LoaiDoiTuong, x.SoGiayToChuHoSo = name, "2", tax
		x.Email = "lienhe" + digits(r, 3) + "@" + ascii(name) + ".vn"
		x.SoDienThoai = phone(r)
		x.DinhDanhCHS = []Identifier{{"2", tax}}
	} else {
		pe := newPerson(r, 1950, 2007)
		x.ChuHoSo, x.LoaiDoiTuong, x.SoGiayToChuHoSo = pe.Name, "1", pe.CCCD
		if chance(r, 0.6) {
			x.Email = email(r, pe.Name)
		}
		x.SoDienThoai = pe.Phone
		x.DinhDanhCHS = []Identifier{{"1", pe.CCCD}}
	}
	x.TrichYeuHoSo = p.name + " - " + x.ChuHoSo
}

// documents fills TaiLieuNop and HoSoCoThanhPhanSoHoa: digitised dossiers
// have at least one digitised document, reusing ones at least one reused.
func (dg *dossierGen) documents(x *Dossier, p procedure, digitised, reused bool) {
	r := dg.r
	k := between(r, 1, len(p.docs))
	x.TaiLieuNop = make([]Document, k)
	for i := range k {
		dg.fileSeq++
		doc := Document{TepDinhKemId: "TL" + strconv.Itoa(10000000+dg.fileSeq), TenTepDinhKem: p.docs[i] + ".pdf",
			MaThanhPhanHoSo: fmt.Sprintf("TP.%s.%02d", p.code, i+1)}
		if digitised && chance(r, 0.7) {
			doc.DuocSoHoa = 1
		}
		if reused && chance(r, 0.5) {
			if chance(r, 0.5) {
				doc.DuocTaiSuDung = 1
			} else {
				doc.DuocLayTuKhoDMQG = 1
			}
		}
		x.TaiLieuNop[i] = doc
	}
	if digitised {
		x.TaiLieuNop[r.IntN(k)].DuocSoHoa = 1
		x.HoSoCoThanhPhanSoHoa = 1
	}
	if reused {
		d := &x.TaiLieuNop[r.IntN(k)]
		if d.DuocTaiSuDung == 0 && d.DuocLayTuKhoDMQG == 0 {
			d.DuocTaiSuDung = 1
		}
	}
}

// outcome sets the status, the end of processing, the return and the results.
func (dg *dossierGen) outcome(x *Dossier, p procedure, at, due time.Time) {
	r := dg.r
	x.DanhSachGiayToKetQua = []Result{}
	if !chance(r, 0.85) {
		x.TrangThaiHoSo = []string{"2", "4", "5"}[weighted(r, []float64{2, 5, 3})]
		return
	}
	var end time.Time
	if chance(r, 0.10) {
		end = addWorkDays(due, between(r, 1, 5)).Add(-time.Duration(r.IntN(6*3600)) * time.Second)
	} else {
		end = at.Add(time.Duration(r.Float64() * float64(due.Sub(at))))
		if end.Sub(at) < 10*time.Minute {
			end = at.Add(10 * time.Minute)
			if end.After(due) {
				end = due
			}
		}
	}
	if end.After(snapshot) {
		x.TrangThaiHoSo = "4"
		return
	}
	x.NgayKetThucXuLy = end.Format(DossierTimeLayout)
	x.TrangThaiHoSo = "9"
	if chance(r, 0.8) {
		// returned in office hours, on the day processing ended or up to two days later
		ret := time.Date(end.Year(), end.Month(), end.Day()+r.IntN(3), 7, 30, 0, 0, ict).Add(time.Duration(r.IntN(9*3600)) * time.Second)
		if ret.Before(end) {
			ret = end.Add(time.Duration(between(r, 600, 3600)) * time.Second)
		}
		if !ret.After(snapshot) {
			x.TrangThaiHoSo = "10"
			x.NgayTra = ret.Format(DossierTimeLayout)
		}
	}
	dg.resultSeq++
	x.DanhSachGiayToKetQua = []Result{{TenGiayTo: p.result, GiayToId: "KQ" + strconv.Itoa(10000000+dg.resultSeq),
		MaGiayToKetQua: "KQ." + p.code + ".01"}}
}

// dueDate is the due time of a dossier received at `at` with `days` working
// days: 17:00 of the day that many working days later (the same day for
// 0, the next working day when received after 16:30).
func dueDate(at time.Time, days int) time.Time {
	d := time.Date(at.Year(), at.Month(), at.Day(), 17, 0, 0, 0, ict)
	if days == 0 && at.Sub(d) > -30*time.Minute {
		days = 1
	}
	if days == 0 && (at.Weekday() == time.Saturday || at.Weekday() == time.Sunday) {
		days = 1
	}
	return addWorkDays(d, days)
}

func addWorkDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			n--
		}
	}
	return t
}

// dossierWriter streams one request file.
type dossierWriter struct {
	f     *os.File
	bw    *bufio.Writer
	enc   *json.Encoder
	first bool
}

func newDossierWriter(path string) (*dossierWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	bw.WriteString(`{"service":"DongBoHoSoMC","isUpdating":false,"data":[` + "\n")
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &dossierWriter{f: f, bw: bw, enc: enc, first: true}, nil
}

func (w *dossierWriter) write(x Dossier) error {
	if !w.first {
		w.bw.WriteByte(',')
	}
	w.first = false
	return w.enc.Encode(x)
}

func (w *dossierWriter) close() error {
	w.bw.WriteString("]}\n")
	if err := w.bw.Flush(); err != nil {
		w.f.Close()
		return err
	}
	return w.f.Close()
}
