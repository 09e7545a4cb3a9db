package quality

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"github.com/sonla-data/kho/warehouse/lake"
)

// QuarantineSuffix names a dataset's quarantine table (as the runner does).
const QuarantineSuffix = "__quarantine"

// Quarantined is one row of a quarantine table.
type Quarantined struct {
	RunID         string             `json:"run_id"`
	Pipeline      string             `json:"pipeline"`
	SourceFile    string             `json:"source_file"`
	SourceRow     int64              `json:"source_row"`
	RecordKey     string             `json:"record_key"`
	Column        string             `json:"column_name"`
	Rule          string             `json:"rule"`
	RawValue      string             `json:"raw_value"`
	ReasonVI      string             `json:"reason_vi"`
	ReasonEN      string             `json:"reason_en"`
	Record        map[string]*string `json:"record"`
	QuarantinedAt time.Time          `json:"quarantined_at"`
}

// ReadQuarantine returns the quarantined rows of a dataset (of one run when
// runID is not empty), by source file and row. A dataset that never had a
// bad row has no quarantine table: no rows.
func ReadQuarantine(ctx context.Context, l *lake.Lake, dataset, runID string) ([]Quarantined, error) {
	t, err := l.Load(ctx, dataset+QuarantineSuffix)
	if errors.Is(err, catalog.ErrNoSuchTable) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if t.CurrentSnapshot() == nil {
		return nil, nil
	}
	var opts []table.ScanOption
	if runID != "" {
		opts = append(opts, table.WithRowFilter(iceberg.EqualTo(iceberg.Reference("run_id"), runID)))
	}
	_, batches, err := t.Scan(opts...).ToArrowRecords(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the quarantine of %s: %w", dataset, err)
	}
	var out []Quarantined
	for b, err := range batches {
		if err != nil {
			return nil, fmt.Errorf("reading the quarantine of %s: %w", dataset, err)
		}
		rows, err := quarantinedRows(b)
		b.Release()
		if err != nil {
			return nil, fmt.Errorf("reading the quarantine of %s: %w", dataset, err)
		}
		out = append(out, rows...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.SourceFile != b.SourceFile {
			return a.SourceFile < b.SourceFile
		}
		if a.SourceRow != b.SourceRow {
			return a.SourceRow < b.SourceRow
		}
		return a.RecordKey < b.RecordKey
	})
	return out, nil
}

func quarantinedRows(b arrow.RecordBatch) ([]Quarantined, error) {
	str := func(name string) func(int) string {
		idx := b.Schema().FieldIndices(name)
		if len(idx) == 0 {
			return func(int) string { return "" }
		}
		col := b.Column(idx[0])
		return func(i int) string {
			if col.IsNull(i) {
				return ""
			}
			return cellText(col, i)
		}
	}
	run, pl, file, key, column, rule, raw := str("run_id"), str("pipeline"), str("source_file"), str("record_key"), str("column_name"), str("rule"), str("raw_value")
	vi, en, rec := str("reason_vi"), str("reason_en"), str("record")
	rowCol, atCol := b.Schema().FieldIndices("source_row"), b.Schema().FieldIndices("quarantined_at")
	out := make([]Quarantined, b.NumRows())
	for i := range out {
		q := Quarantined{RunID: run(i), Pipeline: pl(i), SourceFile: file(i), RecordKey: key(i), Column: column(i), Rule: rule(i),
			RawValue: raw(i), ReasonVI: vi(i), ReasonEN: en(i)}
		if len(rowCol) > 0 {
			if c, ok := b.Column(rowCol[0]).(*array.Int64); ok && c.IsValid(i) {
				q.SourceRow = c.Value(i)
			}
		}
		if len(atCol) > 0 {
			if c, ok := b.Column(atCol[0]).(*array.Timestamp); ok && c.IsValid(i) {
				q.QuarantinedAt = c.Value(i).ToTime(c.DataType().(*arrow.TimestampType).Unit).UTC()
			}
		}
		if r := rec(i); r != "" {
			if err := json.Unmarshal([]byte(r), &q.Record); err != nil {
				return nil, fmt.Errorf("row of %s %d: record: %w", q.SourceFile, q.SourceRow, err)
			}
		}
		out[i] = q
	}
	return out, nil
}

// Meta columns of a records file, before the record's own columns.
const (
	MetaPipeline = "_pipeline"
	MetaFile     = "_source_file"
	MetaRow      = "_source_row"
	MetaKey      = "_record_key"
	MetaRule     = "_rule"
	MetaReason   = "_reason"
)

var metaColumns = []string{MetaPipeline, MetaFile, MetaRow, MetaKey, MetaRule, MetaReason}

// WriteRecords writes quarantined rows as an editable CSV: the meta columns
// (where each row came from and why it was quarantined), then every column
// of the source records, as read. Fixed in a spreadsheet, the file is what
// Replay reads.
func WriteRecords(w io.Writer, rows []Quarantined) error {
	colSet := map[string]bool{}
	for _, q := range rows {
		for k := range q.Record {
			colSet[k] = true
		}
	}
	cols := make([]string, 0, len(colSet))
	for k := range colSet {
		cols = append(cols, k)
	}
	sort.Strings(cols)
	cw := csv.NewWriter(w)
	if err := cw.Write(append(append([]string{}, metaColumns...), cols...)); err != nil {
		return err
	}
	for _, q := range rows {
		rec := []string{q.Pipeline, q.SourceFile, strconv.FormatInt(q.SourceRow, 10), q.RecordKey, q.Column + ":" + q.Rule, q.ReasonVI}
		for _, c := range cols {
			v := ""
			if p := q.Record[c]; p != nil {
				v = *p
			}
			rec = append(rec, v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
