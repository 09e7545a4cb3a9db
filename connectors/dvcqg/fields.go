package dvcqg

// The fields below follow shared/reference/dossier_fields_DongBoHoSoMC.csv and
// dossier_progress_fields_CapNhatTienDoHoSoMC.csv, in their order.

// dossierFields are the scalar fields of a DongBoHoSoMC dossier.
var dossierFields = []string{
	"MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "KenhThucHien",
	"SoBienNhan", "SoGiayToChuHoSo", "ChuHoSo", "LoaiDoiTuong", "MaDoiTuong",
	"ThongTinKhac", "Email", "Fax", "SoDienThoai", "TrichYeuHoSo",
	"NgayTiepNhan", "NgayHenTra", "TrangThaiHoSo", "NgayTra", "ThongTinTra",
	"HinhThuc", "NgayKetThucXuLy", "DonViXuLy", "GhiChu", "NoiNopHoSo",
	"HoSoCoThanhPhanSoHoa", "TaiKhoanDuocXacThucVoiVNeID",
	"DuocThanhToanTrucTuyen", "NgayTuChoi", "NgayNopHoSo",
}

// dossierDerived are the columns computed from a dossier, after its fields.
var dossierDerived = []string{
	"MaDonVi", "SoTaiLieuNop", "SoTaiLieuSoHoa", "SoTaiLieuTaiSuDung",
	"SoGiayToKetQua", "SoDinhDanhCHS",
}

// documentFields are the fields of a TaiLieuNop entry.
var documentFields = []string{
	"TepDinhKemId", "TenTepDinhKem", "IsDeleted", "MaThanhPhanHoSo",
	"DuongDanTaiTepTin", "DuocSoHoa", "DuocTaiSuDung", "DuocLayTuKhoDMQG",
	"MaKetQuaThayThe",
}

// resultFields are the fields of a DanhSachGiayToKetQua entry.
var resultFields = []string{
	"TenGiayTo", "MaThanhPhanHoSo", "GiayToId", "DuongDanTepTinKetQua", "MaGiayToKetQua",
}

// progressFields are the fields of a CapNhatTienDoHoSoMC processing step.
var progressFields = []string{
	"MaHoSo", "NguoiXuLy", "ChucDanh", "ThoiDiemXuLy", "PhongBanXuLy",
	"NoiDungXuLy", "TrangThai", "NgayBatDau", "NgayKetThucTheoQuyDinh",
}

// dossierDates and progressDates are the yyyyMMddHHmmss fields that can drive
// an incremental pick-up.
var (
	dossierDates = []string{
		"NgayTiepNhan", "NgayHenTra", "NgayTra", "NgayKetThucXuLy", "NgayTuChoi", "NgayNopHoSo",
	}
	progressDates = []string{"ThoiDiemXuLy", "NgayBatDau", "NgayKetThucTheoQuyDinh"}
)

// The services of the portal's sync requests.
const (
	ServiceDossiers = "DongBoHoSoMC"
	ServiceProgress = "CapNhatTienDoHoSoMC"
)
