-- mart: festival_visitors
-- label: Lượt khách lễ hội theo xã và năm
-- label_en: Festival visitors by commune and year
-- description: An example mart: festivals and their visitors by commune and year.
-- key: commune_code, year
-- test: not_null(commune_code, year, festivals, visitors)
-- test: unique(commune_code, year)
-- test: reconcile(sum(visitors) = (SELECT coalesce(sum(visitors), 0) FROM culture_tourism.festivals), SELECT true)
SELECT commune_code,
       CAST(year(opens_on) AS INTEGER) AS year,
       count(*) AS festivals,
       coalesce(sum(visitors), 0) AS visitors
FROM culture_tourism.festivals
GROUP BY commune_code, year(opens_on)
