package sampledata

import (
	"encoding/csv"
	"fmt"
	"os"
	"time"

	"github.com/sonla-data/kho/schemas/units"
)

// Agency levels in reference/co_quan.csv.
const (
	LevelProvince = "tỉnh"
	LevelCommune  = "xã"
)

// Agency is a body that receives dossiers. ValidFrom and ValidTo bound its
// validity like units.Unit: zero ValidFrom means since before 2025, zero
// ValidTo still valid, ValidTo exclusive.
type Agency struct {
	Code, Name, Level, Commune string
	ValidFrom, ValidTo         time.Time
}

// department is a province department and its agency index.
var departments = []string{
	1:  "Sở Nội vụ",
	2:  "Sở Tư pháp",
	3:  "Sở Tài chính",
	4:  "Sở Công Thương",
	5:  "Sở Nông nghiệp và Môi trường",
	6:  "Sở Xây dựng",
	7:  "Sở Khoa học và Công nghệ",
	8:  "Sở Giáo dục và Đào tạo",
	9:  "Sở Y tế",
	10: "Sở Văn hóa, Thể thao và Du lịch",
	11: "Sở Dân tộc và Tôn giáo",
	12: "Thanh tra tỉnh",
	13: "Ban Quản lý các khu công nghiệp tỉnh",
	14: "Văn phòng UBND tỉnh",
	15: "Công an tỉnh",
}

func deptCode(i int) string { return fmt.Sprintf("000.00.%02d.H56", i) }

// communeAgencyCode is the agency code of a commune's People's Committee:
// 000.<code>.H56 before the reform, 001.<code>.H56 after (the reform reused
// every new code from an old commune, so the prefix tells the two apart).
func communeAgencyCode(code string, afterReform bool) string {
	if afterReform {
		return "001." + code + ".H56"
	}
	return "000." + code + ".H56"
}

// agencies lists every agency of 2025: the departments, the People's
// Committees of the old communes (until the reform) and of the new ones.
func (g *geo) agencies() []Agency {
	var out []Agency
	for i, name := range departments {
		if name != "" {
			out = append(out, Agency{Code: deptCode(i), Name: name, Level: LevelProvince})
		}
	}
	for _, p := range g.periods[1:] {
		after := !p.from.Before(units.Reform)
		for _, c := range p.communes {
			out = append(out, Agency{Code: communeAgencyCode(c.Code, after), Name: "UBND " + c.Name,
				Level: LevelCommune, Commune: c.Code, ValidFrom: c.ValidFrom, ValidTo: c.ValidTo})
		}
	}
	return out
}

// field is a sector of procedures.
type field struct{ code, name string }

var (
	fHoTich     = field{"HT", "Hộ tịch"}
	fChungThuc  = field{"CT", "Chứng thực"}
	fDatDai     = field{"DD", "Đất đai"}
	fXayDung    = field{"XD", "Xây dựng"}
	fKinhDoanh  = field{"KD", "Đăng ký kinh doanh"}
	fLaoDong    = field{"LD", "Lao động, việc làm"}
	fYTe        = field{"YT", "Y tế"}
	fGiaoDuc    = field{"GD", "Giáo dục và đào tạo"}
	fGiaoThong  = field{"GT", "Giao thông vận tải"}
	fTuPhap     = field{"TP", "Tư pháp"}
	fCongThuong = field{"CTH", "Công thương"}
	fVanHoa     = field{"VH", "Văn hóa, du lịch"}
)

// procedure is an administrative procedure of the synthetic catalogue. The
// codes have the shape of the national catalogue's (1.00xxxx, 2.00xxxx) but
// are not guaranteed to be the real ones.
type procedure struct {
	code, name string
	field      field
	dept       int // 0: commune level
	days       int // working days to the due date
	weight     float64
	business   bool // applicant is a business
	docs       []string
	result     string
}

