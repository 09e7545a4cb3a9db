-- mart: sector_industry_trade
-- label: Công Thương theo xã hiện nay và tháng: hộ có điện, điện thương phẩm, giá trị sản xuất công nghiệp
-- label_en: Industry and trade on today's 75 communes by month: households with power, electricity sold, industrial output value
-- description: The power company's monthly commune reports and the enterprises' industrial output, on
--   the communes of today (marts.commune_today_map at the report's month, shares where a commune was
--   split); markets and logistics facilities are the current list. Every commune has a row for every month.
--   Sums are exact decimals (shares as DECIMAL(18,9)), cast to DOUBLE once: a rebuild gives the same bits.
-- description_vi: Báo cáo hằng tháng theo xã của công ty điện lực và giá trị sản xuất công nghiệp của
--   doanh nghiệp, trên 75 xã, phường hiện nay (theo tỷ lệ khi một xã bị chia); chợ và cơ sở logistics
--   là danh sách hiện nay. Mỗi xã có một dòng cho mọi tháng. Tổng là số thập phân chính xác.
-- column: households = Số hộ | Households
-- column: households_powered = Số hộ có điện | Households with power
-- column: electrification_rate = Tỷ lệ hộ có điện | Electrification rate
-- column: sold_mwh = Điện thương phẩm (MWh) | Electricity sold (MWh)
-- column: industrial_value_bn_vnd = Giá trị sản xuất công nghiệp (tỷ đồng) | Industrial output value (billion VND)
-- column: markets = Chợ | Markets
-- column: market_stalls = Điểm kinh doanh tại chợ | Market stalls
-- column: logistics_facilities = Cơ sở logistics | Logistics facilities
-- column: storage_tonnes = Sức chứa kho (tấn) | Storage capacity (tonnes)
-- key: commune_code, month
-- figure: households = sum
-- figure: households_powered = sum
-- figure: electrification_rate = households_powered / households
-- figure: sold_mwh = sum
-- figure: industrial_value_bn_vnd = sum
-- figure: markets = sum
-- figure: market_stalls = sum
-- figure: logistics_facilities = sum
-- figure: storage_tonnes = sum
-- test: not_null(commune_code, commune_name, month, households, households_powered)
-- test: unique(commune_code, month)
-- test: accepted_range(electrification_rate, 0, 1)
-- test: relationships(commune_code, marts.commune_today_map, commune_code)
-- test: reconcile(abs(sum(households) - (SELECT coalesce(sum(households), 0) FROM industry_trade.electricity)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(industrial_value_bn_vnd) - (SELECT coalesce(sum(CAST(value_bn_vnd AS DOUBLE)), 0) FROM industry_trade.industrial_output WHERE commune_code IS NOT NULL)) < 0.01, SELECT true)
WITH facts AS (
    SELECT 'e' || report_id AS fid, commune_code AS code, report_month AS day,
           CAST(households AS DECIMAL(18,3)) AS households, CAST(households_powered AS DECIMAL(18,3)) AS powered,
           CAST(sold_mwh AS DECIMAL(18,3)) AS mwh, NULL::DECIMAL(18,3) AS ind_value
    FROM industry_trade.electricity
    UNION ALL
    SELECT 'i' || report_id, commune_code, report_month, NULL, NULL, NULL, value_bn_vnd
    FROM industry_trade.industrial_output WHERE commune_code IS NOT NULL
), rolled AS (
    SELECT f.*, m.commune_code AS today_code, CAST(m.share AS DECIMAL(18,9)) AS share
    FROM facts f
    JOIN marts.commune_today_map m
        ON m.code = f.code AND (m.valid_before IS NULL OR f.day < m.valid_before)
    QUALIFY m.valid_before IS NOT DISTINCT FROM min(m.valid_before) OVER (PARTITION BY f.fid)
), c AS (
    SELECT today_code AS commune_code, CAST(date_trunc('month', day) AS DATE) AS month,
           sum(households * share) AS households, sum(powered * share) AS households_powered,
           sum(mwh * share) AS sold_mwh, sum(ind_value * share) AS industrial_value_bn_vnd
    FROM rolled GROUP BY ALL
), markets AS (
    SELECT commune_code, count(*) AS markets, sum(stalls) AS market_stalls FROM industry_trade.markets GROUP BY commune_code
), logistics AS (
    SELECT commune_code, count(*) AS logistics_facilities, CAST(sum(capacity_tonnes) AS DOUBLE) AS storage_tonnes
    FROM industry_trade.logistics_facilities GROUP BY commune_code
), grid AS (
    SELECT u.code AS commune_code, u.name AS commune_name, mo.month
    FROM reference.admin_units u
    CROSS JOIN (SELECT DISTINCT CAST(date_trunc('month', day) AS DATE) AS month FROM facts) mo
    WHERE u.level = 'commune' AND u.valid_to IS NULL
)
SELECT g.commune_code, g.commune_name, g.month,
       CAST(coalesce(c.households, 0) AS DOUBLE) AS households,
       CAST(coalesce(c.households_powered, 0) AS DOUBLE) AS households_powered,
       CAST(c.households_powered AS DOUBLE) / nullif(CAST(c.households AS DOUBLE), 0) AS electrification_rate,
       CAST(coalesce(c.sold_mwh, 0) AS DOUBLE) AS sold_mwh,
       CAST(coalesce(c.industrial_value_bn_vnd, 0) AS DOUBLE) AS industrial_value_bn_vnd,
       coalesce(mk.markets, 0) AS markets,
       coalesce(mk.market_stalls, 0) AS market_stalls,
       coalesce(lg.logistics_facilities, 0) AS logistics_facilities,
       coalesce(lg.storage_tonnes, 0) AS storage_tonnes
FROM grid g
LEFT JOIN c USING (commune_code, month)
LEFT JOIN markets mk USING (commune_code)
LEFT JOIN logistics lg USING (commune_code)
