-- mart: commune_today_map
-- label: Bảng quy đổi mã xã về 75 xã, phường hiện nay
-- label_en: Any commune code to today's 75 communes
-- description: For every commune code that a fact may carry, the commune of today (after the reform
--   of 01/07/2025) that it is or became part of, with the share where a commune was split. A row
--   applies to facts dated before valid_before (the day the code's commune was merged away); a row
--   with valid_before NULL is a commune of today and applies to facts from 01/07/2025. Chains of
--   changes (a commune of 2024 merged on 01/01/2025, then again on 01/07/2025) are followed to the
--   end, multiplying the shares. To roll a fact up: join on code, keep the rows whose valid_before is
--   NULL or after the fact's date, and of those the smallest valid_before.
-- description_vi: Với mỗi mã xã mà một bản ghi có thể mang, xã, phường hiện nay (sau sắp xếp ngày
--   01/07/2025) mà nó là hoặc đã nhập vào, kèm tỷ lệ khi một xã bị chia. Một dòng áp dụng cho bản ghi
--   có ngày trước valid_before (ngày xã của mã đó được sáp nhập); dòng có valid_before rỗng là xã hiện
--   nay, áp dụng từ 01/07/2025. Chuỗi thay đổi (một xã năm 2024 sáp nhập ngày 01/01/2025 rồi lại sáp
--   nhập ngày 01/07/2025) được theo đến cuối, nhân các tỷ lệ.
-- key: code, valid_before, commune_code
-- test: not_null(code, commune_code, commune_name, share)
-- test: unique(code, valid_before, commune_code)
-- test: accepted_range(share, 0, 1)
-- test: relationships(commune_code, reference.admin_units, code)
-- test: reconcile(count(DISTINCT commune_code), SELECT count(*) FROM reference.admin_units WHERE level = 'commune' AND valid_to IS NULL)
-- test: reconcile(count(*) FILTER (WHERE valid_before IS NULL), SELECT count(*) FROM reference.admin_units WHERE level = 'commune' AND valid_to IS NULL)
-- test: reconcile(count(DISTINCT code) FILTER (WHERE valid_before IS NOT NULL), SELECT count(DISTINCT old_code) FROM reference.admin_unit_succession)
WITH RECURSIVE today AS (
    SELECT code, name FROM reference.admin_units WHERE level = 'commune' AND valid_to IS NULL
), chain(code, valid_before, commune_code, share, effective_date) AS (
    SELECT old_code, effective_date, new_code, share, effective_date
    FROM reference.admin_unit_succession
    UNION ALL
    SELECT c.code, c.valid_before, s.new_code, c.share * s.share, s.effective_date
    FROM chain c
    JOIN reference.admin_unit_succession s ON s.old_code = c.commune_code AND s.effective_date > c.effective_date
), ends AS (
    -- the last step of each chain: no later change of the commune it reached
    SELECT c.* FROM chain c
    WHERE NOT EXISTS (
        SELECT 1 FROM reference.admin_unit_succession s
        WHERE s.old_code = c.commune_code AND s.effective_date > c.effective_date)
)
-- each end's share as an exact decimal before they are added up: the same bits at every build
SELECT e.code, e.valid_before, e.commune_code, t.name AS commune_name, CAST(sum(CAST(e.share AS DECIMAL(18,9))) AS DOUBLE) AS share
FROM ends e JOIN today t ON t.code = e.commune_code
GROUP BY e.code, e.valid_before, e.commune_code, t.name
UNION ALL
SELECT code, CAST(NULL AS DATE), code, name, 1.0 FROM today
