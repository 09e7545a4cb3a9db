-- mart: dossier_kpi_procedure_monthly
-- label: Chỉ số giải quyết hồ sơ TTHC theo thủ tục và tháng, so với chỉ tiêu
-- label_en: Administrative-procedure dossier KPIs by procedure and month, against the plan's targets
-- description: One row per administrative procedure (MaTTHC) and month of receipt, over every
--   agency: the counts and rates of marts.dossier_kpi_monthly, and the plan's targets for the
--   month's year. Shows which procedures hold the province back from a target.
-- description_vi: Một dòng cho mỗi thủ tục hành chính (mã TTHC) và tháng tiếp nhận, trên mọi cơ quan:
--   các số đếm và tỷ lệ như bảng theo cơ quan, cùng chỉ tiêu của kế hoạch cho năm của tháng. Cho thấy
--   thủ tục nào làm tỉnh chưa đạt chỉ tiêu.
-- key: procedure_code, month
-- test: not_null(procedure_code, month, received)
-- test: unique(procedure_code, month)
-- test: accepted_range(on_time_rate, 0, 1)
-- test: accepted_range(digitised_rate, 0, 1)
-- test: accepted_range(reuse_rate, 0, 1)
-- test: assert(completed <= received AND on_time <= completed AND agencies >= 1)
-- test: reconcile(sum(received), SELECT count(*) FROM admin_procedures.dossiers)
-- test: reconcile(sum(digitised), SELECT sum(digitised) FROM marts.dossier_kpi_monthly)
-- test: reconcile(sum(paid_online), SELECT sum(paid_online) FROM marts.dossier_kpi_monthly)
WITH d AS (
    SELECT
        procedure_code,
        procedure_name,
        field_code,
        field_name,
        agency_code,
        CAST(date_trunc('month', received_at) AS DATE) AS month,
        status IN (9, 10) AND finished_at IS NOT NULL AS completed,
        status IN (9, 10) AND finished_at IS NOT NULL AND finished_at <= due_at AS on_time,
        channel = 2 AS online,
        coalesce(digitised, false) AS digitised,
        coalesce(documents_reused, 0) > 0 AS reused,
        coalesce(online_payment, 0) IN (1, 2) AS paid_online
    FROM admin_procedures.dossiers
), m AS (
    SELECT
        procedure_code,
        any_value(procedure_name) AS procedure_name,
        any_value(field_code) AS field_code,
        any_value(field_name) AS field_name,
        month,
        CAST(count(DISTINCT agency_code) AS BIGINT) AS agencies,
        CAST(count(*) AS BIGINT) AS received,
        CAST(count(*) FILTER (WHERE completed) AS BIGINT) AS completed,
        CAST(count(*) FILTER (WHERE on_time) AS BIGINT) AS on_time,
        CAST(count(*) FILTER (WHERE online) AS BIGINT) AS online,
        CAST(count(*) FILTER (WHERE digitised) AS BIGINT) AS digitised,
        CAST(count(*) FILTER (WHERE reused) AS BIGINT) AS reused,
        CAST(count(*) FILTER (WHERE paid_online) AS BIGINT) AS paid_online
    FROM d
    GROUP BY procedure_code, month
), t AS (
    SELECT year,
           max(target) FILTER (WHERE kpi = 'digitised_rate') AS digitised_target,
           max(target) FILTER (WHERE kpi = 'reuse_rate') AS reuse_target,
           max(target) FILTER (WHERE kpi = 'on_time_rate') AS on_time_target,
           max(target) FILTER (WHERE kpi = 'online_rate') AS online_target
    FROM marts.plan_targets GROUP BY year
), r AS (
    SELECT
        m.*,
        on_time / nullif(completed, 0) AS on_time_rate,
        online / received AS online_rate,
        digitised / received AS digitised_rate,
        reused / received AS reuse_rate,
        paid_online / received AS online_payment_rate
    FROM m
)
SELECT
    r.*,
    t.digitised_target, t.reuse_target, t.on_time_target, t.online_target,
    r.digitised_rate >= t.digitised_target AS digitised_met,
    r.reuse_rate >= t.reuse_target AS reuse_met,
    r.on_time_rate >= t.on_time_target AS on_time_met,
    r.online_rate >= t.online_target AS online_met
FROM r LEFT JOIN t ON t.year = year(r.month)
