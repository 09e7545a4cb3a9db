-- mart: sector_health
-- label: Y tế theo xã hiện nay và tháng: lượt khám, BHYT, chi phí; cơ sở, giường bệnh, nhân lực, nhà thuốc
-- label_en: Health on today's 75 communes by month: visits, insurance, cost; facilities, beds, staff, pharmacies
-- description: Visits by the patient's commune of residence, rolled to today's communes
--   (marts.commune_today_map at the visit date, shares where a commune was split), with the insured share
--   and the cost; the facilities (beds, doctors of the latest year, equipment working) and the pharmacies
--   are the current lists by their commune. Every commune has a row for every month.
--   Sums are exact decimals (shares as DECIMAL(18,9)), cast to DOUBLE once: a rebuild gives the same bits.
-- description_vi: Lượt khám bệnh theo xã cư trú của người bệnh, quy về xã hiện nay (theo tỷ lệ khi một
--   xã bị chia), với tỷ lệ có bảo hiểm y tế và chi phí; cơ sở y tế (giường bệnh, bác sĩ của năm gần
--   nhất, thiết bị đang hoạt động) và nhà thuốc là danh sách hiện nay theo xã. Mỗi xã có một dòng cho
--   mọi tháng. Tổng là số thập phân chính xác.
-- column: visits = Lượt khám | Visits
-- column: insured_visits = Lượt khám có BHYT | Insured visits
-- column: insured_rate = Tỷ lệ khám có BHYT | Insured share of visits
-- column: cost_mvnd = Chi phí khám chữa bệnh (triệu đồng) | Cost of care (million VND)
-- column: facilities = Cơ sở y tế | Health facilities
-- column: beds = Giường bệnh | Beds
-- column: doctors = Bác sĩ | Doctors
-- column: equipment_working = Thiết bị đang hoạt động | Equipment working
-- column: pharmacies = Nhà thuốc | Pharmacies
-- key: commune_code, month
-- figure: visits = sum
-- figure: insured_visits = sum
-- figure: insured_rate = insured_visits / visits
-- figure: cost_mvnd = sum
-- figure: facilities = sum
-- figure: beds = sum
-- figure: doctors = sum
-- figure: equipment_working = sum
-- figure: pharmacies = sum
-- test: not_null(commune_code, commune_name, month, visits)
-- test: unique(commune_code, month)
-- test: accepted_range(insured_rate, 0, 1)
-- test: relationships(commune_code, marts.commune_today_map, commune_code)
-- test: reconcile(abs(sum(visits) - (SELECT count(*) FROM health.visits)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(cost_mvnd) - (SELECT coalesce(sum(CAST(cost_vnd AS DOUBLE)), 0) / 1e6 FROM health.visits)) < 0.01, SELECT true)
WITH facts AS (
    SELECT visit_id AS fid, residence_commune AS code, visit_date AS day, insured, CAST(cost_vnd AS DECIMAL(18,0)) AS cost
    FROM health.visits
), rolled AS (
    SELECT f.*, m.commune_code AS today_code, CAST(m.share AS DECIMAL(18,9)) AS share
    FROM facts f
    JOIN marts.commune_today_map m
        ON m.code = f.code AND (m.valid_before IS NULL OR f.day < m.valid_before)
    QUALIFY m.valid_before IS NOT DISTINCT FROM min(m.valid_before) OVER (PARTITION BY f.fid)
), c AS (
    SELECT today_code AS commune_code, CAST(date_trunc('month', day) AS DATE) AS month,
           sum(share) AS visits, coalesce(sum(share) FILTER (WHERE insured), 0) AS insured_visits,
           sum(cost * share) AS cost_vnd
    FROM rolled GROUP BY ALL
), facilities AS (
    SELECT k.commune_code, count(*) AS facilities, sum(k.beds) AS beds,
           sum(s.doctors) AS doctors, sum(e.working) AS equipment_working
    FROM health.clinics k
    LEFT JOIN (SELECT clinic_id, doctors FROM health.staff QUALIFY year = max(year) OVER (PARTITION BY clinic_id)) s USING (clinic_id)
    LEFT JOIN (SELECT clinic_id, sum(working) AS working FROM health.equipment GROUP BY clinic_id) e USING (clinic_id)
    GROUP BY k.commune_code
), pharmacies AS (
    SELECT commune_code, count(*) AS pharmacies FROM health.pharmacies GROUP BY commune_code
), grid AS (
    SELECT u.code AS commune_code, u.name AS commune_name, mo.month
    FROM reference.admin_units u
    CROSS JOIN (SELECT DISTINCT CAST(date_trunc('month', day) AS DATE) AS month FROM facts) mo
    WHERE u.level = 'commune' AND u.valid_to IS NULL
)
SELECT g.commune_code, g.commune_name, g.month,
       CAST(coalesce(c.visits, 0) AS DOUBLE) AS visits,
       CAST(coalesce(c.insured_visits, 0) AS DOUBLE) AS insured_visits,
       CAST(c.insured_visits AS DOUBLE) / nullif(CAST(c.visits AS DOUBLE), 0) AS insured_rate,
       -- million VND: the exact sum shifted by six decimal places, then cast once
       CAST(CAST(coalesce(c.cost_vnd, 0) AS DECIMAL(38,9)) / 1000000 AS DOUBLE) AS cost_mvnd,
       coalesce(f.facilities, 0) AS facilities,
       coalesce(f.beds, 0) AS beds,
       coalesce(f.doctors, 0) AS doctors,
       coalesce(f.equipment_working, 0) AS equipment_working,
       coalesce(p.pharmacies, 0) AS pharmacies
FROM grid g LEFT JOIN c USING (commune_code, month) LEFT JOIN facilities f USING (commune_code) LEFT JOIN pharmacies p USING (commune_code)
