-- mart: dossier_kpi_commune_monthly
-- label: Chỉ số hồ sơ TTHC cấp xã theo xã hiện nay (75 xã, phường) và tháng, so với chỉ tiêu
-- label_en: Commune-level dossier KPIs on today's 75 communes, by month, against the plan's targets
-- description: Dossiers handled by commune People's Committees, on the communes of today: a dossier
--   of a commune agency counts for the commune of today that the agency's commune is or became part
--   of (marts.commune_today_map, read at a day of the agency's validity, so an agency of a commune
--   merged on 01/07/2025 counts for the commune it went to, weighted by the share where a commune
--   was split; the counts are therefore decimals). Every one of the 75 communes has a row for every
--   month of the data, with 0 received and no rates where it had no dossier. The counts are exact
--   decimal sums of the shares, cast to DOUBLE once, and each rate is its two counts' ratio.
-- description_vi: Hồ sơ do UBND cấp xã giải quyết, quy về 75 xã, phường hiện nay: hồ sơ của một cơ quan
--   cấp xã được tính cho xã hiện nay mà xã của cơ quan đó là hoặc đã nhập vào (theo tỷ lệ khi một xã bị
--   chia, nên số hồ sơ có thể lẻ). Mỗi xã có một dòng cho mọi tháng, với 0 hồ sơ và không có tỷ lệ khi
--   không có hồ sơ. Mỗi tỷ lệ là thương của hai số đếm của nó.
-- key: commune_code, month
-- test: not_null(commune_code, commune_name, month, received)
-- test: unique(commune_code, month)
-- test: accepted_range(on_time_rate, 0, 1)
-- test: accepted_range(online_rate, 0, 1)
-- test: accepted_range(digitised_rate, 0, 1)
-- test: accepted_range(reuse_rate, 0, 1)
-- test: assert(completed <= received + 1e-9 AND on_time <= completed + 1e-9)
-- test: relationships(commune_code, marts.commune_today_map, commune_code)
-- test: reconcile(count(DISTINCT commune_code), SELECT count(*) FROM reference.admin_units WHERE level = 'commune' AND valid_to IS NULL)
-- test: reconcile(round(sum(received), 6), SELECT CAST(count(*) AS DOUBLE) FROM admin_procedures.dossiers d JOIN reference.agencies a USING (agency_code) WHERE a.level = 'xã')
WITH d AS (
    SELECT
        d.dossier_id,
        a.commune_code AS agency_commune,
        -- the day the agency's commune code is read at: within the agency's validity
        least(CAST(d.received_at AS DATE), coalesce(a.valid_to - 1, DATE '9999-12-31')) AS ref_day,
        CAST(date_trunc('month', d.received_at) AS DATE) AS month,
        d.status IN (9, 10) AND d.finished_at IS NOT NULL AS completed,
        d.status IN (9, 10) AND d.finished_at IS NOT NULL AND d.finished_at <= d.due_at AS on_time,
        d.channel = 2 AS online,
        coalesce(d.digitised, false) AS digitised,
        coalesce(d.documents_reused, 0) > 0 AS reused,
        coalesce(d.online_payment, 0) IN (1, 2) AS paid_online
    FROM admin_procedures.dossiers d
    JOIN reference.agencies a USING (agency_code)
    WHERE a.level = 'xã'
), today AS (
    SELECT d.*, m.commune_code, CAST(m.share AS DECIMAL(18,9)) AS share
    FROM d
    JOIN marts.commune_today_map m
        ON m.code = d.agency_commune AND (m.valid_before IS NULL OR d.ref_day < m.valid_before)
    QUALIFY m.valid_before IS NOT DISTINCT FROM min(m.valid_before) OVER (PARTITION BY d.dossier_id)
), c AS (
    SELECT
        commune_code,
        month,
        sum(share) AS received,
        coalesce(sum(share) FILTER (WHERE completed), 0) AS completed,
        coalesce(sum(share) FILTER (WHERE on_time), 0) AS on_time,
        coalesce(sum(share) FILTER (WHERE online), 0) AS online,
        coalesce(sum(share) FILTER (WHERE digitised), 0) AS digitised,
        coalesce(sum(share) FILTER (WHERE reused), 0) AS reused,
        coalesce(sum(share) FILTER (WHERE paid_online), 0) AS paid_online
    FROM today
    GROUP BY commune_code, month
), grid AS (
    SELECT u.code AS commune_code, u.name AS commune_name, months.month
    FROM reference.admin_units u
    CROSS JOIN (SELECT DISTINCT CAST(date_trunc('month', received_at) AS DATE) AS month FROM admin_procedures.dossiers) months
    WHERE u.level = 'commune' AND u.valid_to IS NULL
), t AS (
    SELECT year,
           max(target) FILTER (WHERE kpi = 'digitised_rate') AS digitised_target,
           max(target) FILTER (WHERE kpi = 'reuse_rate') AS reuse_target,
           max(target) FILTER (WHERE kpi = 'on_time_rate') AS on_time_target,
           max(target) FILTER (WHERE kpi = 'online_rate') AS online_target
    FROM marts.plan_targets GROUP BY year
), r AS (
    SELECT
        g.commune_code,
        g.commune_name,
        g.month,
        CAST(coalesce(c.received, 0) AS DOUBLE) AS received,
        CAST(coalesce(c.completed, 0) AS DOUBLE) AS completed,
        CAST(coalesce(c.on_time, 0) AS DOUBLE) AS on_time,
        CAST(coalesce(c.online, 0) AS DOUBLE) AS online,
        CAST(coalesce(c.digitised, 0) AS DOUBLE) AS digitised,
        CAST(coalesce(c.reused, 0) AS DOUBLE) AS reused,
        CAST(coalesce(c.paid_online, 0) AS DOUBLE) AS paid_online,
        CAST(c.on_time AS DOUBLE) / nullif(CAST(c.completed AS DOUBLE), 0) AS on_time_rate,
        CAST(c.online AS DOUBLE) / nullif(CAST(c.received AS DOUBLE), 0) AS online_rate,
        CAST(c.digitised AS DOUBLE) / nullif(CAST(c.received AS DOUBLE), 0) AS digitised_rate,
        CAST(c.reused AS DOUBLE) / nullif(CAST(c.received AS DOUBLE), 0) AS reuse_rate,
        CAST(c.paid_online AS DOUBLE) / nullif(CAST(c.received AS DOUBLE), 0) AS online_payment_rate
    FROM grid g
    LEFT JOIN c USING (commune_code, month)
)
SELECT
    r.*,
    t.digitised_target, t.reuse_target, t.on_time_target, t.online_target,
    r.digitised_rate >= t.digitised_target AS digitised_met,
    r.reuse_rate >= t.reuse_target AS reuse_met,
    r.on_time_rate >= t.on_time_target AS on_time_met,
    r.online_rate >= t.online_target AS online_met
FROM r LEFT JOIN t ON t.year = year(r.month)
