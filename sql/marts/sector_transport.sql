-- mart: sector_transport
-- label: Giao thông theo xã hiện nay và tháng: phương tiện đăng ký mới, bến xe
-- label_en: Transport on today's 75 communes by month: new vehicle registrations, bus stations
-- description: Vehicles registered each month by the owner's commune, rolled to today's communes
--   (marts.commune_today_map at the registration date), by kind, with electric ones apart; the bus
--   stations and depots are the current list. Every commune has a row for every month.
--   Sums are exact decimals (shares as DECIMAL(18,9)), cast to DOUBLE once: a rebuild gives the same bits.
-- description_vi: Phương tiện đăng ký mới mỗi tháng theo xã của chủ phương tiện, quy về xã hiện nay,
--   theo loại, riêng phương tiện điện; bến xe và bãi đỗ là danh sách hiện nay. Mỗi xã có một dòng cho
--   mọi tháng. Tổng là số thập phân chính xác.
-- column: vehicles = Phương tiện đăng ký mới | Vehicles registered
-- column: cars_and_trucks = Ô tô | Cars and trucks
-- column: motorbikes = Mô tô, xe máy | Motorbikes
-- column: electric = Phương tiện điện | Electric vehicles
-- column: depots = Bến xe, bãi đỗ | Bus stations and depots
-- column: daily_departures = Chuyến xuất bến mỗi ngày | Daily departures
-- key: commune_code, month
-- figure: vehicles = sum
-- figure: cars_and_trucks = sum
-- figure: motorbikes = sum
-- figure: electric = sum
-- figure: depots = sum
-- figure: daily_departures = sum
-- test: not_null(commune_code, commune_name, month, vehicles)
-- test: unique(commune_code, month)
-- test: relationships(commune_code, marts.commune_today_map, commune_code)
-- test: reconcile(abs(sum(vehicles) - (SELECT count(*) FROM transport.vehicles)) < 0.01, SELECT true)
WITH facts AS (
    SELECT registration_id AS fid, commune_code AS code, registered_on AS day, vehicle_type, fuel
    FROM transport.vehicles
), rolled AS (
    SELECT f.*, m.commune_code AS today_code, CAST(m.share AS DECIMAL(18,9)) AS share
    FROM facts f
    JOIN marts.commune_today_map m
        ON m.code = f.code AND (m.valid_before IS NULL OR f.day < m.valid_before)
    QUALIFY m.valid_before IS NOT DISTINCT FROM min(m.valid_before) OVER (PARTITION BY f.fid)
), c AS (
    SELECT today_code AS commune_code, CAST(date_trunc('month', day) AS DATE) AS month,
           sum(share) AS vehicles,
           coalesce(sum(share) FILTER (WHERE vehicle_type LIKE 'Ô tô%'), 0) AS cars_and_trucks,
           coalesce(sum(share) FILTER (WHERE vehicle_type IN ('Mô tô', 'Xe máy điện')), 0) AS motorbikes,
           coalesce(sum(share) FILTER (WHERE fuel = 'Điện'), 0) AS electric
    FROM rolled GROUP BY ALL
), depots AS (
    SELECT commune_code, count(*) AS depots, sum(daily_departures) AS daily_departures FROM transport.depots GROUP BY commune_code
), grid AS (
    SELECT u.code AS commune_code, u.name AS commune_name, mo.month
    FROM reference.admin_units u
    CROSS JOIN (SELECT DISTINCT CAST(date_trunc('month', day) AS DATE) AS month FROM facts) mo
    WHERE u.level = 'commune' AND u.valid_to IS NULL
)
SELECT g.commune_code, g.commune_name, g.month,
       CAST(coalesce(c.vehicles, 0) AS DOUBLE) AS vehicles,
       CAST(coalesce(c.cars_and_trucks, 0) AS DOUBLE) AS cars_and_trucks,
       CAST(coalesce(c.motorbikes, 0) AS DOUBLE) AS motorbikes,
       CAST(coalesce(c.electric, 0) AS DOUBLE) AS electric,
       coalesce(d.depots, 0) AS depots,
       coalesce(d.daily_departures, 0) AS daily_departures
FROM grid g LEFT JOIN c USING (commune_code, month) LEFT JOIN depots d USING (commune_code)