var procedures = []procedure{
	// commune level
	{"1.001193", "Đăng ký khai sinh", fHoTich, 0, 0, 14, false, []string{"Tờ khai đăng ký khai sinh", "Giấy chứng sinh", "Căn cước của cha hoặc mẹ"}, "Giấy khai sinh"},
	{"1.000894", "Đăng ký kết hôn", fHoTich, 0, 0, 5, false, []string{"Tờ khai đăng ký kết hôn", "Giấy xác nhận tình trạng hôn nhân", "Căn cước của hai bên"}, "Giấy chứng nhận kết hôn"},
	{"1.000656", "Đăng ký khai tử", fHoTich, 0, 0, 4, false, []string{"Tờ khai đăng ký khai tử", "Giấy báo tử"}, "Trích lục khai tử"},
	{"2.000635", "Cấp bản sao trích lục hộ tịch", fHoTich, 0, 0, 8, false, []string{"Tờ khai cấp bản sao trích lục hộ tịch"}, "Bản sao trích lục hộ tịch"},
	{"1.004859", "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", fHoTich, 0, 3, 3, false, []string{"Tờ khai thay đổi, cải chính hộ tịch", "Giấy khai sinh bản chính"}, "Trích lục thay đổi hộ tịch"},
	{"2.000815", "Chứng thực bản sao từ bản chính", fChungThuc, 0, 0, 16, false, []string{"Bản chính giấy tờ", "Bản sao cần chứng thực"}, "Bản sao được chứng thực"},
	{"2.000884", "Chứng thực chữ ký trong giấy tờ, văn bản", fChungThuc, 0, 0, 6, false, []string{"Giấy tờ cần chứng thực chữ ký", "Căn cước người yêu cầu"}, "Giấy tờ được chứng thực chữ ký"},
	{"2.001035", "Chứng thực hợp đồng, giao dịch liên quan đến tài sản", fChungThuc, 0, 2, 3, false, []string{"Dự thảo hợp đồng", "Giấy chứng nhận quyền sở hữu tài sản", "Căn cước các bên"}, "Hợp đồng được chứng thực"},
	{"1.003003", "Đăng ký biến động quyền sử dụng đất", fDatDai, 0, 10, 4, false, []string{"Đơn đăng ký biến động", "Giấy chứng nhận quyền sử dụng đất", "Hợp đồng chuyển nhượng"}, "Giấy chứng nhận quyền sử dụng đất"},
	{"1.004227", "Cấp Giấy chứng nhận quyền sử dụng đất lần đầu", fDatDai, 0, 20, 3, false, []string{"Đơn đăng ký cấp giấy chứng nhận", "Giấy tờ về quyền sử dụng đất", "Sơ đồ thửa đất"}, "Giấy chứng nhận quyền sử dụng đất"},
	{"1.001990", "Chuyển mục đích sử dụng đất", fDatDai, 0, 15, 2, false, []string{"Đơn xin chuyển mục đích sử dụng đất", "Giấy chứng nhận quyền sử dụng đất"}, "Quyết định cho phép chuyển mục đích sử dụng đất"},
	{"1.009994", "Cấp giấy phép xây dựng nhà ở riêng lẻ", fXayDung, 0, 15, 3, false, []string{"Đơn đề nghị cấp giấy phép xây dựng", "Bản vẽ thiết kế", "Giấy tờ về quyền sử dụng đất"}, "Giấy phép xây dựng"},
	{"2.000720", "Đăng ký thành lập hộ kinh doanh", fKinhDoanh, 0, 3, 4, false, []string{"Giấy đề nghị đăng ký hộ kinh doanh", "Căn cước chủ hộ"}, "Giấy chứng nhận đăng ký hộ kinh doanh"},
	{"2.000575", "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", fKinhDoanh, 0, 3, 2, false, []string{"Thông báo thay đổi nội dung đăng ký hộ kinh doanh"}, "Giấy chứng nhận đăng ký hộ kinh doanh"},
	{"1.001776", "Trợ cấp xã hội hằng tháng", fLaoDong, 0, 10, 3, false, []string{"Tờ khai đề nghị trợ giúp xã hội", "Giấy xác nhận khuyết tật"}, "Quyết định trợ cấp xã hội"},
	{"1.005099", "Chuyển trường đối với học sinh tiểu học", fGiaoDuc, 0, 3, 2, false, []string{"Đơn xin chuyển trường", "Học bạ"}, "Giấy giới thiệu chuyển trường"},
	// province level
	{"1.000105", "Cấp giấy phép lao động cho người lao động nước ngoài", fLaoDong, 1, 5, 2, true, []string{"Văn bản đề nghị cấp giấy phép lao động", "Giấy chứng nhận sức khỏe", "Hộ chiếu"}, "Giấy phép lao động"},
	{"1.000456", "Đăng ký nội quy lao động", fLaoDong, 1, 7, 2, true, []string{"Văn bản đề nghị đăng ký nội quy lao động", "Nội quy lao động"}, "Thông báo đăng ký nội quy lao động"},
	{"2.000488", "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", fTuPhap, 2, 10, 8, false, []string{"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp", "Căn cước người yêu cầu"}, "Phiếu lý lịch tư pháp"},
	{"1.001071", "Đăng ký hoạt động Văn phòng công chứng", fTuPhap, 2, 10, 1, true, []string{"Đơn đề nghị đăng ký hoạt động", "Quyết định cho phép thành lập"}, "Giấy đăng ký hoạt động"},
	{"2.001610", "Đăng ký thành lập công ty TNHH một thành viên", fKinhDoanh, 3, 3, 5, true, []string{"Giấy đề nghị đăng ký doanh nghiệp", "Điều lệ công ty", "Căn cước chủ sở hữu"}, "Giấy chứng nhận đăng ký doanh nghiệp"},
	{"2.001199", "Đăng ký thành lập công ty cổ phần", fKinhDoanh, 3, 3, 2, true, []string{"Giấy đề nghị đăng ký doanh nghiệp", "Điều lệ công ty", "Danh sách cổ đông sáng lập"}, "Giấy chứng nhận đăng ký doanh nghiệp"},
	{"2.002024", "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", fKinhDoanh, 3, 3, 4, true, []string{"Thông báo thay đổi nội dung đăng ký doanh nghiệp"}, "Giấy xác nhận thay đổi nội dung đăng ký doanh nghiệp"},
	{"2.000620", "Cấp Giấy phép bán lẻ sản phẩm rượu", fCongThuong, 4, 10, 2, true, []string{"Đơn đề nghị cấp giấy phép", "Bản sao hợp đồng mua bán rượu"}, "Giấy phép bán lẻ sản phẩm rượu"},
	{"2.000190", "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", fCongThuong, 4, 15, 2, true, []string{"Đơn đề nghị cấp giấy chứng nhận", "Bản thuyết minh cơ sở vật chất"}, "Giấy chứng nhận đủ điều kiện an toàn thực phẩm"},
	{"1.000798", "Giao đất, cho thuê đất cho tổ chức", fDatDai, 5, 20, 2, true, []string{"Đơn xin giao đất, cho thuê đất", "Văn bản chấp thuận chủ trương đầu tư"}, "Quyết định giao đất, cho thuê đất"},
	{"1.004253", "Cấp giấy phép khai thác nước mặt", fDatDai, 5, 30, 1, true, []string{"Đơn đề nghị cấp giấy phép", "Đề án khai thác nước"}, "Giấy phép khai thác tài nguyên nước"},
	{"1.009974", "Cấp giấy phép xây dựng công trình", fXayDung, 6, 20, 2, true, []string{"Đơn đề nghị cấp giấy phép xây dựng", "Hồ sơ thiết kế xây dựng"}, "Giấy phép xây dựng"},
	{"1.009972", "Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng", fXayDung, 6, 25, 1, true, []string{"Tờ trình thẩm định", "Báo cáo nghiên cứu khả thi"}, "Thông báo kết quả thẩm định"},
	{"1.002861", "Cấp phù hiệu xe kinh doanh vận tải", fGiaoThong, 6, 2, 3, true, []string{"Giấy đề nghị cấp phù hiệu", "Giấy đăng ký xe"}, "Phù hiệu xe"},
	{"1.001577", "Đăng ký hợp đồng chuyển giao công nghệ", fKinhDoanh, 7, 15, 1, true, []string{"Văn bản đề nghị đăng ký", "Hợp đồng chuyển giao công nghệ"}, "Giấy chứng nhận đăng ký chuyển giao công nghệ"},
	{"1.005092", "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", fGiaoDuc, 8, 2, 3, false, []string{"Đơn đề nghị cấp bản sao văn bằng", "Căn cước người yêu cầu"}, "Bản sao văn bằng"},
	{"1.005090", "Chuyển trường đối với học sinh trung học phổ thông", fGiaoDuc, 8, 3, 2, false, []string{"Đơn xin chuyển trường", "Học bạ", "Giấy giới thiệu chuyển trường"}, "Quyết định chuyển trường"},
	{"1.004606", "Cấp chứng chỉ hành nghề khám bệnh, chữa bệnh", fYTe, 9, 20, 2, false, []string{"Đơn đề nghị cấp chứng chỉ hành nghề", "Văn bằng chuyên môn", "Giấy chứng nhận sức khỏe"}, "Chứng chỉ hành nghề"},
	{"1.003575", "Cấp giấy phép hoạt động phòng khám đa khoa", fYTe, 9, 30, 1, true, []string{"Đơn đề nghị cấp giấy phép hoạt động", "Danh sách nhân sự"}, "Giấy phép hoạt động"},
	{"1.004616", "Cấp Giấy chứng nhận đủ điều kiện kinh doanh dược", fYTe, 9, 20, 1, true, []string{"Đơn đề nghị cấp giấy chứng nhận", "Chứng chỉ hành nghề dược"}, "Giấy chứng nhận đủ điều kiện kinh doanh dược"},
	{"1.004628", "Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa", fVanHoa, 10, 5, 1, true, []string{"Đơn đề nghị cấp giấy phép", "Giấy chứng nhận ký quỹ"}, "Giấy phép kinh doanh lữ hành nội địa"},
	{"1.001432", "Công nhận hạng cơ sở lưu trú du lịch", fVanHoa, 10, 30, 1, true, []string{"Đơn đề nghị công nhận hạng", "Bản tự đánh giá chất lượng"}, "Quyết định công nhận hạng"},
	{"1.001078", "Đăng ký hoạt động tín ngưỡng", fVanHoa, 11, 15, 1, false, []string{"Văn bản đăng ký hoạt động tín ngưỡng"}, "Văn bản chấp thuận"},
	{"2.002175", "Giải quyết khiếu nại lần đầu", fTuPhap, 12, 30, 1, false, []string{"Đơn khiếu nại", "Tài liệu kèm theo"}, "Quyết định giải quyết khiếu nại"},
	{"1.009772", "Cấp Giấy chứng nhận đăng ký đầu tư", fKinhDoanh, 13, 15, 1, true, []string{"Văn bản đề nghị thực hiện dự án", "Đề xuất dự án đầu tư"}, "Giấy chứng nhận đăng ký đầu tư"},
	{"1.000284", "Công bố thủ tục hành chính thuộc thẩm quyền UBND tỉnh", fTuPhap, 14, 5, 1, true, []string{"Tờ trình công bố", "Dự thảo quyết định công bố"}, "Quyết định công bố"},
	{"1.002809", "Cấp đổi giấy phép lái xe", fGiaoThong, 15, 5, 6, false, []string{"Đơn đề nghị đổi giấy phép lái xe", "Giấy khám sức khỏe", "Giấy phép lái xe cũ"}, "Giấy phép lái xe"},
	{"2.001977", "Đăng ký xe ô tô", fGiaoThong, 15, 2, 3, false, []string{"Giấy khai đăng ký xe", "Chứng từ nguồn gốc xe", "Chứng từ lệ phí trước bạ"}, "Giấy chứng nhận đăng ký xe"},
}

