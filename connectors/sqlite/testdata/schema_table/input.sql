CREATE TABLE "bảng dữ liệu" ("mã" INTEGER, "tên" TEXT);
INSERT INTO "bảng dữ liệu" VALUES (1, 'Sơn La'), (2, 'Mộc Châu');
