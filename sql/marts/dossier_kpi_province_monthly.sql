-- mart: dossier_kpi_province_monthly
-- label: Chỉ số giải quyết hồ sơ TTHC toàn tỉnh theo tháng, so với chỉ tiêu
-- label_en: Province-wide dossier KPIs by month against the plan's targets
-- description: The agency KPIs summed over the province, with the plan's target of the month's
--   year and whether it is met.
-- description_vi: Chỉ số của các cơ quan cộng lại trên toàn tỉnh, với chỉ tiêu của kế hoạch cho năm của
--   tháng và việc đạt hay chưa đạt.
-- key: month
-- test: not_null(month, received, digitised_target)
-- test: unique(month)
-- test: accepted_range(digitised_rate, 0, 1)
-- test: accepted_range(on_time_rate, 0, 1)
-- test: reconcile(sum(received), SELECT sum(received) FROM marts.dossier_kpi_monthly)
-- test: reconcile(sum(received), SELECT count(*) FROM admin_procedures.dossiers)
-- test: reconcile(sum(reused), SELECT sum(reused) FROM marts.dossier_kpi_procedure_monthly)
WITH m AS (
    SELECT
        month,
        CAST(sum(received) AS BIGINT) AS received,
        CAST(sum(completed) AS BIGINT) AS completed,
        CAST(sum(on_time) AS BIGINT) AS on_time,
        CAST(sum(online) AS BIGINT) AS online,
        CAST(sum(digitised) AS BIGINT) AS digitised,
        CAST(sum(reused) AS BIGINT) AS reused,
        CAST(sum(paid_online) AS BIGINT) AS paid_online
    FROM marts.dossier_kpi_monthly
    GROUP BY month
), t AS (
    SELECT year, max(target) FILTER (WHERE kpi = 'digitised_rate') AS digitised_target,
           max(target) FILTER (WHERE kpi = 'reuse_rate') AS reuse_target,
           max(target) FILTER (WHERE kpi = 'on_time_rate') AS on_time_target,
           max(target) FILTER (WHERE kpi = 'online_rate') AS online_target
    FROM marts.plan_targets GROUP BY year
)
SELECT
    m.*,
    on_time / nullif(completed, 0) AS on_time_rate,
    online / received AS online_rate,
    digitised / received AS digitised_rate,
    reused / received AS reuse_rate,
    paid_online / received AS online_payment_rate,
    t.digitised_target, t.reuse_target, t.on_time_target, t.online_target,
    digitised / received >= t.digitised_target AS digitised_met,
    reused / received >= t.reuse_target AS reuse_met,
    on_time / nullif(completed, 0) >= t.on_time_target AS on_time_met,
    online / received >= t.online_target AS online_met
FROM m LEFT JOIN t ON t.year = year(m.month)
