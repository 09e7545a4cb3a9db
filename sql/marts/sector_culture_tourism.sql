-- mart: sector_culture_tourism
-- label: Văn hóa, du lịch theo xã hiện nay và năm: khách du lịch, doanh thu, di tích, thư viện
-- label_en: Culture and tourism on today's 75 communes by year: visitors, revenue, heritage sites, libraries
-- description: Tourist arrivals of each month summed by year on the communes of today (a destination
--   named before the reform counts for the commune it became part of, marts.commune_today_map); the
--   ranked heritage sites and the libraries are the current lists. Every commune has a row for every year.
--   Sums are exact decimals (shares as DECIMAL(18,9)), cast to DOUBLE once: a rebuild gives the same bits.
-- description_vi: Lượt khách du lịch các tháng cộng theo năm trên 75 xã, phường hiện nay (điểm đến mang
--   tên trước sắp xếp được tính cho xã mà nó đã nhập vào); di tích được xếp hạng và thư viện là danh
--   sách hiện nay. Mỗi xã có một dòng cho mọi năm. Tổng là số thập phân chính xác.
-- column: visitors = Lượt khách | Visitors
-- column: international_visitors = Lượt khách quốc tế | International visitors
-- column: overnight_stays = Lượt khách lưu trú | Overnight stays
-- column: revenue_mvnd = Doanh thu (triệu đồng) | Revenue (million VND)
-- column: heritage_sites = Di tích được xếp hạng | Ranked heritage sites
-- column: national_sites = Di tích cấp quốc gia | National heritage sites
-- column: libraries = Thư viện | Libraries
-- column: library_books = Sách trong thư viện | Library books
-- key: commune_code, year
-- figure: visitors = sum
-- figure: international_visitors = sum
-- figure: overnight_stays = sum
-- figure: revenue_mvnd = sum
-- figure: heritage_sites = sum
-- figure: national_sites = sum
-- figure: libraries = sum
-- figure: library_books = sum
-- test: not_null(commune_code, commune_name, year, visitors)
-- test: unique(commune_code, year)
-- test: relationships(commune_code, marts.commune_today_map, commune_code)
-- test: reconcile(abs(sum(visitors) - (SELECT coalesce(sum(domestic_visitors + international_visitors), 0) FROM culture_tourism.tourist_arrivals)) < 0.01, SELECT true)
-- test: reconcile(sum(heritage_sites) / count(DISTINCT year), SELECT count(*) FROM culture_tourism.heritage_sites)
WITH facts AS (
    SELECT report_id AS fid, commune_code AS code, report_month AS day,
           CAST(domestic_visitors + international_visitors AS DECIMAL(18,0)) AS visitors,
           CAST(international_visitors AS DECIMAL(18,0)) AS international, CAST(overnight_stays AS DECIMAL(18,0)) AS stays,
           CAST(revenue_mvnd AS DECIMAL(18,3)) AS revenue
    FROM culture_tourism.tourist_arrivals
), rolled AS (
    SELECT f.*, m.commune_code AS today_code, CAST(m.share AS DECIMAL(18,9)) AS share
    FROM facts f
    JOIN marts.commune_today_map m
        ON m.code = f.code AND (m.valid_before IS NULL OR f.day < m.valid_before)
    QUALIFY m.valid_before IS NOT DISTINCT FROM min(m.valid_before) OVER (PARTITION BY f.fid)
), c AS (
    SELECT today_code AS commune_code, year(day) AS year,
           sum(visitors * share) AS visitors, sum(international * share) AS international_visitors,
           sum(stays * share) AS overnight_stays, sum(revenue * share) AS revenue_mvnd
    FROM rolled GROUP BY ALL
), sites AS (
    SELECT commune_code, count(*) AS heritage_sites,
           count(*) FILTER (WHERE rank IN ('Quốc gia', 'Quốc gia đặc biệt')) AS national_sites
    FROM culture_tourism.heritage_sites GROUP BY commune_code
), libs AS (
    SELECT commune_code, count(*) AS libraries, sum(books) AS library_books FROM culture_tourism.libraries GROUP BY commune_code
), grid AS (
    SELECT u.code AS commune_code, u.name AS commune_name, y.year
    FROM reference.admin_units u
    CROSS JOIN (SELECT DISTINCT year(day) AS year FROM facts) y
    WHERE u.level = 'commune' AND u.valid_to IS NULL
)
SELECT g.commune_code, g.commune_name, CAST(g.year AS BIGINT) AS year,
       CAST(coalesce(c.visitors, 0) AS DOUBLE) AS visitors,
       CAST(coalesce(c.international_visitors, 0) AS DOUBLE) AS international_visitors,
       CAST(coalesce(c.overnight_stays, 0) AS DOUBLE) AS overnight_stays,
       CAST(coalesce(c.revenue_mvnd, 0) AS DOUBLE) AS revenue_mvnd,
       coalesce(s.heritage_sites, 0) AS heritage_sites,
       coalesce(s.national_sites, 0) AS national_sites,
       coalesce(l.libraries, 0) AS libraries,
       coalesce(l.library_books, 0) AS library_books
FROM grid g
LEFT JOIN c USING (commune_code, year)
LEFT JOIN sites s USING (commune_code)
LEFT JOIN libs l USING (commune_code)
