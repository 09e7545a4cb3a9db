package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/sonla-data/kho/schemas/units"
)

// The bench's records are dossier-like rows of the one-stop shops of Sơn La:
// codes, Vietnamese names of agencies, procedures, people and places, times,
// a fee and counts. Row i depends on i alone (splitmix64 of i), so that every
// source gets the same rows in the same order and files can be written in
// parallel chunks.

// columns are the source columns, in order, with their SQL types.
var columns = []struct{ name, pg, my string }{
	{"stt", "bigint", "bigint"},
	{"ma_ho_so", "text", "varchar(40)"},
	{"ma_co_quan", "text", "varchar(20)"},
	{"ten_co_quan", "text", "varchar(200)"},
	{"ma_thu_tuc", "text", "varchar(20)"},
	{"ten_thu_tuc", "text", "varchar(300)"},
	{"linh_vuc", "text", "varchar(100)"},
	{"kenh", "integer", "int"},
	{"chu_ho_so", "text", "varchar(100)"},
	{"so_giay_to", "text", "varchar(20)"},
	{"dien_thoai", "text", "varchar(20)"},
	{"dia_chi", "text", "varchar(200)"},
	{"ma_xa", "text", "varchar(10)"},
	{"ngay_tiep_nhan", "timestamp", "datetime"},
	{"ngay_hen_tra", "timestamp", "datetime"},
	{"trang_thai", "integer", "int"},
	{"le_phi", "numeric(14,0)", "decimal(14,0)"},
	{"so_hoa", "boolean", "boolean"},
	{"so_tai_lieu", "integer", "int"},
	{"cap_nhat_luc", "timestamp", "datetime"},
}

var (
	agencies = []string{
		"Văn phòng UBND tỉnh Sơn La", "Sở Tài nguyên và Môi trường", "Sở Kế hoạch và Đầu tư", "Sở Tư pháp",
		"Sở Lao động - Thương binh và Xã hội", "Sở Xây dựng", "Sở Giao thông vận tải", "Sở Y tế",
		"Sở Giáo dục và Đào tạo", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Công Thương",
		"Sở Văn hóa, Thể thao và Du lịch", "Sở Nội vụ", "Sở Tài chính", "Sở Thông tin và Truyền thông",
		"UBND xã Chiềng Cơi", "UBND phường Tô Hiệu", "UBND xã Mường Bú", "UBND xã Phiêng Khoài",
		"UBND xã Mường La", "UBND phường Chiềng Sinh", "UBND xã Sốp Cộp", "UBND xã Bắc Yên",
		"UBND xã Chiềng Khương", "UBND xã Mộc Châu", "UBND xã Quỳnh Nhai", "UBND xã Thuận Châu",
		"UBND xã Yên Châu", "UBND xã Phù Yên", "UBND xã Vân Hồ",
	}
	procedures = []string{
		"Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu",
		"Đăng ký khai sinh", "Đăng ký kết hôn", "Cấp bản sao trích lục hộ tịch",
		"Cấp giấy phép xây dựng nhà ở riêng lẻ", "Đăng ký thành lập hộ kinh doanh",
		"Cấp phiếu lý lịch tư pháp", "Chứng thực bản sao từ bản chính", "Đăng ký thường trú",
		"Giải quyết trợ cấp thất nghiệp", "Cấp giấy phép lái xe", "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
		"Cấp giấy chứng nhận đủ điều kiện an toàn thực phẩm", "Thẩm định thiết kế cơ sở",
		"Cấp giấy phép kinh doanh bán lẻ sản phẩm rượu", "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
		"Xác nhận tình trạng hôn nhân", "Công nhận hòa giải viên", "Thủ tục thuê đất, giao đất có thu tiền sử dụng đất",
		"Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh",
	}
	fields = []string{
		"Đất đai", "Hộ tịch", "Xây dựng", "Thành lập và hoạt động của hộ kinh doanh", "Lý lịch tư pháp",
		"Chứng thực", "Cư trú", "Việc làm", "Đường bộ", "An toàn thực phẩm", "Lưu thông hàng hóa", "Bảo trợ xã hội",
		"Khám bệnh, chữa bệnh",
	}
	familyNames = []string{"Nguyễn", "Lò", "Quàng", "Cầm", "Lường", "Hoàng", "Trần", "Vì", "Đinh", "Sùng",
		"Giàng", "Mùa", "Lê", "Phạm", "Bạc", "Tòng", "Hà", "Điêu", "Lừ", "Vũ"}
	middleNames = []string{"Văn", "Thị", "Thị Thu", "Văn Hải", "Thị Hồng", "Đức", "Minh", "A", "Thị Thúy", "Ngọc"}
	givenNames  = []string{"Hùng", "Lan", "Phong", "Hương", "Bình", "Mai", "Chiến", "Xuân", "Hòa", "Thắng",
		"Dung", "Tuấn", "Ngọc", "Sơn", "Thủy", "Khoa", "Pằng", "Sính", "Chứ", "Yến"}
	villages = []string{"Bản Hụm", "Bản Cọ", "Tổ 3", "Bản Phiêng Lanh", "Tiểu khu 4", "Bản Nà Cạn", "Bản Hốc",
		"Bản Mòng", "Tổ dân phố 7", "Bản Khoang"}
)

// communeCodes are the codes of the communes valid in each period of the
// rows: before the early 2025 mergers, between them and the July 2025
// reform, after the reform. A row names a commune valid on its day.
type communeCodes struct{ before, early, after []string }

