-- One column of every affinity and of the declared types that map specially.
CREATE TABLE luot_kham (
  visit_id INTEGER PRIMARY KEY,
  so_luong BIGINT,
  ho_ten VARCHAR(100),
  ghi_chu NVARCHAR(200),
  mo_ta TEXT,
  noi_dung CLOB,
  anh BLOB,
  khong_kieu,
  can_nang REAL,
  chieu_cao DOUBLE PRECISION,
  ty_le FLOAT,
  so_tien NUMERIC,
  don_gia DECIMAL(10,2),
  so_the DECIMAL(12,0),
  co_bhyt BOOLEAN,
  ngay_kham DATE,
  cap_nhat_luc DATETIME,
  loai STRING
);
INSERT INTO luot_kham VALUES
  (1, 42, 'Lò Văn Tùng', 'Xã Chiềng Hắc', 'Khám tổng quát', 'nội dung', x'00ff10', 7,
   61.5, 1.62, 0.25, 12, 150000.50, 123456789012, 1, '2025-07-01', '2025-07-01 08:30:00', 'A'),
  (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, -5, 'Quàng Thị Hặc', '', 'Mường Bằng', 'x', x'', 'chữ', 70, 1e10, 3, 12.5, '1.234,5', 7, 'true', '01/07/2025', '2025-07-02T09:00:00+07:00', 1.5);
