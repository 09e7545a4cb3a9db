CREATE TABLE t (id INTEGER, cap_nhat_luc DATETIME, gia_tri TEXT);
INSERT INTO t VALUES (1, '2025-07-01 08:00:00', 'a'), (2, '2025-07-03 10:00:00', 'b'), (3, '2025-07-02 09:00:00', 'c'), (4, NULL, 'd');
