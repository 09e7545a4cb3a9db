-- mart: sector_agriculture
-- label: Nông nghiệp theo xã hiện nay và năm: diện tích, sản lượng cây trồng, thuỷ sản, đất rừng, đàn vật nuôi
-- label_en: Agriculture on today's 75 communes by year: crop area and output, aquaculture, forest land, livestock
-- description: Crop reports, aquaculture and land-use inventories of every year on the communes of today:
--   a report of a commune before the reform counts for the commune of today it is or became part of
--   (marts.commune_today_map at the report's date, chains of 2025 followed, weighted by the share where
--   a commune was split), so 2024 figures sit on the 75 communes with the province's totals unchanged.
--   Livestock is the mean of the monthly head counts of the year. Every commune has a row for every year.
--   Sums are exact decimals (shares as DECIMAL(18,9)), cast to DOUBLE once: a rebuild gives the same bits.
-- description_vi: Báo cáo trồng trọt, nuôi trồng thủy sản và kiểm kê đất đai của từng năm trên 75 xã,
--   phường hiện nay: báo cáo của một xã trước sắp xếp được tính cho xã hiện nay mà nó là hoặc đã nhập
--   vào (theo tỷ lệ khi một xã bị chia), nên số liệu năm 2024 nằm trên 75 xã mà tổng của tỉnh không
--   đổi. Đàn vật nuôi là trung bình số đầu con các tháng trong năm. Tổng là số thập phân chính xác.
-- column: crop_area_ha = Diện tích gieo trồng (ha) | Crop area (ha)
-- column: crop_output_tonnes = Sản lượng cây trồng (tấn) | Crop output (tonnes)
-- column: crop_yield_t_per_ha = Năng suất (tấn/ha) | Crop yield (t/ha)
-- column: aquaculture_tonnes = Sản lượng thủy sản (tấn) | Aquaculture output (tonnes)
-- column: forest_land_ha = Đất rừng (ha) | Forest land (ha)
-- column: livestock_heads = Đàn vật nuôi (con) | Livestock (heads)
-- key: commune_code, year
-- figure: crop_area_ha = sum
-- figure: crop_output_tonnes = sum
-- figure: crop_yield_t_per_ha = crop_output_tonnes / crop_area_ha
-- figure: aquaculture_tonnes = sum
-- figure: forest_land_ha = sum
-- figure: livestock_heads = sum
-- test: not_null(commune_code, commune_name, year, crop_area_ha, crop_output_tonnes)
-- test: unique(commune_code, year)
-- test: relationships(commune_code, marts.commune_today_map, commune_code)
-- test: reconcile(count(DISTINCT commune_code), SELECT count(*) FROM reference.admin_units WHERE level = 'commune' AND valid_to IS NULL)
-- test: reconcile(abs(sum(crop_area_ha) - (SELECT coalesce(sum(CAST(area_ha AS DOUBLE)), 0) FROM agriculture.crop_reports)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(crop_output_tonnes) - (SELECT coalesce(sum(CAST(output_tonnes AS DOUBLE)), 0) FROM agriculture.crop_reports)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(aquaculture_tonnes) - (SELECT coalesce(sum(CAST(output_tonnes AS DOUBLE)), 0) FROM agriculture.aquaculture)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(forest_land_ha) - (SELECT coalesce(sum(CAST(area_ha AS DOUBLE)), 0) FROM agriculture.land_use WHERE land_type LIKE 'Đất rừng%')) < 0.01, SELECT true)
WITH facts AS (
    SELECT 'c' || report_id AS fid, commune_code AS code, report_date AS day, year,
           CAST(area_ha AS DECIMAL(18,3)) AS crop_area, CAST(output_tonnes AS DECIMAL(18,3)) AS crop_output,
           NULL::DECIMAL(18,3) AS aqua, NULL::DECIMAL(18,3) AS forest, NULL::DECIMAL(18,3) AS heads
    FROM agriculture.crop_reports
    UNION ALL
    SELECT 'a' || report_id, commune_code, report_date, year(report_date), NULL, NULL, output_tonnes, NULL, NULL
    FROM agriculture.aquaculture
    UNION ALL
    SELECT 'l' || report_id, commune_code, report_date, year, NULL, NULL, NULL, area_ha, NULL
    FROM agriculture.land_use WHERE land_type LIKE 'Đất rừng%'
    UNION ALL
    -- monthly head counts: a twelfth of their sum over the year makes the year's mean
    SELECT 'v' || report_id, commune_code, report_date, year(report_date), NULL, NULL, NULL, NULL, head_count
    FROM agriculture.livestock_reports
), rolled AS (
    SELECT f.*, m.commune_code AS today_code, CAST(m.share AS DECIMAL(18,9)) AS share
    FROM facts f
    JOIN marts.commune_today_map m
        ON m.code = f.code AND (m.valid_before IS NULL OR f.day < m.valid_before)
    QUALIFY m.valid_before IS NOT DISTINCT FROM min(m.valid_before) OVER (PARTITION BY f.fid)
), c AS (
    SELECT today_code AS commune_code, year,
           sum(crop_area * share) AS crop_area_ha,
           sum(crop_output * share) AS crop_output_tonnes,
           sum(aqua * share) AS aquaculture_tonnes,
           sum(forest * share) AS forest_land_ha,
           CAST(sum(heads * share) AS DOUBLE) / 12 AS livestock_heads
    FROM rolled
    GROUP BY today_code, year
), grid AS (
    SELECT u.code AS commune_code, u.name AS commune_name, y.year
    FROM reference.admin_units u
    CROSS JOIN (SELECT DISTINCT year FROM facts) y
    WHERE u.level = 'commune' AND u.valid_to IS NULL
)
SELECT g.commune_code, g.commune_name, CAST(g.year AS BIGINT) AS year,
       CAST(coalesce(c.crop_area_ha, 0) AS DOUBLE) AS crop_area_ha,
       CAST(coalesce(c.crop_output_tonnes, 0) AS DOUBLE) AS crop_output_tonnes,
       CAST(c.crop_output_tonnes AS DOUBLE) / nullif(CAST(c.crop_area_ha AS DOUBLE), 0) AS crop_yield_t_per_ha,
       CAST(coalesce(c.aquaculture_tonnes, 0) AS DOUBLE) AS aquaculture_tonnes,
       CAST(coalesce(c.forest_land_ha, 0) AS DOUBLE) AS forest_land_ha,
       coalesce(c.livestock_heads, 0) AS livestock_heads
FROM grid g LEFT JOIN c USING (commune_code, year)
