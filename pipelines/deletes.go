package pipelines

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/iceberg-go/table"
	"github.com/invopop/jsonschema"
	"gopkg.in/yaml.v3"

	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/warehouse/lake"
)

// Deletes says how rows deleted in the source leave the lake (mode merge):
//
//	deletes: detect                       # compare the source's keys with the lake's at every run
//	deletes: {detect: "0 3 * * 0"}        # … on a schedule of its own (cron or @weekly)
//	deletes: {soft: is_deleted}           # the source flags deleted rows in a column
type Deletes struct {
	// Detect compares the keys of the whole source with the table's: the
	// table's rows whose key the source no longer holds are deleted.
	Detect bool
	// Schedule is when a detection is due ("": at every run).
	Schedule string
	// Soft names the dataset column that flags a deleted row: true (bool)
	// or any value (other types).
	Soft string
	// Line is where the key is, for errors.
	Line, Column int
}

// UnmarshalYAML reads `detect`, or a mapping with detect and/or soft.
func (d *Deletes) UnmarshalYAML(n *yaml.Node) error {
	d.Line, d.Column = n.Line, n.Column
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value != "detect" {
			return fmt.Errorf("line %d: deletes must be detect, {detect: SCHEDULE} or {soft: COLUMN}", n.Line)
		}
		d.Detect = true
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			switch k {
			case "detect":
				switch v.Value {
				case "true", "always", "":
					d.Detect = true
				case "false":
				default:
					d.Detect, d.Schedule = true, v.Value
				}
			case "soft":
				d.Soft = v.Value
			default:
				return fmt.Errorf("line %d: deletes has no key %q (detect, soft)", n.Content[i].Line, k)
			}
		}
		return nil
	}
	return fmt.Errorf("line %d: deletes must be detect, {detect: SCHEDULE} or {soft: COLUMN}", n.Line)
}

// JSONSchema describes the forms of deletes for editors.
func (Deletes) JSONSchema() *jsonschema.Schema {
	obj := &jsonschema.Schema{Type: "object", Properties: jsonschema.NewProperties()}
	obj.Properties.Set("detect", &jsonschema.Schema{Description: "true, or a cron schedule of its own"})
	obj.Properties.Set("soft", &jsonschema.Schema{Type: "string", Description: "the column that flags a deleted row"})
	return &jsonschema.Schema{Description: "How rows deleted in the source leave the lake (mode merge).",
		OneOf: []*jsonschema.Schema{{Type: "string", Enum: []any{"detect"}}, obj}}
}

// validateDeletes checks deletes against the target.
func validateDeletes(p *Pipeline, ds *schemas.Dataset, bad func(path []any, format string, a ...any)) {
	d := p.Target.Deletes
	if d == nil {
		return
	}
	if p.Target.Mode != lake.Merge {
		bad([]any{"target", "deletes"}, "deletes needs mode merge (rows are deleted by their key)")
	}
	if d.Schedule != "" {
		if _, err := CronParser.Parse(d.Schedule); err != nil {
			bad([]any{"target", "deletes", "detect"}, "deletes.detect %q is not a cron schedule: %v", d.Schedule, err)
		}
	}
	if d.Soft != "" && ds != nil {
		if _, ok := ds.Column(d.Soft); !ok {
			bad([]any{"target", "deletes", "soft"}, "deletes.soft %q is not a column of %s (columns: %s)", d.Soft, ds.Name, columnNames(ds))
		}
		if ds.IsKey(d.Soft) {
			bad([]any{"target", "deletes", "soft"}, "deletes.soft %q is a key column", d.Soft)
		}
	}
}

// detectDue reports whether a run compares the source's keys with the
// table's: every run, or when the schedule passed since the last check.
func detectDue(d *Deletes, tbl *table.Table, pipeline string, now time.Time) bool {
	if d == nil || !d.Detect {
		return false
	}
	if d.Schedule == "" {
		return true
	}
	last, err := time.Parse(time.RFC3339, lake.LastSummary(tbl, pipeline)[sumDeletesChecked])
	if err != nil {
		return true
	}
	s, err := CronParser.Parse(d.Schedule)
	if err != nil {
		return false
	}
	loc, _ := time.LoadLocation("Asia/Ho_Chi_Minh")
	if loc == nil {
		loc = time.UTC
	}
	return !s.Next(last.In(loc)).After(now)
}

