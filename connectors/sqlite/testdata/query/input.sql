CREATE TABLE don_vi (ma TEXT PRIMARY KEY, ten TEXT);
CREATE TABLE luot_kham (id INTEGER PRIMARY KEY, ma_don_vi TEXT, chi_phi REAL, ngay DATE);
INSERT INTO don_vi VALUES ('03646', 'Phường Tô Hiệu'), ('03652', 'Xã Cò  Nòi');
INSERT INTO luot_kham VALUES (1, '03646', 100.5, '2025-07-01'), (2, '03646', 20, '2025-07-02'), (3, '03652', 5, '2025-07-03');
