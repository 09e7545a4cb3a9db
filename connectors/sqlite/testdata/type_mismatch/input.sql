-- SQLite stores what it is given; the source must mark these rows bad.
CREATE TABLE t (id INTEGER, n INTEGER, r REAL, s TEXT, b BLOB);
INSERT INTO t VALUES
  (1, 10, 1.5, 'bình thường', x'01'),
  (2, 'abc', 2.0, 'chữ', x'02'),
  (3, 1.5, 'không phải số', 's', 'text in blob'),
  (4, x'0102', 3, CAST(x'c3' AS TEXT), 4),
  (5, 5, x'ff', CAST('ổn' AS BLOB), NULL),
  (6, '12abc', 'nữa', CAST(x'ff00' AS BLOB), 2.5);