// splitSoftDeleted takes the rows a soft-delete column flags out of a
// conformed batch: their keys go into deletes, and out of spooled (the
// keys of the rows spooled so far, nil when none are kept: a change log's
// row of a key that a later version flags is not written), the other rows
// are returned (good is released).
func (r *Runner) splitSoftDeleted(ctx context.Context, good arrow.RecordBatch, col string, deletes, spooled *lake.KeyIndex) (arrow.RecordBatch, error) {
	idx := good.Schema().FieldIndices(col)
	if len(idx) == 0 {
		return good, nil
	}
	flag := good.Column(idx[0])
	n := int(good.NumRows())
	keep := make([]bool, n)
	del := make([]bool, n)
	any := false
	for i := 0; i < n; i++ {
		deleted := flag.IsValid(i)
		if b, ok := flag.(*array.Boolean); ok {
			deleted = deleted && b.Value(i)
		}
		keep[i], del[i] = !deleted, deleted
		any = any || deleted
	}
	if !any {
		return good, nil
	}
	if spooled != nil {
		lastVersions(good, spooled.Columns(), keep)
	}
	defer good.Release()
	filter := func(mask []bool) (arrow.RecordBatch, error) {
		bb := array.NewBooleanBuilder(r.alloc())
		defer bb.Release()
		bb.AppendValues(mask, nil)
		m := bb.NewBooleanArray()
		defer m.Release()
		return compute.FilterRecordBatch(compute.WithAllocator(ctx, r.alloc()), good, m, compute.DefaultFilterOptions())
	}
	gone, err := filter(del)
	if err != nil {
		return nil, err
	}
	err = deletes.Add(gone, nil)
	if err == nil && spooled != nil {
		err = spooled.Remove(gone)
	}
	gone.Release()
	if err != nil {
		return nil, err
	}
	return filter(keep)
}

// detectDeletes sets ex.keepOnly, when a detection is due, to every key the
// source holds: the keys of this run when it read the source whole, else
// those of a second, whole read. A detection is skipped (with a warning)
// when that read quarantined rows, whose keys are not known for sure: a
// row is never deleted for being bad.
func (r *Runner) detectDeletes(ctx context.Context, p *Pipeline, ds *schemas.Dataset, ex *extraction, opt RunOptions) error {
	if p.Target.Mode != lake.Merge || lake.RowCount(ex.tbl) == 0 || !detectDue(p.Target.Deletes, ex.tbl, p.Name, r.now()) {
		return nil
	}
	src := ex
	if ex.prevState != nil {
		var scratch Result
		full := opt
		full.FullRefresh = true
		whole, err := r.extract(ctx, p, ds, ex.tbl, full, &scratch)
		if whole != nil {
			defer whole.release()
		}
		if err != nil {
			return err
		}
		src = whole
		// the second read's keys outlive its spool
		ex.keepOnly = whole.good.Keys()
	} else {
		ex.keepOnly = ex.good.Keys()
	}
	if src.bad.Rows() > 0 || ex.keepOnly == nil {
		r.log().Warn("deletes: detect skipped: the source has quarantined rows, whose keys are not known for sure", "pipeline", p.Name, "rows", src.bad.Rows())
		ex.keepOnly = nil
	}
	return nil
}

// lastVersions keeps, of the rows of a batch that hold one key, only the
// last one flagged kept: a row followed in the batch by a flagged row of
// its key is a version that the flag replaces (a change log reads several
// versions of a row in one run).
func lastVersions(b arrow.RecordBatch, keyCols []string, keep []bool) {
	n := int(b.NumRows())
	cols := make([]arrow.Array, 0, len(keyCols))
	for _, c := range keyCols {
		idx := b.Schema().FieldIndices(c)
		if len(idx) == 0 {
			return
		}
		cols = append(cols, b.Column(idx[0]))
	}
	key := func(i int) string {
		var sb strings.Builder
		for _, a := range cols {
			v := "\x01"
			if a.IsValid(i) {
				v = a.ValueStr(i)
			}
			sb.WriteString(strconv.Quote(v))
		}
		return sb.String()
	}
	flaggedAfter := map[string]bool{}
	for i := n - 1; i >= 0; i-- {
		k := key(i)
		if !keep[i] {
			flaggedAfter[k] = true
			continue
		}
		if flaggedAfter[k] {
			keep[i] = false // and so are the key's earlier rows
		}
	}
}
