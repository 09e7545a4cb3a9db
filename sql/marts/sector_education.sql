-- mart: sector_education
-- label: Giáo dục theo xã hiện nay và năm học: trường, học sinh, sách giáo khoa và thiết bị
-- label_en: Education on today's 75 communes by school year: schools, learners, textbooks and equipment
-- description: Schools (by their commune, rolled to today's through marts.commune_today_map), learners at
--   the start of each school year with girls and ethnic-minority learners, and how much of the textbooks
--   and teaching equipment needed the schools have. Every commune has a row for every school year.
--   Sums are exact decimals (shares as DECIMAL(18,9)), cast to DOUBLE once: a rebuild gives the same bits.
-- description_vi: Trường học (theo xã của trường, quy về xã hiện nay), người học đầu mỗi năm học, trong
--   đó học sinh nữ và học sinh dân tộc thiểu số, và mức đáp ứng sách giáo khoa, thiết bị dạy học so với
--   nhu cầu. Mỗi xã có một dòng cho mọi năm học. Tổng là số thập phân chính xác.
-- column: schools = Trường học | Schools
-- column: standard_schools = Trường đạt chuẩn quốc gia | National-standard schools
-- column: learners = Người học | Learners
-- column: girls = Học sinh nữ | Girls
-- column: ethnic_minority = Học sinh dân tộc thiểu số | Ethnic-minority learners
-- column: textbooks = Sách giáo khoa hiện có | Textbooks held
-- column: textbooks_needed = Sách giáo khoa cần có | Textbooks needed
-- column: textbook_coverage = Tỷ lệ đáp ứng sách giáo khoa | Textbook coverage
-- key: commune_code, school_year
-- figure: schools = sum
-- figure: standard_schools = sum
-- figure: learners = sum
-- figure: girls = sum
-- figure: ethnic_minority = sum
-- figure: textbooks = sum
-- figure: textbooks_needed = sum
-- figure: textbook_coverage = textbooks / textbooks_needed
-- test: not_null(commune_code, commune_name, school_year, schools, learners)
-- test: unique(commune_code, school_year)
-- test: accepted_range(textbook_coverage, 0, 5)
-- test: relationships(commune_code, marts.commune_today_map, commune_code)
-- test: reconcile(abs(sum(learners) - (SELECT coalesce(sum(l.learners), 0) FROM education.learners l JOIN education.schools s USING (school_id))) < 0.01, SELECT true)
WITH schools AS (
    SELECT s.school_id, s.national_standard, m.commune_code AS today_code, CAST(m.share AS DECIMAL(18,9)) AS share
    FROM education.schools s
    JOIN marts.commune_today_map m ON m.code = s.commune_code AND m.valid_before IS NULL
), years AS (
    SELECT DISTINCT school_year FROM education.learners
), c AS (
    SELECT s.today_code AS commune_code, y.school_year,
           sum(s.share) AS schools,
           sum(s.share) FILTER (WHERE s.national_standard) AS standard_schools
    FROM schools s CROSS JOIN years y GROUP BY ALL
), l AS (
    SELECT s.today_code AS commune_code, l.school_year,
           sum(l.learners * s.share) AS learners, sum(l.girls * s.share) AS girls, sum(l.ethnic_minority * s.share) AS ethnic_minority
    FROM education.learners l JOIN schools s USING (school_id) GROUP BY ALL
), t AS (
    SELECT s.today_code AS commune_code, t.school_year,
           sum(t.available_qty * s.share) FILTER (WHERE t.material = 'Sách giáo khoa') AS textbooks,
           sum(t.required_qty * s.share) FILTER (WHERE t.material = 'Sách giáo khoa') AS textbooks_needed
    FROM education.teaching_materials t JOIN schools s USING (school_id) GROUP BY ALL
), grid AS (
    SELECT u.code AS commune_code, u.name AS commune_name, y.school_year
    FROM reference.admin_units u CROSS JOIN years y
    WHERE u.level = 'commune' AND u.valid_to IS NULL
)
SELECT g.commune_code, g.commune_name, g.school_year,
       CAST(coalesce(c.schools, 0) AS DOUBLE) AS schools,
       CAST(coalesce(c.standard_schools, 0) AS DOUBLE) AS standard_schools,
       CAST(coalesce(l.learners, 0) AS DOUBLE) AS learners,
       CAST(coalesce(l.girls, 0) AS DOUBLE) AS girls,
       CAST(coalesce(l.ethnic_minority, 0) AS DOUBLE) AS ethnic_minority,
       CAST(coalesce(t.textbooks, 0) AS DOUBLE) AS textbooks,
       CAST(coalesce(t.textbooks_needed, 0) AS DOUBLE) AS textbooks_needed,
       CAST(t.textbooks AS DOUBLE) / nullif(CAST(t.textbooks_needed AS DOUBLE), 0) AS textbook_coverage
FROM grid g
LEFT JOIN c USING (commune_code, school_year)
LEFT JOIN l USING (commune_code, school_year)
LEFT JOIN t USING (commune_code, school_year)
