-- mart: data_development_index
-- label: Chỉ số phát triển dữ liệu theo cơ quan chủ quản
-- label_en: Data-development index by owner agency
-- description: For each agency that owns datasets (the owner of their schemas), as of the build:
--   datasets expected (every dataset whose schema it owns), delivered (in the lake with rows), fresh
--   (delivered, and last written within the dataset's fresh_within: twice its pipeline's schedule
--   interval), open datasets expected and published (classification open, delivered), and the
--   quality pass rate: rows written / (written + quarantined) over every pipeline commit kept in
--   the datasets' history (kho.snapshots). The index is 100 x the mean of the rates that apply:
--   delivery, freshness, quality and open publication. The plan asks for it yearly in the digital
--   transformation index; the mart is rebuilt at every build, being read from the lake's metadata.
-- description_vi: Với mỗi cơ quan chủ quản dữ liệu, tại thời điểm tính: số bộ dữ liệu phải có, đã có
--   trong kho, còn mới (ghi trong thời hạn bằng hai lần chu kỳ của luồng dữ liệu), số bộ dữ liệu mở
--   phải công bố và đã công bố, và tỷ lệ dòng đạt chất lượng (dòng ghi / (dòng ghi + dòng cách ly)) qua
--   mọi lần ghi còn giữ trong lịch sử. Chỉ số bằng 100 nhân trung bình các tỷ lệ áp dụng: đủ, mới, chất
--   lượng và công bố mở. Bảng được tính lại mỗi lần xây dựng kho.
-- column: owner = Cơ quan chủ quản | Owner agency
-- column: datasets_expected = Bộ dữ liệu phải có | Datasets expected
-- column: datasets_delivered = Bộ dữ liệu đã có | Datasets delivered
-- column: datasets_fresh = Bộ dữ liệu còn mới | Datasets fresh
-- column: open_expected = Bộ dữ liệu mở phải công bố | Open datasets expected
-- column: open_published = Bộ dữ liệu mở đã công bố | Open datasets published
-- column: rows_written = Dòng đã ghi | Rows written
-- column: rows_quarantined = Dòng bị cách ly | Rows quarantined
-- column: quality_pass_rate = Tỷ lệ dòng đạt chất lượng | Quality pass rate
-- column: index_score = Điểm chỉ số phát triển dữ liệu | Data-development index score
-- key: owner
-- test: not_null(owner, datasets_expected, datasets_delivered, index_score)
-- test: unique(owner)
-- test: accepted_range(index_score, 0, 100)
-- test: accepted_range(quality_pass_rate, 0, 1)
-- test: assert(datasets_delivered <= datasets_expected AND datasets_fresh <= datasets_delivered AND open_published <= open_expected)
-- test: reconcile(coalesce(sum(datasets_expected), 0), SELECT count(*) FROM kho.tables WHERE kind = 'dataset' AND declared)
-- test: reconcile(coalesce(sum(rows_quarantined), 0), SELECT coalesce(sum(s.rows_quarantined), 0) FROM kho.snapshots s JOIN kho.tables t USING (dataset) WHERE t.kind = 'dataset' AND t.declared AND s.in_history)
WITH d AS (
    SELECT
        t.dataset,
        coalesce(t.owner, '(không rõ / unknown)') AS owner,
        t.classification = 'open' AS open,
        t.in_lake AND coalesce(t."rows", 0) > 0 AS delivered,
        t.in_lake AND coalesce(t."rows", 0) > 0
            AND (t.fresh_within_hours IS NULL OR t.last_write_at >= now() - t.fresh_within_hours * INTERVAL 1 HOUR) AS fresh,
        t.last_write_at
    FROM kho.tables t
    WHERE t.kind = 'dataset' AND t.declared
), q AS (
    SELECT dataset, sum(rows_written) AS written, sum(rows_quarantined) AS quarantined
    FROM kho.snapshots
    WHERE in_history AND rows_written IS NOT NULL
    GROUP BY dataset
), o AS (
    SELECT
        d.owner,
        CAST(count(*) AS BIGINT) AS datasets_expected,
        CAST(count(*) FILTER (WHERE delivered) AS BIGINT) AS datasets_delivered,
        CAST(count(*) FILTER (WHERE fresh) AS BIGINT) AS datasets_fresh,
        CAST(count(*) FILTER (WHERE open) AS BIGINT) AS open_expected,
        CAST(count(*) FILTER (WHERE open AND delivered) AS BIGINT) AS open_published,
        CAST(coalesce(sum(q.written), 0) AS BIGINT) AS rows_written,
        CAST(coalesce(sum(q.quarantined), 0) AS BIGINT) AS rows_quarantined,
        max(d.last_write_at) AS last_write_at
    FROM d LEFT JOIN q USING (dataset)
    GROUP BY d.owner
), r AS (
    SELECT
        o.*,
        datasets_delivered / datasets_expected AS delivery_rate,
        datasets_fresh / datasets_expected AS freshness_rate,
        rows_written / nullif(rows_written + rows_quarantined, 0) AS quality_pass_rate,
        open_published / nullif(open_expected, 0) AS open_rate
    FROM o
)
SELECT
    r.*,
    round(100 * (delivery_rate + freshness_rate + coalesce(quality_pass_rate, 0) + coalesce(open_rate, 0))
        / (2 + CAST(quality_pass_rate IS NOT NULL AS INTEGER) + CAST(open_rate IS NOT NULL AS INTEGER)), 1) AS index_score,
    CAST(year(now()) AS INTEGER) AS year,
    -- the newest write the index reads (not the clock): a rebuild over an
    -- unchanged lake gives the same rows and commits nothing
    (SELECT max(last_write_at) FROM d) AS as_of
FROM r
