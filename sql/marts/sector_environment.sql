-- mart: sector_environment
-- label: Môi trường theo xã hiện nay và tháng: điểm nóng ô nhiễm, kết quả quan trắc tự động
-- label_en: Environment on today's 75 communes by month: pollution hot spots, automatic monitoring
-- description: Hot spots found and resolved, and the daily means of the industrial zones' monitoring
--   stations with the days above the regulatory limit, on the communes of today (marts.commune_today_map
--   at the date, shares where a commune was split). Every commune has a row for every month.
--   Sums are exact decimals (shares as DECIMAL(18,9)), cast to DOUBLE once: a rebuild gives the same bits.
-- description_vi: Điểm nóng ô nhiễm phát hiện và đã xử lý, và giá trị trung bình ngày của các trạm quan
--   trắc tự động tại khu công nghiệp với số ngày vượt quy chuẩn, trên 75 xã, phường hiện nay (theo tỷ
--   lệ khi một xã bị chia). Mỗi xã có một dòng cho mọi tháng. Tổng là số thập phân chính xác.
-- column: hotspots_found = Điểm nóng phát hiện | Hot spots found
-- column: hotspots_resolved = Điểm nóng đã xử lý | Hot spots resolved
-- column: serious_hotspots = Điểm nóng nghiêm trọng | Serious hot spots
-- column: measurements = Số ngày quan trắc | Monitoring days
-- column: exceedances = Số ngày vượt quy chuẩn | Days above the limit
-- column: exceedance_rate = Tỷ lệ ngày vượt quy chuẩn | Exceedance rate
-- key: commune_code, month
-- figure: hotspots_found = sum
-- figure: hotspots_resolved = sum
-- figure: serious_hotspots = sum
-- figure: measurements = sum
-- figure: exceedances = sum
-- figure: exceedance_rate = exceedances / measurements
-- test: not_null(commune_code, commune_name, month, hotspots_found, measurements)
-- test: unique(commune_code, month)
-- test: assert(exceedances <= measurements + 1e-9)
-- test: relationships(commune_code, marts.commune_today_map, commune_code)
-- test: reconcile(abs(sum(hotspots_found) - (SELECT count(*) FROM environment.pollution_hotspots)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(measurements) - (SELECT count(*) FROM environment.emission_monitoring)) < 0.01, SELECT true)
WITH facts AS (
    SELECT 'h' || hotspot_id AS fid, commune_code AS code, detected_on AS day,
           CAST(1 AS DECIMAL(18,0)) AS found, CAST(CAST(status = 'Đã xử lý' AS INTEGER) AS DECIMAL(18,0)) AS resolved,
           CAST(CAST(severity = 'Nghiêm trọng' AS INTEGER) AS DECIMAL(18,0)) AS serious,
           NULL::DECIMAL(18,0) AS measured, NULL::DECIMAL(18,0) AS exceeded
    FROM environment.pollution_hotspots
    UNION ALL
    SELECT 'm' || station_id || '|' || CAST(measured_on AS VARCHAR) || '|' || parameter, commune_code, measured_on, NULL, NULL, NULL,
           1, CAST(limit_value IS NOT NULL AND value > limit_value AS INTEGER)
    FROM environment.emission_monitoring
), rolled AS (
    SELECT f.*, m.commune_code AS today_code, CAST(m.share AS DECIMAL(18,9)) AS share
    FROM facts f
    JOIN marts.commune_today_map m
        ON m.code = f.code AND (m.valid_before IS NULL OR f.day < m.valid_before)
    QUALIFY m.valid_before IS NOT DISTINCT FROM min(m.valid_before) OVER (PARTITION BY f.fid)
), c AS (
    SELECT today_code AS commune_code, CAST(date_trunc('month', day) AS DATE) AS month,
           sum(found * share) AS hotspots_found, sum(resolved * share) AS hotspots_resolved, sum(serious * share) AS serious_hotspots,
           sum(measured * share) AS measurements, sum(exceeded * share) AS exceedances
    FROM rolled GROUP BY ALL
), grid AS (
    SELECT u.code AS commune_code, u.name AS commune_name, mo.month
    FROM reference.admin_units u
    CROSS JOIN (SELECT DISTINCT CAST(date_trunc('month', day) AS DATE) AS month FROM facts) mo
    WHERE u.level = 'commune' AND u.valid_to IS NULL
)
SELECT g.commune_code, g.commune_name, g.month,
       CAST(coalesce(c.hotspots_found, 0) AS DOUBLE) AS hotspots_found,
       CAST(coalesce(c.hotspots_resolved, 0) AS DOUBLE) AS hotspots_resolved,
       CAST(coalesce(c.serious_hotspots, 0) AS DOUBLE) AS serious_hotspots,
       CAST(coalesce(c.measurements, 0) AS DOUBLE) AS measurements,
       CAST(coalesce(c.exceedances, 0) AS DOUBLE) AS exceedances,
       CAST(c.exceedances AS DOUBLE) / nullif(CAST(c.measurements AS DOUBLE), 0) AS exceedance_rate
FROM grid g LEFT JOIN c USING (commune_code, month)
