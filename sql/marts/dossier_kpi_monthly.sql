-- mart: dossier_kpi_monthly
-- label: Chỉ số giải quyết hồ sơ TTHC theo cơ quan và tháng
-- label_en: Administrative-procedure dossier KPIs by agency and month
-- description: One row per agency and month of receipt (Asia/Ho_Chi_Minh). received: dossiers
--   received; completed: processed or returned (status 9, 10) with a finish date; on_time: completed
--   with finished_at <= due_at; online: channel 2; digitised: HoSoCoThanhPhanSoHoa = 1; reused: at
--   least one submitted document reused or taken from the national data store; paid_online:
--   DuocThanhToanTrucTuyen 1 or 2. Rates: on_time / completed, the others / received.
-- key: agency_code, month
-- test: not_null(agency_code, month, received)
-- test: unique(agency_code, month)
-- test: accepted_range(on_time_rate, 0, 1)
-- test: accepted_range(digitised_rate, 0, 1)
-- test: reconcile(sum(received), SELECT count(*) FROM admin_procedures.dossiers)
WITH d AS (
    SELECT
        agency_code,
        agency_name,
        CAST(date_trunc('month', received_at) AS DATE) AS month,
        status IN (9, 10) AND finished_at IS NOT NULL AS completed,
        status IN (9, 10) AND finished_at IS NOT NULL AND finished_at <= due_at AS on_time,
        channel = 2 AS online,
        coalesce(digitised, false) AS digitised,
        coalesce(documents_reused, 0) > 0 AS reused,
        coalesce(online_payment, 0) IN (1, 2) AS paid_online
    FROM admin_procedures.dossiers
)
SELECT
    d.agency_code,
    any_value(d.agency_name) AS agency_name,
    d.month,
    CAST(count(*) AS BIGINT) AS received,
    CAST(count(*) FILTER (WHERE completed) AS BIGINT) AS completed,
    CAST(count(*) FILTER (WHERE on_time) AS BIGINT) AS on_time,
    CAST(count(*) FILTER (WHERE online) AS BIGINT) AS online,
    CAST(count(*) FILTER (WHERE digitised) AS BIGINT) AS digitised,
    CAST(count(*) FILTER (WHERE reused) AS BIGINT) AS reused,
    CAST(count(*) FILTER (WHERE paid_online) AS BIGINT) AS paid_online,
    count(*) FILTER (WHERE on_time) / nullif(count(*) FILTER (WHERE completed), 0) AS on_time_rate,
    count(*) FILTER (WHERE online) / count(*) AS online_rate,
    count(*) FILTER (WHERE digitised) / count(*) AS digitised_rate,
    count(*) FILTER (WHERE reused) / count(*) AS reuse_rate,
    count(*) FILTER (WHERE paid_online) / count(*) AS online_payment_rate
FROM d
GROUP BY d.agency_code, d.month
