-- mart: sector_labour
-- label: Lao động, việc làm theo xã hiện nay và tháng
-- label_en: Labour and employment on today's 75 communes by month
-- description: The communes' monthly labour reports (job seekers, vacancies, people newly employed), the
--   enterprises' workers (women, social insurance), the job seekers registered and the positions posted,
--   on the communes of today (marts.commune_today_map at each fact's date, shares where a commune was
--   split). Every commune has a row for every month.
--   Sums are exact decimals (shares as DECIMAL(18,9)), cast to DOUBLE once: a rebuild gives the same bits.
-- description_vi: Báo cáo lao động hằng tháng của các xã (người tìm việc, chỗ làm trống, người có việc
--   làm mới), lao động của doanh nghiệp (nữ, có bảo hiểm xã hội), người đăng ký tìm việc và vị trí
--   tuyển dụng đã đăng, trên 75 xã, phường hiện nay (theo tỷ lệ khi một xã bị chia). Mỗi xã có một dòng
--   cho mọi tháng. Tổng là số thập phân chính xác.
-- column: job_seekers = Người tìm việc | Job seekers
-- column: vacancies = Chỗ làm trống | Vacancies
-- column: new_jobs = Người có việc làm mới | People newly employed
-- column: workers = Lao động trong doanh nghiệp | Workers
-- column: women_workers = Lao động nữ | Women workers
-- column: insured_workers = Lao động có BHXH | Workers with social insurance
-- column: insured_rate = Tỷ lệ lao động có BHXH | Social insurance coverage
-- column: registered_seekers = Người đăng ký tìm việc | Registered job seekers
-- column: positions_posted = Vị trí tuyển dụng đã đăng | Positions posted
-- key: commune_code, month
-- figure: job_seekers = sum
-- figure: vacancies = sum
-- figure: new_jobs = sum
-- figure: workers = sum
-- figure: women_workers = sum
-- figure: insured_workers = sum
-- figure: insured_rate = insured_workers / workers
-- figure: registered_seekers = sum
-- figure: positions_posted = sum
-- test: not_null(commune_code, commune_name, month, job_seekers, workers)
-- test: unique(commune_code, month)
-- test: accepted_range(insured_rate, 0, 1)
-- test: relationships(commune_code, marts.commune_today_map, commune_code)
-- test: reconcile(abs(sum(job_seekers) - (SELECT coalesce(sum(job_seekers), 0) FROM labour.job_reports)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(workers) - (SELECT coalesce(sum(workers), 0) FROM labour.workers)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(registered_seekers) - (SELECT count(*) FROM labour.job_seekers)) < 0.01, SELECT true)
-- test: reconcile(abs(sum(positions_posted) - (SELECT coalesce(sum(positions), 0) FROM labour.vacancies)) < 0.01, SELECT true)
WITH facts AS (
    SELECT 'r' || report_id AS fid, commune_code AS code, report_month AS day,
           CAST(job_seekers AS DECIMAL(18,0)) AS seekers, CAST(vacancies AS DECIMAL(18,0)) AS vacancies, CAST(new_jobs AS DECIMAL(18,0)) AS new_jobs,
           NULL::DECIMAL(18,0) AS workers, NULL::DECIMAL(18,0) AS women, NULL::DECIMAL(18,0) AS insured, NULL::DECIMAL(18,0) AS registered, NULL::DECIMAL(18,0) AS posted
    FROM labour.job_reports
    UNION ALL
    SELECT 'w' || report_id, commune_code, report_month, NULL, NULL, NULL, workers, female_workers, insured_workers, NULL, NULL
    FROM labour.workers
    UNION ALL
    SELECT 's' || seeker_id, commune_code, registered_on, NULL, NULL, NULL, NULL, NULL, NULL, 1, NULL
    FROM labour.job_seekers
    UNION ALL
    SELECT 'v' || vacancy_id, commune_code, posted_on, NULL, NULL, NULL, NULL, NULL, NULL, NULL, positions
    FROM labour.vacancies
), rolled AS (
    SELECT f.*, m.commune_code AS today_code, CAST(m.share AS DECIMAL(18,9)) AS share
    FROM facts f
    JOIN marts.commune_today_map m
        ON m.code = f.code AND (m.valid_before IS NULL OR f.day < m.valid_before)
    QUALIFY m.valid_before IS NOT DISTINCT FROM min(m.valid_before) OVER (PARTITION BY f.fid)
), c AS (
    SELECT today_code AS commune_code, CAST(date_trunc('month', day) AS DATE) AS month,
           sum(seekers * share) AS job_seekers, sum(vacancies * share) AS vacancies, sum(new_jobs * share) AS new_jobs,
           sum(workers * share) AS workers, sum(women * share) AS women_workers, sum(insured * share) AS insured_workers,
           sum(registered * share) AS registered_seekers, sum(posted * share) AS positions_posted
    FROM rolled GROUP BY ALL
), grid AS (
    SELECT u.code AS commune_code, u.name AS commune_name, mo.month
    FROM reference.admin_units u
    CROSS JOIN (SELECT DISTINCT CAST(date_trunc('month', day) AS DATE) AS month FROM facts) mo
    WHERE u.level = 'commune' AND u.valid_to IS NULL
)
SELECT g.commune_code, g.commune_name, g.month,
       CAST(coalesce(c.job_seekers, 0) AS DOUBLE) AS job_seekers,
       CAST(coalesce(c.vacancies, 0) AS DOUBLE) AS vacancies,
       CAST(coalesce(c.new_jobs, 0) AS DOUBLE) AS new_jobs,
       CAST(coalesce(c.workers, 0) AS DOUBLE) AS workers,
       CAST(coalesce(c.women_workers, 0) AS DOUBLE) AS women_workers,
       CAST(coalesce(c.insured_workers, 0) AS DOUBLE) AS insured_workers,
       CAST(c.insured_workers AS DOUBLE) / nullif(CAST(c.workers AS DOUBLE), 0) AS insured_rate,
       CAST(coalesce(c.registered_seekers, 0) AS DOUBLE) AS registered_seekers,
       CAST(coalesce(c.positions_posted, 0) AS DOUBLE) AS positions_posted
FROM grid g LEFT JOIN c USING (commune_code, month)