// procedureIndex splits the catalogue by level, with the weights for drawing.
func procedureIndex() (commune, province []int, wc, wp []float64) {
	for i, p := range procedures {
		if p.dept == 0 {
			commune, wc = append(commune, i), append(wc, p.weight)
		} else {
			province, wp = append(province, i), append(wp, p.weight)
		}
	}
	return
}

// AgencyHeader is the header of reference/co_quan.csv.
var AgencyHeader = []string{"ma_co_quan", "ten_co_quan", "cap", "ma_xa", "hieu_luc_tu", "hieu_luc_den"}

// writeAgencies writes reference/co_quan.csv (UTF-8 without BOM, LF): every
// agency that can receive a 2025 dossier. hieu_luc_tu is the first day of
// validity and hieu_luc_den the first day it is no longer valid (exclusive,
// like units.Unit.ValidTo); empty when open.
func writeAgencies(g *gen) (it Item, err error) {
	it = Item{File: AgencyFile, Dataset: "reference.agencies"}
	f, err := os.Create(g.path(AgencyFile))
	if err != nil {
		return it, fmt.Errorf("creating %s: %w", AgencyFile, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("closing %s: %w", AgencyFile, cerr)
		}
	}()
	w := csv.NewWriter(f)
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(dayLayout)
	}
	if err = w.Write(AgencyHeader); err != nil {
		return it, fmt.Errorf("writing %s: %w", AgencyFile, err)
	}
	for _, a := range g.geo.agencies() {
		it.Rows++
		if err = w.Write([]string{a.Code, a.Name, a.Level, a.Commune, day(a.ValidFrom), day(a.ValidTo)}); err != nil {
			return it, fmt.Errorf("writing %s: %w", AgencyFile, err)
		}
	}
	w.Flush()
	if err = w.Error(); err != nil {
		return it, fmt.Errorf("writing %s: %w", AgencyFile, err)
	}
	return it, nil
}
