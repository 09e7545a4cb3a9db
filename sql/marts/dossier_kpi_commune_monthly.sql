-- mart: dossier_kpi_commune_monthly
-- label: Chỉ số hồ sơ TTHC cấp xã theo xã hiện nay (75 xã, phường) và tháng
-- label_en: Commune-level dossier KPIs on today's 75 communes, by month
-- description: Dossiers handled by commune People's Committees. A dossier received before the
--   reform of 01/07/2025 counts for the commune of today that its commune became part of
--   (reference.admin_unit_succession, weighted by the share where a commune was split).
-- key: commune_code, month
-- test: not_null(commune_code, month, received)
-- test: unique(commune_code, month)
-- test: reconcile(sum(received), SELECT count(*) FROM admin_procedures.dossiers d JOIN reference.agencies a USING (agency_code) WHERE a.level = 'xã')
WITH d AS (
    SELECT
        d.*,
        a.commune_code AS agency_commune,
        CAST(date_trunc('month', d.received_at) AS DATE) AS month
    FROM admin_procedures.dossiers d
    JOIN reference.agencies a USING (agency_code)
    WHERE a.level = 'xã'
), today AS (
    SELECT
        coalesce(s.new_code, d.agency_commune) AS commune_code,
        coalesce(s.share, 1.0) AS share,
        d.*
    FROM d
    LEFT JOIN reference.admin_unit_succession s
        ON d.received_at < TIMESTAMPTZ '2025-07-01 00:00:00+07' AND s.old_code = d.agency_commune
)
SELECT
    t.commune_code,
    any_value(u.name) AS commune_name,
    t.month,
    CAST(round(sum(share)) AS BIGINT) AS received,
    sum(share) FILTER (WHERE status IN (9, 10) AND finished_at <= due_at)
        / nullif(sum(share) FILTER (WHERE status IN (9, 10) AND finished_at IS NOT NULL), 0) AS on_time_rate,
    sum(share) FILTER (WHERE channel = 2) / sum(share) AS online_rate,
    sum(share) FILTER (WHERE digitised) / sum(share) AS digitised_rate,
    sum(share) FILTER (WHERE documents_reused > 0) / sum(share) AS reuse_rate
FROM today t
LEFT JOIN reference.admin_units u ON u.code = t.commune_code AND u.level = 'commune' AND u.valid_from = DATE '2025-07-01'
GROUP BY t.commune_code, t.month
