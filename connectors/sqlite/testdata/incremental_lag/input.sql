CREATE TABLE t (id INTEGER, cap_nhat_luc DATETIME, gia_tri TEXT);
INSERT INTO t VALUES
  (1, '2025-07-01 08:00:00', 'old'),
  (2, '2025-07-01 09:30:00', 'late, inside the lag'),
  (3, '2025-07-01 10:00:00', 'at the watermark'),
  (4, '2025-07-01 11:00:00', 'new');
