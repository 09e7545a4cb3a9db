-- mart: plan_targets
-- label: Chỉ tiêu của Kế hoạch 210/KH-UBND theo năm
-- label_en: Targets of Plan 210/KH-UBND by year
-- description: The plan's yearly targets. Digitisation of dossiers and results: at least 80% in
--   2025 rising to 100% by 2030 (linear in between); reuse of digitised results: 80% by 2030.
--   On-time and online targets are the national Digital Government indicators used by the province.
-- description_vi: Chỉ tiêu theo năm của kế hoạch. Số hóa hồ sơ, kết quả giải quyết: ít nhất 80% năm
--   2025, tăng đến 100% năm 2030 (tuyến tính giữa hai mốc); tái sử dụng kết quả số hóa: 80% đến năm
--   2030. Chỉ tiêu đúng hạn và trực tuyến là chỉ tiêu Chính phủ số quốc gia mà tỉnh áp dụng.
-- key: kpi, year
-- test: not_null(kpi, year, target)
-- test: accepted_range(target, 0, 1)
SELECT kpi, CAST(y AS INTEGER) AS year, CAST(target AS DOUBLE) AS target
FROM (
    SELECT 'digitised_rate' AS kpi, y, LEAST(1.0, 0.80 + 0.04 * (y - 2025)) AS target FROM range(2025, 2031) t(y)
    UNION ALL
    SELECT 'reuse_rate', y, 0.80 FROM range(2025, 2031) t(y)
    UNION ALL
    SELECT 'on_time_rate', y, 0.95 FROM range(2025, 2031) t(y)
    UNION ALL
    SELECT 'online_rate', y, 0.80 FROM range(2025, 2031) t(y)
)
