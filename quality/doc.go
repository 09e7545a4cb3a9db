// Package quality is what the warehouse knows about the quality of a run and
// of a dataset, beyond the conform step itself (package schemas):
//
//   - Report: the quality report of one run — every rule checked with the
//     rows it was applied to, failed and warned, the text repairs made per
//     column, the untagged columns that look like personal data, the
//     dataset checks — printable in one line or as a table, and stored in the
//     run's Iceberg snapshot summary (SummaryKey) with the data it describes;
//   - Lookup: the hook the conform step's references rules read the lake's
//     current values through;
//   - Facts: what the dataset checks (row-count change, key uniqueness
//     across the table after a merge) measure before a commit;
//   - the quarantine's rows as editable records (ExportRecords), and Replay,
//     which runs fixed records through the same conform step, merges them
//     into the dataset by its key and takes them out of the quarantine.
package quality
