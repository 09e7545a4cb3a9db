-- mart: sector_construction
-- label: Xây dựng theo xã hiện nay và tháng: giấy phép xây dựng, quy hoạch được duyệt
-- label_en: Construction on today's 75 communes by month: building permits, approved plans
-- description: Building permits (floor area, estimated cost) and approved plans (area) of each month on
--   the communes of today (marts.commune_today_map at the date, shares where a commune was split). Every
--   commune has a row for every month.
--   Sums are exact decimals (shares as DECIMAL(18,9)), cast to DOUBLE once: a rebuild gives the same bits.
-- description_vi: Giấy phép xây dựng (diện tích sàn, dự toán) và quy hoạch được duyệt (diện tích) của
--   từng tháng trên 75 xã, phường hiện nay (theo tỷ lệ khi một xã bị chia). Mỗi xã có một dòng cho mọi
--   tháng. Tổng là số thập phân chính xác.
-- column: permits = Giấy phép xây dựng | Building permits
-- column: housing_permits = Giấy phép xây dựng nhà ở | Housing permits
-- column: floor_area_m2 = Diện tích sàn (m²) | Floor area (m²)
-- column: est_cost_mvnd = Dự toán (triệu đồng) | Estimated cost (million VND)
-- column: plans_approved = Quy hoạch được duyệt | Plans approved
-- column: planned_ha = Diện tích quy hoạch (ha) | Planned area (ha)
-- column: cement_price_vnd_t = Giá xi măng (đồng/tấn) | Cement price (VND/t)
-- key: commune_code, month
-- figure: permits = sum
-- figure: housing_permits = sum
-- figure: floor_area_m2 = sum
-- figure: est_cost_mvnd = sum
-- figure: plans_approved = sum
-- figure: planned_ha = sum
-- figure: cement_price_vnd_t = none
-- test: not_null(commune_code, commune_name, month, permits, floor_area_m2)
-- test: unique(commune_code, month)
-- test: relationships(commune_code, marts.commune_today_map, commune_code)
-- test: reconcile(abs(sum(permits) - (SELECT count(*) FROM construction.housing)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(floor_area_m2) - (SELECT coalesce(sum(CAST(floor_area_m2 AS DOUBLE)), 0) FROM construction.housing)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(plans_approved) - (SELECT count(*) FROM construction.planning)) < 0.01, SELECT true)
WITH facts AS (
    SELECT 'p' || permit_id AS fid, commune_code AS code, issued_on AS day, CAST(1 AS DECIMAL(18,3)) AS permit,
           CAST(floor_area_m2 AS DECIMAL(18,3)) AS area, CAST(est_cost_mvnd AS DECIMAL(18,3)) AS cost,
           CAST(CAST(building_type LIKE 'Nhà ở%' AS INTEGER) AS DECIMAL(18,3)) AS housing, NULL::DECIMAL(18,3) AS plan, NULL::DECIMAL(18,3) AS plan_ha
    FROM construction.housing
    UNION ALL
    SELECT 'q' || plan_id, commune_code, approved_on, NULL, NULL, NULL, NULL, 1, area_ha
    FROM construction.planning
), rolled AS (
    SELECT f.*, m.commune_code AS today_code, CAST(m.share AS DECIMAL(18,9)) AS share
    FROM facts f
    JOIN marts.commune_today_map m
        ON m.code = f.code AND (m.valid_before IS NULL OR f.day < m.valid_before)
    QUALIFY m.valid_before IS NOT DISTINCT FROM min(m.valid_before) OVER (PARTITION BY f.fid)
), c AS (
    SELECT today_code AS commune_code, CAST(date_trunc('month', day) AS DATE) AS month,
           sum(permit * share) AS permits, sum(housing * share) AS housing_permits, sum(area * share) AS floor_area_m2,
           sum(cost * share) AS est_cost_mvnd, sum(plan * share) AS plans_approved, sum(plan_ha * share) AS planned_ha
    FROM rolled GROUP BY ALL
), prices AS (
    SELECT price_month AS month, CAST(avg(price_vnd) FILTER (WHERE material_code = 'XM01') AS DOUBLE) AS cement_price_vnd_t
    FROM construction.unit_prices GROUP BY price_month
), grid AS (
    SELECT u.code AS commune_code, u.name AS commune_name, mo.month
    FROM reference.admin_units u
    CROSS JOIN (SELECT DISTINCT CAST(date_trunc('month', day) AS DATE) AS month FROM facts) mo
    WHERE u.level = 'commune' AND u.valid_to IS NULL
)
SELECT g.commune_code, g.commune_name, g.month,
       CAST(coalesce(c.permits, 0) AS DOUBLE) AS permits,
       CAST(coalesce(c.housing_permits, 0) AS DOUBLE) AS housing_permits,
       CAST(coalesce(c.floor_area_m2, 0) AS DOUBLE) AS floor_area_m2,
       CAST(coalesce(c.est_cost_mvnd, 0) AS DOUBLE) AS est_cost_mvnd,
       CAST(coalesce(c.plans_approved, 0) AS DOUBLE) AS plans_approved,
       CAST(coalesce(c.planned_ha, 0) AS DOUBLE) AS planned_ha,
       p.cement_price_vnd_t
FROM grid g LEFT JOIN c USING (commune_code, month) LEFT JOIN prices p USING (month)
