-- mart: dossier_kpi_monthly
-- label: Chỉ số giải quyết hồ sơ TTHC theo cơ quan và tháng, so với chỉ tiêu
-- label_en: Administrative-procedure dossier KPIs by agency and month, against the plan's targets
-- description: One row per agency and month of receipt (Asia/Ho_Chi_Minh). received: dossiers
--   received; completed: processed or returned (status 9, 10) with a finish date; on_time: completed
--   with finished_at <= due_at; online: channel 2; digitised: HoSoCoThanhPhanSoHoa = 1; reused: at
--   least one submitted document reused or taken from the national data store; paid_online:
--   DuocThanhToanTrucTuyen 1 or 2. Rates: on_time / completed, the others / received. Targets are
--   those of Plan 210/KH-UBND for the month's year (marts.plan_targets); *_met says whether the
--   month's rate reaches its target.
-- description_vi: Một dòng cho mỗi cơ quan và tháng tiếp nhận: số hồ sơ tiếp nhận; đã giải quyết (trạng
--   thái 9, 10, có ngày kết thúc); đúng hạn (kết thúc không muộn hơn hạn); nộp trực tuyến; được số hóa;
--   có kết quả được tái sử dụng; thanh toán trực tuyến. Tỷ lệ đúng hạn tính trên số đã giải quyết, các
--   tỷ lệ khác trên số tiếp nhận; chỉ tiêu là của Kế hoạch 210/KH-UBND cho năm của tháng.
-- key: agency_code, month
-- test: not_null(agency_code, month, received)
-- test: unique(agency_code, month)
-- test: accepted_range(on_time_rate, 0, 1)
-- test: accepted_range(digitised_rate, 0, 1)
-- test: accepted_range(reuse_rate, 0, 1)
-- test: accepted_range(online_payment_rate, 0, 1)
-- test: assert(completed <= received AND on_time <= completed AND digitised <= received AND reused <= received AND online <= received AND paid_online <= received)
-- test: relationships(agency_code, reference.agencies, agency_code)
-- test: reconcile(sum(received), SELECT count(*) FROM admin_procedures.dossiers)
-- test: reconcile(sum(on_time), SELECT count(*) FROM admin_procedures.dossiers WHERE status IN (9, 10) AND finished_at <= due_at)
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
), m AS (
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
        CAST(count(*) FILTER (WHERE paid_online) AS BIGINT) AS paid_online
    FROM d
    GROUP BY d.agency_code, d.month
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
