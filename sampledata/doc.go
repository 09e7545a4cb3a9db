// Package sampledata generates a deterministic synthetic Sơn La province: the
// sources that the warehouse's connectors, schemas and tests read, with a
// known number of planted bad rows.
//
// Generate writes under Options.Out:
//
//	health.db                      SQLite: co_so_y_te (clinics), luot_kham (visits), nhan_luc (staff),
//	                               trang_thiet_bi (equipment), co_so_duoc (pharmacies)
//	agriculture.db                 SQLite: trong_trot (crops), chan_nuoi (livestock), dat_dai (land use),
//	                               thuy_san (aquaculture)
//	industry_trade.db              SQLite: dien_thuong_pham (electricity), san_xuat_cong_nghiep (industrial
//	                               output), cho (markets, some names typed in TCVN3), kho_bai_logistics
//	transport.db                   SQLite: dang_ky_xe (vehicle registrations), ben_xe (depots)
//	labour/lao_dong_<yyyy>_q<q>.csv   monthly labour reports, 2024Q1..2025Q4 (UTF-8 BOM, CRLF)
//	labour/doanh_nghiep/*.csv      enterprises' monthly labour reports, one per quarter
//	labour/tim_viec/nguoi_tim_viec.xlsx, labour/tuyen_dung/viec_lam_trong.csv   job seekers, vacancies
//	culture/di_tich.xlsx           heritage sites, one sheet "Di tích" with a title block and a trailer
//	culture/thu_vien/thu_vien.xlsx, culture/du_lich/khach_du_lich_<yyyy>.csv   libraries, tourist arrivals
//	                               (destinations before the reform named with their district)
//	environment/quan_trac/<station>_<yyyy>.csv   daily means of the monitoring stations (semicolons)
//	environment/diem_nong_o_nhiem.csv            pollution hot spots, in the legacy TCVN3 encoding
//	education/truong_hoc.xlsx, hoc_sinh.xlsx, thiet_bi_day_hoc.csv   schools, learners, materials
//	construction/quy_hoach.csv, giay_phep/gpxd_<yyyy>.csv, don_gia_vat_lieu.xlsx   plans, permits, prices
//	dossiers/ho_so_2025_<mm>.json  DongBoHoSoMC sync requests, one per month of 2025
//	reference/co_quan.csv          every agency that dossiers name
//	manifest.json                  the Manifest: rows and planted bad rows per file or table, and the
//	                               dataset each feeds
//
// The same Scale and Seed give byte-identical files: every source draws from
// its own PCG stream seeded from Seed, nothing reads the clock and no output
// depends on map iteration order. Writes stream (SQLite in transactions of
// 5000 rows with prepared statements, CSV and JSON through buffered writers,
// the workbook through excelize's StreamWriter), so memory stays bounded at
// scale 100.
//
// Communes are the real ones of package units, always the ones valid at the
// row's own date: the 2024 state before 2025-01-01 (units.EarlyReform), the
// state of 01/03/2025 until 2025-06-30, the 75 new communes from 2025-07-01
// (units.Reform). Monthly reports fall inside their month, so the month and
// the report date agree on the commune. Text is NFC except the labour names
// planted in NFD on purpose.
//
// Bad rows: about 1.5% of each source (2% of the workbook) carry exactly one
// defect of a named kind (see the Bad* constants), and the Manifest counts
// them per file or table and per kind. Every other row is valid: unique keys,
// real dates, communes valid at the row's date, numbers in range.
//
// Labour names: a commune is written by name in forms a real office writes
// ("Xã Chiềng Hặc", "xã chiềng hặc", "X. Chiềng Hặc", "Chiềng Hặc",
// "XÃ CHIỀNG HẶC", NFD). The bare form is used only when it names one unit at
// that date (not for Hát Lót, where a xã and a thị trấn share it), and a
// commune whose full name is shared by another unit valid at the same date
// (the two "Xã Chiềng Chung" of 2025) is left out of the labour files for
// those months, because no written name could identify it.
package sampledata