func loadCommunes() communeCodes {
	set := units.MustLoad()
	codes := func(d time.Time) []string {
		var out []string
		for _, u := range set.CommunesAt(d) {
			out = append(out, u.Code)
		}
		return out
	}
	return communeCodes{
		before: codes(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)),
		early:  codes(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)),
		after:  codes(time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)),
	}
}

func (c communeCodes) at(t time.Time) []string {
	switch {
	case t.Before(units.EarlyReform):
		return c.before
	case t.Before(units.Reform):
		return c.early
	}
	return c.after
}

// rnd is splitmix64: a cheap, good, seekable generator.
type rnd struct{ s uint64 }

func (r *rnd) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rnd) intn(n int) int { return int(r.next() % uint64(n)) }

// record is one generated row.
type record struct {
	seq                    int64
	id, agencyCode, agency string
	procCode, proc, field  string
	channel                int
	owner, idNumber, phone string
	address, commune       string
	received, due, updated time.Time
	status                 int
	fee                    int64
	digitised              bool
	documents              int
	bad                    bool // the procedure code is missing: the row is quarantined
}

// epoch is the first day of the rows: two years of dossiers, received in
// the order of the rows (as an export of a dossier system or a table scan
// gives them), n/730 a day.
var epoch = time.Date(2024, 1, 1, 7, 0, 0, 0, time.UTC)

// gen builds row i of n.
func gen(i, n int64, cc communeCodes) record {
	r := rnd{s: uint64(i)*0x2545f4914f6cdd1d + 1}
	a := r.intn(len(agencies))
	p := r.intn(len(procedures))
	rec := record{seq: i + 1, agency: agencies[a], proc: procedures[p], field: fields[p%len(fields)]}
	rec.received = epoch.Add(time.Duration(i*730/n)*24*time.Hour + time.Duration(r.intn(10*3600))*time.Second)
	rec.due = rec.received.Add(time.Duration(3+r.intn(28)) * 24 * time.Hour)
	rec.updated = rec.received.Add(time.Duration(r.intn(40*24)) * time.Hour)
	rec.id = fmt.Sprintf("000.%02d.%02d.H41-%s-%08d", a/10, a%10, rec.received.Format("060102"), i+1)
	rec.agencyCode = fmt.Sprintf("000.%02d.%02d.H41", a/10, a%10)
	rec.procCode = "1." + strconv.Itoa(100000+p*37)
	rec.channel = 1 + r.intn(3)
	rec.owner = familyNames[r.intn(len(familyNames))] + " " + middleNames[r.intn(len(middleNames))] + " " + givenNames[r.intn(len(givenNames))]
	rec.idNumber = fmt.Sprintf("0%02d%09d", 14+r.intn(80), r.intn(1_000_000_000))
	rec.phone = fmt.Sprintf("09%08d", r.intn(100_000_000))
	codes := cc.at(rec.received)
	rec.commune = codes[r.intn(len(codes))]
	rec.address = villages[r.intn(len(villages))] + ", " + agencies[15+r.intn(15)][5:] + ", tỉnh Sơn La"
	rec.status = 1 + r.intn(10)
	rec.fee = int64(r.intn(20)) * 50000
	rec.digitised = r.intn(4) != 0
	rec.documents = r.intn(12)
	if i%1000 == 999 {
		rec.bad = true
		rec.procCode = ""
	}
	return rec
}

const tsLayout = "2006-01-02 15:04:05"

// appendCSV appends the row as a CSV line (RFC 4180, quoted where needed).
func (rec *record) appendCSV(b []byte) []byte {
	b = strconv.AppendInt(b, rec.seq, 10)
	for _, s := range []string{rec.id, rec.agencyCode, rec.agency, rec.procCode, rec.proc, rec.field} {
		b = append(b, ',')
		b = appendField(b, s)
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(rec.channel), 10)
	for _, s := range []string{rec.owner, rec.idNumber, rec.phone, rec.address, rec.commune} {
		b = append(b, ',')
		b = appendField(b, s)
	}
	b = append(b, ',')
	b = rec.received.AppendFormat(b, tsLayout)
	b = append(b, ',')
	b = rec.due.AppendFormat(b, tsLayout)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(rec.status), 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, rec.fee, 10)
	b = append(b, ',')
	if rec.digitised {
		b = append(b, '1')
	} else {
		b = append(b, '0')
	}
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(rec.documents), 10)
	b = append(b, ',')
	b = rec.updated.AppendFormat(b, tsLayout)
	return append(b, '\n')
}

func appendField(b []byte, s string) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ',' || c == '"' || c == '\n' || c == '\r' {
			quote = true
			break
		}
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// values is the row as Go values for a database driver (nil for NULL).
func (rec *record) values() []any {
	var proc any = rec.procCode
	if rec.bad {
		proc = nil
	}
	return []any{rec.seq, rec.id, rec.agencyCode, rec.agency, proc, rec.proc, rec.field, int32(rec.channel),
		rec.owner, rec.idNumber, rec.phone, rec.address, rec.commune, rec.received, rec.due, int32(rec.status),
		rec.fee, rec.digitised, int32(rec.documents), rec.updated}
}

func csvHeader() []byte {
	var b []byte
	for i, c := range columns {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c.name...)
	}
	return append(b, '\n')
}
